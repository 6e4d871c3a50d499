"""The corpus: analysed articles kept in an embedded DuckDB store (``store.py``)."""

from presslens.corpus.store import SCHEMA, TABLES, Store

__all__ = ["SCHEMA", "TABLES", "Store"]
