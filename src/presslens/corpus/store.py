"""The corpus store: analysed articles in one embedded DuckDB file, every layer a SQL table.

Articles are written a batch at a time, each batch in one transaction, keyed by their content
id (``Article.id``, a hash of the raw page): a page already in the store is not written again,
and an ingest killed half-way leaves only whole articles behind, so running it again completes
it. The schema is in
``SCHEMA`` below and documented in docs/architecture.md; ``record`` keeps the full JSON record
of ``presslens analyze`` so nothing the tables leave out is lost.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from presslens.corpus.stories import story_input
from presslens.model import Article

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key VARCHAR PRIMARY KEY, value VARCHAR  -- schema version, what the indexes cover
);
CREATE TABLE IF NOT EXISTS articles (
    id VARCHAR PRIMARY KEY,          -- sha256 of the raw page
    seq BIGINT,                      -- ingest order: 1, 2, ...
    source VARCHAR,                  -- path, URL or WARC record the page came from
    url VARCHAR,
    outlet VARCHAR, title VARCHAR, byline VARCHAR, agency VARCHAR,
    published DATE,                  -- NULL when unknown
    published_status VARCHAR,        -- exact | resolved | relative | unknown
    words INTEGER,
    body VARCHAR,
    ingested_at TIMESTAMPTZ,
    record JSON                      -- the whole `presslens analyze` record
);
CREATE TABLE IF NOT EXISTS actors (
    article_id VARCHAR, actor_id VARCHAR, name VARCHAR, type VARCHAR, key VARCHAR,
    roles JSON
);
CREATE TABLE IF NOT EXISTS mentions (
    article_id VARCHAR, actor_id VARCHAR, start_char INTEGER, end_char INTEGER,
    text VARCHAR, form VARCHAR
);
CREATE TABLE IF NOT EXISTS quotes (
    article_id VARCHAR, n INTEGER, kind VARCHAR, text VARCHAR,
    start_char INTEGER, end_char INTEGER,
    speaker VARCHAR, speaker_actor VARCHAR, cue VARCHAR, channel VARCHAR
);
CREATE TABLE IF NOT EXISTS claims (
    article_id VARCHAR, text VARCHAR, start_char INTEGER, end_char INTEGER,
    value DOUBLE, approx VARCHAR, counts VARCHAR, unit VARCHAR,
    source VARCHAR, source_actor VARCHAR
);
CREATE TABLE IF NOT EXISTS times (
    article_id VARCHAR, text VARCHAR, start_char INTEGER, end_char INTEGER,
    value VARCHAR, granularity VARCHAR, status VARCHAR
);
CREATE TABLE IF NOT EXISTS designations (
    article_id VARCHAR, text VARCHAR, start_char INTEGER, end_char INTEGER,
    term VARCHAR, refers_to VARCHAR, class VARCHAR
);
CREATE TABLE IF NOT EXISTS techniques (
    article_id VARCHAR, technique VARCHAR, text VARCHAR, start_char INTEGER,
    end_char INTEGER, confidence DOUBLE, method VARCHAR
);
-- Corpus-wide layers, rewritten by `refresh` from the indexes in corpus_state.
CREATE TABLE IF NOT EXISTS copies (
    copy_id VARCHAR, origin_id VARCHAR,  -- copy_id is a copy of origin_id
    group_origin VARCHAR,                -- earliest article of the copy's group
    kind VARCHAR,                        -- exact | near | contained
    similarity DOUBLE, containment DOUBLE,
    edits JSON                           -- retitled, trimmed, paragraphs_added, embedded...
);
CREATE TABLE IF NOT EXISTS stories (
    story_id VARCHAR PRIMARY KEY, label VARCHAR,
    first_published DATE, last_published DATE,
    origin_id VARCHAR,                   -- earliest published member
    size INTEGER, outlets VARCHAR[]
);
CREATE TABLE IF NOT EXISTS story_members (
    article_id VARCHAR, story_id VARCHAR, n INTEGER  -- n: order of arrival in the story
);
CREATE TABLE IF NOT EXISTS narratives (
    narrative_id VARCHAR PRIMARY KEY, label VARCHAR,
    frames JSON,                         -- "Israel as pejorative" -> {count, terms: {term: uses}}
    leading_actors VARCHAR[], stories INTEGER
);
CREATE TABLE IF NOT EXISTS narrative_stories (narrative_id VARCHAR, story_id VARCHAR);
CREATE TABLE IF NOT EXISTS story_inputs (article_id VARCHAR PRIMARY KEY, doc JSON);
CREATE TABLE IF NOT EXISTS corpus_state (name VARCHAR PRIMARY KEY, seq BIGINT, state BLOB);
"""

SCHEMA_VERSION = "2"

# What ``article_rows`` gives for each article (``story_inputs`` is internal: what the story
# index reads), and the corpus-wide tables ``refresh`` rewrites.
ARTICLE_TABLES = (
    "articles",
    "actors",
    "mentions",
    "quotes",
    "claims",
    "times",
    "designations",
    "techniques",
    "story_inputs",
)
CORPUS_TABLES = ("copies", "stories", "story_members", "narratives", "narrative_stories")
TABLES = (*(t for t in ARTICLE_TABLES if t != "story_inputs"), *CORPUS_TABLES)  # for users


class Store:
    """An open corpus file. Use as a context manager, or call ``close()``."""

    def __init__(self, path: Path | str, *, read_only: bool = False) -> None:
        self.path = Path(path)
        if read_only and not self.path.is_file():
            raise ValueError(f"{self.path}: no such store; make one with `presslens ingest`")
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = duckdb.connect(str(self.path), read_only=read_only)
            if not read_only:
                self.db.execute(SCHEMA)
            self.db.execute("SELECT count(*) FROM articles")
        except duckdb.Error as exc:
            raise ValueError(f"{self.path}: not a presslens store ({_first_line(exc)})") from exc
        self._check_version(read_only)
        self._column_cache: dict[str, list[str]] = {}

    def _check_version(self, read_only: bool) -> None:
        """A store written by another schema version is refused rather than half-read."""
        version = self.meta("schema")
        fresh = self.db.execute("SELECT count(*) FROM articles").fetchone()[0] == 0
        if version is None and fresh and not read_only:
            self.set_meta("schema", SCHEMA_VERSION)
        elif version != SCHEMA_VERSION:
            self.db.close()
            raise ValueError(
                f"{self.path}: written by another presslens version (schema {version or 1}, "
                f"this one reads {SCHEMA_VERSION}); ingest the pages into a new store"
            )

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    def has(self, article_id: str) -> bool:
        row = self.db.execute("SELECT 1 FROM articles WHERE id = ?", [article_id]).fetchone()
        return row is not None

    def add(self, article: Article) -> bool:
        """Write one article and all its layers; False (and nothing written) when the store
        already holds a page with the same content id."""
        return self.add_many([article]) == 1

    def add_many(self, articles: list[Article]) -> int:
        """Write articles and all their layers in one transaction (all or none), numbered in
        the order given; those already stored (or repeated in ``articles``) are left out.
        Returns how many were written. Rows go in as Arrow tables: row-by-row inserts cost
        more than the analysis of a short article."""
        ids = [a.id for a in articles]
        known = {
            r[0]
            for r in self.db.execute(
                "SELECT id FROM articles WHERE id IN (SELECT unnest(?::VARCHAR[]))", [ids]
            ).fetchall()
        }
        fresh: dict[str, Article] = {}
        for aid, article in zip(ids, articles, strict=True):
            if aid not in known and aid not in fresh:
                fresh[aid] = article
        if not fresh:
            return 0
        tables: dict[str, list[tuple[Any, ...]]] = {}
        self.db.execute("BEGIN TRANSACTION")
        try:
            seq = self.db.execute("SELECT coalesce(max(seq), 0) FROM articles").fetchone()[0]
            for n, (aid, article) in enumerate(fresh.items(), seq + 1):
                rows = article_rows(article)
                rows["articles"] = [(aid, n, *rows["articles"][0][2:])]
                for table, values in rows.items():
                    tables.setdefault(table, []).extend(values)
            for table, values in tables.items():
                if values:
                    self._insert(table, values)
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return len(fresh)

    def _insert(self, table: str, rows: list[tuple[Any, ...]]) -> None:
        columns = self._columns(table)
        data = pa.table({c: pa.array([r[i] for r in rows]) for i, c in enumerate(columns)})
        insert_arrow(self.db, table, data)

    def _columns(self, table: str) -> list[str]:
        if table not in self._column_cache:
            described = self.db.execute(f"DESCRIBE {table}").fetchall()
            self._column_cache[table] = [row[0] for row in described]
        return self._column_cache[table]

    def refresh(self) -> int:
        """Bring the corpus-wide layers up to the articles stored (also after a crash):
        copies and stories get the new articles, and the full-text index is rebuilt when
        articles were added since it was built. Returns how many articles were new."""
        from presslens.corpus.search import build_index
        from presslens.corpus.update import update

        new = update(self.db)
        n = self.db.execute("SELECT count(*) FROM articles").fetchone()[0]
        if self.meta("fts_articles") != str(n):
            build_index(self.db)
            self.set_meta("fts_articles", str(n))
        return new

    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])

    def counts(self) -> dict[str, int]:
        """Rows per table."""
        return {t: self.db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


def insert_arrow(db: duckdb.DuckDBPyConnection, table: str, data: pa.Table) -> None:
    """Append an Arrow table's rows to ``table``, columns matched by name: one statement for
    many rows (row-by-row inserts cost more than analysing a short article)."""
    if not data.num_rows:
        return
    db.register("_new_rows", data)
    try:
        db.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _new_rows")
    finally:
        db.unregister("_new_rows")


def open_read_only(path: Path | str) -> Store:
    """Open a store for queries; several processes may read it at once."""
    return Store(path, read_only=True)


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def article_rows(a: Article) -> dict[str, list[tuple[Any, ...]]]:
    """One article as rows of each per-article table, in column order (body offsets as
    start_char / end_char; ``seq`` is None: the store numbers articles as it writes them).
    Also what the scale-out engine writes to Parquet, so both paths share one schema."""
    aid = a.id
    record = a.to_dict()
    src = a.source
    published = a.published.value if a.published.precision == "day" else None
    return {
        "articles": [
            (
                aid,
                None,  # seq: given in the transaction that writes the article
                src.label,
                src.url,
                a.outlet.value,
                a.title.value,
                a.byline.value,
                a.source_agency.value,
                published,
                a.published.status,
                a.framing.get("words", len(a.body.split())),
                a.body,
                datetime.now(UTC),
                json.dumps(record, ensure_ascii=False),
            )
        ],
        "story_inputs": [(aid, story_input(a))],
        "actors": [
            (aid, x["id"], x["name"], x["type"], x.get("key"), json.dumps(x.get("roles", [])))
            for x in a.actors
        ],
        "mentions": [
            (aid, x["id"], m["start"], m["end"], m["text"], m.get("form"))
            for x in a.actors
            for m in x["mentions"]
        ],
        "quotes": [
            (
                aid,
                n,
                q["kind"],
                q["text"],
                q["start"],
                q["end"],
                (q.get("speaker") or {}).get("text"),
                (q.get("speaker") or {}).get("actor"),
                (q.get("cue") or {}).get("text"),
                q.get("channel"),
            )
            for n, q in enumerate(a.quotes)
        ],
        "claims": [
            (
                aid,
                c["text"],
                c["start"],
                c["end"],
                c.get("value"),
                c.get("approx"),
                c.get("counts"),
                c.get("unit"),
                (c.get("source") or {}).get("text"),
                (c.get("source") or {}).get("actor"),
            )
            for c in a.claims
        ],
        "times": [
            (
                aid,
                t["text"],
                t["start"],
                t["end"],
                t.get("value"),
                t.get("granularity"),
                t.get("status"),
            )
            for t in a.times
        ],
        "designations": [
            (aid, d["text"], d["start"], d["end"], d.get("term"), d["refers_to"], d.get("class"))
            for d in a.designations
        ],
        "techniques": [
            (
                aid,
                t["technique"],
                t["text"],
                t["start"],
                t["end"],
                t.get("confidence"),
                t.get("method"),
            )
            for t in a.techniques
        ],
    }
