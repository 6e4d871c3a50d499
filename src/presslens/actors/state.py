"""What the actor passes share: mentions, actors, the builder's bookkeeping and records."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from spacy.tokens import Doc

from presslens.actors import aliases
from presslens.actors.names import actor_key, name_tokens, person_words
from presslens.actors.titles import DocTitles, classes_of

NAME_FORMS = frozenset({"name", "surname", "title_name"})


@dataclass
class Mention:
    start: int
    end: int
    form: str
    label: str = ""  # the entity label or table type it came with


@dataclass
class Actor:
    type: str
    canonical: str | None = None
    name: str | None = None  # for actors with neither a personal name nor a table row
    parts: tuple[str, ...] = ()  # spelled parts of the longest personal name (name_tokens)
    person_names: list[str] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    head: str = ""  # group actors: the head noun's lemma

    def first(self) -> int:
        return min(m.start for m in self.mentions)

    def classes(self) -> frozenset[str]:
        return (
            frozenset().union(*(classes_of(r) for r in self.roles)) if self.roles else frozenset()
        )

    def add_role(self, role: str) -> None:
        role = " ".join(role.split())
        if role and role.casefold() not in {r.casefold() for r in self.roles}:
            self.roles.append(role)


class Base:
    """State shared by the passes of ``Builder``, and the records they end in."""

    def __init__(self, body: str, doc: Doc) -> None:
        self.body, self.doc = body, doc
        self.titles = DocTitles(doc)
        self.taken = bytearray(len(body))  # characters inside some mention
        self.by_surname: dict[str, list[Actor]] = {}  # people by the last part of their name
        self.given: frozenset[str] = frozenset()  # first words of the article's full names
        self.actors: list[Actor] = []
        self.by_key: dict[str, Actor] = {}
        self.hits: list[aliases.Hit] = []
        self.person_hits: list[aliases.Hit] = []
        self.accepted: list[aliases.Hit] = []
        self.hit_mentions: list[tuple[aliases.Hit, Actor, Mention]] = []
        self.name_tokens: list[tuple[int, int, Actor]] = []  # person names (token offsets)
        self._singles: list[tuple[int, int]] = []

    # -- bookkeeping ----------------------------------------------------------------------
    def add(self, actor: Actor, start: int, end: int, form: str, label: str = "") -> None:
        if any(m.start == start and m.end == end for m in actor.mentions):
            return
        actor.mentions.append(Mention(start, end, form, label))
        self.taken[start:end] = b"\x01" * (end - start)

    def overlaps(self, start: int, end: int) -> bool:
        return any(self.taken[start:end])

    def new(self, type_: str, **kw: Any) -> Actor:
        actor = Actor(type_, **kw)
        self.actors.append(actor)
        return actor

    def canon_actor(self, canonical: str, type_: str) -> Actor:
        k = "c:" + actor_key(canonical, "X")
        if k not in self.by_key:
            self.by_key[k] = self.new("GPE" if type_ == "NORP" else type_, canonical=canonical)
        return self.by_key[k]

    def persons(self) -> list[Actor]:
        return [a for a in self.actors if a.type == "PERSON" and a.mentions]

    def mention_actor(self, start: int, end: int) -> Actor | None:
        best: tuple[int, Actor] | None = None
        for actor in self.actors:
            for m in actor.mentions:
                if m.start == start and m.end == end:
                    return actor
                if m.start <= start and end <= m.end:
                    size = m.end - m.start
                    if best is None or size < best[0]:
                        best = (size, actor)
        return best[1] if best else None

    # -- 8. records -------------------------------------------------------------------------
    def records(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        body = self.body
        live = [a for a in self.actors if a.mentions]
        live.sort(key=lambda a: a.first())
        out: list[dict[str, Any]] = []
        for n, actor in enumerate(live, 1):
            name, type_ = self._name(actor), self._type(actor)
            mentions = sorted(
                {(m.start, m.end): m for m in actor.mentions}.values(),
                key=lambda m: (m.start, m.end),
            )
            out.append(
                {
                    "id": f"a{n}",
                    "name": name,
                    "type": type_,
                    "key": actor_key(name, type_),
                    "roles": list(actor.roles),
                    "mentions": [
                        {
                            "text": body[m.start : m.end],
                            "start": m.start,
                            "end": m.end,
                            "form": m.form,
                        }
                        for m in mentions
                    ],
                }
            )
        seen: set[tuple[int, int]] = set()
        hits = []
        for h in sorted(self.accepted, key=lambda h: h.text_start):
            if (h.text_start, h.end) not in seen:
                seen.add((h.text_start, h.end))
                hits.append(h)
        return out, aliases.designations(hits, body)

    def _name(self, actor: Actor) -> str:
        if actor.person_names:
            best = max(actor.person_names, key=lambda t: (len(name_tokens(t)), len(t)))
            if actor.canonical and len(name_tokens(actor.canonical)) >= len(name_tokens(best)):
                return actor.canonical
            return _display(best)
        return actor.canonical or actor.name or ""

    def _type(self, actor: Actor) -> str:
        if actor.canonical is not None or actor.type in ("PERSON", "GROUP"):
            return actor.type
        labels = Counter(m.label for m in actor.mentions if m.label)
        return labels.most_common(1)[0][0] if labels else actor.type


def _display(name: str) -> str:
    """A personal name as shown: titles off, spacing normalised."""
    return " ".join(person_words(name))
