"""The Ray engine: Ray Data over a local Ray instance or an existing cluster.

Shards are rows of a Ray Data dataset; ``map_batches`` runs ``ShardWorker`` as a pool of
actors (one spaCy model per actor). A killed actor is restarted and its shard is run again
(``max_restarts`` / ``max_task_retries``); the shard's Parquet files are replaced whole, so a
retry leaves no trace. The copy step is a Ray Data shuffle (see ``presslens.scale.corpus``).

On a cluster (``address="ray://head:10001"``) every node needs presslens and its model
installed, and ``out`` must be a folder all nodes and the driver see (a shared mount).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa

from presslens.scale import corpus
from presslens.scale.work import ShardWorker, count_batch

RETRIES = 3

_PAIRS = pa.schema(
    [
        ("a", pa.int64()),
        ("b", pa.int64()),
        ("fp", pa.int8()),
        ("nfp_a", pa.int32()),
        ("nfp_b", pa.int32()),
    ]
)
_KEYS = pa.schema([("key", pa.string()), ("seq", pa.int64()), ("nfp", pa.int32())])


def _arrow(fn: Callable[[dict], dict], schema: pa.Schema | None) -> Callable[[pa.Table], pa.Table]:
    """Run a dict-of-lists function on Arrow batches (dates stay ``datetime.date``)."""

    def run(table: pa.Table) -> pa.Table:
        out = fn(table.to_pydict())
        return pa.table(out, schema=schema) if schema is not None else pa.table(out)

    return run


def _plain(value: Any) -> Any:
    """A numpy scalar from a Ray Data row as a Python number."""
    return value.item() if hasattr(value, "item") else value


class RayEngine:
    name = "ray"

    def __init__(self, workers: int, worker_args: dict[str, Any], address: str | None) -> None:
        import ray

        self.ray = ray
        self.workers = workers
        self.worker_args = worker_args
        self.started = not ray.is_initialized()
        if self.started:
            if address:
                ray.init(address=address, log_to_driver=False)
            else:
                ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False)
        ctx = ray.data.DataContext.get_current()
        ctx.enable_progress_bars = False
        logging.getLogger("ray.data").setLevel(logging.WARNING)

    def count(self, paths: list[str]) -> list[int]:
        rd = self.ray.data
        items = [{"i": i, "path": p} for i, p in enumerate(paths)]
        ds = rd.from_items(items, override_num_blocks=max(1, min(len(items), 8 * self.workers)))

        def counted(batch: dict[str, Any]) -> dict[str, Any]:
            args = self.worker_args
            n = count_batch(batch, args["crawled_at"], args["max_bytes"])["count"]
            return {"i": list(batch["i"]), "count": n}

        rows = ds.map_batches(counted, batch_size=16).take_all()
        counts = [0] * len(paths)
        for row in rows:
            counts[int(row["i"])] = int(row["count"])
        return counts

    def analyze(self, shards: list[dict[str, Any]]) -> list[dict[str, Any]]:
        rd = self.ray.data
        ds = rd.from_items(
            [{"shard": json.dumps(s)} for s in shards], override_num_blocks=max(1, len(shards))
        )
        done = ds.map_batches(
            ShardWorker,
            fn_constructor_kwargs=self.worker_args,
            batch_size=1,
            compute=self.ray.data.ActorPoolStrategy(size=self.workers),
            num_cpus=1,
            max_restarts=RETRIES,
            max_task_retries=RETRIES,
        )
        return [
            {k: v.item() if hasattr(v, "item") else v for k, v in row.items()}
            for row in done.take_all()
        ]

    def copies(self, out: Path) -> dict[str, list]:
        """The copy step as a shuffle over ``out/articles``: keys (map), candidate pairs
        (group by key), pairs counted (group by pair), components (driver), links (group by
        component). Bodies never pass through the driver."""
        rd = self.ray.data
        columns = ["seq", "id", "title", "body", "published"]
        ds = rd.read_parquet(str(out / "articles")).select_columns(columns)
        n = ds.count()
        if not n:
            return corpus.resolve_component({k: [] for k in columns})
        ds = ds.repartition(max(1, min(n // 50 + 1, 4 * self.workers)))
        keys = ds.select_columns(["seq", "body"]).map_batches(
            _arrow(corpus.key_rows, _KEYS), batch_format="pyarrow"
        )
        parts = max(2 * self.workers, n // 20_000)
        pairs = keys.groupby("key", num_partitions=parts).map_groups(
            _arrow(corpus.group_pairs, _PAIRS), batch_format="pyarrow"
        )
        from ray.data.aggregate import Count, Sum

        counted = pairs.groupby(["a", "b", "nfp_a", "nfp_b"], num_partitions=parts).aggregate(
            Sum("fp", alias_name="shared"), Count(alias_name="n")
        )
        found: set[tuple[int, int]] = set()
        shared = []
        for r in counted.take_all():
            a, b, n_fp = int(r["a"]), int(r["b"]), int(r["shared"])
            if int(r["n"]) > n_fp:  # a band or the exact key proposed it
                found.add((a, b))
            else:
                shared.append((a, b, int(r["nfp_a"]), int(r["nfp_b"]), n_fp))
        found |= corpus.fp_pairs(shared)
        comp = corpus.components(found)
        if not comp:
            return corpus.resolve_component({k: [] for k in columns})

        def tag(batch: pa.Table) -> pa.Table:
            seqs = batch.column("seq").to_pylist()
            keep = [s in comp for s in seqs]
            part = batch.filter(pa.array(keep))
            ids = [comp[s] for s in part.column("seq").to_pylist()]
            return part.append_column("component", pa.array(ids, pa.int64()))

        linked = ds.map_batches(tag, batch_format="pyarrow").groupby(
            "component", num_partitions=parts
        )
        links = linked.map_groups(_arrow(corpus.resolve_component, None), batch_format="pyarrow")
        rows = sorted(links.take_all(), key=lambda r: r["copy_id"])
        return {k: [r[k] for r in rows] for k in _COPY}

    def close(self) -> None:
        if self.started:
            self.ray.shutdown()


_COPY = ("copy_id", "origin_id", "group_origin", "kind", "similarity", "containment", "edits")
