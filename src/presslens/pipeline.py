"""Compose the stages: read pages in, articles out, errors passed through in order.

The pipeline works in small batches so that lines repeated across pages of one
outlet (menus, footers, comment forms) can be counted, while memory stays bounded
and results stream out in input order.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice

from presslens.clean import clean
from presslens.clean.repeats import repeat_counts
from presslens.model import Article, RawPage, ReadError

BATCH_SIZE = 64


def analyze(
    items: Iterable[RawPage | ReadError], *, batch_size: int = BATCH_SIZE
) -> Iterator[Article | ReadError]:
    """Clean every page; a page that fails becomes a ``ReadError`` and the batch goes on."""
    for batch in _batched(items, batch_size):
        pages = [item for item in batch if isinstance(item, RawPage)]
        repeats = repeat_counts(pages)
        for item in batch:
            if isinstance(item, ReadError):
                yield item
                continue
            yield _clean_one(item, repeats.get(id(item)))


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
