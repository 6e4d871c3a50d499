"""Publication dates: where a date sits decides what it is; evidence points at the source."""

from __future__ import annotations

import gzip
import json
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from presslens.clean.lines import split_lines
from presslens.meta.dates import dates_from_html, dates_from_text
from presslens.meta.dates_text import find_dates, find_relative, resolve_relative

CRAWL = datetime(2024, 6, 15, 12, 0)


def _read(raw: str, title: str | None, body: str | None, crawled_at: datetime | None = None):
    lines = split_lines(raw)
    ti = next((ln.index for ln in lines if ln.text == title), None) if title else None
    bi = next((ln.index for ln in lines if ln.text.startswith(body)), None) if body else None
    published, page_dates = dates_from_text(lines, ti, bi, crawled_at)
    for f in [published, *page_dates]:
        if f.evidence is not None:
            assert raw[f.evidence.raw_start : f.evidence.raw_end] == f.evidence.text
    return published, page_dates


BODY = "The minister said on May 7, 2021 that talks would go on. " * 3


# --- seeds -------------------------------------------------------------------------


def _norm(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("crawled_at", [None, CRAWL])
def test_seed_pages(seeds_dir: Path, gold: dict, crawled_at: datetime | None) -> None:
    for name, g in gold["articles"].items():
        raw = (seeds_dir / name).read_text(encoding="utf-8")
        lines = split_lines(raw)
        ti = next(ln.index for ln in lines if _norm(ln.text) == _norm(g["title"]))
        bi = next(ln.index for ln in lines if g["body_first"][:40] in ln.text)
        published, page_dates = dates_from_text(lines, ti, bi, crawled_at)
        chrome = [d.evidence.text for d in page_dates if d.role == "page_chrome" and d.evidence]
        assert chrome == g.get("page_chrome_dates", []), name
        if g["published"]:
            assert (published.status, published.value) == ("exact", g["published"]), name
            assert published.precision == "day"
        elif name.startswith("000"):
            assert published.relative == "2 months ago"
            if crawled_at is None:
                assert (published.status, published.value) == ("relative", None)
            else:
                assert (published.status, published.value) == ("resolved", "2024-04")
                assert published.precision == "month"
        else:
            assert (published.status, published.value) == ("unknown", None), name
            assert published.note
            if chrome:
                assert "page-chrome" in published.note


# --- text: position decides ---------------------------------------------------------


def test_date_under_headline_is_publication() -> None:
    raw = f"Menu\n\nTop General Vows Support\n\n29 Mar 2024 22:35\n\n{BODY}"
    p, pd = _read(raw, "Top General Vows Support", "The minister")
    assert (p.status, p.value, p.precision) == ("exact", "2024-03-29", "day")
    assert p.evidence is not None and p.evidence.text == "29 Mar 2024 22:35"
    assert p.confidence > 0.5 and pd == []


def test_widget_above_headline_is_chrome() -> None:
    raw = f"Wednesday, April 24, 2024\n\nGroups Appreciate Stance\n\n{BODY}"
    p, pd = _read(raw, "Groups Appreciate Stance", "The minister")
    assert (p.status, p.value) == ("unknown", None)
    assert "page-chrome" in (p.note or "")
    assert [(d.role, d.value) for d in pd] == [("page_chrome", "2024-04-24")]


def test_weather_widget_date_is_chrome_even_without_headline() -> None:
    raw = f"68.8 F\nIslamabad\nFriday, November 1, 2024\n\nRaisi Says Something\n\n{BODY}"
    p, pd = _read(raw, None, None)
    assert p.value is None
    assert pd and pd[0].role == "page_chrome" and "weather" in (pd[0].note or "")


def test_kicker_date_just_above_headline_below_menus() -> None:
    raw = f"Home\nNews\nSport\nWorld\n12 March 2024\nMinister Resigns Over Plan\n\n{BODY}"
    p, _ = _read(raw, "Minister Resigns Over Plan", "The minister")
    assert p.value == "2024-03-12"


def test_body_prose_date_is_not_publication() -> None:
    raw = f"Minister Resigns Over Plan\n\n{BODY}"
    p, pd = _read(raw, "Minister Resigns Over Plan", "The minister")
    assert (p.status, p.value) == ("unknown", None) and pd == []


@pytest.mark.parametrize(
    ("line", "value"),
    [
        ("By Jane Doe | March 3, 2024", "2024-03-03"),
        ("Published: 2024-03-03T10:00:00Z", "2024-03-03"),
        ("Posted on March 3rd, 2024 by admin", "2024-03-03"),
        ("Veröffentlicht am 03.03.2024, 10:15 Uhr", "2024-03-03"),
        ("3 de marzo de 2024", "2024-03-03"),
        ("Sunday, 3 March 2024", "2024-03-03"),
    ],
)
def test_meta_line_formats(line: str, value: str) -> None:
    raw = f"Minister Resigns Over Plan\n{line}\n\n{BODY}"
    p, _ = _read(raw, "Minister Resigns Over Plan", "The minister")
    assert (p.status, p.value) == ("exact", value)


def test_dateline_in_first_body_line() -> None:
    raw = "Minister Resigns\n\nWASHINGTON, March 3, 2024 (Reuters) - The minister resigned today."
    p, _ = _read(raw, "Minister Resigns", "WASHINGTON")
    assert (p.value, p.method) == ("2024-03-03", "dateline")


def test_updated_date_is_not_publication() -> None:
    raw = f"Minister Resigns\nPublished March 3, 2024 | Updated March 5, 2024\n\n{BODY}"
    p, pd = _read(raw, "Minister Resigns", "The minister")
    assert p.value == "2024-03-03"
    assert [(d.role, d.value) for d in pd] == [("updated", "2024-03-05")]
    p, pd = _read(f"Minister Resigns\nUpdated: March 5, 2024\n\n{BODY}", "Minister Resigns", "The")
    assert p.value is None and "revision" in (p.note or "")


@pytest.mark.parametrize(
    "line", ["03/04/2024", "Joined March 2007", "Valid until 05.11.2021", "1.2.2024 – 3.2.2024"]
)
def test_not_a_publication_date(line: str) -> None:
    p, _ = _read(f"Minister Resigns\n{line}\n\n{BODY}", "Minister Resigns", "The minister")
    assert (p.status, p.value) == ("unknown", None)


def test_ambiguous_order_is_noted() -> None:
    p, _ = _read(f"Minister Resigns\n03/04/2024\n\n{BODY}", "Minister Resigns", "The minister")
    assert "ambiguous" in (p.note or "")
    p, _ = _read(f"Minister Resigns\n03/24/2024\n\n{BODY}", "Minister Resigns", "The minister")
    assert p.value == "2024-03-24"


# --- relative dates -----------------------------------------------------------------


def test_relative_without_and_with_crawl_time() -> None:
    raw = f"Iran Urges Coalition\nfolder_openIran access_time2 months ago\n\n{BODY}"
    p, _ = _read(raw, "Iran Urges Coalition", "The minister")
    assert (p.status, p.value, p.relative) == ("relative", None, "2 months ago")
    p, _ = _read(raw, "Iran Urges Coalition", "The minister", CRAWL)
    assert (p.status, p.value, p.precision) == ("resolved", "2024-04", "month")


@pytest.mark.parametrize(
    ("phrase", "value", "precision"),
    [
        ("3 hours ago", "2024-06-15", "day"),
        ("13 hours ago", "2024-06-14", "day"),
        ("yesterday", "2024-06-14", "day"),
        ("5 mins ago", "2024-06-15", "day"),
        ("a week ago", "2024-06", "month"),
        ("one year ago", "2023", "year"),
    ],
)
def test_relative_resolution(phrase: str, value: str, precision: str) -> None:
    p, _ = _read(f"Minister Resigns\n{phrase}\n\n{BODY}", "Minister Resigns", "The", CRAWL)
    assert (p.status, p.value, p.precision) == ("resolved", value, precision)


def test_resolve_relative_crosses_year() -> None:
    (rel,) = find_relative("2 months ago")
    assert resolve_relative(rel, datetime(2024, 1, 10)) == (date(2023, 11, 1), "month")


def test_future_date_against_crawl_time_is_rejected() -> None:
    p, _ = _read(f"Minister Resigns\nJuly 3, 2024\n\n{BODY}", "Minister Resigns", "The", CRAWL)
    assert p.value is None and "after the crawl time" in (p.note or "")


# --- expressions --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "precision"),
    [
        ("2024-03-29", date(2024, 3, 29), "day"),
        ("2024/3/9", date(2024, 3, 9), "day"),
        ("29.03.2024", date(2024, 3, 29), "day"),
        ("Mar. 29th, 2024", date(2024, 3, 29), "day"),
        ("29th of March 2024", date(2024, 3, 29), "day"),
        ("29 березня 2024", date(2024, 3, 29), "day"),
        ("2024年3月29日", date(2024, 3, 29), "day"),
        ("März 2024", date(2024, 3, 1), "month"),
    ],
)
def test_find_dates_formats(text: str, value: date, precision: str) -> None:
    (e,) = find_dates(text)
    assert (e.value, e.precision, e.other) == (value, precision, None)


@pytest.mark.parametrize("text", ["aged 82", "costs $68", "2024", "31.02.2024", "call 555-1234"])
def test_find_dates_ignores_numbers(text: str) -> None:
    assert find_dates(text) == []


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.text(min_size=0, max_size=80), max_size=12),
    st.one_of(st.none(), st.integers(0, 15)),
    st.one_of(st.none(), st.integers(0, 15)),
    st.one_of(st.none(), st.datetimes(min_value=datetime(1990, 1, 1))),
)
def test_dates_from_text_never_raises(
    texts: list[str], ti: int | None, bi: int | None, crawled_at: datetime | None
) -> None:
    lines = split_lines("\n".join(texts))
    ti = ti if ti is None or ti < len(lines) else None
    bi = bi if bi is None or bi < len(lines) else None
    published, _ = dates_from_text(lines, ti, bi, crawled_at)
    assert published.status in ("exact", "resolved", "relative", "unknown")
    assert (published.value is None) == (published.status in ("relative", "unknown"))


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_date_lines_with_noise_never_raise(noise: str) -> None:
    lines = split_lines(f"Title Here\n{noise} 29 Mar 2024 {noise}\n2 hours ago{noise}")
    dates_from_text(lines, 0, None, CRAWL)


# --- HTML ---------------------------------------------------------------------------

HTML = """<html><head><title>Minister resigns</title>
<meta property="article:published_time" content="2021-06-03T10:00:00+02:00">
<meta property="article:modified_time" content="2021-06-05T08:00:00+02:00">
</head><body><h1>Minister resigns</h1><p>Text of the story, long enough.</p></body></html>"""


def test_html_meta_published_with_evidence() -> None:
    p, pd = dates_from_html(HTML, None, None)
    assert (p.status, p.value, p.precision) == ("exact", "2021-06-03", "day")
    assert p.evidence is not None
    assert HTML[p.evidence.raw_start : p.evidence.raw_end] == p.evidence.text
    assert p.evidence.text.startswith("2021-06-03")
    assert "article:published_time" in (p.method or "")
    assert [(d.role, d.value) for d in pd] == [("updated", "2021-06-05")]


def test_html_json_ld_and_visible_text() -> None:
    html = (
        '<html><body><script type="application/ld+json">{"@type": "NewsArticle", '
        '"datePublished": "2020-09-15T10:01:41Z"}</script><h1>Headline of story</h1>'
        "<p>Posted 15 September 2020</p></body></html>"
    )
    p, _ = dates_from_html(html, None, None)
    assert p.value == "2020-09-15" and p.evidence is not None
    assert html[p.evidence.raw_start : p.evidence.raw_end] == p.evidence.text
    visible = "<html><body><h1>Headline</h1><p class='x'>Posted 15 September 2020</p></body></html>"
    p, _ = dates_from_html(visible, None, None)
    assert p.value == "2020-09-15" and p.evidence is not None
    assert p.evidence.text == "15 September 2020"


def test_html_without_date_is_unknown() -> None:
    p, pd = dates_from_html("<html><body><h1>Hello</h1><p>No date.</p></body></html>", None, None)
    assert (p.status, p.value) == ("unknown", None) and p.note and pd == []


def test_html_url_date() -> None:
    html = "<html><body><h1>Hello there</h1><p>Some words of text.</p></body></html>"
    p, _ = dates_from_html(html, "https://example.org/2019/05/07/hello-there/", None)
    assert p.value == "2019-05-07" and p.evidence is None and "URL" in (p.note or "")


def test_html_date_after_crawl_time_is_not_chosen() -> None:
    p, _ = dates_from_html(HTML, None, datetime(2021, 1, 1))
    assert p.value != "2021-06-03"


def test_html_year_only_is_unknown() -> None:
    html = "<html><body><h1>Hello there</h1><p>Copyright 2016 Example Ltd</p></body></html>"
    p, _ = dates_from_html(html, None, None)
    assert p.value is None and p.status == "unknown"


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300), st.sampled_from(["", "<p>", "<meta content='2020-01-02'>"]))
def test_dates_from_html_never_raises(text: str, tag: str) -> None:
    p, _ = dates_from_html(f"<html><body>{tag}{text}</body></html>", None, None)
    assert p.status in ("exact", "unknown")


# --- data ---------------------------------------------------------------------------


@pytest.mark.slow
def test_htmldate_eval_sample_not_worse_than_htmldate(data_dir: Path) -> None:
    """On 60 pages of htmldate-eval, presslens's day accuracy is at least htmldate's."""
    from htmldate import find_date
    from htmldate.utils import decode_file

    root = data_dir / "extraction" / "htmldate-eval"
    if not (root / "eval_default.json").is_file():
        pytest.skip(f"htmldate-eval not found at {root}")
    gold = json.loads((root / "eval_default.json").read_text(encoding="utf-8"))
    ours = theirs = 0
    for item in list(gold.values())[:60]:
        path = root / "html" / f"{item['file']}.gz"
        if not path.is_file():
            path = root.parent / "trafilatura-eval" / "html" / f"{item['file']}.gz"
        with gzip.open(path) as fh:
            html = decode_file(fh.read())
        ours += dates_from_html(html, None, None)[0].value == item["date"]
        theirs += find_date(html, extensive_search=True, original_date=True) == item["date"]
    assert ours >= theirs
