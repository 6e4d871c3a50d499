"""Passes 4-6: titles and roles around names, role aliases ("the Leader"), role descriptions
("the top general")."""

from __future__ import annotations

from spacy.tokens import Span

from presslens.actors import aliases
from presslens.actors.mentions import (
    apposition_after,
    chars,
    description_span,
    is_definite,
    ranks_before,
    role_before,
)
from presslens.actors.names import name_tokens, same_person
from presslens.actors.state import NAME_FORMS, Actor, Base
from presslens.actors.titles import word_title


class RolePasses(Base):
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


def _roles_name(actor: Actor, mods: list[str]) -> bool:
    text = " ".join(actor.roles).casefold()
    for mod in mods:
        if mod in text:
            return True
        for row in aliases.lookup(mod):  # "Iranian" names Iran
            if row.canonical.casefold() in text or row.term.casefold() in text:
                return True
    return False
