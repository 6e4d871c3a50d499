"""The local engine: a process pool on this machine, one model per worker.

A worker that dies (killed, out of memory) fails the run with ``BrokenProcessPool`` rather
than leaving it waiting; run it again (the Ray engine retries the shard instead).
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from presslens.scale import corpus
from presslens.scale.work import ShardWorker, count_batch, scan

_WORKER: ShardWorker | None = None
_ARGS: dict[str, Any] = {}


def _init(args: dict[str, Any]) -> None:
    global _ARGS
    _ARGS = args


def _process(shard: dict[str, Any]) -> dict[str, Any]:
    global _WORKER
    if _WORKER is None:  # built on the first shard, then kept: the model loads once
        _WORKER = ShardWorker(**_ARGS)
    return _WORKER.process(shard)


def _count(path: str) -> int:
    return count_batch({"path": [path]}, _ARGS["crawled_at"], _ARGS["max_bytes"])["count"][0]


class LocalEngine:
    name = "local"

    def __init__(self, workers: int, worker_args: dict[str, Any]) -> None:
        self.workers = workers
        ctx = multiprocessing.get_context("spawn")  # a clean interpreter: no inherited threads
        self.pool = ProcessPoolExecutor(
            workers, mp_context=ctx, initializer=_init, initargs=(worker_args,)
        )

    def count(self, paths: list[str]) -> list[int]:
        chunk = max(1, len(paths) // (4 * self.workers))
        return list(self.pool.map(_count, paths, chunksize=chunk))

    def analyze(self, shards: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return list(self.pool.map(_process, shards))

    def copies(self, out: Path) -> dict[str, list]:
        """The copy step in this process (the shuffle's steps, grouped with dicts)."""
        import duckdb

        con = duckdb.connect()
        try:
            table = con.execute(
                f"SELECT seq, id, title, body, published FROM {scan(out, 'articles')} "
                "QUALIFY row_number() OVER (PARTITION BY id ORDER BY seq) = 1 ORDER BY seq"
            ).to_arrow_table()
        finally:
            con.close()
        return corpus.local_copies(table.to_pydict())

    def close(self) -> None:
        self.pool.shutdown()
