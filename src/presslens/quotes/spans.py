"""Attributions in PolNeAR's sense: the source, cue and content of everything reported.

The trained tagger (``tagger.py``) marks the spans; here they are grouped into attributions,
each source and content joining the nearest cue within a sentence either side.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from spacy.tokens import Doc, Span

from presslens.quotes.marks import Marked, find_marked, looks_like_name, word_count
from presslens.quotes.tagger import tag_spans

_WINDOW = 1  # sentences either side in which a source or content may join a cue
_USER_DATA_KEY = "presslens.attribution_spans"
_OWN_CONTENT_WORDS = 2  # a quotation this long is content even when the tagger missed it
_FRAME_ENDS = (",", "-", "–", "—")  # "… he said, “Quote.”" / "Mrs. Clinton - ''Quote''"


@dataclass(slots=True)
class Tagged:
    """One attribution as token spans; a role may be empty, content may come in pieces."""

    source: list[Span] = field(default_factory=list)
    cue: list[Span] = field(default_factory=list)
    content: list[Span] = field(default_factory=list)


def find_attributions(doc: Doc) -> list[dict[str, Any]]:
    """Attributions in ``doc``: each {"source": [piece], "cue": [piece], "content": [piece]},
    a piece being a (start, end) pair of character offsets."""
    return [
        {
            role: [(span.start_char, span.end_char) for span in getattr(att, role)]
            for role in ("source", "cue", "content")
        }
        for att in tagged_attributions(doc)
    ]


def tag_batch(docs: list[Doc], variant: str | None = None) -> None:
    """Run the tagger (``variant``, default ``tagger.default_variant()``) over many docs at
    once, several times faster than one by one, and keep each doc's spans in ``doc.user_data``
    for ``tagged_attributions``."""
    for doc, spans in zip(docs, tag_spans(docs, variant), strict=True):
        doc.user_data[_USER_DATA_KEY] = spans


def tagged_attributions(doc: Doc) -> list[Tagged]:
    """The tagger's spans for ``doc``, grouped around their cues."""
    spans = doc.user_data.get(_USER_DATA_KEY)
    if spans is None:
        spans = tag_spans([doc])[0]
    spans = fit_to_marks(doc, spans)
    sent_of = [0] * len(doc)
    for k, sent in enumerate(doc.sents):
        sent_of[sent.start : sent.end] = [k] * len(sent)
    cues = [(start, end) for role, start, end in spans if role == "cue"]
    groups = [Tagged(cue=[doc[start:end]]) for start, end in cues]
    loose: list[Tagged] = []
    for role, start, end in spans:
        if role == "cue":
            continue
        best: tuple[int, int] | None = None
        for k, (cs, ce) in enumerate(cues):
            near_start = abs(sent_of[cs] - sent_of[start]) <= _WINDOW
            near_end = abs(sent_of[ce - 1] - sent_of[end - 1]) <= _WINDOW
            if not (near_start or near_end):
                continue
            gap = cs - end if end <= cs else start - ce
            if best is None or gap < best[0]:
                best = (gap, k)
        if best is None:
            loose.append(Tagged())
            getattr(loose[-1], role).append(doc[start:end])
        else:
            getattr(groups[best[1]], role).append(doc[start:end])
    return groups + loose


def fit_to_marks(doc: Doc, spans: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Content spans squared with the quotation marks the tagger half-saw.

    A content that ends where a full-sentence quotation closes but starts before it opens took
    in the frame ("… to state, “Vigo County …”"): it starts at the opening mark instead. (A
    quotation that opens lower-case, or after "that", is a partial quote inside reported
    speech, whose content rightly includes the frame.) A quotation of two or more words that
    no content touches is content of its own: in news prose, words in quotation marks are
    someone's, scare quotes included; titles and names in quotation marks are not.
    Chosen on the held-out tenth of PolNeAR train (docs/benchmarks.md).
    """
    text = doc.text
    marks = [
        (q, span)
        for q in find_marked(text)
        if q.closed
        and word_count(text[q.inner_start : q.inner_end]) >= _OWN_CONTENT_WORDS
        and (span := doc.char_span(q.start, q.end, alignment_mode="expand")) is not None
    ]
    out: list[tuple[str, int, int]] = []
    for role, start, end in spans:
        if role == "content":
            start = _quote_start(text, start, end, marks)
        out.append((role, start, end))
    contents = [(s, e) for role, s, e in out if role == "content"]
    for q, span in marks:
        if looks_like_name(text[q.inner_start : q.inner_end]):
            continue
        if not any(s < span.end and span.start < e for s, e in contents):
            out.append(("content", span.start, span.end))
    return sorted(out, key=lambda x: (x[1], x[2]))


def _quote_start(text: str, start: int, end: int, marks: list[tuple[Marked, Span]]) -> int:
    for q, span in marks:
        if not (start < span.start < end and span.end in (end, end - 1)):
            continue
        if any(start <= other.start < span.start for _, other in marks):
            return start  # an earlier quotation inside: quoted words strung together
        opens_sentence = text[q.inner_start : q.inner_start + 1].isupper()
        if opens_sentence and text[: q.start].rstrip()[-1:] in _FRAME_ENDS:
            return span.start
        return start
    return start
