"""Read PolNeAR (Newell et al., LREC 2018): news articles with brat attribution annotations.

Used by ``bench/quotes.py`` (dev split) and ``train/quotes.py`` (train split). Each annotated
attribution has a source, a cue and a content; brat writes a span that crosses a line break or
skips words as several fragments (``T3 Content 10 40;52 90``). Fragments separated only by
whitespace are one stretch of text and are merged; the rest stay separate pieces, as the
sequence-labelling evaluations of PolNeAR count them (a BIO run per contiguous piece).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

ROLES = ("source", "cue", "content")
_ANNOTATOR = re.compile(r"_[0-9a-f]{4}$")


@dataclass(slots=True)
class GoldArticle:
    name: str
    text: str
    # one dict per attribution: role -> list of (start, end) pieces
    attributions: list[dict[str, list[tuple[int, int]]]] = field(default_factory=list)

    def spans(self, role: str) -> set[tuple[int, int]]:
        """Every piece of ``role`` in the article."""
        return {piece for att in self.attributions for piece in att.get(role, [])}


def load_split(root: Path, split: str, limit: int | None = None) -> list[GoldArticle]:
    """Articles of one split (``train``, ``dev``), one annotation each.

    A few articles were annotated by several annotators (agreement checks); the annotation file
    that sorts first is used, so the choice is fixed and independent of the system scored.
    """
    ann_dir, text_dir = root / split / "attributions", root / split / "text"
    if not ann_dir.is_dir() or not text_dir.is_dir():
        raise FileNotFoundError(f"PolNeAR {split} split not found under {root}")
    chosen: dict[str, Path] = {}
    for path in sorted(ann_dir.glob("*.ann")):
        chosen.setdefault(_ANNOTATOR.sub("", path.stem), path)
    out = []
    for name, ann in sorted(chosen.items()):
        text = (text_dir / f"{name}.txt").read_text(encoding="utf-8")
        out.append(GoldArticle(name, text, parse_brat(ann.read_text(encoding="utf-8"), text)))
        if limit is not None and len(out) >= limit:
            break
    return out


def parse_brat(ann: str, text: str) -> list[dict[str, list[tuple[int, int]]]]:
    """Attributions of one ``.ann`` file: role -> pieces, whitespace-trimmed and merged."""
    spans: dict[str, list[tuple[int, int]]] = {}
    events: list[list[str]] = []
    for line in ann.splitlines():
        parts = line.split("\t")
        if len(parts) < 2:
            continue
        if line.startswith("T"):
            _label, _, offsets = parts[1].partition(" ")
            frags = []
            for frag in offsets.split(";"):
                start, end = (int(x) for x in frag.split())
                frags.append((start, end))
            spans[parts[0]] = frags
        elif line.startswith("E"):
            events.append(parts[1].split()[1:])
    out = []
    for args in events:
        att: dict[str, list[tuple[int, int]]] = {}
        for arg in args:
            role, _, ref = arg.partition(":")
            role = role.rstrip("0123456789").lower()
            if role in ROLES and ref in spans:
                att.setdefault(role, []).extend(spans[ref])
        out.append({role: merge_pieces(text, frags) for role, frags in att.items()})
    return out


def merge_pieces(text: str, frags: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Trim whitespace off each fragment and join fragments that only whitespace separates."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(frags):
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start == end:
            continue
        if out and out[-1][1] <= start and not text[out[-1][1] : start].strip():
            out[-1] = (out[-1][0], end)
        elif out and start < out[-1][1]:
            out[-1] = (out[-1][0], max(end, out[-1][1]))
        else:
            out.append((start, end))
    return out
