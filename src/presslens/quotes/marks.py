"""Spans between quotation marks, and which of them are names or scare quotes.

Works on the body string alone, before and independently of any parse, so that every
quotation-mark style is handled the same way: curly “…”, straight "…", typewriter ``…'' and
''…'', low-high „…“, guillemets «…», and single ‘…’ where no double marks enclose them.
A quote that runs over several paragraphs follows the print convention: each continued
paragraph opens with a quotation mark and only the last one closes.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

# Double marks (and the two-character typewriter forms), then the single curly pair.
_MARK = re.compile(r"``|''|[“”„«»\"]")
_SINGLE = re.compile(r"[‘’]")
_OPENERS = frozenset("“„«") | {"``"}
_CLOSERS = frozenset("”»")
_AMBIGUOUS = frozenset({'"', "''"})
_BEFORE_OPEN = frozenset(" \t\n([{—–-/")
_AFTER_CLOSE = frozenset(" \t\n.,;:!?)]}—–-…")
_SMALL_WORDS = frozenset(
    {"a", "al", "an", "and", "as", "at", "bin", "de", "del", "el", "for", "ibn", "in", "of"}
    | {"on", "or", "the", "to", "van", "von"}
)
_WORD = re.compile(r"[^\W_][\w’'-]*")


@dataclass(frozen=True, slots=True)
class Marked:
    """Text between quotation marks.

    ``start``/``end`` include the marks; ``inner_start``/``inner_end`` are the quoted words.
    ``closed`` is False when no closing mark was found (the quote ends with its paragraph);
    ``paragraphs`` counts the paragraphs it spans.
    """

    start: int
    end: int
    inner_start: int
    inner_end: int
    closed: bool = True
    paragraphs: int = 1
    single: bool = False


def find_marked(text: str) -> list[Marked]:
    """Every quoted stretch of ``text``, in order, outermost level only."""
    doubles = _pair(text, [(m.start(), m.group()) for m in _MARK.finditer(text)])
    singles = [
        q
        for q in _pair(text, [(m.start(), m.group()) for m in _SINGLE.finditer(text)], single=True)
        if q.closed and not any(d.start <= q.start < d.end for d in doubles)
    ]
    return sorted(doubles + singles, key=lambda q: q.start)


def _pair(text: str, marks: list[tuple[int, str]], single: bool = False) -> list[Marked]:
    """Pair opening and closing marks, paragraph (non-empty line) by paragraph."""
    lines = [(m.start(), m.end()) for m in re.finditer(r"[^\n]*\S[^\n]*", text)]
    starts = [start for start, _ in lines]
    out: list[Marked] = []
    opened: tuple[int, str] | None = None  # position and mark of the pending opener
    last_para = 0
    n_paras = 1
    for pos, mark in marks:
        role = _single_role(text, pos, mark) if single else _role(text, pos, mark, opened)
        if role is None:
            continue
        para = bisect_right(starts, pos) - 1
        if opened is not None and para != last_para:
            if (
                not single
                and role != "close"
                and para == last_para + 1
                and _starts_paragraph(text, pos)
                and _ends_sentence(text, pos)
            ):
                last_para, n_paras = para, n_paras + 1  # continuation of a long quote
                continue
            out.append(_unclosed(text, opened, lines[last_para][1], n_paras, single))
            opened = None
        if opened is None:
            if role in ("open", "either"):
                opened, last_para, n_paras = (pos, mark), para, 1
            continue
        if role in ("close", "either"):
            start, open_mark = opened
            inner_start = start + len(open_mark)
            if pos > inner_start:
                out.append(Marked(start, pos + len(mark), inner_start, pos, True, n_paras, single))
            opened = None
        else:  # a second opener before any closer: the first one was never closed
            out.append(_unclosed(text, opened, pos, n_paras, single))
            opened, last_para, n_paras = (pos, mark), para, 1
    if opened is not None:
        out.append(_unclosed(text, opened, lines[last_para][1], n_paras, single))
    return [q for q in out if text[q.inner_start : q.inner_end].strip()]


def _role(text: str, pos: int, mark: str, opened: tuple[int, str] | None) -> str | None:
    """'open', 'close' or 'either' for a double mark, from its glyph and its neighbours."""
    before = text[pos - 1] if pos > 0 else " "
    after = text[pos + len(mark)] if pos + len(mark) < len(text) else " "
    if mark == "“" and opened is not None and opened[1] == "„":
        return "close"  # German „…“
    if mark in _OPENERS:
        if opened is not None and after in _AFTER_CLOSE and before not in _BEFORE_OPEN:
            return "close"  # “ used as a closer
        return "open"
    if mark in _CLOSERS:
        if opened is None and before in _BEFORE_OPEN and not after.isspace():
            return "open"  # ” used as an opener
        return "close"
    if mark in _AMBIGUOUS:
        if before in _BEFORE_OPEN and not after.isspace():
            return "open"
        if not before.isspace() and after in _AFTER_CLOSE:
            return "close"
        return "either"
    return None


def _single_role(text: str, pos: int, mark: str) -> str | None:
    """Single curly marks are quotes only at word edges; ’ inside a word is an apostrophe."""
    before = text[pos - 1] if pos > 0 else " "
    after = text[pos + 1] if pos + 1 < len(text) else " "
    if mark == "‘" and before in _BEFORE_OPEN and after.isalnum():
        return "open"
    if mark == "’" and not before.isspace() and after in _AFTER_CLOSE:
        return "close"
    return None


def _starts_paragraph(text: str, pos: int) -> bool:
    line_start = text.rfind("\n", 0, pos) + 1
    return not text[line_start:pos].strip()


def _ends_sentence(text: str, pos: int) -> bool:
    """The paragraph before ``pos`` ends like a finished sentence (continued quotes do)."""
    prev = text[:pos].rstrip()
    return prev.endswith((".", "?", "!", "…", ".”", '."', ":", "—"))


def _unclosed(text: str, opened: tuple[int, str], end: int, n_paras: int, single: bool) -> Marked:
    """A quote whose closing mark is missing ends at ``end`` (its paragraph's end)."""
    start, mark = opened
    inner_start = start + len(mark)
    inner_end = max(inner_start, len(text[:end].rstrip()))
    return Marked(start, inner_end, inner_start, inner_end, False, n_paras, single)


def looks_like_name(inner: str) -> bool:
    """Quoted words that read as a name or title (“Operation Al Aqsa Storm,”, “Israeli”).

    Every word capitalised (small function words aside), at most six of them, and no
    sentence punctuation: newspapers put operation names, titles, slogans and disputed
    designations in quotation marks; none of them is somebody's statement.
    """
    core = inner.strip().rstrip(",;:")
    words = _WORD.findall(core)
    if not words or len(words) > 6 or re.search(r"[.?!](\s|$)", core):
        return False
    capitalised = [w for w in words if w[0].isupper() or w[0].isdigit()]
    rest = [w for w in words if not (w[0].isupper() or w[0].isdigit())]
    return bool(capitalised) and all(w.lower() in _SMALL_WORDS for w in rest)


def word_count(inner: str) -> int:
    return len(_WORD.findall(inner))
