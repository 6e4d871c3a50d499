"""Scale-out throughput (issue 7): docs/s of ``presslens.scale.run`` on the Reuters bodies.

The stories are written as one JSON Lines file (as bench/ingest.py does), then analysed into
Parquet by the local engine (multiprocessing) and the Ray engine (Ray Data on a local Ray
instance started once, before timing) with 1 and 2 workers. Per run: the per-article stage
(planning, counting, worker start-up with one model load each, analysis, Parquet writes) in
docs/s, and the corpus step (copies as a shuffle, stories on the driver) in seconds. The
overhead of Ray is its per-article time over the local engine's, at 2 workers.

Usage: python bench/scale.py [--data DIR] [--limit N] [--workers 1,2] [--engines local,ray]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import reuters
from ingest import write_jsonl

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--limit", type=int, default=400, help="first N stories (default 400)")
    ap.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    ap.add_argument("--engines", default="local,ray")
    args = ap.parse_args()
    workers = [int(w) for w in args.workers.split(",")]
    engines = args.engines.split(",")
    docs = reuters.load(args.data, args.limit)
    from presslens.scale import run

    figures: dict[str, float | int | str] = {"docs": len(docs), "cpus": os.cpu_count() or 0}
    with tempfile.TemporaryDirectory(prefix="presslens-scale-") as tmp:
        pages = Path(tmp) / "reuters.jsonl"
        write_jsonl(docs, pages)
        words = sum(len(p.split()) for d in docs for p in d["paras"])
        figures["words"] = words
        print(f"{len(docs)} stories, {words:,} words; {figures['cpus']} CPUs")
        if "ray" in engines:
            try:
                import ray
            except ImportError:
                sys.exit('the ray engine needs Ray Data: pip install "presslens[scale]"')
            start = time.perf_counter()
            ray.init(num_cpus=max(workers), include_dashboard=False, log_to_driver=False)
            figures["ray_start_s"] = round(time.perf_counter() - start, 2)
            print(f"ray start-up: {figures['ray_start_s']} s (not counted below)")
        for engine in engines:
            for n in workers:
                out = Path(tmp) / f"{engine}-{n}"
                m = run([str(pages)], out, engine=engine, workers=n)
                rate = m["articles"] / m["analyse_s"]
                corpus_s = m["total_s"] - m["analyse_s"]
                key = f"{engine}_{n}"
                figures[f"{key}_docs_per_s"] = round(rate, 2)
                figures[f"{key}_worker_docs_per_s"] = m["worker_docs_per_s"]
                figures[f"{key}_analyse_s"] = m["analyse_s"]
                figures[f"{key}_corpus_s"] = round(corpus_s, 2)
                figures[f"{key}_copies"] = m["copies"]
                print(
                    f"{engine:5} x{n}: {m['articles']} articles in {m['analyse_s']:.1f} s "
                    f"= {rate:.1f} docs/s ({m['shards']} shards; one worker once started: "
                    f"{m['worker_docs_per_s']:.1f} docs/s); corpus step {corpus_s:.1f} s, "
                    f"{m['copies']} copies, {m['stories']} stories"
                )
        if "ray" in engines:
            ray.shutdown()
    top = max(workers)
    if {"local", "ray"} <= set(engines):
        local, rayed = figures[f"local_{top}_analyse_s"], figures[f"ray_{top}_analyse_s"]
        figures[f"ray_overhead_{top}w"] = round(rayed / local - 1, 3)  # type: ignore[operator]
        print(f"ray over local at {top} workers: {figures[f'ray_overhead_{top}w']:+.1%}")
    for engine in engines:
        if 1 in workers and top > 1:
            one, more = figures[f"{engine}_1_docs_per_s"], figures[f"{engine}_{top}_docs_per_s"]
            figures[f"{engine}_speedup_{top}w"] = round(more / one, 2)  # type: ignore[operator]
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
