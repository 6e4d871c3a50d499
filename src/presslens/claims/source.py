"""Who claims a count: a quote's speaker, a reporting verb's subject, or "according to X".

In that order: (1) the count lies inside a quote or reported speech found by the quotes
stage: its speaker, unless inside reported speech another reporting verb with its own subject
reports the count (the innermost attribution is where the figure comes from); (2) the count is
what a reporting verb reports ("Israel has reported over 600 lives lost", "officials said 30
were killed"): the verb's subject, or its "by" agent; (3) "according to X" in the same
sentence: X. Otherwise the count is the outlet's own narration ("The attack left nearly 1,000
fatalities") and has no source.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from spacy.tokens import Doc, Span, Token

from presslens.claims.lexicon import lexicon
from presslens.nlp import strip_punct
from presslens.quotes.attribute import Index, resolve
from presslens.quotes.cues import according_to, cue_of

# Dependencies a count climbs to reach the verb that reports it: its object, its clause, the
# clause it is coordinated in. Relative and adverbial clauses stop the climb ("condemned the
# attack that killed 30" is not a report of 30 deaths).
_CLIMB = frozenset(
    {"dobj", "obj", "nsubj", "nsubjpass", "ccomp", "xcomp", "conj", "attr", "oprd", "acomp"}
)
_REPORTED = frozenset({"dobj", "obj", "nsubjpass", "ccomp", "xcomp", "oprd", "attr"})
_MAX_CLIMB = 6
_PRONOUNS = frozenset({"he", "she", "they", "it", "we", "i"})


class Sources:
    """Source lookup for the claims of one doc; the pronoun resolver is built on first use."""

    def __init__(self, doc: Doc, quotes: Sequence[dict[str, Any]]) -> None:
        self.doc = doc
        self.quotes = sorted(
            (q for q in quotes if q.get("speaker")), key=lambda q: q["end"] - q["start"]
        )
        self._index: Index | None = None

    def find(self, anchor: Token, start: int, end: int) -> tuple[dict[str, Any] | None, str | None]:
        """(source span dict, route) for the claim at body chars start..end."""
        reporter = self._reporter(anchor, start, end)
        for q in self.quotes:  # smallest first
            if q["start"] <= start and end <= q["end"]:
                if q.get("kind") == "indirect":
                    if _described(anchor, q["start"], q["end"]):
                        continue
                    if reporter is not None and q["start"] <= reporter.start_char:
                        break  # "X said the ministry recorded 370 deaths": the ministry
                return dict(q["speaker"]), "quote"
        if reporter is not None:
            return self._span(reporter), "report_verb"
        according = _according(anchor, start, end)
        if according is not None:
            return self._span(according), "according_to"
        return None, None

    def _reporter(self, anchor: Token, start: int, end: int) -> Span | None:
        """The subject (or "by" agent) of the verb that reports the count, if any."""
        verb = _reporting_verb(anchor)
        subject = _subject(verb) if verb is not None else None
        if subject is None or (subject.start_char < end and start < subject.end_char):
            return None
        return subject

    def _span(self, span: Span) -> dict[str, Any]:
        out: dict[str, Any] = {"text": span.text, "start": span.start_char, "end": span.end_char}
        if len(span) == 1 and span[0].lower_ in _PRONOUNS:
            if self._index is None:
                self._index = Index(self.doc, [])
            found = resolve(self._index, span)
            if found is not None:
                out["refers_to"] = {
                    "text": found.text,
                    "start": found.start_char,
                    "end": found.end_char,
                }
        return out


def _described(anchor: Token, start: int, end: int) -> bool:
    """The count sits in a relative clause of reported speech ("condemned the raid that
    killed 30"): the outlet's description of what was spoken about, not the speaker's claim."""
    tok = anchor
    for _ in range(_MAX_CLIMB * 2):
        if not start <= tok.idx < end or tok.head.i == tok.i:
            return False
        if tok.dep_ in ("relcl", "acl"):
            return True
        tok = tok.head
    return False


def _reporting_verb(anchor: Token) -> Token | None:
    """The verb whose report the count is, climbing object and clause links from it."""
    reports = lexicon().reports
    tok = anchor
    for _ in range(_MAX_CLIMB):
        head = tok.head
        if head.i == tok.i:
            return None
        dep = tok.dep_
        via_with = dep == "prep" and tok.lower_ == "with"  # "..., with 1,100 injured"
        if dep not in _CLIMB and not via_with and dep != "pcomp":
            return None
        lemma = head.lemma_.lower()
        kind = reports.get(lemma) if head.pos_ in ("VERB", "AUX") else None
        if kind is not None and (via_with or (dep in _REPORTED and (kind == "any" or _tally(tok)))):
            return head
        cue = cue_of(head)
        if cue is not None and cue.type in ("speech", "thought") and (dep == "ccomp" or via_with):
            return head
        if dep == "conj" and (kind is not None or cue is not None):
            return None  # coordinated with a report, not reported by it
        tok = head
    return None


def _tally(tok: Token) -> bool:
    return tok.lemma_.lower() in lexicon().tolls


def _subject(verb: Token) -> Span | None:
    """The reporter: the verb's subject or "by" agent, or that of the verb it hangs on."""
    tok = verb
    for _ in range(4):
        for child in tok.children:
            if child.dep_ == "nsubj":
                return _phrase(child)
            if child.dep_ == "agent":
                objs = [c for c in child.children if c.dep_ == "pobj"]
                if objs:
                    return _phrase(objs[0])
        if tok.dep_ == "relcl":  # "the ministry, which recorded 370 deaths"
            return _phrase(tok.head)
        if tok.dep_ not in ("conj", "xcomp", "advcl") or tok.head.i == tok.i:
            return None
        tok = tok.head
    return None


def _according(anchor: Token, start: int, end: int) -> Span | None:
    """X of "according to X" in the claim's sentence, nearest the claim."""
    sent = anchor.sent
    best: tuple[int, Span] | None = None
    for tok in sent:
        if not according_to(tok):
            continue
        to = tok.doc[tok.i + 1]
        objs = [c for c in to.children if c.dep_ == "pobj"]
        if not objs:
            continue
        phrase = _phrase(objs[0])
        if phrase.start_char < end and start < phrase.end_char:
            continue
        gap = abs(tok.idx - start)
        if best is None or gap < best[0]:
            best = (gap, phrase)
    return best[1] if best is not None else None


def _phrase(tok: Token) -> Span:
    """The noun phrase headed by ``tok``, cut at a clause, an apposition or a comma."""
    doc = tok.doc
    start, end = tok.left_edge.i, tok.right_edge.i + 1
    for child in tok.rights:
        if child.dep_ in ("relcl", "acl", "appos") or child.text in (",", "(", "—", "–"):
            end = min(end, child.left_edge.i)
            break
    for k in range(tok.i - 1, start - 1, -1):  # stay on the head's own line
        if "\n" in doc[k].text_with_ws:
            start = k + 1
            break
    for k in range(tok.i, end):
        if "\n" in doc[k].text_with_ws:
            end = k + 1
            break
    start, end = strip_punct(doc, start, end)
    return doc[start:end] if end > start else doc[tok.i : tok.i + 1]
