"""The visible text of an HTML page, and where each of its characters sits in the source.

Extractors (trafilatura, readability) return text without offsets. To point body
paragraphs back at the page, the source is scanned once by one regex that skips markup
(tags, comments, scripts, styles) and stops at each run of text. Text runs are decoded
and concatenated into ``VisibleText.text`` as chunks that remember their source span:
a run copied unchanged is *exact*; a decoded entity maps its character(s) to the whole
entity. Where a block-level tag sits between two runs a synthetic ``BREAK`` character
(whitespace to regexes and ``str.split``) keeps their words apart and marks the block
bound. Invisible characters that extractors drop (soft hyphens, zero-width marks,
control characters) are left out too, so extracted text compares equal.

Extracted paragraphs are then found as runs of identical characters (``Run``) separated
by whitespace differences or by what the extractor changed. The regex engine and
``str.startswith``/``str.find`` do the character work, so a news page costs a few
milliseconds, less than parsing it a second time.
"""

from __future__ import annotations

import html
import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import islice

from presslens.model import Segment

BREAK = "\x1e"  # synthetic block separator; never left in the text otherwise
# Elements whose content is not page text: their whole span is skipped. <noscript> is
# read: lxml parses its content as markup and extractors do take text from it.
_SKIPPED = (
    "script",
    "style",
    "title",
    "textarea",
    "template",
    "iframe",
    "noembed",
    "noframes",
    "xmp",
    "svg",
)
_ATTRS = r"""(?:[^>=]++|=\s*+(?:"[^"]*+"|'[^']*+'|[^\s>]*+))*+"""
# A script holding a template is markup to lxml; "<script .../>" is empty to lxml.
_NOT_TEMPLATE = r"""(?![^>]*\btype\s*=\s*["']?text/(?:template|html|x-template))"""
# Comments, skipped elements, doctypes/end tags/bogus comments, start tags. Every "<"
# followed by a letter, "!", "?" or "/" is markup, so the scan never stalls on bad HTML.
_MARKUP = (
    r"<!--[^-]*+(?:-(?!-!?>)[^-]*+)*+(?:--!?>|\Z)"  # "unrolled": no per-character lookahead
    + "".join(
        rf"|<{name}\b{_NOT_TEMPLATE if name == 'script' else ''}{_ATTRS}(?<!/)>"
        rf"[^<]*+(?:<(?!/{name}\b)[^<]*+)*+(?:</{name}\b[^>]*+>?|\Z)"
        for name in _SKIPPED
    )
    + rf"|<r[tp]\b{_ATTRS}>[^<]*+"  # ruby annotations: extractors drop them
    + r"|<[!?/][^>]*+>?"
    + rf"|<[a-zA-Z][^\s/>]*+{_ATTRS}(?:>|\Z)"
)
# Markup and blank runs before a text run, then the text run itself (none at the end).
_TEXT_RUN = re.compile(
    rf"(?:{_MARKUP}|\s++(?=<))*+(?:(?P<text>(?:[^<]++|<(?![a-zA-Z/!?]))++)|\Z)", re.S | re.I
)
_BLOCK_TAG = re.compile(
    r"</?(?:address|article|aside|blockquote|body|br|caption|dd|details|dialog|div|dl|dt"
    r"|fieldset|figcaption|figure|footer|form|h[1-6]|header|hr|html|li|main|nav|ol|option|p"
    r"|pre|section|summary|table|tbody|td|tfoot|th|thead|tr|ul)\b[^>]*+>?",
    re.I,
)
_BODY_TAG = re.compile(r"<body\b", re.I)
# Characters extractors drop: controls (not whitespace), soft hyphen, zero-width and
# bidi marks, BOM; and the separators \x1c-\x1f, so that BREAK is ours alone.
_INVISIBLE = "\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\xad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff"
_INVISIBLE_RE = re.compile(f"[{_INVISIBLE}]")
_SPECIAL = re.compile(
    rf"&(?:#[0-9]{{1,7}};?|#[xX][0-9a-fA-F]{{1,6}};?|[A-Za-z][A-Za-z0-9]{{1,31}};?)|[{_INVISIBLE}]+"
)
# A block (text between BREAKs) holding a word; the look-behind pins each try to a block
# start, so text without words costs one pass, not one per character.
_BLOCK_WITH_WORDS = re.compile(rf"(?<![^{BREAK}])[^{BREAK}\w]*+\w[^{BREAK}]*+")
_NONSPACE = re.compile(r"\S")
_WORD_TOKEN = re.compile(r"\S*\w\S*")
_TOKEN = re.compile(r"\S+")
_PIECE = re.compile(r"\S+|\s+")
_WORD_CHAR = re.compile(r"\w")
ANCHOR_CHARS = 40  # non-space characters that must agree where a paragraph is anchored
LOOSE_ANCHOR_CHARS = 12  # ... or this many, when no place agrees on ANCHOR_CHARS
ANCHOR_TRIES = 4  # word tokens tried as anchors before a paragraph counts as not found
MAX_OCCURRENCES = 200  # occurrences of an anchor token checked before giving up on it
SKIP_WINDOW = 80  # visible characters a word may sit past where it was expected


@dataclass(frozen=True, slots=True)
class Run:
    """``para[start:end]`` is the same text as the visible text at ``v_start``."""

    start: int
    end: int
    v_start: int

    @property
    def v_end(self) -> int:
        return self.v_start + self.end - self.start


@dataclass(slots=True)
class VisibleText:
    """Visible text of a page plus the map from its characters to the HTML source.

    Chunk ``i`` covers ``text[v_starts[i]:v_starts[i + 1]]`` and came from
    ``raw[raw_starts[i]:raw_ends[i]]``; ``exact[i]`` says the two are the same characters.
    """

    raw: str
    text: str = ""
    v_starts: list[int] = field(default_factory=list)
    raw_starts: list[int] = field(default_factory=list)
    raw_ends: list[int] = field(default_factory=list)
    exact: list[bool] = field(default_factory=list)
    body_start: int = 0  # visible offset where <body> begins (0 without a <body> tag)

    @classmethod
    def scan(cls, raw: str) -> VisibleText:
        """Scan ``raw`` once; never raises on malformed markup."""
        vt = cls(raw)
        parts: list[str] = []
        size = 0
        body = _BODY_TAG.search(raw)
        body_at = body.start() if body else -1
        for m in _TEXT_RUN.finditer(raw):
            start, end = m.span("text")
            if start < 0:
                continue
            if size and parts[-1] != BREAK:
                block = _BLOCK_TAG.search(raw, m.start(), start)
                if block:
                    size = vt._add(parts, BREAK, block.start(), block.end(), False, size)
            if 0 <= body_at < start:
                vt.body_start, body_at = size, -1
            run = m.group("text")
            if "&" in run or _INVISIBLE_RE.search(run) or not unicodedata.is_normalized("NFC", run):
                size = vt._add_decoded(parts, run, start, size)
            else:  # the common case, kept inline: a run copied as it is
                vt.v_starts.append(size)
                vt.raw_starts.append(start)
                vt.raw_ends.append(end)
                vt.exact.append(True)
                parts.append(run)
                size += len(run)
        vt.text = "".join(parts)
        return vt

    def _add(self, parts: list[str], text: str, r0: int, r1: int, exact: bool, size: int) -> int:
        """Append one chunk; returns the new visible length."""
        if not text:
            return size
        self.v_starts.append(size)
        self.raw_starts.append(r0)
        self.raw_ends.append(r1)
        self.exact.append(exact)
        parts.append(text)
        return size + len(text)

    def _add_decoded(self, parts: list[str], run: str, start: int, size: int) -> int:
        """A run with entities, invisible characters or decomposed letters: literal
        stretches stay exact; each entity becomes an inexact chunk of its own."""
        pos = 0
        for s in _SPECIAL.finditer(run):
            size = self._add_literal(parts, run[pos : s.start()], start + pos, size)
            if s.group()[0] == "&":  # invisible characters are simply left out
                decoded = _INVISIBLE_RE.sub("", html.unescape(s.group()))
                decoded = unicodedata.normalize("NFC", decoded)
                size = self._add(
                    parts, decoded, start + s.start(), start + s.end(), decoded == s[0], size
                )
            pos = s.end()
        return self._add_literal(parts, run[pos:], start + pos, size)

    def _add_literal(self, parts: list[str], text: str, r0: int, size: int) -> int:
        """Extractors hand text back composed (NFC): a word that NFC changes becomes an
        inexact chunk, the rest stays exact."""
        if unicodedata.is_normalized("NFC", text):
            return self._add(parts, text, r0, r0 + len(text), True, size)
        for m in _PIECE.finditer(text):
            piece = m.group()
            composed = unicodedata.normalize("NFC", piece)
            size = self._add(parts, composed, r0 + m.start(), r0 + m.end(), composed == piece, size)
        return size

    def _chunk(self, v: int) -> int:
        return bisect_right(self.v_starts, v) - 1

    def raw_start(self, v: int) -> int:
        """Source offset where visible character ``v`` begins."""
        i = self._chunk(v)
        if self.exact[i]:
            return self.raw_starts[i] + v - self.v_starts[i]
        return self.raw_starts[i]

    def raw_end(self, v: int) -> int:
        """Source offset just past visible character ``v - 1``."""
        i = self._chunk(v - 1)
        if self.exact[i]:
            return self.raw_starts[i] + v - self.v_starts[i]
        return self.raw_ends[i]

    def pieces(self, v0: int, v1: int) -> list[tuple[int, int, int, int, bool]]:
        """``text[v0:v1]`` cut at chunk bounds: (v_start, v_end, raw_start, raw_end, exact)."""
        out = []
        i = self._chunk(v0)
        n = len(self.v_starts)
        while v0 < v1:
            end = min(v1, self.v_starts[i + 1]) if i + 1 < n else v1
            if self.exact[i]:
                base = self.raw_starts[i] - self.v_starts[i]
                out.append((v0, end, base + v0, base + end, True))
            else:
                out.append((v0, end, self.raw_starts[i], self.raw_ends[i], False))
            v0 = end
            i += 1
        return out

    def blocks(self) -> list[tuple[int, int]]:
        """Visible ranges of the page body between block bounds that hold a word."""
        return [m.span() for m in _BLOCK_WITH_WORDS.finditer(self.text, self.body_start)]

    def align(self, para: str, cursor: int = 0) -> list[Run]:
        """Runs of ``para`` found in the visible text, in order; empty when not found.

        The paragraph is anchored at one of its first words where the next
        ``ANCHOR_CHARS`` non-space characters agree, searched from ``cursor`` first,
        then from the start. From there both texts are walked in step: identical
        stretches become runs, whitespace differences are skipped, and where the
        extractor changed something the walk resumes at the next word found close by.
        Words before the anchor are matched backwards one by one.
        """
        anchor = self._anchor(para, cursor)
        if anchor is None:
            return []
        i, j = anchor
        runs = self._walk(para, i, j)
        if i and runs:
            runs[:0] = self._backwards(para, runs[0].start, runs[0].v_start)
        return runs

    def _anchor(self, para: str, cursor: int) -> tuple[int, int] | None:
        """(para offset, visible offset) of a reliable starting point.

        Candidates are occurrences of the start of one of the first words; one is
        taken where ``ANCHOR_CHARS`` characters agree, else (text the extractor dropped
        within the first line, as formulas) where ``LOOSE_ANCHOR_CHARS`` do.
        """
        text = self.text
        words = [(m.start(), m[0][:8]) for m in islice(_WORD_TOKEN.finditer(para), ANCHOR_TRIES)]
        for chars in (ANCHOR_CHARS, LOOSE_ANCHOR_CHARS):
            for n, (i, word) in enumerate(words):
                rest = len(para) - i - para.count(" ", i)
                if n and rest < LOOSE_ANCHOR_CHARS:
                    break  # a later word must still carry enough text to be sure of
                need = min(chars, rest)
                for lo, hi in ((cursor, len(text)), (0, min(len(text), cursor + len(para)))):
                    j = text.find(word, lo, hi)
                    tries = 0
                    while j >= 0 and tries < MAX_OCCURRENCES:
                        if self._agree(para, i, j, need):
                            return i, j
                        j = text.find(word, j + 1, hi)
                        tries += 1
        return None

    def _agree(self, para: str, i: int, j: int, need: int) -> bool:
        """Whether ``need`` non-space characters agree from para[i] and text[j] on
        (or all the rest of ``para`` does), whitespace differences aside."""
        text = self.text
        got = 0
        while True:
            n = _common_prefix(para, i, text, j)
            got += n - para.count(" ", i, i + n)
            i, j = i + n, j + n
            if got >= need or i >= len(para):
                return True
            if para[i].isspace() or (j < len(text) and text[j].isspace()):
                i, j = _skip_space(para, i), _skip_space(text, j)
            elif (marker := _marker_end(para, i)) > i:
                i = _skip_space(para, marker)
            else:
                return False

    def _walk(self, para: str, i: int, j: int) -> list[Run]:
        text = self.text
        runs: list[Run] = []
        while i < len(para) and j < len(text):
            n = _common_prefix(para, i, text, j)
            if n:
                runs.append(Run(i, i + n, j))
                i, j = i + n, j + n
                if i >= len(para):
                    break
            if para[i].isspace() or (j < len(text) and text[j].isspace()):
                i, j = _skip_space(para, i), _skip_space(text, j)
                continue
            if (marker := _marker_end(para, i)) > i:
                i = _skip_space(para, marker)
                continue
            resumed = self._resume(para, i, j)
            if resumed is None:
                break
            i, j = resumed
        return runs

    def _resume(self, para: str, i: int, j: int) -> tuple[int, int] | None:
        """After a mismatch: the next word of ``para`` found shortly after ``text[j]``."""
        text = self.text
        for tok in _WORD_TOKEN.finditer(para, i + 1):
            if tok.start() > i + SKIP_WINDOW:
                return None
            if para[tok.start() - 1].isspace():
                word = tok.group()
                k = _find_word(text, word, j, j + SKIP_WINDOW + len(word))
                if k >= 0:
                    return tok.start(), k
        return None

    def _backwards(self, para: str, i: int, j: int) -> list[Run]:
        """Words of ``para[:i]`` found right before ``text[j]``, one by one."""
        text = self.text
        runs: list[Run] = []
        for tok in reversed(list(_WORD_TOKEN.finditer(para, 0, i))):
            word = tok.group()
            k = text.rfind(word, max(0, j - SKIP_WINDOW - len(word)), j)
            if k < 0:
                continue
            runs.append(Run(tok.start(), tok.end(), k))
            j = k
        return runs[::-1]

    def segments(self, para: str, runs: list[Run], offset: int) -> list[Segment]:
        """Segments mapping ``para`` (placed at body ``offset``) to the source.

        Runs map through the chunks. Body text between two runs (a space for a line
        break, an extractor's change) gets its own segment, exact when body and source
        agree there character for character; neighbours of one kind are merged.
        """
        raw = self.raw
        segs: list[list[int]] = []  # [body_start, body_end, raw_start, raw_end, exact]

        def put(b0: int, b1: int, r0: int, r1: int, ex: int) -> None:
            if segs:
                last = segs[-1]
                r0 = max(r0, last[3])
                if last[1] == b0 and last[4] == ex and (not ex or last[3] == r0):
                    last[1], last[3] = b1, max(last[3], r1)
                    return
            segs.append([b0, b1, r0, max(r0, r1), ex])

        for run in runs:
            delta = run.start - run.v_start
            for v0, v1, r0, r1, ex in self.pieces(run.v_start, run.v_end):
                b0 = v0 + delta
                if segs and b0 > segs[-1][1]:
                    pb, pr = segs[-1][1], segs[-1][3]
                    put(pb, b0, pr, r0, int(para[pb:b0] == raw[pr:r0]))
                put(b0, v1 + delta, r0, r1, int(ex))
        return [Segment(b0 + offset, b1 + offset, r0, r1, bool(ex)) for b0, b1, r0, r1, ex in segs]


def _common_prefix(a: str, i: int, b: str, j: int) -> int:
    """Length of the longest common prefix of a[i:] and b[j:] (galloping, then bisection)."""
    limit = min(len(a) - i, len(b) - j)
    step = 16
    good = 0
    while step < limit and b.startswith(a[i : i + step], j):
        good, step = step, step * 2
    bad = min(step, limit)
    if b.startswith(a[i : i + bad], j):
        return bad
    while bad - good > 1:
        mid = (good + bad) // 2
        if b.startswith(a[i : i + mid], j):
            good = mid
        else:
            bad = mid
    return good


def _skip_space(s: str, i: int) -> int:
    m = _NONSPACE.search(s, i)
    return m.start() if m else len(s)


def _marker_end(para: str, i: int) -> int:
    """End of the token at ``para[i]`` if it is punctuation an extractor may have added
    ("-" before a list item, "|" between cells), else ``i``."""
    if i and not para[i - 1].isspace():
        return i
    m = _TOKEN.match(para, i)
    return m.end() if m and not _WORD_CHAR.search(m.group()) else i


def _find_word(text: str, word: str, lo: int, hi: int) -> int:
    """First occurrence of ``word`` in text[lo:hi] that starts a word; -1 if none."""
    k = text.find(word, lo, hi)
    while k > 0 and word[0].isalnum() and text[k - 1].isalnum():
        k = text.find(word, k + 1, hi)
    return k
