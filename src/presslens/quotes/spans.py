"""Attributions in PolNeAR's sense: the source, cue and content of everything reported.

The trained tagger (``tagger.py``) marks the spans; here they are grouped into attributions,
each source and content joining the nearest cue within a sentence either side.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from spacy.tokens import Doc, Span

from presslens.quotes.tagger import tag_spans

_WINDOW = 1  # sentences either side in which a source or content may join a cue


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


def tagged_attributions(doc: Doc) -> list[Tagged]:
    """The tagger's spans for ``doc``, grouped around their cues."""
    spans = tag_spans([doc])[0]
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
