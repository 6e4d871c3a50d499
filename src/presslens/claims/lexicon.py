"""The words of numeric claims, read once from ``data/count_nouns.csv`` (sources listed there)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from presslens.resources import read_csv


@dataclass(frozen=True, slots=True)
class Meaning:
    """What a count word says: the category counted, the argument counted, a default unit."""

    counts: str
    counted: str  # event rows: "object" | "subject" | "either"; "" otherwise
    unit: str


@dataclass(frozen=True, slots=True)
class Lexicon:
    nouns: dict[str, Meaning]  # lemma or "compound lemma" -> meaning
    events: dict[str, Meaning]  # verb / adjective / event-noun lemma -> meaning
    pairs: dict[tuple[str, str], Meaning]  # (noun lemma, verb lemma) -> meaning
    tolls: dict[str, Meaning]  # tally noun (or "death toll") -> meaning; counts "" = qualifier
    reports: dict[str, str]  # verb lemma -> "any" | "toll"
    approx: dict[tuple[str, ...], str]  # lower-case words before a number -> approx label
    approx_longest: int
    vague: dict[str, int]  # plural quantity word -> scale


@cache
def lexicon() -> Lexicon:
    nouns: dict[str, Meaning] = {}
    events: dict[str, Meaning] = {}
    pairs: dict[tuple[str, str], Meaning] = {}
    tolls: dict[str, Meaning] = {}
    reports: dict[str, str] = {}
    approx: dict[tuple[str, ...], str] = {}
    vague: dict[str, int] = {}
    for row in read_csv("count_nouns.csv"):
        term, kind, means = row["term"].strip(), row["kind"].strip(), row["means"].strip()
        meaning = Meaning(means, row["counted"].strip(), row["unit"].strip())
        if kind == "noun":
            nouns[term] = meaning
        elif kind == "event":
            events[term] = meaning
        elif kind == "pair":
            noun, verb = term.split()
            pairs[(noun, verb)] = meaning
        elif kind == "toll":
            tolls[term] = meaning
        elif kind == "report":
            reports[term] = row["counted"].strip() or "any"
        elif kind == "approx":
            approx[tuple(term.split())] = means
        elif kind == "vague":
            vague[term] = int(means)
        else:
            raise ValueError(f"count_nouns.csv: unknown kind {kind!r} for {term!r}")
    longest = max((len(k) for k in approx), default=0)
    return Lexicon(nouns, events, pairs, tolls, reports, approx, longest, vague)
