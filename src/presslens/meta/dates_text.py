"""Publication dates of scraped text pages, and the date expressions both paths read.

A scraped page shows several dates above the story and only one of them, if any,
is the publication date. Where a date sits decides what it is: a date line under
the headline, a byline date or a dateline opening the story is the publication
date; a date alone above the headline is the site's "today" widget (page chrome),
and so is a date beside a weather widget. Dates inside the story are events, not
publication (the time stage reads those). Relative ages ("2 months ago") become
dates only against a known crawl time. When the evidence is not there the answer
is "unknown", never a guess.

Date expressions are found with regular expressions over month names in some
forty languages (taken from dateparser's tables), so reading is fast and never
turns an age or a price into a year.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from importlib.resources import files
from typing import Literal

from presslens.clean.lines import Line
from presslens.model import DateField, Evidence

Precision = Literal["day", "month", "year"]

# Languages whose month and weekday names are read (dateparser module names).
LANGUAGES = [
    "en",
    "de",
    "fr",
    "es",
    "it",
    "pt",
    "nl",
    "sv",
    "da",
    "nb",
    "fi",
    "pl",
    "cs",
    "sk",
    "sl",
    "hr",
    "bs",
    "sr-Latn",
    "ro",
    "hu",
    "tr",
    "id",
    "ms",
    "sq",
    "lt",
    "lv",
    "et",
    "ru",
    "uk",
    "bg",
    "el",
    "ca",
    "fa",
    "ar",
]
_MONTH_KEYS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_WEEKDAY_KEYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

# How far below the headline a date may sit (before the body start, when that is known).
META_LINES_AFTER_TITLE = 6
# A line longer than this is prose, not a date or byline line.
MAX_META_LINE = 160
# Words a date line may carry besides the date, time, weekday and cue ("folder_open").
MAX_RESIDUAL_WORDS = 3
MAX_BYLINE_WORDS = 8
# Lines read as the header of a page with neither headline, body nor prose paragraph.
HEADER_LINES = 12
# Without a known headline, how far above the body start a bare date line may sit.
ABOVE_BODY = 3
# A plain date at most this many lines above the headline, below the first PAGE_TOP
# lines of the page, is the story's kicker date; higher up it is the site's widget.
KICKER_REACH = 2
PAGE_TOP = 3
# How many lines away a weather reading or widget word marks a date as page chrome.
CHROME_REACH = 2

_YEAR = r"(?:19[89]\d|20\d\d)"
_TIME = re.compile(
    r"\s*(?:[,|@-]\s*|at\s+|um\s+|à\s+|-\s+)?(?<!\d)[0-2]?\d[:h][0-5]\d(?::[0-5]\d)?"
    r"(?:\s*[ap]\.?m\.?)?(?:\s*(?:[A-Z]{2,5}|GMT|UTC)(?:\s*[+-]\s*\d{1,2}(?::?\d\d)?)?)?(?!\w)",
    re.I,
)
_RELATIVE = re.compile(
    r"(?:(?<!\d)(?P<n>\d{1,3})|\b(?P<w>an?|one|two|three|four|five|six|seven|eight|nine|ten"
    r"|eleven|twelve))\s*(?P<u>sec(?:ond)?s?|min(?:ute)?s?|h(?:ou)?rs?|hours?|days?|weeks?"
    r"|months?|years?|yrs?)\.?\s+ago\b|\b(?P<k>yesterday|today|just now)\b",
    re.I,
)
_NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}
_BYLINE_START = re.compile(r"^(?:by|von|par|por|di|door|av|от)\b", re.I)
_WORDS = re.compile(r"[^\W_]+(?:[_'’.-][^\W_]+)*")
_TEMPERATURE = re.compile(r"(?<!\w)-?\d{1,3}(?:[.,]\d)?\s*°?\s*[FC℃℉](?!\w)|°")
_RANGE = re.compile(r"\s*(?:[-–—]|to|bis|au|al|until|till)\s*", re.I)
# Little words a date line carries around the date ("on", "at", "le", "am").
_FILLER = re.compile(
    r"(?<![^\W_])(?:on|at|the|of|am|um|le|el|de|du|der|den|dem|à|в|il|a)(?![^\W_])", re.I
)
_DATELINE_AFTER = re.compile(r"\s*(?:\([^)]{1,40}\)\s*)?[-–—:|]")


@dataclass(frozen=True, slots=True)
class DateExpr:
    """A date written in a text: ``text[start:end]`` reads as ``value``.

    ``value`` carries day 1 (and month 1) below its precision. ``other`` is the second
    reading of a numeric date whose day/month order cannot be told (03/04/2024).
    """

    start: int
    end: int
    value: date
    precision: Precision
    other: date | None = None

    @property
    def iso(self) -> str:
        return iso_value(self.value, self.precision)


@dataclass(frozen=True, slots=True)
class RelativeExpr:
    """An age such as "2 months ago" at ``text[start:end]``; ``amount`` of ``unit``."""

    start: int
    end: int
    amount: int
    unit: str  # "hour", "day", "week", "month", "year" (minutes count as day 0)
    keyword: bool = False  # "today", "yesterday", "just now"


def iso_value(value: date, precision: Precision) -> str:
    """ISO 8601 at the given precision: 2024-03-29, 2024-03 or 2024."""
    if precision == "year":
        return f"{value.year:04d}"
    if precision == "month":
        return f"{value.year:04d}-{value.month:02d}"
    return value.isoformat()


def _names(keys: Sequence[str]) -> dict[str, int]:
    """Lower-case name -> 1-based index over LANGUAGES; names that mean two things are dropped."""
    seen: dict[str, set[int]] = {}
    for lang in LANGUAGES:
        info = importlib.import_module(f"dateparser.data.date_translation_data.{lang}").info
        for i, key in enumerate(keys, 1):
            for name in info.get(key, []):
                folded = name.casefold().rstrip(".")
                if len(folded) >= 3 and not re.fullmatch(r"[ivxlc]+|\d+", folded):
                    seen.setdefault(folded, set()).add(i)
    return {name: next(iter(idx)) for name, idx in seen.items() if len(idx) == 1}


@cache
def month_names() -> dict[str, int]:
    """Month names and abbreviations, folded, to month numbers."""
    return _names(_MONTH_KEYS) | {"sept": 9}


@cache
def _weekday_regex() -> re.Pattern[str]:
    alt = alternation(list(_names(_WEEKDAY_KEYS)))
    return re.compile(rf"(?<![^\W\d_])(?:{alt})(?![^\W\d_])\.?,?\s*", re.I)


def alternation(names: Sequence[str]) -> str:
    """A regex matching any of ``names``, built as a trie so that a miss fails fast.

    A flat alternation of a thousand month names is tried name by name at every
    position; the trie tries one character class per position instead.
    """
    trie: dict[str, dict] = {}
    for name in names:
        node = trie
        for ch in name:
            node = node.setdefault(ch, {})
        node[""] = {}
    return _trie_regex(trie)


def _trie_regex(node: dict[str, dict]) -> str:
    ends = "" in node
    branches = [re.escape(ch) + _trie_regex(child) for ch, child in node.items() if ch]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if ends else body


@cache
def _date_regex() -> re.Pattern[str]:
    months = alternation(list(month_names()))
    m = rf"(?<![^\W\d_])(?:{months})(?![^\W\d_])\.?"
    day = r"[0-3]?\d"
    parts = [
        # 2024-03-29, 2024/03/29, 2024.03.29, optionally with an ISO time
        rf"(?<![\d.])(?P<iy>{_YEAR})(?P<isep>[-/.])(?P<im>[01]?\d)(?P=isep)(?P<id>{day})(?!\d)"
        r"(?:T\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)?)?",
        # 2024年3月29日, 2024년 3월 29일
        rf"(?P<cy>{_YEAR})\s*[年년]\s*(?P<cm>[01]?\d)\s*[月월]\s*(?P<cd>{day})\s*[日일]?",
        # 29.03.2024 (day first wherever dots are used)
        rf"(?<![\d.])(?P<dd>{day})\.\s?(?P<dm>[01]?\d)\.\s?(?P<dy>{_YEAR})(?!\d)",
        # 29/03/2024 or 03/29/2024: order told only when one part exceeds 12
        rf"(?<![\d/-])(?P<na>{day})(?P<nsep>[/-])(?P<nb>{day})(?P=nsep)(?P<ny>{_YEAR})(?!\d)",
        # 29 March 2024, 29. März 2024, 29th of March, 2024, 29 de marzo de 2024
        rf"(?<!\d)(?P<td>{day})(?:st|nd|rd|th|er|º|\.)?[\s-]*(?:of\s+|de\s+)?(?P<tm>{m})"
        rf"(?:[\s,-]+|\s+del?\s+)(?P<ty>{_YEAR})(?!\d)",
        # March 29, 2024 and Mar. 29th 2024
        rf"(?P<um>{m})\s*(?P<ud>{day})(?:st|nd|rd|th)?,?\s+(?P<uy>{_YEAR})(?!\d)",
        # 2024. március 29.
        rf"(?<!\d)(?P<hy>{_YEAR})\.?\s+(?P<hm>{m})\s+(?P<hd>{day})(?!\d)",
        # March 2024
        rf"(?P<mm>{m}),?\s+(?P<my>{_YEAR})(?!\d)",
    ]
    return re.compile("|".join(f"(?:{p})" for p in parts), re.I)


def _month_number(token: str) -> int:
    return month_names()[token.casefold().rstrip(".")]


def _make(y: str, mo: int | str, d: str | int) -> date | None:
    try:
        return date(int(y), int(mo), int(d))
    except ValueError:
        return None


def _read(m: re.Match[str]) -> tuple[date, Precision, date | None] | None:
    g = m.groupdict()
    if g["iy"]:
        value = _make(g["iy"], g["im"], g["id"])
    elif g["cy"]:
        value = _make(g["cy"], g["cm"], g["cd"])
    elif g["dy"]:
        value = _make(g["dy"], g["dm"], g["dd"])
    elif g["ny"]:
        a, b = int(g["na"]), int(g["nb"])
        first = _make(g["ny"], b, a)  # day first
        second = _make(g["ny"], a, b)  # month first
        if first is None or second is None or first == second:
            value = first or second
            return (value, "day", None) if value else None
        return first, "day", second
    elif g["ty"]:
        value = _make(g["ty"], _month_number(g["tm"]), g["td"])
    elif g["uy"]:
        value = _make(g["uy"], _month_number(g["um"]), g["ud"])
    elif g["hy"]:
        value = _make(g["hy"], _month_number(g["hm"]), g["hd"])
    else:
        value = _make(g["my"], _month_number(g["mm"]), 1)
        return (value, "month", None) if value else None
    return (value, "day", None) if value else None


def find_dates(text: str) -> list[DateExpr]:
    """Every absolute date written in ``text``, in order."""
    out: list[DateExpr] = []
    for m in _date_regex().finditer(text):
        read = _read(m)
        if read is not None:
            out.append(DateExpr(m.start(), m.end(), read[0], read[1], read[2]))
    return out


def find_relative(text: str) -> list[RelativeExpr]:
    """Ages such as "2 months ago", "3 hours ago", "yesterday" (English)."""
    out = []
    for m in _RELATIVE.finditer(text):
        if m["k"]:
            key = m["k"].lower()
            days = 1 if key == "yesterday" else 0
            out.append(RelativeExpr(m.start(), m.end(), days, "day", keyword=True))
            continue
        amount = int(m["n"]) if m["n"] else _NUMBER_WORDS[m["w"].lower()]
        unit = m["u"].lower()
        if unit.startswith(("s", "m")) and not unit.startswith("mo"):
            amount, unit = 0, "day"  # seconds, minutes: today
        elif unit.startswith("h"):
            unit = "hour"
        else:
            unit = {"y": "year", "d": "day", "w": "week"}.get(unit[0], "month")
        out.append(RelativeExpr(m.start(), m.end(), amount, unit))
    return out


def resolve_relative(rel: RelativeExpr, crawled_at: datetime) -> tuple[date, Precision]:
    """The date an age points to from the crawl time, at a precision it can honestly carry.

    Days and hours keep the day; weeks and months keep the month ("2 months ago" is
    rounded by the site); years keep the year.
    """
    base = crawled_at.date()
    if rel.unit == "hour":
        return (crawled_at - timedelta(hours=rel.amount)).date(), "day"
    if rel.unit == "day":
        return base - timedelta(days=rel.amount), "day"
    if rel.unit == "week":
        return base - timedelta(weeks=rel.amount), "month"
    if rel.unit == "year":
        return date(base.year - rel.amount, 1, 1), "year"
    months = base.year * 12 + base.month - 1 - rel.amount
    return date(months // 12, months % 12 + 1, 1), "month"


@cache
def markers() -> dict[str, tuple[str, ...]]:
    """Cue phrases of data/date_markers.txt by section: published, updated, chrome."""
    out: dict[str, list[str]] = {}
    section = ""
    text = files("presslens.data").joinpath("date_markers.txt").read_text(encoding="utf-8")
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            continue
        out.setdefault(section, []).append(line)
    return {k: tuple(v) for k, v in out.items()}


@cache
def _marker_regex(section: str) -> re.Pattern[str]:
    alt = alternation(markers()[section])
    return re.compile(rf"(?<![^\W_])(?:{alt})(?![^\W_])", re.I)


def _covered(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """``text`` with the spans blanked out."""
    chars = list(text)
    for a, b in spans:
        chars[a:b] = " " * (b - a)
    return "".join(chars)


@dataclass(slots=True)
class _Found:
    """A date (or age) read on one line, with what the line says about it."""

    line: Line
    start: int
    end: int
    expr: DateExpr | None
    rel: RelativeExpr | None
    cue: str | None  # "published" | "updated" | None
    shape: str  # "date_line" | "byline" | "cued" | "dateline"


def _extend(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen a date span over a weekday just before it and a time just after it."""
    head = text[:start]
    for m in _weekday_regex().finditer(head[-20:]):
        if m.end() == len(head[-20:]):
            start -= len(m.group(0))
    t = _TIME.match(text, end)
    if t:
        end = t.end()
    return start, end


def _cue_before(text: str, start: int, previous_end: int) -> str | None:
    """The nearest cue (published, updated, other) between the previous date and this one."""
    window = text[previous_end:start]
    best: tuple[int, str] | None = None
    for section in ("published", "updated", "other"):
        for m in _marker_regex(section).finditer(window):
            if best is None or m.start() >= best[0]:
                best = (m.start(), section)
    return best[1] if best else None


def _in_range(text: str, e: DateExpr, exprs: Sequence[DateExpr]) -> bool:
    """Whether ``e`` is one end of a range ("28.01.2022 – 29.01.2022"): an event, not a date."""
    for other in exprs:
        gap = text[e.end : other.start] if other.start >= e.end else text[other.end : e.start]
        if other is not e and _RANGE.fullmatch(gap):
            return True
    return False


def _read_line(line: Line, first_body: bool) -> list[_Found]:
    """Dates on a header line, kept only where the line is a date, byline or dateline line."""
    text = line.text
    exprs = [e for e in find_dates(text) if e.precision == "day"]
    exprs = [e for e in exprs if not _in_range(text, e, exprs)]
    rels = [] if exprs else find_relative(text)
    if not exprs and not rels:
        return []
    spans: list[tuple[int, int]] = []
    for e in exprs:
        spans.append(_extend(text, e.start, e.end))
    for r in rels:
        spans.append(_extend(text, r.start, r.end))
    blank = _covered(text, spans)
    blank = _weekday_regex().sub(" ", blank)
    for section in ("published", "updated"):
        blank = _marker_regex(section).sub(" ", blank)
    blank = _FILLER.sub(" ", blank)
    residual = _WORDS.findall(blank)
    if residual and any(r.keyword for r in rels):
        return []  # "today", "yesterday" count only as the whole line ("Yesterday, 14:35")
    if len(text) > MAX_META_LINE:
        shape = None
    elif len(residual) <= MAX_RESIDUAL_WORDS:
        shape = "date_line"
    elif _BYLINE_START.match(blank.strip()) and len(residual) <= MAX_BYLINE_WORDS:
        shape = "byline"
    else:
        shape = None
    found: list[_Found] = []
    previous = 0
    for (start, end), item in zip(spans, [*exprs, *rels], strict=True):
        cue = _cue_before(text, start, previous)
        previous = end
        if cue == "other":
            continue
        item_shape = shape
        if item_shape is None and cue and len(text) <= MAX_META_LINE:
            item_shape = "cued"
        if item_shape is None and first_body and isinstance(item, DateExpr):
            prefix = _WORDS.findall(text[:start])
            if (
                len(prefix) <= 5
                and all(w[0].isupper() for w in prefix)
                and _DATELINE_AFTER.match(text, end)
            ):
                item_shape = "dateline"
        if item_shape is None:
            continue
        expr = item if isinstance(item, DateExpr) else None
        rel = item if isinstance(item, RelativeExpr) else None
        found.append(_Found(line, start, end, expr, rel, cue, item_shape))
    # Two different dates on one line with nothing to tell them apart: neither is known.
    bare = {f.expr.value for f in found if f.expr is not None and f.cue is None}
    if len(bare) > 1:
        found = [f for f in found if f.cue is not None or f.expr is None]
    return found


def _near_chrome(lines: Sequence[Line], i: int) -> bool:
    """A weather reading or header widget words within two lines of line ``i``."""
    chrome = _marker_regex("chrome")
    for j in range(i - CHROME_REACH, i + CHROME_REACH + 1):
        if 0 <= j < len(lines):
            t = lines[j].text
            if len(t) <= 60 and (_TEMPERATURE.search(t) or chrome.search(t)):
                return True
    return False


def _chrome_reason(lines: Sequence[Line], f: _Found, title_index: int | None) -> str | None:
    """Why a date is the site's own date widget rather than the story's, or None.

    A widget sits beside the weather or the sign-in links, or at the top of the page
    above the headline, usually with the weekday. A plain date just above the headline
    lower down the page (after the menus) is the story's kicker date.
    """
    if f.cue == "published":
        return None
    i = f.line.index
    if _near_chrome(lines, i):
        return "beside a weather/header widget"
    if title_index is None:
        at_top = i == 0 and f.cue is None and f.shape == "date_line"
        return "at the top of the page" if at_top else None
    if i >= title_index:
        return None
    weekday = f.expr is not None and f.start < f.expr.start
    if title_index - i <= KICKER_REACH and i >= PAGE_TOP and not weekday:
        return None
    return "above the headline"


def _evidence(f: _Found) -> Evidence:
    return Evidence(
        f.line.raw_start + f.start, f.line.raw_start + f.end, f.line.text[f.start : f.end]
    )


def _field(
    f: _Found, role: str | None, method: str, confidence: float, note: str | None = None
) -> DateField:
    assert f.expr is not None
    return DateField(
        value=f.expr.iso,
        evidence=_evidence(f),
        confidence=confidence,
        method=method,
        note=note,
        status="exact",
        precision=f.expr.precision,
        role=role,
    )


def _zone_end(lines: Sequence[Line], title_index: int | None, body_start: int | None) -> int:
    """First line index past the header: the first body line is read for a dateline."""
    end = len(lines)
    if title_index is not None:
        end = min(end, title_index + 1 + META_LINES_AFTER_TITLE)
    if body_start is not None:
        return min(end, body_start + 1)
    if title_index is not None:
        return end
    for ln in lines:  # neither known: the header ends at the first paragraph of prose
        if len(ln.text) > 2 * MAX_META_LINE:
            return ln.index + 1
    return min(len(lines), HEADER_LINES)


def dates_from_text(
    lines: Sequence[Line],
    title_index: int | None,
    body_start_index: int | None,
    crawled_at: datetime | None,
) -> tuple[DateField, list[DateField]]:
    """Publication date and page-chrome dates of a scraped text page.

    ``lines`` = split_lines(raw); ``title_index`` is the headline line if known;
    ``body_start_index`` the first body line if known. Evidence offsets are raw offsets.
    Returns (published, page_dates): page dates carry role "page_chrome" (site widget)
    or "updated" (a revision date).
    """
    end = _zone_end(lines, title_index, body_start_index)
    latest = crawled_at.date() + timedelta(days=1) if crawled_at else None
    chrome: list[DateField] = []
    updated: list[DateField] = []
    candidates: list[tuple[float, int, _Found, str]] = []
    notes: list[str] = []
    for i in range(end):
        line = lines[i]
        if i == title_index:
            continue
        first_body = body_start_index is not None and i >= body_start_index
        before_title = title_index is not None and i < title_index
        for f in _read_line(line, first_body):
            if first_body and f.shape in ("cued", "byline") and f.cue != "published":
                continue
            if f.expr is not None and f.expr.other is not None:
                notes.append(f"'{f.line.text[f.start : f.end]}' has an ambiguous day/month order")
                continue
            if f.expr is not None and f.cue == "updated":
                updated.append(_field(f, "updated", "updated_cue", 0.8, "a revision date"))
                continue
            why = _chrome_reason(lines, f, title_index)
            if f.expr is not None and why is not None:
                chrome.append(
                    _field(f, "page_chrome", "header_widget", 0.8, f"site date widget {why}")
                )
                continue
            if f.expr is not None and latest is not None and f.expr.value > latest:
                notes.append(f"'{f.line.text[f.start : f.end]}' is after the crawl time")
                continue
            if f.rel is not None and (before_title or f.cue == "updated"):
                continue
            # Without a headline a bare date line counts only just above the body.
            if (
                title_index is None
                and f.shape == "date_line"
                and f.cue is None
                and (body_start_index is None or not 0 < body_start_index - i <= ABOVE_BODY)
            ):
                continue
            if f.expr is None:
                rank = 0.4
            elif title_index is None:
                rank = 0.5 + (0.2 if f.cue == "published" else 0.0)
            elif before_title:
                rank = 0.6 + (0.1 if f.cue == "published" else 0.0)
            else:
                rank = {"date_line": 0.9, "byline": 0.85, "cued": 0.85, "dateline": 0.8}[
                    f.shape
                ] + (0.05 if f.cue == "published" else 0.0)
            method = "published_cue" if f.cue == "published" else f.shape
            candidates.append((rank, -i, f, method))
    page_dates = chrome + updated
    if candidates:
        rank, _, best, method = max(candidates, key=lambda c: (c[0], c[1]))
        if best.expr is not None:
            return _field(best, None, method, rank), page_dates
        return _relative_field(best, crawled_at), page_dates
    return DateField(note=_unknown_note(chrome, updated, notes)), page_dates


def _relative_field(f: _Found, crawled_at: datetime | None) -> DateField:
    assert f.rel is not None
    phrase = f.line.text[f.start : f.end]
    if crawled_at is None:
        return DateField(
            evidence=_evidence(f),
            confidence=0.6,
            method="relative_age",
            note=f"'{phrase}' is relative to an unknown crawl time",
            status="relative",
            relative=phrase,
        )
    value, precision = resolve_relative(f.rel, crawled_at)
    return DateField(
        value=iso_value(value, precision),
        evidence=_evidence(f),
        confidence=0.6,
        method="relative_age",
        note=f"'{phrase}' counted back from the crawl time {crawled_at.isoformat()}",
        status="resolved",
        precision=precision,
        relative=phrase,
    )


def _unknown_note(chrome: list[DateField], updated: list[DateField], notes: list[str]) -> str:
    if chrome:
        shown = chrome[0].evidence.text if chrome[0].evidence else chrome[0].value
        return f"only a page-chrome date ('{shown}', {chrome[0].note}): not the publication date"
    if updated:
        return "only a revision date ('updated'): the publication date is not shown"
    if notes:
        return "; ".join(notes)
    return "no date in the page header"
