"""The headline of a scraped text page.

Scraped pages print the headline in the chrome above the story, often twice (page
title and <h1>), sometimes again as the last crumb of a breadcrumb. Candidates are
the lines above the first prose paragraph; the strongest signal wins:
repetition, then a breadcrumb match, then headline shape near the body.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from presslens.clean.lines import Line
from presslens.meta.found import Found, evidence
from presslens.model import Field

BREADCRUMB = re.compile(r"\s(?:>|»|›|/|\|)\s")
_WORD = re.compile(r"[^\W\d_][\w’'.-]*")
_DATEISH = re.compile(
    r"\b(?:\d{1,2}:\d{2}|(?:19|20)\d{2}|ago|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*\b",
    re.I,
)


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.casefold()).split())


def breadcrumb_parts(text: str) -> list[str] | None:
    """The crumbs of a breadcrumb line ("Site > News > Headline"), else None."""
    parts = [p.strip() for p in BREADCRUMB.split(text)]
    if len(parts) >= 3 and all(parts) and all(len(p) <= 150 for p in parts):
        return parts
    return None


def is_headline_shaped(text: str) -> bool:
    """Looks like a headline: several words, capitalised, no sentence run-on, not chrome."""
    words = _WORD.findall(text)
    if not 3 <= len(words) <= 30 or len(text) > 250:
        return False
    if not (text[0].isupper() or text[0].isdigit() or text[0] in "“\"'‘"):
        return False
    if text.endswith((":", ",", ";")) or breadcrumb_parts(text):
        return False
    if sum(1 for w in words if w[0].isupper()) < 2:
        return False
    # Joined UI words ("starAdd", "access_time2") are widget text, not prose.
    if re.search(r"[a-z][A-Z]|_", text):
        return False
    return not (len(words) <= 6 and _DATEISH.search(text))


def find_title(
    lines: Sequence[Line], body_start: int, hint: str | None = None, skip: set[int] | None = None
) -> Found:
    """Find the headline among ``lines[:body_start]``; ``skip`` holds lines already claimed."""
    skip = skip or set()
    head = [ln for ln in lines[:body_start] if ln.index not in skip]
    if hint:
        return _from_hint(head, hint)
    seen: dict[str, list[Line]] = {}
    for ln in head:
        seen.setdefault(_norm(ln.text), []).append(ln)
    for ln in reversed(head):
        copies = seen[_norm(ln.text)]
        if len(copies) > 1 and is_headline_shaped(ln.text):
            return _found(copies, 0.95, "repeated_headline")
    for ln in head:
        crumbs = breadcrumb_parts(ln.text)
        if crumbs is None:
            continue
        matches = [c for c in head if c is not ln and _norm(c.text) == _norm(crumbs[-1])]
        if matches:
            return _found(matches, 0.9, "breadcrumb_match")
    for ln in reversed(head):
        if is_headline_shaped(ln.text):
            # The nearer to the story, the likelier: chrome sits higher up.
            gap = sum(1 for other in head if other.index > ln.index)
            confidence = 0.8 if gap <= 1 else 0.6
            return _found([ln], confidence, "headline_shape")
    return Found(Field(note="no headline found above the story"))


def _from_hint(head: Sequence[Line], hint: str) -> Found:
    copies = [ln for ln in head if _norm(ln.text) == _norm(hint)]
    if copies:
        return _found(copies, 1.0, "input_field")
    return Found(Field(hint.strip(), None, 1.0, "input_field", "title given by the input"))


def _found(copies: Sequence[Line], confidence: float, method: str) -> Found:
    first = copies[0]
    field = Field(first.text, evidence(first), confidence, method)
    return Found(field, tuple(c.index for c in copies), "title")
