"""Load the Parquet tables of a scale-out run (``presslens run``) into a corpus store.

Articles not yet in the store are added with their layer rows, numbered in the run's stream
order (``articles.seq`` of the Parquet files, the order ``presslens ingest`` would have stored
them in), then ``Store.refresh`` brings copies, stories, narratives and the search index up to
date, as after an ingest. A page that occurs more than once keeps its first occurrence; its
layer rows are taken from the same part file (shard) as its article row.
"""

from __future__ import annotations

from pathlib import Path

from presslens.corpus.store import ARTICLE_TABLES, Store

LAYERS = ARTICLE_TABLES[1:]  # every per-article table but articles itself


def _scan(folder: Path, table: str) -> str:
    path = str(folder / table / "*.parquet").replace("'", "''")
    return f"read_parquet('{path}', filename = true)"


def load(store: Store, folder: Path | str) -> int:
    """Add the articles under ``folder`` that ``store`` lacks; returns how many were added."""
    folder = Path(folder)
    if not (folder / "articles").is_dir() or not any((folder / "articles").glob("*.parquet")):
        raise ValueError(f"{folder}: no articles/*.parquet (the output of `presslens run`)")
    db = store.db
    db.execute("BEGIN TRANSACTION")
    try:
        db.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE _new AS
            SELECT * EXCLUDE (seq, filename),
                   (SELECT coalesce(max(seq), 0) FROM articles)
                     + row_number() OVER (ORDER BY seq) AS seq,
                   parse_filename(filename) AS part
            FROM {_scan(folder, "articles")}
            WHERE id NOT IN (SELECT id FROM articles)
            QUALIFY row_number() OVER (PARTITION BY id ORDER BY seq) = 1
            """
        )
        added = db.execute("SELECT count(*) FROM _new").fetchone()[0]
        db.execute("INSERT INTO articles BY NAME SELECT * EXCLUDE (part) FROM _new")
        for table in LAYERS:
            if not any((folder / table).glob("*.parquet")):
                continue
            db.execute(
                f"""
                INSERT INTO {table} BY NAME
                SELECT l.* EXCLUDE (filename) FROM {_scan(folder, table)} l
                JOIN _new n ON n.id = l.article_id AND n.part = parse_filename(l.filename)
                """
            )
        db.execute("DROP TABLE _new")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    store.refresh()
    return added
