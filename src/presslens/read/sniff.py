"""Tell input kinds apart by name and first bytes: extensions are a hint, content decides.

A ``.txt`` holding HTML source is HTML; a ``.html`` holding no markup at all is text;
a file that starts like a WARC is a WARC whatever its name. Nothing here raises on
any bytes: sniffing runs before we know whether the input is text at all.
"""

from __future__ import annotations

import codecs
import json
import os
import re
from typing import Literal

HEAD_BYTES = 64 * 1024  # how much of an input is looked at to decide its kind

Kind = Literal["warc", "jsonl", "html", "text"]

HTML_EXTENSIONS = frozenset({".html", ".htm", ".xhtml", ".shtml"})
WARC_EXTENSIONS = frozenset({".warc", ".arc"})
JSONL_EXTENSIONS = frozenset({".jsonl", ".ndjson"})
TEXT_EXTENSIONS = frozenset({".txt", ".text", ""})
# Files a directory walk picks up; a file named on the command line is always read.
INPUT_EXTENSIONS = HTML_EXTENSIONS | WARC_EXTENSIONS | JSONL_EXTENSIONS | TEXT_EXTENSIONS

GZIP_MAGIC = b"\x1f\x8b"
BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)

_BINARY_MAGIC = (
    (b"%PDF-", "PDF document"),
    (b"\x89PNG", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"RIFF", "RIFF media (WebP/WAV/AVI)"),
    (b"PK\x03\x04", "ZIP archive or Office document"),
    (b"BZh", "bzip2 data"),
    (b"\xfd7zXZ\x00", "xz data"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"\x7fELF", "executable"),
    (b"\xd0\xcf\x11\xe0", "legacy Office document"),
)
# Control bytes that never occur in text (tab, newlines, form feed and ESC do).
_CONTROL = bytes(b for b in range(32) if b not in b"\t\n\v\f\r\x1b") + b"\x7f"
_CONTROL_SHARE = 0.02  # more control bytes than this in the sample and it is not text

_WARC_START = (b"WARC/", b"filedesc://")
_HTML_STRONG = re.compile(
    r"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]|<meta\s|<title>|</p>|</div>|<br\s*/?>",
    re.IGNORECASE,
)
_ANY_TAG = re.compile(r"<[a-zA-Z!/]")
_JSONL_KEY = re.compile(rb'"(?:text|html)"\s*:')


def extension(name: str | None) -> str:
    """The extension that names the kind: ``.warc`` for ``x.warc.gz``, lower case."""
    if not name:
        return ""
    base = os.path.basename(name).lower().removesuffix(".gz")
    return os.path.splitext(base)[1]


def is_gzip(head: bytes) -> bool:
    return head.startswith(GZIP_MAGIC)


def is_warc(head: bytes) -> bool:
    return head.startswith(_WARC_START)


def binary_kind(head: bytes) -> str | None:
    """What the bytes are when they are not text ("PDF document", "binary data"), else None."""
    for magic, name in _BINARY_MAGIC:
        if head.startswith(magic):
            return name
    if head.startswith(BOMS) or head.startswith(codecs.BOM_UTF32_LE):
        return None  # UTF-16/32 text has NUL bytes by design
    sample = head[:8192]
    if b"\x00" in sample:
        return "binary data"
    controls = len(sample) - len(sample.translate(None, _CONTROL))
    if controls > len(sample) * _CONTROL_SHARE:
        return "binary data"
    return None


def sniff_kind(name: str | None, head: bytes) -> Kind:
    """Decide the kind of a (decompressed) input from its name and first bytes."""
    if is_warc(head):
        return "warc"
    ext = extension(name)
    if ext in WARC_EXTENSIONS:
        return "warc"
    if ext in JSONL_EXTENSIONS or looks_jsonl(head):
        return "jsonl"
    if looks_html(head, html_name=ext in HTML_EXTENSIONS):
        return "html"
    return "text"


def looks_jsonl(head: bytes) -> bool:
    """The first non-blank line is a JSON object with a "text" or "html" field."""
    stripped = head.removeprefix(codecs.BOM_UTF8).lstrip(b" \t\r\n")
    if not stripped.startswith(b"{"):
        return False
    first, newline, _ = stripped.partition(b"\n")
    if not newline and len(head) >= HEAD_BYTES:
        # The first record is longer than the head: judge by its opening.
        return bool(_JSONL_KEY.search(first))
    try:
        record = json.loads(first)
    except (ValueError, RecursionError):
        return False
    return isinstance(record, dict) and ("text" in record or "html" in record)


def looks_html(head: bytes, *, html_name: bool = False) -> bool:
    """HTML source, as opposed to text that was already extracted from a page.

    Markup must open the document (after a BOM, blanks or an XML declaration) and
    include a real HTML tag; a file named ``.html`` only needs some tag.
    """
    text = _head_text(head).lstrip(" \t\r\n")
    if not text.startswith("<"):
        return html_name and bool(_ANY_TAG.search(text))
    if html_name:
        return True
    return bool(_HTML_STRONG.search(text))


def _head_text(head: bytes) -> str:
    """Enough of a decoding to look for markup: UTF-16 by its BOM, else byte per char."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return head.decode("utf-16", "replace")
    return head.removeprefix(codecs.BOM_UTF8).decode("latin-1")
