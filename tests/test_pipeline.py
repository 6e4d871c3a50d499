"""The pipeline: order kept, errors passed through, input hints applied."""

from __future__ import annotations

from presslens.model import Article, RawPage, ReadError, Source
from presslens.pipeline import analyze

STORY = "\n\n".join(
    [
        "Minister Warns of Flooding Along the River",
        "The minister said on Monday that the river could burst its banks within days, "
        "and asked residents of low-lying districts to prepare to leave their homes.",
        "Engineers have been reinforcing the embankments since the weekend, officials said, "
        "but the forecast shows more heavy rain arriving from the west on Wednesday.",
    ]
)
HTML = (
    "<html><head><title>Site</title></head><body><article><h1>Floods</h1>"
    + "".join(f"<p>{p}</p>" for p in STORY.split("\n\n")[1:])
    + "</article></body></html>"
)


def _page(text: str, html: bool = False, **hints: str) -> RawPage:
    return RawPage(Source("jsonl", path="in.jsonl", line=1), text, is_html=html, hints=hints)


def test_order_and_errors_pass_through():
    err = ReadError(Source("text", path="bad.txt"), "empty file")
    out = list(analyze([_page(STORY), err, _page("")]))
    assert isinstance(out[0], Article)
    assert out[1] is err
    assert isinstance(out[2], ReadError) and out[2].reason == "no article text found"


def test_date_hint_is_the_publication_date():
    (article,) = analyze([_page(STORY, date="2024-03-29T10:00:00Z")])
    assert (article.published.value, article.published.method) == ("2024-03-29", "input_field")


def test_bad_date_hint_is_a_warning_not_a_date():
    (article,) = analyze([_page(STORY, date="last week")])
    assert article.published.value is None
    assert any("not an ISO date" in w for w in article.warnings)


def test_title_hint_finds_its_line_in_text_and_applies_to_html():
    (text,) = analyze([_page(STORY, title="Minister Warns of Flooding Along the River")])
    assert text.title.evidence is not None and text.title.evidence.raw_start == 0
    (html,) = analyze([_page(HTML, html=True, title="Given Title")])
    assert html.title.value == "Given Title"


def test_skipped_pages_still_count_as_siblings_for_repeated_lines():
    """A resumed ingest skips stored pages; the others must read as they did in one run."""
    chrome = "Home » World\nTehran 21°C Clear\n\n{}\n\nLEAVE A REPLY\nShare on Facebook"

    def story(i: int) -> str:
        return f"Report {i} on the hearings\n\n" + "\n\n".join(
            f"Witness {k} told the committee on day {i} that the budget for project "
            f"{k * 7 + i} had been spent by {2000 + k + i}, officials said."
            for k in range(8)
        )

    pages = [
        RawPage(Source("text", path=f"site/{i}.txt"), chrome.format(story(i))) for i in range(4)
    ]
    whole = list(analyze(pages, language=False))
    assert all("LEAVE A REPLY" not in a.body and "21°C" not in a.body for a in whole)
    assert all(a.title.value != "Tehran 21°C Clear" for a in whole), "chrome is never a headline"
    resumed = list(analyze(pages, language=False, skip=lambda p: p is pages[0]))
    assert resumed[0] is pages[0]
    for a, b in zip(whole[1:], resumed[1:], strict=True):
        assert (a.body, a.removed) == (b.body, b.removed)
    alone = list(analyze(pages[1:2], language=False))
    assert alone[0].removed != whole[1].removed, (
        "the test pages must depend on their siblings for the check above to mean anything"
    )
