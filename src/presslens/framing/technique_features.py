"""Features for the persuasion-technique models, all read from what the parse already holds.

Why this shape: the framing stage must cost a fraction of the actors stage, so nothing here
re-parses or loops over tokens calling Python functions. Token features are the spaCy model's
own token vectors (``doc.tensor``, computed by the parse), windows and sentence means of them,
and hashed lexical attributes taken with one ``doc.to_array`` call (spaCy's string hashes are
stable murmurhashes, so the same word lands in the same weight slot at training and run time).
Optionally (a ``Context``) the arrays also carry contextual word states from a slimmed first
layer of all-MiniLM-L6-v2 (``presslens.minilm``), which see a word's whole sentence; the
contextual model reads them beside everything above; its technique classifier also reads each
span's text encoded alone (a ``SpanReader``: the pretrained encoder, a few layers deep).
Shared by ``presslens.framing.techniques`` (inference) and ``train/techniques.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from spacy.attrs import (
    DEP,
    IDX,
    IS_PUNCT,
    IS_STOP,
    IS_TITLE,
    IS_UPPER,
    LEMMA,
    LENGTH,
    LOWER,
    POS,
    SENT_START,
    SHAPE,
)
from spacy.strings import hash_string
from spacy.tokens import Doc

from presslens.minilm import WIDTH, Encoder

SI_HASH_BITS = 18
TC_HASH_BITS = 15
TENSOR_WIDTH = 96
TRIM = " \n.,:;"
# 64-bit salts so that the same string in two feature templates lands in different slots
_SALTS = np.array(
    [0x9E3779B97F4A7C15 * (k + 1) & 0xFFFFFFFFFFFFFFFF for k in range(16)], dtype=np.uint64
)
_QMARK = hash_string("?")
_EXCL = hash_string("!")
_QUOTES = np.array([hash_string(q) for q in ('"', "“", "”", "'", "‘", "’")], dtype=np.uint64)
LEXICONS = ("bias",)  # lists in data/techniques/lexicon.csv used as features


@dataclass(frozen=True)
class Context:
    """The MiniLM reading a contextual model was trained with: the encoder (all-MiniLM-L6-v2,
    slimmed as ``train/techniques.py`` chose) and the layers whose states it reads."""

    encoder: Encoder
    layers: tuple[int, ...]

    @property
    def width(self) -> int:
        return WIDTH * len(self.layers)


@dataclass(frozen=True)
class SpanReader:
    """How the technique classifier reads a span's own words, apart from its article: the
    pretrained all-MiniLM-L6-v2 (its feed-forward layers slimmed as ``train/techniques.py``
    chose), pooled after layer ``depth`` over the span's first ``max_pieces`` word pieces."""

    encoder: Encoder
    depth: int
    max_pieces: int


@dataclass
class DocArrays:
    """Per-token arrays of one parsed article, computed once and shared by both models."""

    n: int
    tensor: np.ndarray  # (n, 96) float32
    attrs: np.ndarray  # (n, 8) uint64: LOWER LEMMA POS DEP SHAPE IS_PUNCT IS_STOP IS_TITLE
    upper: np.ndarray  # (n,) bool
    starts: np.ndarray  # (n,) char offsets
    ends: np.ndarray  # (n,) char offsets
    sent_id: np.ndarray  # (n,) int
    sent_bounds: np.ndarray  # (n_sents + 1,) token index of each sentence start, then n
    lex: np.ndarray  # (n, len(LEXICONS)) float32 membership of the lemma or lower form
    context: np.ndarray | None = None  # (n, Context.width) float32 MiniLM word states


def lexicon_hashes(words: dict[str, set[str]]) -> dict[str, np.ndarray]:
    """Sorted spaCy hashes of each word list, for vectorised membership tests."""
    return {
        name: np.unique(np.array([hash_string(w) for w in ws], dtype=np.uint64))
        for name, ws in words.items()
    }


def _member(values: np.ndarray, table: np.ndarray) -> np.ndarray:
    """values in the sorted table (searchsorted: no per-call hashing of the table)."""
    if not len(table):
        return np.zeros(values.shape, bool)
    pos = np.minimum(np.searchsorted(table, values), len(table) - 1)
    return table[pos] == values


def doc_arrays(
    doc: Doc,
    lex: dict[str, np.ndarray],
    context: Context | None = None,
    text: str | None = None,
) -> DocArrays:
    """The arrays every feature below is cut from; ``context`` adds MiniLM word states.
    ``text``: the doc's text when the caller has it (``doc.text`` joins every token anew)."""
    n = len(doc)
    cols = [LOWER, LEMMA, POS, DEP, SHAPE, IS_PUNCT, IS_STOP, IS_TITLE, IS_UPPER, IDX, LENGTH]
    arr = doc.to_array(cols).astype(np.uint64).reshape(n, len(cols))
    attrs = arr[:, :8]
    upper = arr[:, 8].astype(bool)
    starts = arr[:, 9].astype(np.int64)
    tensor = doc.tensor
    if tensor is None or tensor.shape != (n, TENSOR_WIDTH):
        tensor = np.zeros((n, TENSOR_WIDTH), np.float32)
    if n and doc.has_annotation("SENT_START"):
        first = doc.to_array([SENT_START]).reshape(n) == 1
        first[0] = True
    else:
        first = np.zeros(n, bool)
        first[:1] = True
    sent_bounds = np.concatenate([np.flatnonzero(first), [n]]).astype(np.int64)
    sent_id = np.cumsum(first) - 1
    lexm = np.zeros((n, len(LEXICONS)), np.float32)
    for j, name in enumerate(LEXICONS):
        table = lex.get(name)
        if table is not None and len(table):
            lexm[:, j] = _member(attrs[:, 0], table) | _member(attrs[:, 1], table)
    out = DocArrays(
        n=n,
        tensor=np.asarray(tensor, dtype=np.float32),
        attrs=attrs,
        upper=upper,
        starts=starts,
        ends=starts + arr[:, 10].astype(np.int64),
        sent_id=sent_id.astype(np.int64),
        sent_bounds=sent_bounds,
        lex=lexm,
    )
    if context is not None:
        out.context = context_states(doc.text if text is None else text, out, context)
    return out


def sentences(text: str, a: DocArrays) -> list[list[str]]:
    """The article's sentences as lists of token texts."""
    starts, ends = a.starts.tolist(), a.ends.tolist()
    bounds = a.sent_bounds.tolist()
    return [
        [text[starts[i] : ends[i]] for i in range(bounds[k], bounds[k + 1])]
        for k in range(len(bounds) - 1)
    ]


def context_states(text: str, a: DocArrays, context: Context) -> np.ndarray:
    """MiniLM word states of every token, one sentence at a time (as the model was trained)."""
    states = context.encoder.word_states(sentences(text, a), context.layers)
    if not states:
        return np.zeros((a.n, context.width), np.float32)
    return np.vstack(states)


def _range_sums(x: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Per k, the sum of rows ``lo[k]`` to ``hi[k]`` (exclusive) of ``x``."""
    rows = np.arange(len(x))
    pick = (rows >= lo[:, None]) & (rows < hi[:, None])
    return pick.astype(x.dtype) @ x


def _shift(a: np.ndarray, k: int) -> np.ndarray:
    """Rows moved by k (row i gets row i-k), zero filled."""
    out = np.zeros_like(a)
    if k > 0:
        out[k:] = a[:-k]
    elif k < 0:
        out[:k] = a[-k:]
    else:
        out[:] = a
    return out


def _sent_mean(a: DocArrays, x: np.ndarray) -> np.ndarray:
    """Per-token mean of x over the token's sentence."""
    sums = np.add.reduceat(x, a.sent_bounds[:-1], axis=0)
    counts = np.diff(a.sent_bounds).astype(x.dtype).reshape(-1, *([1] * (x.ndim - 1)))
    return (sums / np.maximum(counts, 1))[a.sent_id]


def _hash_index(parts: list[np.ndarray], bits: int) -> np.ndarray:
    """(n, len(parts)) slots in a 2**bits table, one salted template per column."""
    cols = [(p ^ _SALTS[k]) * np.uint64(0xBF58476D1CE4E5B9) for k, p in enumerate(parts)]
    mixed = np.stack(cols, axis=1) if cols else np.zeros((0, 0), np.uint64)
    mixed ^= mixed >> np.uint64(31)
    return (mixed % np.uint64(1 << bits)).astype(np.int64)


def _slots(values: np.ndarray, salt_ids: np.ndarray, bits: int) -> np.ndarray:
    """Slots of hashed values, each salted by its template id."""
    mix = (values ^ _SALTS[salt_ids]) * np.uint64(0xBF58476D1CE4E5B9)
    mix ^= mix >> np.uint64(31)
    return (mix % np.uint64(1 << bits)).astype(np.int64)


def _pair(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * np.uint64(1000003)) ^ b


def token_features(a: DocArrays, hashed: bool = False) -> tuple[np.ndarray, np.ndarray | None]:
    """(dense (n, d) float32, hashed slot indices (n, k) or None) for span identification.

    The shipped span model reads only the dense part; ``hashed`` serves linear experiments.
    """
    n = a.n
    t = a.tensor
    cs = np.cumsum(np.vstack([np.zeros((1, t.shape[1]), np.float32), t]), axis=0)
    lo = np.clip(np.arange(n) - 3, 0, n)
    hi = np.clip(np.arange(n) + 4, 0, n)
    win = (cs[hi] - cs[lo]) / np.maximum(hi - lo, 1).astype(np.float32)[:, None]
    sent = _sent_mean(a, t)
    lower, lemma, pos, dep, shape = (a.attrs[:, k] for k in range(5))
    punct = a.attrs[:, 5].astype(np.float32)
    qm = (lower == _QMARK).astype(np.float32)[:, None]
    ex = (lower == _EXCL).astype(np.float32)[:, None]
    quote = np.isin(lower, _QUOTES).astype(np.float32)[:, None]
    sent_len = np.diff(a.sent_bounds)[a.sent_id].astype(np.float32)
    pos_in = (np.arange(n) - a.sent_bounds[:-1][a.sent_id]) / np.maximum(sent_len, 1)
    content = (a.attrs[:, 6] == 0) & (a.attrs[:, 5] == 0)
    _, inv, counts = np.unique(lemma, return_inverse=True, return_counts=True)
    rep = np.where(content, np.log1p(counts[inv.reshape(-1)] - 1), 0).astype(np.float32)
    lexw = np.hstack([_shift(a.lex, 1) + _shift(a.lex, -1), a.lex])
    scal = np.column_stack(
        [
            punct,
            a.attrs[:, 7].astype(np.float32),
            a.upper.astype(np.float32) * (1 - punct),
            np.log1p(sent_len),
            pos_in,
            np.arange(n) / max(n, 1),
            rep,
            _sent_mean(a, rep[:, None])[:, 0],
        ]
    ).astype(np.float32)
    sent_flags = _sent_mean(a, np.hstack([qm, ex, quote, a.lex])) * 10
    parts = [t, win, sent, lexw, scal, sent_flags]
    if a.context is not None:
        parts.append(a.context)
    dense = np.hstack(parts).astype(np.float32)
    if not hashed:
        return dense, None
    prev_l, next_l = _shift(lower, 1), _shift(lower, -1)
    idx = _hash_index(
        [
            lemma,
            _pair(prev_l, lower),
            _pair(lower, next_l),
            _pair(pos, dep),
            shape,
            _shift(lemma, 1),
            _shift(lemma, -1),
            _pair(_shift(pos, 1), pos),
        ],
        SI_HASH_BITS,
    )
    return dense, idx


def span_text_states(body: str, spans: list[tuple[int, int]], reader: SpanReader) -> np.ndarray:
    """(m, 384) float32: each span's text encoded alone (``SpanReader``), a span said twice
    encoded once. What the words of a span mean, whatever story they are told in: on PTC train
    this lifts story-grouped CV accuracy of the technique classifier by about 0.02
    (docs/benchmarks.md)."""
    texts = [body[s:e] for s, e in spans]
    if not texts:
        return np.zeros((0, WIDTH), np.float32)
    unique, inverse = np.unique(np.array(texts, dtype=object), return_inverse=True)
    states = reader.encoder.encode(unique.tolist(), reader.depth, reader.max_pieces)
    return states[inverse.reshape(-1)]


def classifier_features(
    body: str,
    a: DocArrays,
    spans: list[tuple[int, int]],
    reader: SpanReader | None = None,
    low_body: str | None = None,
) -> tuple[np.ndarray, list[np.ndarray]]:
    """What a technique classifier reads: ``span_features``, then, with a ``reader``, each
    span's text encoded alone (``span_text_states``) in the last columns, so that a classifier
    without the reading still finds its features first."""
    dense, slots = span_features(body, a, spans, low_body)
    if reader is not None and spans:
        dense = np.hstack([dense, span_text_states(body, spans, reader)])
    return dense, slots


def function_words_only(a: DocArrays, start: int, end: int) -> bool:
    """True when body[start:end] holds only stop words and punctuation, none in capitals
    ("the", "of the"; not "NOT", "NO"): 1.2% of PTC train's gold spans are such, most of
    them capitalised emphasis, so a model span of that kind is almost always noise."""
    i, j = token_range(a, start, end)
    stop = (a.attrs[i:j, 5] == 1) | (a.attrs[i:j, 6] == 1)  # IS_PUNCT, IS_STOP
    shout = a.upper[i:j] & (a.ends[i:j] - a.starts[i:j] >= 2)
    return bool(stop.all() and not shout.any())


def token_range(a: DocArrays, start: int, end: int) -> tuple[int, int]:
    """Token indices [i, j) overlapping body[start:end] (at least one token when n > 0)."""
    i = int(np.searchsorted(a.ends, start, side="right"))
    j = int(np.searchsorted(a.starts, end, side="left"))
    i = min(i, max(a.n - 1, 0))
    return i, max(j, i + 1)


def span_features(
    body: str, a: DocArrays, spans: list[tuple[int, int]], low_body: str | None = None
) -> tuple[np.ndarray, list[np.ndarray]]:
    """(dense (m, d) float32, per-span hashed slot indices) for technique classification.

    What a span says and how (its words, their vectors and word states, two tokens either
    side, its length, marks and repeats), not what its sentence is about: sentence means and
    sentence words taught the classifier stories, which new articles do not share
    (docs/benchmarks.md). Sums over token ranges are products with a 0/1 range matrix
    (``_range_sums``), cheaper than cumulative sums over the whole article.
    """
    m = len(spans)
    if m == 0 or a.n == 0:
        width = _TC_DENSE + (a.context.shape[1] if a.context is not None else 0)
        return np.zeros((m, width), np.float32), [np.zeros(0, np.int64)] * m
    low_body = body.lower() if low_body is None else low_body
    n = a.n
    lower, lemma, pos = a.attrs[:, 0], a.attrs[:, 1], a.attrs[:, 2]
    st = np.array([s for s, _ in spans], np.int64)
    en = np.array([e for _, e in spans], np.int64)
    i = np.minimum(np.searchsorted(a.ends, st, side="right"), n - 1)
    j = np.maximum(np.searchsorted(a.starts, en, side="left"), i + 1)
    ln = (j - i).astype(np.float32)
    per_tok = np.hstack(
        [
            a.tensor,
            a.lex,
            a.upper[:, None].astype(np.float32),
            a.attrs[:, 7:8].astype(np.float32),
            np.isin(lower, _QUOTES)[:, None].astype(np.float32),
            (lower == _QMARK)[:, None].astype(np.float32),
            (lower == _EXCL)[:, None].astype(np.float32),
        ]
    )
    w = TENSOR_WIDTH
    nl = len(LEXICONS)
    span_mean = _range_sums(per_tok, i, j) / ln[:, None]
    ci, cj = np.maximum(i - 2, 0), np.minimum(j + 2, n)
    ctx = _range_sums(per_tok[:, :w], ci, cj) / (cj - ci)[:, None]
    sid = a.sent_id[i]
    s0, s1 = a.sent_bounds[sid], a.sent_bounds[sid + 1]
    sent_flags = _range_sums(per_tok[:, w + nl + 3 : w + nl + 5], s0, s1)  # "?" and "!"
    qi, qj = np.maximum(i - 1, 0), np.minimum(j + 1, n)
    quoted = _range_sums(per_tok[:, w + nl + 2 : w + nl + 3], qi, qj)[:, 0] > 0
    buckets = np.array([1, 2, 3, 5, 10, 20], dtype=np.int64)
    lens = np.zeros((m, len(buckets) + 1), np.float32)
    lens[np.arange(m), np.searchsorted(buckets, j - i)] = 1
    texts = [low_body[s:e] for s, e in spans]
    reps = np.array([low_body.count(t) if len(t) > 2 else 1 for t in texts], np.float32)
    elsewhere = said_elsewhere(low_body, a, spans, i, j)
    extra = np.column_stack(
        [
            np.log1p(ln),
            np.log1p(en - st),
            np.minimum(reps - 1, 5),
            reps > 1,
            sent_flags[:, 0] > 0,
            sent_flags[:, 1] > 0,
            quoted,
            ln / np.maximum(s1 - s0, 1),
            span_mean[:, w + nl],
            span_mean[:, w + nl + 1],
            i / n,
            elsewhere,
        ]
    ).astype(np.float32)
    parts = [span_mean[:, :w], ctx, lens, extra, span_mean[:, w : w + nl]]
    if a.context is not None:
        parts.append(_range_sums(a.context, i, j) / ln[:, None])
    dense = np.hstack(parts)
    prev = np.where(i > 0, lower[np.maximum(i - 1, 0)], 0)
    nxt = np.where(j < n, lower[np.minimum(j, n - 1)], 0)
    fixed = np.column_stack(
        [
            lemma[i],
            lemma[j - 1],
            _pair(pos[i], pos[j - 1]),
            np.array([hash_string(t) for t in texts], np.uint64),
            prev,
            nxt,
        ]
    )
    fixed_slots = _slots(fixed, np.arange(1, fixed.shape[1] + 1)[None, :], TC_HASH_BITS)
    bag = _slots(lemma, np.zeros(n, np.int64), TC_HASH_BITS)
    bigram = _slots(_pair(lemma, _shift(lemma, -1)), np.full(n, 7, np.int64), TC_HASH_BITS)
    hashed = [
        np.concatenate([bag[x:y], bigram[x : y - 1], fixed_slots[k]])
        for k, (x, y) in enumerate(zip(i, j, strict=True))
    ]
    return dense.astype(np.float32), hashed


_TC_DENSE = 2 * TENSOR_WIDTH + 7 + 18 + len(LEXICONS)


def said_elsewhere(
    low_body: str, a: DocArrays, spans: list[tuple[int, int]], i: np.ndarray, j: np.ndarray
) -> np.ndarray:
    """(m, 7) how much of each span the article says elsewhere: its text before / after it
    (flags and log counts), the share of its content lemmas used before / after it, and
    whether it has none. Repetition in PTC is mostly a phrase said again, verbatim or close,
    which the article-wide count alone cannot tell from the phrase's first use."""
    content = (a.attrs[:, 6] == 0) & (a.attrs[:, 5] == 0)
    where = np.flatnonzero(content)
    first = np.full(a.n, -1, np.int64)
    last = np.full(a.n, -1, np.int64)
    if len(where):
        _, inverse = np.unique(a.attrs[where, 1], return_inverse=True)
        lo = np.full(inverse.max() + 1, a.n, np.int64)
        hi = np.full(inverse.max() + 1, -1, np.int64)
        np.minimum.at(lo, inverse, where)
        np.maximum.at(hi, inverse, where)
        first[where], last[where] = lo[inverse], hi[inverse]
    out = np.zeros((len(spans), 7), np.float32)
    for k, ((s, e), x, y) in enumerate(zip(spans, i.tolist(), j.tolist(), strict=True)):
        t = low_body[s:e]
        before = low_body.count(t, 0, s) if len(t) > 2 else 0
        after = low_body.count(t, e) if len(t) > 2 else 0
        own = content[x:y]
        has_content = bool(own.any())
        out[k] = (
            before > 0,
            after > 0,
            np.log1p(before),
            np.log1p(after),
            (first[x:y][own] < x).mean() if has_content else 0.0,
            (last[x:y][own] >= y).mean() if has_content else 0.0,
            not has_content,
        )
    return out


def trim(body: str, start: int, end: int) -> tuple[int, int]:
    """Span boundaries stripped of spaces, newlines and ``.,:;`` (the PTC v2 rule)."""
    while start < end and body[start] in TRIM:
        start += 1
    while end > start and body[end - 1] in TRIM:
        end -= 1
    return start, end
