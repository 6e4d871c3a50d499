"""Clean an already-scraped text page: body lines kept, chrome removed with reasons.

The boilerplate model scores every line; metadata rules then claim the lines that
carry the headline, dates, byline, agency and outlet, so those are removed from the
body but kept as evidence. Every body paragraph is one raw line, so offsets map back
to the raw page exactly.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from presslens.clean.boilerplate import BoilerplateModel
from presslens.clean.lines import Line, split_lines
from presslens.meta.byline import find_agency, find_byline
from presslens.meta.dates import dates_from_text
from presslens.meta.found import Found
from presslens.meta.outlet import find_outlet
from presslens.meta.title import find_title
from presslens.model import Article, RawPage, Removed, Segment

PROSE_MIN_WORDS = 10
SHORT_SENTENCE_WORDS = 4
_SENTENCE_END = re.compile(r"[.!?…][”\"'’)\]]*$")


def is_prose(line: Line) -> bool:
    """A sentence-like line: the kind a story's first paragraph is made of."""
    return len(line.text.split()) >= PROSE_MIN_WORDS and bool(_SENTENCE_END.search(line.text))


def clean_text(page: RawPage, repeats: Sequence[int] | None = None) -> Article:
    """Turn a scraped text page into an Article (body, removed lines, metadata)."""
    raw = page.text
    lines = split_lines(raw)
    model = BoilerplateModel.load()
    scores = model.score([ln.text for ln in lines], repeats)
    dropped = {i for i, s in enumerate(scores) if s >= model.threshold}
    kept_prose = [ln.index for ln in lines if ln.index not in dropped and is_prose(ln)]
    body_start = kept_prose[0] if kept_prose else _first_kept(lines, dropped)
    body_end = _story_end(lines, dropped, kept_prose[-1] if kept_prose else len(lines) - 1)

    article = Article(source=page.source, raw=raw, extractor="text")
    claimed: dict[int, str] = {}  # line index -> removal reason
    prefixes: dict[int, int] = {}  # line index -> chars of metadata at its start

    def claim(found: Found) -> None:
        for i in found.lines:
            claimed.setdefault(i, found.reason)
        if found.prefix:
            prefixes[found.prefix[0]] = found.prefix[1]

    chrome = {i for i, n in enumerate(repeats or ()) if n}  # recurs on sibling pages: no headline
    title = find_title(lines, body_start, page.hints.get("title"), skip=chrome)
    article.title = title.field
    claim(title)
    title_index = title.lines[0] if title.lines else None

    outside = {ln.index for ln in lines if ln.index < body_start or ln.index > body_end} | dropped
    byline = find_byline(lines, outside - claimed.keys())
    article.byline = byline.field
    claim(byline)
    agency = find_agency(lines, outside - claimed.keys(), article.byline)
    article.source_agency = agency.field
    claim(agency)

    published, page_dates = dates_from_text(lines, title_index, body_start, page.source.crawled_at)
    article.published, article.page_dates = published, page_dates
    for date in [published, *page_dates]:
        if date.evidence is not None:
            claim(
                Found(
                    date,
                    _lines_within(lines, date.evidence.raw_start, date.evidence.raw_end),
                    "page_date" if date.role else "date",
                )
            )

    outlet = find_outlet(lines, body_start, page.source.url, outside - claimed.keys())
    article.outlet = outlet.field
    claim(outlet)

    body_parts: list[tuple[Line, int]] = []
    for ln in lines:
        reason = claimed.get(ln.index) or _chrome_reason(ln, body_start, body_end, dropped, repeats)
        if reason:
            article.removed.append(
                Removed(ln.text, reason, ln.raw_start, ln.raw_end, round(scores[ln.index], 3))
            )
            continue
        cut = prefixes.get(ln.index, 0)
        if cut:
            article.removed.append(
                Removed(ln.text[:cut], "outlet_prefix", ln.raw_start, ln.raw_start + cut)
            )
        body_parts.append((ln, cut))
    _assemble(article, body_parts)
    return article


def _story_end(lines: Sequence[Line], dropped: set[int], last_prose: int) -> int:
    """The story's last line: the last prose line, or a short sentence just after it."""
    end = last_prose
    for ln in lines[last_prose + 1 :]:
        if ln.index in dropped or not _SENTENCE_END.search(ln.text):
            break
        if len(ln.text.split()) >= SHORT_SENTENCE_WORDS:
            end = ln.index
    return end


def _first_kept(lines: Sequence[Line], dropped: set[int]) -> int:
    return next((ln.index for ln in lines if ln.index not in dropped), len(lines))


def _lines_within(lines: Sequence[Line], start: int, end: int) -> tuple[int, ...]:
    """Lines that are nothing but the evidence span (a date line, not a sentence)."""
    return tuple(ln.index for ln in lines if start <= ln.raw_start and ln.raw_end <= end)


def _chrome_reason(
    ln: Line, body_start: int, body_end: int, dropped: set[int], repeats: Sequence[int] | None
) -> str | None:
    if ln.index < body_start:
        return "leading_chrome"
    if ln.index > body_end:
        return "trailing_chrome"
    if ln.index not in dropped:
        return None
    if repeats and repeats[ln.index]:
        return "repeated_across_pages"
    return "boilerplate"


def _assemble(article: Article, parts: Sequence[tuple[Line, int]]) -> None:
    chunks: list[str] = []
    pos = 0
    for ln, cut in parts:
        text = ln.text[cut:]
        lead = len(text) - len(text.lstrip())
        text = text.strip()
        if not text:
            continue
        if chunks:
            chunks.append("\n\n")
            pos += 2
        raw_start = ln.raw_start + cut + lead
        article.paragraphs.append((pos, pos + len(text)))
        article.segments.append(Segment(pos, pos + len(text), raw_start, raw_start + len(text)))
        chunks.append(text)
        pos += len(text)
    article.body = "".join(chunks)
