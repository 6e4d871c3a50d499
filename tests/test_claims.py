"""Numeric claims: counts, bounds, categories and sources, on the seeds and on made-up text."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from presslens.claims import find_claims
from presslens.claims.lexicon import lexicon
from presslens.model import Article
from presslens.nlp import load_model
from presslens.pipeline import analyze
from presslens.quotes import find_quotes
from presslens.read import read_inputs
from presslens.resources import read_csv

Claims = list[dict[str, Any]]


@pytest.fixture(scope="module")
def nlp():
    return load_model()


def claims_of(nlp, body: str, with_quotes: bool = True) -> Claims:
    doc = nlp(body)
    quotes = find_quotes(body, doc) if with_quotes else []
    found = find_claims(body, doc, quotes)
    for c in found:
        assert body[c["start"] : c["end"]] == c["text"]
        assert body[c["clause"]["start"] : c["clause"]["end"]] == c["clause"]["text"]
        if c["source"] is not None:
            assert body[c["source"]["start"] : c["source"]["end"]] == c["source"]["text"]
    return found


def by_value(found: Claims) -> dict[int, dict[str, Any]]:
    return {c["value"]: c for c in found}


# --- seeds acceptance --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seeds(seeds_dir: Path, nlp) -> dict[str, tuple[str, Claims]]:
    """name -> (body, claims), bodies read and cleaned by the pipeline, parsed once here."""
    pages = list(read_inputs([str(p) for p in sorted(seeds_dir.glob("*.txt"))]))
    out = {}
    for page, article in zip(pages, analyze(pages, language=False), strict=True):
        assert isinstance(article, Article), article
        out[Path(page.source.path).name] = (article.body, claims_of(nlp, article.body))
    return out


def _content_words(name: str) -> list[str]:
    return re.findall(r"\w+", name.lower())


def _source_matches(source: dict[str, Any] | None, gold_name: str | None) -> bool:
    """Loose: every content word of the gold name occurs in the source span ("Gaza’s health
    ministry" matches "Gaza health ministry")."""
    if gold_name is None:
        return source is None
    if source is None:
        return False
    words = set(re.findall(r"\w+", re.sub(r"[’']s\b", "", source["text"].lower())))
    return all(w in words for w in _content_words(gold_name))


def test_seed_claims_match_gold(seeds, gold) -> None:
    checked = 0
    for name, g in gold["articles"].items():
        body, found = seeds[name]
        for want in g.get("numeric_claims") or []:
            start = body.index(want["text"])
            end = start + len(want["text"])
            inside = [c for c in found if start <= c["start"] and c["end"] <= end]
            assert inside, (name, want["text"], [c["text"] for c in found])
            # every word of the gold span is covered by a claim or the clause they share
            covered = {i for c in inside for i in range(c["clause"]["start"], c["clause"]["end"])}
            assert set(range(start, end)) <= covered, (name, want["text"])
            for c in inside:
                assert _source_matches(c["source"], want["source"]), (name, c)
            checked += 1
    assert checked == 4


def test_seed_claim_values_and_categories(seeds) -> None:
    _, found = seeds["002_c65011fe04bd125a.txt"]
    got = {c["text"]: (c["value"], c["approx"], c["counts"], c["source_via"]) for c in found}
    assert got["nearly 1,000 fatalities"] == (1000, "nearly", "killed", None)
    assert got["over 600 lives lost"][:3] == (600, "over", "killed")
    assert got["370 casualties"] == (370, None, "casualties", "report_verb")
    _, found4 = seeds["004_1d8038a1fe6f818a.txt"]
    wounded, detained = found4
    assert (wounded["value"], wounded["approx"], wounded["counts"]) == (150, "over", "wounded")
    assert (wounded["lower"], wounded["upper"]) == (150, None)
    assert detained["value"] == 400
    assert (detained["counts"], detained["unit"]) == ("detained", "Palestinians")
    assert wounded["clause"] == detained["clause"]
    assert wounded["clause"]["text"] == "wounding over 150 Palestinians and detaining 400 others"


def test_seed_numbers_that_are_not_counts(seeds) -> None:
    """Years, dates and counts of things that are no casualty figure give no claim, and the
    counts found are exactly these."""
    not_counts = {
        "001_99995a77091a4f2e.txt": ["October 2023"],
        "003_34291fd827fe937f.txt": ["May 7, 2021", "five Palestinian groups", "this year"],
    }
    for name, phrases in not_counts.items():
        body, found = seeds[name]
        for phrase in phrases:
            start = body.index(phrase)
            end = start + len(phrase)
            assert not [c for c in found if c["start"] < end and start < c["end"]], phrase
    got = {(name[:3], c["value_text"], c["counts"]) for name, (_, cs) in seeds.items() for c in cs}
    assert got == {
        ("000", "scores", "casualties"),  # "killed and injured scores of Palestinian people"
        ("002", "1,000", "killed"),
        ("002", "600", "killed"),
        ("002", "370", "casualties"),
        ("004", "150", "wounded"),
        ("004", "400", "detained"),
    }


# --- sources -----------------------------------------------------------------------------------


def test_source_from_a_quote(nlp) -> None:
    body = "“Our teams have recovered 42 bodies from the rubble,” the civil defence chief said."
    (claim,) = claims_of(nlp, body)
    assert claim["counts"] == "killed" and claim["value"] == 42
    assert claim["source_via"] == "quote"
    assert claim["source"]["text"] == "the civil defence chief"


def test_source_from_a_reporting_verb(nlp) -> None:
    body = "The health ministry recorded 370 casualties, and the army counted 12 dead."
    first, second = claims_of(nlp, body, with_quotes=False)
    assert (first["source"]["text"], first["source_via"]) == ("The health ministry", "report_verb")
    assert (second["source"]["text"], second["counts"]) == ("the army", "killed")


def test_innermost_report_inside_reported_speech(nlp) -> None:
    """Reported speech that itself reports a figure: the figure is the inner reporter's."""
    body = "The spokesman said that the health ministry had recorded 370 casualties."
    doc = nlp(body)
    speaker = {"text": "The spokesman", "start": 0, "end": 13}
    content = {"start": body.index("the health"), "end": len(body) - 1, "speaker": speaker}
    (claim,) = find_claims(body, doc, [{**content, "kind": "indirect"}])
    assert (claim["source"]["text"], claim["source_via"]) == ("the health ministry", "report_verb")
    (claim,) = find_claims(body, doc, [{**content, "kind": "direct"}])  # quoted: the speaker's
    assert (claim["source"]["text"], claim["source_via"]) == ("The spokesman", "quote")


def test_source_of_a_reported_clause_and_a_pronoun(nlp) -> None:
    body = "Officials from the Red Crescent arrived. They said 30 people were killed."
    (claim,) = claims_of(nlp, body, with_quotes=False)
    assert claim["source_via"] == "report_verb"
    assert claim["source"]["text"] == "They"
    assert "Officials" in claim["source"]["refers_to"]["text"]


def test_source_from_according_to(nlp) -> None:
    body = "The death toll has risen to 1,200, according to the health ministry."
    (claim,) = claims_of(nlp, body, with_quotes=False)
    assert claim["counts"] == "killed" and claim["value"] == 1200
    assert (claim["source"]["text"], claim["source_via"]) == ("the health ministry", "according_to")


def test_narration_has_no_source(nlp) -> None:
    body = (
        "The attack left nearly 1,000 fatalities. Minister Ali Rezaei condemned the raid "
        "that killed 30 people."
    )
    found = claims_of(nlp, body)
    assert [c["text"] for c in found] == ["nearly 1,000 fatalities", "killed 30 people"]
    assert all(c["source"] is None and c["source_via"] is None for c in found)


def test_coordinated_with_a_report_is_not_reported(nlp) -> None:
    body = "The ministry said the talks failed, and soldiers arrested 20 protesters."
    (claim,) = claims_of(nlp, body, with_quotes=False)
    assert claim["counts"] == "detained" and claim["source"] is None


# --- numbers, bounds, categories ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "value", "approx", "lower", "upper"),
    [
        ("Israel has reported over 600 lives lost.", 600, "over", 600, None),
        ("At least 30 Palestinians were killed.", 30, "at least", 30, None),
        ("Nearly 1,000 people were displaced.", 1000, "nearly", 900, 1000),
        ("About 7,000 Palestinians were detained.", 7000, "about", 6300, 7700),
        ("Fewer than 50 people were injured.", 50, "under", None, 50),
        ("As many as 12 people are missing.", 12, "up to", None, 12),
        ("1,000 or more people were arrested.", 1000, "at least", 1000, None),
        ("Dozens of people were wounded.", 24, "vague", 24, 99),
        ("Hundreds of Palestinians were arrested.", 200, "vague", 200, 999),
        ("Tens of thousands of people have fled.", 20000, "vague", 20000, 99999),
    ],
)
def test_approximations(nlp, body, value, approx, lower, upper) -> None:
    (claim,) = claims_of(nlp, body)
    assert (claim["value"], claim["approx"], claim["lower"], claim["upper"]) == (
        value,
        approx,
        lower,
        upper,
    )


@pytest.mark.parametrize(
    ("body", "value", "value_text"),
    [
        ("Two people died in the blast.", 2, "Two"),
        ("Twenty-five soldiers were wounded.", 25, "Twenty-five"),
        ("The agency recorded two hundred and fifty deaths.", 250, "two hundred and fifty"),
        ("A dozen people were hurt.", 12, "A dozen"),
        ("Some 1.5 million people have been displaced.", 1_500_000, "1.5 million"),
        ("The strike killed 3,200 people.", 3200, "3,200"),
    ],
)
def test_number_forms(nlp, body, value, value_text) -> None:
    (claim,) = claims_of(nlp, body)
    assert (claim["value"], claim["value_text"]) == (value, value_text)


@pytest.mark.parametrize(
    ("body", "counts", "unit"),
    [
        ("Israeli forces killed 30 Palestinian civilians.", "killed", "Palestinian civilians"),
        ("The strikes left 40 wounded.", "wounded", "people"),
        ("There were 370 casualties.", "casualties", "people"),
        ("Police arrested 12 protesters.", "detained", "protesters"),
        ("Militants fired 200 rockets.", "projectiles", "rockets"),
        ("Bulldozers demolished 15 homes.", "destroyed", "homes"),
        ("Some 3,000 people remain missing.", "missing", "people"),
        ("The group abducted 7 aid workers.", "abducted", "aid workers"),
        ("The killing of 30 villagers shocked the region.", "killed", "villagers"),
        ("The fighting killed and injured 60 people.", "casualties", "people"),
    ],
)
def test_categories_and_units(nlp, body, counts, unit) -> None:
    (claim,) = claims_of(nlp, body)
    assert (claim["counts"], claim["unit"]) == (counts, unit)


def test_subject_of_an_active_kill_is_not_counted(nlp) -> None:
    found = claims_of(nlp, "30 soldiers killed 5 civilians.")
    assert [(c["value"], c["unit"]) for c in found] == [(5, "civilians")]


def test_not_counts(nlp) -> None:
    body = (
        "In 2014, the war lasted 51 days. Five groups met on May 7, 2021 at 10:30 a.m. "
        "A 15-year-old boy, aged 15, read Resolution 242. Some 40% voted and $5 million "
        "was paid. The F-16 and COVID-19 were discussed in the first 100 days.\n\n"
        "1. Protesters gathered.\n\n2) Reporters left."
    )
    assert claims_of(nlp, body) == []


def test_year_before_a_count_noun_is_not_the_count(nlp) -> None:
    (claim,) = claims_of(nlp, "The 2014 war killed 2,200 Palestinians.")
    assert (claim["value"], claim["counts"]) == (2200, "killed")


def test_lexicon_rows_are_well_formed() -> None:
    rows = read_csv("count_nouns.csv")
    kinds = {"noun", "event", "pair", "toll", "report", "approx", "vague"}
    sources = {
        "acled", "ucdp-ged", "ocha-opt", "dod", "icrc-ihl", "idp-principles", "unhcr",
        "timeml", "presslens",
    }  # fmt: skip
    for row in rows:
        assert row["kind"] in kinds, row
        assert row["source"] in sources, row
    categories = {m.counts for m in lexicon().nouns.values()} | {
        m.counts for m in lexicon().events.values()
    }
    assert categories == {
        "killed", "wounded", "casualties", "detained", "abducted", "displaced", "missing",
        "destroyed", "projectiles", "strikes",
    }  # fmt: skip


# --- robustness --------------------------------------------------------------------------------

_WORDS = st.sampled_from(
    [
        "1,000", "600", "2014", "1.5", "million", "two", "hundred", "and", "twenty", "-",
        "five", "dozens", "of", "hundreds", "thousands", "a", "dozen", "over", "nearly",
        "at", "least", "about", "killed", "wounded", "killing", "people", "Palestinians",
        "were", "the", "ministry", "said", "reported", "according", "to", "death", "toll",
        "rose", "others", "lives", "lost", "“", "”", ",", ".", "\n", "\n\n", "%", "$",
        "year", "old", "May", "7", "1.", "one", "of", "casualties", "left", "dead", "or",
        "more", "9/11", "F-16", "10:30", "Ω", "", "  ",
    ]
)  # fmt: skip


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(_WORDS, st.text(max_size=6)), max_size=40))
def test_never_raises_and_offsets_hold(nlp, words) -> None:
    body = " ".join(words)
    doc = nlp(body)
    for claim in find_claims(body, doc, find_quotes(body, doc)):
        assert body[claim["start"] : claim["end"]] == claim["text"]
        assert claim["start"] <= body.index(claim["value_text"], claim["start"]) < claim["end"]
        assert isinstance(claim["value"], int) and claim["value"] > 0
        lower, upper = claim["lower"], claim["upper"]
        assert (
            lower is None
            or upper is None
            or lower <= claim["value"] <= upper
            or (claim["approx"] == "vague")
        )
