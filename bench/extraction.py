"""HTML main-text extraction: presslens' reading path beside plain trafilatura, F1 and speed.

Sets (read in place under --data):
- ScrapingHub AEB (``extraction/scrapinghub-aeb``, 181 news pages): scored with the set's own
  ``evaluate.py`` (imported from the data folder): per page, TP/FP/FN over 4-token shingles
  of ``\\w+`` tokens, normalised per page; P and R are means over pages, F1 from them; ``sd``
  is its bootstrap standard deviation (1000 resamples, seed 0). Anchor: trafilatura 0.953.
- trafilatura-eval (``extraction/trafilatura-eval``, 990 pages, mostly German): upstream
  scoring (tests/eval_common.py): per page, each of the first 6 "with" snippets found in the
  whitespace-normalised output is a TP (else FN), each "without" snippet found is an FP;
  summed over pages, P = TP/(TP+FP), R = TP/(TP+FN), F1 = 2TP/(2TP+FP+FN). Anchor: 0.921.

Both extractors get the same page text, decoded by ``presslens.read.decode`` (not timed):
``trafilatura.extract`` with its default settings, and ``presslens.clean.html.extract_html``,
the whole reading path (extraction, offset map, removed blocks, title/outlet/byline).
One core: the two run in turn on every page in this process (order alternating per page),
timed with perf_counter. Two cores: ``multiprocessing.Pool(2)`` over all pages, wall time,
one method at a time, each measured twice in alternating order, best kept. Ratio = presslens
time / trafilatura time (criterion: at most 1.3).

presslens' one fitted number, ``BALANCED_RETRY_CHARS`` (300), was chosen on ScrapingHub AEB;
trafilatura-eval is held out for it. Offsets: share of body characters inside exact segments
(body and source identical) and inside any segment, and a check that every exact segment's
body and source slices are equal.

--sweep adds the record behind presslens' trafilatura settings: plain trafilatura under
several settings on both sets, and F1 over the retry threshold (favor_precision output shorter
than T characters replaced by the balanced output when that is longer, as in presslens).

If bench/extraction_text.py is present (L3S-GN1, text-only path) its ``run`` figures are added.
Usage: python bench/extraction.py [--data DIR] [--limit N] [--sweep]
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import random
import re
import sys
import time
from collections import Counter
from multiprocessing import Pool
from pathlib import Path
from types import ModuleType
from typing import Any

import trafilatura

from presslens.clean.html import extract_html
from presslens.model import Article, RawPage, Source
from presslens.read.decode import decode

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"
SH = Path("extraction") / "scrapinghub-aeb"
TE = Path("extraction") / "trafilatura-eval"
MAX_SNIPPETS = 6
SPEED_LIMIT = 1.3
SWEEP = {
    "default": {},
    "no_comments": {"include_comments": False},
    "precision": {"favor_precision": True},
    "precision_no_comments": {"favor_precision": True, "include_comments": False},
    "recall_no_comments": {"favor_recall": True, "include_comments": False},
    "fast_no_comments": {"fast": True, "include_comments": False},
}
RETRY_THRESHOLDS = (0, 100, 200, 300, 500, 750, 1000, 1500, 2000, 3000)


def load_module(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def require(path: Path) -> Path:
    if not path.exists():
        raise SystemExit(f"data set missing: {path} (pass --data DIR, the shared data folder)")
    return path


def load_scrapinghub(data: Path, limit: int | None) -> tuple[list[tuple[str, str]], dict]:
    folder = require(data / SH)
    gold = json.loads(require(folder / "ground-truth.json").read_text(encoding="utf-8"))
    keys = list(gold)[:limit]
    pages = [
        (
            k,
            decode(
                gzip.decompress((folder / "html" / f"{k}.html.gz").read_bytes()), is_html=True
            ).text,
        )
        for k in keys
    ]
    return pages, {k: gold[k] for k in keys}


def load_trafilatura_eval(data: Path, limit: int | None) -> tuple[list[tuple[str, str]], dict]:
    folder = require(data / TE)
    items = json.loads(require(folder / "evaldata.json").read_text(encoding="utf-8"))
    urls = list(items)[:limit]
    pages = []
    for url in urls:
        raw = gzip.decompress((folder / "html" / f"{items[url]['file']}.gz").read_bytes())
        pages.append((url, decode(raw, is_html=True).text))
    return pages, {u: items[u] for u in urls}


def read_page(html: str) -> Article:
    return extract_html(RawPage(Source("html"), html, is_html=True))


def plain_trafilatura(html: str) -> str:
    return trafilatura.extract(html) or ""


def presslens_body(html: str) -> str:
    return read_page(html).body


def offset_stats(article: Article) -> Counter[str]:
    body, raw = article.body, article.raw
    c: Counter[str] = Counter(body=sum(b - a for a, b in article.paragraphs))
    for s in article.segments:
        n = s.body_end - s.body_start
        c["in_segments"] += n
        if s.exact:
            c["exact"] += n
            c["exact_mismatch"] += body[s.body_start : s.body_end] != raw[s.raw_start : s.raw_end]
    c["paragraphs"] += len(article.paragraphs)
    for w in article.warnings:
        if m := re.match(r"(\d+) of \d+ paragraphs not located", w):
            c["paragraphs_not_located"] += int(m.group(1))
    c["pages_with_unlocated"] += any("not located" in w for w in article.warnings)
    c[f"extractor_{article.extractor}"] += 1
    return c


def one_core(pages: list[str]) -> tuple[list[str], list[str], float, float, Counter[str]]:
    """Both extractors on every page, alternating which goes first."""
    ours, theirs = [], []
    t_ours = t_theirs = 0.0
    stats: Counter[str] = Counter()
    for n, html in enumerate(pages):
        for step in (0, 1) if n % 2 == 0 else (1, 0):
            t = time.perf_counter()
            if step == 0:
                article = read_page(html)
                t_ours += time.perf_counter() - t
                ours.append(article.body)
                stats += offset_stats(article)
            else:
                theirs.append(plain_trafilatura(html))
                t_theirs += time.perf_counter() - t
    return ours, theirs, t_ours, t_theirs, stats


def _warm() -> None:
    html = (
        "<html><body><p>" + "A warm-up sentence for both extractors. " * 20 + "</p></body></html>"
    )
    read_page(html)
    plain_trafilatura(html)


def two_cores(pages: list[str]) -> dict[str, float]:
    """Best wall time of Pool(2) over all pages, per method (two rounds, alternating)."""
    best = {"presslens": float("inf"), "trafilatura": float("inf")}
    funcs = {"presslens": presslens_body, "trafilatura": plain_trafilatura}
    with Pool(2, initializer=_warm) as pool:
        pool.map(abs, range(2))  # workers started and warmed before any timing
        for order in (("presslens", "trafilatura"), ("trafilatura", "presslens")):
            for name in order:
                t = time.perf_counter()
                pool.map(funcs[name], pages, chunksize=4)
                best[name] = min(best[name], time.perf_counter() - t)
    return best


def _sweep_one(job: tuple[str, str]) -> str:
    config, html = job
    return trafilatura.extract(html, **SWEEP[config]) or ""


def sweep(
    evaluate: ModuleType, sets: dict[str, tuple[list[tuple[str, str]], dict]]
) -> dict[str, Any]:
    """F1 of trafilatura settings, and of the precision-then-balanced retry threshold."""
    out: dict[str, Any] = {"settings": {}, "retry_threshold": {}}
    texts: dict[tuple[str, str], dict[str, str]] = {}
    with Pool(2) as pool:
        for name, (pages, _) in sets.items():
            for config in SWEEP:
                res = pool.map(_sweep_one, [(config, html) for _, html in pages], chunksize=4)
                texts[name, config] = dict(zip([k for k, _ in pages], res, strict=True))

    def f1(name: str, outputs: dict[str, str]) -> float:
        gold = sets[name][1]
        if name == "scrapinghub":
            return score_scrapinghub(evaluate, gold, outputs)["f1"]
        return score_trafilatura_eval(gold, outputs)["f1"]

    for config in SWEEP:
        out["settings"][config] = {name: f1(name, texts[name, config]) for name in sets}
    for t in RETRY_THRESHOLDS:
        row = {}
        for name in sets:
            precise, balanced = texts[name, "precision_no_comments"], texts[name, "no_comments"]
            mixed = {
                k: max(v, balanced[k], key=len) if len(v) < t else v for k, v in precise.items()
            }
            row[name] = f1(name, mixed)
        out["retry_threshold"][str(t)] = row
    return out


def score_scrapinghub(evaluate: ModuleType, gold: dict, outputs: dict[str, str]) -> dict:
    random.seed(0)
    prediction = {k: {"articleBody": outputs[k]} for k in gold}
    m = evaluate.evaluate(gold, prediction, 1000)
    return {k: round(m[k], 4) for k in ("precision", "recall", "f1", "f1_std")}


def score_trafilatura_eval(items: dict, outputs: dict[str, str]) -> dict:
    def norm(text: str) -> str:
        return re.sub(r"\s+", " ", text).strip()

    tp = fp = fn = 0
    for url, item in items.items():
        out = norm(outputs[url]) if outputs[url] else None
        withs, withouts = item["with"][:MAX_SNIPPETS], item["without"][:MAX_SNIPPETS]
        hit = sum(1 for w in withs if out is not None and norm(w) in out)
        tp += hit
        fn += len(withs) - hit
        fp += sum(1 for w in withouts if out is not None and norm(w) in out)
    return {
        "precision": round(tp / (tp + fp), 4) if tp + fp else 0.0,
        "recall": round(tp / (tp + fn), 4) if tp + fn else 0.0,
        "f1": round(2 * tp / (2 * tp + fp + fn), 4) if tp else 0.0,
    }


def flatten(d: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for k, v in d.items():
        if isinstance(v, dict):
            out.extend(flatten(v, f"{prefix}{k}."))
        else:
            out.append((f"{prefix}{k}", v))
    return out


def text_path_figures(data: Path, limit: int | None) -> dict[str, Any] | None:
    path = ROOT / "bench" / "extraction_text.py"
    if not path.is_file():
        return None
    module = load_module(path, "bench_extraction_text")
    if not hasattr(module, "run"):
        return None
    return module.run(data, limit)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=None, help="first N pages of each set")
    parser.add_argument("--sweep", action="store_true", help="also run the settings sweep")
    args = parser.parse_args()
    data: Path = args.data.resolve()

    evaluate = load_module(require(data / SH / "evaluate.py"), "scrapinghub_evaluate")
    sh_pages, sh_gold = load_scrapinghub(data, args.limit)
    te_pages, te_items = load_trafilatura_eval(data, args.limit)
    _warm()

    runs = {}
    all_stats: Counter[str] = Counter()
    for name, pages in (("scrapinghub", sh_pages), ("trafilatura_eval", te_pages)):
        ours, theirs, t_ours, t_theirs, stats = one_core([html for _, html in pages])
        keys = [k for k, _ in pages]
        outs = (dict(zip(keys, ours, strict=True)), dict(zip(keys, theirs, strict=True)))
        runs[name] = (*outs, t_ours, t_theirs)
        all_stats += stats
    sh = {"pages": len(sh_pages)}
    te = {"pages": len(te_pages)}
    for who, i in (("presslens", 0), ("trafilatura", 1)):
        sh[who] = score_scrapinghub(evaluate, sh_gold, runs["scrapinghub"][i])
        te[who] = score_trafilatura_eval(te_items, runs["trafilatura_eval"][i])
    speed = {
        f"{name}_{who}_s": runs[name][i]
        for name in runs
        for who, i in (("presslens", 2), ("trafilatura", 3))
    }
    n_pages = len(sh_pages) + len(te_pages)
    t_ours = speed["scrapinghub_presslens_s"] + speed["trafilatura_eval_presslens_s"]
    t_theirs = speed["scrapinghub_trafilatura_s"] + speed["trafilatura_eval_trafilatura_s"]
    pool = two_cores([html for _, html in sh_pages + te_pages])
    throughput = {
        "pages": n_pages,
        "presslens_pages_per_s_1core": round(n_pages / t_ours, 2),
        "trafilatura_pages_per_s_1core": round(n_pages / t_theirs, 2),
        "ratio_1core": round(t_ours / t_theirs, 3),
        "presslens_pages_per_s_2cores": round(n_pages / pool["presslens"], 2),
        "trafilatura_pages_per_s_2cores": round(n_pages / pool["trafilatura"], 2),
        "ratio_2cores": round(pool["presslens"] / pool["trafilatura"], 3),
        "ratio_scrapinghub_1core": round(
            speed["scrapinghub_presslens_s"] / speed["scrapinghub_trafilatura_s"], 3
        ),
        "ratio_trafilatura_eval_1core": round(
            speed["trafilatura_eval_presslens_s"] / speed["trafilatura_eval_trafilatura_s"], 3
        ),
    }
    body = max(1, all_stats["body"])
    offsets = {
        "body_chars_exact": round(all_stats["exact"] / body, 4),
        "body_chars_in_segments": round(all_stats["in_segments"] / body, 4),
        "exact_segments_mismatched": all_stats["exact_mismatch"],
        "paragraphs": all_stats["paragraphs"],
        "paragraphs_not_located": all_stats["paragraphs_not_located"],
        "pages_with_unlocated_paragraphs": all_stats["pages_with_unlocated"],
        "extractors": {
            k.removeprefix("extractor_"): v
            for k, v in all_stats.items()
            if k.startswith("extractor_")
        },
    }
    criteria = {
        "f1_scrapinghub_ok": sh["presslens"]["f1"] >= sh["trafilatura"]["f1"],
        "f1_trafilatura_eval_ok": te["presslens"]["f1"] >= te["trafilatura"]["f1"],
        "speed_ok": throughput["ratio_1core"] <= SPEED_LIMIT,
    }

    print(f"{'':26} {'ScrapingHub AEB (' + str(sh['pages']) + ')':>34}   "
          f"{'trafilatura-eval (' + str(te['pages']) + ')':>24}")  # fmt: skip
    print(f"{'':26} {'P':>7} {'R':>7} {'F1':>7} {'± sd':>8}   {'P':>7} {'R':>7} {'F1':>7}")
    for who, label in (
        ("trafilatura", "trafilatura.extract"),
        ("presslens", "presslens extract_html"),
    ):
        a, b = sh[who], te[who]
        print(
            f"{label:26} {a['precision']:7.4f} {a['recall']:7.4f} {a['f1']:7.4f} "
            f"{a['f1_std']:8.4f}   {b['precision']:7.4f} {b['recall']:7.4f} {b['f1']:7.4f}"
        )
    print(f"\nThroughput, {n_pages} pages      1 core    2 cores  (pages/s)")
    print(
        f"{'trafilatura.extract':26} {throughput['trafilatura_pages_per_s_1core']:9.2f} "
        f"{throughput['trafilatura_pages_per_s_2cores']:9.2f}"
    )
    print(
        f"{'presslens extract_html':26} {throughput['presslens_pages_per_s_1core']:9.2f} "
        f"{throughput['presslens_pages_per_s_2cores']:9.2f}"
    )
    print(
        f"{'time ratio presslens/traf':26} {throughput['ratio_1core']:9.3f} "
        f"{throughput['ratio_2cores']:9.3f}   (limit {SPEED_LIMIT}; 1 core per set: "
        f"AEB {throughput['ratio_scrapinghub_1core']}, "
        f"trafilatura-eval {throughput['ratio_trafilatura_eval_1core']})"
    )
    print(
        f"\nOffsets: {offsets['body_chars_exact']:.1%} of body characters in exact segments, "
        f"{offsets['body_chars_in_segments']:.1%} in any segment; "
        f"{offsets['exact_segments_mismatched']} exact segments mismatched; "
        f"{offsets['paragraphs_not_located']} of {offsets['paragraphs']} paragraphs not located "
        f"({offsets['pages_with_unlocated_paragraphs']} pages); extractors {offsets['extractors']}"
    )
    print("Criteria: " + ", ".join(f"{k} {'yes' if v else 'NO'}" for k, v in criteria.items()))

    figures: dict[str, Any] = {
        "scrapinghub": sh,
        "trafilatura_eval": te,
        "throughput": throughput,
        "offsets": offsets,
        "criteria": criteria,
    }
    if args.sweep:
        sets = {"scrapinghub": (sh_pages, sh_gold), "trafilatura_eval": (te_pages, te_items)}
        figures["sweep"] = sw = sweep(evaluate, sets)
        print("\nSweep: plain trafilatura settings, F1        AEB   traf-eval")
        for config, row in sw["settings"].items():
            print(f"  {config:40} {row['scrapinghub']:7.4f} {row['trafilatura_eval']:7.4f}")
        print("Precise output < T chars -> balanced (T fitted on AEB; traf-eval held out)")
        for t, row in sw["retry_threshold"].items():
            print(f"  T = {t:36} {row['scrapinghub']:7.4f} {row['trafilatura_eval']:7.4f}")
    text = text_path_figures(data, args.limit)
    if text is None:
        print("\nL3S-GN1 text path: bench/extraction_text.py (with run(data_dir, limit)) missing")
        figures["l3s_gn1_text"] = "missing"
    else:
        print("\nL3S-GN1, text-only path (bench/extraction_text.py):")
        for key, value in flatten(text):
            print(f"  {key:40} {value}")
        figures["l3s_gn1_text"] = text
    sys.stdout.flush()
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
