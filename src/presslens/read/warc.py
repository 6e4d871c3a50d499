"""WARC and ARC files (plain or gzip), read with warcio: one page per HTML or text response.

warcio reads a truncated file without complaint: it hands over the last record cut
short, or silently drops a record whose headers or gzip member were cut. So each
record is checked against its Content-Length, and the end of the last whole record
against the bytes in the file; either shortfall ends the file with "truncated WARC
after N records", after the pages read before it. A cut exactly between two records
(or inside a gzip member's 8-byte trailer) leaves a shorter but whole WARC and is
not noticed.

Responses that are not 2xx (redirects, error pages) and payloads that are not HTML or
text (images, scripts, PDFs) are skipped without a message: they are not articles.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from datetime import datetime
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.limitreader import LimitReader
from warcio.recordloader import ArcWarcRecord

from presslens.model import RawPage, ReadError, Source
from presslens.read.decode import UndecodableError, charset_from_content_type, decode
from presslens.read.files import note_warning, too_large
from presslens.read.sniff import binary_kind, looks_html
from presslens.read.timestamps import parse_timestamp

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
PAGE_TYPES = HTML_TYPES | {"text/plain", ""}
_CHUNK = 1 << 16


class _Counting:
    """Pass-through reader that counts the bytes it hands over."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self.count = 0

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        self.count += len(data)
        return data


def read_warc(
    stream: BinaryIO,
    path: str,
    *,
    crawled_at: datetime | None,
    max_bytes: int,
) -> Iterator[RawPage | ReadError]:
    """Yield a page per HTML/text response record, then an error if the file is cut short."""
    counting = _Counting(stream)
    records = ArchiveIterator(counting, arc2warc=True)
    complete = pages = end = 0  # pages: items yielded; end: where the last whole record ends
    truncated = False
    failure = None
    while True:
        # warcio prints its own warnings on stderr; they would garble the CLI's output.
        with contextlib.redirect_stderr(io.StringIO()):
            try:
                record = next(records, None)
                if record is None:
                    break
                item = _page(record, path, crawled_at, max_bytes)
                truncated = _drain(record)
                if truncated:
                    break
                records.get_record_length()  # reads up to the next record, sets .offset
                end = records.offset
            except Exception as exc:  # any parse failure of untrusted bytes ends the file
                failure = _one_line(exc)
                break
        complete += 1
        if item is not None:
            pages += 1
            yield item
    source = Source("warc", path)
    if failure:
        yield ReadError(source, f"invalid WARC after {_records(complete)}: {failure}")
    elif truncated or end < counting.count:
        yield ReadError(source, f"truncated WARC after {_records(complete)}")
    elif not complete:
        yield ReadError(source, "empty file or not a WARC")
    elif not pages:
        yield ReadError(source, f"no HTML or text pages in {_records(complete)}")


def _page(
    record: ArcWarcRecord, path: str, crawled_at: datetime | None, max_bytes: int
) -> RawPage | ReadError | None:
    """The page in one record, an error for a page we cannot take, None for a non-page."""
    if record.rec_type == "response":
        http = record.http_headers
        if http is None or not http.get_statuscode().startswith("2"):
            return None
        content_type = http.get_header("Content-Type") or ""
    elif record.rec_type == "resource":
        content_type = record.rec_headers.get_header("Content-Type") or ""
    else:
        return None
    mime = content_type.split(";")[0].strip().lower()
    if mime not in PAGE_TYPES:
        return None
    headers = record.rec_headers
    date = headers.get_header("WARC-Date")
    record_id = (headers.get_header("WARC-Record-ID") or "").strip("<>") or None
    source = Source(
        "warc",
        path,
        url=headers.get_header("WARC-Target-URI"),
        warc_record_id=record_id,
        crawled_at=_timestamp(date) or crawled_at,
    )
    payload = record.content_stream()
    data = payload.read(max_bytes + 1)
    if len(data) > max_bytes:
        return ReadError(source, too_large(len(data) + _count_rest(payload), max_bytes))
    if not data.strip() or binary_kind(data):
        return None  # empty body, or an image served as text/html
    is_html = mime in HTML_TYPES or looks_html(data)
    try:
        decoded = decode(data, [charset_from_content_type(content_type)], is_html=is_html)
    except UndecodableError as exc:
        return ReadError(source, str(exc))
    hints = {"http_content_type": content_type} if content_type else {}
    if record.http_headers is not None and record.http_headers.get_header("Last-Modified"):
        hints["http_last_modified"] = record.http_headers.get_header("Last-Modified")
    page = RawPage(source, decoded.text, is_html=is_html, encoding=decoded.encoding, hints=hints)
    note_warning(page, decoded.warning)
    return page


def _drain(record: ArcWarcRecord) -> bool:
    """Read the record to its end; True when the file ends before the record does.

    A WARC record without a numeric Content-Length had its headers cut: warcio stops
    reading headers at the end of the file as it does at their blank line.
    """
    while record.raw_stream.read(_CHUNK):
        pass
    if (
        record.format == "warc"
        and not (record.rec_headers.get_header("Content-Length") or "").isdigit()
    ):
        return True
    return isinstance(record.raw_stream, LimitReader) and record.raw_stream.limit > 0


def _count_rest(stream: BinaryIO) -> int:
    n = 0
    while chunk := stream.read(_CHUNK):
        n += len(chunk)
    return n


def _timestamp(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return parse_timestamp(value)
    except ValueError:
        return None


def _records(n: int) -> str:
    return f"{n} record{'' if n == 1 else 's'}"


def _one_line(exc: Exception) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0][:200] if lines else type(exc).__name__
