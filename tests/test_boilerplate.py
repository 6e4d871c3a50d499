"""The boilerplate line classifier: features, model file, zone markers, seeds and L3S-GN1."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from presslens.clean.boilerplate import (
    FEATURES,
    BoilerplateModel,
    line_features,
    marker_key,
    zone_markers,
)
from presslens.clean.lines import split_lines

ROOT = Path(__file__).resolve().parents[1]

NAV = ["Home", "World", "Politics", "Business", "Sport", "Subscribe", "Log in"]
STORY = [
    "Ministers agreed on Tuesday to extend the emergency programme for another six months, "
    "officials said after a meeting that ran late into the night.",
    "The decision follows weeks of talks between the coalition partners, who had disagreed "
    "over how the cost of the programme should be shared between the regions.",
    "Opposition leaders said the extension was overdue and called for a full review of how "
    "the money had been spent so far.",
    "The programme will be reviewed again in the spring.",
]
TAIL = [
    "Share this article",
    "Related Articles",
    "Storm damage closes coastal road",
    "Council approves new housing plan",
    "LEAVE A REPLY",
    "Please enter your comment!",
    "Please enter your name here",
    "I think this is a terrible decision and the ministers should be ashamed of themselves.",
    "© 2024 Example News. All rights reserved.",
]


@pytest.fixture(scope="module")
def model() -> BoilerplateModel:
    return BoilerplateModel.load()


def test_markers_open_zones():
    markers = zone_markers()
    assert markers[marker_key("LEAVE A REPLY")] == "comments"
    assert markers[marker_key("Comments (12)")] == "comments"
    assert markers[marker_key("Related Articles:")] == "related"
    assert markers[marker_key("» You may also like")] == "related"
    assert marker_key("The minister said") not in markers


def test_features_shape_and_repeats_checked():
    rows = line_features([*NAV, *STORY], [3] * len(NAV) + [0] * len(STORY))
    assert len(rows) == len(NAV) + len(STORY)
    assert all(len(r) == len(FEATURES) for r in rows)
    with pytest.raises(ValueError, match="repeats"):
        line_features(STORY, [0])
    assert line_features([]) == []


def test_model_file_is_small_and_consistent(model):
    path = ROOT / "src" / "presslens" / "data" / "boilerplate_model.json"
    assert path.stat().st_size < 300_000
    assert 0.0 < model.threshold < 1.0
    assert BoilerplateModel.load() is model  # the packaged model is read once
    assert model.info["fitted_on"].startswith("L3S-GN1")


def test_tree_evaluation_semantics(tmp_path):
    """x <= threshold goes left; leaves add to the base, then a sigmoid."""
    k = FEATURES.index("log_chars")
    tree = {
        "feature": [k, -1, -1],
        "threshold": [2.0, 0.0, 0.0],
        "left": [1, 0, 0],
        "right": [2, 0, 0],
        "value": [0.0, 3.0, -3.0],
    }
    spec = {"features": list(FEATURES), "threshold": 0.5, "base": 0.0, "trees": [tree]}
    path = tmp_path / "m.json"
    path.write_text(json.dumps(spec))
    short, long_ = BoilerplateModel.load(path).score(["ab", "a much longer line"])
    assert short == pytest.approx(1 / (1 + pow(2.718281828459045, -3.0)))
    assert long_ == pytest.approx(1 - short)
    spec["features"] = ["something_else"]
    path.write_text(json.dumps(spec))
    with pytest.raises(ValueError, match="retrain"):
        BoilerplateModel.load(path)


def test_synthetic_page(model):
    lines = ["Example News", *NAV, "Ministers extend emergency programme", *STORY, *TAIL]
    scores = model.score(lines)
    assert len(scores) == len(lines)
    assert all(0.0 <= s <= 1.0 for s in scores)
    kept = {t for t, s in zip(lines, scores, strict=True) if s < model.threshold}
    assert set(STORY) <= kept
    dropped = set(lines) - kept
    assert {"Home", "Subscribe", "LEAVE A REPLY", "Please enter your comment!"} <= dropped
    assert TAIL[7] in dropped  # a reader comment: prose, but in the comment zone


@pytest.mark.parametrize("last", ["He declined to comment.", "The talks continue."])
@pytest.mark.parametrize("tail", [[], TAIL])
def test_short_last_paragraph_kept(model, last, tail):
    """A story may end on a short sentence, with or without chrome below it."""
    lines = ["Example News", *NAV, "Ministers extend emergency programme", *STORY, last, *tail]
    assert model.score(lines)[lines.index(last)] < model.threshold


def test_repeats_never_lower_the_score(model):
    lines = [*NAV, *STORY]
    alone = model.score(lines)
    counted = model.score(lines, [5] * len(lines))
    assert all(c >= a - 1e-9 for a, c in zip(alone, counted, strict=True))


def test_seeds_body_kept_and_markers_dropped(model, seeds_dir, gold):
    """Every line of the story (first to last body line) is kept; zone headings go."""
    for name, g in gold["articles"].items():
        lines = split_lines((seeds_dir / name).read_text(encoding="utf-8"))
        texts = [ln.text for ln in lines]
        scores = model.score(texts)
        first = next(i for i, t in enumerate(texts) if g["body_first"] in t)
        last = next(i for i, t in enumerate(texts) if t.endswith(g["body_last"]))
        for i in range(first, last + 1):
            assert scores[i] < model.threshold, (name, texts[i][:60], scores[i])
        for t, s in zip(texts, scores, strict=True):
            if t in g["boilerplate"] and marker_key(t) in zone_markers():
                assert s >= model.threshold, (name, t)


@pytest.mark.slow
def test_l3s_dev_char_f1(model, data_dir):
    spec = importlib.util.spec_from_file_location(
        "extraction_text", ROOT / "bench" / "extraction_text.py"
    )
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    if not (data_dir / bench.SET / "lines.jsonl.gz").is_file():
        pytest.skip(f"L3S-GN1 not found under {data_dir}")
    dev = [p for p in bench.load_pages(data_dir) if bench.is_dev(p["id"])][:40]
    keeps = [
        [s < model.threshold for s in model.score([ln["text"] for ln in p["lines"]])] for p in dev
    ]
    scores = bench.line_scores(dev, keeps)
    c4 = bench.line_scores(dev, [bench.c4_keep([ln["text"] for ln in p["lines"]]) for p in dev])
    assert scores["char"]["f1"] >= 0.93
    assert scores["char"]["f1"] > c4["char"]["f1"]
