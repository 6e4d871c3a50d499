"""Pass 7: the quote stage's speakers become mentions: names, descriptions, documents and
their authors ("the letters"), groups, pronouns."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from spacy.tokens import Span

from presslens.actors.mentions import POSSESSIVE
from presslens.actors.state import NAME_FORMS, Actor, Base
from presslens.actors.titles import strip_titles, word_title

_HE = frozenset({"he", "him", "his", "she", "her", "hers", "himself", "herself"})
_THEY = frozenset({"they", "them", "their", "theirs", "themselves", "it", "its"})
_QUANTIFIERS = frozenset({"number", "some", "several", "many", "most", "all", "part", "one"})


class SpeakerPasses(Base):
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
