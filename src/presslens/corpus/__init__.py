"""The corpus: analysed articles kept in an embedded DuckDB store, and what is read across them.

- ``store``: the tables and one-transaction-per-article writes (``presslens ingest``);
- ``search``: BM25 full-text search with filters on the analysis layers;
- ``views``: named questions (trends over time, outlets side by side) for CLI and web;
- ``export``: every table as JSON Lines, CSV or Parquet.
"""

from presslens.corpus.store import SCHEMA, TABLES, Store, article_rows, open_read_only

__all__ = ["SCHEMA", "TABLES", "Store", "article_rows", "open_read_only"]
