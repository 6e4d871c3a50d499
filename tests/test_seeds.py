"""Acceptance: the reader on the five seed pages, measured against gold.json."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from conftest import read_seeds

from presslens.model import Article


@pytest.fixture(scope="module")
def articles(seed_articles: dict[str, Article]) -> dict[str, Article]:
    return seed_articles


def _body_lines(article: Article) -> list[str]:
    return [article.body[a:b] for a, b in article.paragraphs]


def test_every_seed_read(articles, gold):
    assert sorted(articles) == sorted(gold["articles"])


def test_titles_exact(articles, gold):
    got = {name: a.title.value for name, a in articles.items()}
    want = {name: g["title"] for name, g in gold["articles"].items()}
    assert got == want


def test_boilerplate_removed(articles, gold):
    for name, g in gold["articles"].items():
        body = _body_lines(articles[name])
        for line in g["boilerplate"]:
            assert not any(line in para for para in body), (name, line)


def test_body_first_and_last_kept(articles, gold):
    for name, g in gold["articles"].items():
        body = _body_lines(articles[name])
        assert body[0].startswith(g["body_first"]), (name, body[0][:80])
        assert body[-1].endswith(g["body_last"]), (name, body[-1][-80:])


def test_outlets_where_gold_has_one(articles, gold):
    for name, g in gold["articles"].items():
        if g.get("outlet"):
            assert articles[name].outlet.value == g["outlet"], name
            assert articles[name].outlet.evidence is not None, name


def test_agency_and_byline(articles, gold):
    for name, g in gold["articles"].items():
        assert articles[name].byline.value == g.get("byline"), name
        if g.get("source_agency"):
            assert articles[name].source_agency.value == g["source_agency"], name


def test_dates(articles, gold):
    a001 = articles["001_99995a77091a4f2e.txt"]
    assert (a001.published.value, a001.published.status) == ("2024-03-29", "exact")
    assert a001.published.evidence is not None
    for name in ("002_c65011fe04bd125a.txt", "003_34291fd827fe937f.txt"):
        pub = articles[name].published
        assert pub.value is None and pub.status == "unknown", name
        chrome = [d.evidence.text for d in articles[name].page_dates if d.role == "page_chrome"]
        assert chrome == gold["articles"][name]["page_chrome_dates"], name
    a000 = articles["000_dbe2c86115df3ad9.txt"].published
    assert (a000.value, a000.status, a000.relative) == (None, "relative", "2 months ago")
    assert articles["004_1d8038a1fe6f818a.txt"].published.value is None


def test_relative_date_resolved_with_crawl_time(seeds_dir):
    crawl = datetime(2024, 7, 15, tzinfo=UTC)
    pub = read_seeds(seeds_dir, crawl)["000_dbe2c86115df3ad9.txt"].published
    assert pub.status == "resolved" and pub.value is not None
    assert pub.value.startswith("2024-05")


def test_offsets_map_back_to_raw(articles):
    for article in articles.values():
        for seg in article.segments:
            assert (
                article.body[seg.body_start : seg.body_end]
                == article.raw[seg.raw_start : seg.raw_end]
            )
        for removed in article.removed:
            assert article.raw[removed.raw_start : removed.raw_end] == removed.text
        for field in (article.title, article.outlet, article.byline, article.source_agency):
            if field.evidence is not None:
                ev = field.evidence
                assert article.raw[ev.raw_start : ev.raw_end] == ev.text
