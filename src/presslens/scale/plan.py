"""Cut the input stream into shards that every engine hands the pipeline identically.

``presslens ingest`` reads its inputs as one stream and analyses it in batches of
``batch_size`` consecutive items (pages and read errors alike); lines repeated across the
pages of a batch are boilerplate, so a page's analysis depends on its batch. To give the same
result on any number of workers, the plan numbers every item of that stream (input files in
``read_inputs`` order, records in file order), then cuts it into shards of whole batches:
shard k covers stream items ``[start, start + count)`` with ``start`` a multiple of the batch
size, as record ranges of one or more files. A worker reads just those ranges and runs the
pipeline over them, so its batches are the stream's batches.

Numbering needs each file's item count: a counting pass reads every file once (cheap next
to the language stage) on the engine, in parallel.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import Any

from presslens import read
from presslens.model import InputKind, RawPage, ReadError, Source


@dataclass(frozen=True)
class Unit:
    """One input file, or an error found while listing a folder (one stream item)."""

    path: str
    error: tuple[str, str] | None = None  # (source kind, reason)


def units(paths: Sequence[str]) -> list[Unit]:
    """The input files in the order ``read_inputs`` reads them (folders walked by name)."""
    out: list[Unit] = []
    for path in paths:
        if path == "-":
            raise ValueError("stdin cannot be sharded: write it to a file and pass that")
        if not os.path.isdir(path):
            out.append(Unit(path))
            continue
        found = [
            Unit(item.source.path or path, (item.source.kind, item.reason))
            if isinstance(item, ReadError)
            else Unit(item)
            for item in read._walk(path, set())
        ]
        # an empty folder is one item: read_inputs reports it as one error
        out.extend(found or [Unit(path)])
    return out


def read_unit(
    unit: Unit,
    crawled_at: datetime | None,
    max_bytes: int,
    start: int = 0,
    stop: int | None = None,
) -> Iterator[RawPage | ReadError]:
    """Items ``[start, stop)`` of one unit, as ``read_inputs`` yields them."""
    if unit.error is not None:
        if start == 0 and stop != 0:
            kind: InputKind = unit.error[0]  # type: ignore[assignment]
            yield ReadError(Source(kind, unit.path), unit.error[1])
        return
    with closing(read.read_inputs([unit.path], crawled_at, max_bytes)) as items:
        yield from islice(items, start, stop)


def count_unit(unit: Unit, crawled_at: datetime | None, max_bytes: int) -> int:
    return sum(1 for _ in read_unit(unit, crawled_at, max_bytes))


def shards(
    all_units: Sequence[Unit], counts: Sequence[int], batch_size: int, batches_per_shard: int
) -> list[dict[str, Any]]:
    """Shards of ``batches_per_shard`` whole batches; each a JSON-able dict:
    ``{"shard", "start", "count", "parts": [[path, error|None, first, stop], ...]}``."""
    size = batch_size * batches_per_shard
    out: list[dict[str, Any]] = []
    pos = 0
    for unit, n in zip(all_units, counts, strict=True):
        done = 0
        while done < n:
            if not out or out[-1]["count"] == size:
                out.append({"shard": len(out), "start": pos, "count": 0, "parts": []})
            shard = out[-1]
            take = min(n - done, size - shard["count"])
            shard["parts"].append([unit.path, unit.error, done, done + take])
            shard["count"] += take
            done += take
            pos += take
    return out


def batches_per_shard(total: int, batch_size: int, workers: int, most: int = 16) -> int:
    """Few batches per shard when the input is small (every worker gets several shards, a
    retried shard redoes little); at most ``most`` (1,024 pages at the default batch size:
    minutes of work, ten Parquet files of a useful size)."""
    batches = -(-total // batch_size)
    return max(1, min(most, batches // max(1, 3 * workers)))


def shard_items(
    shard: dict[str, Any], crawled_at: datetime | None, max_bytes: int
) -> Iterator[RawPage | ReadError]:
    for path, error, first, stop in shard["parts"]:
        unit = Unit(path, tuple(error) if error else None)  # type: ignore[arg-type]
        yield from read_unit(unit, crawled_at, max_bytes, first, stop)
