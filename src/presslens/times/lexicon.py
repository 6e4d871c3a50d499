"""Words of English time expressions: month, weekday, number and unit names, and the
phrases of data/time_words.txt (vague references, holidays, parts of the day).

English only: the body text the stage reads is English, and a many-language month table
would read the planet Mars ("Mars 2020") or the French "mai" as months.
"""

from __future__ import annotations

from functools import cache

from presslens.resources import read_csv

MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
MONTH_NAMES = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
WEEKDAYS = {"mo": 1, "tu": 2, "we": 3, "th": 4, "fr": 5, "sa": 6, "su": 7}
WEEKDAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

# Lower-case patterns for reading a span (abbreviations allowed, the span is already a time).
MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
WEEKDAY = (
    r"(?:mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:r(?:s(?:day)?)?)?|fri(?:day)?"
    r"|sat(?:urday)?|sun(?:day)?)\.?"
)
SEASON = r"(?:spring|summer|fall|autumn|winter)"
PART = r"(?:morning|afternoon|evening|night|midday|noon)"

_SMALL = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
NUMBER_WORDS = {w: i for i, w in enumerate(_SMALL)} | {w: 20 + 10 * i for i, w in enumerate(_TENS)}
NUMBER_WORDS |= {"a": 1, "an": 1, "a dozen": 12, "dozen": 12, "a hundred": 100, "hundred": 100}
VAGUE_COUNTS = (
    "several",
    "a few",
    "few",
    "many",
    "some",
    "a couple of",
    "a couple",
    "couple of",
    "dozens of",
    "hundreds of",
    "a number of",
)
ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
    "thirteenth": 13,
    "fourteenth": 14,
    "fifteenth": 15,
    "sixteenth": 16,
    "seventeenth": 17,
    "eighteenth": 18,
    "nineteenth": 19,
    "twentieth": 20,
    "twenty first": 21,
    "twenty second": 22,
    "final": 4,
}
DECADE_WORDS = {w[:-1] + "ies": 2 + i for i, w in enumerate(_TENS)}  # "twenties" -> 2

# unit word (singular) -> (calendar unit, TIMEX3 duration code)
UNITS = {
    "day": ("day", "D"),
    "week": ("week", "W"),
    "fortnight": ("week", "W"),
    "month": ("month", "M"),
    "quarter": ("quarter", "Q"),
    "year": ("year", "Y"),
    "decade": ("decade", "DE"),
    "century": ("century", "CE"),
    "hour": ("hour", "H"),
    "minute": ("minute", "M"),
    "second": ("second", "S"),
}
UNIT = (
    r"(?:days?|weeks?|fortnights?|months?|quarters?|years?|decades?|century|centuries"
    r"|hours?|minutes?)"
)


def number(text: str) -> int | None:
    """An integer written in digits or English words ("40", "forty", "twenty-five")."""
    t = text.replace(",", "").replace("-", " ").strip()
    if t.isdigit():
        return int(t)
    if t in NUMBER_WORDS:
        return NUMBER_WORDS[t]
    parts = t.split()
    if len(parts) == 2 and parts[0] in _TENS and parts[1] in _SMALL[1:10]:
        return NUMBER_WORDS[parts[0]] + NUMBER_WORDS[parts[1]]
    return None


def unit_of(word: str) -> tuple[str, str] | None:
    """(calendar unit, duration code) of a unit word, singular or plural."""
    w = word.lower()
    if w == "centuries":
        w = "century"
    elif w.endswith("s"):
        w = w[:-1]
    return UNITS.get(w)


@cache
def words(kind: str) -> dict[str, str]:
    """Phrase -> value for one kind of data/time_words.txt (ref, holiday, part)."""
    return {
        row["phrase"]: row["value"] for row in read_csv("time_words.txt") if row["kind"] == kind
    }
