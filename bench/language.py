"""Throughput of the language stage beside bare spaCy parsing of the same texts.

    .venv/bin/python bench/language.py [--data DIR] [--limit N] [--model NAME] [--rounds R]

Texts: the PolNeAR articles (``DIR/quotes/polnear/data``, dev then train split), plain news
prose of 300 to 2,000 words, as the clean stage hands bodies on.

Three systems on the same texts, in the same process, alternating for ``--rounds`` rounds
(the faster round of each is kept, so a busy neighbour on the machine costs less):
- bare: ``nlp.pipe`` of the spaCy model alone (tagger, parser, NER, ...);
- stage: ``presslens.language.enrich(framing=False)``: the same ``nlp.pipe``, then who said
  what: quotes (with the default attribution tagger; ``PRESSLENS_ATTRIBUTION_MODEL=parse``
  times the parse-only one), actors and designations, claims and times. The stages of one
  chunk of articles run in a second thread while spaCy parses the next chunk, as in
  ``presslens analyze``;
- with framing: ``enrich`` as ``presslens analyze`` runs it, the framing stage (technique
  model, default variant, and lexicon) added; its own budget is in bench/techniques.py.

A last serial pass (``enrich(timed=True)``, one thread) shows the time per sub-stage.

Figures: articles/s and words/s of each, the stage/bare time ratio (the budget is 1.5), the
with-framing/bare ratio, and
the time per sub-stage. One process; spaCy's own ``n_process=2`` is slower on 2 cores
(NOTES.md). Last line: one JSON object with every figure.
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

    language.enrich(articles()[:2], model)  # load the tagger, lexicons and tables once
    bare_s: list[float] = []
    stage_s: list[float] = []
    full_s: list[float] = []
    for _ in range(args.rounds):
        t0 = time.perf_counter()
        for _doc in nlp.pipe(texts, batch_size=language.PIPE_BATCH):
            pass
        bare_s.append(time.perf_counter() - t0)
        batch = articles()
        t0 = time.perf_counter()
        language.enrich(batch, model, framing=False)
        stage_s.append(time.perf_counter() - t0)
        batch = articles()
        t0 = time.perf_counter()
        language.enrich(batch, model)
        full_s.append(time.perf_counter() - t0)
    parts = language.enrich(articles(), model, timed=True)  # one serial pass: where time goes

    from presslens.framing.techniques import default_variant
    from presslens.quotes.tagger import default_variant as attribution_tagger

    bare, stage, full = min(bare_s), min(stage_s), min(full_s)
    result = {
        "model": model,
        "articles": len(texts),
        "words": words,
        "cores": os.cpu_count(),
        "rounds": args.rounds,
        "bare_spacy": {"seconds": round(bare, 2), **_rates(len(texts), words, bare)},
        "stage": {"seconds": round(stage, 2), **_rates(len(texts), words, stage)},
        "ratio": round(stage / bare, 3),
        "with_framing": {"seconds": round(full, 2), **_rates(len(texts), words, full)},
        "ratio_with_framing": round(full / bare, 3),
        "technique_model": default_variant(),
        "attribution_tagger": attribution_tagger(),
        "stage_parts_seconds": {k: round(v, 2) for k, v in parts.items()},
    }
    print(f"{len(texts)} articles, {words} words, model {model}, {os.cpu_count()} cores")
    for name in ("bare_spacy", "stage", "with_framing"):
        r = result[name]
        print(
            f"  {name:12} {r['seconds']:7.2f} s  {r['articles_per_s']:6.2f} articles/s  "
            f"{r['words_per_s']:7.0f} words/s"
        )
    print(
        f"  stage / bare time ratio: {result['ratio']} (budget 1.5; attribution tagger "
        f"{result['attribution_tagger']})"
    )
    print(
        f"  with framing / bare: {result['ratio_with_framing']} "
        f"(technique model {result['technique_model']})"
    )
    print("  stage parts: " + ", ".join(f"{k} {v:.2f} s" for k, v in parts.items()))
    print(json.dumps(result))
    return 0


def _rates(n: int, words: int, seconds: float) -> dict[str, float]:
    return {"articles_per_s": round(n / seconds, 2), "words_per_s": round(words / seconds)}


if __name__ == "__main__":
    raise SystemExit(main())
