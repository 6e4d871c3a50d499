"""Who said a quoted stretch, and with which cue: rules over the dependency parse.

A direct quote's speaker is the subject of the reporting verb next to it ("…,” he noted";
"…,” said the letters"; "Khatibzadeh tweeted: “…”"), or, for a quote standing alone, the
speaker of the quote just before it. A partial quote's speaker is the subject of the nearest
verb above it in the parse ("He lashed out at the Zionists’ “shameless” acts"). A pronoun
speaker is resolved to the most recent fitting person or role mention before it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from spacy.tokens import Doc, Span, Token

from presslens.nlp import strip_punct
from presslens.quotes.cues import according_to, cue_of, cue_span
from presslens.resources import data_lines

PRONOUNS = frozenset({"he", "she", "they", "him", "her", "them", "i", "we"})
_SINGULAR = frozenset({"he", "she", "him", "her"})
_SUBJECTS = frozenset({"nsubj", "nsubjpass", "csubj"})
_ACTOR_ENTS = frozenset({"PERSON", "ORG", "NORP", "GPE"})
_INVERTED = frozenset({"dobj", "attr", "oprd", "npadvmod", "nsubj", "dative", "obj"})
_MAX_BACK = 6  # sentences searched for a pronoun's antecedent


@cache
def role_nouns() -> frozenset[str]:
    return frozenset(line.strip() for line in data_lines("speaker_nouns.txt"))


@dataclass(slots=True)
class Attributed:
    """Speaker and cue found for one quoted stretch (token spans of the doc)."""

    speaker: Span | None
    cue: Span | None
    refers_to: Span | None = None
    direct_form: bool = False  # the quote stands as a statement of its own


class Index:
    """What the rules look up again and again in one doc, computed once: sentences, noun
    chunks and which tokens lie inside quotation marks."""

    def __init__(self, doc: Doc, quoted: list[Span]) -> None:
        self.doc = doc
        self.text = doc.text  # Doc.text joins every token on each call
        self.quoted = quoted
        self.sents = list(doc.sents)
        self.sent_of = [0] * len(doc)
        for k, sent in enumerate(self.sents):
            self.sent_of[sent.start : sent.end] = [k] * len(sent)
        self.chunks = list(doc.noun_chunks)
        self.in_quote = [False] * len(doc)
        for q in quoted:
            self.in_quote[q.start : q.end] = [True] * len(q)

    def sent(self, tok: Token) -> Span:
        return self.sents[self.sent_of[tok.i]]


def attribute_direct(ix: Index, quote: Span) -> Attributed:
    """Speaker and cue of a quote by the reporting verb in its sentence(s)."""
    doc = ix.doc
    frame = _frame(ix, quote)
    outside = [t for t in frame if not ix.in_quote[t.i]]
    form = _direct_form(quote, frame)
    best: tuple[int, Token] | None = None
    for tok in outside:
        cue = cue_of(tok)
        if (cue is None or cue.type != "speech") and not according_to(tok):
            continue
        gap = quote.start - tok.i if tok.i < quote.start else tok.i - quote.end + 1
        if best is None or gap < best[0]:
            best = (gap, tok)
    if best is None:
        return Attributed(None, None, direct_form=form)
    verb = best[1]
    cue = doc[verb.i : verb.i + 2] if according_to(verb) else cue_span(verb)
    speaker = speaker_of(verb, ix)
    return Attributed(speaker, cue, resolve(ix, speaker), form)


def attribute_partial(ix: Index, quote: Span) -> Attributed:
    """Speaker and cue of a quote inside a sentence: the nearest governing verb's subject."""
    head = quote.root
    tok = head.head
    fallback: Attributed | None = None
    seen = 0
    while seen < 40:
        seen += 1
        if not ix.in_quote[tok.i]:
            cue = cue_of(tok)
            subj = _subject(tok, ix)
            if subj is not None and _plausible_speaker(subj):
                found = Attributed(subj, cue_span(tok) if cue else None)
                if cue is not None and cue.type == "speech":
                    fallback = found
                    break
                if fallback is None:
                    fallback = found
        if tok.head.i == tok.i:
            break
        tok = tok.head
    if fallback is None:
        return Attributed(None, None)
    fallback.refers_to = resolve(ix, fallback.speaker)
    return fallback


def speaker_of(verb: Token, ix: Index) -> Span | None:
    """The speaker a reporting verb introduces: subject, "according to X", or inverted X."""
    doc = verb.doc
    if according_to(verb):
        to = doc[verb.i + 1]
        objs = [c for c in to.children if c.dep_ == "pobj"]
        return _phrase(objs[0], ix) if objs else None
    subj = _subject(verb, ix)
    if subj is not None:
        return subj
    for child in verb.children:
        if (
            child.i > verb.i
            and child.dep_ in _INVERTED
            and child.pos_ in ("NOUN", "PROPN", "PRON")
            and not ix.in_quote[child.i]
        ):
            return _phrase(child, ix)
    return None


def _subject(verb: Token, ix: Index) -> Span | None:
    """The subject of ``verb``, or of the verb it is coordinated with or subordinated to."""
    tok = verb
    for _ in range(4):
        for child in tok.children:
            if child.dep_ in _SUBJECTS and not ix.in_quote[child.i]:
                return _phrase(child, ix)
            if child.dep_ == "agent":
                objs = [c for c in child.children if c.dep_ == "pobj"]
                if objs:
                    return _phrase(objs[0], ix)
        if tok.dep_ not in ("conj", "advcl", "xcomp", "relcl") or tok.head.i == tok.i:
            return None
        if tok.dep_ == "relcl":  # "the minister, who said …": the noun is the speaker
            return _phrase(tok.head, ix)
        head = tok.head
        if tok.tag_ == "VBG" and head.dep_ == "ccomp" and _speech(head.head):
            # "X noted that Y would fall, saying …": the parser hangs "saying" on the
            # reported clause, but it is X who is saying.
            head = head.head
        tok = head
    return None


def _speech(tok: Token) -> bool:
    cue = cue_of(tok)
    return cue is not None and cue.type == "speech"


def _phrase(tok: Token, ix: Index) -> Span:
    """The noun phrase headed by ``tok``, cut at quotes, clauses, the first comma after it and a
    time at its end."""
    doc = tok.doc
    start, end = tok.left_edge.i, tok.right_edge.i + 1
    for q in ix.quoted:
        if q.start <= tok.i < q.end:
            return doc[tok.i : tok.i + 1]
        if q.end <= tok.i:
            start = max(start, q.end)
        elif q.start > tok.i:
            end = min(end, q.start)
    for child in tok.rights:
        if child.dep_ in ("relcl", "acl", "appos") or child.text in (",", "(", "—", "–"):
            end = min(end, child.left_edge.i)
            break
    start, end = strip_punct(doc, start, end)
    return without_time(doc[start:end]) if end > start else doc[tok.i : tok.i + 1]


def without_time(span: Span) -> Span:
    """``span`` without a time at its end that the parser or tagger took in with the speaker
    ("Saeed Khatibzadeh on Saturday", "the ministry Friday")."""
    doc, end = span.doc, span.end
    while end > span.start and doc[end - 1].ent_type_ in ("DATE", "TIME"):
        end -= 1
    if span.start < end < span.end and doc[end - 1].dep_ == "prep":
        end -= 1
    return doc[span.start : end] if end > span.start else span


def _plausible_speaker(span: Span) -> bool:
    root = span.root
    if root.lower_ in PRONOUNS:
        return True
    if root.lower_ in ("it", "this", "that", "which", "there"):
        return False
    if any(t.ent_type_ in _ACTOR_ENTS for t in span):
        return True
    return root.pos_ == "PROPN" or root.lemma_.lower() in role_nouns()


def resolve(ix: Index, speaker: Span | None) -> Span | None:
    """For a pronoun speaker, the most recent person/role (or group) mention before it.

    Sentences are searched backwards from the speaker's own; in each, a mention that is a
    subject wins over other mentions, as a pronoun most often continues the last topic.
    """
    if speaker is None or len(speaker) != 1 or speaker[0].lower_ not in PRONOUNS:
        return None
    pron = speaker[0]
    if pron.lower_ in ("i", "we"):
        return None
    plural = pron.lower_ in ("they", "them")
    k = ix.sent_of[pron.i]
    for back in range(_MAX_BACK):
        if k - back < 0:
            break
        sent = ix.sents[k - back]
        limit = pron.i if back == 0 else sent.end
        found = _mentions(ix, sent.start, limit, plural)
        if found:
            subjects = [m for m in found if m.root.dep_ in _SUBJECTS]
            return (subjects or found)[-1]
    return None


def _mentions(ix: Index, start: int, end: int, plural: bool) -> list[Span]:
    """Person/role (or, for "they", group) mentions in tokens start..end, outside quotes."""
    out: list[Span] = []
    for chunk in ix.chunks:
        root = chunk.root
        if not start <= root.i < end or ix.in_quote[root.i]:
            continue
        if root.lower_ in PRONOUNS or root.pos_ == "PRON":
            continue
        is_plural = root.tag_ in ("NNS", "NNPS")
        ents = {t.ent_type_ for t in chunk} - {""}
        if plural:
            ok = is_plural and (root.pos_ == "PROPN" or bool(ents) or root.dep_ in _SUBJECTS)
        else:
            ok = not is_plural and (
                "PERSON" in ents
                or root.lemma_.lower() in role_nouns()
                or (root.pos_ == "PROPN" and root.dep_ in _SUBJECTS and _speech(root.head))
            )
        if ok:
            out.append(_phrase(root, ix))
    return out


def _frame(ix: Index, quote: Span) -> Span:
    """The sentence(s) a quote sits in, with a short attribution split off by the parser."""
    doc = ix.doc
    first, last = ix.sent_of[quote.start], ix.sent_of[quote.end - 1]
    start, end = ix.sents[first].start, ix.sents[last].end
    after = [t for t in doc[quote.end : end] if not (t.is_punct or t.is_space)]
    if not after and last + 1 < len(ix.sents):
        nxt = ix.sents[last + 1]
        words = [t for t in nxt if not t.is_space]
        if words and len(words) <= 14 and words[0].is_lower and '"' not in nxt.text:
            end = nxt.end
    before = [t for t in doc[start : quote.start] if not t.is_space]
    if not before and first > 0:
        prev = ix.sents[first - 1]
        tail = [t for t in prev if not t.is_space]
        if tail and tail[-1].text == ":":
            start = prev.start
    return doc[start:end]


def _direct_form(quote: Span, frame: Span) -> bool:
    """The quote opens its sentence or follows a colon, comma or verb: it is a statement."""
    doc = quote.doc
    before = [t for t in doc[frame.start : quote.start] if not t.is_space]
    if not before:
        return True
    last = before[-1]
    return last.text in (":", ",", "—", "–") or last.pos_ in ("VERB", "AUX")
