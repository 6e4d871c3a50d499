"""What a worker does with one shard, whatever the engine: read, analyse, write Parquet.

``ShardWorker`` is the callable class both engines use (a Ray Data actor, or the object a
multiprocessing worker keeps): the spaCy model is loaded once when it is built. A shard's
results go to ``OUT/<table>/part-<shard>.parquet`` for every table, written to a temporary
name and renamed, so a shard retried after a crash replaces its files whole and a reader
never sees half a file. Every stream item ends up either as an article row or an ``errors``
row (a page read twice in one shard is counted as a duplicate: the first one is kept, as
``presslens ingest`` keeps it), and the shard's summary says how many of each.
"""

from __future__ import annotations

import os
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from presslens.model import Article, ReadError
from presslens.scale import plan
from presslens.scale.schema import ARTICLE_TABLES, ERRORS, to_table


def part_name(shard: int) -> str:
    return f"part-{shard:06d}.parquet"


def write_part(out: Path, table: str, shard: int, rows: list) -> None:
    folder = out / table
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{part_name(shard)}.{uuid.uuid4().hex}.tmp"
    pq.write_table(to_table(table, rows), tmp)
    os.replace(tmp, folder / part_name(shard))


def scan(out: Path, table: str) -> str:
    """DuckDB ``read_parquet`` of one table's part files (with their file names)."""
    path = str(out / table / "*.parquet").replace("'", "''")
    return f"read_parquet('{path}', filename = true)"


class ShardWorker:
    """Analyses shards; build one per worker process (it loads the spaCy model)."""

    def __init__(
        self,
        out: str,
        model: str,
        batch_size: int,
        crawled_at: str | None = None,
        max_bytes: int = 20_000_000,
    ) -> None:
        from presslens.nlp import load_model

        load_model(model)
        self.out = Path(out)
        self.model = model
        self.batch_size = batch_size
        self.crawled_at = datetime.fromisoformat(crawled_at) if crawled_at else None
        self.max_bytes = max_bytes

    def __call__(self, batch: dict[str, Any]) -> dict[str, list]:
        """A Ray Data batch of shard rows (``{"shard": [json, ...]}``) -> their summaries."""
        import json

        summaries = [self.process(json.loads(s)) for s in batch["shard"]]
        return {key: [s[key] for s in summaries] for key in summaries[0]} if summaries else {}

    def process(self, shard: dict[str, Any]) -> dict[str, Any]:
        from presslens.corpus import article_rows
        from presslens.pipeline import analyze

        started = time.perf_counter()
        items = plan.shard_items(shard, self.crawled_at, self.max_bytes)
        tables: dict[str, list] = {t: [] for t in ARTICLE_TABLES}
        errors: list[tuple] = []
        seen: set[str] = set()
        n = duplicates = 0
        for n, result in enumerate(
            analyze(items, batch_size=self.batch_size, model=self.model), start=1
        ):
            seq = shard["start"] + n
            if isinstance(result, ReadError):
                errors.append((result.source.label, result.reason, result.stage, seq))
            elif isinstance(result, Article):
                if result.id in seen:
                    duplicates += 1
                    continue
                seen.add(result.id)
                for table, rows in article_rows(result).items():
                    if table == "articles":
                        rows = [(rows[0][0], seq, *rows[0][2:])]
                    tables[table].extend(rows)
        if n != shard["count"]:
            raise RuntimeError(
                f"shard {shard['shard']}: read {n} items where the plan counted "
                f"{shard['count']} (did an input change during the run?)"
            )
        for table, rows in tables.items():
            write_part(self.out, table, shard["shard"], rows)
        write_part(self.out, ERRORS, shard["shard"], errors)
        return {
            "shard": shard["shard"],
            "items": n,
            "articles": len(tables["articles"]),
            "duplicates": duplicates,
            "errors": len(errors),
            "pid": os.getpid(),
            "seconds": round(time.perf_counter() - started, 3),
        }


def count_batch(batch: dict[str, Any], crawled_at: str | None, max_bytes: int) -> dict[str, list]:
    """Ray Data / pool helper: how many stream items each input file (``path`` column) gives."""
    when = datetime.fromisoformat(crawled_at) if crawled_at else None
    return {"count": [plan.count_unit(plan.Unit(str(p)), when, max_bytes) for p in batch["path"]]}
