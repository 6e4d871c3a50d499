"""Publication date of an HTML page, with the span of the source it was read from.

htmldate (extensive search, original date) chooses the date: it is the measured
reference on the htmldate evaluation set. This module adds what htmldate does not
give: evidence. It reads the page's date metadata with offsets (meta tags, JSON-LD,
``<time>``, ``itemprop``), then finds where in the source the chosen date is
written, preferring publication metadata, then the URL, then visible text.
A year-only fallback (htmldate answers 1 January when it saw only a year) is not a
publication date unless the page writes that day, so it becomes "unknown".
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache

from htmldate import find_date

from presslens.meta.dates_text import DateExpr, alternation, find_dates, month_names
from presslens.model import DateField, Evidence

_META = re.compile(r"<meta\b[^>]*>", re.I)
_TIME = re.compile(r"<time\b[^>]*>", re.I)
# Case-sensitive on purpose: a literal prefix lets the scan skip through large pages.
_ITEMPROP = re.compile(r"itemprop\s*=\s*[\"']?[dD]ate")
_ATTR = re.compile(r"([\w:.-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'>]+))")
_JSON_KEYS = ("datePublished", "dateCreated", "uploadDate", "dateModified")
_JSON_VALUE = re.compile(r"[\"']\s*:\s*[\"']([^\"']{4,60})")
_LINK_URL = re.compile(
    r"<link\b[^>]*\brel\s*=\s*[\"']?canonical[^>]*>|<meta\b[^>]*\bog:url\b[^>]*>", re.I
)
_PUBLISHED_KEY = re.compile(
    r"publish|pub_?date|issued|creat|^(?:dc\.|dcterms\.)?date$|sailthru\.date|citation_\w*date"
    r"|release_?date|uploaddate|timestamp|displaydate|article.?date",
    re.I,
)
_MODIFIED_KEY = re.compile(r"modif|updat|revis|lastmod|last-mod|edited", re.I)
_DATE_KEY = re.compile(r"date|time|publi|modif|creat|updat|issued|pub", re.I)
_ISO = re.compile(
    r"(?<![\d.])((?:19|20)\d\d)-([01]?\d)-([0-3]?\d)(?!\d)"
    r"(?:[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)?)?"
)
_DIGITS = re.compile(r"\d{4}")
_KEY_ATTRS = ("property", "name", "itemprop", "http-equiv")

# htmldate answers found only in the URL, in text or nowhere yield to the page's declared
# publication metadata, unless the two are a day apart: that is a time-zone shift
# (URL and text carry the local date, metadata often UTC). Chosen on the tuning half.
_WEAK = {"url", "text", "attribute", "htmldate", "modified"}
TIMEZONE_SLACK_DAYS = 1

# Characters around a written year searched for the whole date.
YEAR_WINDOW = 48

# Confidence by where the date was found.
_CONFIDENCE = {
    "meta": 0.95,
    "json-ld": 0.95,
    "itemprop": 0.9,
    "time": 0.85,
    "url": 0.8,
    "text": 0.7,
    "attribute": 0.6,
    "modified": 0.5,
}


@dataclass(frozen=True, slots=True)
class SourceDate:
    """A date in the HTML source: ``html[start:end]`` is the date expression."""

    start: int
    end: int
    value: date
    kind: str  # "meta", "json-ld", "itemprop", "time"
    key: str  # the meta name/property, the JSON key, or "datetime"
    role: str  # "published", "modified" or "other"


def _attrs(tag: str, offset: int) -> dict[str, tuple[str, int]]:
    """Attribute name -> (value, source offset of the value)."""
    out: dict[str, tuple[str, int]] = {}
    for m in _ATTR.finditer(tag):
        group = next(g for g in (2, 3, 4) if m.group(g) is not None)
        out.setdefault(m.group(1).lower(), (m.group(group), offset + m.start(group)))
    return out


def _role(key: str) -> str:
    if _MODIFIED_KEY.search(key):
        return "modified"
    return "published" if _PUBLISHED_KEY.search(key) else "other"


def _first_date(value: str, offset: int) -> DateExpr | None:
    """The first unambiguous day-precision date of an attribute value, in source offsets."""
    iso = _ISO.search(value)
    if iso:
        try:
            day = date(int(iso[1]), int(iso[2]), int(iso[3]))
            return DateExpr(offset + iso.start(), offset + iso.end(), day, "day")
        except ValueError:
            pass
    if len(value) > 80 or not _DIGITS.search(value):
        return None
    for e in find_dates(value):
        if e.precision == "day" and e.other is None:
            return DateExpr(offset + e.start, offset + e.end, e.value, "day")
    return None


def _json_dates(html: str) -> Iterator[tuple[str, re.Match[str]]]:
    """("datePublished", match of its quoted value) for each JSON date key in the page.

    str.find on the literal keys is several times faster than a regex alternation.
    """
    for key in _JSON_KEYS:
        at = html.find(key)
        while at >= 0:
            m = _JSON_VALUE.match(html, at + len(key))
            if m and at > 0 and html[at - 1] in "\"'":
                yield key, m
            at = html.find(key, at + 1)


def _date_tags(html: str) -> list[tuple[str, int, str]]:
    """(kind, offset, tag) of <time> tags and of non-meta tags with a date itemprop."""
    out = [("time", m.start(), m.group(0)) for m in _TIME.finditer(html)]
    for m in _ITEMPROP.finditer(html):
        start = html.rfind("<", 0, m.start())
        end = html.find(">", m.end())
        tag = html[start : end + 1]
        if start >= 0 and end >= 0 and not re.match(r"<(?:meta|time)\b", tag, re.I):
            out.append(("itemprop", start, tag))
    return out


def source_dates(html: str) -> list[SourceDate]:
    """Dates in the page's metadata (meta, JSON-LD, time, itemprop) with source offsets."""
    out: list[SourceDate] = []
    for m in _META.finditer(html):
        attrs = _attrs(m.group(0), m.start())
        key = next((attrs[a][0] for a in _KEY_ATTRS if a in attrs), "")
        if "content" not in attrs or not _DATE_KEY.search(key):
            continue
        e = _first_date(*attrs["content"])
        if e is not None:
            out.append(SourceDate(e.start, e.end, e.value, "meta", key, _role(key)))
    for key, m in _json_dates(html):
        e = _first_date(m.group(1), m.start(1))
        if e is not None:
            out.append(SourceDate(e.start, e.end, e.value, "json-ld", key, _role(key)))
    for kind, tag_start, tag in _date_tags(html):
        attrs = _attrs(tag, tag_start)
        for attr in ("datetime", "content"):
            if attr in attrs:
                e = _first_date(*attrs[attr])
                if e is None:
                    continue
                hint = " ".join(attrs[a][0] for a in ("itemprop", "class", "pubdate") if a in attrs)
                role = _role(hint) if hint else "other"
                if "pubdate" in attrs:
                    role = "published"
                out.append(SourceDate(e.start, e.end, e.value, kind, hint or attr, role))
                break
    return out


@cache
def _month_alternation(month: int) -> str:
    return alternation([n for n, i in month_names().items() if i == month])


def _written_forms(day: date) -> re.Pattern[str]:
    """Ways a page writes ``day``: ISO, numeric both orders, month names, CJK, URL paths."""
    y, m, d = day.year, day.month, day.day
    mm, dd, yy = f"0?{m}", f"0?{d}", f"{y % 100:02d}"
    names = _month_alternation(m)
    forms = [
        rf"{y}[-/._]{mm}[-/._]{dd}",
        rf"{y}{m:02d}{d:02d}",
        rf"{dd}\.\s?{mm}\.\s?(?:{y}|{yy})",
        rf"{dd}[/-]{mm}[/-]{y}",
        rf"{mm}[/-]{dd}[/-]{y}",
        rf"{dd}(?:st|nd|rd|th|er|º|\.)?[\s-]*(?:of\s+|de\s+)?(?:{names})\.?(?:[\s,-]+|\s+del?\s+){y}",
        rf"(?:{names})\.?\s*{dd}(?:st|nd|rd|th)?,?\s+{y}",
        rf"{y}\.?\s+(?:{names})\s+{dd}(?!\d)",
        rf"{y}\s*[年년]\s*{mm}\s*[月월]\s*{dd}",
    ]
    return re.compile(rf"(?<![\d])(?:{'|'.join(forms)})(?!\d)", re.I)


def _near_year(pattern: re.Pattern[str], html: str, day: date) -> Iterator[re.Match[str]]:
    """Matches of ``pattern`` around the places ``day``'s year is written (fast on big pages)."""
    positions: list[int] = []
    for anchor in (str(day.year), f".{day.year % 100:02d}"):
        at = html.find(anchor)
        while at >= 0:
            positions.append(at)
            at = html.find(anchor, at + 1)
    lo = hi = -1
    for at in sorted(positions):
        if at - YEAR_WINDOW > hi:
            if hi > lo:
                yield from pattern.finditer(html, lo, hi)
            lo = max(0, at - YEAR_WINDOW)
        hi = at + YEAR_WINDOW
    if hi > lo:
        yield from pattern.finditer(html, lo, hi)


def _inside_tag(html: str, pos: int) -> bool:
    return html.rfind("<", 0, pos) > html.rfind(">", 0, pos)


def _inside_script(html: str, pos: int) -> bool:
    lower_open = max(html.rfind("<script", 0, pos), html.rfind("<SCRIPT", 0, pos))
    lower_close = max(html.rfind("</script", 0, pos), html.rfind("</SCRIPT", 0, pos))
    return lower_open > lower_close


def _locate(
    html: str, day: date, found: list[SourceDate], url: str | None
) -> tuple[Evidence | None, str]:
    """Where the source writes ``day``, best kind first; (None, "htmldate") if nowhere."""
    order = {"published": 0, "other": 1, "modified": 2}
    kinds = {"meta": 0, "json-ld": 1, "itemprop": 2, "time": 3}
    matching = [s for s in found if s.value == day]
    if matching:
        best = min(matching, key=lambda s: (order[s.role], kinds[s.kind], s.start))
        kind = "modified" if best.role == "modified" else best.kind
        return Evidence(best.start, best.end, html[best.start : best.end]), f"{kind}:{best.key}"
    forms = _written_forms(day)
    for m in _LINK_URL.finditer(html):
        hit = forms.search(m.group(0))
        if hit:
            start = m.start() + hit.start()
            return Evidence(start, start + len(hit.group(0)), hit.group(0)), "url"
    attribute: Evidence | None = None
    for m in _near_year(forms, html, day):
        if _inside_script(html, m.start()):
            continue
        ev = Evidence(m.start(), m.end(), m.group(0))
        if not _inside_tag(html, m.start()):
            return ev, "text"
        attribute = attribute or ev
    if attribute is not None:
        return attribute, "attribute"
    if url and forms.search(url):
        return None, "url"
    return None, "htmldate"


def dates_from_html(
    html: str, url: str | None, crawled_at: datetime | None
) -> tuple[DateField, list[DateField]]:
    """Publication date of an HTML page with evidence: a span of the HTML source.

    Returns (published, page_dates); page dates are revision dates (role "updated")
    from the page's metadata that differ from the publication date.
    """
    latest = crawled_at + timedelta(days=1) if crawled_at else None
    chosen = find_date(html, extensive_search=True, original_date=True, url=url, max_date=latest)
    found = source_dates(html)
    day = date.fromisoformat(chosen) if chosen else None
    evidence, how = _locate(html, day, found, url) if day else (None, "htmldate")
    method = "htmldate"
    declared = _declared(found, latest)
    if (
        declared is not None
        and how.split(":", 1)[0] in _WEAK
        and (day is None or abs((declared - day).days) > TIMEZONE_SLACK_DAYS)
    ):
        day, method = declared, "declared"
        evidence, how = _locate(html, day, found, url)
    updated = _updated(html, found, day)
    if day is None:
        return DateField(note="no date in the metadata, URL or text of the page"), updated
    if day.month == 1 and day.day == 1 and how == "htmldate":
        note = "only a year was found (htmldate's 1 January fallback): not a publication date"
        return DateField(note=note, method="htmldate"), updated
    note = None
    if evidence is None:
        note = "date from the URL" if how == "url" else "htmldate's date; no span found"
    kind = how.split(":", 1)[0]
    return (
        DateField(
            value=day.isoformat(),
            evidence=evidence,
            confidence=_CONFIDENCE.get(kind, 0.4),
            method=f"{method}/{how}",
            note=note,
            status="exact",
            precision="day",
        ),
        updated,
    )


def _declared(found: list[SourceDate], latest: datetime | None) -> date | None:
    """The publication date the page's metadata declares most often (first one on ties)."""
    days = [
        s.value
        for s in found
        if s.role == "published" and (latest is None or s.value <= latest.date())
    ]
    if not days:
        return None
    counts = Counter(days)
    return max(days, key=lambda d: (counts[d], -days.index(d)))


def _updated(html: str, found: list[SourceDate], published: date | None) -> list[DateField]:
    """Revision dates from metadata, one per distinct day, except the publication day."""
    out: dict[date, DateField] = {}
    for s in found:
        if s.role != "modified" or s.value == published or s.value in out:
            continue
        out[s.value] = DateField(
            value=s.value.isoformat(),
            evidence=Evidence(s.start, s.end, html[s.start : s.end]),
            confidence=0.9,
            method=f"{s.kind}:{s.key}",
            note="a revision date",
            status="exact",
            precision="day",
            role="updated",
        )
    return list(out.values())
