"""Split a scraped page into lines that remember where they sit in the raw text."""

from __future__ import annotations

import re
from dataclasses import dataclass

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")


@dataclass(frozen=True, slots=True)
class Line:
    """One non-empty line, stripped, with its raw offsets.

    ``blank_before`` says whether an empty line separates it from the previous one:
    scraped pages mark paragraphs that way, and chrome often comes in tight runs.
    """

    index: int  # position among non-empty lines
    text: str
    raw_start: int
    raw_end: int
    blank_before: bool


def split_lines(raw: str) -> list[Line]:
    """Non-empty lines of ``raw`` with offsets of their stripped text."""
    out: list[Line] = []
    blank = False
    for m in _LINE.finditer(raw):
        chunk = m.group(0)
        if not chunk:
            break
        content = chunk.rstrip("\r\n")
        stripped = content.strip()
        if not stripped:
            blank = True
            continue
        start = m.start() + (len(content) - len(content.lstrip()))
        out.append(Line(len(out), stripped, start, start + len(stripped), blank or not out))
        blank = False
    return out
