"""Time expressions of an article body, each with a TIMEX3-style value.

Entry point: ``find_times(body, doc, anchor)``. Candidates are spaCy's DATE/TIME entities
and the stage's own pattern (``detect``); each is read by a small grammar (``read``) against
the anchor, normally the publication date. Weekdays, bare months and seasons take their
direction from the tense of the governing verb (``tense``): "met on Friday" is the Friday
on or before the anchor (the anchor day itself when it is a Friday: news says "on Friday"
of its own day), "will meet on Friday" the one on or after it.

Each record: ``text``, ``start``, ``end`` (body offsets), ``value`` (ISO / TIMEX3 value
or None), ``granularity`` (day, week, month, quarter, half, season, year, decade,
century, time, duration, set, ref, or "unknown"), ``status``:

- ``absolute``: the text alone gives the value ("May 7, 2021" -> 2021-05-07);
- ``resolved``: computed from the anchor ("on Thursday" -> 2024-03-28); ``anchor`` names it;
- ``relative``: the anchor is unknown; ``value`` is None and ``timex`` is underspecified
  (XXXX-WXX-4), with ``relative`` (-P2M) or ``weekday`` saying what would resolve it;
- ``unresolved``: vague ("recent years" -> timex PAST_REF), or tied to another event
  ("the following day"); ``value`` is None.

``timex`` always carries the TIMEX3 value (also PAST_REF/PRESENT_REF/FUTURE_REF), so the
output compares with TimeML gold. Optional keys: ``part_of_day`` (morning, afternoon,
evening, night), ``weekday``, ``direction``, ``relative``, ``mod`` (START/MID/END for
"early"/"mid"/"late"), ``prep`` (the preposition before it: on, since, until…), ``time``.

Durations are kept, with granularity "duration", status "absolute" and an ISO 8601
duration as value ("for 40 years" -> P40Y): they say how long, not when, so a consumer
wanting points filters on granularity. Sets ("every Friday") have granularity "set".
Ages ("82-year-old", "aged 82", "in his 60s") and quantities ("2000 troops") are dropped.
Extents follow TimeML: the preposition is outside ("on Friday" -> text "Friday", prep "on").
"""

from __future__ import annotations

import re
from datetime import date

from spacy.tokens import Doc

from presslens.times.detect import clusters, entity_spans, pattern, pattern_spans, range_parts
from presslens.times.read import Context, Reading, read
from presslens.times.tense import tense_at

__all__ = ["find_times", "resolve_span"]

_LEAD = re.compile(
    r"(?:(on|in|at|by|since|until|till|from|to|during|before|after|of|for|through|throughout"
    r"|within|between|over|and|or|as\s+of)\s+)+",
    re.I,
)
_PREP_BEFORE = re.compile(
    r"\b(on|in|at|by|since|until|till|from|during|before|after|through|within|as\s+of)\s+\Z",
    re.I,
)
_TRAIL = re.compile(r"(?:['’]s|[\s.,;:!?\"”)\]-]|\s(?:of|the|and|or|to)\b)+\Z", re.I)
_AGE_AFTER = re.compile(r"[\s-]*(?:old\b|of\s+age\b)", re.I)
_AGE_BEFORE = re.compile(r"\b(?:aged?|ages)\s*\Z", re.I)
# "in his 60s": a decade of someone's life
_POSSESSIVE_BEFORE = re.compile(
    r"\b(?:his|her|their|my|your|our|its)(?:\s+(?:early|mid|late)[\s-]*)?\s*\Z", re.I
)
_SHORT_DECADE = re.compile(r"\D*\d0['’]?s", re.I)
_AGE_IN = re.compile(
    r"(?:\d+|[a-z]+)[\s-]+(?:years?|months?|weeks?|days?)[\s-]+old\b|\baged?\b", re.I
)
_COUNT_NOUN = re.compile(
    r"\s*(?:people|persons|troops|soldiers|fighters|cases|deaths|dead|votes|units|tons|tonnes"
    r"|barrels|homes|houses|families|civilians|children|students|workers|members|prisoners"
    r"|km|kilometres|kilometers|miles|meters|metres|feet|dollars|euros|rials|shares|jobs)\b",
    re.I,
)
_TIME_NOUN = re.compile(
    r"\b(?:days?|weeks?|months?|years?|decades?|centur(?:y|ies)|seasons?|era|period|nights?"
    r"|mornings?|evenings?|afternoons?|hours?|minutes?|time)\b",
    re.I,
)
_NEEDS_FINANCE = re.compile(r"year|period", re.I)
_QUARTER = re.compile(r"quarter", re.I)
# An earnings report names its quarter once; "a year earlier" further down still means the
# year-ago quarter. How far back (characters) a mention of "quarter" counts.
FINANCE_REACH = 2000


def _trim(body: str, start: int, end: int) -> tuple[int, int, str | None]:
    """The extent without a leading preposition or trailing punctuation; the preposition."""
    prep = None
    m = _LEAD.match(body, start, end)
    if m and m.end() < end:
        prep = m.group(1).lower()
        start = m.end()
    t = _TRAIL.search(body, start, end)
    if t and t.start() > start:
        end = t.start()
    if prep is None:
        b = _PREP_BEFORE.search(body, max(0, start - 12), start)
        if b:
            prep = " ".join(b.group(1).lower().split())
    return start, end, prep


def _context(body: str, doc: Doc | None, start: int, end: int, anchor: date | None) -> Context:
    text = body[start:end]
    financial = (
        bool(_NEEDS_FINANCE.search(text))
        and _QUARTER.search(body, max(0, start - FINANCE_REACH), end) is not None
    )
    return Context(anchor, tense_at(doc, start, end), financial)


def _excluded(body: str, start: int, end: int, reading: Reading) -> bool:
    """An age ("82 years old", "aged 82") or a count ("in 2000 cases") read as a time."""
    text = body[start:end]
    if _AGE_IN.search(text) or _AGE_BEFORE.search(body, max(0, start - 24), start):
        return True
    if reading.granularity == "duration" and _AGE_AFTER.match(body, end):
        return True
    if _SHORT_DECADE.fullmatch(text) and _POSSESSIVE_BEFORE.search(body, max(0, start - 24), start):
        return True
    return (
        reading.granularity == "year"
        and text.isdigit()
        and bool(_COUNT_NOUN.match(body, end, min(len(body), end + 20)))
    )


def _read_at(
    body: str, doc: Doc | None, start: int, end: int, anchor: date | None
) -> tuple[int, int, Reading] | None:
    start, end, prep = _trim(body, start, end)
    if end <= start:
        return None
    reading = read(body[start:end], _context(body, doc, start, end, anchor))
    if reading is None or _excluded(body, start, end, reading):
        return None
    if prep and "prep" not in reading.extra:
        reading.extra["prep"] = prep
    return start, end, reading


def _parts(
    body: str, doc: Doc | None, start: int, end: int, anchor: date | None
) -> list[tuple[int, int, Reading]]:
    """Readable pieces of an unreadable candidate: the ends of a range, or inner matches."""
    parts = range_parts(body[start:end])
    if parts:
        found = [_read_at(body, doc, start + a, start + b, anchor) for a, b in parts]
        if all(found):
            return [f for f in found if f]
    out = []
    for m in pattern().finditer(body, start, end):
        if (hit := _read_at(body, doc, m.start(), m.end(), anchor)) is not None:
            out.append(hit)
    return out


def _unresolved(body: str, start: int, end: int) -> tuple[int, int, Reading] | None:
    """A spaCy time entity the grammar cannot read ("the following day"): kept, no value."""
    start, end, prep = _trim(body, start, end)
    text = body[start:end]
    if end <= start or not _TIME_NOUN.search(text) or _AGE_IN.search(text):
        return None
    if _AGE_BEFORE.search(body, max(0, start - 24), start) or _AGE_AFTER.match(body, end):
        return None
    extra = {"prep": prep} if prep else {}
    return start, end, Reading(None, "unknown", "unresolved", extra)


def _choose(
    body: str, doc: Doc | None, group: list[tuple[int, int, str]], anchor: date | None
) -> list[tuple[int, int, Reading]]:
    """The readings of one cluster of overlapping candidates."""
    start = min(s for s, _, _ in group)
    end = max(e for _, e, _ in group)
    whole = _read_at(body, doc, start, end, anchor)
    if whole is not None:
        return [whole]
    if len(group) == 1:
        found = _parts(body, doc, start, end, anchor)
        if not found and group[0][2] == "spacy":
            kept = _unresolved(body, start, end)
            return [kept] if kept else []
        return found
    chosen: list[tuple[int, int, Reading]] = []
    for s, e, _ in sorted(group, key=lambda c: c[0] - c[1]):  # longest first
        if any(s < ce and cs < e for cs, ce, _ in chosen):
            continue
        hit = _read_at(body, doc, s, e, anchor)
        if hit is not None:
            chosen.append(hit)
    return sorted(chosen, key=lambda c: c[0])


def _record(
    body: str, start: int, end: int, reading: Reading, anchor_role: str
) -> dict[str, object]:
    known = reading.status in ("absolute", "resolved")
    rec: dict[str, object] = {
        "text": body[start:end],
        "start": start,
        "end": end,
        "value": reading.timex if known else None,
        "granularity": reading.granularity,
        "status": reading.status,
        "anchor": anchor_role if reading.status == "resolved" else None,
        "timex": reading.timex,
    }
    rec.update(reading.extra)
    return rec


def find_times(
    body: str, doc: Doc | None, anchor: date | None, *, anchor_role: str = "published"
) -> list[dict]:
    """Every time expression in ``body`` (parsed once by the caller as ``doc``).

    ``anchor`` is the date relative expressions count from (the publication date, or the
    crawl date with ``anchor_role="crawled"``); None leaves them "relative". Without a
    ``doc`` only the stage's own pattern finds candidates and tense is unknown.
    """
    if isinstance(anchor, date) and hasattr(anchor, "date") and callable(anchor.date):
        anchor = anchor.date()  # a datetime: its calendar day
    cands = [(s, e, "spacy") for s, e in entity_spans(doc)]
    cands += [(s, e, "pattern") for s, e in pattern_spans(body)]
    out: list[dict] = []
    last_end = -1
    for group in clusters(cands):
        for start, end, reading in _choose(body, doc, group, anchor):
            if start < last_end:
                continue
            out.append(_record(body, start, end, reading, anchor_role))
            last_end = end
    return out


def resolve_span(
    body: str, doc: Doc | None, start: int, end: int, anchor: date | None
) -> Reading | None:
    """The reading of one given extent of ``body`` (e.g. a gold TimeML extent), read in
    its sentence as ``find_times`` would; None when it does not read as a time."""
    hit = _read_at(body, doc, start, end, anchor)
    if hit is None:
        parts = _parts(body, doc, start, end, anchor)
        hit = parts[0] if len(parts) == 1 else None
    return hit[2] if hit else None
