"""Ranked full-text search over the store: DuckDB's BM25 index, plus filters on the layers.

The index (DuckDB's ``fts`` extension, loaded from the ``duckdb-extension-fts`` wheel, so
nothing is fetched at run time) covers titles and bodies. DuckDB cannot update it in place,
so ``build_index`` rebuilds it after an ingest that added articles. Every hit carries the
body span of its first matching word, so a result points at its evidence like every other
finding.
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
    where, params = (filters or Filters()).sql()
    text = query.strip()
    if text:
        load_fts(db)
        scored = "SELECT a.*, fts_main_articles.match_bm25(a.id, ?) AS score FROM articles a"
        params = [text, *params]
        where.insert(0, "score IS NOT NULL")
        order = "score DESC, a.id"
    else:
        scored = "SELECT a.*, NULL::DOUBLE AS score FROM articles a"
        order = "a.published DESC NULLS LAST, a.id"
    cond = " AND ".join(where) or "true"
    base = f"FROM ({scored}) a WHERE {cond}"
    total = db.execute(f"SELECT count(*) {base}", params).fetchone()[0]
    rows = db.execute(
        f"SELECT a.id, a.title, a.outlet, a.published, a.score, a.body {base} "
        f"ORDER BY {order} LIMIT ? OFFSET ?",
        [*params, limit, offset],
    ).fetchall()
    terms = _terms(text)
    hits = []
    for aid, title, outlet, published, score, body in rows:
        hit = Hit(aid, title, outlet, published, score)
        hit.match, hit.snippet = _snippet(body or "", terms)
        hits.append(hit)
    return total, hits


def _terms(query: str) -> list[str]:
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
