"""The clean stage: a RawPage in, an Article with body, removed blocks and metadata out."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from presslens.model import Article, DateField, Field, RawPage


def clean(page: RawPage, repeats: Sequence[int] | None = None) -> Article:
    """Clean one page. ``repeats``: per line, in how many sibling pages it recurs (text only)."""
    # Imported here, not at the top: presslens.meta builds on presslens.clean.lines, so this
    # package must load without presslens.meta for either to be importable first.
    from presslens.clean.html import extract_html
    from presslens.clean.text import clean_text
    from presslens.meta.dates import dates_from_html

    if page.is_html:
        article = extract_html(page)
        article.published, article.page_dates = dates_from_html(
            page.text, page.source.url, page.source.crawled_at
        )
        if title := page.hints.get("title"):
            article.title = Field(
                title.strip(), None, 1.0, "input_field", "title given by the input"
            )
    else:
        article = clean_text(page, repeats)  # reads the title hint itself, to find its line
    _apply_date_hint(article, page.hints.get("date"))
    return article


def _apply_date_hint(article: Article, hint: str | None) -> None:
    """A date given by the input (a JSONL ``date`` field) wins over what the page shows."""
    if not hint:
        return
    try:
        value = date.fromisoformat(hint[:10])
    except ValueError:
        article.warnings.append(f"input date {hint!r} is not an ISO date; ignored")
        return
    article.published = DateField(
        value.isoformat(),
        None,
        1.0,
        "input_field",
        "date given by the input",
        status="exact",
        precision="day",
    )
