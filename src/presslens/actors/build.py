"""Mentions -> actors for one article.

Order matters and is cheap: alias-table hits first (they decide what "Qods" or "Tel Aviv"
is), then spaCy's entities, people before everything else so that a surname spaCy calls an
ORG ("Khatibzadeh") joins its person; then a sweep for names spaCy missed, the titles and
roles written around each person's name, role aliases ("the Leader"), role descriptions
("the top general"), and last the quote stage's speakers.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from spacy.tokens import Doc, Span

from presslens.actors import aliases
from presslens.actors.mentions import (
    NAME_LABELS,
    POSSESSIVE,
    apposition_after,
    chars,
    clean_entity,
    description_span,
    is_definite,
    ranks_before,
    role_before,
)
from presslens.actors.names import (
    actor_key,
    dictionary,
    is_given_name,
    name_tokens,
    person_words,
    same_person,
)
from presslens.actors.titles import NAME_TITLES, DocTitles, classes_of, strip_titles, word_title

NAME_FORMS = frozenset({"name", "surname", "title_name"})
_HE = frozenset({"he", "him", "his", "she", "her", "hers", "himself", "herself"})
_THEY = frozenset({"they", "them", "their", "theirs", "themselves", "it", "its"})
_QUANTIFIERS = frozenset({"number", "some", "several", "many", "most", "all", "part", "one"})


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


class Builder:
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

    # -- 1. alias table -------------------------------------------------------------------
    def alias_hits(self) -> None:
        self.hits = aliases.find_hits(self.body, self.doc)
        for h in self.hits:
            if h.row.type == "PERSON":
                self.person_hits.append(h)
                continue
            actor = self.canon_actor(h.row.canonical, h.row.type)
            text = self.body[h.start : h.end]
            if h.row.type == "NORP":
                form, start = "demonym", h.start
            elif h.row.cls == "neutral" and _name_like(text):
                form, start = "name", h.start
            else:
                form, start = "alias", h.text_start
            self.add(actor, start, h.end, form, h.row.type)
            self.hit_mentions.append((h, actor, actor.mentions[-1]))
            self.accepted.append(h)

    def _keep_entity(self, start: int, end: int, label: str) -> bool:
        """An entity that clashes with a designation gives way to it ("Zionist" in "Zionist
        regime"); one that holds a name from the table keeps it nested ("Iranian" in "the
        Iranian Armed Forces", "al-Quds" in "Operation al-Quds Sword") unless the names fill
        it; a person's name drops the table names inside it ("MaliVai Washington")."""
        if any(h.start < end and start < h.end for h in self.person_hits):
            return False  # "the Iranian Supreme Leader" is the office's holder, not an ORG
        inside = []
        for rec in self.hit_mentions:
            h, _, mention = rec
            if not (h.start < end and start < h.end):
                continue
            nested = start <= h.start and h.end <= end and end - start > h.end - h.start
            if not nested or mention.form == "alias":
                return False
            inside.append(rec)
        if not inside:
            return True
        if label == "PERSON":
            for rec in inside:
                self._drop_hit(rec)
            return True
        rest = list(self.body[start:end])
        for h, _, _ in inside:
            rest[h.start - start : h.end - start] = " " * (h.end - h.start)
        return any(c.isalpha() for c in rest)

    def _drop_hit(self, rec: tuple[aliases.Hit, Actor, Mention]) -> None:
        h, actor, mention = rec
        if mention in actor.mentions:
            actor.mentions.remove(mention)
        if h in self.accepted:
            self.accepted.remove(h)
        self.taken[mention.start : mention.end] = bytes(mention.end - mention.start)

    # -- 2. entities ----------------------------------------------------------------------
    def entities(self) -> None:
        person: list[tuple[int, int]] = []
        other: list[tuple[int, int, str]] = []
        for ent in self.doc.ents:
            if ent.label_ not in NAME_LABELS:
                continue
            cleaned = clean_entity(ent)
            if cleaned is None:
                continue
            i, j = cleaned
            if not self._keep_entity(*chars(self.doc, i, j), ent.label_):
                continue
            if ent.label_ == "PERSON":
                named = self.person_name(i, j)
                if named is not None:
                    person.append(named)
            else:
                other.append((i, j, ent.label_))
        self.given = frozenset(
            self.doc[i].text
            for i, j in person
            if j - i > 1 and word_title(self.doc[i].text) is None
        )
        person, other = self._vote_labels(person, other)
        self.people(person)
        held = self.others(other)
        self.lone_names(held)

    def _vote_labels(
        self, person: list[tuple[int, int]], other: list[tuple[int, int, str]]
    ) -> tuple[list[tuple[int, int]], list[tuple[int, int, str]]]:
        """One label per name per article, by majority: "Sri Lanka" tagged PERSON once and GPE
        three times is a place everywhere. A one-word name given a PERSON label at least once
        also counts the given names written before it ("Saeed Khatibzadeh") as two votes, so
        "Khatibzadeh" (ORG, PERSON, ORG) is a person. Ties keep spaCy's labels."""
        doc, body = self.doc, self.body

        def text(i: int, j: int) -> str:
            return body[slice(*chars(doc, i, j))]

        votes: dict[str, Counter[str]] = {}
        for i, j in person:
            votes.setdefault(text(i, j), Counter())["PERSON"] += 1
        for i, j, label in other:
            votes.setdefault(text(i, j), Counter())[label] += 1
        winner: dict[str, str] = {}
        for name, count in votes.items():
            if len(count) < 2:
                continue
            if " " not in name and count["PERSON"]:
                count["PERSON"] += 2 * self._given_name_before(name)
            ranked = count.most_common()
            if ranked[0][1] > ranked[1][1]:
                winner[name] = ranked[0][0]
        if not winner:
            return person, other
        new_person = [(i, j) for i, j in person if winner.get(text(i, j), "PERSON") == "PERSON"]
        new_other = [(i, j, lab) for i, j, lab in other if winner.get(text(i, j), lab) == lab]
        for i, j in person:
            label = winner.get(text(i, j), "PERSON")
            if label != "PERSON":
                new_other.append((i, j, label))
        for i, j, label in other:
            won = winner.get(text(i, j), label)
            if won == "PERSON" and label != "PERSON":
                named = self.person_name(i, j)
                if named is not None:
                    new_person.append(named)
            elif won != label:
                new_other.append((i, j, won))
        return new_person, new_other

    def _given_name_before(self, text: str) -> bool:
        for m in re.finditer(rf"(?<![\w\-]){re.escape(text)}(?!\w)", self.body):
            span = self.doc.char_span(m.start(), m.end())
            if span is None or span.start == 0:
                continue
            prev = self.doc[span.start - 1]
            if (
                prev.pos_ == "PROPN"
                and word_title(prev.text) is None
                and prev.tag_ == "NNP"
                and is_given_name(prev.text, self.given, prev.lemma_)
            ):
                return True
        return False

    def person_name(self, i: int, j: int) -> tuple[int, int] | None:
        """Name tokens of a PERSON entity: titles inside it stripped, given names spaCy left
        outside it added."""
        doc = self.doc
        words = [t.text for t in doc[i:j]]
        ni = i + strip_titles(words)
        if j - ni == 1:  # titles only ("Ayatollah Seyyed"); a lone "King" may be a surname
            found = word_title(doc[ni].text)
            if (
                found is not None
                and found.kind in NAME_TITLES
                and (j - i > 1 or found.kind != "office")
            ):
                return None
        sent_start = doc[ni].sent.start
        while (
            ni > sent_start
            and doc[ni - 1].pos_ == "PROPN"
            and word_title(doc[ni - 1].text) is None
            and doc[ni - 1].tag_ == "NNP"
            and is_given_name(doc[ni - 1].text, self.given, doc[ni - 1].lemma_)
            and not self.overlaps(*chars(doc, ni - 1, ni))
        ):
            ni -= 1
        return ni, j

    def attach_person(self, i: int, j: int) -> Actor | None:
        """Put a personal name on its actor: the most recent one it can name."""
        text = self.body[slice(*chars(self.doc, i, j))]
        parts = name_tokens(text)
        if not parts:
            return None
        start = self.doc[i].idx
        best: Actor | None = None
        best_pos = -1
        for actor in self.by_surname.get(parts[-1], ()):
            if same_person(parts, actor.parts) or same_person(actor.parts, parts):
                before = [m.start for m in actor.mentions if m.start < start]
                pos = max(before) if before else -1
                if best is None or pos > best_pos:
                    best, best_pos = actor, pos
        return best

    def set_parts(self, actor: Actor, parts: tuple[str, ...]) -> None:
        if actor.parts and actor in self.by_surname.get(actor.parts[-1], []):
            self.by_surname[actor.parts[-1]].remove(actor)
        actor.parts = parts
        if parts:
            self.by_surname.setdefault(parts[-1], []).append(actor)

    def put_name(self, actor: Actor, i: int, j: int, label: str) -> None:
        s, e = chars(self.doc, i, j)
        text = self.body[s:e]
        parts = name_tokens(text)
        if len(parts) > len(actor.parts):
            self.set_parts(actor, parts)
        actor.person_names.append(text)
        self.add(actor, s, e, "name", label)
        self.name_tokens.append((i, j, actor))

    def people(self, names: list[tuple[int, int]]) -> None:
        names = sorted(set(names))
        texts = {n: self.body[slice(*chars(self.doc, *n))] for n in names}
        multi = [n for n in names if len(name_tokens(texts[n])) >= 2]
        single = [n for n in names if len(name_tokens(texts[n])) == 1]
        for i, j in multi:
            actor = self.attach_person(i, j)
            if actor is None:
                actor = self.new("PERSON")
            self.put_name(actor, i, j, "PERSON")
        self._singles = single

    def others(self, ents: list[tuple[int, int, str]]) -> list[tuple[int, int]]:
        held: list[tuple[int, int]] = []
        for i, j in self._singles:
            actor = self.attach_person(i, j)
            if actor is not None:
                self.put_name(actor, i, j, "PERSON")
            else:
                held.append((i, j))
        for i, j, label in ents:
            s, e = chars(self.doc, i, j)
            text = self.body[s:e]
            proper = all(t.is_title or t.is_upper or not t.is_alpha for t in self.doc[i:j])
            if proper and j - i <= 3:
                actor = self.attach_person(i, j)
                if actor is not None:
                    self.put_name(actor, i, j, label)
                    continue
            k = "n:" + _entity_key(text, label)
            actor = self.by_key.get(k)
            if actor is None:
                actor = self.by_key[k] = self.new(label, name=text)
            elif len(text) > len(actor.name or ""):
                actor.name = text
            self.add(actor, s, e, "name", label)
        return held

    def lone_names(self, held: list[tuple[int, int]]) -> None:
        """Personal names with no full name in the article ("Khamenei")."""
        for i, j in held:
            s, e = chars(self.doc, i, j)
            other = self.by_key.get("n:" + _entity_key(self.body[s:e], "PERSON"))
            if other is not None:
                self.add(other, s, e, "name", "PERSON")
                continue
            actor = self.attach_person(i, j) or self.new("PERSON")
            self.put_name(actor, i, j, "PERSON")

    # -- 3. names spaCy missed --------------------------------------------------------------
    def sweep(self) -> None:
        """Find further occurrences of the article's names. A one-word name is only looked for
        when it is no English word or the model found it at least twice ("Men" tagged once in a
        results table is not a name everywhere)."""
        seen = Counter(
            self.body[m.start : m.end] for a in self.actors for m in a.mentions if m.form == "name"
        )
        targets: dict[str, Actor] = {}

        def want(text: str) -> bool:
            if not any(c.isalpha() for c in text):
                return False
            return " " in text or seen[text] >= 2 or text.lower() not in dictionary()

        for actor in self.actors:
            if actor.type == "PERSON":
                for text in actor.person_names:
                    if want(text):
                        targets.setdefault(text, actor)
                if actor.person_names:
                    longest = max(actor.person_names, key=lambda t: len(t.split()))
                    last = longest.split()[-1]
                    if (
                        len(last) >= 3
                        and last[:1].isupper()
                        and word_title(last) is None
                        and want(last)
                    ):
                        targets.setdefault(last, actor)
            else:
                for m in actor.mentions:
                    text = self.body[m.start : m.end]
                    if m.form == "name" and m.label != "NORP" and len(text) >= 3 and want(text):
                        targets.setdefault(text, actor)
        if not targets:
            return
        pattern = re.compile(
            r"(?<![\w\-])(?:"
            + "|".join(re.escape(t) for t in sorted(targets, key=len, reverse=True))
            + r")(?!\w)"
        )
        for m in pattern.finditer(self.body):
            if self.overlaps(m.start(), m.end()):
                continue
            span = self.doc.char_span(m.start(), m.end(), alignment_mode="contract")
            actor = targets[m.group()]
            if span is None or not len(span):
                continue
            if actor.type == "PERSON":
                named = self.person_name(span.start, span.end)
                if named is not None:
                    text = self.body[slice(*chars(self.doc, *named))]
                    parts = name_tokens(text)
                    if not (same_person(parts, actor.parts) or same_person(actor.parts, parts)):
                        actor = self.attach_person(*named) or self.new("PERSON")
                    self.put_name(actor, *named, "")
            else:
                self.add(actor, m.start(), m.end(), "name", "")

    # -- 4. titles and roles around names -----------------------------------------------------
    def roles_around_names(self) -> None:
        doc = self.doc
        for i, j, actor in sorted(self.name_tokens, key=lambda x: x[0]):
            floor = doc[i].sent.start
            ranks = ranks_before(self.titles, i, floor)
            name_s, name_e = chars(doc, i, j)
            parts = name_tokens(self.body[name_s:name_e])
            form = "name" if len(parts) >= len(actor.parts) else "surname"
            mention = next(
                (m for m in actor.mentions if (m.start, m.end) == (name_s, name_e)), None
            )
            if mention is None:
                continue
            mention.form = form
            if ranks < i:
                self._rank_roles(actor, ranks, i)
                mention.start = doc[ranks].idx
                self.taken[mention.start : name_s] = b"\x01" * (name_s - mention.start)
                mention.form = "title_name"
            role = role_before(self.titles, ranks, j, floor)
            if role is None and ranks - 2 >= floor and doc[ranks - 1].text == ",":
                # "Hamas' chief, Ismail Haniyeh"
                role = role_before(self.titles, ranks - 1, j, floor)
            if role is not None:
                outer, inner = role
                end = ranks if doc[ranks - 1].text != "," else ranks - 1
                self._describe(actor, outer, inner, end)
            appos = apposition_after(self.titles, i, j)
            if appos is not None:
                self._describe(actor, appos[0], appos[0], appos[1])

    def _rank_roles(self, actor: Actor, i: int, j: int) -> None:
        k = j - 1
        ranks: list[str] = []
        while k >= i:
            found = self.titles.ending_at(k, i)
            if found is None:
                break
            title, first = found
            if title.kind != "honorific":
                ranks.append(self.body[slice(*chars(self.doc, first, k + 1))])
            k = first - 1
        for rank in reversed(ranks):
            actor.add_role(rank)

    def _describe(self, actor: Actor, outer: int, inner: int, end: int) -> None:
        s, e = chars(self.doc, outer, end)
        while inner < end - 1 and self.doc[inner].pos_ == "DET":
            inner += 1
        self.add(actor, s, e, "description")
        actor.add_role(self.body[slice(*chars(self.doc, inner, end))])

    # -- 5. role aliases ("the Leader", "Supreme Leader") ------------------------------------
    def role_aliases(self) -> None:
        for h in self.person_hits:
            canonical = name_tokens(h.row.canonical)
            owner = self._description_owner(h.text_start, h.end)
            if owner is not None:
                if not (owner.parts and same_person(owner.parts, canonical)):
                    continue  # "Leader" before some other name: not the table's person
                owner.canonical = h.row.canonical
                self.accepted.append(h)
                continue
            actor = next(
                (
                    a
                    for a in self.persons()
                    if a.canonical == h.row.canonical or same_person(a.parts, canonical)
                ),
                None,
            )
            if actor is None:
                actor = self.new("PERSON", canonical=h.row.canonical)
                self.set_parts(actor, canonical)
            start = h.text_start
            first = h.span.doc.char_span(start, h.end, alignment_mode="expand")
            if first is not None and first.start > 0 and self.doc[first.start - 1].lower_ == "the":
                start = self.doc[first.start - 1].idx
            self.add(actor, start, h.end, "description", "PERSON")
            self.accepted.append(h)

    def _description_owner(self, start: int, end: int) -> Actor | None:
        for actor in self.persons():
            for m in actor.mentions:
                if m.form in ("description", "title_name") and m.start < end and start < m.end:
                    return actor
        return None

    # -- 6. role descriptions ("the top general") --------------------------------------------
    def descriptions(self) -> None:
        doc = self.doc
        for tok in doc:
            if tok.pos_ not in ("NOUN", "PROPN") or tok.tag_ in ("NNS", "NNPS"):
                continue
            found = self.titles.ending_at(tok.i)
            if found is None or found[0].kind not in ("rank", "office") or not found[0].classes:
                continue
            if tok.dep_ in ("compound", "amod") and tok.head.i > tok.i:
                continue
            if not is_definite(tok):
                continue
            if self.overlaps(tok.idx, tok.idx + len(tok)):
                continue
            i, j = description_span(tok)
            s, e = chars(doc, i, j)
            if any(m.start < e and s < m.end for a in self.persons() for m in a.mentions):
                continue  # "Khamenei's Advisor" is someone else
            actor = self.link_description(doc[i:j], tok.i, found[0].classes, speaker=False)
            if actor is not None:
                self.add(actor, s, e, "description")

    def link_description(
        self, span: Span, head: int, classes: frozenset[str], speaker: bool
    ) -> Actor | None:
        """The person a role description stands for: the most recent one whose roles share
        its class, preferring one whose roles name the description's modifiers ("the Hamas
        leader"); the first such person after it when none came before."""
        start = span[0].idx
        mods = [
            t.text.casefold()
            for t in span
            if t.i != head and (t.is_title or t.is_upper) and word_title(t.text) is None
        ]
        cands = [a for a in self.persons() if a.parts and a.classes() & classes]
        if mods:
            matched = [a for a in cands if _roles_name(a, mods)]
            cands = matched or cands
        if cands:
            before = [
                (max(m.start for m in a.mentions if m.start < start), a)
                for a in cands
                if any(m.start < start for m in a.mentions)
            ]
            if before:
                return max(before, key=lambda x: x[0])[1]
            return min(cands, key=lambda a: a.first())
        if speaker:
            main = self.main_person()
            if main is not None and not main.roles:
                return main
        return None

    def main_person(self) -> Actor | None:
        people = [a for a in self.persons() if a.parts]
        if not people:
            return None
        return max(people, key=lambda a: sum(m.form in NAME_FORMS for m in a.mentions))

    # -- 7. speakers ----------------------------------------------------------------------------
    def speakers(self, speakers: Sequence[Sequence[int]]) -> None:
        later: list[Sequence[int]] = []
        for sp in speakers:
            if not (0 <= sp[0] < sp[1] <= len(self.body)) or not any(
                c.isalnum() for c in self.body[sp[0] : sp[1]]
            ):
                continue
            span = self.doc.char_span(sp[0], sp[1], alignment_mode="expand")
            if span is None or not len(span):
                continue
            if (len(span) == 1 and span[0].pos_ == "PRON") or _document_head(span) is not None:
                later.append(sp)
                continue
            self.speaker(sp[0], sp[1], span)
        for sp in later:
            span = self.doc.char_span(sp[0], sp[1], alignment_mode="expand")
            if span is None:
                continue
            if len(span) == 1 and span[0].pos_ == "PRON":
                self.pronoun(sp, span)
            else:
                self.speaker(sp[0], sp[1], span)

    def speaker(self, start: int, end: int, span: Span) -> Actor:
        exact = self.mention_actor(start, end)
        if exact is not None and any((m.start, m.end) == (start, end) for m in exact.mentions):
            return exact
        actor = self._speaker_actor(span)
        form = "description"
        for m in actor.mentions:
            if m.form in NAME_FORMS and start <= m.start and m.end == end:
                before = self.body[start : m.start].split()
                if strip_titles(before, keep=0) == len(before):  # only titles before it
                    form = "title_name"
        self.add(actor, start, end, form)
        return actor

    def _speaker_actor(self, span: Span) -> Actor:
        doc = self.doc
        root = span.root
        for actor in self.actors:  # the speaker's head word is already a mention
            for m in actor.mentions:
                if (
                    m.form != "demonym"
                    and m.start <= root.idx < m.end
                    and span.start_char <= m.start
                    and m.end <= span.end_char
                ):
                    return actor
        inside = [
            a
            for a in self.actors
            for m in a.mentions
            if m.form in NAME_FORMS | {"alias"}
            and span.start_char <= m.start
            and m.end <= span.end_char
        ]
        root = span.root
        found = self.titles.ending_at(root.i, span.start)
        person_role = (
            found is not None and found[0].kind in ("rank", "office") and root.tag_ != "NNS"
        )
        people = [a for a in inside if a.type == "PERSON"]
        if person_role and people:
            return people[0]
        if inside and not person_role:
            return inside[0]  # "Members of Hamas"
        if person_role:
            assert found is not None
            actor = self.link_description(span, root.i, found[0].classes, speaker=True)
            if actor is not None:
                return actor
            return self.new("PERSON", name=_strip_det(span.text))
        doc_head = _document_head(span)
        if doc_head is not None:
            author = self._author(doc_head, span)
            if author is not None:
                return author
        if span.end < len(doc):
            nxt = self.mention_actor(doc[span.end].idx, doc[span.end].idx + len(doc[span.end]))
            if nxt is not None and nxt.type != "PERSON":
                return nxt  # "the state news agency IRNA"
        return self._group(span)

    def _group(self, span: Span) -> Actor:
        head = _group_head(span)
        lemma = head.lemma_.lower()
        name = _group_name(span, head)
        for actor in self.actors:
            if actor.type == "GROUP" and actor.head == lemma:
                if len((name or "").split()) > len((actor.name or "").split()):
                    actor.name = name
                return actor
        return self.new("GROUP", name=name, head=lemma)

    def _author(self, noun: str, span: Span) -> Actor | None:
        """Who wrote "the letters": the subject of the clause where the article first says
        who sent them ("Palestinian groups have, in separate letters, appreciated ...")."""
        for tok in self.doc:
            if tok.lower_ != noun or span.start <= tok.i < span.end:
                continue
            verb = tok.head.head if tok.dep_ == "pobj" else tok.head
            near = [
                *verb.children,
                *(g for c in verb.children if c.dep_ == "aux" for g in c.children),
            ]
            subj = next((c for c in near if c.dep_ in ("nsubj", "nsubjpass")), None)
            if subj is None or subj.pos_ == "PRON":
                continue
            sub = self.doc[subj.left_edge.i : subj.right_edge.i + 1]
            named = [
                a
                for a in self.actors
                for m in a.mentions
                if m.form in ("name", "title_name", "surname")
                and sub.start_char <= m.start
                and m.end <= sub.end_char
                and self.doc.char_span(m.start, m.end, alignment_mode="expand").root == subj
            ]
            if named:
                return named[0]
            head = _group_head(sub)
            if word_title(head.text) is not None and word_title(head.text).kind == "group":
                actor = self._group(sub)
                self.add(actor, sub.start_char, sub.end_char, "description")
                return actor
        return None

    def pronoun(self, sp: Sequence[int], span: Span) -> None:
        actor: Actor | None = None
        if len(sp) >= 4:
            ref = self.doc.char_span(sp[2], sp[3], alignment_mode="expand")
            if ref is not None and len(ref):
                actor = self.speaker(sp[2], sp[3], ref)
        if actor is None:
            word = span[0].lower_
            want_person = word in _HE
            if word in _HE or word in _THEY:
                best: tuple[int, Actor] | None = None
                for a in self.actors:
                    if (a.type == "PERSON") != want_person:
                        continue
                    for m in a.mentions:
                        if (
                            m.end <= sp[0]
                            and m.form != "demonym"
                            and (best is None or m.start > best[0])
                        ):
                            best = (m.start, a)
                actor = best[1] if best else None
        if actor is None:
            actor = self.new("PERSON" if span[0].lower_ in _HE else "GROUP", name=span.text)
        self.add(actor, sp[0], sp[1], "pronoun")

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


def _entity_key(text: str, label: str) -> str:
    text = text.replace("’", "'")
    if label in ("NORP", "PERSON") and text.endswith("s") and len(text) > 4:
        text = text[:-1]  # "Muslims" = "Muslim"
    return actor_key(text, "X")


def _name_like(text: str) -> bool:
    words = [w.strip("“”\"‘’'") for w in text.split()]
    return all(w and (w[0].isupper() or w.split("-")[-1][:1].isupper()) for w in words)


def _roles_name(actor: Actor, mods: list[str]) -> bool:
    text = " ".join(actor.roles).casefold()
    for mod in mods:
        if mod in text:
            return True
        for row in aliases.lookup(mod):  # "Iranian" names Iran
            if row.canonical.casefold() in text or row.term.casefold() in text:
                return True
    return False


def _document_head(span: Span) -> str | None:
    for tok in reversed(span):
        found = word_title(tok.text)
        if found is not None and found.kind == "document":
            return tok.lower_
    return None


def _group_head(span: Span) -> Any:
    root = span.root
    while root.lemma_.lower() in _QUANTIFIERS:
        pobj = [c for p in root.children if p.dep_ == "prep" for c in p.children]
        if not pobj:
            break
        root = pobj[0]
    return root


def _group_name(span: Span, head: Any) -> str:
    words = [
        t.text
        for t in span
        if t.i <= head.i
        and t.i >= _left(head)
        and t.pos_ not in ("DET", "NUM", "PRON")
        and t.text not in POSSESSIVE
    ]
    return " ".join(words) or head.text


def _left(head: Any) -> int:
    start = head.i
    for child in sorted(head.lefts, key=lambda t: -t.i):
        if child.right_edge.i != start - 1:
            break
        start = child.left_edge.i
    return start


def _strip_det(text: str) -> str:
    words = text.split()
    if words and words[0].lower() in ("the", "a", "an"):
        words = words[1:]
    return " ".join(words)
