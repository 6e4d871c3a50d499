"""Numeric claims: counts with their unit, what they count, and who claims them.

``find_claims`` reports every number the parse ties to a count word of
``data/count_nouns.csv`` ("nearly 1,000 fatalities", "over 600 lives lost", "wounding over 150
Palestinians", "dozens of others were injured", "the death toll rose to 300"). Years, dates,
ages, times, percentages, money, list numbers and numbers that count nothing in the lexicon
("five Palestinian groups") are left out.

One record per count. Coordinated counts ("wounding over 150 Palestinians and detaining 400
others") are two records sharing one ``clause`` span, so each keeps its own value and
category while the evidence of the whole statement stays at hand.

Records: {"text", "start", "end" (body offsets of the claim), "value" (int), "value_text"
("1,000", "dozens"), "approx" ("over" | "at least" | "nearly" | "about" | "under" | "up to" |
"vague" | None), "lower", "upper" (the range the wording allows; None = open; "over"/"under"
exclude the bound itself; "nearly" and "about" are read as within 10%; "vague" words such as
"dozens" span 2 x scale up to the next power of ten), "unit" ("people", "Palestinians",
"homes"), "counts" ("killed" | "wounded" | "casualties" | "detained" | "abducted" |
"displaced" | "missing" | "destroyed" | "projectiles" | "strikes"; "casualties" is killed and
wounded together, see the data file), "source" ({"text", "start", "end"[, "refers_to"]} or
None), "source_via" ("quote" | "report_verb" | "according_to" | None), "clause" ({"text",
"start", "end"}: the span of the claim and the claims coordinated with it)}.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from spacy.tokens import Doc

from presslens.claims.counted import Counted, counted
from presslens.claims.numbers import Number, find_numbers
from presslens.claims.source import Sources

__all__ = ["find_claims"]


def find_claims(body: str, doc: Doc, quotes: Sequence[dict[str, Any]] = ()) -> list[dict[str, Any]]:
    """Numeric claims in ``body`` (parsed as ``doc``), in text order; ``quotes`` are the
    quotes stage's records, whose speakers become the sources of counts inside them."""
    sources = Sources(doc, quotes)
    found: list[tuple[Number, Counted, dict[str, Any]]] = []
    last_unit: dict[int, str] = {}  # sentence start -> unit of the last claim in it
    for num in find_numbers(doc):
        what = counted(doc, num)
        if what is None:
            continue
        first, last = doc[what.first], doc[what.last]
        start, end = first.idx, last.idx + len(last.text)
        if "\n" in body[start:end]:
            continue  # a claim sits in one paragraph; this is a parse across broken text
        sent_start = doc[num.head].sent.start
        unit = what.unit
        if what.stand_in and sent_start in last_unit:
            unit = last_unit[sent_start]  # "150 Palestinians and 400 others"
        elif not what.stand_in:
            last_unit[sent_start] = unit
        num_first, num_last = doc[num.start], doc[num.end - 1]
        source, via = sources.find(what.anchor, start, end)
        record: dict[str, Any] = {
            "text": body[start:end],
            "start": start,
            "end": end,
            "value": num.value,
            "value_text": body[num_first.idx : num_last.idx + len(num_last.text)],
            "approx": num.approx,
            "lower": num.lower,
            "upper": num.upper,
            "unit": unit,
            "counts": what.counts,
            "source": source,
            "source_via": via,
        }
        found.append((num, what, record))
    _clauses(body, found)
    return [record for _, _, record in found]


def _clauses(body: str, found: list[tuple[Number, Counted, dict[str, Any]]]) -> None:
    """Give each record the span of its coordination group ("wounding … and detaining …")."""
    group = list(range(len(found)))

    def root(k: int) -> int:
        while group[k] != k:
            group[k] = group[group[k]]
            k = group[k]
        return k

    where = {}
    for k, (_, what, _) in enumerate(found):
        for key in what.keys:
            where[key.i] = k
    for k, (_, what, _) in enumerate(found):
        for key in what.keys:
            if key.dep_ == "conj" and key.head.i in where:
                group[root(k)] = root(where[key.head.i])
    spans: dict[int, tuple[int, int]] = {}
    for k, (_, _, record) in enumerate(found):
        r = root(k)
        s, e = spans.get(r, (record["start"], record["end"]))
        spans[r] = (min(s, record["start"]), max(e, record["end"]))
    for k, (_, _, record) in enumerate(found):
        s, e = spans[root(k)]
        record["clause"] = {"text": body[s:e], "start": s, "end": e}
