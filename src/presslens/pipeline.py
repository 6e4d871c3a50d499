"""Compose the stages: read pages in, articles out, errors passed through in order.

The pipeline works in small batches so that lines repeated across pages of one
outlet (menus, footers, comment forms) can be counted and bodies parsed together,
while memory stays bounded and results stream out in input order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import TYPE_CHECKING

from presslens.clean import clean
from presslens.clean.repeats import repeat_counts
from presslens.model import Article, RawPage, ReadError
from presslens.nlp import DEFAULT_MODEL

if TYPE_CHECKING:
    from spacy.tokens import Doc

BATCH_SIZE = 64


def analyze(
    items: Iterable[RawPage | ReadError],
    *,
    batch_size: int = BATCH_SIZE,
    language: bool = True,
    model: str = DEFAULT_MODEL,
    workers: int | None = 1,
    skip: Callable[[RawPage], bool] | None = None,
) -> Iterator[Article | ReadError | RawPage]:
    """Clean every page, then (``language``) find actors, quotes, claims and times with the
    spaCy pipeline ``model``, in ``workers`` processes on batches big enough to share (None:
    one per core; see ``presslens.workers``). A page that fails becomes a ``ReadError``; the
    batch goes on.

    Pages for which ``skip(page)`` is true (already stored, say) are yielded back unanalysed,
    but still count as batch siblings for repeated lines: so the other pages of a batch read
    exactly as they would have if nothing had been skipped, and a resumed ingest matches an
    uninterrupted one."""
    for batch in _batched(items, batch_size):
        pages = [item for item in batch if isinstance(item, RawPage)]
        repeats = repeat_counts(pages)
        results = [
            item
            if isinstance(item, ReadError) or (skip is not None and skip(item))
            else _clean_one(item, repeats.get(id(item)))
            for item in batch
        ]
        if language:
            _language([r for r in results if isinstance(r, Article)], model, workers)
        yield from results


def _language(articles: list[Article], model: str, workers: int | None = 1) -> None:
    """The language stage over a batch; an article it fails on keeps its reading, with a
    warning, and the rest of the batch is analysed."""
    from presslens.language import enrich, enrich_one, models_used  # spaCy loads when needed

    try:
        enrich(articles, model, workers=workers)
    except (ValueError, IndexError, KeyError, TypeError, RecursionError):
        for article in articles:
            try:
                enrich_one(article, _parse(article, model), models=models_used(model))
            except (ValueError, IndexError, KeyError, TypeError, RecursionError) as exc:
                article.warnings.append(f"language stage failed: {type(exc).__name__}: {exc}")


def _parse(article: Article, model: str) -> Doc:
    from presslens.nlp import load_model

    return load_model(model)(article.body)


def _batched(items: Iterable[RawPage | ReadError], size: int) -> Iterator[tuple]:
    it = iter(items)
    while chunk := tuple(islice(it, size)):
        yield chunk


def _clean_one(page: RawPage, repeats: list[int] | None) -> Article | ReadError:
    try:
        article = clean(page, repeats)
    except (ValueError, UnicodeError, RecursionError, MemoryError) as exc:
        return ReadError(page.source, f"could not analyse: {exc}", stage="clean")
    if warning := page.hints.get("read_warning"):
        article.warnings.append(warning)
    if not article.body.strip():
        return ReadError(page.source, "no article text found", stage="clean")
    return article
