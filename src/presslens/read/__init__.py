"""Readers: files, directories and stdin in, ``RawPage``s (or one-line ``ReadError``s) out.

Each input's kind is sniffed from its name and first bytes (see ``sniff``): scraped
text, HTML, WARC/ARC (plain or gzip) or JSON Lines (plain or gzip); any other gzip is
decompressed and sniffed again. Bad input never raises: it becomes a ``ReadError``
naming the input, and the batch goes on.

Directories are read recursively in name order, skipping hidden entries and files
whose extension names no input kind (a ``gold.json`` or ``notes.md`` beside the
pages); a file named explicitly is always read. Decoding warnings (bytes replaced, a
charset guessed) are kept in ``page.hints["read_warning"]`` and logged on the
``presslens.read`` logger.
"""

from __future__ import annotations

import gzip
import io
import os
import stat
import sys
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO

from presslens.model import InputKind, RawPage, ReadError, Source
from presslens.read.files import read_page
from presslens.read.jsonl import read_jsonl
from presslens.read.sniff import (
    HEAD_BYTES,
    HTML_EXTENSIONS,
    INPUT_EXTENSIONS,
    JSONL_EXTENSIONS,
    WARC_EXTENSIONS,
    binary_kind,
    extension,
    is_gzip,
    is_warc,
    sniff_kind,
)
from presslens.read.timestamps import parse_timestamp
from presslens.read.warc import read_warc

__all__ = ["DEFAULT_MAX_BYTES", "parse_timestamp", "read_inputs"]

DEFAULT_MAX_BYTES = 20_000_000
STDIN = "-"
_GZIP_ERRORS = (EOFError, zlib.error, gzip.BadGzipFile)


@dataclass(frozen=True, slots=True)
class _Options:
    crawled_at: datetime | None
    max_bytes: int


def read_inputs(
    paths: Sequence[str],
    crawled_at: datetime | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Iterator[RawPage | ReadError]:
    """Yield one RawPage per page found, or a ReadError (one-line reason) per input that fails.

    paths: files, directories (recursive, sorted, hidden entries skipped), or "-" for
    stdin. ``crawled_at`` applies to pages whose input gives no crawl time of its own
    (WARC-Date, a JSONL "crawled_at"); ``max_bytes`` caps the size of one page.
    """
    opts = _Options(crawled_at, max_bytes)
    for path in paths:
        if path == STDIN:
            yield from _read_stream(sys.stdin.buffer, STDIN, None, opts)
        else:
            yield from _read_path(path, opts)


def _read_path(path: str, opts: _Options) -> Iterator[RawPage | ReadError]:
    try:
        st = os.stat(path)
    except OSError as exc:
        yield ReadError(Source(_kind_for(path), path), _os_reason(exc))
        return
    if not stat.S_ISDIR(st.st_mode):
        yield from _read_file(path, opts)
        return
    found = False
    for item in _walk(path, set()):
        found = True
        if isinstance(item, ReadError):
            yield item
        else:
            yield from _read_file(item, opts)
    if not found:
        yield ReadError(
            Source("text", path), "no input files in directory (.txt, .html, .warc, .jsonl...)"
        )


def _walk(directory: str, seen: set[str]) -> Iterator[str | ReadError]:
    """Input files under ``directory`` in name order; symlinked folders are visited once."""
    seen.add(os.path.realpath(directory))
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError as exc:
        yield ReadError(Source("text", directory), _os_reason(exc))
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        try:
            is_dir = entry.is_dir()
            is_file = entry.is_file()
        except OSError as exc:
            yield ReadError(Source(_kind_for(entry.path), entry.path), _os_reason(exc))
            continue
        if is_dir:
            if os.path.realpath(entry.path) not in seen:
                yield from _walk(entry.path, seen)
        elif is_file and extension(entry.name) in INPUT_EXTENSIONS:
            yield entry.path


def _read_file(path: str, opts: _Options) -> Iterator[RawPage | ReadError]:
    try:
        with open(path, "rb") as f:
            st = os.fstat(f.fileno())
            size = st.st_size if stat.S_ISREG(st.st_mode) else None
            yield from _read_stream(f, path, size, opts)
    except OSError as exc:
        yield ReadError(Source(_kind_for(path), path), _os_reason(exc))


def _read_stream(
    stream: BinaryIO, path: str, size: int | None, opts: _Options, *, unzipped: bool = False
) -> Iterator[RawPage | ReadError]:
    """Sniff ``stream`` from its first bytes and hand it to the reader for its kind."""
    head = stream.read(HEAD_BYTES)
    name = None if path == STDIN else path
    if not head:
        reason = "empty input" if name is None else "empty file"
        yield ReadError(Source(_kind_for(path), path), reason)
        return
    replay = io.BufferedReader(_Replay(head, stream), buffer_size=HEAD_BYTES)
    if is_gzip(head) and not unzipped:
        yield from _read_gzip(replay, head, path, opts)
        return
    if is_warc(head) or extension(name) in WARC_EXTENSIONS:
        yield from read_warc(
            replay,
            path,
            crawled_at=opts.crawled_at,
            max_bytes=opts.max_bytes,
        )
        return
    binary = binary_kind(head)
    if binary:
        yield ReadError(Source(_kind_for(path), path), f"binary file ({binary}), not text")
        return
    kind = sniff_kind(name, head)
    if kind == "jsonl":
        yield from read_jsonl(replay, path, crawled_at=opts.crawled_at, max_bytes=opts.max_bytes)
        return
    source_kind: InputKind = "stdin" if path == STDIN else "html" if kind == "html" else "text"
    yield read_page(
        replay,
        Source(source_kind, path, crawled_at=opts.crawled_at),
        is_html=kind == "html",
        size=None if unzipped else size,
        max_bytes=opts.max_bytes,
    )


def _read_gzip(
    replay: BinaryIO, head: bytes, path: str, opts: _Options
) -> Iterator[RawPage | ReadError]:
    """A gzip WARC goes to warcio as is (it reads member by member); anything else is unzipped."""
    try:
        inner = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, HEAD_BYTES)
    except zlib.error:
        yield ReadError(Source(_kind_for(path), path), "binary file (corrupt gzip data), not text")
        return
    if is_warc(inner) or extension(path) in WARC_EXTENSIONS:
        yield from read_warc(replay, path, crawled_at=opts.crawled_at, max_bytes=opts.max_bytes)
        return
    try:
        with gzip.GzipFile(fileobj=replay) as unzipped:
            yield from _read_stream(unzipped, path, None, opts, unzipped=True)
    except _GZIP_ERRORS:
        yield ReadError(Source(_kind_for(path), path), "truncated or corrupt gzip data")


class _Replay(io.RawIOBase):
    """A stream whose first bytes were read to sniff it: hands those over again first."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _kind_for(path: str) -> InputKind:
    """The kind a path's name suggests, for errors raised before its content is seen."""
    if path == STDIN:
        return "stdin"
    ext = extension(path)
    if ext in WARC_EXTENSIONS:
        return "warc"
    if ext in JSONL_EXTENSIONS:
        return "jsonl"
    return "html" if ext in HTML_EXTENSIONS else "text"


def _os_reason(exc: OSError) -> str:
    """A one-line reason without the path (the error's label already names it)."""
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, FileNotFoundError):
        return "no such file or directory"
    return (exc.strerror or str(exc) or type(exc).__name__).lower()
