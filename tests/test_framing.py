"""Framing: technique spans (lexicon layer, and the model when installed), designation
profiles and summaries, on the seeds (``../shared/seeds/gold.json``) and on made-up text."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from presslens.actors import find_actors
from presslens.framing import ENV_DIR, TECHNIQUE_2023, frame, merge, outlet_summary
from presslens.framing.lexicon import DEFAULT_THRESHOLD, find_loaded
from presslens.framing.summary import count_words
from presslens.model import Article, RawPage, Source
from presslens.nlp import load_model
from presslens.pipeline import analyze
from presslens.resources import read_csv

LOADED = ("Loaded_Language", "Name_Calling,Labeling")

Framed = dict[str, tuple[Article, list[dict[str, Any]], dict[str, Any]]]


@pytest.fixture(scope="module")
def framed(seeds_dir: Path) -> Framed:
    """name -> (article with actors/designations from the pipeline, techniques, summary)."""
    pages = [
        RawPage(Source("text", path=str(p)), p.read_text(encoding="utf-8"))
        for p in sorted(seeds_dir.glob("*.txt"))
    ]
    nlp = load_model()
    out = {}
    for page, article in zip(pages, analyze(pages), strict=True):
        assert isinstance(article, Article), article
        techniques, summary = frame(
            article.body, nlp(article.body), article.actors, article.designations
        )
        article.techniques = techniques
        out[Path(page.source.path).name] = (article, techniques, summary)
    return out


def _gold_places(framed: Framed, want: dict[str, str]) -> list[tuple[str, int, int]]:
    """(seed, start, end) of the gold term inside each seed that holds its context."""
    out = []
    for name, (article, _, _) in framed.items():
        at = article.body.find(want["context"])
        if at >= 0:
            start = at + want["context"].find(want["term"])
            out.append((name, start, start + len(want["term"])))
    assert out, want
    return out


def _overlapping(spans: list[dict[str, Any]], start: int, end: int) -> list[dict[str, Any]]:
    return [s for s in spans if s["start"] < end and start < s["end"]]


def test_gold_designations_found_with_referent_and_class(framed: Framed, gold) -> None:
    for want in gold["designations"]:
        for name, start, end in _gold_places(framed, want):
            article, _, summary = framed[name]
            match = [
                d
                for d in _overlapping(article.designations, start, end)
                if d["refers_to"] == want["refers_to"] and d["class"] == want["class"]
            ]
            assert match, (name, want, _overlapping(article.designations, start, end))
            profile = summary["designation_profile"][want["refers_to"]]
            assert profile[want["class"]] >= 1
            assert " ".join(match[0]["text"].split()) in profile["terms"]


def test_neutral_designations_are_not_flagged(framed: Framed, gold) -> None:
    neutral = [w for w in gold["designations"] if w["class"] == "neutral"]
    assert {w["term"] for w in neutral} >= {"Tel Aviv", "Israel", "US"}
    for want in neutral:
        for name, start, end in _gold_places(framed, want):
            _, techniques, _ = framed[name]
            assert not _overlapping(techniques, start, end), (name, want)


def test_pejorative_designations_are_name_calling(framed: Framed, gold) -> None:
    for want in gold["designations"]:
        if want["class"] != "pejorative":
            continue
        for name, start, end in _gold_places(framed, want):
            _, techniques, _ = framed[name]
            got = {s["technique"] for s in _overlapping(techniques, start, end)}
            assert "Name_Calling,Labeling" in got, (name, want, got)


def test_name_calling_spans_keep_their_quotation_marks_balanced(framed: Framed) -> None:
    # the “Israeli” regime: the span may not start inside the marks it closes
    spans = [
        s["text"]
        for _, techniques, _ in framed.values()
        for s in techniques
        if s["technique"] == "Name_Calling,Labeling"
    ]
    assert "“Israeli” regime" in spans
    for text in spans:
        assert text.count("“") == text.count("”"), text


@pytest.mark.parametrize(
    "words", ["child-murderer", "usurping", "despicable", "criminal activities", "atrocities"]
)
def test_loaded_words_of_the_seeds_are_marked(framed: Framed, words: str) -> None:
    seen = 0
    for article, techniques, _ in framed.values():
        at = article.body.find(words)
        while at >= 0:
            end = at + len(words)
            covering = [
                s
                for s in _overlapping(techniques, at, end)
                if s["technique"] in LOADED and s["start"] <= at and end <= s["end"]
            ]
            assert covering, (words, at, _overlapping(techniques, at, end))
            seen += 1
            at = article.body.find(words, end)
    assert seen >= 1


WIRE = (
    "JERUSALEM, April 16 (Reuters) - Israeli police and Palestinians clashed at the Al-Aqsa "
    "mosque compound in Jerusalem on Friday, and medics said more than 150 people were "
    "wounded. Police said they detained about 400 people.\n\n"
    "The United States called on both sides to avoid steps that could raise tensions, a State "
    "Department spokesperson said. Iran's foreign ministry condemned the raid in a statement, "
    "and Israel's government said police had acted to remove people who threw stones.\n\n"
    "The U.N. Security Council will discuss the situation on Monday, diplomats said. Police "
    "have opened a criminal investigation. The sanctions regime on Iran was not on the agenda, "
    "a spokesman for the council's president told reporters in New York."
)


def test_neutral_wire_paragraph_gets_no_technique() -> None:
    nlp = load_model()
    doc = nlp(WIRE)
    actors, designations = find_actors(WIRE, doc)
    techniques, summary = frame(WIRE, doc, actors, designations)
    assert techniques == [], techniques
    assert summary["techniques_per_1000_words"] == 0.0
    assert summary["sentences"] == []
    # the veto words matter: without them "criminal" and "regime" would be flagged
    assert find_loaded("a criminal and a regime", threshold=DEFAULT_THRESHOLD)


@pytest.mark.parametrize(
    "word",
    [
        "terrorists",
        "butchers",
        "regime",
        "martyrs",
        "heroic",
        "criminal",
        "atrocities",
        "child-murderer",
        "usurping",
        "despicable",
        "barbaric",
        "savage",
        "puppet",
        "occupiers",
        "mullahs",
        "thugs",
        "genocide",
        "orcs",
        "junta",
        "warmongers",
    ],
)
def test_loaded_words_of_every_side(word: str) -> None:
    body = f"The article spoke of the {word} again."
    spans = find_loaded(body)
    assert [s["text"] for s in spans] == [word], spans
    assert spans[0]["technique_2023"] == TECHNIQUE_2023[spans[0]["technique"]]
    assert spans[0]["source"]


def test_loaded_words_table_is_well_formed() -> None:
    rows = read_csv("loaded_words.csv")
    assert len(rows) > 150
    terms = [r["term"].lower() for r in rows]
    assert len(terms) == len(set(terms))
    for r in rows:
        assert r["technique"] in TECHNIQUE_2023, r
        assert 0.0 < float(r["confidence"]) <= 1.0, r
        assert r["source"].strip(), r


def test_summary_figures_are_consistent(framed: Framed) -> None:
    for name, (article, techniques, summary) in framed.items():
        words = summary["words"]
        assert words == count_words(article.body)
        assert 0.8 * len(article.body.split()) <= words <= 1.2 * len(article.body.split())
        assert summary["techniques"] == len(techniques)
        assert summary["techniques_per_1000_words"] == round(1000 * len(techniques) / words, 2)
        assert sum(summary["by_technique"].values()) == len(techniques)
        listed = [t for s in summary["sentences"] for t in s["techniques"]]
        assert len(listed) == len(techniques), name
        for s in summary["sentences"]:
            assert article.body[s["start"] : s["end"]] == s["text"]
            assert s["techniques"] or s["designations"]
            for t in s["techniques"]:
                assert s["start"] <= t["start"] < s["end"]
            for d in s["designations"]:
                assert d["class"] != "neutral"
        for t in techniques:
            assert article.body[t["start"] : t["end"]] == t["text"]
            assert t["method"] in ("model", "lexicon", "both")
            assert t["confidence"] >= DEFAULT_THRESHOLD or t["method"] != "lexicon"
        json.dumps([techniques, summary])
    total = sum(len(t) for _, t, _ in framed.values())
    assert total >= 20  # the seeds are Iranian state media: loaded language throughout


def test_outlet_summary_over_the_seeds(framed: Framed) -> None:
    records = [article.to_dict() for article, _, _ in framed.values()]
    by_outlet = outlet_summary([*records, {"error": "not an article"}])
    assert sum(o["articles"] for o in by_outlet.values()) == len(records)
    outlets = {r["outlet"]["value"] or "(unknown)" for r in records}
    assert set(by_outlet) == outlets
    assert sum(o["words"] for o in by_outlet.values()) == sum(
        s["words"] for _, _, s in framed.values()
    )
    assert sum(o["techniques"] for o in by_outlet.values()) == sum(
        len(t) for _, t, _ in framed.values()
    )
    for o in by_outlet.values():
        assert o["techniques_per_1000_words"] == round(1000 * o["techniques"] / o["words"], 2)
    pejorative_israel = sum(
        s["designation_profile"].get("Israel", {}).get("pejorative", 0)
        for _, _, s in framed.values()
    )
    assert pejorative_israel >= 10
    assert (
        sum(
            o["designation_profile"].get("Israel", {}).get("pejorative", 0)
            for o in by_outlet.values()
        )
        == pejorative_israel
    )
    json.dumps(by_outlet)


def test_user_lexicon_folder_and_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    body = "Officials called the new levy a zorblax scheme."
    assert find_loaded(body) == []
    (tmp_path / "loaded_words.csv").write_text(
        "# my additions\n"
        "term,technique,confidence,unless_before,unless_after,source,note\n"
        'zorblax,"Name_Calling,Labeling",0.9,,,my notes,\n',
        encoding="utf-8",
    )
    monkeypatch.setenv(ENV_DIR, str(tmp_path))
    (hit,) = find_loaded(body)
    assert (hit["text"], hit["technique"], hit["source"]) == (
        "zorblax",
        *("Name_Calling,Labeling", "my notes"),
    )
    monkeypatch.delenv(ENV_DIR)
    assert find_loaded(body) == []
    nlp = load_model()
    techniques, _ = frame(
        body, nlp(body), [], [], extra_lexicon=tmp_path / "loaded_words.csv", use_model=False
    )
    assert [t["text"] for t in techniques] == ["zorblax"]


def test_merge_keeps_the_more_confident_and_marks_both() -> None:
    body = "the usurping regime"
    lex = {"technique": "Loaded_Language", "start": 4, "end": 12, "confidence": 0.85}
    model = {"technique": "Loaded_Language", "start": 4, "end": 19, "confidence": 0.6}
    other = {"technique": "Name_Calling,Labeling", "start": 13, "end": 19, "confidence": 0.55}
    spans = [
        {**lex, "text": body[4:12], "method": "lexicon"},
        {**model, "text": body[4:19], "method": "model"},
        {**other, "text": body[13:19], "method": "lexicon"},
    ]
    merged = merge(spans)
    assert [(s["text"], s["method"]) for s in merged] == [
        ("usurping regime", "both"),
        ("regime", "lexicon"),
    ]
    assert merged[0]["confidence"] == 0.85
    for s in merged:
        assert body[s["start"] : s["end"]] == s["text"]


_WORDS = st.sampled_from(
    [
        "the",
        "Zionist",
        "regime",
        "criminal",
        "court",
        "terrorists",
        "child-murderer",
        "martyrs",
        "Brigades",
        "Israel",
        "US",
        "“Israeli”",
        "sanctions",
        "-",
        ".",
        "\n\n",
        "heroic",
        "Iran",
        "said",
    ]
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_WORDS | st.text(max_size=8), max_size=40), st.floats(0.0, 1.0))
def test_frame_never_raises_and_spans_point_into_the_body(words, threshold) -> None:
    nlp = load_model()
    body = " ".join(words)
    doc = nlp(body)
    actors, designations = find_actors(body, doc)
    techniques, summary = frame(body, doc, actors, designations, threshold=threshold)
    json.dumps([techniques, summary])
    for t in techniques:
        assert body[t["start"] : t["end"]] == t["text"]
        assert t["end"] > t["start"]
    for s in summary["sentences"]:
        assert body[s["start"] : s["end"]] == s["text"]
    assert summary["words"] == count_words(body)
