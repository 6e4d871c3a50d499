"""Byline and credited source agency of a scraped page.

"By Staff- Agencies" is a byline that also credits (unnamed) agencies; "SourceIRNA"
or "Source: Reuters" at the foot credits an agency without a byline.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from presslens.clean.lines import Line
from presslens.meta import registry
from presslens.meta.found import Found, evidence
from presslens.model import Field

BYLINE = re.compile(
    r"^(?:by|written by|author|reporter|reported by)\s*:?\s+(?P<name>\S.{1,79})$", re.I
)
SOURCE = re.compile(r"^(?i:source|sources|courtesy|via)\s*:?\s*(?P<name>[A-Z][\w .&'’/-]{1,60})$")
MAX_WORDS = 8
AGENCY_WORDS = re.compile(r"\b(?:agencies|agency|wires?)\b", re.I)


def find_byline(lines: Sequence[Line], candidates: set[int]) -> Found:
    """A "By ..." line among ``candidates`` (lines outside the story's prose)."""
    for ln in lines:
        if ln.index not in candidates:
            continue
        m = BYLINE.match(ln.text)
        if m and len(m.group("name").split()) <= MAX_WORDS and not ln.text.endswith("."):
            start = m.start("name")
            return Found(
                Field(m.group("name"), evidence(ln, start), 0.9, "by_line"), (ln.index,), "byline"
            )
    return Found(Field(note="no byline line"))


def find_agency(lines: Sequence[Line], candidates: set[int], byline: Field) -> Found:
    """A credited agency: a "Source ..." line, else an agency named in the byline."""
    for ln in lines:
        if ln.index not in candidates:
            continue
        m = SOURCE.match(ln.text)
        if m and len(m.group("name").split()) <= MAX_WORDS:
            name = m.group("name").strip()
            known = registry.by_name(name)
            field = Field(
                known.name if known else name,
                evidence(ln, m.start("name")),
                0.9 if known else 0.7,
                "source_line",
            )
            return Found(field, (ln.index,), "source_agency")
    if byline.value and byline.evidence is not None:
        for part in re.split(r"[-–,/&]|\band\b", byline.value):
            part = part.strip()
            known = registry.by_name(part) if part else None
            if known and known.kind == "agency":
                return Found(Field(known.name, byline.evidence, 0.8, "byline_agency"))
            if part and AGENCY_WORDS.fullmatch(part):
                return Found(
                    Field(
                        "unnamed agencies",
                        byline.evidence,
                        0.6,
                        "byline_agency",
                        f"byline credits '{part}' without naming them",
                    )
                )
    return Found(Field(note="no agency credited"))
