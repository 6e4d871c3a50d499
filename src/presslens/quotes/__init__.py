"""Quotes and attribution: who said what, in which words, through which channel.

``find_quotes`` reports three kinds of statement in an article body:

- direct: a stretch between quotation marks that stands as a statement ("“…,” he noted");
- partial: quoted words inside the writer's own sentence ("a “strategic and genuine”
  coalition"), attributed to the subject of the verb that governs them;
- indirect: reported speech with a reporting verb ("Khatibzadeh further stated that …").

Names, titles and scare quotes in quotation marks (“Operation Al Aqsa Storm,”, the
“Israeli” regime) are not statements and are left out. Speakers are spans as written; a
pronoun speaker carries ``refers_to``, the mention it stands for. Mapping spans to canonical
actors is the actors stage's job.

Rules over quotation marks and the dependency parse decide first (``attribute.py``); the
tagger trained on PolNeAR (``spans.py``, ``tagger.py``) supplies speakers the rules miss and
reported speech beyond "verb that …". ``find_attributions`` gives the tagger's attributions
in PolNeAR's own terms (every source, cue and content, beliefs included), which is what
``bench/quotes.py`` scores.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from spacy.tokens import Doc, Span, Token

from presslens.nlp import load_model, strip_punct
from presslens.quotes.attribute import (
    Attributed,
    Index,
    attribute_direct,
    attribute_partial,
    resolve,
    speaker_of,
    without_time,
)
from presslens.quotes.cues import according_to, channel_in, cue_of, cue_span
from presslens.quotes.marks import Marked, find_marked, looks_like_name, word_count
from presslens.quotes.spans import Tagged, find_attributions, tag_batch, tagged_attributions

__all__ = ["find_attributions", "find_quotes", "prepare"]


def prepare(docs: list[Doc]) -> None:
    """Tag a batch of parsed bodies in one go before ``find_quotes`` reads them one by one;
    optional, but several times faster than tagging inside each call."""
    tag_batch(docs)


_SCARE_MAX_WORDS = 3  # quoted phrases this short need a speaker, and are never repeated


def find_quotes(body: str, doc: Doc | None = None) -> list[dict[str, Any]]:
    """Quotes in an article body, in text order.

    Each: {"text", "kind": "direct"|"partial"|"indirect", "start", "end" (body offsets of the
    quoted words), "speaker": {"text", "start", "end"[, "refers_to"]} or None,
    "cue": {"text", "start", "end"} or None, "channel": "tweet"|"letter"|... or None}.
    ``doc`` is the body parsed by the shared spaCy model; parsed here when not given.
    """
    if doc is None:
        doc = load_model()(body)
    marked = [
        (q, span)
        for q in find_marked(body)
        if (span := doc.char_span(q.start, q.end, alignment_mode="expand")) is not None
    ]
    ix = Index(doc, [span for _, span in marked])
    tagged = tagged_attributions(doc)
    repeats = Counter(_norm(body[q.inner_start : q.inner_end]) for q, _ in marked)
    out: list[dict[str, Any]] = []
    quoted = [False] * len(doc)  # tokens of direct quotes: their statements are reported
    last_direct: tuple[dict[str, Any], int] | None = None
    for q, span in marked:
        inner = body[q.inner_start : q.inner_end]
        words = word_count(inner)
        if looks_like_name(inner):
            continue
        if words <= _SCARE_MAX_WORDS and repeats[_norm(inner)] > 1:
            continue
        para = body.count("\n", 0, q.start)
        att = attribute_direct(ix, span)
        if att.direct_form and (words > _SCARE_MAX_WORDS or _ends_statement(inner)):
            record = _record(ix, q, "direct", att, span)
            if record["speaker"] is None and last_direct is not None:
                prev, prev_para = last_direct
                if prev["speaker"] is not None and para - prev_para <= 2:
                    record["speaker"] = prev["speaker"]
                    record["channel"] = record["channel"] or prev["channel"]
            if record["speaker"] is None and (found := _tagged_speaker(ix, span, tagged)):
                record = _record(ix, q, "direct", found, span)
            out.append(record)
            quoted[span.start : span.end] = [True] * len(span)
            last_direct = (record, body.count("\n", 0, q.end))
            continue
        att = attribute_partial(ix, span)
        if att.speaker is None and words <= _SCARE_MAX_WORDS:
            continue  # a scare quote: the outlet's own distancing, nobody's words
        out.append(_record(ix, q, "partial", att, span))
    out.extend(_indirect(ix, quoted))
    out.extend(_tagged_indirect(ix, tagged, out, quoted))
    out.sort(key=lambda r: r["start"])
    return out


def _tagged_speaker(ix: Index, quote: Span, tagged: list[Tagged]) -> Attributed | None:
    """The trained tagger's source for a quote the rules left without a speaker."""
    for att in tagged:
        if att.source and any(c.start < quote.end and quote.start < c.end for c in att.content):
            speaker = without_time(att.source[0])
            return Attributed(speaker, att.cue[0] if att.cue else None, resolve(ix, speaker))
    return None


def _tagged_indirect(
    ix: Index, tagged: list[Tagged], found: list[dict[str, Any]], quoted: list[bool]
) -> list[dict[str, Any]]:
    """Reported speech the tagger finds and the rules do not: a speech cue with a source.

    A cue the rules already read ("warned X that …") keeps their content: the tagger's may be
    the verb's object ("X", the one warned). Of several pieces the tagger joined to one cue,
    the one in the cue's own sentence is taken (a piece of the sentence before can join it
    when that sentence has no cue of its own)."""
    taken = [(r["start"], r["end"]) for r in found]
    read_cues = {r["cue"]["start"] for r in found if r["kind"] == "indirect" and r["cue"]}
    out = []
    for att in tagged:
        if not (att.cue and att.source and att.content):
            continue
        cue = att.cue[0]
        entry = cue_of(cue.root)
        if (entry is None or entry.type != "speech") and not according_to(cue[0]):
            continue
        if cue.start_char in read_cues:
            continue
        cue_sent = ix.sent_of[cue.start]
        content = max(att.content, key=lambda c: (ix.sent_of[c.start] == cue_sent, len(c)))
        if (
            any(quoted[content.start : content.end])
            or all(ix.in_quote[content.start : content.end])  # a name or scare quote alone
            or any(s < content.end_char and content.start_char < e for s, e in taken)
        ):
            continue
        speaker = without_time(att.source[0])
        out.append(_reported(ix, content, Attributed(speaker, cue, resolve(ix, speaker))))
    return out


def _indirect(ix: Index, quoted: list[bool]) -> list[dict[str, Any]]:
    """Reported speech: a speech verb with a clausal complement, or "according to X, …".

    ``quoted``: the tokens of direct quotes, whose statements are reported already; a scare
    quote or a partial quote inside the content does not stop it ("warned that … the
    “Israeli” regime …")."""
    doc = ix.doc
    out = []
    for tok in doc:
        if ix.in_quote[tok.i]:
            continue
        if according_to(tok):
            content = _according_content(ix, tok)
            cue = doc[tok.i : tok.i + 2]
        else:
            cue_entry = cue_of(tok)
            if cue_entry is None or cue_entry.type != "speech":
                continue
            comps = [c for c in tok.children if c.dep_ == "ccomp"]
            if not comps:
                continue
            content = _trim(doc[comps[0].left_edge.i : comps[0].right_edge.i + 1])
            cue = cue_span(tok)
        if content is None or any(quoted[content.start : content.end]):
            continue
        speaker = speaker_of(tok, ix)
        if speaker is None:
            continue
        out.append(_reported(ix, content, Attributed(speaker, cue, resolve(ix, speaker))))
    return out


def _reported(ix: Index, content: Span, att: Attributed) -> dict[str, Any]:
    """The record of one piece of reported speech."""
    return {
        "text": content.text,
        "kind": "indirect",
        "start": content.start_char,
        "end": content.end_char,
        **_who(att, ix, content),
    }


def _according_content(ix: Index, tok: Token) -> Span | None:
    """The clause "according to X" is attached to, without the phrase itself."""
    doc = ix.doc
    sent = ix.sent(tok)
    phrase_end = tok.right_edge.i + 1
    if all(t.is_punct or t.is_space for t in doc[sent.start : tok.i]):
        return _trim(doc[phrase_end : sent.end])
    return _trim(doc[sent.start : tok.i])


def _trim(span: Span) -> Span | None:
    start, end = strip_punct(span.doc, span.start, span.end)
    return span.doc[start:end] if end > start else None


def _record(ix: Index, q: Marked, kind: str, att: Attributed, span: Span) -> dict[str, Any]:
    return {
        "text": ix.text[q.inner_start : q.inner_end],
        "kind": kind,
        "start": q.inner_start,
        "end": q.inner_end,
        **_who(att, ix, span),
    }


def _who(att: Attributed, ix: Index, content: Span) -> dict[str, Any]:
    """Speaker, cue and channel fields of a record."""
    speaker = None
    if att.speaker is not None:
        speaker = _span_dict(att.speaker)
        if att.refers_to is not None:
            speaker["refers_to"] = _span_dict(att.refers_to)
    return {
        "speaker": speaker,
        "cue": _span_dict(att.cue) if att.cue is not None else None,
        "channel": _channel(att, ix, content),
    }


def _channel(att: Attributed, ix: Index, content: Span) -> str | None:
    """The medium named by the cue ("tweeted"), the speaker ("the letters") or the sentence."""
    if att.cue is not None:
        entry = cue_of(att.cue[0])
        if entry is not None and entry.channel:
            return entry.channel
    if att.speaker is not None and (found := channel_in(att.speaker.text)):
        return found[0]
    first, last = ix.sent(content[0]), ix.sent(content[-1])
    text = ix.text
    outside = (
        text[first.start_char : content.start_char]
        + " \n "
        + text[content.end_char : last.end_char]
    )
    found = channel_in(outside)
    return found[0] if found else None


def _span_dict(span: Span) -> dict[str, Any]:
    return {"text": span.text, "start": span.start_char, "end": span.end_char}


def _norm(inner: str) -> str:
    return re.sub(r"\W+", " ", inner).strip().lower()


def _ends_statement(inner: str) -> bool:
    return inner.rstrip().endswith((".", "?", "!", ",", "…"))
