"""Ranked full-text search over the store: DuckDB's BM25 index, plus filters on the layers.

The index (DuckDB's ``fts`` extension, loaded from the ``duckdb-extension-fts`` wheel, so
nothing is fetched at run time) covers titles and bodies: Porter stems, English stop words,
accents folded. DuckDB cannot update it in place, so ``build_index`` rebuilds it after an
ingest that added articles.

Scoring is Okapi BM25 (k1 1.2, b 0.75, as the extension's ``match_bm25``, which ranks the
same) computed in one SQL query over a postings table sorted by term, so that only the
query terms' rows are read: ``match_bm25`` evaluates every document and was 5x slower on
19k articles. Every hit carries the body span of its first matching word, so a result
points at its evidence like every other finding.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from presslens.actors import actor_key

SNIPPET_CHARS = 90  # context either side of the first matching word


def load_fts(db: duckdb.DuckDBPyConnection) -> None:
    """Load the full-text extension shipped in the wheel (``INSTALL fts`` needs the network)."""
    import duckdb_extension_fts

    version = duckdb.__version__
    path = Path(duckdb_extension_fts.__file__).parent / "extensions" / f"v{version}"
    db.execute(f"LOAD '{path / 'fts.duckdb_extension'}'")


def build_index(db: duckdb.DuckDBPyConnection) -> None:
    """(Re)build the BM25 index over article titles and bodies."""
    load_fts(db)
    db.execute(
        "PRAGMA create_fts_index('articles', 'id', 'title', 'body', "
        "stemmer='porter', stopwords='english', strip_accents=1, lower=1, overwrite=1)"
    )
    db.execute(
        "CREATE OR REPLACE TABLE search_postings AS SELECT termid, docid, count(*)::INTEGER AS tf "
        "FROM fts_main_articles.terms GROUP BY ALL ORDER BY termid, docid"
    )


# Okapi BM25 over the query's stemmed terms; ``?`` is the list of query words.
BM25 = """
WITH q AS (SELECT DISTINCT stem(strip_accents(lower(unnest(?::VARCHAR[]))), 'porter') AS term),
qt AS (SELECT d.termid, d.df FROM fts_main_articles.dict d JOIN q USING (term)),
st AS (SELECT num_docs, avgdl FROM fts_main_articles.stats)
SELECT docs.name AS id,
       sum(ln((st.num_docs - qt.df + 0.5) / (qt.df + 0.5) + 1) * p.tf * (1.2 + 1)
           / (p.tf + 1.2 * (1 - 0.75 + 0.75 * docs.len / st.avgdl))) AS score
FROM search_postings p JOIN qt USING (termid) JOIN fts_main_articles.docs docs USING (docid), st
WHERE p.termid IN (SELECT termid FROM qt)
GROUP BY docs.name
"""


@dataclass(frozen=True, slots=True)
class Filters:
    """Restrict a search; every field left as None is no restriction."""

    outlet: str | None = None
    since: date | None = None
    until: date | None = None
    actor: str | None = None  # a name, an alias as written, or an actor key
    technique: str | None = None
    label: str | None = None  # a designation term, e.g. "Zionist regime"

    def sql(self) -> tuple[list[str], list[Any]]:
        """WHERE conditions on ``a`` (articles) and their parameters."""
        where: list[str] = []
        params: list[Any] = []
        if self.outlet:
            where.append("lower(a.outlet) = lower(?)")
            params.append(self.outlet)
        if self.since:
            where.append("a.published >= ?")
            params.append(self.since)
        if self.until:
            where.append("a.published <= ?")
            params.append(self.until)
        if self.actor:
            where.append(
                "a.id IN (SELECT x.article_id FROM actors x WHERE lower(x.name) = lower(?) "
                "OR ends_with(lower(x.name), ' ' || lower(?)) OR x.key = ? "
                "OR x.actor_id IN (SELECT m.actor_id FROM mentions m "
                "WHERE m.article_id = x.article_id AND lower(m.text) = lower(?)))"
            )
            params += [self.actor, self.actor, actor_key(self.actor), self.actor]
        if self.technique:
            where.append("a.id IN (SELECT article_id FROM techniques WHERE technique = ?)")
            params.append(self.technique)
        if self.label:
            where.append(
                "a.id IN (SELECT article_id FROM designations WHERE lower(term) = lower(?) "
                "OR lower(text) = lower(?))"
            )
            params += [self.label, self.label]
        return where, params


@dataclass(slots=True)
class Hit:
    id: str
    title: str | None
    outlet: str | None
    published: date | None
    score: float | None  # BM25; None when there was no query text
    snippet: str = ""
    match: dict[str, Any] | None = None  # {"text", "start", "end"}: body span of the first hit
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["published"] = self.published.isoformat() if self.published else None
        d.pop("extra")
        return d


def search(
    db: duckdb.DuckDBPyConnection,
    query: str = "",
    filters: Filters | None = None,
    *,
    limit: int = 20,
    offset: int = 0,
) -> tuple[int, list[Hit]]:
    """The total number of matches and one page of hits, best first (newest first when
    ``query`` is empty)."""
    terms = query_terms(query)
    source, cond, params = matching(db, terms, filters)
    if terms:
        order, score = "h.score DESC, h.id", "sc.score"
    else:
        order, score = "h.published DESC NULLS LAST, h.id", "NULL::DOUBLE"
    # The total comes from a count over the materialised hits, not `count(*) OVER ()`: that
    # window races in DuckDB 1.5.5 under concurrent queries and invalidates the whole database
    # ("Attempted to access index 0 within vector of size 0", duckdb/duckdb#25713).
    rows = db.execute(
        f"WITH hits AS MATERIALIZED (SELECT a.id, a.published, {score} AS score "
        f"FROM {source} WHERE {cond}) "
        "SELECT h.id, a.title, a.outlet, h.published, h.score, a.body, "
        "(SELECT count(*) FROM hits) "
        f"FROM hits h JOIN articles a ON a.id = h.id ORDER BY {order} LIMIT ? OFFSET ?",
        [*params, limit, offset],
    ).fetchall()
    total = rows[0][-1] if rows else _count(db, source, cond, params) if offset else 0
    hits = []
    for aid, title, outlet, published, score, body, _ in rows:
        hit = Hit(aid, title, outlet, published, score)
        hit.match, hit.snippet = _snippet(body or "", terms)
        hits.append(hit)
    return total, hits


def _count(db: duckdb.DuckDBPyConnection, source: str, cond: str, params: list[Any]) -> int:
    """Matches in all, for a page past the last one (which has no rows to carry the total)."""
    return db.execute(f"SELECT count(*) FROM {source} WHERE {cond}", params).fetchone()[0]


def matching(
    db: duckdb.DuckDBPyConnection, terms: list[str], filters: Filters | None
) -> tuple[str, str, list[Any]]:
    """FROM and WHERE of the articles matching ``terms`` (scored as ``sc.score``; all articles
    when there are none) and ``filters``, with their parameters: what a page of hits and the
    facets over all hits both select from."""
    where, params = (filters or Filters()).sql()
    cond = " AND ".join(where) or "true"
    if not terms:
        return "articles a", cond, params
    load_fts(db)
    return f"({BM25}) sc JOIN articles a ON a.id = sc.id", cond, [terms, *params]


def facets(
    db: duckdb.DuckDBPyConnection, query: str = "", filters: Filters | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Counts per outlet, technique and loaded label among all hits of a search (the 30 most
    frequent of each), in one query: the hits are found once."""
    source, cond, params = matching(db, query_terms(query), filters)
    found = db.execute(
        f"""
        WITH hits AS MATERIALIZED (SELECT a.id, a.outlet FROM {source} WHERE {cond}),
        f AS (
            SELECT 'outlet' AS facet, coalesce(outlet, 'unknown outlet') AS value,
                   count(*) AS count FROM hits GROUP BY ALL
            UNION ALL
            SELECT 'technique', t.technique, count(DISTINCT t.article_id)
            FROM techniques t SEMI JOIN hits ON hits.id = t.article_id GROUP BY ALL
            UNION ALL
            SELECT 'label', d.term, count(DISTINCT d.article_id)
            FROM designations d SEMI JOIN hits ON hits.id = d.article_id
            WHERE d.class <> 'neutral' GROUP BY ALL
        )
        SELECT * FROM f QUALIFY row_number() OVER (PARTITION BY facet
                                                   ORDER BY count DESC, value) <= 30
        ORDER BY facet, count DESC, value
        """,
        params,
    ).fetchall()
    out: dict[str, list[dict[str, Any]]] = {"outlet": [], "technique": [], "label": []}
    for facet, value, count in found:
        out[facet].append({"value": value, "count": count})
    return out


def query_terms(query: str) -> list[str]:
    """The words of a query (two letters or more), lower-cased, as the index is."""
    return [w for w in re.findall(r"\w+", query.lower()) if len(w) > 1]


def _snippet(body: str, terms: list[str]) -> tuple[dict[str, Any] | None, str]:
    """The first word of ``body`` that starts with a query term, and text around it."""
    if terms:
        pattern = r"\b(?:" + "|".join(re.escape(t) for t in terms) + r")\w*"
        if m := re.search(pattern, body, flags=re.IGNORECASE):
            lo = max(0, m.start() - SNIPPET_CHARS)
            hi = min(len(body), m.end() + SNIPPET_CHARS)
            snippet = " ".join(body[lo:hi].split())
            return {"text": m.group(), "start": m.start(), "end": m.end()}, snippet
    return None, " ".join(body[: 2 * SNIPPET_CHARS].split())
