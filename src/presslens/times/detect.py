"""Where the time expressions of a body are: spaCy's DATE and TIME entities, plus one
compiled pattern for what the small model misses ("now", "last week", "the third quarter",
"in 2020", "Friday morning"). Overlapping candidates are merged; a candidate that does not
read as a time is split at a range ("2009-2010") or searched for a readable part.
"""

from __future__ import annotations

import re
from functools import cache

from spacy.tokens import Doc

from presslens.meta.dates_text import alternation
from presslens.times.lexicon import MONTH_NAMES, MONTHS, WEEKDAY_NAMES, words

_Y = r"(?:1[0-9]\d\d|20\d\d)(?![\d])"
_MON = (
    r"(?-i:(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.|Sept\b|"
    + "|".join(MONTH_NAMES)
    + r")"
)
_MON_LOW = "|".join(m.lower() for m in MONTH_NAMES)
_WD = r"(?-i:" + "|".join(WEEKDAY_NAMES) + r")"
_DAYN = r"[0-3]?\d(?:st|nd|rd|th)?(?![\d:])"
_POD = r"(?:morning|afternoon|evening|night)"
_PRE = r"(?:(?:early|late|mid|the\s+(?:end|beginning|middle|start)\s+of)[\s-]+)?"
_NUMW = (
    r"(?:\d{1,3}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen"
    r"|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|a\s+hundred|hundred|several"
    r"|a\s+few|a\s+couple\s+of|a\s+dozen)(?:[\s-](?:one|two|three|four|five|six|seven|eight"
    r"|nine))?"
)
_UNITS = r"(?:days?|weeks?|months?|years?|decades?|centuries|hours?)"
_DET = (
    r"(?:this|last|next|the\s+past|the\s+last|the\s+previous|the\s+coming|the\s+next"
    r"|the\s+following|this\s+past|this\s+coming|the\s+current)"
)
_ORD = r"(?:first|second|third|fourth|1st|2nd|3rd|4th)"
_YS = rf"(?:(?:fiscal\s+)?{_Y}|this\s+year|last\s+year|next\s+year)"


@cache
def pattern() -> re.Pattern[str]:
    """One pattern over the body for the expressions spaCy's small model tends to miss."""
    holidays = "|".join(
        re.escape(h).replace(r"\ ", r"\s+") for h in sorted(words("holiday"), key=len)[::-1]
    )
    refs = "|".join(
        re.escape(h).replace(r"\ ", r"\s+") for h in sorted(words("ref"), key=len)[::-1]
    )
    parts = [
        # Friday, Friday morning, last Friday, Friday, March 29, 2024
        rf"{_PRE}(?:(?:last|next|this|this\s+past|this\s+coming)\s+)?{_WD}"
        rf"(?:,?\s+(?:{_MON}\s+{_DAYN}|{_DAYN}\s+(?:of\s+)?{_MON})(?:,?\s+{_Y})?)?"
        rf"(?:\s+{_POD})?",
        # March 29, 2024; 29 March 2024; March 2024; March 29
        rf"{_PRE}{_MON}\s+{_DAYN}(?:,?\s+{_Y})?",
        rf"(?<![\d.,])[0-3]?\d(?:st|nd|rd|th)?\s+(?:of\s+)?{_MON}(?:,?\s+{_Y})?",
        rf"{_PRE}{_MON},?\s+(?:of\s+)?{_Y}",
        # a bare month only after a word that makes it one ("in May", "last March")
        rf"(?:(?:last|next|this|early|late|mid)[\s-]+|(?<=\bin\s)|(?<=\bsince\s)"
        rf"|(?<=\buntil\s)|(?<=\bby\s))(?-i:{'|'.join(MONTH_NAMES)})\b(?!\s+\d)",
        # today, yesterday morning, tonight, last night
        rf"(?:the\s+day\s+(?:before|after)\s+)?(?:today|tonight|tomorrow|yesterday)"
        rf"(?:\s+{_POD})?|(?:this|last)\s+{_POD}",
        # this week, last year, next month, earlier this year, the past week
        rf"(?:(?:earlier|later|early|late)\s+)?{_DET}\s+(?:week(?:end)?|month|year|decade"
        r"|century|quarter|spring|summer|fall|autumn|winter)\b",
        r"(?:the|this|last|next)\s+weekend|(?:the\s+)?year[\s-]end",
        # two months ago, a year earlier, the year-ago quarter
        rf"(?:(?:about|some|nearly|almost|more\s+than|less\s+than|over|just|only)\s+)?"
        rf"{_NUMW}\s+{_UNITS}\s+(?:ago|earlier|later|from\s+now)",
        r"(?:the\s+)?year[\s-](?:ago|earlier)(?:\s+(?:quarter|period))?",
        # years after a preposition that makes them dates
        rf"(?:(?<=\bin\s)|(?<=\bsince\s)|(?<=\bby\s)|(?<=\buntil\s)|(?<=\bduring\s)"
        rf"|(?<=\bbefore\s)|(?<=\bafter\s)|(?:fiscal|calendar)\s+){_Y}"
        r"(?!\s*(?:%|percent|per\b|[.,]\d))",
        # the 1990s, the '90s, the nineties, the 20th century
        r"(?:the\s+)?(?:(?:early|mid|late)[\s-]+)?(?:1[0-9]|20)\d0'?s\b",
        r"the\s+(?:(?:early|mid|late)[\s-]+)?'?\d0'?s\b",
        r"the\s+(?:(?:early|mid|late)[\s-]+)?(?:twenties|thirties|forties|fifties|sixties"
        r"|seventies|eighties|nineties)\b",
        r"(?:the\s+)?(?:\d{1,2}(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|seventh"
        r"|eighth|ninth|tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth"
        r"|seventeenth|eighteenth|nineteenth|twentieth|twenty[\s-]first)\s+century\b",
        # the third quarter, third-quarter, the fourth quarter of 1989, Q3 2024
        rf"(?:(?:this|last|next)\s+year'?s\s+)?(?:the\s+)?(?:{_Y}\s+)?(?:fiscal\s+)?{_ORD}"
        r"(?:[\s-]+fiscal)?"
        rf"[\s-]+(?:quarter|half)\b(?:\s+of\s+(?:the\s+)?{_YS})?",
        rf"(?-i:\bQ[1-4]\b)(?:\s+{_Y})?",
        r"the\s+(?:latest|current|previous|past|same|year[\s-]ago|year[\s-]earlier)\s+quarter"
        r"|the\s+quarter\b|the\s+(?:latest|year[\s-]ago|year[\s-]earlier|same|comparable"
        r"|corresponding)\s+period",
        # seasons with a year
        rf"(?:the\s+)?(?:spring|summer|fall|autumn|winter)\s+(?:of\s+)?{_Y}",
        # clock times
        r"(?<![\d.:])[01]?\d(?:[:.][0-5]\d)?\s*(?:a\.m\.|p\.m\.|am\b|pm\b)",
        r"\b(?:noon|midnight)\b",
        # every Friday, each year
        rf"(?:every|each)\s+(?:other\s+)?(?:day|week|weekend|month|year|{_WD}|(?-i:{_MON_LOW}))\b",
        # durations after "for" ("for 40 years")
        rf"(?<=\bfor\s){_NUMW}\s+(?:more\s+)?{_UNITS}(?![\s-]+old)",
        # 2024-03-29, 03/29/2024 (read by presslens.meta.dates_text.find_dates)
        r"(?<![\d./-])(?:(?:1[0-9]|20)\d\d-[01]\d-[0-3]\d|[0-3]?\d/[0-3]?\d/(?:1[0-9]|20)\d\d)"
        r"(?![\d/-])",
        # words of data/time_words.txt: now, recently, Christmas
        rf"(?:(?:last|next|this)\s+)?(?:{holidays})(?:,?\s+{_Y})?",
        rf"(?:{refs})",
    ]
    body = "|".join(f"(?:{p})" for p in parts)
    # Every match begins with a digit or one of these words: checking them first, as a
    # trie, lets most word starts fail at once instead of trying each alternative.
    first = alternation(
        sorted(
            _first_words()
            | {h.split()[0] for h in words("holiday")}
            | {r.split()[0] for r in words("ref")}
        )
    )
    guard = rf"(?=\d|(?:{first})(?![a-z]))"
    return re.compile(rf"(?<![\w'-]){guard}(?:{body})(?![\w'])", re.I)


_STARTS = (
    ("early", "late", "mid", "the", "last", "next", "this", "earlier", "later", "every", "each"),
    ("today", "tonight", "tomorrow", "yesterday", "noon", "midnight", "year", "fiscal"),
    ("about", "some", "nearly", "almost", "more", "less", "over", "just", "only", "several"),
    ("a", "an", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"),
    ("eleven", "twelve", "fifteen", "twenty", "thirty", "forty", "fifty", "sixty", "seventy"),
    ("eighty", "ninety", "hundred", "calendar", "q", "spring", "summer", "fall", "autumn"),
    ("winter", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth"),
    ("ninth", "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth"),
    ("sixteenth", "seventeenth", "eighteenth", "nineteenth", "twentieth", "sept"),
)


def _first_words() -> set[str]:
    """Words a match of ``pattern`` can start with (besides digits and data-file phrases)."""
    names = [n.lower() for n in (*MONTH_NAMES, *WEEKDAY_NAMES)]
    return {w for group in _STARTS for w in group} | set(names) | set(MONTHS)


def pattern_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in pattern().finditer(text)]


def entity_spans(doc: Doc | None) -> list[tuple[int, int]]:
    if doc is None:
        return []
    return [(e.start_char, e.end_char) for e in doc.ents if e.label_ in ("DATE", "TIME")]


def clusters(spans: list[tuple[int, int, str]]) -> list[list[tuple[int, int, str]]]:
    """Candidates grouped where they overlap, in text order."""
    out: list[list[tuple[int, int, str]]] = []
    end = -1
    for span in sorted(spans):
        if out and span[0] < end:
            out[-1].append(span)
            end = max(end, span[1])
        else:
            out.append([span])
            end = span[1]
    return out


_RANGE = re.compile(
    r"(?:(?:between|from)\s+)?(?P<a>.+?)\s*(?:-|–|—|\bto\b|\bthrough\b|\buntil\b|\band\b|/)\s*"
    r"(?P<b>.+)",
    re.I,
)


def range_parts(text: str) -> list[tuple[int, int]] | None:
    """The two ends of a range written as one span ("2009-2010", "between May and June")."""
    m = _RANGE.fullmatch(text)
    if m is None:
        return None
    return [m.span("a"), m.span("b")]
