"""Read one time expression into a TIMEX3 value, given an anchor date and the tense of the
verb it hangs on.

The grammar is a list of anchored regular expressions over the lower-cased span, tried in
order; the first that matches the whole span reads it. Prepositions ("on", "since") and
modifiers ("early", "the end of") are peeled off first and reported beside the value.
Calendar arithmetic lives in ``calendar``; this module only says which computation a
phrase asks for. An expression that needs the anchor reads as "resolved" when there is one
and "relative" (an offset or a weekday, no value) when there is not.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from presslens.meta.dates_text import find_dates
from presslens.times import calendar as cal
from presslens.times.lexicon import (
    DECADE_WORDS,
    MONTH,
    MONTH_NAMES,
    MONTHS,
    ORDINALS,
    PART,
    SEASON,
    UNIT,
    VAGUE_COUNTS,
    WEEKDAY,
    WEEKDAY_NAMES,
    WEEKDAYS,
    number,
    unit_of,
    words,
)

Status = str  # "absolute" | "resolved" | "relative" | "unresolved"


@dataclass(slots=True)
class Reading:
    """What a span says: ``timex`` is the TIMEX3 value (underspecified, e.g. XXXX-WXX-5,
    when the anchor is missing; PAST_REF/PRESENT_REF/FUTURE_REF for vague references)."""

    timex: str | None
    granularity: str
    status: Status
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Context:
    """What the reader knows besides the span: the anchor (publication date), the tense of
    the governing verb ("past", "future", "present" or None) and whether the sentence talks
    of financial quarters (then "a year earlier" is the year-ago quarter)."""

    anchor: date | None
    tense: str | None = None
    financial: bool = False


# Which way a bare weekday, month or season points for each tense of its verb. Present
# tense in news is mostly a report of what was just said ("says Friday"): the nearest day.
TENSE_DIRECTION: dict[str | None, str | None] = {
    "past": "past",
    "future": "future",
    "present": None,
    None: None,
}

_YEAR = r"(?:1\d{3}|20\d\d|21\d\d)"
_NUM = (
    r"(?:\d{1,4}|(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
    r"|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty"
    r"|fifty|sixty|seventy|eighty|ninety|a dozen|dozen|a hundred|hundred)"
    r"(?: (?:one|two|three|four|five|six|seven|eight|nine))?"
    r"|" + "|".join(VAGUE_COUNTS) + ")"
)
_DAY = r"(?:[0-3]?\d)(?:st|nd|rd|th)?"

_LEAD = re.compile(
    r"(?:(?P<prep>on|in|at|by|since|until|till|til|from|to|during|before|after|of|for|through"
    r"|throughout|within|between|over|and|or|as of)|around|about|some|nearly|almost"
    r"|approximately|roughly|circa|as early as|as late as|more than|less than|under|just|only"
    r"|sometime|some time|starting|beginning|effective|even|the very|very|post|pre) "
)
_MOD = re.compile(
    r"(?:the )?(?:(?P<hours>early|wee|small) hours (?:of )?|(?P<mod>earlier|early|later|late"
    r"|mid|middle|end|beginning|start|close|turn|dawn|rest|remainder)(?: part)?(?: of)? )"
)
_MOD_CODES = {
    "early": "START",
    "beginning": "START",
    "start": "START",
    "dawn": "START",
    "late": "END",
    "end": "END",
    "close": "END",
    "turn": "END",
    "rest": "END",
    "remainder": "END",
    "mid": "MID",
    "middle": "MID",
}


def normalize(text: str) -> str:
    """Lower-case, one space, plain quotes and dashes, hyphens next to letters as spaces."""
    t = text.lower().replace("’", "'").replace("‘", "'").replace("–", "-").replace("—", "-")
    t = re.sub(r"(?<=[a-z])-|-(?=[a-z])", " ", t)
    t = " ".join(t.split())
    t = t.strip(' ,;:!?"()[]')
    t = t.removesuffix(".").rstrip(" ,")
    if (t.endswith("'s") and not t.endswith("year's")) or t.endswith("s'"):
        t = t[:-2] if t.endswith("'s") else t[:-1]
    return t.strip()


def _month(token: str) -> int:
    return MONTHS[token[:3]]


def _weekday(token: str) -> int:
    return WEEKDAYS[token[:2]]


def _direction(det: str | None, ctx: Context) -> str | None:
    if det:
        det = det.removeprefix("the ").strip()
        if det in ("last", "past", "previous", "this past", "most recent", "latest", "recent"):
            return "last"
        if det in ("next", "coming", "this coming", "following"):
            return "next"
        if det in ("this", "current"):
            return "this"
    return TENSE_DIRECTION.get(ctx.tense)


def _rel(n: int, code: str) -> str:
    return f"{'-' if n < 0 else '+' if n > 0 else ''}P{abs(n)}{code}"


def _anchored(
    ctx: Context,
    granularity: str,
    compute: Callable[[date], str | None],
    underspecified: str,
    extra: dict[str, str] | None = None,
) -> Reading | None:
    """A reading that needs the anchor: resolved with one, relative without."""
    extra = extra or {}
    if ctx.anchor is None:
        return Reading(underspecified, granularity, "relative", extra)
    value = compute(ctx.anchor)
    if value is None:
        return None
    return Reading(value, granularity, "resolved", extra)


def _abs_day(y: int, m: int, d: int) -> Reading | None:
    try:
        return Reading(date(y, m, d).isoformat(), "day", "absolute")
    except ValueError:
        return None


# --- rules: each takes the match and the context and returns a Reading or None ---------


def _numeric(m: re.Match[str], ctx: Context) -> Reading | None:
    found = find_dates(m.group(0))
    if len(found) != 1 or found[0].end - found[0].start != len(m.group(0)):
        return None
    e = found[0]
    value = e.value
    if e.other is not None:  # 03/04/2024: the reading nearer the anchor, else month first
        value = e.other
        if ctx.anchor is not None:
            value = min((e.value, e.other), key=lambda d: abs((d - ctx.anchor).days))
    return Reading(cal.fmt(value, e.precision), e.precision, "absolute")


def _full(m: re.Match[str], ctx: Context) -> Reading | None:
    month = m["m"] or m["m2"]
    day = m["d"] or m["d2"]
    return _abs_day(int(m["y"]), _month(month), int(re.sub(r"\D", "", day)))


def _month_year(m: re.Match[str], ctx: Context) -> Reading | None:
    month = _month(m["m"])
    if m["y"]:
        return Reading(f"{m['y']}-{month:02d}", "month", "absolute")
    n = {"last": -1, "this": 0, "next": 1}[m["ys"].split()[-2]]
    return _anchored(
        ctx,
        "month",
        lambda a: f"{a.year + n:04d}-{month:02d}",
        f"XXXX-{month:02d}",
        {"relative": _rel(n, "Y")},
    )


def _month_day(m: re.Match[str], ctx: Context) -> Reading | None:
    month = _month(m["m"] or m["m2"])
    day = int(re.sub(r"\D", "", m["d"] or m["d2"]))
    if not 1 <= day <= 31:
        return None
    direction = _direction(None, ctx)

    def compute(a: date) -> str | None:
        d = cal.day_year(a, month, day, direction)
        return d.isoformat() if d else None

    return _anchored(ctx, "day", compute, f"XXXX-{month:02d}-{day:02d}")


def _week_of(m: re.Match[str], ctx: Context) -> Reading | None:
    inner = read(m["rest"], ctx)
    if inner is None or inner.granularity != "day" or inner.timex is None:
        return None
    if inner.timex.startswith("X"):
        return Reading("XXXX-WXX", "week", inner.status, inner.extra)
    return Reading(cal.fmt(date.fromisoformat(inner.timex), "week"), "week", inner.status)


def _holiday(m: re.Match[str], ctx: Context) -> Reading | None:
    rule = words("holiday")[m["h"]]
    if m["wk"]:  # "Easter week": the ISO week holding the day
        inner = _holiday_day(m, ctx, rule)
        if inner is None or inner.timex is None or inner.timex.startswith("X"):
            return inner and Reading("XXXX-WXX", "week", inner.status)
        return Reading(cal.fmt(date.fromisoformat(inner.timex), "week"), "week", inner.status)
    return _holiday_day(m, ctx, rule)


def _holiday_day(m: re.Match[str], ctx: Context, rule: str) -> Reading | None:
    if m["y"]:
        d = cal.holiday(int(m["y"]), rule)
        return Reading(d.isoformat(), "day", "absolute") if d else None
    direction = _direction(m["det"], ctx)

    def compute(a: date) -> str | None:
        d = cal.holiday_date(a, rule, direction)
        return d.isoformat() if d else None

    under = f"XXXX-{rule}" if rule[:2].isdigit() and rule[3:].isdigit() else "XXXX-XX-XX"
    return _anchored(ctx, "day", compute, under)


_DEICTIC = {"today": 0, "tonight": 0, "tomorrow": 1, "yesterday": -1}


def _deictic(m: re.Match[str], ctx: Context) -> Reading | None:
    extra: dict[str, str] = {}
    if m["k"]:
        n = _DEICTIC[m["k"]] + {"before": -1, "after": 1, None: 0}[m["ba"]]
        part = m["pod"] or ("night" if m["k"] == "tonight" else None)
    else:
        n = -1 if m["tl"] == "last" else 0
        part = m["pod2"]
    if part:
        extra["part_of_day"] = "midday" if part == "noon" else part
    extra["relative"] = _rel(n, "D")
    return _anchored(ctx, "day", lambda a: cal.shift(a, "day", n).isoformat(), "XXXX-XX-XX", extra)


def _weekday_rule(m: re.Match[str], ctx: Context) -> Reading | None:
    wd = _weekday(m["wd"])
    direction = _direction(m["det"], ctx)
    extra = {"weekday": WEEKDAY_NAMES[wd - 1]}
    if m["pod"]:
        extra["part_of_day"] = "midday" if m["pod"] == "noon" else m["pod"]
    if direction:
        extra["direction"] = direction
    return _anchored(
        ctx,
        "day",
        lambda a: cal.weekday_date(a, wd, direction).isoformat(),
        f"XXXX-WXX-{wd}",
        extra,
    )


def _year_spec(spec: str | None, ctx: Context) -> tuple[int | None, int | None]:
    """(absolute year, or None) and (offset from the anchor year, or None)."""
    if not spec:
        return None, None
    digits = re.search(r"\d{4}", spec)
    if digits:
        return int(digits.group(0)), None
    if "next" in spec:
        return None, 1
    if "this" in spec or spec in ("the year", "the current year"):
        return None, 0
    return None, -1  # last year, year ago, year earlier


def _quarter(m: re.Match[str], ctx: Context) -> Reading | None:
    kind = "H" if (m["qh"] or "quarter").startswith("half") else "Q"
    n = int(m["q"]) if m["q"] else ORDINALS.get(m["o"], 0)
    if not 1 <= n <= (2 if kind == "H" else 4):
        return None
    granularity = "half" if kind == "H" else "quarter"
    year, offset = _year_spec(m["ys1"] or m["ys2"], ctx)
    if year is not None:
        return Reading(f"{year:04d}-{kind}{n}", granularity, "absolute")
    if offset is not None:
        return _anchored(
            ctx, granularity, lambda a: f"{a.year + offset:04d}-{kind}{n}", f"XXXX-{kind}{n}"
        )
    direction = _direction(None, ctx)

    def compute(a: date) -> str:
        q = n if kind == "Q" else 2 * n - 1
        y = cal.quarter_year(a, q, direction)
        return f"{y:04d}-{kind}{n}"

    return _anchored(ctx, granularity, compute, f"XXXX-{kind}{n}")


def _year_ago_period(m: re.Match[str], ctx: Context) -> Reading | None:
    """The reported quarter a year back: "the year-ago quarter", "the same period last year"."""
    return _anchored(
        ctx,
        "quarter",
        lambda a: cal.fmt(cal.shift(a, "quarter", -5), "quarter"),
        "XXXX-QX",
        {"relative": "-P1Y"},
    )


_OFFSETS = {
    "this": 0,
    "current": 0,
    "the current": 0,
    "the same": 0,
    "the": 0,
    "last": -1,
    "the last": -1,
    "past": -1,
    "the past": -1,
    "previous": -1,
    "the previous": -1,
    "this past": -1,
    "the latest": -1,
    "latest": -1,
    "recent": -1,
    "the recent": -1,
    "the most recent": -1,
    "next": 1,
    "the next": 1,
    "coming": 1,
    "the coming": 1,
    "the following": 1,
    "following": 1,
    "this coming": 1,
}
_UNIT_CODES = {
    "day": "D",
    "week": "W",
    "weekend": "W",
    "month": "M",
    "quarter": "Q",
    "half": "H",
    "year": "Y",
    "decade": "DE",
    "century": "CE",
}


def _unit_det(m: re.Match[str], ctx: Context) -> Reading | None:
    det, unit = m["det"], m["u"]
    if det == "that" or (unit == "day" and det not in ("this",)):
        return None  # "that year", "the next day": tied to another event, not the anchor
    n = _OFFSETS.get(det, 0)
    if unit in ("spring", "summer", "fall", "autumn", "winter", "season"):
        if unit == "season":
            return None
        code = cal.SEASON_WORDS[unit]
        direction = _direction(det if det != "the" else None, ctx)
        return _anchored(
            ctx, "season", lambda a: cal.season_value(a, code, direction), f"XXXX-{code}"
        )
    if unit == "year end":
        unit = "year"
    if unit == "fiscal year":
        unit = "year"
    if unit == "period":
        if not ctx.financial:
            return None
        unit = "quarter"
    if unit in ("quarter", "half") and det in ("the", "the latest", "latest", "the past"):
        n = -1  # "the quarter" in an earnings report: the one just reported
    if unit == "weekend":
        if n == 0:
            direction = _direction(None, ctx) if det == "the" else "this"
        else:
            direction = "last" if n < 0 else "next"
        return _anchored(
            ctx,
            "week",
            lambda a: cal.fmt(cal.weekday_date(a, 6, direction), "weekend"),
            "XXXX-WXX-WE",
            {"relative": _rel(n, "W")},
        )
    granularity = unit
    code = _UNIT_CODES[unit]
    under = {"week": "XXXX-WXX", "month": "XXXX-XX", "quarter": "XXXX-QX", "half": "XXXX-HX"}
    return _anchored(
        ctx,
        granularity,
        lambda a: cal.fmt(cal.shift(a, unit, n), unit),
        under.get(unit, "XXXX"),
        {"relative": _rel(n, code)},
    )


def _ago(m: re.Match[str], ctx: Context) -> Reading | None:
    unit_code = unit_of(m["u"])
    if unit_code is None:
        return None
    unit, code = unit_code
    back = m["dir"] in ("ago", "earlier", "before", "previously", "back")
    count = m["n"] or "a"
    n = number(count)
    if n is None:  # "several years ago": somewhere in the past
        return Reading("PAST_REF" if back else "FUTURE_REF", "ref", "unresolved")
    if unit in ("hour", "minute", "second"):
        unit, code, n = "day", "D", 0
    if unit in ("decade", "century"):  # "a decade ago": the year ten years back
        n, unit, code = n * (10 if unit == "decade" else 100), "year", "Y"
    if unit == "quarter":
        code = "Q"
    signed = -n if back else n
    extra = {"relative": _rel(signed, code)}
    if unit == "year" and n == 1 and back and ctx.financial:
        return _year_ago_period(m, ctx)
    return _anchored(ctx, unit, lambda a: cal.fmt(cal.shift(a, unit, signed), unit), "XXXX", extra)


def _month_alone(m: re.Match[str], ctx: Context) -> Reading | None:
    month = _month(m["m"])
    direction = _direction(m["det"], ctx)
    return _anchored(
        ctx,
        "month",
        lambda a: f"{cal.month_year(a, month, direction):04d}-{month:02d}",
        f"XXXX-{month:02d}",
        {"month": MONTH_NAMES[month - 1]},
    )


def _season_year(m: re.Match[str], ctx: Context) -> Reading | None:
    code = cal.SEASON_WORDS[m["s"]]
    if m["y"]:
        return Reading(f"{m['y']}-{code}", "season", "absolute")
    _, offset = _year_spec(m["ys"], ctx)
    if offset is None:  # "summer": the one the verb's tense points to
        direction = _direction(None, ctx)
        return _anchored(
            ctx, "season", lambda a: cal.season_value(a, code, direction), f"XXXX-{code}"
        )
    return _anchored(ctx, "season", lambda a: f"{a.year + offset:04d}-{code}", f"XXXX-{code}")


def _year(m: re.Match[str], ctx: Context) -> Reading | None:
    if m["y"]:
        return Reading(m["y"], "year", "absolute")
    yy = int(m["yy"])
    if ctx.anchor is not None and 2000 + yy <= ctx.anchor.year:
        return Reading(f"{2000 + yy:04d}", "year", "resolved")
    return Reading(f"{1900 + yy:04d}", "year", "resolved" if ctx.anchor else "absolute")


def _decade(m: re.Match[str], ctx: Context) -> Reading | None:
    if m["c"]:
        return Reading(m["c"] + m["d"], "decade", "absolute")
    if m["w"]:
        return Reading(f"19{DECADE_WORDS[m['w']]}", "decade", "absolute")
    d = int(m["d2"] or m["d3"])
    anchor_year = ctx.anchor.year if ctx.anchor else 2000
    century = 20 if 2000 + 10 * d <= anchor_year - 10 else 19
    return Reading(f"{century}{d}", "decade", "absolute")


def _century(m: re.Match[str], ctx: Context) -> Reading | None:
    if m["cc"]:
        return Reading(m["cc"], "century", "absolute")
    if m["det"]:
        n = _OFFSETS.get(m["det"], 0)
        return _anchored(
            ctx,
            "century",
            lambda a: f"{a.year // 100 + n:02d}",
            "XX",
            {"relative": _rel(n, "CE")},
        )
    n = int(m["n"]) if m["n"] else ORDINALS.get(m["o"] or "", 0)
    if not 1 <= n <= 22:
        return None
    return Reading(f"{n - 1:02d}", "century", "absolute")


def _ref(text: str) -> Reading | None:
    """A vague reference ("recently", "the coming months") or a recurrence adverb ("daily")."""
    for t in (text, text.removeprefix("the ")):
        value = words("ref").get(t) or words("ref_word").get(t)
        if value:
            return Reading(value, "ref", "unresolved")
    value = words("set").get(text)
    return Reading(value, "set", "absolute") if value else None


_SPELLED = re.compile(
    r"\b(?:(?P<c>nineteen|eighteen|twenty) (?P<y>(?:twenty|thirty|forty|fifty|sixty|seventy"
    r"|eighty|ninety)(?: (?:one|two|three|four|five|six|seven|eight|nine))?|ten|eleven|twelve"
    r"|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|oh (?:one|two|three|four"
    r"|five|six|seven|eight|nine)|hundred)|(?:the year )?two thousand(?: and)?(?: (?P<t>one|two"
    r"|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen"
    r"|sixteen|seventeen|eighteen|nineteen|twenty(?: (?:one|two|three|four|five))?))?)\b"
)


def _spelled_year(m: re.Match[str]) -> str:
    """A year in words as digits: "nineteen ninety six" -> "1996", "two thousand" -> "2000"."""
    if m["c"]:
        century = {"eighteen": 18, "nineteen": 19, "twenty": 20}[m["c"]]
        rest = m["y"].removeprefix("oh ")
        yy = 0 if rest == "hundred" else number(rest)
        return str(century * 100 + (yy or 0))
    return str(2000 + (number(m["t"]) or 0 if m["t"] else 0))


def _set(m: re.Match[str], ctx: Context) -> Reading | None:
    u = m["u"]
    k = 2 if m["other"] else 1
    if re.fullmatch(WEEKDAY, u):
        return Reading(f"XXXX-WXX-{_weekday(u)}", "set", "absolute")
    if re.fullmatch(MONTH, u):
        return Reading(f"XXXX-{_month(u):02d}", "set", "absolute")
    if u in cal.SEASON_WORDS:
        return Reading(f"XXXX-{cal.SEASON_WORDS[u]}", "set", "absolute")
    if u in ("morning", "afternoon", "evening", "night"):
        code = words("part")[u]
        return Reading(f"XXXX-XX-XXT{code}", "set", "absolute")
    unit = unit_of(u)
    if unit is None:
        return None
    _, code = unit
    prefix = "PT" if unit[0] in ("hour", "minute") else "P"
    return Reading(f"{prefix}{k}{code}", "set", "absolute")


def _duration(m: re.Match[str], ctx: Context) -> Reading | None:
    if m["old"]:
        return None  # an age
    unit = unit_of(m["u"])
    if unit is None:
        return None
    name, code = unit
    count = m["n"]
    if count is None and not m["u"].endswith("s"):
        return None  # a lone "year", "week"
    n = number(count) if count else None
    amount = "X" if n is None else str(n)
    prefix = "PT" if name in ("hour", "minute", "second") else "P"
    if name == "quarter":
        amount, code = ("X" if n is None else str(3 * n)), "M"
    return Reading(f"{prefix}{amount}{code}", "duration", "absolute")


_AMPM = r"(?P<ap>a\.?m\.?|p\.?m\.?)"


def _time(m: re.Match[str], ctx: Context) -> Reading | None:
    if m["word"]:
        hour, minute = (12, 0) if m["word"] == "noon" else (0, 0)
    else:
        hour, minute = int(m["h"]), int(m["mi"] or 0)
        if m["ap"]:
            if not 1 <= hour <= 12:
                return None
            hour = hour % 12 + (12 if m["ap"].startswith("p") else 0)
        elif hour > 23:
            return None
    if minute > 59:
        return None
    clock = f"{hour:02d}:{minute:02d}"
    rest = m["rest"] or m["rest2"]
    if rest:
        day = read(rest, ctx, allow_time=False)
        if day is None or day.granularity != "day" or day.timex is None:
            return None
        extra = dict(day.extra) | {"time": clock}
        return Reading(f"{day.timex}T{clock}", "time", day.status, extra)
    return Reading(f"XXXX-XX-XXT{clock}", "time", "unresolved", {"time": clock})


_YSPEC = (
    r"(?:this year|last year|next year|the year ago|year ago|the year earlier|year earlier"
    rf"|the year|fiscal {_YEAR}|{_YEAR})"
)
_ORD = r"(?P<o>first|second|third|fourth|1st|2nd|3rd|4th|final)"


Rule = tuple[re.Pattern[str], Callable[[re.Match[str], Context], Reading | None]]


@cache
def _rules() -> tuple[Rule, ...]:
    holidays = "|".join(re.escape(h) for h in sorted(words("holiday"), key=len, reverse=True))
    md = (
        rf"(?:(?P<wd>{WEEKDAY}),? )?(?:the )?(?:(?P<m>{MONTH}) (?:the )?(?P<d>{_DAY})"
        rf"|(?P<d2>{_DAY}) (?:of )?(?P<m2>{MONTH}))"
    )
    table: list[tuple[str, Callable[[re.Match[str], Context], Reading | None]]] = [
        (r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}(?:t[\d:.]+z?)?", _numeric),
        (rf"{md},? (?P<y>{_YEAR})", _full),
        (
            rf"(?P<m>{MONTH}),? (?:(?:of )?(?P<y>{_YEAR})|(?P<ys>(?:of )?(?:last|this|next) year))",
            _month_year,
        ),
        (md, _month_day),
        (r"the week of (?P<rest>.+)", _week_of),
        (
            rf"(?:(?P<det>last|next|this) )?(?P<h>{holidays})(?P<wk> week)?"
            rf"(?:,? (?:of )?(?P<y>{_YEAR}))?",
            _holiday,
        ),
        (
            rf"(?:the day (?P<ba>before|after) )?(?P<k>today|tonight|tomorrow|yesterday)"
            rf"(?: (?P<pod>{PART}))?|(?P<tl>this|last) (?P<pod2>morning|afternoon|evening|night)",
            _deictic,
        ),
        (
            r"(?:(?P<det>last|next|this|this past|this coming|coming|past|the following"
            rf"|the previous|previous|following) )?(?P<wd>{WEEKDAY})(?:'s)?(?: (?P<pod>{PART}))?",
            _weekday_rule,
        ),
        (
            rf"(?:the )?(?:(?P<ys1>{_YSPEC})(?:'s)? )?(?:the )?(?:fiscal )?(?:{_ORD}(?: fiscal)?"
            rf" (?P<qh>quarter|half|qtr)|q(?P<q>[1-4]))(?: (?:of )?(?:the )?(?:fiscal )?"
            rf"(?:year )?(?P<ys2>{_YSPEC}))?",
            _quarter,
        ),
        (
            r"(?:the )?(?:year (?:ago|earlier)|same|corresponding|comparable)"
            r" (?:quarter|period)(?: (?:of )?(?:a year (?:ago|earlier)|last year))?"
            r"|(?:the )?(?:same|corresponding|comparable) (?:quarter|period) (?:of )?"
            r"(?:a year (?:ago|earlier)|last year|the previous year)"
            r"|last year'?s? (?:quarter|period)|(?:the )?year (?:ago|earlier)",
            _year_ago_period,
        ),
        (
            r"(?P<det>this|last|next|the past|the last|the previous|the coming|the next"
            r"|the following|this past|this coming|the current|current|the latest|latest"
            r"|the same|that|the|coming|past|previous|recent|the recent|the most recent)"
            r" (?P<u>day|week|weekend|month|year|decade|century|quarter|half|season|period"
            r"|spring|summer|fall|autumn|winter|fiscal year|year end)",
            _unit_det,
        ),
        (r"(?P<u>year end)(?P<det>)", _unit_det),
        (
            rf"(?:(?P<n>{_NUM}) )?(?P<u>{UNIT}) (?P<dir>ago|earlier|before|later|after"
            r"|from now|hence|previously|back)",
            _ago,
        ),
        (rf"(?:(?P<det>last|next|this|the) )?(?P<m>{MONTH})", _month_alone),
        (
            rf"(?:the )?(?P<s>{SEASON})(?: (?:of )?(?:(?P<y>{_YEAR})"
            r"|(?P<ys>last year|this year|next year)))?",
            _season_year,
        ),
        (
            rf"(?:(?:the )?(?:year|fiscal|fiscal year|calendar|calendar year|fy|model year) ?)?"
            rf"(?P<y>{_YEAR})|'(?P<yy>\d\d)",
            _year,
        ),
        (
            r"(?:the )?(?:(?P<c>1\d|20)(?P<d>\d)0 ?'?s|'(?P<d2>\d)0 ?'?s|(?<=the )(?P<d3>\d)0 ?'?s"
            r"|(?P<w>twenties|thirties|forties|fifties|sixties|seventies|eighties|nineties))",
            _decade,
        ),
        (
            r"(?:the )?(?:(?P<n>\d{1,2})(?:st|nd|rd|th)|(?P<o>[a-z]+(?: first| second)?))"
            r" century|(?P<det>this|the last|last|the past|the next|next|the current) century"
            r"|the (?P<cc>1\d|20)00 ?'?s",
            _century,
        ),
        (
            rf"(?:every|each|per) (?P<other>other )?(?P<u>{WEEKDAY}|{MONTH}|{SEASON}|day"
            r"|week|weekend|month|quarter|year|decade|hour|morning|afternoon|evening|night)",
            _set,
        ),
        (
            r"(?:the )?(?:(?:past|last|next|coming|first|previous|following|final|remaining"
            rf"|recent|nearly|almost) )?(?:(?P<n>{_NUM}) )?(?:(?:more|additional|full|straight"
            rf"|consecutive|long|whole|entire) )?(?P<u>{UNIT})(?: (?P<old>old|of age))?",
            _duration,
        ),
    ]
    return tuple((re.compile(p), fn) for p, fn in table)


_TIME_CORE = (
    rf"(?:(?P<h>[01]?\d)(?:[:.](?P<mi>[0-5]\d))? ?{_AMPM}|(?P<word>noon|midnight)"
    r"|(?P<h2>[01]?\d|2[0-3]):(?P<mi2>[0-5]\d))"
)
_TZ = r"(?: (?:[a-z]{2,4}t|gmt|utc|local time)(?: ?[+-]\d{1,2})?)?"
_TIME_AFTER = re.compile(rf"(?:at )?{_TIME_CORE}{_TZ}(?:,? (?:on )?(?P<rest>.+))?")
_TIME_BEFORE = re.compile(rf"(?P<rest2>.+?),? (?:at )?{_TIME_CORE}{_TZ}")


def _read_time(core: str, ctx: Context) -> Reading | None:
    for rx in (_TIME_AFTER, _TIME_BEFORE):
        m = rx.fullmatch(core)
        if m is None:
            continue
        g = m.groupdict()
        if g["h2"] is not None:
            g["h"], g["mi"] = g["h2"], g["mi2"]
        return _time(_GroupView(g), ctx)
    return None


class _GroupView:
    """A match-like view over a group dict, so ``_time`` reads both time patterns alike."""

    def __init__(self, groups: dict[str, str | None]) -> None:
        self._g = groups

    def __getitem__(self, key: str) -> str | None:
        return self._g.get(key)


def _strip(t: str) -> tuple[str, str | None, str | None]:
    """The core of a span with leading prepositions and modifiers taken off."""
    prep = mod = None
    while True:
        m = _LEAD.match(t)
        if m and len(t) > m.end():
            prep = prep or m["prep"]
            t = t[m.end() :]
            continue
        m = _MOD.match(t)
        if m and len(t) > m.end():
            mod = mod or (_MOD_CODES.get(m["mod"] or "") or ("START" if m["hours"] else None))
            t = t[m.end() :]
            continue
        return t, prep, mod


def read(text: str, ctx: Context, *, allow_time: bool = True) -> Reading | None:
    """The reading of one time expression, or None when ``text`` is not one."""
    t = normalize(text)
    if not t or len(t) > 80:
        return None
    if (r := _ref(t)) is not None:
        return r
    if "teen" in t or "thousand" in t or "twenty" in t:
        t = _SPELLED.sub(_spelled_year, t)
    core, prep, mod = _strip(t)
    reading = _ref(core)
    if (
        reading is None
        and allow_time
        and re.search(r"\d[:.]?\d* ?[ap]\.?m|\d:\d\d|noon|midnight", core)
    ):
        reading = _read_time(core, ctx)
    if reading is None:
        for rx, fn in _rules():
            m = rx.fullmatch(core)
            if m is not None:
                reading = fn(m, ctx)
                break
    if reading is None:
        return None
    if mod and reading.granularity not in ("duration", "set", "ref"):
        reading.extra.setdefault("mod", mod)
    if prep:
        reading.extra.setdefault("prep", prep)
    return reading
