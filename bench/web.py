"""Load test of the workbench on loopback: requests/s and latency of the article and search
endpoints over a store.

Starts `presslens serve` (one uvicorn process, as a user would) on a free loopback port, then
for each endpoint runs ``--clients`` concurrent clients (threads with keep-alive httpx
clients) for its share of ``--seconds``: the article JSON (`/api/articles/{id}`), the article
page with its highlighted body (`/article/{id}`), and search with facets (`/api/search?q=`),
the query words taken from the titles of the sampled articles. Every response must be 200.

Usage: python bench/web.py --db STORE [--seconds 30] [--clients 4] [--limit N] [--data DIR]
(--data is accepted for the house style; the store is what is measured.)
"""

from __future__ import annotations

import argparse
import json
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"
STOP = {"the", "and", "for", "with", "from", "that", "this", "says", "said", "over", "after"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    exe = Path(sys.executable).with_name("presslens")
    cmd = [str(exe), "serve", "--db", str(db), "--port", str(port)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"presslens serve failed: {proc.stderr.read().strip()}")
        try:
            if httpx.get(f"{base}/api/overview", timeout=5).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    sys.exit("presslens serve did not answer within 60 s")


def sample(base: str, limit: int, seed: int = 7) -> tuple[list[str], list[str]]:
    """Article ids (up to ``limit``) and search words from their titles."""
    ids, titles = [], []
    with httpx.Client(base_url=base, timeout=30) as client:
        total = client.get("/api/articles", params={"limit": 1}).json()["total"]
        rng = random.Random(seed)
        pages = range(0, max(total, 1), 100)
        offsets = sorted(rng.sample(pages, min(limit // 100 + 1, 50, len(pages))))
        for offset in offsets or [0]:
            page = client.get("/api/articles", params={"limit": 100, "offset": offset}).json()
            for item in page["items"]:
                ids.append(item["id"])
                titles.append(item["title"] or "")
    rng = random.Random(seed)
    rng.shuffle(ids)
    words = sorted(
        {w for t in titles for w in re.findall(r"[A-Za-z]{4,}", t) if w.lower() not in STOP}
    )
    rng.shuffle(words)
    return ids[:limit], words[: max(limit, 1)]


def run(base: str, paths: list[str], clients: int, seconds: float) -> dict[str, float]:
    """``clients`` threads request ``paths`` round-robin for ``seconds``."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker(n: int) -> None:
        mine, bad = [], []
        i = n
        with httpx.Client(base_url=base, timeout=30) as client:
            while time.monotonic() < stop:
                path = paths[i % len(paths)]
                i += clients
                t0 = time.perf_counter()
                r = client.get(path)
                mine.append(time.perf_counter() - t0)
                if r.status_code != 200:
                    bad.append(f"{r.status_code} {path}")
        with lock:
            latencies.extend(mine)
            errors.extend(bad)

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    latencies.sort()
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    return {
        "requests": len(latencies),
        "errors": len(errors),
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(q[49] * 1000, 1),
        "p95_ms": round(q[94] * 1000, 1),
        "max_ms": round(latencies[-1] * 1000, 1) if latencies else 0.0,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, help="The store to serve (made by `presslens ingest`).")
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help=argparse.SUPPRESS)
    ap.add_argument("--limit", type=int, default=1000, help="Articles and query words sampled.")
    ap.add_argument("--seconds", type=float, default=30.0, help="Whole run (split by endpoint).")
    ap.add_argument("--clients", type=int, default=4)
    args = ap.parse_args()
    if args.db is None or not args.db.is_file():
        sys.exit(
            f"no store at {args.db}: give --db FILE, made with `presslens ingest PATH --db FILE`"
        )
    proc, base = start_server(args.db)
    try:
        ids, words = sample(base, max(args.limit, 1))
        if not ids:
            sys.exit(f"{args.db} holds no articles")
        endpoints = {
            "api_article": [f"/api/articles/{i}" for i in ids],
            "page_article": [f"/article/{i}" for i in ids],
            "api_search": [f"/api/search?q={w}" for w in words],
        }
        share = args.seconds / len(endpoints)
        figures: dict[str, object] = {
            "db": str(args.db),
            "articles": httpx.get(f"{base}/api/articles?limit=1").json()["total"],
            "clients": args.clients,
            "seconds_per_endpoint": round(share, 1),
        }
        for name, paths in endpoints.items():
            run(base, paths[: args.clients * 2], args.clients, min(2.0, share / 5))  # warm-up
            result = run(base, paths, args.clients, share)
            figures[name] = result
            print(
                f"{name:13s} {result['rps']:8.1f} req/s  p50 {result['p50_ms']:7.1f} ms  "
                f"p95 {result['p95_ms']:7.1f} ms  max {result['max_ms']:7.1f} ms  "
                f"errors {result['errors']}"
            )
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
