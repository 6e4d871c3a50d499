"""Scale-out: the per-article pipeline on many cores or a Ray cluster, Parquet out.

``run(inputs, out)`` reads text / HTML / WARC / JSONL inputs, cuts the input stream into
shards of whole pipeline batches (``plan``), analyses them on an engine (``local``: a
multiprocessing pool; ``ray``: Ray Data actors, locally or on a cluster), and writes one
Parquet folder per table under ``out`` with the embedded store's schema:

    out/articles/part-000000.parquet ... (and actors, mentions, quotes, claims, times,
    designations, techniques, story_inputs, errors: one file per shard each)
    out/copies/, out/stories/, out/story_members/  (corpus-level, one file each)
    out/manifest.json                              (counts per shard, engine, plan)

``articles.seq`` is the page's position in the input stream (1-based, gaps where a record
failed): the order ``presslens ingest`` would have stored them in. Both engines give the
same rows (``ingested_at`` aside); ``presslens.corpus.parquet.load`` puts them in a store.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from presslens.nlp import DEFAULT_MODEL
from presslens.pipeline import BATCH_SIZE
from presslens.read import DEFAULT_MAX_BYTES
from presslens.scale import plan
from presslens.scale.schema import ARTICLE_TABLES, CORPUS_TABLES, ERRORS, schemas

ENGINES = ("local", "ray")

__all__ = ["ENGINES", "run"]


def run(
    inputs: Sequence[str | Path],
    out: str | Path,
    engine: str = "local",
    workers: int = 2,
    address: str | None = None,
    *,
    batch_size: int = BATCH_SIZE,
    model: str = DEFAULT_MODEL,
    crawled_at: datetime | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    batches_per_shard: int | None = None,
    corpus_steps: bool = True,
) -> dict[str, Any]:
    """Analyse ``inputs`` into Parquet tables under ``out``; returns the manifest (also
    written to ``out/manifest.json``): items read, articles, errors, duplicates, seconds."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; one of {', '.join(ENGINES)}")
    if address and engine != "ray":
        raise ValueError("--address needs --engine ray")
    started = time.perf_counter()
    out = Path(out)
    units = plan.units([str(p) for p in inputs])
    worker_args = {
        "out": str(out.resolve()),
        "model": model,
        "batch_size": batch_size,
        "crawled_at": crawled_at.isoformat() if crawled_at else None,
        "max_bytes": max_bytes,
    }
    eng = _engine(engine, workers, worker_args, address)
    try:
        files = [u.path for u in units if u.error is None]
        counted = iter(eng.count(files)) if files else iter(())
        counts = [1 if u.error is not None else next(counted) for u in units]
        total = sum(counts)
        per_shard = batches_per_shard or plan.batches_per_shard(total, batch_size, workers)
        shards = plan.shards(units, counts, batch_size, per_shard)
        _clear(out)
        summaries = sorted(eng.analyze(shards), key=lambda s: s["shard"])
        _check(shards, summaries)
        analysed = time.perf_counter()
        corpus_rows = _corpus(out, eng) if corpus_steps else {}
    finally:
        eng.close()
    manifest = {
        "engine": engine,
        "workers": workers,
        "batch_size": batch_size,
        "shards": len(shards),
        "batches_per_shard": per_shard,
        "items": total,
        "articles": sum(s["articles"] for s in summaries),
        "duplicates": sum(s["duplicates"] for s in summaries),
        "errors": sum(s["errors"] for s in summaries),
        # busy time of the workers: docs/s of one worker once started (model loaded)
        "worker_s": round(sum(s["seconds"] for s in summaries), 3),
        **corpus_rows,
        "analyse_s": round(analysed - started, 3),
        "total_s": round(time.perf_counter() - started, 3),
        "per_shard": summaries,
    }
    manifest["worker_docs_per_s"] = round(manifest["articles"] / max(manifest["worker_s"], 1e-9), 2)
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return manifest


def _engine(engine: str, workers: int, worker_args: dict[str, Any], address: str | None):
    if engine == "ray":
        try:
            from presslens.scale.ray_engine import RayEngine
        except ImportError as exc:
            raise ValueError(
                'the ray engine needs Ray Data: pip install "presslens[scale]"'
            ) from exc
        return RayEngine(workers, worker_args, address)
    from presslens.scale.local import LocalEngine

    return LocalEngine(workers, worker_args)


def _clear(out: Path) -> None:
    """Remove the part files of an earlier run (other files in ``out`` are left alone)."""
    for table in (*ARTICLE_TABLES, ERRORS, *CORPUS_TABLES):
        folder = out / table
        if folder.is_dir():
            for part in folder.glob("*part-*.parquet*"):
                part.unlink()
    out.mkdir(parents=True, exist_ok=True)


def _check(shards: list[dict[str, Any]], summaries: list[dict[str, Any]]) -> None:
    """Every planned shard came back, and accounts for each of its items."""
    got = {s["shard"]: s for s in summaries}
    for shard in shards:
        s = got.get(shard["shard"])
        if s is None:
            raise RuntimeError(f"shard {shard['shard']} never finished")
        if s["articles"] + s["duplicates"] + s["errors"] != shard["count"]:
            raise RuntimeError(f"shard {shard['shard']}: items unaccounted for: {s}")


def _corpus(out: Path, eng: Any) -> dict[str, int]:
    """Copies (on the engine) and stories (on the driver, in stream order) over the run."""
    import duckdb
    import pyarrow as pa

    from presslens.scale import corpus
    from presslens.scale.work import scan, write_part

    links = eng.copies(out)
    copies = pa.table(links, schema=schemas()["copies"]) if links else None
    con = duckdb.connect()
    try:
        cursor = con.execute(
            f"""
            SELECT a.id, a.body, a.published, s.doc
            FROM {scan(out, "articles")} a
            LEFT JOIN {scan(out, "story_inputs")} s
              ON s.article_id = a.id AND parse_filename(s.filename) = parse_filename(a.filename)
            QUALIFY row_number() OVER (PARTITION BY a.id ORDER BY a.seq) = 1
            ORDER BY a.seq
            """
        )
        story_table, member_table = corpus.stories(_stream(cursor))
    finally:
        con.close()
    written = {}
    for name, table in (
        ("copies", copies),
        ("stories", story_table),
        ("story_members", member_table),
    ):
        table = table if table is not None else schemas()[name].empty_table()
        table = table.select(schemas()[name].names).cast(schemas()[name])
        write_part(out, name, 0, [tuple(r.values()) for r in table.to_pylist()])
        written[name] = table.num_rows
    return written


def _stream(cursor: Any, size: int = 1000) -> Iterator[tuple]:
    while rows := cursor.fetchmany(size):
        yield from rows
