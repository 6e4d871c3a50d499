"""The Parquet tables of a scale-out run: the store's own schema, read from ``SCHEMA``.

Column names and types come from the DuckDB DDL of the embedded store, so a column added
there reaches the Parquet output without a second list to keep in step. JSON columns are
written as strings (DuckDB reads them back into its JSON columns unchanged).
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Sequence
from typing import Any

import pyarrow as pa

from presslens.corpus.store import ARTICLE_TABLES

# One folder per table: the per-article ones (the store's ``ARTICLE_TABLES``, what
# ``article_rows`` gives), the corpus-wide ones a run computes, and the records that failed.
CORPUS_TABLES = ("copies", "stories", "story_members")
ERRORS = "errors"

_TYPES = {
    "VARCHAR": pa.string(),
    "JSON": pa.string(),
    "BIGINT": pa.int64(),
    "INTEGER": pa.int32(),
    "DOUBLE": pa.float64(),
    "DATE": pa.date32(),
    "TIMESTAMP WITH TIME ZONE": pa.timestamp("us", tz="UTC"),
    "VARCHAR[]": pa.list_(pa.string()),
}

ERRORS_SCHEMA = pa.schema(
    [
        ("source", pa.string()),  # path, path:line or path#record of the input
        ("reason", pa.string()),  # one line
        ("stage", pa.string()),  # read | clean
        ("seq", pa.int64()),  # position in the input stream, 1-based
    ]
)


@functools.cache
def schemas() -> dict[str, pa.Schema]:
    """Arrow schema of every table written (store tables plus ``errors``)."""
    import duckdb

    from presslens.corpus.store import SCHEMA

    con = duckdb.connect()
    try:
        con.execute(SCHEMA)
        out = {}
        for table in (*ARTICLE_TABLES, *CORPUS_TABLES):
            cols = con.execute(f"DESCRIBE {table}").fetchall()
            out[table] = pa.schema([(name, _TYPES[kind]) for name, kind, *_ in cols])
    finally:
        con.close()
    out[ERRORS] = ERRORS_SCHEMA
    return out


def to_table(table: str, rows: Sequence[Sequence[Any]]) -> pa.Table:
    """Rows in column order (as ``article_rows`` gives them) as an Arrow table."""
    schema = schemas()[table]
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in schema]
    arrays = []
    for field, values in zip(schema, columns, strict=True):
        if pa.types.is_date32(field.type):
            values = [_date(v) for v in values]
        arrays.append(pa.array(values, type=field.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def _date(value: Any) -> datetime.date | None:
    if value is None or isinstance(value, datetime.date):
        return value.date() if isinstance(value, datetime.datetime) else value
    return datetime.date.fromisoformat(str(value)[:10])
