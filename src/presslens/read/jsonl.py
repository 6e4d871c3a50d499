"""JSON Lines: one page per line, ``{"text"|"html": ..., "url", "title", "date", "crawled_at"}``.

A broken line is one ``ReadError`` naming ``file:line``; the rest of the file goes on.
When a record has both "html" and "text", the HTML is used: it carries the page's
structure and metadata, the text is only what some other tool extracted from it.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator
from datetime import datetime
from typing import Any, BinaryIO

from presslens.model import RawPage, ReadError, Source
from presslens.read.files import note_warning, too_large
from presslens.read.timestamps import parse_timestamp

_OPTIONAL = ("url", "title", "date", "crawled_at")
_GZIP_ERRORS = (EOFError, zlib.error, gzip.BadGzipFile)


def read_jsonl(
    stream: BinaryIO, path: str, *, crawled_at: datetime | None, max_bytes: int
) -> Iterator[RawPage | ReadError]:
    """Yield a page or an error per non-blank line of ``stream``."""
    lines = 0
    try:
        for lineno, line, size in _lines(stream, max_bytes):
            lines += 1
            source = Source("jsonl", path, line=lineno, crawled_at=crawled_at)
            if line is None:
                yield ReadError(source, too_large(size, max_bytes))
            else:
                yield _record(line, source)
    except _GZIP_ERRORS:
        reason = f"truncated or corrupt gzip data after {lines} lines"
        yield ReadError(Source("jsonl", path), reason)
        return
    if not lines:
        yield ReadError(Source("jsonl", path), "empty file")


def _lines(stream: BinaryIO, max_bytes: int) -> Iterator[tuple[int, bytes | None, int]]:
    """(line number, content or None when over ``max_bytes``, size) per non-blank line."""
    lineno = 0
    while True:
        line = stream.readline(max_bytes + 1)
        if not line:
            return
        lineno += 1
        size = len(line)
        if size > max_bytes and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):  # skip the rest of the long line
                line = stream.readline(1 << 20)
                size += len(line)
            yield lineno, None, size
        elif line.strip():
            yield lineno, line, size


def _record(line: bytes, source: Source) -> RawPage | ReadError:
    """One JSON line to a page; every way it can be wrong is a one-line reason."""
    warning = None
    try:
        text = line.rstrip(b"\r\n").decode("utf-8")
    except UnicodeDecodeError:
        text = line.rstrip(b"\r\n").decode("utf-8", "replace")
        warning = "invalid UTF-8 in line; undecodable bytes replaced"
    try:
        record = json.loads(text)
    except json.JSONDecodeError as exc:
        return ReadError(
            source, f"invalid JSON: {exc.msg.removesuffix(' at')} at column {exc.colno}"
        )
    except RecursionError:
        return ReadError(source, "invalid JSON: nested too deeply")
    if not isinstance(record, dict):
        return ReadError(source, f"expected a JSON object, got {_json_type(record)}")
    fields: dict[str, str] = {}
    for key in ("html", "text", *_OPTIONAL):
        value = record.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            return ReadError(source, f'"{key}" must be a string, got {_json_type(value)}')
        fields[key] = _clean_surrogates(value)
    content = fields.get("html", fields.get("text"))
    if content is None:
        return ReadError(source, 'record has no "text" or "html" field')
    crawled = source.crawled_at
    if "crawled_at" in fields:
        try:
            crawled = parse_timestamp(fields["crawled_at"])
        except ValueError as exc:
            return ReadError(source, f'bad "crawled_at": {exc}')
    page = RawPage(
        Source("jsonl", source.path, url=fields.get("url"), line=source.line, crawled_at=crawled),
        content,
        is_html="html" in fields,
        encoding="utf-8",
        hints={k: fields[k] for k in ("title", "date") if k in fields},
    )
    note_warning(page, warning)
    return page


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    return names.get(type(value), "a number")


def _clean_surrogates(value: str) -> str:
    """JSON may escape lone surrogates ("\\ud800"); they cannot be written as UTF-8."""
    if value.isascii() or not any("\ud800" <= ch <= "\udfff" for ch in value):
        return value
    return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
