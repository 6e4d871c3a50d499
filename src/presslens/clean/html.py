"""The HTML reading path: main text by trafilatura, offsets back into the HTML source.

Main text: trafilatura (favor_precision, comments left out), one parse of the page; when
the precise run keeps under ``BALANCED_RETRY_CHARS`` the balanced run is taken instead,
when trafilatura finds (almost) nothing readability-lxml is asked, and last the page's
plain visible text. Each extracted line is one body paragraph, located in the page's
visible text (``htmltext``) to map it to source offsets; visible blocks left out become
``removed`` entries. Title, site name and author come from the page's metadata (meta
tags, JSON-LD, ``<title>``, ``<h1>``, byline elements) with the source span they were
read from. Publication dates are another module's business (``meta.dates``).

The figures behind these choices come from bench/extraction.py.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from html import unescape

import trafilatura
from trafilatura.json_metadata import normalize_authors

from presslens.clean.htmltext import Run, VisibleText
from presslens.meta import registry
from presslens.meta.outlet import from_url
from presslens.model import Article, Evidence, Field, RawPage, Removed

# readability logs a traceback for pages it cannot summarise; the fallback handles those.
logging.getLogger("readability").addHandler(logging.NullHandler())

TRAFILATURA_OPTIONS = {"include_comments": False, "include_tables": True, "output_format": "txt"}
# Precise output shorter than this is retried balanced. Fitted on ScrapingHub AEB (argmax
# of F1 over 0..3000 chars; 300-1000 all within 0.003); trafilatura-eval is the held-out check.
BALANCED_RETRY_CHARS = 300
# Less main text than this: trafilatura found nothing usable, readability is asked.
FALLBACK_CHARS = 100
HTML_BOILERPLATE = "html_boilerplate"

_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")
_WS = re.compile(r"\s+")
_TAGS = re.compile(r"<[^>]*>")
_META = re.compile(r"<meta\b[^>]*>", re.I)
_ATTR = re.compile(r"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_TITLE = re.compile(r"<title\b[^>]*>(.*?)</title\s*>", re.I | re.S)
_H1 = re.compile(r"<h1\b[^>]*>(.*?)</h1\s*>", re.I | re.S)
_JSONLD = re.compile(r"<script\b[^>]*application/ld\+json[^>]*>(.*?)</script\s*>", re.I | re.S)
_JSTR = r'"((?:[^"\\]|\\.)*)"'
_JSON_HEADLINE = re.compile(r'"headline"\s*:\s*' + _JSTR)
_JSON_AUTHOR = re.compile(
    r'"(?:author|creator)"\s*:\s*\[?\s*(?:\{[^{}\]]*?"name"\s*:\s*' + _JSTR + "|" + _JSTR + ")"
)
_JSON_PUBLISHER = re.compile(r'"publisher"\s*:\s*\[?\s*\{[^{}\]]*?"name"\s*:\s*' + _JSTR)
# "Headline | Site", "Headline - Site", "Site: Headline" ...
_TITLE_SEP = re.compile(r"\s+[|–—·•:»›/-]\s+|\s+-{2}\s+|\s*::\s*")
_WORD = re.compile(r"\w")
_BYLINE_TAG = re.compile(
    r"""<(a|span|div|p|address|strong|li|h[3-6]|author)\b[^>]*?"""
    r"""(?:\brel\s*=\s*["']?author\b|\bitemprop\s*=\s*["']?author\b"""
    r"""|\bclass\s*=\s*["'][^"'>]*?\b(?:author|byline|author-?name|authorName)\b[^"'>]*["'])"""
    r"""[^>]*>(.*?)</\1\s*>""",
    re.I | re.S,
)


@dataclass(frozen=True, slots=True)
class _Value:
    """A candidate metadata value and the source span it came from."""

    value: str
    start: int
    end: int
    method: str


def extract_html(page: RawPage) -> Article:
    """Read an HTML page: main text with source offsets, removed blocks, title, outlet, author.

    Never raises on malformed input: a page with no text gets an empty body and a warning.
    """
    raw = page.text
    article = Article(source=page.source, raw=raw, extractor="trafilatura")
    if not raw.strip():
        article.warnings.append("empty HTML page")
        return article
    visible = VisibleText.scan(raw)
    text, article.extractor = _main_text(raw, visible)
    metas = _meta_tags(raw)
    title = _title(raw, metas)
    site = _site_name(raw, metas, title)
    _fill_body(article, visible, _paragraphs(text), title)
    article.title = _field(raw, title, _TITLE_CONFIDENCE)
    article.outlet = _outlet(raw, site, page.source.url)
    article.byline = _field(raw, _author(raw, metas), _AUTHOR_CONFIDENCE)
    if not article.body:
        article.warnings.append("no text found in the HTML page")
    return article


def _main_text(raw: str, visible: VisibleText) -> tuple[str, str]:
    """Main text and the extractor that produced it.

    trafilatura gets the source string: it parses it once itself, where a tree handed
    over would be deep-copied first (a third of a parse). Only the rare short precise
    output costs a second parse, for the balanced run.
    """
    text = _trafilatura(raw, favor_precision=True)
    if len(text) < BALANCED_RETRY_CHARS:
        text = max(text, _trafilatura(raw, favor_precision=False), key=len)
    if len(text) >= FALLBACK_CHARS:
        return text, "trafilatura"
    other = _readability(raw)
    if len(other) > len(text):
        return other, "readability"
    if text:
        return text, "trafilatura"
    return _block_lines(visible), "plain"


def _trafilatura(raw: str, *, favor_precision: bool) -> str:
    try:
        out = trafilatura.extract(raw, favor_precision=favor_precision, **TRAFILATURA_OPTIONS)
    except (ValueError, TypeError, AttributeError, RecursionError):
        return ""
    return (out or "").replace("\\|", "|")  # pipes inside table cells come escaped


def _readability(raw: str) -> str:
    """readability-lxml's main block as text, one line per block; "" when it fails."""
    from readability import Document

    try:
        summary = Document(_CONTROL.sub("", raw)).summary(html_partial=True)
    except Exception:  # readability raises bare Exceptions of its own on odd pages
        return ""
    return _block_lines(VisibleText.scan(summary))


def _block_lines(visible: VisibleText) -> str:
    """The visible blocks of a page, one line each."""
    return "\n".join(" ".join(visible.text[a:b].split()) for a, b in visible.blocks())


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if _WORD.search(line)]


def _fill_body(
    article: Article, visible: VisibleText, paragraphs: list[str], title: _Value | None
) -> None:
    """Body, paragraph offsets, segments and removed blocks from the extracted lines.

    A first line that repeats the headline is metadata, not body: it is removed as
    "title" with the span where it stands on the page.
    """
    parts: list[str] = []
    covered: list[tuple[int, int]] = []
    missing = 0
    offset = cursor = 0
    if paragraphs and title and _norm(paragraphs[0]) == _norm(title.value):
        head = paragraphs.pop(0)
        runs = visible.align(head)
        span = (title.start, title.end)
        if runs:
            cursor = runs[-1].v_end
            covered.append((runs[0].v_start, cursor))
            span = (visible.raw_start(runs[0].v_start), visible.raw_end(cursor))
        article.removed.append(Removed(head, "title", *span))
    for para in paragraphs:
        runs = visible.align(para, cursor)
        para, runs = _strip_markers(para, runs)
        if offset:
            parts.append("\n\n")
            offset += 2
        parts.append(para)
        article.paragraphs.append((offset, offset + len(para)))
        if runs:
            article.segments.extend(visible.segments(para, runs, offset))
            cursor = runs[-1].v_end
            covered.append((runs[0].v_start, cursor))
        else:
            missing += 1
        offset += len(para)
    article.body = "".join(parts)
    if missing:
        article.warnings.append(
            f"{missing} of {len(paragraphs)} paragraphs not located in the HTML source"
        )
    article.removed.extend(_removed(visible, covered))


def _strip_markers(para: str, runs: list[Run]) -> tuple[str, list[Run]]:
    """Drop leading/trailing punctuation the extractor added ("- " items, "|" cells)."""
    if not runs:
        return para, runs
    start, end = runs[0].start, runs[-1].end
    if _WORD.search(para, 0, start) or _WORD.search(para, end):
        return para, runs  # unmatched words: keep the paragraph as extracted
    if start:
        runs = [Run(r.start - start, r.end - start, r.v_start) for r in runs]
    return para[start:end], runs


def _removed(visible: VisibleText, covered: list[tuple[int, int]]) -> list[Removed]:
    """Visible blocks of the page body (or their uncovered parts) left out of the body."""
    covered = sorted(covered)
    out: list[Removed] = []
    k = 0
    for a, b in visible.blocks():
        while k < len(covered) and covered[k][1] <= a:
            k += 1
        pos, j = a, k
        while j < len(covered) and covered[j][0] < b:
            _add_removed(out, visible, pos, covered[j][0])
            pos = max(pos, covered[j][1])
            j += 1
        _add_removed(out, visible, pos, b)
    return out


def _add_removed(out: list[Removed], visible: VisibleText, a: int, b: int) -> None:
    chunk = visible.text[a:b]
    if not _WORD.search(chunk):
        return
    lead = len(chunk) - len(chunk.lstrip())
    a, b = a + lead, a + len(chunk.rstrip())
    out.append(
        Removed(" ".join(chunk.split()), HTML_BOILERPLATE, visible.raw_start(a), visible.raw_end(b))
    )


# --- metadata -------------------------------------------------------------------------
# Order and confidences were read off trafilatura-eval's gold titles and authors (845 and
# 538 pages): a lone <h1> matched the gold title on 83% of pages, JSON-LD headline 80%,
# og:title 58% as written (site names appended) and 69% cut to its longest part.

_TITLE_CONFIDENCE = {
    "h1": 0.8,
    "json_ld_headline": 0.8,
    "og:title": 0.7,
    "twitter:title": 0.7,
    "html_title": 0.6,
}
_AUTHOR_KEYS = ("author", "article:author", "dc.creator", "parsely-author", "sailthru.author")
_AUTHOR_CONFIDENCE = {
    "json_ld_author": 0.75,
    "meta_author": 0.6,
    "byline_element": 0.6,
}
_SITE_CONFIDENCE = {
    "og:site_name": 0.9,
    "application-name": 0.75,
    "json_ld_publisher": 0.8,
    "title_part": 0.6,
}


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def _clean(text: str) -> str:
    return _WS.sub(" ", unescape(_TAGS.sub(" ", text))).strip()


def _meta_tags(raw: str) -> list[tuple[str, _Value]]:
    """(key, content) of each <meta> with a content attribute; key is its property/name."""
    out = []
    for m in _META.finditer(raw):
        key = content = None
        for a in _ATTR.finditer(m.group()):
            name = a.group(1).lower()
            idx = next(i for i in (2, 3, 4) if a.group(i) is not None)
            if name in ("property", "name", "itemprop") and key is None:
                key = a.group(idx).strip().lower()
            elif name == "content":
                content = (m.start() + a.start(idx), m.start() + a.end(idx), a.group(idx))
        if key and content and (value := _clean(content[2])):
            out.append((key, _Value(value, content[0], content[1], key)))
    return out


def _meta(metas: list[tuple[str, _Value]], *keys: str) -> _Value | None:
    for key in keys:
        for k, v in metas:
            if k == key:
                return v
    return None


def _json_ld(raw: str, pattern: re.Pattern[str], method: str) -> _Value | None:
    for script in _JSONLD.finditer(raw):
        base = script.start(1)
        for m in pattern.finditer(script.group(1)):
            g = next(i for i in range(1, pattern.groups + 1) if m.group(i) is not None)
            try:
                value = _clean(json.loads(f'"{m.group(g)}"'))
            except ValueError:
                continue
            if value:
                return _Value(value, base + m.start(g), base + m.end(g), method)
    return None


def _parts(raw: str, found: _Value) -> list[_Value]:
    """``found`` cut at title separators (" | ", " - " ...), parts that hold a word."""
    spans, pos = [], found.start
    for sep in _TITLE_SEP.finditer(raw, found.start, found.end):
        spans.append((pos, sep.start()))
        pos = sep.end()
    spans.append((pos, found.end))
    return [
        _Value(_clean(raw[a:b]), a, b, found.method) for a, b in spans if _WORD.search(raw, a, b)
    ]


def _headline_part(raw: str, found: _Value) -> _Value:
    """The longest part of a title that may carry the site's name too."""
    return max(_parts(raw, found) or [found], key=lambda v: len(v.value))


def _html_title(raw: str) -> _Value | None:
    m = _TITLE.search(raw)
    if m is None or not (value := _clean(m.group(1))):
        return None
    return _Value(value, m.start(1), m.end(1), "html_title")


def _title(raw: str, metas: list[tuple[str, _Value]]) -> _Value | None:
    """The headline: a lone <h1>, JSON-LD headline, og:/twitter:title, <title>."""
    h1s = list(_H1.finditer(raw))
    if len(h1s) == 1 and (value := _clean(h1s[0].group(1))):
        return _Value(value, *h1s[0].span(1), "h1")
    found = _json_ld(raw, _JSON_HEADLINE, "json_ld_headline")
    if found:
        return found
    found = _meta(metas, "og:title", "twitter:title") or _html_title(raw)
    return _headline_part(raw, found) if found else None


def _site_name(raw: str, metas: list[tuple[str, _Value]], title: _Value | None) -> _Value | None:
    """The site's own name: og:site_name, app name, JSON-LD publisher, a <title> part."""
    found = _meta(metas, "og:site_name", "application-name") or _json_ld(
        raw, _JSON_PUBLISHER, "json_ld_publisher"
    )
    if found:
        return found
    whole = _html_title(raw)
    parts = _parts(raw, whole) if whole else []
    if len(parts) < 2:
        return None
    head = _norm(title.value) if title else ""
    index = next((i for i, p in enumerate(parts) if _norm(p.value) == head), None)
    if index is None:
        index = max(range(len(parts)), key=lambda i: len(parts[i].value))
    site = parts[-1] if index == 0 else parts[0]
    return _Value(site.value, site.start, site.end, "title_part")


def _outlet(raw: str, site: _Value | None, url: str | None) -> Field:
    """The outlet: the page's site name (a known outlet's canonical name), else the URL."""
    if site is None:
        return from_url(url).field
    known = registry.by_name(site.value)
    confidence = _SITE_CONFIDENCE.get(site.method, 0.6) + (0.05 if known else 0.0)
    return Field(
        known.name if known else site.value.lstrip("@"),
        Evidence(site.start, site.end, raw[site.start : site.end]),
        min(1.0, confidence),
        site.method,
    )


def _author(raw: str, metas: list[tuple[str, _Value]]) -> _Value | None:
    """Author(s): JSON-LD, author meta tags, then a byline element."""
    for source in (
        lambda: _json_ld(raw, _JSON_AUTHOR, "json_ld_author"),
        lambda: _meta(metas, *_AUTHOR_KEYS),
        lambda: _byline_element(raw),
    ):
        if (found := source()) and (name := normalize_authors(None, found.value)):
            method = found.method if found.method in _AUTHOR_CONFIDENCE else "meta_author"
            return _Value(name, found.start, found.end, method)
    return None


def _byline_element(raw: str) -> _Value | None:
    """Text of the first element marked as the author's (rel/itemprop/class author, byline).

    str.find finds the few candidate attributes ("author", "Author", "byline", "Byline"),
    the tag regex only runs there: a fraction of a millisecond, where a DOM query costs
    several.
    """
    hits = sorted(h for word in ("uthor", "yline") for h in _find_all(raw, word))
    for hit in hits:
        lt = raw.rfind("<", max(0, hit - 300), hit)
        if lt < 0 or ">" in raw[lt:hit]:
            continue  # not inside a tag
        m = _BYLINE_TAG.match(raw, lt)
        if m and 2 < len(text := _clean(m.group(2))) < 120:
            start, end = m.span(2)
            inner = raw[start:end]
            start += len(inner) - len(inner.lstrip())
            end -= len(inner) - len(inner.rstrip())
            return _Value(text, start, end, "byline_element")
    return None


def _find_all(text: str, word: str) -> list[int]:
    out = []
    i = text.find(word)
    while i >= 0:
        out.append(i)
        i = text.find(word, i + 1)
    return out


def _field(raw: str, found: _Value | None, confidence: dict[str, float]) -> Field:
    if found is None:
        return Field(note="not found in the page's metadata")
    evidence = None
    if found.end > found.start:
        evidence = Evidence(found.start, found.end, raw[found.start : found.end])
    return Field(found.value, evidence, confidence.get(found.method, 0.6), found.method)
