"""Rebuild src/presslens/data/boilerplate_model.json from ../shared/data (needs the train extra).

Fitted on the L3S-GN1 pages outside the dev split (see bench/extraction_text.py, which owns the
split and reports on dev). Each line is labelled boilerplate unless the gold calls it headline,
fulltext or supplemental, and weighted by the square root of its length, since the benchmark
counts characters. Repetition counts come from the training pages of the same site (guessed
from each page's HTML links); a page with such counts is also fed once without them, so the
model works on a single page, where counts are unknown (0). Two trimmed views of each page
(cut a few lines around the story) stand for scrapes that already dropped most chrome.

The decision threshold maximises character F1 over out-of-fold predictions of a 5-fold,
page-grouped cross-validation on the training pages (whole pages, no repetition counts).
Fits take about a minute; on a busy machine set OMP_NUM_THREADS=1.
Usage: python train/boilerplate.py [--data DIR] [--out PATH]
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from pathlib import Path
from typing import Any

import numpy as np
import sklearn
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import GroupKFold

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from extraction_text import (  # noqa: E402  (the benchmark owns the data protocol)
    DEFAULT_DATA,
    DEV_RULE,
    KEEP,
    is_dev,
    load_pages,
    site_repeats,
)

from presslens.clean.boilerplate import FEATURES, MODEL_FILE, line_features  # noqa: E402

OUT = ROOT / "src" / "presslens" / "data" / MODEL_FILE
PARAMS: dict[str, Any] = {
    "max_iter": 200,
    "learning_rate": 0.1,
    "max_depth": 5,
    "max_leaf_nodes": 16,
    "min_samples_leaf": 20,
    "l2_regularization": 1.0,
    "early_stopping": False,
    "random_state": 0,
}
FOLDS = 5
TRIMS = 2  # trimmed views per page
TRIM_MARGINS = (0, 0, 1, 2, 3, 5, 10)  # lines of chrome left above or below the story


def _variants(page: dict, repeats: list[int]) -> list[tuple[str, int, int, list[int] | None]]:
    """(kind, first line, end line, repeat counts) of the views of one page trained on.

    "page": the whole page, counts unknown. "repeats": the whole page with its site counts.
    "trimmed": the page cut a few lines around the story, as scrapers that already dropped
    most chrome deliver it, so that a short last paragraph at the very end of a page is seen
    as the story's end rather than a footer.
    """
    n = len(page["lines"])
    out: list[tuple[str, int, int, list[int] | None]] = [("page", 0, n, None)]
    if any(repeats):
        out.append(("repeats", 0, n, repeats))
    keep = [i for i, ln in enumerate(page["lines"]) if ln["label"] in KEEP]
    if keep:
        rng = random.Random(page["id"])
        for _ in range(TRIMS):
            start = max(0, keep[0] - rng.choice(TRIM_MARGINS))
            end = min(n, keep[-1] + 1 + rng.choice(TRIM_MARGINS))
            out.append(("trimmed", start, end, None))
    return out


def _rows(data_dir: Path) -> dict[str, np.ndarray]:
    """Feature rows of every view of the training pages, with their page and kind."""
    pages = [p for p in load_pages(data_dir) if not is_dev(p["id"])]
    repeats = site_repeats(data_dir, pages)
    xs, ys, groups, kinds, chars = [], [], [], [], []
    for g, page in enumerate(pages):
        for kind, start, end, counts in _variants(page, repeats[page["id"]]):
            lines = page["lines"][start:end]
            texts = [ln["text"] for ln in lines]
            xs += line_features(texts, counts[start:end] if counts else None)
            ys += [ln["label"] not in KEEP for ln in lines]
            chars += [len(t) for t in texts]
            groups += [g] * len(texts)
            kinds += [kind] * len(texts)
    chars_arr = np.array(chars, dtype=float)
    return {
        "X": np.array(xs),
        "y": np.array(ys),
        "w": np.sqrt(chars_arr),
        "chars": chars_arr,
        "groups": np.array(groups),
        "kind": np.array(kinds),
        "pages": np.array(len(pages)),
    }


def char_f1(prob: np.ndarray, y: np.ndarray, chars: np.ndarray, threshold: float) -> float:
    """Micro character F1 of the lines kept (prob below threshold) against the gold."""
    keep = prob < threshold
    tp = chars[keep & ~y].sum()
    p = tp / chars[keep].sum() if keep.any() else 0.0
    r = tp / chars[~y].sum()
    return float(2 * p * r / (p + r)) if p + r else 0.0


def _model() -> HistGradientBoostingClassifier:
    repeats = FEATURES.index("repeats")
    monotonic = [1 if i == repeats else 0 for i in range(len(FEATURES))]
    return HistGradientBoostingClassifier(**PARAMS, monotonic_cst=monotonic)


def cross_validate(d: dict[str, np.ndarray]) -> dict[str, Any]:
    """Out-of-fold probabilities -> the threshold with the best character F1."""
    oof = np.zeros(len(d["y"]))
    for fit, held in GroupKFold(FOLDS).split(d["X"], d["y"], d["groups"]):
        model = _model().fit(d["X"][fit], d["y"][fit], sample_weight=d["w"][fit])
        oof[held] = model.predict_proba(d["X"][held])[:, 1]
    page, batch, trimmed = (d["kind"] == k for k in ("page", "repeats", "trimmed"))
    grid = [round(t, 2) for t in np.arange(0.05, 0.96, 0.01)]
    f1s = [char_f1(oof[page], d["y"][page], d["chars"][page], t) for t in grid]
    best = float(grid[int(np.argmax(f1s))])
    sited = page & np.isin(d["groups"], d["groups"][batch])  # pages that have counts, without

    def f1(mask: np.ndarray) -> float:
        return round(char_f1(oof[mask], d["y"][mask], d["chars"][mask], best), 4)

    return {
        "threshold": best,
        "cv_char_f1": round(max(f1s), 4),
        "cv_char_f1_at_0.5": round(f1s[grid.index(0.5)], 4),
        "cv_char_f1_sited_pages_with_repeats": f1(batch),
        "cv_char_f1_sited_pages_without": f1(sited),
        "cv_char_f1_trimmed": f1(trimmed),
    }


def export(model: HistGradientBoostingClassifier) -> tuple[float, list[dict[str, list]]]:
    """The ensemble as plain arrays: leaves have feature -1; x <= threshold goes left."""
    trees = []
    for (predictor,) in model._predictors:
        tree: dict[str, list] = {k: [] for k in ("feature", "threshold", "left", "right", "value")}
        for node in predictor.nodes:
            if node["is_categorical"]:
                raise ValueError("categorical splits are not supported by the JSON model")
            leaf = bool(node["is_leaf"])
            tree["feature"].append(-1 if leaf else int(node["feature_idx"]))
            tree["threshold"].append(0.0 if leaf else float(node["num_threshold"]))
            tree["left"].append(0 if leaf else int(node["left"]))
            tree["right"].append(0 if leaf else int(node["right"]))
            tree["value"].append(_round(node["value"]) if leaf else 0.0)
        trees.append(tree)
    return float(model._baseline_prediction.ravel()[0]), trees


def _round(v: float) -> float:
    return float(f"{v:.6g}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()

    d = _rows(args.data)
    kinds, counts = np.unique(d["kind"], return_counts=True)
    views = ", ".join(f"{k} {v}" for k, v in zip(kinds, counts, strict=True))
    print(f"training pages {int(d['pages'])}, rows: {views}")
    cv = cross_validate(d)
    print("cross-validation on training pages:", cv)
    model = _model().fit(d["X"], d["y"], sample_weight=d["w"])
    base, trees = export(model)
    spec = {
        "features": list(FEATURES),
        "threshold": float(cv["threshold"]),
        "base": base,
        "info": {
            "fitted_on": "L3S-GN1 lines.jsonl.gz, pages outside the dev split "
            "(whole, with site repeat counts, trimmed around the story)",
            "dev_rule": DEV_RULE,
            "label": "boilerplate = not headline/fulltext/supplemental",
            "params": PARAMS,
            "sklearn": sklearn.__version__,
            **cv,
        },
        "trees": trees,
    }
    _check(spec, model, d["X"])
    args.out.write_text(json.dumps(spec, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {args.out} ({args.out.stat().st_size // 1024} KB, {len(trees)} trees)")


def _check(spec: dict[str, Any], model: HistGradientBoostingClassifier, X: np.ndarray) -> None:
    """The pure-Python scorer must agree with scikit-learn on the training rows."""
    from presslens.clean.boilerplate import BoilerplateModel

    ours = BoilerplateModel(spec)
    sample = X[:: max(1, len(X) // 2000)]
    want = model.predict_proba(sample)[:, 1]
    got = np.array([ours._probability(list(x)) for x in sample])
    worst = float(np.abs(got - want).max())
    if not math.isfinite(worst) or worst > 1e-3:
        raise SystemExit(f"exported model disagrees with scikit-learn by {worst:.2g}")


if __name__ == "__main__":
    main()
