"""The tense of the verb a time expression hangs on, from the spaCy parse.

"Friday" in "met on Friday" is the Friday before the article, in "will meet on Friday" the
one after. The parse gives the governing verb; its tag and auxiliaries give the tense. An
infinitive or participle without its own tense ("to mark", "begin withdrawing") takes the
tense of the verb it depends on; an infinitive after a verb of planning points ahead.
"""

from __future__ import annotations

from spacy.tokens import Doc, Span, Token

_FUTURE_AUX = frozenset({"will", "shall", "'ll", "’ll", "wo", "would"})
# "plans to meet Friday", "is expected to vote Monday": the infinitive is still to come
_PLAN_VERBS = frozenset(
    [
        "plan",
        "expect",
        "schedule",
        "set",
        "intend",
        "aim",
        "hope",
        "prepare",
        "want",
        "agree",
        "promise",
        "vow",
        "threaten",
        "decide",
        "seek",
        "propose",
        "due",
        "ready",
        "likely",
        "going",
    ]
)
_MAX_HOPS = 4
_INHERIT_DEPS = frozenset({"xcomp", "conj", "advcl", "ccomp", "acl", "relcl", "pcomp"})


def governing_verb(span: Span) -> Token | None:
    """The nearest verb or auxiliary above the span's root (a few hops at most)."""
    tok = span.root
    for _ in range(_MAX_HOPS):
        if tok.head is tok:
            break
        tok = tok.head
        if tok.pos_ in ("VERB", "AUX") and not span.start <= tok.i < span.end:
            return tok
    return None


def _own_tense(verb: Token) -> str | None:
    auxes = [c for c in verb.children if c.dep_ in ("aux", "auxpass")]
    lowers = {a.lower_ for a in auxes}
    if lowers & _FUTURE_AUX or "going" in lowers:
        return "future"
    if any(a.tag_ == "MD" for a in auxes):
        return "modal"
    if verb.tag_ == "VBD" or any(a.tag_ == "VBD" for a in auxes):
        return "past"
    if verb.tag_ == "VBN":
        if any(a.tag_ in ("VBZ", "VBP") and a.lemma_ == "be" for a in auxes):
            return "present"  # "is set for Thursday"
        return "past"  # "has met", "killed Friday" (reduced relative)
    if verb.tag_ == "VBG" and any(a.lemma_ == "be" and a.tag_ in ("VBZ", "VBP") for a in auxes):
        return "future"  # "is meeting Friday"
    if verb.tag_ in ("VBZ", "VBP"):
        return "present"
    return None  # infinitive, bare participle: see the verb it depends on


def verb_tense(verb: Token) -> str | None:
    """The tense: "past", "future", "present" or None (a modal such as "could", or unknown)."""
    tok = verb
    infinitive = False
    for _ in range(_MAX_HOPS):
        tense = _own_tense(tok)
        if tense is not None:
            break
        infinitive = infinitive or any(c.tag_ == "TO" for c in tok.children)
        head = tok.head
        if head is tok or tok.dep_ not in _INHERIT_DEPS or head.pos_ not in ("VERB", "AUX", "ADJ"):
            break
        if infinitive and head.lemma_ in _PLAN_VERBS:
            return "future"
        tok = head
    else:
        tense = None
    if tense is None and infinitive:
        return "future"
    return None if tense == "modal" else tense


def tense_at(doc: Doc | None, start: int, end: int) -> str | None:
    """Tense of the verb governing the characters ``start:end`` of ``doc``.

    A weekday in the possessive ("Wednesday's ruling") names something that has happened.
    """
    if doc is None:
        return None
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or len(span) == 0:
        return None
    if span.root.dep_ == "poss" or any(t.tag_ == "POS" for t in span):
        return "past"
    verb = governing_verb(span)
    return verb_tense(verb) if verb is not None else None


def sentence_text(doc: Doc | None, start: int, end: int) -> str:
    """The lower-cased sentence around ``start:end`` (empty without a parse)."""
    if doc is None or not (doc.has_annotation("SENT_START") or doc.has_annotation("DEP")):
        return ""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or len(span) == 0:
        return ""
    return span.sent.text.lower()
