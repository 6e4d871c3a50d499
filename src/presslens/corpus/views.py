"""Named questions over the store, shared by the command line and the web workbench.

Each function runs one SQL query and returns plain rows (dicts), so that a CLI table, a JSON
API response and a CSV export all show the same numbers. Counts over time use the
publication date; articles whose date is unknown are counted under ``period = None``
rather than guessed into a week.
"""

from __future__ import annotations

from typing import Any

import duckdb

PERIODS = ("day", "week", "month")

# What `trends` can count: the table, the item column and the row filter.
TREND_ITEMS: dict[str, tuple[str, str]] = {
    "actors": (
        "mentions m JOIN actors x ON x.article_id = m.article_id AND x.actor_id = m.actor_id",
        "x.name",
    ),
    "speakers": (
        "quotes q JOIN actors x ON x.article_id = q.article_id AND x.actor_id = q.speaker_actor",
        "x.name",
    ),
    "labels": ("designations d", "d.refers_to || ': ' || d.term"),
    "techniques": ("techniques t", "t.technique"),
}


def rows(
    db: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None
) -> list[dict[str, Any]]:
    """A query's rows as dicts keyed by column name."""
    cur = db.execute(sql, params or [])
    names = [c[0] for c in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def trends(
    db: duckdb.DuckDBPyConnection,
    what: str,
    *,
    by: str = "week",
    outlet: str | None = None,
    top: int = 10,
) -> list[dict[str, Any]]:
    """Counts per period and outlet of the ``top`` most frequent items of one kind
    (actors mentioned, quoted speakers, labels for actors, techniques)."""
    if what not in TREND_ITEMS:
        raise ValueError(f"unknown item {what!r}; choose one of {', '.join(TREND_ITEMS)}")
    if by not in PERIODS:
        raise ValueError(f"unknown period {by!r}; choose one of {', '.join(PERIODS)}")
    source, item = TREND_ITEMS[what]
    alias = source.split()[1]
    where = "true" if outlet is None else "lower(a.outlet) = lower(?)"
    params = [] if outlet is None else [outlet]
    sql = f"""
        WITH hits AS (
            SELECT {item} AS item, a.outlet, date_trunc('{by}', a.published) AS period
            FROM {source} JOIN articles a ON a.id = {alias}.article_id
            WHERE {where}
        ), best AS (
            SELECT item FROM hits GROUP BY item ORDER BY count(*) DESC, item LIMIT {int(top)}
        )
        SELECT period::DATE AS period, outlet, item, count(*) AS count
        FROM hits WHERE item IN (SELECT item FROM best)
        GROUP BY ALL ORDER BY period NULLS LAST, outlet NULLS LAST, count DESC, item
    """
    return rows(db, sql, params)


def labels_by_outlet(
    db: duckdb.DuckDBPyConnection,
    *,
    refers_to: str | None = None,
    story: str | None = None,
) -> list[dict[str, Any]]:
    """Which outlet calls whom what: per outlet, referent and term, the count and every span
    (article id, body offsets, the words as written)."""
    where, params = [], []
    if refers_to:
        where.append("lower(d.refers_to) = lower(?)")
        params.append(refers_to)
    if story:
        where.append("a.id IN (SELECT article_id FROM story_members WHERE story_id = ?)")
        params.append(story)
    sql = f"""
        SELECT coalesce(a.outlet, 'unknown outlet') AS outlet, d.refers_to, d.term, d.class,
               count(*) AS count,
               list({{'article': a.id, 'start': d.start_char, 'end': d.end_char,
                      'text': d.text}} ORDER BY a.id, d.start_char) AS spans
        FROM designations d JOIN articles a ON a.id = d.article_id
        WHERE {" AND ".join(where) or "true"}
        GROUP BY ALL ORDER BY d.refers_to, outlet, count DESC, d.term
    """
    return rows(db, sql, params)


def quotes_by_outlet(db: duckdb.DuckDBPyConnection, *, story: str | None = None) -> list[dict]:
    """Which quotes each outlet carried, with the speaker and the body span."""
    where, params = "true", []
    if story:
        where = "a.id IN (SELECT article_id FROM story_members WHERE story_id = ?)"
        params = [story]
    sql = f"""
        SELECT coalesce(a.outlet, 'unknown outlet') AS outlet, a.id AS article,
               coalesce(x.name, q.speaker) AS speaker, q.kind, q.text,
               q.start_char AS start, q.end_char AS "end"
        FROM quotes q JOIN articles a ON a.id = q.article_id
        LEFT JOIN actors x ON x.article_id = q.article_id AND x.actor_id = q.speaker_actor
        WHERE {where} ORDER BY outlet, a.id, q.start_char
    """
    return rows(db, sql, params)


def stories(db: duckdb.DuckDBPyConnection, *, limit: int = 50) -> list[dict[str, Any]]:
    """Stories, largest first: label, time span, size, outlets and origin."""
    sql = """
        SELECT s.story_id AS story, s.label, s.first_published, s.last_published, s.size,
               s.outlets, s.origin_id AS origin, o.title AS origin_title,
               o.outlet AS origin_outlet
        FROM stories s LEFT JOIN articles o ON o.id = s.origin_id
        ORDER BY s.size DESC, s.first_published NULLS LAST, s.story_id LIMIT ?
    """
    return rows(db, sql, [limit])


def story_outlets(db: duckdb.DuckDBPyConnection, story: str) -> list[dict[str, Any]]:
    """One story, outlets side by side: when each first reported it, its articles, how many
    were copies of another article, and how many labels and quotes each carried."""
    sql = """
        WITH members AS (
            SELECT a.*, m.n FROM story_members m JOIN articles a ON a.id = m.article_id
            WHERE m.story_id = ?
        )
        SELECT coalesce(outlet, 'unknown outlet') AS outlet, min(published) AS first_published,
               count(*) AS articles,
               count(*) FILTER (WHERE id IN (SELECT copy_id FROM copies)) AS copies,
               sum((SELECT count(*) FROM designations d WHERE d.article_id = members.id
                    AND d.class <> 'neutral')) AS loaded_labels,
               sum((SELECT count(*) FROM quotes q WHERE q.article_id = members.id)) AS quotes,
               list(title ORDER BY n) AS titles, list(id ORDER BY n) AS article_ids
        FROM members GROUP BY ALL ORDER BY first_published NULLS LAST, outlet
    """
    return rows(db, sql, [story])


def copies(db: duckdb.DuckDBPyConnection, *, limit: int = 100) -> list[dict[str, Any]]:
    """Syndicated copies with their origin and what the copy changed."""
    sql = """
        SELECT c.kind, c.similarity, c.containment, c.edits,
               c.copy_id AS copy, k.outlet AS copy_outlet, k.title AS copy_title,
               k.published AS copy_published,
               c.origin_id AS origin, o.outlet AS origin_outlet, o.title AS origin_title,
               o.published AS origin_published
        FROM copies c JOIN articles k ON k.id = c.copy_id JOIN articles o ON o.id = c.origin_id
        ORDER BY c.group_origin, k.seq LIMIT ?
    """
    return rows(db, sql, [limit])


def narratives(db: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Narratives with their frames, stories, outlets and time span."""
    sql = """
        SELECT n.narrative_id AS narrative, n.label, n.frames, n.leading_actors,
               n.stories, count(DISTINCT a.id) AS articles,
               list(DISTINCT coalesce(a.outlet, 'unknown outlet')
                    ORDER BY coalesce(a.outlet, 'unknown outlet')) AS outlets,
               min(a.published) AS first_published, max(a.published) AS last_published
        FROM narratives n
        JOIN narrative_stories ns USING (narrative_id)
        JOIN story_members m USING (story_id)
        JOIN articles a ON a.id = m.article_id
        GROUP BY ALL ORDER BY n.stories DESC, narrative
    """
    return rows(db, sql, [])


def narrative_trend(
    db: duckdb.DuckDBPyConnection, narrative: str, *, by: str = "week"
) -> list[dict[str, Any]]:
    """Articles of one narrative per period and outlet (undated: ``period`` None)."""
    if by not in PERIODS:
        raise ValueError(f"unknown period {by!r}; choose one of {', '.join(PERIODS)}")
    sql = f"""
        SELECT date_trunc('{by}', a.published)::DATE AS period, a.outlet,
               count(*) AS articles
        FROM narrative_stories ns JOIN story_members m USING (story_id)
        JOIN articles a ON a.id = m.article_id
        WHERE ns.narrative_id = ?
        GROUP BY ALL ORDER BY period NULLS LAST, a.outlet NULLS LAST
    """
    return rows(db, sql, [narrative])
