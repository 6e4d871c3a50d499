"""Every table of a store as JSON Lines, CSV or Parquet files, written atomically.

DuckDB's ``COPY`` writes the files (streaming, typed: dates stay dates in Parquet); each goes
to a temporary name first and is renamed into place, so an interrupted export never leaves a
half-written file under the final name.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

FORMATS = {"jsonl": "(FORMAT json)", "csv": "(FORMAT csv, HEADER)", "parquet": "(FORMAT parquet)"}


def export(
    db: duckdb.DuckDBPyConnection, out: Path, fmt: str, tables: list[str]
) -> list[tuple[Path, int]]:
    """Write one file per table into ``out``; returns each file with its row count."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for table in tables:
        final = out / f"{table}.{fmt}"
        partial = out / f".{table}.{fmt}.partial"
        query = f"SELECT * FROM {_ident(table)}"
        db.execute(f"COPY ({query}) TO '{_literal(partial)}' {FORMATS[fmt]}")
        os.replace(partial, final)
        rows = db.execute(f"SELECT count(*) FROM {_ident(table)}").fetchone()[0]
        written.append((final, rows))
    return written


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(path: Path) -> str:
    return str(path).replace("'", "''")
