"""What a metadata rule hands back: the value and the raw lines it used up."""

from __future__ import annotations

from dataclasses import dataclass

from presslens.clean.lines import Line
from presslens.model import Evidence, Field


@dataclass(slots=True)
class Found:
    """A metadata value plus the lines (or the part of one line) that carried it.

    The clean stage removes ``lines`` from the body with ``reason``; ``prefix`` is a
    line index and a length when only the start of a body line was metadata
    ("Islam Times - Iran's highest-ranking ...").
    """

    field: Field
    lines: tuple[int, ...] = ()
    reason: str = "metadata"
    prefix: tuple[int, int] | None = None


def evidence(line: Line, start: int = 0, end: int | None = None) -> Evidence:
    """Evidence for ``line.text[start:end]`` in raw offsets."""
    end = len(line.text) if end is None else end
    return Evidence(line.raw_start + start, line.raw_start + end, line.text[start:end])
