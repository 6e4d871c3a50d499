"""Ingest throughput and search latency on the Reuters-21578 bodies (issue 5).

1. ``presslens ingest`` (the real command, in a child process) over the stories written as
   one JSON Lines file (title, date and text fields; URL on one host so they count as one
   outlet): docs/s on this machine and the child's peak resident memory.
2. The same command again: it must add nothing, in under a tenth of the first run's time.
3. Search latency on the finished store, in process, read-only: BM25 queries made of one or
   two words drawn (fixed seed) from the titles, half of them with a filter (outlet, date
   range, actor or technique), each timed alone; p50 / p95 / max in milliseconds.

Usage: python bench/ingest.py [--data DIR] [--limit N] [--queries N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import reuters

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"
STOP = frozenset("the a an of to in and for on at by with from says said say u.s. inc corp".split())  # noqa: SIM905


def write_jsonl(docs: list[dict[str, Any]], path: Path) -> None:
    with path.open("w", encoding="utf-8") as f:
        for d in docs:
            record = {
                "url": f"https://www.reuters.com/article/{d['id']}",
                "title": d["title"],
                "date": d["date"].isoformat(),
                "text": "\n\n".join([d["title"], *d["paras"]]),
            }
            f.write(json.dumps(record, ensure_ascii=False) + "\n")


def ingest(pages: Path, db: Path) -> float:
    command = [sys.executable, "-m", "presslens", "ingest", str(pages), "--db", str(db), "-q"]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        sys.exit(f"ingest failed ({done.returncode}): {done.stderr[-2000:]}")
    return elapsed


def queries(docs: list[dict[str, Any]], n: int, rng: random.Random) -> list[tuple[str, dict]]:
    words = [
        w
        for d in docs
        for w in d["title"].lower().replace(",", " ").split()
        if w.isalpha() and len(w) > 3 and w not in STOP
    ]
    start = min(d["date"] for d in docs)
    filters: list[dict] = [
        {},
        {"outlet": "Reuters"},
        {"since": start, "until": start + timedelta(days=10)},
        {"actor": "Reagan"},
        {"technique": "Loaded_Language"},
    ]
    out = []
    for i in range(n):
        text = " ".join(rng.sample(words, 1 + (i % 2)))
        out.append((text, filters[i % len(filters)] if i % 2 else {}))
    return out


def search_latency(db: Path, qs: list[tuple[str, dict]]) -> dict[str, float]:
    from presslens.corpus import open_read_only
    from presslens.corpus.search import Filters, search

    with open_read_only(db) as store:
        search(store.db, "warm up")  # loads the extension once, as a server would
        times, found = [], 0
        for text, f in qs:
            start = time.perf_counter()
            total, _ = search(store.db, text, Filters(**f), limit=20)
            times.append((time.perf_counter() - start) * 1000)
            found += total > 0
    times.sort()
    return {
        "search_queries": len(times),
        "search_with_hits": found,
        "search_p50_ms": round(statistics.median(times), 1),
        "search_p95_ms": round(times[int(0.95 * (len(times) - 1))], 1),
        "search_max_ms": round(times[-1], 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--limit", type=int, default=None, help="first N stories (default: all)")
    ap.add_argument("--queries", type=int, default=400)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--keep", type=Path, help="keep the store here instead of a temp folder")
    args = ap.parse_args()
    docs = reuters.load(args.data, args.limit)
    with tempfile.TemporaryDirectory(prefix="presslens-ingest-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        pages, db = folder / "reuters.jsonl", folder / "reuters.duckdb"
        db.unlink(missing_ok=True)
        write_jsonl(docs, pages)
        words = sum(len(p.split()) for d in docs for p in d["paras"])
        print(f"{len(docs)} stories, {words:,} words → {db}")
        first = ingest(pages, db)
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"first ingest: {first:.1f} s, {len(docs) / first:.1f} docs/s, peak {peak_mb:.0f} MB")
        second = ingest(pages, db)
        print(f"second ingest: {second:.1f} s ({second / first:.1%} of the first)")
        from presslens.corpus import open_read_only

        with open_read_only(db) as store:
            counts = store.counts()
        print("rows:", ", ".join(f"{t} {n}" for t, n in counts.items()))
        latency = search_latency(db, queries(docs, args.queries, random.Random(args.seed)))
        print(
            f"search: p50 {latency['search_p50_ms']} ms, p95 {latency['search_p95_ms']} ms, "
            f"max {latency['search_max_ms']} ms over {latency['search_queries']} queries"
        )
    figures = {
        "docs": len(docs),
        "words": words,
        "ingest_s": round(first, 1),
        "docs_per_s": round(len(docs) / first, 2),
        "words_per_s": round(words / first),
        "peak_rss_mb": round(peak_mb),
        "second_ingest_s": round(second, 2),
        "second_share": round(second / first, 4),
        "articles_stored": counts["articles"],
        **latency,
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
