"""Writers for ``presslens analyze``: a JSON array, JSON Lines, or a Markdown report.

Every format streams: each article is written as soon as it is analysed, so a long
batch holds no results in memory and a later failure loses nothing written before.
``-o FILE`` goes through ``atomic_file``: readers of FILE see the old file or the new
one, never half of one.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from presslens.model import Article, DateField, Field

FORMATS = ("json", "jsonl", "md")
_MENTIONS_SHOWN = 8  # distinct mention texts listed per actor
_QUOTE_SHOWN = 300  # characters of a quote shown in the report
_REMOVED_SHOWN = 300  # characters of a removed block quoted in the Markdown report
_MD_LEAD = re.compile(r"^(\s*)([#>*+=|-]|\d+[.)]\s)")


class ArticleWriter:
    """Writes articles to ``stream`` in one format; ``close`` ends the document."""

    def __init__(self, stream: TextIO, fmt: str) -> None:
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
        self._stream = stream
        self._fmt = fmt
        self.count = 0

    def write(self, article: Article) -> None:
        record = article.to_dict()
        if self._fmt == "jsonl":
            text = json_line(record) + "\n"
        elif self._fmt == "json":
            text = ("[\n" if not self.count else ",\n") + textwrap.indent(_dumps(record, 2), "  ")
        else:
            text = ("\n---\n\n" if self.count else "") + article_markdown(article)
        self._stream.write(text)
        self._stream.flush()  # a reader of a pipe gets each article as it is done
        self.count += 1

    def close(self) -> None:
        """End the document: a JSON array is closed even when the batch was cut short."""
        if self._fmt == "json":
            self._stream.write("\n]\n" if self.count else "[]\n")
        self._stream.flush()


def json_line(record: dict[str, Any]) -> str:
    """One record on one line: U+2028/2029 escaped, since some line readers split on them."""
    return _dumps(record).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _dumps(record: dict[str, Any], indent: int | None = None) -> str:
    return json.dumps(record, ensure_ascii=False, indent=indent)


@contextmanager
def atomic_file(path: Path) -> Iterator[TextIO]:
    """A UTF-8 text file at ``path`` that appears whole, replacing any old one at once.

    Writes go to a temporary file in the same folder, moved over ``path`` with
    ``os.replace`` when the block ends, and also on Ctrl-C: the articles analysed
    before the interrupt are kept (the caller closes the document first, so the file
    stays valid). On any other exception, which means a bug or a full disk, the
    temporary file is removed and ``path`` is left as it was.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            try:
                yield f
            except KeyboardInterrupt:
                f.flush()
                _publish(tmp, path)
                raise
        _publish(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _publish(tmp: str, path: Path) -> None:
    """Give the new file the mode a plain ``open`` would have, then move it into place."""
    try:
        mode = os.stat(path).st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    os.chmod(tmp, mode)
    os.replace(tmp, path)


def article_markdown(article: Article) -> str:
    """A readable report of one article: metadata with evidence, body, removed lines."""
    title = article.title.value or "(untitled)"
    src = article.source
    where = src.label + (f" ({src.url})" if src.url and src.url != src.path else "")
    rows = [
        ("Source", where),
        ("Outlet", describe_field(article.outlet)),
        ("Byline", describe_field(article.byline)),
        ("Agency", describe_field(article.source_agency)),
        ("Published", describe_date(article.published)),
        ("Extractor", article.extractor),
        ("Id", article.id),
    ]
    if src.crawled_at is not None:
        rows.insert(5, ("Crawled", src.crawled_at.isoformat()))
    if article.models:
        rows.append(("Read by", ", ".join(f"{k} {v}" for k, v in article.models.items())))
    lines = [f"## {_md_inline(str(title))}", ""]
    lines += [f"- **{name}:** {_md_inline(value)}" for name, value in rows]
    if article.page_dates:
        lines.append("- **Page dates:**")
        lines += [f"  - {_md_inline(describe_date(d))}" for d in article.page_dates]
    for warning in article.warnings:
        lines.append(f"- **Warning:** {_md_inline(warning)}")
    lines += _analysis(article)
    lines += ["", "### Body", ""]
    for paragraph in _paragraphs(article):
        lines += [_md_block(paragraph), ""]
    if article.removed:
        lines += ["### Removed", ""]
        for block in article.removed:
            text = " ".join(block.text.split())
            if len(text) > _REMOVED_SHOWN:
                text = text[:_REMOVED_SHOWN] + "…"
            score = f", p={block.score:.2f}" if block.score is not None else ""
            lines.append(f"- *{block.reason}{score}:* {_md_inline(text)}")
        lines.append("")
    return "\n".join(lines)


def _analysis(article: Article) -> list[str]:
    """The language stage's findings: who is named, who said what, which figures, when."""
    names = {a["id"]: a["name"] for a in article.actors}
    sections = [
        ("Actors", [_actor_line(a) for a in article.actors]),
        ("Quotes", [_quote_line(q, names) for q in article.quotes]),
        ("Claims", [_claim_line(c, names) for c in article.claims]),
        ("Times", [_time_line(t) for t in article.times]),
        ("Designations", [_designation_line(d) for d in article.designations]),
        ("Techniques", [_technique_line(t) for t in article.techniques]),
    ]
    lines: list[str] = []
    for heading, items in sections:
        if items:
            lines += ["", f"### {heading}", ""] + [f"- {item}" for item in items]
    if rate := article.framing.get("techniques_per_1000_words"):
        lines += ["", f"Techniques per 1,000 words: {rate:.1f}"]
    return lines


def _technique_line(technique: dict[str, Any]) -> str:
    """“child-murderer”: Name_Calling,Labeling (0.90, lexicon)"""
    how = ", ".join(
        x for x in (f"{technique.get('confidence', 0):.2f}", technique.get("method")) if x
    )
    return f"“{_md_inline(technique['text'])}”: {technique['technique']} ({how})"


def _actor_line(actor: dict[str, Any]) -> str:
    """**Mohammad Hossein Baqeri** (PERSON; Major General): “Baqeri”, “the top general”"""
    detail = "; ".join([actor.get("type") or "?", *(actor.get("roles") or [])])
    seen: list[str] = []
    for m in actor.get("mentions", []):
        if m["text"] not in seen:
            seen.append(m["text"])
    said = ", ".join(f"“{_md_inline(t)}”" for t in seen[:_MENTIONS_SHOWN])
    more = f" and {len(seen) - _MENTIONS_SHOWN} more" if len(seen) > _MENTIONS_SHOWN else ""
    return f"**{_md_inline(actor['name'])}** ({_md_inline(detail)}): {said}{more}"


def _who(span: dict[str, Any] | None, names: dict[str, str]) -> str:
    if span is None:
        return "unattributed"
    name = names.get(span.get("actor", ""))
    text = _md_inline(span["text"])
    return f"**{_md_inline(name)}** (“{text}”)" if name and name != span["text"] else f"**{text}**"


def _quote_line(quote: dict[str, Any], names: dict[str, str]) -> str:
    """*direct*, **Saeed Khatibzadeh** (“he”) tweeted [tweet]: “…”"""
    cue = quote.get("cue")
    how = f" *{_md_inline(cue['text'])}*" if cue else ""
    channel = f" [{quote['channel']}]" if quote.get("channel") else ""
    text = _shorten(quote["text"])
    return f"*{quote['kind']}*, {_who(quote.get('speaker'), names)}{how}{channel}: “{text}”"


def _claim_line(claim: dict[str, Any], names: dict[str, str]) -> str:
    """“over 600 lives lost”: 600 (over) killed, according to **Israel**"""
    approx = f" ({claim['approx']})" if claim.get("approx") else ""
    counts = f" {claim['counts']}" if claim.get("counts") else ""
    source = claim.get("source")
    said = f", claimed by {_who(source, names)}" if source else ", no source given"
    return f"“{_md_inline(claim['text'])}”: {claim.get('value')}{approx}{counts}{said}"


def _time_line(time: dict[str, Any]) -> str:
    """“on Friday” → 2024-03-29 (day, resolved against published)"""
    if time.get("value"):
        value = time["value"]
    elif time.get("status") == "relative":
        value = "not resolved: the publication date is unknown"
    else:
        value = "not resolved"
    detail = [x for x in (time.get("granularity"), time.get("status")) if x]
    if time.get("value") and time.get("anchor"):
        detail.append(f"against {time['anchor']}")
    return f"“{_md_inline(time['text'])}” → {value} ({', '.join(detail)})"


def _designation_line(designation: dict[str, Any]) -> str:
    """“Zionist regime” → Israel (pejorative)"""
    cls = f" ({designation['class']})" if designation.get("class") else ""
    return f"“{_md_inline(designation['text'])}” → {_md_inline(designation['refers_to'])}{cls}"


def _shorten(text: str) -> str:
    text = _md_inline(text)
    return text if len(text) <= _QUOTE_SHOWN else text[:_QUOTE_SHOWN] + "…"


def describe_field(field: Field) -> str:
    """Value, how it was found and the text it was read from, on one line."""
    text = "unknown" if field.value is None else str(field.value)
    return text + _provenance(field)


def describe_date(field: DateField) -> str:
    """A date with its status: "2024-03-29 (exact, day)", "unknown: “2 months ago” (relative)"."""
    if field.value is not None:
        detail = ", ".join(x for x in (field.status, field.precision, field.role) if x)
        text = f"{field.value} ({detail})"
    elif field.relative:
        text = f"unknown: “{field.relative}” ({field.status})"
    else:
        text = "unknown"
    return text + _provenance(field)


def short_date(field: DateField) -> str:
    """The published date for a one-line summary."""
    if field.value is not None:
        return str(field.value) + ("" if field.status == "exact" else f" ({field.status})")
    return f"“{field.relative}”" if field.relative else "—"


def _provenance(field: Field) -> str:
    parts = []
    if field.method:
        parts.append(f"{field.method}, {field.confidence:.2f}")
    if field.evidence is not None:
        parts.append(f"from “{' '.join(field.evidence.text.split())}”")
    if field.note:
        parts.append(field.note)
    return f" — {'; '.join(parts)}" if parts else ""


def _paragraphs(article: Article) -> list[str]:
    if article.paragraphs:
        return [article.body[start:end] for start, end in article.paragraphs]
    return [p for p in article.body.split("\n\n") if p.strip()]


def _md_inline(text: str) -> str:
    """Text safe inside a Markdown list item: one line, no HTML, no emphasis markers."""
    text = " ".join(text.split()).replace("<", "&lt;")
    return re.sub(r"([\\`*_\[\]])", r"\\\1", text)


def _md_block(text: str) -> str:
    """A paragraph of page text that Markdown shows as written, not as headings or lists."""
    out = []
    for line in text.splitlines():
        line = re.sub(r"([\\`*_\[\]])", r"\\\1", line.replace("<", "&lt;"))
        out.append(_MD_LEAD.sub(lambda m: m.group(1) + "\\" + m.group(2), line))
    return "  \n".join(out)  # keep the page's line breaks inside a paragraph
