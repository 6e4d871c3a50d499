"""The article body as HTML with switchable highlight layers, built by escaping every slice.

Article text is untrusted. The body is cut at every span boundary into slices; each slice is
escaped on its own and, when a span covers it, wrapped in one ``<span>`` whose classes name
the layers covering it and whose ``data-tip-<layer>`` attributes (escaped too) carry the hover
details. Overlapping spans (a name inside a quote) therefore never need nesting, and no text
from the article reaches the page unescaped. Removed boilerplate (raw offsets) is placed at
the body position where it stood in the page, hidden until the reader asks for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

LAYERS: dict[str, str] = {
    "actors": "Actors",
    "quotes": "Quotes & speakers",
    "claims": "Numeric claims",
    "labels": "Labels",
    "techniques": "Techniques",
    "times": "Times",
}


@dataclass(frozen=True, slots=True)
class Span:
    layer: str
    start: int
    end: int
    tip: str
    css: str = ""  # an extra class, e.g. the label class "pejorative"


def spans(record: dict[str, Any]) -> list[Span]:
    """Every highlightable span of a record, with its hover text."""
    out: list[Span] = []
    names = {a.get("id"): a.get("name") for a in record.get("actors") or []}
    for a in record.get("actors") or []:
        for m in a.get("mentions") or []:
            tip = f"Actor: {a.get('name')} ({a.get('type')}); written “{m.get('text')}”"
            out.append(Span("actors", m.get("start"), m.get("end"), tip, f"f-{m.get('form')}"))
    for q in record.get("quotes") or []:
        sp = q.get("speaker") or {}
        who = names.get(sp.get("actor")) or sp.get("text") or "unknown speaker"
        cue = (q.get("cue") or {}).get("text")
        tip = f"Quote ({q.get('kind')}) by {who}" + (f"; cue “{cue}”" if cue else "")
        out.append(Span("quotes", q.get("start"), q.get("end"), tip, f"k-{q.get('kind')}"))
        if sp.get("start") is not None:
            out.append(Span("quotes", sp["start"], sp.get("end"), f"Speaker: {who}", "speaker"))
    for c in record.get("claims") or []:
        src = (c.get("source") or {}).get("text")
        what = " ".join(str(x) for x in (c.get("approx"), c.get("value"), c.get("counts")) if x)
        tip = f"Claim: {what}" + (f"; source: {src}" if src else "; no source")
        out.append(Span("claims", c.get("start"), c.get("end"), tip))
    for d in record.get("designations") or []:
        tip = f"Label “{d.get('term')}” for {d.get('refers_to')} ({d.get('class')})"
        out.append(Span("labels", d.get("start"), d.get("end"), tip, f"c-{d.get('class')}"))
    for t in record.get("techniques") or []:
        conf = t.get("confidence")
        tip = f"Technique: {t.get('technique')} ({t.get('method')}"
        tip += f", {conf:.2f})" if isinstance(conf, int | float) else ")"
        out.append(Span("techniques", t.get("start"), t.get("end"), tip))
    for t in record.get("times") or []:
        tip = f"Time: {t.get('value') or t.get('timex') or '?'} ({t.get('status')})"
        out.append(Span("times", t.get("start"), t.get("end"), tip))
    return out


def _removed_at(record: dict[str, Any], n: int) -> list[tuple[int, dict[str, Any]]]:
    """Each removed block with the body offset where it stood (before the first body segment
    that comes after it in the raw page)."""
    segments = record.get("segments") or []
    out = []
    for block in record.get("removed") or []:
        end = block.get("raw_end") or 0
        pos = next((s[0] for s in segments if s[2] >= end), n)
        out.append((min(max(pos, 0), n), block))
    return out


def render(record: dict[str, Any], active: set[str] | frozenset[str] = frozenset()) -> Markup:
    """The body as HTML: escaped slices, layer spans, removed blocks. ``active`` layers get
    their hover text in ``title`` already (the page script updates it on toggles)."""
    body: str = record.get("body") or ""
    n = len(body)
    valid = [
        s
        for s in spans(record)
        if isinstance(s.start, int) and isinstance(s.end, int) and 0 <= s.start < s.end <= n
    ]
    removed = _removed_at(record, n)
    cuts = sorted(
        {0, n, *(s.start for s in valid), *(s.end for s in valid), *(p for p, _ in removed)}
    )
    starts: dict[int, list[Span]] = {}
    for s in valid:
        starts.setdefault(s.start, []).append(s)
    inserts: dict[int, list[dict[str, Any]]] = {}
    for p, block in removed:
        inserts.setdefault(p, []).append(block)
    open_spans: list[Span] = []
    parts: list[str] = []
    for i, pos in enumerate(cuts):
        for block in inserts.get(pos, []):
            parts.append(
                f'<span class="removed" title="removed: {escape(block.get("reason"))}">'
                f'<span class="reason">{escape(block.get("reason"))}</span> '
                f"{escape(block.get('text') or '')}</span>"
            )
        if i + 1 == len(cuts):
            break
        nxt = cuts[i + 1]
        open_spans = [s for s in open_spans if s.end > pos] + starts.get(pos, [])
        text = escape(body[pos:nxt])
        if not open_spans:
            parts.append(str(text))
            continue
        parts.append(_wrap(open_spans, text, active))
    return Markup("".join(parts))


def _wrap(covering: list[Span], text: Markup, active: set[str] | frozenset[str]) -> str:
    tips: dict[str, list[str]] = {}
    classes: list[str] = ["seg"]
    for s in covering:
        tips.setdefault(s.layer, []).append(s.tip)
        for c in (f"l-{s.layer}", s.css):
            if c and c not in classes:
                classes.append(c)
    attrs = "".join(
        f' data-tip-{layer}="{escape(" | ".join(t))}"' for layer, t in sorted(tips.items())
    )
    title = " | ".join(t for layer in LAYERS if layer in active for t in tips.get(layer, []))
    css = escape(
        " ".join(c if c.replace("-", "").replace("_", "").isalnum() else "x" for c in classes)
    )
    title_attr = f' title="{escape(title)}"' if title else ""
    return f'<span class="{css}"{attrs}{title_attr}>{text}</span>'
