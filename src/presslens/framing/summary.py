"""Article and outlet summaries of framing: technique rates, designation profiles, and the
sentences that carry them, so a reader can compare outlets and check every figure against
its spans.

Words are counted with one regex on the body (not spaCy tokens) so that an outlet summary
computed later from JSON records gives the same counts as the article summary did.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable
from typing import Any

from spacy.tokens import Doc

CLASSES = ("neutral", "pejorative", "honorific", "euphemistic")
UNKNOWN_OUTLET = "(unknown)"
_WORD = re.compile(r"\w+(?:['’\-]\w+)*")
_SENT_END = re.compile(r"(?<=[.!?…])[\"”’)]*\s+|\n\s*\n")


def count_words(body: str) -> int:
    return sum(1 for _ in _WORD.finditer(body))


def per_thousand(count: int, words: int) -> float:
    return round(1000.0 * count / words, 2) if words else 0.0


def designation_profile(designations: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """{canonical: {class: n, ..., "terms": {words used: n}}}; classes always present."""
    out: dict[str, dict[str, Any]] = {}
    for d in designations:
        actor = out.setdefault(
            str(d["refers_to"]), {**dict.fromkeys(CLASSES, 0), "terms": Counter()}
        )
        cls = str(d.get("class") or "neutral")
        actor[cls] = actor.get(cls, 0) + 1
        actor["terms"][" ".join(str(d["text"]).split())] += 1
    for actor in out.values():
        actor["terms"] = dict(actor["terms"].most_common())
    return out


def _merge_profile(into: dict[str, dict[str, Any]], other: dict[str, dict[str, Any]]) -> None:
    for name, prof in other.items():
        have = into.setdefault(name, {**dict.fromkeys(CLASSES, 0), "terms": {}})
        for key, value in prof.items():
            if key == "terms":
                for term, n in value.items():
                    have["terms"][term] = have["terms"].get(term, 0) + n
            else:
                have[key] = have.get(key, 0) + value


def _sentence_bounds(body: str, doc: Doc | None) -> list[tuple[int, int]]:
    if doc is not None and doc.has_annotation("SENT_START"):
        return [(s.start_char, s.end_char) for s in doc.sents]
    out, start = [], 0
    for m in _SENT_END.finditer(body):
        out.append((start, m.start()))
        start = m.end()
    out.append((start, len(body)))
    return [(s, e) for s, e in out if e > s]


def _sentences(
    body: str,
    doc: Doc | None,
    techniques: list[dict[str, Any]],
    designations: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    marked = [d for d in designations if d.get("class", "neutral") != "neutral"]
    if not techniques and not marked:
        return []
    bounds = _sentence_bounds(body, doc)
    starts = [s for s, _ in bounds]
    found: dict[int, dict[str, Any]] = {}

    def slot(offset: int) -> dict[str, Any]:
        i = max(0, bisect_right(starts, offset) - 1)
        s, e = bounds[i]
        return found.setdefault(
            i,
            {"start": s, "end": e, "text": body[s:e], "techniques": [], "designations": []},
        )

    for t in techniques:
        slot(t["start"])["techniques"].append(
            {k: t[k] for k in ("technique", "text", "start", "end", "confidence")}
        )
    for d in marked:
        slot(d["start"])["designations"].append(
            {k: d[k] for k in ("text", "start", "end", "refers_to", "class")}
        )
    return [found[i] for i in sorted(found)]


def article_summary(
    body: str,
    doc: Doc | None,
    techniques: list[dict[str, Any]],
    designations: list[dict[str, Any]],
) -> dict[str, Any]:
    """Figures of one article; every sentence listed carries a technique or a non-neutral
    designation, with the spans that put it there."""
    words = count_words(body)
    return {
        "words": words,
        "techniques": len(techniques),
        "techniques_per_1000_words": per_thousand(len(techniques), words),
        "by_technique": dict(Counter(t["technique"] for t in techniques).most_common()),
        "designation_profile": designation_profile(designations),
        "sentences": _sentences(body, doc, techniques, designations),
    }


def _outlet_name(record: dict[str, Any]) -> str:
    outlet = record.get("outlet")
    value = outlet.get("value") if isinstance(outlet, dict) else outlet
    return str(value) if value else UNKNOWN_OUTLET


def outlet_summary(records: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Aggregate article records (``Article.to_dict()``) by outlet: {outlet: {"articles",
    "words", "techniques", "techniques_per_1000_words", "by_technique",
    "designation_profile"}}. Articles without a known outlet go under "(unknown)"; records
    that are not articles (read errors) are skipped."""
    out: dict[str, dict[str, Any]] = {}
    for rec in records:
        if not isinstance(rec, dict) or "body" not in rec:
            continue
        name = _outlet_name(rec)
        agg = out.setdefault(
            name,
            {"articles": 0, "words": 0, "techniques": 0, "by_technique": Counter(), "profile": {}},
        )
        techniques = rec.get("techniques") or []
        agg["articles"] += 1
        agg["words"] += count_words(rec["body"] or "")
        agg["techniques"] += len(techniques)
        agg["by_technique"].update(t["technique"] for t in techniques)
        _merge_profile(agg["profile"], designation_profile(rec.get("designations") or []))
    return {
        name: {
            "articles": agg["articles"],
            "words": agg["words"],
            "techniques": agg["techniques"],
            "techniques_per_1000_words": per_thousand(agg["techniques"], agg["words"]),
            "by_technique": dict(agg["by_technique"].most_common()),
            "designation_profile": agg["profile"],
        }
        for name, agg in sorted(out.items())
    }
