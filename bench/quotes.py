"""Score quote attribution on PolNeAR dev: source, cue and content spans.

    .venv/bin/python bench/quotes.py [--data DIR] [--limit N] [--split dev|heldout]

Data: ``DIR/quotes/polnear/data`` (DIR defaults to ../shared/data beside the repo). The dev
split (84 articles) is scored; ``--split heldout`` scores the tenth of the train split that
``train/quotes.py`` holds out, for development without looking at dev.

Systems, run in the same process on the same spaCy parses:
- presslens: ``presslens.quotes.find_attributions`` (trained tagger + quotation marks), with
  the default tagger (``minilm2``: the parse, word vectors and all-MiniLM-L6-v2's second
  layer) and, beside it, every other shipped tagger installed (``minilm``, its first layer;
  ``parse``, the parse and word vectors alone);
- textacy: ``textacy.extract.triples.direct_quotations`` (rules for quoted speech only; on
  an article where it raises, e.g. for an odd number of quotation marks, it finds nothing);
- CofeNet (BERT), COLING 2022: published exact F1 on PolNeAR test, printed as constants.

Matching (per role, micro-averaged over all articles):
- Every attribution has a source, a cue and a content, each one or more *pieces*: contiguous
  character spans. A gold piece is a brat fragment with surrounding whitespace trimmed;
  fragments that only whitespace separates (brat splits at line breaks) are one piece. This
  is what CofeNet scores: its PolNeAR instances are BIO tag sequences, and each contiguous
  run of one role's tags is one span.
- exact: a predicted piece is a true positive when a gold piece of the same role has the
  same start and end offsets. Precision = exact predicted pieces / predicted pieces, recall =
  gold pieces predicted exactly / gold pieces, F1 their harmonic mean. (CofeNet's
  ``exact_match``, on characters instead of CoreNLP tokens.)
- overlap: a predicted piece is correct when it shares at least one character with a gold
  piece of the same role; a gold piece is found when a predicted piece of the role shares a
  character with it. Precision, recall and F1 as above. (CofeNet's other figure averages a
  Jaccard ratio instead; overlap counting is the usual lenient span match.)
- Roles are matched independently, as in CofeNet: a correct content with a wrong source
  counts as a correct content and a wrong source.
- Direct quotes: gold content pieces that open with a quotation mark and close with one
  (trailing punctuation allowed). Recall = those found by a predicted content piece,
  exactly and by overlap.

Annotations: a few articles were annotated by several annotators; the file that sorts first
is used. Last line: one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"
ROLES = ("source", "cue", "content")
COFENET_EXACT_F1 = {"source": 83.2, "cue": 75.3, "content": 72.9}  # Wang et al. 2022, Table 3
_DIRECT = re.compile(r"^(?:[“\"]|``|'')[\s\S]*(?:[”\"]|'')[.,;:?!]?$")

Pieces = dict[str, set[tuple[int, int]]]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--split", choices=("dev", "heldout"), default="dev")
    args = ap.parse_args(argv)
    root = args.data / "quotes" / "polnear" / "data"
    if not root.is_dir():
        sys.exit(f"error: PolNeAR not found at {root} (expected ../shared/data/quotes/polnear)")

    from presslens.nlp import load_model
    from presslens.quotes import find_attributions
    from presslens.quotes.polnear import load_split
    from presslens.quotes.spans import tag_batch
    from presslens.quotes.tagger import available_variants, default_variant

    if args.split == "dev":
        articles = load_split(root, "dev", args.limit)
    else:
        articles = [a for i, a in enumerate(load_split(root, "train")) if i % 10 == 9]
        articles = articles[: args.limit]
    nlp = load_model()
    t0 = time.perf_counter()
    docs = list(nlp.pipe([a.text for a in articles], batch_size=16))
    t_parse = time.perf_counter() - t0

    default = default_variant()
    variants = [default] + [v for v in available_variants() if v != default]
    by_variant: dict[str, list[Pieces]] = {}
    seconds: dict[str, float] = {}
    for variant in variants:
        t0 = time.perf_counter()
        tag_batch(docs, variant)
        by_variant[variant] = [_pieces(find_attributions(doc)) for doc in docs]
        seconds[variant] = time.perf_counter() - t0
    ours, t_ours = by_variant[default], seconds[default]

    textacy_preds, t_textacy, textacy_version = _run_textacy(docs)

    gold = [{role: a.spans(role) for role in ROLES} for a in articles]
    n_words = sum(len(a.text.split()) for a in articles)
    n_direct = sum(
        1
        for a, g in zip(articles, gold, strict=True)
        for s, e in g["content"]
        if _is_direct(a.text[s:e])
    )
    result: dict[str, Any] = {
        "split": args.split,
        "articles": len(articles),
        "words": n_words,
        "gold_pieces": {role: sum(len(g[role]) for g in gold) for role in ROLES},
        "gold_direct_quotes": n_direct,
        "tagger": default,
        "presslens": _score(articles, gold, ours),
        "other_taggers": {
            v: {
                **_score(articles, gold, by_variant[v]),
                "seconds": round(seconds[v], 2),
            }
            for v in variants[1:]
        },
        "textacy": _score(articles, gold, textacy_preds) if textacy_preds else None,
        "textacy_version": textacy_version,
        "cofenet_bert_exact_f1": COFENET_EXACT_F1,
        "seconds": {
            "spacy_parse": round(t_parse, 2),
            "presslens_attribution": round(t_ours, 2),
            "textacy_direct_quotations": round(t_textacy, 2) if textacy_preds else None,
        },
        "docs_per_s": {
            "spacy_parse": round(len(docs) / t_parse, 2),
            "presslens_attribution": round(len(docs) / t_ours, 2),
            "presslens_total": round(len(docs) / (t_parse + t_ours), 2),
        },
    }
    _print(result)
    print(json.dumps(result))
    return 0


def _pieces(attributions: list[dict[str, Any]]) -> Pieces:
    out: Pieces = {role: set() for role in ROLES}
    for att in attributions:
        for role in ROLES:
            out[role].update(tuple(p) for p in att.get(role) or [])
    return out


def _run_textacy(docs: list[Any]) -> tuple[list[Pieces] | None, float, str | None]:
    """textacy's direct_quotations on the same parses; None when textacy is not installed."""
    try:
        import textacy
        from textacy.extract.triples import direct_quotations
    except ImportError:
        print("textacy not installed (pip install 'presslens[bench]'): its column is empty")
        return None, 0.0, None
    t0 = time.perf_counter()
    preds = []
    for doc in docs:
        out: Pieces = {role: set() for role in ROLES}
        try:
            triples = list(direct_quotations(doc))
        except (ValueError, IndexError, RuntimeError) as exc:  # textacy trips on odd quoting
            print(f"textacy failed on one article: {exc}")
            triples = []
        for tri in triples:
            for role, toks in (("source", tri.speaker), ("cue", tri.cue)):
                out[role].update(_runs(toks))
            out["content"].add((tri.content.start_char, tri.content.end_char))
        preds.append(out)
    return preds, time.perf_counter() - t0, textacy.__version__


def _runs(tokens: list[Any]) -> set[tuple[int, int]]:
    """Contiguous token runs as character pieces."""
    out: set[tuple[int, int]] = set()
    run: list[Any] = []
    for tok in sorted(tokens, key=lambda t: t.i):
        if run and tok.i != run[-1].i + 1:
            out.add((run[0].idx, run[-1].idx + len(run[-1])))
            run = []
        run.append(tok)
    if run:
        out.add((run[0].idx, run[-1].idx + len(run[-1])))
    return out


def _score(articles: list[Any], gold: list[Pieces], pred: list[Pieces]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for role in ROLES:
        tp_p = tp_g = n_p = n_g = ov_p = ov_g = 0
        for g, p in zip(gold, pred, strict=True):
            gs, ps = g[role], p[role]
            n_p += len(ps)
            n_g += len(gs)
            tp_p += len(ps & gs)
            tp_g += len(ps & gs)
            ov_p += sum(1 for x in ps if any(_touch(x, y) for y in gs))
            ov_g += sum(1 for y in gs if any(_touch(x, y) for x in ps))
        out[role] = {"exact": _prf(tp_p, tp_g, n_p, n_g), "overlap": _prf(ov_p, ov_g, n_p, n_g)}
    exact = overlap = total = 0
    for art, g, p in zip(articles, gold, pred, strict=True):
        for s, e in g["content"]:
            if not _is_direct(art.text[s:e]):
                continue
            total += 1
            exact += (s, e) in p["content"]
            overlap += any(_touch((s, e), x) for x in p["content"])
    out["direct_quote_recall"] = {
        "exact": round(exact / total, 4) if total else None,
        "overlap": round(overlap / total, 4) if total else None,
    }
    return out


def _touch(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _prf(tp_p: int, tp_g: int, n_p: int, n_g: int) -> dict[str, float]:
    p = tp_p / n_p if n_p else 0.0
    r = tp_g / n_g if n_g else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": round(p, 4), "r": round(r, 4), "f1": round(f, 4)}


def _is_direct(text: str) -> bool:
    return bool(_DIRECT.match(text))


def _print(res: dict[str, Any]) -> None:
    print(
        f"PolNeAR {res['split']}: {res['articles']} articles, {res['words']} words; gold pieces "
        + ", ".join(f"{k} {v}" for k, v in res["gold_pieces"].items())
        + f"; {res['gold_direct_quotes']} direct quotes"
    )
    header = f"{'':10}{'presslens exact':>22}{'overlap':>9}{'textacy exact':>20}{'overlap':>9}"
    print(header + f"{'CofeNet exact':>15}")
    print(f"{'':10}{'P     R     F1':>22}{'F1':>9}{'P     R     F1':>20}{'F1':>9}{'F1':>15}")
    for role in ROLES:
        ours = res["presslens"][role]
        row = f"{role:10}{_cells(ours['exact']):>22}{ours['overlap']['f1']:>9.3f}"
        if res["textacy"]:
            tx = res["textacy"][role]
            row += f"{_cells(tx['exact']):>20}{tx['overlap']['f1']:>9.3f}"
        else:
            row += f"{'-':>20}{'-':>9}"
        print(row + f"{COFENET_EXACT_F1[role] / 100:>15.3f}")
    dq = res["presslens"]["direct_quote_recall"]
    line = f"direct-quote recall: presslens exact {dq['exact']}, overlap {dq['overlap']}"
    if res["textacy"]:
        tq = res["textacy"]["direct_quote_recall"]
        line += f"; textacy exact {tq['exact']}, overlap {tq['overlap']}"
    print(line)
    print(f"presslens above: the {res['tagger']} tagger")
    for variant, sc in res["other_taggers"].items():
        print(
            f"the {variant} tagger: exact F1 "
            + ", ".join(f"{role} {sc[role]['exact']['f1']:.3f}" for role in ROLES)
            + f"; direct-quote recall {sc['direct_quote_recall']['exact']} ({sc['seconds']} s)"
        )
    dps = res["docs_per_s"]
    print(
        f"speed: spaCy parse {dps['spacy_parse']} docs/s; presslens attribution "
        f"{dps['presslens_attribution']} docs/s; presslens parse+attribution "
        f"{dps['presslens_total']} docs/s"
    )


def _cells(prf: dict[str, float]) -> str:
    return f"{prf['p']:.3f} {prf['r']:.3f} {prf['f1']:.3f}"


if __name__ == "__main__":
    raise SystemExit(main())
