"""Queries the workbench needs beyond ``presslens.corpus.views``: article lists, one article,
actors across articles (by ``actors.key``) and the overview counts.

Every function takes a DuckDB cursor and returns plain rows, like ``corpus.views``.
"""

from __future__ import annotations

import json
from typing import Any

import duckdb

from presslens.corpus.views import rows

Cursor = duckdb.DuckDBPyConnection


def normalise_id(article_id: str) -> str:
    """Article ids are ``sha256:<hex>``; the bare hex is accepted too."""
    return article_id if ":" in article_id else f"sha256:{article_id}"


def articles(db: Cursor, *, outlet: str | None, limit: int, offset: int) -> tuple[int, list]:
    """One page of articles, newest first (undated last), and how many there are."""
    where, params = ("lower(outlet) = lower(?)", [outlet]) if outlet else ("true", [])
    total = db.execute(f"SELECT count(*) FROM articles WHERE {where}", params).fetchone()[0]
    page = rows(
        db,
        f"SELECT id, title, outlet, published, source, url, words FROM articles WHERE {where} "
        "ORDER BY published DESC NULLS LAST, seq LIMIT ? OFFSET ?",
        [*params, limit, offset],
    )
    return total, page


def article(db: Cursor, article_id: str) -> dict[str, Any] | None:
    """The stored record of one article with its story, or None."""
    row = db.execute(
        "SELECT a.record, a.outlet, a.published, a.title, a.source, m.story_id "
        "FROM articles a LEFT JOIN story_members m ON m.article_id = a.id WHERE a.id = ?",
        [normalise_id(article_id)],
    ).fetchone()
    if row is None:
        return None
    record = json.loads(row[0])
    copies = rows(
        db,
        "SELECT c.kind, c.similarity, c.origin_id AS origin, o.outlet AS origin_outlet, "
        "o.title AS origin_title FROM copies c JOIN articles o ON o.id = c.origin_id "
        "WHERE c.copy_id = ?",
        [record["id"]],
    )
    return {
        "id": record["id"],
        "title": row[3],
        "outlet": row[1],
        "published": row[2],
        "source": row[4],
        "story": row[5],
        "copy_of": copies,
        "record": record,
    }


def actors(db: Cursor, *, q: str | None, limit: int, offset: int) -> tuple[int, list]:
    """Actors across articles (one per ``key``), most widely reported first."""
    where, params = ("true", [])
    if q:
        where, params = "contains(lower(name), lower(?))", [q]
    grouped = f"""
        SELECT key, mode(name) AS name, mode(type) AS type,
               count(DISTINCT article_id) AS articles
        FROM actors WHERE key IS NOT NULL AND {where} GROUP BY key
    """
    total = db.execute(f"SELECT count(*) FROM ({grouped})", params).fetchone()[0]
    page = rows(
        db,
        f"""
        WITH g AS ({grouped})
        SELECT g.*, (SELECT count(*) FROM quotes qq JOIN actors x
                     ON x.article_id = qq.article_id AND x.actor_id = qq.speaker_actor
                     WHERE x.key = g.key) AS quotes
        FROM g ORDER BY articles DESC, name LIMIT ? OFFSET ?
        """,
        [*params, limit, offset],
    )
    return total, page


def actor(db: Cursor, key: str) -> dict[str, Any] | None:
    """One actor across the corpus: names used per outlet, mentions over time, every quote."""
    head = rows(
        db,
        "SELECT mode(name) AS name, mode(type) AS type, count(DISTINCT article_id) AS articles "
        "FROM actors WHERE key = ?",
        [key],
    )[0]
    if not head["articles"]:
        return None
    joined = (
        "mentions m JOIN actors x ON x.article_id = m.article_id AND x.actor_id = m.actor_id "
        "JOIN articles a ON a.id = m.article_id WHERE x.key = ?"
    )
    names = rows(
        db,
        f"SELECT coalesce(a.outlet, 'unknown outlet') AS outlet, m.text AS name, "
        f"any_value(m.form) AS form, count(*) AS count FROM {joined} "
        "AND m.form NOT IN ('pronoun') GROUP BY ALL ORDER BY outlet, count DESC, name",
        [key],
    )
    over_time = rows(
        db,
        f"SELECT a.published AS period, coalesce(a.outlet, 'unknown outlet') AS outlet, "
        f"count(*) AS mentions FROM {joined} GROUP BY ALL ORDER BY period NULLS LAST, outlet",
        [key],
    )
    quotes = rows(
        db,
        "SELECT a.id AS article, a.title, coalesce(a.outlet, 'unknown outlet') AS outlet, "
        'a.published, q.kind, q.text, q.start_char AS start, q.end_char AS "end", q.cue '
        "FROM quotes q JOIN actors x ON x.article_id = q.article_id "
        "AND x.actor_id = q.speaker_actor JOIN articles a ON a.id = q.article_id "
        "WHERE x.key = ? ORDER BY a.published NULLS LAST, a.seq, q.start_char LIMIT 500",
        [key],
    )
    mentions = rows(
        db,
        f"SELECT a.id AS article, a.title, coalesce(a.outlet, 'unknown outlet') AS outlet, "
        f'a.published, m.text, m.form, m.start_char AS start, m.end_char AS "end" '
        f"FROM {joined} ORDER BY a.published NULLS LAST, a.seq, m.start_char LIMIT 500",
        [key],
    )
    roles = db.execute(
        "SELECT list(DISTINCT r) FROM (SELECT unnest(CAST(roles AS VARCHAR[])) AS r "
        "FROM actors WHERE key = ?)",
        [key],
    ).fetchone()[0]
    return {
        "key": key,
        **head,
        "roles": sorted(roles or []),
        "names_by_outlet": names,
        "over_time": over_time,
        "quotes": quotes,
        "mentions": mentions,
    }


def overview(db: Cursor) -> dict[str, Any]:
    """Counts for the front page."""
    counts = db.execute(
        "SELECT (SELECT count(*) FROM articles), (SELECT count(DISTINCT outlet) FROM articles), "
        "(SELECT count(*) FROM stories), (SELECT count(*) FROM narratives), "
        "(SELECT count(DISTINCT key) FROM actors), (SELECT count(*) FROM quotes), "
        "(SELECT min(published) FROM articles), (SELECT max(published) FROM articles)"
    ).fetchone()
    keys = ("articles", "outlets", "stories", "narratives", "actors", "quotes", "first", "last")
    return {
        "counts": dict(zip(keys, counts, strict=True)),
        "over_time": rows(
            db,
            "SELECT date_trunc('week', published)::DATE AS period, count(*) AS articles "
            "FROM articles GROUP BY 1 ORDER BY 1 NULLS LAST",
        ),
        "outlets": rows(
            db,
            "SELECT coalesce(outlet, 'unknown outlet') AS name, count(*) AS count "
            "FROM articles GROUP BY 1 ORDER BY count DESC, name LIMIT 15",
        ),
        "actors": rows(
            db,
            "SELECT key, mode(name) AS name, count(DISTINCT article_id) AS count "
            "FROM actors WHERE key IS NOT NULL GROUP BY key "
            "ORDER BY count DESC, name LIMIT 15",
        ),
        "techniques": rows(
            db,
            "SELECT technique AS name, count(*) AS count FROM techniques "
            "GROUP BY 1 ORDER BY count DESC, name LIMIT 15",
        ),
        "labels": rows(
            db,
            "SELECT refers_to || ': ' || term AS name, count(*) AS count FROM designations "
            "WHERE class <> 'neutral' GROUP BY 1 ORDER BY count DESC, name LIMIT 15",
        ),
    }


def story(db: Cursor, story_id: str) -> dict[str, Any] | None:
    """A story's head row, or None."""
    found = rows(
        db,
        "SELECT story_id AS story, label, first_published, last_published, size, outlets, "
        "origin_id AS origin FROM stories WHERE story_id = ?",
        [story_id],
    )
    return found[0] if found else None


def story_articles(db: Cursor, story_id: str) -> list[dict[str, Any]]:
    """The members of a story in order of arrival, with what each used: labels and quotes."""
    return rows(
        db,
        """
        SELECT a.id, a.title, coalesce(a.outlet, 'unknown outlet') AS outlet, a.published,
               m.n, c.origin_id AS copy_of, c.kind AS copy_kind,
               (SELECT list(DISTINCT d.term ORDER BY d.term) FROM designations d
                WHERE d.article_id = a.id AND d.class <> 'neutral') AS labels,
               (SELECT list({'speaker': coalesce(x.name, q.speaker), 'text': q.text,
                             'start': q.start_char} ORDER BY q.start_char)
                FROM quotes q LEFT JOIN actors x ON x.article_id = q.article_id
                     AND x.actor_id = q.speaker_actor
                WHERE q.article_id = a.id) AS quotes
        FROM story_members m JOIN articles a ON a.id = m.article_id
        LEFT JOIN copies c ON c.copy_id = a.id
        WHERE m.story_id = ? ORDER BY m.n
        """,
        [story_id],
    )


def story_narrative(db: Cursor, story_id: str) -> dict[str, Any] | None:
    """The narrative a story belongs to, with every article of it (this story's included) and
    the loaded labels each used: how other outlets told the same kind of story."""
    head = rows(
        db,
        "SELECT n.narrative_id AS narrative, n.label FROM narrative_stories ns "
        "JOIN narratives n USING (narrative_id) WHERE ns.story_id = ?",
        [story_id],
    )
    if not head:
        return None
    articles = rows(
        db,
        """
        SELECT a.id, a.title, coalesce(a.outlet, 'unknown outlet') AS outlet, a.published,
               m.story_id AS story,
               (SELECT list(DISTINCT d.term ORDER BY d.term) FROM designations d
                WHERE d.article_id = a.id AND d.class <> 'neutral') AS labels
        FROM narrative_stories ns JOIN story_members m USING (story_id)
        JOIN articles a ON a.id = m.article_id
        WHERE ns.narrative_id = ?
        ORDER BY outlet, a.published NULLS LAST, a.seq
        """,
        [head[0]["narrative"]],
    )
    return {**head[0], "articles": articles}
