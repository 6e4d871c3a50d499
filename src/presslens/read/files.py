"""One page per input: a scraped text file or an HTML file (or either on stdin)."""

from __future__ import annotations

import logging
from typing import BinaryIO

from presslens.model import RawPage, ReadError, Source
from presslens.read.decode import UndecodableError, decode

log = logging.getLogger(__name__)


def read_page(
    stream: BinaryIO, source: Source, *, is_html: bool, size: int | None, max_bytes: int
) -> RawPage | ReadError:
    """Read and decode the whole of ``stream`` as one page.

    ``size`` is the input's size in bytes when known (a file on disk), for the
    too-large message; the stream itself is never read past ``max_bytes + 1``.
    """
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        return ReadError(source, too_large(size, max_bytes))
    if not data.strip():
        return ReadError(source, "empty file" if not data else "empty file (only whitespace)")
    try:
        decoded = decode(data, is_html=is_html)
    except UndecodableError as exc:
        return ReadError(source, str(exc))
    page = RawPage(source, decoded.text, is_html=is_html, encoding=decoded.encoding)
    note_warning(page, decoded.warning)
    return page


def note_warning(page: RawPage, warning: str | None) -> None:
    """Keep a reader's warning with the page (``hints["read_warning"]``) and log it."""
    if warning:
        page.hints["read_warning"] = warning
        log.warning("%s: %s", page.source.label, warning)


def too_large(size: int | None, max_bytes: int) -> str:
    """The one-line reason for a page over the limit."""
    limit = format_size(max_bytes)
    if size is None:
        return f"page too large: over {limit} limit (--max-bytes)"
    return f"page too large: {format_size(size)} > {limit} limit (--max-bytes)"


def format_size(n: int) -> str:
    """Decimal units, one decimal, no trailing ".0": 52428800 -> "52.4 MB"."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{n} bytes"
