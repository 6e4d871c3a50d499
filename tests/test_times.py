"""The time stage: every kind of expression, tense-aware weekdays, year boundaries, no
anchor, exclusions (ages, prices, counts), offsets, and the seed page's "on Friday"."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from presslens.model import Article, RawPage, Source
from presslens.nlp import load_model
from presslens.pipeline import analyze
from presslens.times import calendar as cal
from presslens.times import find_times, resolve_span

FRIDAY = date(2024, 3, 29)  # a Friday


@pytest.fixture(scope="module")
def nlp():
    return load_model()


def times(nlp, text: str, anchor: date | None = FRIDAY) -> list[dict]:
    body = text
    found = find_times(body, nlp(body), anchor)
    for r in found:
        assert body[r["start"] : r["end"]] == r["text"]
    return found


def one(nlp, text: str, needle: str, anchor: date | None = FRIDAY) -> dict:
    hits = [r for r in times(nlp, text, anchor) if needle in r["text"]]
    assert len(hits) == 1, (needle, times(nlp, text, anchor))
    return hits[0]


# --- seed acceptance ------------------------------------------------------------------


def test_seed_meeting_on_friday_is_publication_day(seeds_dir: Path, gold: dict, nlp):
    name = "001_99995a77091a4f2e.txt"
    published = gold["articles"][name]["published"]
    assert published == "2024-03-29"
    path = seeds_dir / name
    page = RawPage(Source("text", path=str(path)), path.read_text(encoding="utf-8"))
    (article,) = list(analyze([page]))
    assert isinstance(article, Article)
    body = article.body
    found = find_times(body, nlp(body), date.fromisoformat(published))
    friday = [r for r in found if r["text"] == "Friday"]
    assert friday, found
    rec = friday[0]
    assert body[rec["start"] - 3 : rec["start"]] == "on "
    assert (rec["value"], rec["status"], rec["anchor"]) == ("2024-03-29", "resolved", "published")
    assert rec["granularity"] == "day"
    october = [r for r in found if r["text"] == "October 2023"]
    assert october and october[0]["value"] == "2023-10" and october[0]["status"] == "absolute"


# --- absolute expressions -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "needle", "value", "granularity"),
    [
        ("The speech was given on May 7, 2021, in Tehran.", "May 7, 2021", "2021-05-07", "day"),
        ("He spoke on 7 May 2021 in Tehran.", "7 May 2021", "2021-05-07", "day"),
        ("The file is dated 2021-05-07.", "2021-05-07", "2021-05-07", "day"),
        ("The war began in October 2023.", "October 2023", "2023-10", "month"),
        ("Prices rose sharply in 2020.", "2020", "2020", "year"),
        ("The 1979 revolution changed Iran.", "1979", "1979", "year"),
        ("Music of the 1990s was louder.", "1990s", "199", "decade"),
        ("It shaped the 20th century.", "20th century", "19", "century"),
        ("Sales fell in the third quarter of 2023.", "third quarter", "2023-Q3", "quarter"),
        ("It happened in the summer of 2010.", "summer of 2010", "2010-SU", "season"),
        ("They met on Christmas 2019.", "Christmas 2019", "2019-12-25", "day"),
    ],
)
def test_absolute(nlp, text, needle, value, granularity):
    rec = one(nlp, text, needle)
    assert (rec["value"], rec["granularity"], rec["status"]) == (value, granularity, "absolute")
    assert rec["anchor"] is None


# --- resolved against the anchor ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "needle", "value", "granularity"),
    [
        ("The minister met the envoy on Thursday.", "Thursday", "2024-03-28", "day"),
        ("Officials said last week that talks failed.", "last week", "2024-W12", "week"),
        ("The deal was signed two months ago.", "two months ago", "2024-01", "month"),
        ("Inflation rose this year.", "this year", "2024", "year"),
        ("The envoy will travel tomorrow.", "tomorrow", "2024-03-30", "day"),
        ("The envoy arrived yesterday.", "yesterday", "2024-03-28", "day"),
        ("Elections will be held next month.", "next month", "2024-04", "month"),
        ("Protests spread last summer.", "last summer", "2023-SU", "season"),
        ("The company reported a loss a year earlier.", "a year earlier", "2023", "year"),
        ("He was arrested three days ago.", "three days ago", "2024-03-26", "day"),
        ("The talks resume on Dec. 3.", "Dec. 3", "2023-12-03", "day"),
        ("Troops withdrew in August.", "August", "2023-08", "month"),
    ],
)
def test_resolved(nlp, text, needle, value, granularity):
    rec = one(nlp, text, needle)
    assert (rec["value"], rec["granularity"], rec["status"]) == (value, granularity, "resolved")
    assert rec["anchor"] == "published"


def test_part_of_day_keeps_the_day(nlp):
    rec = one(nlp, "Police raided the mosque on Friday morning.", "Friday")
    assert rec["text"] == "Friday morning"
    assert (rec["value"], rec["granularity"], rec["part_of_day"]) == (
        "2024-03-29",
        "day",
        "morning",
    )
    rec = one(nlp, "The strike happened yesterday evening.", "yesterday")
    assert (rec["value"], rec["part_of_day"]) == ("2024-03-28", "evening")


def test_anchor_role_is_reported(nlp):
    body = "The minister met the envoy on Thursday."
    (rec,) = find_times(body, nlp(body), FRIDAY, anchor_role="crawled")
    assert rec["anchor"] == "crawled"


def test_datetime_anchor_counts_as_its_day(nlp):
    body = "The minister met the envoy on Thursday."
    (rec,) = find_times(body, nlp(body), datetime(2024, 3, 29, 22, 35))
    assert rec["value"] == "2024-03-28"


# --- weekdays and tense ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("The minister met Hamas leaders on Friday.", "2024-03-29"),  # the anchor day itself
        ("The minister will meet Hamas leaders on Friday.", "2024-03-29"),
        ("The minister met Hamas leaders on Monday.", "2024-03-25"),
        ("The minister will meet Hamas leaders on Monday.", "2024-04-01"),
        ("The minister plans to visit Cairo on Tuesday.", "2024-04-02"),
        ("The minister met Hamas leaders last Friday.", "2024-03-22"),
        ("The minister will meet Hamas leaders next Friday.", "2024-04-05"),
        ("Wednesday's ruling angered the family.", "2024-03-27"),
    ],
)
def test_weekday_follows_tense(nlp, text, value):
    rec = next(r for r in times(nlp, text) if r["granularity"] == "day")
    assert rec["value"] == value, rec


def test_saturday_on_a_saturday_is_that_day(nlp):
    # dateparser reads "on Saturday" published on a Saturday as the week before
    rec = one(nlp, "Protesters gathered on Saturday in the capital.", "Saturday", date(2024, 3, 30))
    assert rec["value"] == "2024-03-30"


# --- year boundaries ------------------------------------------------------------------


def test_weekday_across_new_year(nlp):
    rec = one(nlp, "The talks collapsed on Friday.", "Friday", date(2024, 1, 2))
    assert rec["value"] == "2023-12-29"
    rec = one(nlp, "The talks will resume on Monday.", "Monday", date(2023, 12, 30))
    assert rec["value"] == "2024-01-01"


def test_months_weeks_and_years_across_new_year(nlp):
    jan = date(2024, 1, 2)
    assert one(nlp, "Prices rose in December.", "December", jan)["value"] == "2023-12"
    assert one(nlp, "Prices rose last week.", "last week", jan)["value"] == "2023-W52"
    assert one(nlp, "Prices rose last year.", "last year", jan)["value"] == "2023"
    assert one(nlp, "The envoy arrived on Dec. 30.", "Dec. 30", jan)["value"] == "2023-12-30"
    new_year = date(2021, 1, 1)  # ISO week 53 of 2020
    assert one(nlp, "Prices rose this week.", "this week", new_year)["value"] == "2020-W53"
    late = date(2023, 12, 30)
    assert one(nlp, "The vote will take place on Jan. 3.", "Jan. 3", late)["value"] == "2024-01-03"


def test_calendar_rules():
    assert cal.easter(2024) == date(2024, 3, 31)
    assert cal.holiday(2023, "11-TH4") == date(2023, 11, 23)  # Thanksgiving
    assert cal.holiday(2022, "11-MO1+1") == date(2022, 11, 8)  # Election Day
    assert cal.holiday(2024, "05-MO-1") == date(2024, 5, 27)  # Memorial Day
    assert cal.season_of(date(2024, 1, 15)) == (2023, "WI")
    assert cal.shift(date(2024, 3, 31), "month", -1) == date(2024, 2, 29)
    assert cal.fmt(date(2024, 3, 29), "quarter") == "2024-Q1"
    assert cal.weekday_date(date(2024, 3, 29), 5, "last") == date(2024, 3, 22)


# --- no anchor, vague, durations, exclusions --------------------------------------------


def test_no_anchor_keeps_relative(nlp):
    rec = one(nlp, "The minister met the envoy on Thursday.", "Thursday", None)
    assert (rec["value"], rec["status"], rec["anchor"]) == (None, "relative", None)
    assert (rec["weekday"], rec["timex"]) == ("Thursday", "XXXX-WXX-4")
    rec = one(nlp, "The deal was signed two months ago.", "two months ago", None)
    assert (rec["value"], rec["status"], rec["relative"]) == (None, "relative", "-P2M")
    rec = one(nlp, "The speech was given on May 7, 2021.", "May 7", None)
    assert (rec["value"], rec["status"]) == ("2021-05-07", "absolute")


def test_vague_is_unresolved(nlp):
    rec = one(nlp, "Attacks have grown in recent years.", "recent years")
    assert (rec["value"], rec["status"], rec["timex"]) == (None, "unresolved", "PAST_REF")
    rec = one(nlp, "The war is now in its sixth month.", "now")
    assert (rec["value"], rec["timex"]) == (None, "PRESENT_REF")


def test_durations_are_marked(nlp):
    rec = one(nlp, "The blockade has lasted for 40 years.", "40 years")
    assert (rec["granularity"], rec["value"]) == ("duration", "P40Y")


@pytest.mark.parametrize(
    "text",
    [
        "The 82-year-old leader died.",
        "The leader, aged 82, died.",
        "The leader, who was 82 years old, died.",
        "Bread now costs $68 a sack.",
        "He retired in his 60s.",
        "The army sent in 2000 troops.",
    ],
)
def test_ages_prices_counts_are_not_times(nlp, text):
    assert [r for r in times(nlp, text) if r["granularity"] != "ref"] == []


def test_range_is_split(nlp):
    found = times(nlp, "The pandemic of 2009-2010 killed 348 children.")
    assert [(r["text"], r["value"]) for r in found] == [("2009", "2009"), ("2010", "2010")]


def test_resolve_span_reads_a_given_extent(nlp):
    body = "The minister met the envoy on Thursday."
    start = body.index("Thursday")
    reading = resolve_span(body, nlp(body), start, start + len("Thursday"), FRIDAY)
    assert reading is not None and reading.timex == "2024-03-28"


def test_without_a_parse_the_pattern_still_reads(nlp):
    body = "Officials met on Friday and again last week."
    found = find_times(body, None, FRIDAY)
    assert [r["value"] for r in found] == ["2024-03-29", "2024-W12"]


# --- never raises, offsets always exact ------------------------------------------------

_PIECES = [
    "on Friday",
    "Friday morning",
    "last week",
    "two months ago",
    "May 7, 2021",
    "in 2020",
    "the 1990s",
    "82-year-old",
    "$68",
    "2009-2010",
    "3:15 p.m.",
    "9 a.m. Tuesday",
    "the third quarter",
    "Christmas",
    "the week of March 6",
    "every Friday",
    "'58",
    "nineteen ninety-six",
    "2024/13/45",
    "Feb. 30",
    "now",
    "between May and June",
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=25)), max_size=8),
    st.one_of(st.none(), st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))),
)
def test_never_raises_and_offsets_hold(nlp, pieces, anchor):
    body = " ".join(pieces)
    for doc in (None, nlp(body)):
        for r in find_times(body, doc, anchor):
            assert body[r["start"] : r["end"]] == r["text"]
            assert r["status"] in ("absolute", "resolved", "relative", "unresolved")
            assert (r["value"] is None) or r["status"] in ("absolute", "resolved")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300), st.one_of(st.none(), st.dates()))
def test_pattern_only_never_raises(body, anchor):
    for r in find_times(body, None, anchor):
        assert body[r["start"] : r["end"]] == r["text"]


# --- TempEval-3 training set: a regression guard ----------------------------------------


def _timeml(path: Path) -> tuple[date, str, list[tuple[int, int, str]]]:
    root = ET.parse(path).getroot()
    dct = next(t for t in root.iter("TIMEX3") if t.get("functionInDocument") == "CREATION_TIME")
    parts: list[str] = []
    gold: list[tuple[int, int, str]] = []

    def walk(el: ET.Element) -> None:
        parts.append(el.text or "")
        for child in el:
            start = len("".join(parts))
            walk(child)
            if child.tag == "TIMEX3" and child.get("type") == "DATE":
                gold.append((start, len("".join(parts)), child.get("value", "")))
            parts.append(child.tail or "")

    text_el = root.find("TEXT")
    assert text_el is not None
    walk(text_el)
    return date.fromisoformat(dct.get("value", "")[:10]), "".join(parts), gold


@pytest.mark.slow
def test_timebank_value_accuracy(data_dir: Path, nlp):
    folder = data_dir / "nlp" / "tempeval3" / "Training" / "TBAQ-cleaned" / "TimeBank"
    files = sorted(folder.glob("*.tml"))[:40]
    if not files:
        pytest.skip(f"TimeBank not found under {folder}")
    right = total = 0
    for path in files:
        dct, text, gold = _timeml(path)
        doc = nlp(text)
        for start, end, value in gold:
            reading = resolve_span(text, doc, start, end, dct)
            right += reading is not None and reading.timex == value
            total += 1
        for r in find_times(text, doc, dct):
            assert text[r["start"] : r["end"]] == r["text"]
    assert total > 100
    assert right / total >= 0.75, (right, total)


def test_data_file_has_sources():
    from presslens.resources import read_csv

    rows = read_csv("time_words.txt")
    assert rows and all(r["source"] for r in rows)
    assert all(re.fullmatch(r"[a-z' ]+", r["phrase"]) for r in rows)
