"""Reporting cues and channel words, read from ``data/cue_verbs.txt`` (sources listed there)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from spacy.tokens import Span, Token

from presslens.resources import read_csv


@dataclass(frozen=True, slots=True)
class Cue:
    lemma: str
    type: str  # "speech" | "thought"
    channel: str | None


@dataclass(frozen=True, slots=True)
class Lexicon:
    verbs: dict[str, Cue]  # single-lemma cues
    phrases: dict[tuple[str, ...], Cue]  # multi-word cues, as lemma tuples
    phrase_heads: frozenset[str]  # first lemmas of the phrases
    channels: tuple[tuple[re.Pattern[str], str], ...]  # word pattern -> channel


@cache
def lexicon() -> Lexicon:
    verbs: dict[str, Cue] = {}
    phrases: dict[tuple[str, ...], Cue] = {}
    channels = []
    for row in read_csv("cue_verbs.txt"):
        cue, kind, channel = row["cue"].strip(), row["type"].strip(), row["channel"].strip()
        if kind == "channel":
            pattern = re.compile(r"\b" + r"\s+".join(map(re.escape, cue.split())) + r"s?\b", re.I)
            channels.append((pattern, channel))
            continue
        entry = Cue(cue, kind, channel or None)
        words = tuple(cue.split())
        if len(words) == 1:
            verbs[cue] = entry
        else:
            phrases[words] = entry
    heads = frozenset(words[0] for words in phrases)
    return Lexicon(verbs, phrases, heads, tuple(channels))


def cue_of(token: Token) -> Cue | None:
    """The cue a verb token is (``said``, ``tweeted``, ``lashed`` of "lashed out"), or None."""
    if token.pos_ not in ("VERB", "AUX"):
        return None
    lex = lexicon()
    lemma = token.lemma_.lower()
    if lemma in lex.phrase_heads:
        for child in token.children:
            if child.dep_ == "prt" and (lemma, child.lemma_.lower()) in lex.phrases:
                return lex.phrases[(lemma, child.lemma_.lower())]
    return lex.verbs.get(lemma) if lemma != "be" else None


def cue_span(token: Token) -> Span:
    """The words of a verb cue: the verb with its particle ("lashed out")."""
    end = token.i + 1
    for child in token.children:
        if child.dep_ == "prt" and child.i == end:
            end += 1
    return token.doc[token.i : end]


def according_to(token: Token) -> bool:
    """``token`` is "according" of "according to"."""
    if token.lower_ != "according" or token.i + 1 >= len(token.doc):
        return False
    return token.nbor(1).lower_ == "to"


def channel_in(text: str) -> tuple[str, int, int] | None:
    """The first channel word in ``text``: (channel, start, end), or None."""
    best = None
    for pattern, channel in lexicon().channels:
        m = pattern.search(text)
        if m and (best is None or m.start() < best[1]):
            best = (channel, m.start(), m.end())
    return best
