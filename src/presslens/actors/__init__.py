"""Actors: entity mentions -> one canonical actor per real actor in an article.

``find_actors`` groups the spaCy entities, alias-table designations (``data/aliases.csv``),
titles and role descriptions (``data/titles.txt``) and the quote stage's speakers of one
article into actors, each with a display name, a type, roles and every mention, and reports
each alias-table hit as a designation. ``actor_key`` is the cross-article key of a name.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from spacy.tokens import Doc

from presslens.actors.build import NAME_FORMS, Builder
from presslens.actors.names import actor_key, person_words

__all__ = ["NAME_FORMS", "actor_at", "actor_key", "find_actors", "name_span"]


def find_actors(
    body: str, doc: Doc, speakers: Sequence[Sequence[int]] = ()
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(actors, designations) of an article body parsed as ``doc``.

    ``speakers``: body spans the quote stage found as speakers, each ``(start, end)`` or, for a
    pronoun already resolved, ``(start, end, antecedent_start, antecedent_end)``; every one
    becomes a mention of some actor (a new one when nothing fits: "the letters" -> their
    authors when the article says who wrote them, else a group).
    Actor: {"id", "name", "type", "key", "roles", "mentions": [{"text", "start", "end",
    "form": name|surname|title_name|description|alias|demonym|pronoun}]}.
    Designation: {"text", "start", "end", "refers_to", "class", "term"}.
    """
    builder = Builder(body, doc)
    builder.alias_hits()
    builder.entities()
    builder.sweep()
    builder.roles_around_names()
    builder.role_aliases()
    builder.descriptions()
    builder.speakers(speakers)
    return builder.records()


def actor_at(actors: list[dict[str, Any]], start: int, end: int) -> str | None:
    """Id of the actor mentioned at body span start..end: an exact mention, else the smallest
    mention covering it, else the one overlapping it most."""
    covering: tuple[int, str] | None = None
    overlapping: tuple[int, str] | None = None
    for actor in actors:
        for m in actor["mentions"]:
            if m["start"] == start and m["end"] == end:
                return actor["id"]
            if m["start"] <= start and end <= m["end"]:
                size = m["end"] - m["start"]
                if covering is None or size < covering[0]:
                    covering = (size, actor["id"])
            overlap = min(end, m["end"]) - max(start, m["start"])
            if overlap > 0 and (overlapping is None or overlap > overlapping[0]):
                overlapping = (overlap, actor["id"])
    if covering is not None:
        return covering[1]
    return overlapping[1] if overlapping is not None else None


def name_span(mention: dict[str, Any]) -> tuple[int, int]:
    """Body span of the name alone in a name-type mention ("Major General Baqeri" -> "Baqeri")."""
    if mention["form"] != "title_name":
        return mention["start"], mention["end"]
    words = mention["text"].split()
    kept = person_words(mention["text"])
    if not kept or len(kept) >= len(words):
        return mention["start"], mention["end"]
    tail = " ".join(words[len(words) - len(kept) :])
    offset = mention["text"].rfind(tail)
    return (
        (mention["start"] + offset, mention["end"])
        if offset >= 0
        else (
            mention["start"],
            mention["end"],
        )
    )
