"""The HTML reading path: main text, offsets into the source, removed blocks, metadata."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from presslens.clean.html import extract_html
from presslens.clean.htmltext import BREAK, VisibleText
from presslens.model import Article, RawPage, Source

PARAGRAPHS = [
    "The ministers of three neighbouring countries agreed on Tuesday to share the waters "
    "of the river that runs along their borders, ending a dispute that lasted a decade.",
    "The agreement, signed in the capital after two days of talks, sets quotas for each "
    "country and creates a joint commission to settle future disagreements.",
    "“This is a day many thought would never come,” the foreign minister told reporters "
    "after the signing ceremony, adding that parliaments would vote on it next month.",
    "Farmers' unions in all three countries welcomed the deal but warned that the quotas "
    "would have to be revised if the drought of the last two summers returned.",
]
HEADLINE = "Ministers Agree on New Water Plan"


def page(
    body_paragraphs: list[str] | None = None,
    *,
    head: str = "",
    title: str = f"{HEADLINE} | The River Post",
    wrapper: bool = True,
) -> str:
    """An article page with navigation and footer chrome around the story."""
    paras = "\n".join(f"<p>{p}</p>" for p in (body_paragraphs or PARAGRAPHS))
    content = (
        '<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li></ul></nav>\n'
        f"<article><h1>{HEADLINE}</h1>\n{paras}\n</article>\n"
        "<footer><p>Copyright 2024 The River Post. All rights reserved.</p></footer>"
    )
    if not wrapper:
        return content
    return (
        f"<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>{title}</title>{head}"
        f"</head>\n<body>\n{content}\n</body></html>\n"
    )


def read(raw: str, url: str | None = None) -> Article:
    return extract_html(RawPage(Source("html", url=url), raw, is_html=True))


def check_offsets(article: Article) -> None:
    """Every invariant the record promises about offsets."""
    raw, body = article.raw, article.body
    for seg in article.segments:
        assert 0 <= seg.body_start <= seg.body_end <= len(body)
        assert 0 <= seg.raw_start <= seg.raw_end <= len(raw)
        if seg.exact:
            assert body[seg.body_start : seg.body_end] == raw[seg.raw_start : seg.raw_end]
    starts = [s.body_start for s in article.segments]
    assert starts == sorted(starts)
    for a, b in article.paragraphs:
        assert 0 <= a < b <= len(body)
    for r in article.removed:
        assert 0 <= r.raw_start <= r.raw_end <= len(raw)
    for field in (article.title, article.outlet, article.byline):
        if field.evidence is not None:
            ev = field.evidence
            assert raw[ev.raw_start : ev.raw_end] == ev.text


def test_body_found_and_mapped_back() -> None:
    article = read(page())
    assert article.extractor == "trafilatura"
    assert [article.body[a:b] for a, b in article.paragraphs] == PARAGRAPHS
    assert article.body == "\n\n".join(PARAGRAPHS)
    check_offsets(article)
    # Plain text: every paragraph is one exact segment, found where the page has it.
    assert len(article.segments) == len(PARAGRAPHS)
    assert all(s.exact for s in article.segments)
    offset = article.body.index("foreign minister")
    raw_at = article.to_raw(offset)
    assert raw_at is not None
    assert article.raw[raw_at : raw_at + 16] == "foreign minister"


def test_headline_and_chrome_are_removed_with_reasons() -> None:
    raw = page()
    article = read(raw)
    assert HEADLINE not in article.body
    reasons = {r.text: r.reason for r in article.removed}
    assert reasons[HEADLINE] == "title"
    assert reasons["Home"] == "html_boilerplate"
    footer = next(r for r in article.removed if r.text.startswith("Copyright"))
    assert raw[footer.raw_start : footer.raw_end].startswith("Copyright 2024")


def test_inline_markup_and_line_breaks_in_the_source() -> None:
    marked = (
        "The ministers of <b>three</b> neighbouring countries agreed on <a href='/t'>Tuesday</a>"
        " to share the waters\n   of the river that runs along their borders, ending a "
        "dispute that lasted a decade."
    )
    article = read(page([marked, *PARAGRAPHS[1:]]))
    assert article.body.startswith(PARAGRAPHS[0])
    check_offsets(article)
    first = [s for s in article.segments if s.body_end <= len(PARAGRAPHS[0])]
    assert len(first) > 1  # split where markup and the line break sit
    assert first[0].body_start == 0 and first[-1].body_end == len(PARAGRAPHS[0])


def test_entities_decode_and_map_to_their_span() -> None:
    text = (
        "AT&amp;T and Caf&eacute; Noir said on Tuesday that the river&#8217;s water&nbsp;"
        "quotas would be shared by farmers and towns along its banks for ten years."
    )
    raw = page([text, *PARAGRAPHS[1:]])
    article = read(raw)
    assert article.body.startswith(
        "AT&T and Café Noir said on Tuesday that the river’s water quotas"
    )
    check_offsets(article)
    amp = article.body.index("&")
    seg = next(s for s in article.segments if s.body_start <= amp < s.body_end)
    assert not seg.exact
    assert raw[seg.raw_start : seg.raw_end] == "&amp;"


def test_html_without_body_or_html_tags() -> None:
    article = read(page(wrapper=False))
    assert "foreign minister told reporters" in article.body
    check_offsets(article)


@pytest.mark.parametrize("raw", ["", "   \n ", "<html></html>", "<html><body></body></html>"])
def test_empty_pages_give_an_empty_body_and_a_warning(raw: str) -> None:
    article = read(raw)
    assert article.body == ""
    assert article.warnings


def test_control_characters_do_not_stop_extraction() -> None:
    dirty = [p.replace("agreed", "agr\x00eed").replace("river", "ri\x07ver") for p in PARAGRAPHS]
    raw = page(dirty).replace("<article>", "<article>\x1b\x0b")
    article = read(raw)
    assert "agreed on Tuesday to share the waters of the river" in article.body
    check_offsets(article)


def test_title_site_name_and_author_evidence() -> None:
    head = (
        '<meta property="og:site_name" content="The River Post">'
        '<meta name="author" content="Jane Doe">'
    )
    raw = page(head=head)
    article = read(raw)
    assert article.title.value == HEADLINE
    assert article.title.method == "h1"
    assert article.outlet.value == "The River Post"
    assert article.outlet.method == "og:site_name"
    assert article.byline.value == "Jane Doe"
    for field in (article.title, article.outlet, article.byline):
        assert field.evidence is not None and field.confidence > 0
    check_offsets(article)


def test_metadata_from_title_and_json_ld() -> None:
    ld = json.dumps(
        {
            "@type": "NewsArticle",
            "headline": "Water plan agreed",
            "author": {"@type": "Person", "name": "Jane Doe"},
            "publisher": {"@type": "Organization", "name": "River Post"},
        }
    )
    raw = page(head=f'<script type="application/ld+json">{ld}</script>').replace(
        f"<h1>{HEADLINE}</h1>", ""
    )
    article = read(raw)
    assert (article.title.value, article.title.method) == ("Water plan agreed", "json_ld_headline")
    assert (article.byline.value, article.byline.method) == ("Jane Doe", "json_ld_author")
    assert (article.outlet.value, article.outlet.method) == ("River Post", "json_ld_publisher")
    check_offsets(article)
    # No metadata but the <title>: headline and site name are its two parts.
    article = read(page(title=f"{HEADLINE} - River Weekly").replace(f"<h1>{HEADLINE}</h1>", ""))
    assert article.title.value == HEADLINE
    assert (article.outlet.value, article.outlet.method) == ("River Weekly", "title_part")
    assert article.byline.value is None


def test_visible_text_skips_markup_and_maps_back() -> None:
    raw = (
        "<html><head><title>T</title><style>p{}</style></head><body>"
        "<!-- a comment --><script>var s = '</div><p>';</script>"
        "<p>one &amp; two</p><div>three<br>four</div><script src=x />"
        "<p class='x>y'>five\xadsix</p><p>seven <b</p>"
    )
    vt = VisibleText.scan(raw)
    words = vt.text.replace(BREAK, " ").split()
    assert words[:6] == ["one", "&", "two", "three", "four", "fivesix"]
    i = vt.text.index("three")
    assert raw[vt.raw_start(i) : vt.raw_end(i + 5)] == "three"
    amp = vt.text.index("&")
    assert raw[vt.raw_start(amp) : vt.raw_end(amp + 1)] == "&amp;"


def test_paragraph_changed_by_the_extractor_still_maps() -> None:
    raw = "<body><ul><li>First item here</li><li>Second item</li></ul><p>A | B</p></body>"
    vt = VisibleText.scan(raw)
    runs = vt.align("- First item here")
    assert runs and vt.text[runs[0].v_start : runs[-1].v_end] == "First item here"
    assert vt.align("Second   item") != []
    assert vt.align("Nothing like this here") == []


_TAGS = st.sampled_from(
    ["<p>", "</p>", "<div>", "</div>", "<br>", "<b>", "</b>", "<script>", "</script>",
     "<!--", "-->", "<title>", "&amp;", "&#", "&nbsp;", "<", ">", "\x00", "\xad", "<a href='",
     "<html>", "<body>", "</body>", "<h1>", "</h1>", "<meta property='og:title' content='"]
)  # fmt: skip
_HTMLISH = st.lists(st.one_of(_TAGS, st.text(max_size=40)), max_size=40).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=300), _HTMLISH))
def test_extract_html_never_raises(raw: str) -> None:
    article = read(raw)
    check_offsets(article)


def test_real_pages_from_scrapinghub(data_dir: Path) -> None:
    """A few benchmark pages: body close to the gold text, offsets hold."""
    folder = data_dir / "extraction" / "scrapinghub-aeb"
    if not (folder / "ground-truth.json").is_file():
        pytest.skip(f"ScrapingHub AEB not found at {folder}")
    gold = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    tokens = re.compile(r"\w+")
    recalls = []
    for key in sorted(gold)[:8]:
        raw = gzip.decompress((folder / "html" / f"{key}.html.gz").read_bytes()).decode("utf-8")
        article = read(raw)
        check_offsets(article)
        assert article.body and not any("not located" in w for w in article.warnings)
        want = set(tokens.findall(gold[key]["articleBody"]))
        recalls.append(len(want & set(tokens.findall(article.body))) / max(1, len(want)))
    assert sum(recalls) / len(recalls) > 0.9
