"""Numbers as written in news text: digits, number words, "1.5 million", "hundreds of".

``find_numbers`` walks the tokens once and returns each number expression with its value, the
bounds its wording implies ("over 600", "nearly 1,000", "dozens of") and whether it looks like
something other than a count (a year, an age, a time, a percentage, money, list numbering),
which callers drop or accept only before a count noun.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from presslens.claims.lexicon import lexicon

_UNITS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
)
_SMALL = {w: i for i, w in enumerate(_UNITS.split(" "))}
_TENS = {
    w: 10 * i
    for i, w in enumerate(
        ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"], 2
    )
}
_SCALES = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
_SUFFIX = {"k": 1_000, "m": 1_000_000, "mn": 1_000_000, "bn": 1_000_000_000}
_FEW = frozenset({"several", "few"})  # "several hundred", "a few thousand"

_DIGITS = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
_GLUED = re.compile(r"(\d+(?:\.\d+)?)(k|m|mn|bn)", re.I)
_EURO = re.compile(r"\d{1,3}(?:\.\d{3})+")  # "1.000" for a thousand, where counts are whole

_MONTHS = frozenset({
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
    "sept", "oct", "nov", "dec",
})  # fmt: skip
_YEAR_BEFORE = _MONTHS | {
    "in", "since", "of", "from", "until", "till", "by", "before", "after", "during", "year",
    "early", "late", "mid", "summer", "winter", "spring", "autumn", "fall",
}  # fmt: skip
_NOT_COUNT_AFTER = frozenset(
    {"%", "percent", "per", "pc", "a.m.", "p.m.", "am", "pm", "gmt", "utc", "o'clock", "hrs"}
)
_AGE_BEFORE = frozenset({"aged", "age", "ages"})
_WEAK_ENTS = frozenset({"DATE", "TIME", "MONEY", "PERCENT", "ORDINAL"})
_CURRENCY = frozenset("$€£¥₪﷼")


@dataclass(slots=True)
class Number:
    """One number expression; token indices into the doc."""

    start: int  # first token of the number itself
    end: int  # one past its last token (value_text is doc[start:end])
    phrase_start: int  # with the approximation words before it ("nearly")
    phrase_end: int  # with words after it ("or more")
    head: int  # the token the parser hangs the expression on
    value: int | float
    approx: str | None
    lower: int | float | None
    upper: int | float | None
    weak: bool  # tagged DATE/TIME/MONEY/...: a count only before a count noun


def find_numbers(doc: Doc) -> list[Number]:
    """Every number expression of ``doc`` that may be a count, in text order."""
    out: list[Number] = []
    n = len(doc)
    i = 0
    while i < n:
        parsed = _parse(doc, i)
        if parsed is None:
            i += 1
            continue
        end, value, vague = parsed
        num = _finish(doc, i, end, value, vague)
        if num is not None:
            out.append(num)
        i = max(end, i + 1)
    return out


def _kind(tok: Token) -> tuple[str, float] | None:
    """What one token is in a number: ("digits", v), ("small", v), ("tens", v), ("hundred",
    100), ("scale", v), ("dozen", 12), ("vague", scale), ("glued", v) or None."""
    low = tok.lower_
    if low[:1].isdigit():
        if _DIGITS.fullmatch(low):
            return "digits", _digits(low)
        if m := _GLUED.fullmatch(low):
            return "glued", float(m.group(1)) * _SUFFIX[m.group(2).lower()]
        return None
    if low in _SMALL:
        return "small", _SMALL[low]
    if low in _TENS:
        return "tens", _TENS[low]
    if low == "hundred":
        return "hundred", 100
    if low in _SCALES:
        return "scale", _SCALES[low]
    if low == "dozen":
        return "dozen", 12
    scale = lexicon().vague.get(low)
    if scale is not None:
        return "vague", scale
    return None


def _digits(text: str) -> float:
    if _EURO.fullmatch(text) and "," not in text:
        return float(text.replace(".", ""))
    return float(text.replace(",", ""))


def _parse(doc: Doc, i: int) -> tuple[int, float, tuple[int, int] | None] | None:
    """The number starting at token ``i``: (end, value, vague bounds or None), or None."""
    tok = doc[i]
    n = len(doc)
    low = tok.lower_
    # "a hundred", "a dozen"; "several hundred", "a few thousand"
    if low in ("a", "an") or low in _FEW:
        j = i + 1
        if low in ("a", "an") and j < n and doc[j].lower_ == "few":
            j += 1
        nxt = _kind(doc[j]) if j < n else None
        if nxt is None or nxt[0] not in ("hundred", "scale", "dozen"):
            return None
        if low in ("a", "an") and j == i + 1:
            return _words(doc, j, start_value=1.0)
        scale = int(nxt[1])
        return j + 1, 2 * scale, _vague_bounds(scale)
    kind = _kind(tok)
    if kind is None:
        return None
    if kind[0] == "vague":
        scale = int(kind[1])
        end = i + 1
        # "tens of thousands", "hundreds of thousands"
        if end + 1 < n and doc[end].lower_ == "of":
            more = _kind(doc[end + 1])
            if more is not None and more[0] == "vague" and more[1] >= 1000:
                scale *= int(more[1])
                end += 2
        return end, 2 * scale, _vague_bounds(scale)
    if kind[0] in ("hundred", "scale", "dozen"):
        return None  # a bare "thousand" without a count before it is not a number here
    return _words(doc, i)


def _words(doc: Doc, i: int, start_value: float | None = None) -> tuple[int, float, None] | None:
    """Digits and number words from ``i``: "1,000", "1.5 million", "two hundred and fifty",
    "twenty-five", "1.5m"."""
    n = len(doc)
    total = 0.0
    current = start_value
    last: str | None = "a" if start_value is not None else None
    j = i
    while j < n:
        tok = doc[j]
        kind = _kind(tok)
        if kind is None:
            low = tok.lower_
            # "two hundred and fifty", "twenty-five"
            if j + 1 < n and (
                (low == "and" and last in ("hundred", "scale"))
                or (low in ("-", "–") and last == "tens" and not doc[j - 1].whitespace_)
            ):
                after = _kind(doc[j + 1])
                if (
                    after is not None
                    and after[0] in ("small", "tens")
                    and (low == "and" or after[0] == "small")
                ):
                    j += 1
                    continue
            if low in _SUFFIX and last in ("digits",) and not doc[j - 1].whitespace_:
                current = (current or 0) * _SUFFIX[low]
                last = "scale"
                j += 1
            break
        name, value = kind
        if name in ("digits", "glued"):
            if last is not None:
                break
            current = value
        elif name == "small":
            if last not in (None, "tens", "hundred", "scale") or (last == "tens" and value >= 10):
                break
            current = (current or 0) + value
        elif name == "tens":
            if last not in (None, "hundred", "scale"):
                break
            current = (current or 0) + value
        elif name == "hundred":
            if last not in ("small", "digits", "a") or (current or 0) >= 100:
                break
            current = (current or 1) * 100
        elif name == "dozen":
            if last not in ("small", "digits", "a"):
                break
            current = (current or 1) * 12
        elif name == "scale":
            if last is None or last == "scale":
                break
            total += (current or 1) * value
            current = None
        else:  # vague words do not continue an exact number
            break
        last = name
        j += 1
    if j == i or last in (None, "a"):
        return None
    value = total + (current or 0)
    return j, value, None


def _vague_bounds(scale: int) -> tuple[int, int]:
    """Bounds of "dozens"/"hundreds of thousands": 2 x scale up to the next power of ten - 1."""
    lower = 2 * scale
    return lower, 10 ** (int(math.log10(lower)) + 1) - 1


def _finish(
    doc: Doc, start: int, end: int, value: float, vague: tuple[int, int] | None
) -> Number | None:
    """Checks and bounds of one parsed expression; None for what is not a count."""
    if value != int(value):
        return None  # "2.5" of something: a measure, not a count of people or things
    value_out: int | float = int(value)
    if value_out <= 0 or _not_a_count(doc, start, end):
        return None
    approx, phrase_start = _approx_before(doc, start)
    phrase_end = end
    after = _approx_after(doc, end)
    if after is not None:
        after_label, phrase_end = after
        approx = approx or after_label
    if vague is not None:
        lower, upper = vague
        approx = approx or "vague"
    else:
        lower, upper = _bounds(approx, value_out)
    weak = any(doc[k].ent_type_ in _WEAK_ENTS for k in range(start, end))
    return Number(
        start, end, phrase_start, phrase_end, _head(doc, start, end),
        value_out, approx, lower, upper, weak,
    )  # fmt: skip


def _not_a_count(doc: Doc, start: int, end: int) -> bool:
    """A year, date, age, time, percentage, money, model name or list number."""
    first, last = doc[start], doc[end - 1]
    prev = doc[start - 1] if start > 0 else None
    nxt = doc[end] if end < len(doc) else None
    if (
        prev is not None
        and not prev.whitespace_
        and (prev.is_alpha or prev.text in ("-", "–", "/", "#", "№") or prev.text in _CURRENCY)
    ):
        return True  # F-16, COVID-19, $500, No.5
    if prev is not None and (prev.lower_ in _AGE_BEFORE or prev.text in _CURRENCY):
        return True
    if nxt is not None:
        nlow = nxt.lower_
        if nlow in _NOT_COUNT_AFTER or nlow.startswith(("%", "percent")):
            return True
        if nlow in ("-", "–") and not last.whitespace_ and end + 1 < len(doc):
            word = doc[end + 1].lower_
            if word not in ("odd", "plus") and doc[end + 1].is_alpha:
                return True  # 15-year-old, 30-day, 1,000-strong
        if nlow in ("year", "years") and end + 1 < len(doc) and doc[end + 1].lower_ == "old":
            return True
        if nlow in ("year-old", "years-old"):
            return True
        if nlow in (".", ")") and _opens_line(doc, start):
            return True  # "1." / "2)" list numbering
        if nxt.text in ("/", ":") and not last.whitespace_:
            return True  # 9/11, 10:30
    if end - start == 1 and first.is_digit and len(first.text) == 4 and "," not in first.text:
        year = int(first.text)
        if 1000 <= year <= 2199 and (
            first.ent_type_ == "DATE" or (prev is not None and prev.lower_ in _YEAR_BEFORE)
        ):
            return True
    if first.lower_ == "one" and end - start == 1:
        if prev is not None and prev.lower_ in ("no", "any", "every", "the", "this", "that"):
            return True
        if nxt is not None and nxt.lower_ in ("of", "another", "day", "by"):
            return True
        if nxt is not None and (nxt.tag_ == "MD" or nxt.lower_ in ("also", "must", "should")):
            return True  # "one can perish": the pronoun
    return False


def _opens_line(doc: Doc, i: int) -> bool:
    if i == 0:
        return True
    prev = doc[i - 1]
    return (prev.is_space and "\n" in prev.text) or "\n" in prev.whitespace_


def _approx_before(doc: Doc, start: int) -> tuple[str | None, int]:
    lex = lexicon()
    for size in range(min(lex.approx_longest, start), 0, -1):
        words = tuple(t.lower_ for t in doc[start - size : start])
        label = lex.approx.get(words)
        if label is not None:
            return label, start - size
    return None, start


def _approx_after(doc: Doc, end: int) -> tuple[str, int] | None:
    """ "1,000 or more", "30 or so", "30-odd", "30-plus"."""
    n = len(doc)
    if end + 1 < n and doc[end].lower_ == "or":
        word = doc[end + 1].lower_
        if word == "more":
            return "at least", end + 2
        if word == "so":
            return "about", end + 2
    if end + 1 < n and doc[end].text in ("-", "–") and doc[end + 1].lower_ in ("odd", "plus"):
        return ("about" if doc[end + 1].lower_ == "odd" else "over"), end + 2
    if end < n and (doc[end].lower_ == "plus" or doc[end].text == "+"):
        return "over", end + 1
    return None


def _bounds(approx: str | None, value: int) -> tuple[int | None, int | None]:
    """Bounds the approximation word implies (see count_nouns.csv, kind approx)."""
    if approx is None:
        return value, value
    if approx in ("over", "at least"):
        return value, None
    if approx in ("under", "up to"):
        return None, value
    if approx == "nearly":
        return value * 9 // 10, value
    if approx == "about":
        return value * 9 // 10, -(-value * 11 // 10)
    return None, None


def _head(doc: Doc, start: int, end: int) -> int:
    """The token of the expression whose head lies outside it (the rightmost such)."""
    best = end - 1
    for k in range(start, end):
        h = doc[k].head.i
        if not start <= h < end or h == k:
            best = k
    return best
