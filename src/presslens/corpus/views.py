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


def _rows(db: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    cur = db.execute(sql, params)
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
    return _rows(db, sql, params)


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
    return _rows(db, sql, params)


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
    return _rows(db, sql, params)
