"""Narratives: stories told in the same terms, across events and outlets.

A story is one event; a narrative is a way of telling many. Here a narrative is read from the
evidence the stages already give, with no topic model: the *frames* of a story are the loaded
labels its articles put on actors (a designation of class pejorative or honorific: "Zionist
regime" for Israel, "resistance forces" for Palestinian armed groups), and its *cast* the
actors most of its articles give most mentions to. Stories whose dominant frame (the one
used most) is the same belong to one narrative: "Israel framed pejorative" gathers every
event told with "Zionist regime", "Tel Aviv regime" and the like, whichever outlet tells it.
Each narrative carries all its frames with counts and terms, its leading actors and its
stories, so that "who tells it, since when" is a query on ``narrative_stories`` joined to
``story_members`` and ``articles``. A story with no loaded label belongs to no narrative:
nothing is inferred that no span supports.

Recomputed from the stories after each update: it reads one row per story and feature, so it
stays cheap next to ingest.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass

import duckdb
import pyarrow as pa

CAST_SIZE = 5  # an article's most mentioned actors that count as its cast
CAST_SHARE = 0.5  # ... and a story's cast: those in this share of its articles

FEATURES_SQL = f"""
WITH labels AS (
    SELECT m.story_id, 'frame' AS kind, d.refers_to || ' as ' || d.class AS feature,
           count(*) AS n, list(d.term ORDER BY d.term) AS terms  -- one per use
    FROM designations d JOIN story_members m ON m.article_id = d.article_id
    WHERE d.class IN ('pejorative', 'honorific')
    GROUP BY ALL
), sizes AS (
    SELECT story_id, count(*) AS size FROM story_members GROUP BY ALL
), prominent AS (  -- each article's most mentioned actors
    SELECT x.article_id, coalesce(x.key, x.name) AS feature, x.name
    FROM actors x JOIN mentions mm USING (article_id, actor_id)
    WHERE x.type IN ('PERSON', 'ORG', 'GPE', 'NORP', 'GROUP')
    GROUP BY x.article_id, feature, x.name
    QUALIFY row_number() OVER (PARTITION BY x.article_id
                               ORDER BY count(*) DESC, x.name) <= {CAST_SIZE}
), cast_ AS (
    SELECT m.story_id, 'actor' AS kind, p.feature,
           count(DISTINCT m.article_id) AS n, list(DISTINCT p.name ORDER BY p.name) AS terms
    FROM prominent p JOIN story_members m USING (article_id)
    GROUP BY ALL
)
SELECT story_id, kind, feature, n, terms FROM labels
UNION ALL
SELECT c.story_id, c.kind, c.feature, c.n, c.terms FROM cast_ c JOIN sizes s USING (story_id)
WHERE c.n >= greatest(1, {CAST_SHARE} * s.size)
ORDER BY story_id, kind, feature
"""


@dataclass
class Narrative:
    id: str
    label: str
    frames: dict[str, dict]  # "Israel as pejorative" -> {"count": n, "terms": {term: uses}}
    cast: list[str]
    stories: list[str]


def narratives(db: duckdb.DuckDBPyConnection) -> list[Narrative]:
    """Group the stored stories into narratives by their dominant frame."""
    rows = db.execute(FEATURES_SQL).fetchall()
    info: dict[str, dict[str, tuple[int, list[str]]]] = defaultdict(dict)
    for story, kind, feature, n, terms in rows:
        info[story][f"{kind}:{feature}"] = (n, terms)
    spread = Counter(k for features in info.values() for k in features if k.startswith("frame:"))
    groups: dict[str, list[str]] = defaultdict(list)
    for story, features in sorted(info.items()):
        frames = [(n, key) for key, (n, _) in features.items() if key.startswith("frame:")]
        if frames:  # the most used; on a tie, the one more stories share
            groups[min(frames, key=lambda f: (-f[0], -spread[f[1]], f[1]))[1]].append(story)
    out = []
    for lead, members in groups.items():
        frames: dict[str, dict] = {}
        cast: Counter[str] = Counter()
        for story in members:
            for key, (n, terms) in info[story].items():
                kind, _, name = key.partition(":")
                if kind == "frame":
                    entry = frames.setdefault(name, {"count": 0, "terms": Counter()})
                    entry["count"] += n
                    entry["terms"].update(terms)
                else:
                    cast[terms[0] if terms else name] += 1
        frames = {
            f: {"count": e["count"], "terms": dict(sorted(e["terms"].items(), key=_by_use))}
            for f, e in sorted(frames.items(), key=lambda kv: (-kv[1]["count"], kv[0]))
        }
        top = [a for a, _ in sorted(cast.items(), key=lambda kv: (-kv[1], kv[0]))[:3]]
        name = lead.partition(":")[2]
        out.append(Narrative("", _label(name, frames, top), frames, top, members))
    out.sort(key=lambda n: (-len(n.stories), n.stories[0]))
    for i, n in enumerate(out, 1):
        n.id = f"n{i}"
    return out


def _by_use(item: tuple[str, int]) -> tuple[int, str]:
    return -item[1], item[0]


def _label(lead: str, frames: dict[str, dict], cast: list[str]) -> str:
    if not lead:
        return " · ".join(cast)
    actor, _, cls = lead.rpartition(" as ")
    terms = ", ".join(f"“{t}”" for t in list(frames[lead]["terms"])[:3])
    return f"{actor} framed {cls} ({terms})" + (f" · {' · '.join(cast)}" if cast else "")


def table(found: list[Narrative]) -> tuple[pa.Table, pa.Table]:
    """Rows for the ``narratives`` and ``narrative_stories`` tables."""
    narr = pa.table(
        {
            "narrative_id": [n.id for n in found],
            "label": [n.label for n in found],
            "frames": [json.dumps(n.frames, ensure_ascii=False) for n in found],
            "leading_actors": pa.array([n.cast for n in found], pa.list_(pa.string())),
            "stories": pa.array([len(n.stories) for n in found], pa.int32()),
        }
    )
    pairs = [(n.id, s) for n in found for s in n.stories]
    links = pa.table({"narrative_id": [p[0] for p in pairs], "story_id": [p[1] for p in pairs]})
    return narr, links
