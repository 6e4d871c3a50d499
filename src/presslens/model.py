"""The article record every stage reads and enriches.

One ``RawPage`` comes out of a reader; the clean stage turns it into one ``Article``.
Later stages (actors, quotes, framing) append to the article's lists and never
rewrite what an earlier stage wrote.

Offsets: ``Article.raw`` is the decoded page exactly as read (text file contents or
HTML source). ``Article.body`` is the clean text. ``Article.segments`` maps body
ranges back to raw ranges; metadata evidence and removed blocks carry raw offsets
directly, everything found later in the body carries body offsets.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

InputKind = Literal["text", "html", "warc", "jsonl", "stdin"]


@dataclass(frozen=True, slots=True)
class Source:
    """Where a page came from: enough to find it again."""

    kind: InputKind
    path: str | None = None  # file on disk ("-" for stdin)
    url: str | None = None
    warc_record_id: str | None = None
    line: int | None = None  # 1-based line in a JSON Lines file
    crawled_at: datetime | None = None  # WARC-Date, JSONL field or --crawled-at

    @property
    def label(self) -> str:
        """Human name for messages: path, path:line, path#record or url."""
        base = self.path or self.url or "<unknown>"
        if self.line is not None:
            return f"{base}:{self.line}"
        if self.warc_record_id:
            return f"{base}#{self.warc_record_id}"
        return base


@dataclass(slots=True)
class RawPage:
    """A decoded page as a reader hands it over, before any cleaning."""

    source: Source
    text: str  # decoded content: scraped text, or HTML source when ``is_html``
    is_html: bool = False
    encoding: str | None = None  # what the bytes were decoded as, None if given as str
    hints: dict[str, str] = field(default_factory=dict)  # JSONL title/date, HTTP headers...


@dataclass(frozen=True, slots=True)
class Evidence:
    """The raw-page span a value was read from."""

    raw_start: int
    raw_end: int
    text: str


@dataclass(slots=True)
class Field:
    """One metadata value with its evidence. ``value`` None means unknown."""

    value: Any = None
    evidence: Evidence | None = None
    confidence: float = 0.0
    method: str | None = None  # which rule/model produced it, e.g. "repeated_headline"
    note: str | None = None


@dataclass(slots=True)
class DateField(Field):
    """A date: ``status`` says whether ``value`` is a publication date at all.

    status: "exact" (value is an ISO date read from the page), "resolved" (a relative
    expression resolved against the crawl time), "relative" (kept as text, no crawl
    time), "unknown".
    """

    status: Literal["exact", "resolved", "relative", "unknown"] = "unknown"
    precision: Literal["day", "month", "year"] | None = None
    relative: str | None = None  # the relative expression, e.g. "2 months ago"
    role: str | None = None  # for page dates: "page_chrome"


@dataclass(frozen=True, slots=True)
class Segment:
    """Body[body_start:body_end] came from raw[raw_start:raw_end].

    ``exact`` means the two slices are the same characters, so offsets inside the
    segment map one to one; otherwise only the ends are known to correspond.
    """

    body_start: int
    body_end: int
    raw_start: int
    raw_end: int
    exact: bool = True


@dataclass(frozen=True, slots=True)
class Removed:
    """A block of the raw page left out of the body, and why."""

    text: str
    reason: str  # e.g. "leading_chrome", "comment_zone", "classifier", "repeated_title"
    raw_start: int
    raw_end: int
    score: float | None = None  # classifier probability of boilerplate, when one decided


@dataclass(slots=True)
class Article:
    source: Source
    raw: str
    body: str = ""
    paragraphs: list[tuple[int, int]] = field(default_factory=list)  # body offsets
    segments: list[Segment] = field(default_factory=list)
    removed: list[Removed] = field(default_factory=list)
    extractor: str = "text"  # "text" | "trafilatura" | "readability" | "plain"
    title: Field = field(default_factory=Field)
    outlet: Field = field(default_factory=Field)
    byline: Field = field(default_factory=Field)
    source_agency: Field = field(default_factory=Field)
    published: DateField = field(default_factory=DateField)
    page_dates: list[DateField] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # what read the body: spaCy pipeline, attribution tagger, technique model (language stage)
    models: dict[str, str] = field(default_factory=dict)
    # Filled by later stages; each entry is a plain dict with body offsets.
    actors: list[dict[str, Any]] = field(default_factory=list)
    quotes: list[dict[str, Any]] = field(default_factory=list)
    claims: list[dict[str, Any]] = field(default_factory=list)
    times: list[dict[str, Any]] = field(default_factory=list)
    designations: list[dict[str, Any]] = field(default_factory=list)
    techniques: list[dict[str, Any]] = field(default_factory=list)
    framing: dict[str, Any] = field(default_factory=dict)  # summary of techniques, designations

    @property
    def id(self) -> str:
        """Stable content hash: same raw page, same id, wherever it was read."""
        return content_id(self.raw)

    def to_raw(self, body_offset: int) -> int | None:
        """Map a body offset to the raw page; None if it falls between segments."""
        for seg in self.segments:
            if seg.body_start <= body_offset <= seg.body_end:
                if seg.exact:
                    return seg.raw_start + (body_offset - seg.body_start)
                return seg.raw_start if body_offset == seg.body_start else seg.raw_end
        return None

    def to_dict(self) -> dict[str, Any]:
        """The JSON record of ``presslens analyze`` (see docs/architecture.md)."""
        return {
            "id": self.id,
            "source": _source_dict(self.source),
            "extractor": self.extractor,
            "title": _field_dict(self.title),
            "outlet": _field_dict(self.outlet),
            "byline": _field_dict(self.byline),
            "source_agency": _field_dict(self.source_agency),
            "published": _field_dict(self.published),
            "page_dates": [_field_dict(d) for d in self.page_dates],
            "body": self.body,
            "paragraphs": [list(p) for p in self.paragraphs],
            "segments": [
                [s.body_start, s.body_end, s.raw_start, s.raw_end, s.exact] for s in self.segments
            ],
            "removed": [_drop_none(dataclasses.asdict(r)) for r in self.removed],
            "warnings": self.warnings,
            "models": self.models,
            "actors": self.actors,
            "quotes": self.quotes,
            "claims": self.claims,
            "times": self.times,
            "designations": self.designations,
            "techniques": self.techniques,
            "framing": self.framing,
        }


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


def _source_dict(s: Source) -> dict[str, Any]:
    d = dataclasses.asdict(s)
    if s.crawled_at is not None:
        d["crawled_at"] = s.crawled_at.isoformat()
    return _drop_none(d)


def _field_dict(f: Field) -> dict[str, Any]:
    d = dataclasses.asdict(f)
    if f.evidence is not None:
        d["evidence"] = {
            "raw_start": f.evidence.raw_start,
            "raw_end": f.evidence.raw_end,
            "text": f.evidence.text,
        }
    return _drop_none(d) | {"value": f.value}


def content_id(raw: str) -> str:
    """The id of the article read from page text ``raw`` (known before any analysis)."""
    return "sha256:" + hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True, slots=True)
class ReadError:
    """An input that could not be read or analysed; the batch goes on without it."""

    source: Source
    reason: str  # one line, no traceback: "not valid UTF-8 or any known encoding"
    stage: str = "read"

    def __str__(self) -> str:
        return f"{self.source.label}: {self.reason}"
