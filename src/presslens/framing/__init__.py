"""Framing: persuasion techniques as evidence spans, and the summaries built on them.

Runs after the actors stage. Two layers find technique spans (SemEval-2020 Task 11 names,
with the SemEval-2023 name beside them):

- the trained model, ``framing.techniques.find_techniques`` (method "model");
- the lexicon, ``framing.lexicon`` (method "lexicon"): loaded words and phrases from
  ``data/loaded_words.csv`` plus the pejorative designations the actors stage resolved through
  ``data/aliases.csv``.

Overlapping spans of one technique are merged: the more confident one is kept, and its method
becomes "both" when the two layers agreed. ``framing.summary`` turns spans and designations
into the article summary (techniques per 1,000 words, designation profile per actor, the
sentences that carry them) and ``outlet_summary`` aggregates article records by outlet.

User entries: rows in ``$PRESSLENS_LEXICON_DIR/loaded_words.csv`` or a file or folder passed
as ``extra_lexicon`` are added to the shipped loaded words (same columns).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from spacy.tokens import Doc

from presslens.framing.lexicon import (
    DEFAULT_THRESHOLD,
    ENV_DIR,
    TECHNIQUE_2023,
    designation_spans,
    find_loaded,
)
from presslens.framing.summary import article_summary, outlet_summary
from presslens.framing.techniques import find_techniques

__all__ = [
    "DEFAULT_THRESHOLD",
    "ENV_DIR",
    "TECHNIQUE_2023",
    "frame",
    "merge",
    "outlet_summary",
]


def frame(
    body: str,
    doc: Doc,
    actors: list[dict[str, Any]],
    designations: list[dict[str, Any]],
    *,
    threshold: float | None = None,
    extra_lexicon: Path | str | None = None,
    use_model: bool = True,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """(techniques, summary) of one article body parsed as ``doc``.

    ``designations`` come from the actors stage; ``actors`` give each profiled canonical the
    id of the actor it was mentioned as. ``threshold``: the least confidence reported (each
    layer's default when None). Technique: {"technique", "technique_2023", "text", "start",
    "end", "confidence", "method": model|lexicon|both} (+ "term", "source" from the lexicon).
    """
    spans = find_loaded(body, threshold=threshold, extra=extra_lexicon)
    spans += designation_spans(body, designations, threshold=threshold)
    for s in spans:
        s["method"] = "lexicon"
    if use_model:
        for s in find_techniques(body, doc, threshold=threshold):
            spans.append(dict(s) | {"method": "model"})
    techniques = merge(spans)
    summary = article_summary(body, doc, techniques, designations)
    _link_actors(summary["designation_profile"], designations, actors)
    return techniques, summary


def merge(spans: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One span per overlapping group of the same technique: the union of their text, the
    fields and confidence of the most confident one, and method "both" when the group holds
    spans of both layers. Sorted by position."""
    kept: list[dict[str, Any]] = []
    open_by_technique: dict[str, list[dict[str, Any]]] = {}
    for span in sorted(spans, key=lambda s: (s["start"], -s["end"])):
        group = open_by_technique.setdefault(span["technique"], [])
        other = next((k for k in group if k["end"] > span["start"]), None)
        if other is None:
            group.append(span)
            kept.append(span)
            continue
        methods = {other["method"], span["method"]}
        winner, loser = (span, other) if span["confidence"] > other["confidence"] else (other, span)
        merged = {**loser, **winner}
        merged["method"] = "both" if len(methods) > 1 or "both" in methods else winner["method"]
        if span["end"] > other["end"]:  # other starts first (sorted): extend it to span's end
            merged["text"] = other["text"] + span["text"][other["end"] - span["start"] :]
            merged["end"] = span["end"]
        else:
            merged["text"], merged["end"] = other["text"], other["end"]
        merged["start"] = other["start"]
        kept[kept.index(other)] = merged
        group[group.index(other)] = merged
    return sorted(kept, key=lambda s: (s["start"], s["end"], s["technique"]))


def _link_actors(
    profile: dict[str, dict[str, Any]],
    designations: list[dict[str, Any]],
    actors: list[dict[str, Any]],
) -> None:
    """Write the actor id ("a2") of each profiled canonical, where a mention holds one of its
    designations."""
    if not profile or not actors:
        return
    at: dict[tuple[int, int], str] = {}
    for actor in actors:
        for m in actor.get("mentions", ()):
            at.setdefault((m["start"], m["end"]), actor["id"])
    for d in designations:
        entry = profile.get(str(d["refers_to"]))
        if entry is None or "actor" in entry:
            continue
        found = at.get((d["start"], d["end"]))
        if found is not None:
            entry["actor"] = found
