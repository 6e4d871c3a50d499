"""Keep the corpus-wide layers (syndicated copies, stories, narratives) up to date.

Articles carry an ingest sequence number. The two indexes are saved in the store with the
last sequence number they have seen; ``update`` feeds them only the articles after it, in
sequence order, then rewrites the ``copies``, ``stories``, ``story_members`` and narratives
tables from them and saves the indexes, all in one transaction. So the work per ingest grows
with what was added, not with the corpus, and a crash at any point leaves either the old
layers or the new ones: the next ``update`` carries on from the last saved state, in the
same order, and ends where an uninterrupted run would have.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import duckdb
import pyarrow as pa

from presslens.corpus import narratives
from presslens.corpus.store import insert_arrow
from presslens.corpus.stories import StoryDoc, StoryIndex
from presslens.corpus.syndication import SyndicationIndex, SynDoc

SYNDICATION, STORIES = "syndication", "stories"


def update(db: duckdb.DuckDBPyConnection) -> int:
    """Feed articles added since the last update to the indexes and rewrite the corpus
    tables; returns how many articles were new to them."""
    syn, syn_seq = _load(db, SYNDICATION)
    stories, story_seq = _load(db, STORIES)
    since = min(syn_seq, story_seq)
    rows = db.execute(
        "SELECT a.seq, a.id, a.title, a.body, a.published, s.doc FROM articles a "
        "LEFT JOIN story_inputs s ON s.article_id = a.id WHERE a.seq > ? ORDER BY a.seq",
        [since],
    ).fetchall()
    if not rows:
        return 0
    syn_index = SyndicationIndex.from_state(syn) if syn is not None else SyndicationIndex()
    story_index = StoryIndex.from_state(json.loads(stories)) if stories else StoryIndex()
    for seq, aid, title, body, published, doc in rows:
        if seq > syn_seq:
            syn_index.add(SynDoc(aid, title, body or "", published))
        if seq > story_seq:
            story_index.add(_story_doc(aid, body or "", published, doc))
    last = rows[-1][0]
    db.execute("BEGIN TRANSACTION")
    try:
        _replace(db, "copies", _copies(syn_index))
        public = story_index.stories()
        _replace(db, "stories", _stories(public))
        _replace(db, "story_members", _members(public))
        narr, narr_stories = narratives.table(narratives.narratives(db))
        _replace(db, "narratives", narr)
        _replace(db, "narrative_stories", narr_stories)
        _save(db, SYNDICATION, last, syn_index.to_state())
        _save(db, STORIES, last, json.dumps(story_index.to_state()).encode())
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    return len(rows)


def _story_doc(aid: str, body: str, published: date | None, doc: str | None) -> StoryDoc:
    fields: dict[str, Any] = json.loads(doc) if doc else {}
    fields.update(id=aid, text=body, published=published)
    fields.setdefault("title", "")
    fields.setdefault("actors", [])
    fields.setdefault("places", [])
    fields.setdefault("outlet", None)
    return StoryDoc(**fields)


def _load(db: duckdb.DuckDBPyConnection, name: str) -> tuple[Any, int]:
    row = db.execute("SELECT state, seq FROM corpus_state WHERE name = ?", [name]).fetchone()
    return (row[0], row[1]) if row else (None, 0)


def _save(db: duckdb.DuckDBPyConnection, name: str, seq: int, state: bytes) -> None:
    db.execute("INSERT OR REPLACE INTO corpus_state VALUES (?, ?, ?)", [name, seq, state])


def _replace(db: duckdb.DuckDBPyConnection, table: str, rows: pa.Table) -> None:
    """Rewrite a derived table in bulk (Arrow, not row by row)."""
    db.execute(f"DELETE FROM {table}")
    insert_arrow(db, table, rows)


def _copies(index: SyndicationIndex) -> pa.Table:
    links = index.links()
    return pa.table(
        {
            "copy_id": [x.copy for x in links],
            "origin_id": [x.origin for x in links],
            "group_origin": [x.group for x in links],
            "kind": [x.kind for x in links],
            "similarity": pa.array([x.similarity for x in links], pa.float64()),
            "containment": pa.array([x.containment for x in links], pa.float64()),
            "edits": [json.dumps(x.edits, ensure_ascii=False, default=str) for x in links],
        }
    )


def _stories(stories: list) -> pa.Table:
    return pa.table(
        {
            "story_id": [s.id for s in stories],
            "label": [s.label for s in stories],
            "first_published": pa.array([s.start for s in stories], pa.date32()),
            "last_published": pa.array([s.end for s in stories], pa.date32()),
            "origin_id": [s.origin for s in stories],
            "size": pa.array([len(s.members) for s in stories], pa.int32()),
            "outlets": pa.array([list(s.outlets) for s in stories], pa.list_(pa.string())),
        }
    )


def _members(stories: list) -> pa.Table:
    pairs = [(m, s.id, n) for s in stories for n, m in enumerate(s.members)]
    return pa.table(
        {
            "article_id": [p[0] for p in pairs],
            "story_id": [p[1] for p in pairs],
            "n": pa.array([p[2] for p in pairs], pa.int32()),
        }
    )
