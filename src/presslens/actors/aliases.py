"""The alias table (``data/aliases.csv``): designations of actors, places and events.

One compiled pattern finds every term in a body; each hit is resolved to its row by a
normalised key, then kept only where the row's context holds (see the table's header).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from spacy.tokens import Doc, Span, Token

from presslens.resources import read_csv, read_user_csv, user_stamp

FILE = "aliases.csv"  # shipped in presslens/data; a user copy may add rows (resources.user_file)
_QUOTES = "“”\"‘’'«»"
_SEP = r"[”\"’]?[\s\-‐–]+[“\"‘]?"
_KEY_DROP = str.maketrans({c: None for c in '“”"‘«»'})
_KEY_SPACE = re.compile(r"[\s\-‐–]+")
# Dependents written before a designation's head that belong to it ("despicable Zionist
# entity", "Iran's Leader", "Gaza-based resistance forces"); determiners stay out.
_EXTEND_DEPS = frozenset({"amod", "nmod", "compound", "npadvmod", "advmod", "poss", "nummod"})
_METONYMY_DEPS = frozenset({"nsubj", "nsubjpass", "poss", "agent"})


@dataclass(frozen=True)
class Row:
    term: str
    canonical: str
    type: str
    cls: str
    context: str
    source: str


@dataclass
class Hit:
    start: int  # the term as matched
    end: int
    text_start: int  # with the adjectives before it (the designation's text)
    row: Row
    span: Span  # tokens of the term


def key(text: str) -> str:
    """How a term and a matched text are compared: lowercase, no quotes, hyphen = space."""
    text = text.translate(_KEY_DROP).replace("’", "'")
    return _KEY_SPACE.sub(" ", text).strip().lower()


def _word_pattern(word: str) -> str:
    if word.lower() in ("al", "el"):  # the Arabic article: al-Quds, Al-Aqsa
        return f"[{word[0].upper()}{word[0].lower()}]{word[1]}"
    out = []
    for n, c in enumerate(word):
        if c in "'’":
            out.append("['’]")
        elif n == 0 and c.islower():
            out.append(f"[{c}{c.upper()}]")
        else:
            out.append(re.escape(c))
    return "".join(out)


def _pattern(row: Row) -> str:
    body = _SEP.join(_word_pattern(w) for w in re.split(r"[\s\-]+", row.term) if w)
    return body + ("s?" if row.type == "NORP" else "")


def rows() -> dict[str, tuple[Row, ...]]:
    """Rows by normalised term: the user's (``$PRESSLENS_LEXICON_DIR/aliases.csv``) first, so
    that theirs win, then the shipped table, each in file order."""
    return _rows(user_stamp(FILE))


@cache
def _rows(user: tuple[str, int] | None) -> dict[str, tuple[Row, ...]]:
    out: dict[str, list[Row]] = {}
    for r in (*read_user_csv(FILE), *read_csv(FILE)):
        try:
            row = Row(r["term"], r["canonical"], r["type"], r["class"], r["context"], r["source"])
        except KeyError as exc:
            raise ValueError(f"{user[0] if user else FILE}: a row lacks column {exc}") from exc
        out.setdefault(key(row.term), []).append(row)
    return {k: tuple(v) for k, v in out.items()}


def _matcher() -> re.Pattern[str]:
    return _compiled(user_stamp(FILE))


@cache
def _compiled(user: tuple[str, int] | None) -> re.Pattern[str]:
    all_rows = sorted({r for rs in _rows(user).values() for r in rs}, key=lambda r: -len(r.term))
    alternation = "|".join(dict.fromkeys(_pattern(r) for r in all_rows))
    return re.compile(rf"(?<![\w\-])(?:{alternation})(?!\w)")


def lookup(text: str) -> tuple[Row, ...]:
    """Rows for an exact term ("US", "Iranians"), whatever their context."""
    k = key(text)
    found = rows().get(k)
    if found is None and k.endswith("s"):
        found = tuple(r for r in rows().get(k[:-1], ()) if r.type == "NORP")
    return found or ()


def _root(span: Span) -> Token:
    for tok in reversed(span):
        if not (span.start <= tok.head.i < span.end) or tok.head == tok:
            return tok
    return span[-1]


def _metonymy(span: Span) -> bool:
    root = _root(span)
    if root.dep_ == "conj":
        root = root.head
    return root.dep_ in _METONYMY_DEPS


def _extend_left(span: Span) -> int:
    """Token index where the designation starts once its pre-modifiers are added."""
    root = _root(span)
    cur = span.start
    for child in sorted(root.lefts, key=lambda t: -t.i):
        if child.i >= cur:
            continue
        if child.dep_ not in _EXTEND_DEPS or child.pos_ == "PRON":
            break
        if child.right_edge.i != cur - 1:
            break
        cur = child.left_edge.i
    return cur


def _qualified_elsewhere(doc: Doc, span: Span, first: int, row: Row) -> bool:
    """A role alias qualified by another name or an of-phrase ("Hezbollah Leader", "Leader of
    the Opposition") is not the office the row means."""
    nxt = doc[span.end] if span.end < len(doc) else None
    if nxt is not None and nxt.lower_ in ("of", "for"):
        return True
    for tok in doc[first : span.start]:
        if tok.is_title or tok.is_upper:
            found = lookup(tok.text)
            if not found or all(r.canonical != row.context for r in found):
                return True
    return False


def find_hits(body: str, doc: Doc) -> list[Hit]:
    """Every alias-table term in ``body`` whose row applies there, in text order."""
    candidates: list[tuple[int, int, tuple[Row, ...], Span]] = []
    for m in _matcher().finditer(body):
        found = lookup(m.group())
        span = doc.char_span(m.start(), m.end(), alignment_mode="expand")
        if found and span is not None and len(span):
            candidates.append((m.start(), m.end(), found, span))
    present = {r.canonical for _, _, found, _ in candidates for r in found if not r.context}
    hits: list[Hit] = []
    for start, end, found, span in candidates:
        row = next((r for r in found if _applies(r, span, present)), None)
        if row is None:
            continue
        first = span.start
        if row.type != "NORP" and (row.type in ("PERSON", "GROUP") or _has_lower(row.term)):
            first = _extend_left(span)
        if row.type == "PERSON" and _qualified_elsewhere(doc, span, first, row):
            continue
        text_start = min(start, doc[first].idx)
        if (
            text_start > 0
            and body[text_start - 1] in '“"'
            and any(c in body[text_start:end] for c in '”"')
        ):
            text_start -= 1  # keep scare quotes balanced: “Israeli” regime
        hits.append(Hit(start, end, text_start, row, span))
    return hits


def _has_lower(term: str) -> bool:
    return any(w[:1].islower() for w in term.split())


def _applies(row: Row, span: Span, present: set[str]) -> bool:
    if not row.context:
        return True
    if row.context == "metonymy":
        return _metonymy(span)
    return row.context in present


def designations(hits: Iterable[Hit], body: str) -> list[dict[str, str | int]]:
    """Designation records for hits (demonyms are links, not designations)."""
    return [
        {
            "text": body[h.text_start : h.end],
            "start": h.text_start,
            "end": h.end,
            "refers_to": h.row.canonical,
            "class": h.row.cls,
            "term": h.row.term,
        }
        for h in hits
        if h.row.type != "NORP"
    ]
