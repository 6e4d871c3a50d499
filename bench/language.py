"""Throughput of the language stage beside bare spaCy parsing of the same texts.

    .venv/bin/python bench/language.py [--data DIR] [--limit N] [--model NAME] [--rounds R]
        [--workers N]

Texts: the PolNeAR articles (``DIR/quotes/polnear/data``, dev then train split), plain news
prose of 300 to 2,000 words, as the clean stage hands bodies on.

Systems on the same texts, in the same process, alternating for ``--rounds`` rounds (the
faster round of each is kept, so a busy neighbour on the machine costs less):
- bare: ``nlp.pipe`` of the spaCy model alone (tagger, parser, NER, ...), loaded as presslens
  loads it (``presslens.nlp.load_model``: thinc with numpy's BLAS); the budget's baseline;
- bare, stock thinc: the same model from a plain ``spacy.load`` (thinc's default, blis);
- bare, 2 processes: ``nlp.pipe(n_process=2)``, spaCy's own use of two cores;
- stage: ``presslens.language.enrich(framing=False)`` as ``presslens analyze`` runs it
  (``--workers``, default one process per core, each parsing a chunk of articles and running
  the stages on it): the same parse, then who said what: quotes (with the default
  attribution tagger; ``PRESSLENS_ATTRIBUTION_MODEL`` picks another), actors and
  designations, claims and times;
- with framing: ``enrich`` as ``presslens analyze`` runs it, the framing stage (technique
  model, default variant, and lexicon) added; its own budget is in bench/techniques.py.

A last serial pass (``enrich(timed=True)``, one thread) shows the time per sub-stage.

Figures: articles/s and words/s of each, the stage/bare time ratio (the budget is 1.5) and
the stage's ratio to the fastest of the three bare runs, the with-framing/bare ratio, and
the time per sub-stage. Last line: one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--limit", type=int, default=84, help="articles (default 84)")
    ap.add_argument("--model", default=None, help="spaCy model (default: presslens's)")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument(
        "--workers",
        type=int,
        default=None,
        help="processes for the stage, as `presslens analyze --workers` (default one per core)",
    )
    args = ap.parse_args(argv)
    root = args.data / "quotes" / "polnear" / "data"
    if not root.is_dir():
        sys.exit(f"error: PolNeAR not found at {root} (expected ../shared/data/quotes/polnear)")

    from presslens import language
    from presslens.model import Article, Source
    from presslens.nlp import DEFAULT_MODEL, load_model
    from presslens.quotes.polnear import load_split

    model = args.model or DEFAULT_MODEL
    texts = [a.text for a in load_split(root, "dev")]
    if args.limit and len(texts) < args.limit:
        texts += [a.text for a in load_split(root, "train", args.limit - len(texts))]
    texts = texts[: args.limit]
    words = sum(len(t.split()) for t in texts)
    nlp = load_model(model)

    def articles() -> list[Any]:
        return [Article(source=Source(kind="text"), raw=t, body=t) for t in texts]

    language.enrich(articles()[:2], model)  # load the tagger, lexicons and tables here
    language.enrich(articles(), model, workers=args.workers)  # and in the worker processes
    stock = _stock_spacy(model)
    bare_s: list[float] = []
    stock_s: list[float] = []
    two_s: list[float] = []
    stage_s: list[float] = []
    full_s: list[float] = []
    for _ in range(args.rounds):
        t0 = time.perf_counter()
        for _doc in nlp.pipe(texts, batch_size=language.PIPE_BATCH):
            pass
        bare_s.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        for _doc in stock.pipe(texts, batch_size=language.PIPE_BATCH):
            pass
        stock_s.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        for _doc in nlp.pipe(texts, batch_size=language.PIPE_BATCH, n_process=2):
            pass
        two_s.append(time.perf_counter() - t0)
        batch = articles()
        t0 = time.perf_counter()
        language.enrich(batch, model, framing=False, workers=args.workers)
        stage_s.append(time.perf_counter() - t0)
        batch = articles()
        t0 = time.perf_counter()
        language.enrich(batch, model, workers=args.workers)
        full_s.append(time.perf_counter() - t0)
    parts = language.enrich(articles(), model, timed=True)  # one serial pass: where time goes

    from presslens.framing.techniques import default_variant
    from presslens.quotes.tagger import default_variant as attribution_tagger

    bare, stage, full = min(bare_s), min(stage_s), min(full_s)
    stock_bare, two_bare = min(stock_s), min(two_s)
    result = {
        "model": model,
        "articles": len(texts),
        "words": words,
        "cores": os.cpu_count(),
        "rounds": args.rounds,
        "workers": args.workers or "one per core",
        "bare_spacy": {"seconds": round(bare, 2), **_rates(len(texts), words, bare)},
        "bare_spacy_stock_thinc": {
            "seconds": round(stock_bare, 2),
            **_rates(len(texts), words, stock_bare),
        },
        "bare_spacy_2_processes": {
            "seconds": round(two_bare, 2),
            **_rates(len(texts), words, two_bare),
        },
        "stage": {"seconds": round(stage, 2), **_rates(len(texts), words, stage)},
        "ratio": round(stage / bare, 3),
        "ratio_to_fastest_bare": round(stage / min(bare, stock_bare, two_bare), 3),
        "with_framing": {"seconds": round(full, 2), **_rates(len(texts), words, full)},
        "ratio_with_framing": round(full / bare, 3),
        "technique_model": default_variant(),
        "attribution_tagger": attribution_tagger(),
        "stage_parts_seconds": {k: round(v, 2) for k, v in parts.items()},
    }
    print(f"{len(texts)} articles, {words} words, model {model}, {os.cpu_count()} cores")
    for name in (
        "bare_spacy",
        "bare_spacy_stock_thinc",
        "bare_spacy_2_processes",
        "stage",
        "with_framing",
    ):
        r = result[name]
        print(
            f"  {name:22} {r['seconds']:7.2f} s  {r['articles_per_s']:6.2f} articles/s  "
            f"{r['words_per_s']:7.0f} words/s"
        )
    print(
        f"  stage / bare time ratio: {result['ratio']} (budget 1.5; attribution tagger "
        f"{result['attribution_tagger']}); to the fastest bare run: "
        f"{result['ratio_to_fastest_bare']}"
    )
    print(
        f"  with framing / bare: {result['ratio_with_framing']} "
        f"(technique model {result['technique_model']})"
    )
    print("  stage parts: " + ", ".join(f"{k} {v:.2f} s" for k, v in parts.items()))
    print(json.dumps(result))
    return 0


def _stock_spacy(model: str) -> Any:
    """The spaCy pipeline as ``spacy.load`` gives it, with thinc's default matrix backend
    (blis), where presslens loads it with numpy's (``presslens.nlp.matrix_ops``)."""
    import spacy
    from thinc.api import use_ops

    with use_ops("numpy", use_blis=True):
        nlp = spacy.load(model)
    return nlp


def _rates(n: int, words: int, seconds: float) -> dict[str, float]:
    return {"articles_per_s": round(n / seconds, 2), "words_per_s": round(words / seconds)}


if __name__ == "__main__":
    raise SystemExit(main())
