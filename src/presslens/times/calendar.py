"""Calendar arithmetic for time expressions: shifting an anchor, picking a weekday, month,
season or holiday relative to it, and writing TIMEX3 values at each granularity.

Kept apart from the grammar so that the year-boundary rules (ISO weeks, a December
weekday seen from January, winter spanning two years) are tested in one place.
"""

from __future__ import annotations

from datetime import date, timedelta

# Which way an expression points from its anchor: "past" (on or before), "future" (on or
# after), "last" (strictly before), "next" (strictly after), "this" (same week / year), or
# None (the nearest, ties to the past).
Direction = str | None

SEASONS = ("SP", "SU", "FA", "WI")  # TIMEX3 season codes in calendar order
SEASON_WORDS = {"spring": "SP", "summer": "SU", "fall": "FA", "autumn": "FA", "winter": "WI"}


def shift(anchor: date, unit: str, n: int) -> date:
    """``anchor`` moved by ``n`` units (day, week, month, quarter, half, year, decade, century)."""
    if unit == "day":
        return anchor + timedelta(days=n)
    if unit in ("week", "weekend"):
        return anchor + timedelta(weeks=n)
    months = {"month": 1, "quarter": 3, "half": 6, "year": 12, "decade": 120, "century": 1200}[unit]
    total = anchor.year * 12 + anchor.month - 1 + n * months
    year, month = divmod(total, 12)
    year = min(max(year, 1), 9999)
    day = min(anchor.day, _month_length(year, month + 1))
    return date(year, month + 1, day)


def _month_length(year: int, month: int) -> int:
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return (nxt - timedelta(days=1)).day


def fmt(d: date, unit: str) -> str:
    """The TIMEX3 value of the ``unit`` that contains ``d``: 2024-03-29, 2024-W13, 2024-Q1…"""
    if unit == "day":
        return d.isoformat()
    if unit in ("week", "weekend"):
        y, w, _ = d.isocalendar()
        return f"{y:04d}-W{w:02d}" + ("-WE" if unit == "weekend" else "")
    if unit == "month":
        return f"{d.year:04d}-{d.month:02d}"
    if unit == "quarter":
        return f"{d.year:04d}-Q{(d.month - 1) // 3 + 1}"
    if unit == "half":
        return f"{d.year:04d}-H{(d.month - 1) // 6 + 1}"
    if unit == "season":
        year, code = season_of(d)
        return f"{year:04d}-{code}"
    if unit == "year":
        return f"{d.year:04d}"
    if unit == "decade":
        return f"{d.year // 10:03d}"
    if unit == "century":
        return f"{d.year // 100:02d}"
    raise ValueError(unit)


def weekday_date(anchor: date, weekday: int, direction: Direction) -> date:
    """The date of ``weekday`` (1 = Monday) seen from ``anchor``.

    News says "on Friday" of the day it is published, so "past" and "future" include the
    anchor day itself; "last" and "next" exclude it; "this" stays in the anchor's ISO week.
    """
    back = (anchor.isoweekday() - weekday) % 7  # days back to the same-or-previous one
    ahead = (weekday - anchor.isoweekday()) % 7
    if direction == "this":
        return anchor + timedelta(days=weekday - anchor.isoweekday())
    if direction == "past":
        return anchor - timedelta(days=back)
    if direction == "future":
        return anchor + timedelta(days=ahead)
    if direction == "last":
        return anchor - timedelta(days=back or 7)
    if direction == "next":
        return anchor + timedelta(days=ahead or 7)
    return anchor - timedelta(days=back) if back <= ahead else anchor + timedelta(days=ahead)


# Soft directions: going against the verb's tense costs this much, in months (or days for
# a month and day); with no tense, the future costs a little, since news mostly reports.
MONTH_AGAINST_TENSE = 4
MONTH_NO_TENSE = 2
DAY_AGAINST_TENSE = 120
DAY_NO_TENSE = 30


def _pick(
    current: int, candidates: list[int], direction: Direction, against: int, bias: int
) -> int:
    """Among period indices, the one ``direction`` points to from ``current``.

    "last"/"next" (written in the text) are strict. A tense ("past", "future") only
    weighs: "extended to Nov. 20" said in early November is this Nov. 20, though the verb
    is past; "in August" said in March with a past verb is last August.
    """
    if direction == "last":
        return max(c for c in candidates if c < current)
    if direction == "next":
        return min(c for c in candidates if c > current)

    def cost(c: int) -> tuple[int, bool]:
        extra = 0
        if (direction == "past" and c > current) or (direction == "future" and c < current):
            extra = against
        elif direction is None and c > current:
            extra = bias
        return abs(c - current) + extra, c > current

    return min(candidates, key=cost)


def month_year(anchor: date, month: int, direction: Direction) -> int:
    """The year of ``month`` (1-12) seen from ``anchor``."""
    if direction == "this":
        return anchor.year
    current = anchor.year * 12 + anchor.month - 1
    cands = [(anchor.year + dy) * 12 + month - 1 for dy in (-2, -1, 0, 1, 2)]
    return _pick(current, cands, direction, MONTH_AGAINST_TENSE, MONTH_NO_TENSE) // 12


def season_of(d: date) -> tuple[int, str]:
    """(year, code) of the northern season holding ``d``; January's winter began last year."""
    if d.month in (1, 2):
        return d.year - 1, "WI"
    return d.year, SEASONS[(d.month - 3) // 3]


def season_value(anchor: date, code: str, direction: Direction) -> str:
    year, now = season_of(anchor)
    if direction == "this":
        return f"{year:04d}-{code}"
    current = year * 4 + SEASONS.index(now)
    cands = [(year + dy) * 4 + SEASONS.index(code) for dy in (-2, -1, 0, 1, 2)]
    picked = _pick(current, cands, direction, 1, 1)
    return f"{picked // 4:04d}-{code}"


def day_year(anchor: date, month: int, day: int, direction: Direction) -> date | None:
    """A month and day without a year, placed in the year nearest to ``anchor`` (weighed
    by the tense as in ``_pick``)."""
    dates = []
    for dy in (-1, 0, 1):
        try:
            dates.append(date(anchor.year + dy, month, day))
        except ValueError:
            continue
    if not dates:
        return None
    by_ordinal = {d.toordinal(): d for d in dates}
    soft = direction if direction in ("past", "future", None) else None
    if direction == "last":
        soft = "past"
    elif direction == "next":
        soft = "future"
    picked = _pick(anchor.toordinal(), list(by_ordinal), soft, DAY_AGAINST_TENSE, DAY_NO_TENSE)
    return by_ordinal[picked]


def quarter_year(anchor: date, quarter: int, direction: Direction) -> int:
    """The year of an ordinal quarter ("the fourth quarter") seen from ``anchor``: this
    year's, unless a past verb speaks of a quarter still to come (then last year's)."""
    current = (anchor.month - 1) // 3 + 1
    if direction in ("past", "last") and quarter > current:
        return anchor.year - 1
    return anchor.year


def easter(year: int) -> date:
    """Western Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    n = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * n) // 451
    month, day = divmod(h + n - 7 * m + 114, 31)
    return date(year, month, day + 1)


_WEEKDAY_CODES = {"MO": 1, "TU": 2, "WE": 3, "TH": 4, "FR": 5, "SA": 6, "SU": 7}


def holiday(year: int, rule: str) -> date | None:
    """The date of a holiday rule of data/time_words.txt in ``year``."""
    if rule == "easter":
        return easter(year)
    month_s, _, spec = rule.partition("-")
    month = int(month_s)
    if spec.isdigit():
        return date(year, month, int(spec))
    weekday = _WEEKDAY_CODES.get(spec[:2])
    if weekday is None:
        return None
    spec, _, plus = spec.partition("+")
    nth = int(spec[2:])
    after = timedelta(days=int(plus or 0))
    if nth > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.isoweekday()) % 7 + 7 * (nth - 1)) + after
    last = date(year, month, _month_length(year, month))
    return last - timedelta(days=(last.isoweekday() - weekday) % 7) + after


def holiday_date(anchor: date, rule: str, direction: Direction) -> date | None:
    dates = [d for y in (-1, 0, 1) if (d := holiday(anchor.year + y, rule)) is not None]
    if direction == "this":
        return holiday(anchor.year, rule)
    if direction in ("past", "last"):
        dates = [d for d in dates if d < anchor or (direction == "past" and d == anchor)]
        return max(dates) if dates else None
    if direction in ("future", "next"):
        dates = [d for d in dates if d > anchor or (direction == "future" and d == anchor)]
        return min(dates) if dates else None
    return min(dates, key=lambda d: (abs((d - anchor).days), d > anchor)) if dates else None
