"""Actors: canonical actors, roles, designations and name keys, on the seeds and on made-up text."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from presslens.actors import actor_at, actor_key, find_actors, name_span
from presslens.actors.aliases import rows
from presslens.model import Article, RawPage, Source
from presslens.nlp import load_model
from presslens.pipeline import analyze
from presslens.resources import read_csv

Seeds = dict[str, tuple[str, list[dict[str, Any]], list[dict[str, Any]]]]


@pytest.fixture(scope="module")
def nlp():
    return load_model()


@pytest.fixture(scope="module")
def seeds(seeds_dir: Path, nlp) -> Seeds:
    """name -> (body, actors, designations), bodies read the way the pipeline reads them."""
    pages = [
        RawPage(Source("text", path=str(p)), p.read_text(encoding="utf-8"))
        for p in sorted(seeds_dir.glob("*.txt"))
    ]
    out: Seeds = {}
    for page, article in zip(pages, analyze(pages), strict=True):
        assert isinstance(article, Article), article
        actors, designations = find_actors(article.body, nlp(article.body))
        out[Path(page.source.path).name] = (article.body, actors, designations)
    return out


def _occurrences(body: str, phrase: str) -> list[tuple[int, int]]:
    pattern = rf"(?<![\w\-]){re.escape(phrase)}(?!\w)"
    return [(m.start(), m.end()) for m in re.finditer(pattern, body, re.IGNORECASE)]


def _by_id(actors: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {a["id"]: a for a in actors}


def test_gold_aliases_resolve_to_their_actor(seeds: Seeds, gold) -> None:
    """Every occurrence of a gold alias is a mention of the actor named by the canonical.

    The occurrence is looked up with ``actor_at``: an exact mention, else the smallest one
    covering it ("Khamenei" inside "Ayatollah Seyed Ali Khamenei"), else the one overlapping
    most ("the US" where the name mention is "US")."""
    for canonical, alias_list in gold["aliases"].items():
        for alias in alias_list:
            seen = 0
            for name, (body, actors, _) in seeds.items():
                for start, end in _occurrences(body, alias):
                    seen += 1
                    found = actor_at(actors, start, end)
                    assert found is not None, (name, alias)
                    got = _by_id(actors)[found]["name"]
                    assert got.casefold() == canonical.casefold(), (name, alias, got)
            assert seen, f"gold alias {alias!r} not in any seed body"


def test_gold_aliases_are_covered_by_their_actor(seeds: Seeds, gold) -> None:
    """Descriptions and designations are mentions in their own right, not just neighbours of
    a name: every character of each alias occurrence (a leading "the" aside) lies in some
    mention of the canonical actor ("Iranian Foreign Minister" + "Hossein Amir Abdollahian")."""
    for canonical, alias_list in gold["aliases"].items():
        for alias in alias_list:
            for name, (body, actors, _) in seeds.items():
                mentions = [
                    (m["start"], m["end"])
                    for a in actors
                    if a["name"].casefold() == canonical.casefold()
                    for m in a["mentions"]
                ]
                for start, end in _occurrences(body, alias):
                    if body[start : start + 4].casefold() == "the ":
                        start += 4
                    missing = [
                        body[k]
                        for k in range(start, end)
                        if not body[k].isspace() and not any(s <= k < e for s, e in mentions)
                    ]
                    assert not missing, (name, alias, "".join(missing))


def test_gold_designations(seeds: Seeds, gold) -> None:
    for want in gold["designations"]:
        places = [
            (name, body.find(want["context"]))
            for name, (body, _, _) in seeds.items()
            if want["context"] in body
        ]
        assert places, want
        for name, at in places:
            offset = want["context"].find(want["term"])
            start, end = at + offset, at + offset + len(want["term"])
            designations = seeds[name][2]
            match = [
                d
                for d in designations
                if d["start"] < end
                and start < d["end"]
                and d["refers_to"] == want["refers_to"]
                and d["class"] == want["class"]
            ]
            assert match, (name, want, [d for d in designations if d["start"] < end])


def test_titles_are_roles_not_names(seeds: Seeds) -> None:
    people = {a["name"]: a for _, actors, _ in seeds.values() for a in actors}
    baqeri = people["Mohammad Hossein Baqeri"]
    assert baqeri["type"] == "PERSON"
    assert "Chief of Staff of the Iranian Armed Forces" in baqeri["roles"]
    assert "Major General" in baqeri["roles"]
    assert "Iranian Foreign Minister" in people["Hossein Amir Abdollahian"]["roles"]
    assert "Ayatollah" in people["Ali Khamenei"]["roles"]
    khatibzadeh = people["Saeed Khatibzadeh"]  # spaCy calls him ORG twice, PERSON once
    assert khatibzadeh["type"] == "PERSON"
    assert any("spokesperson" in r for r in khatibzadeh["roles"])
    for name in people:
        assert not re.match(r"(Major|General|Ayatollah|President|Seyy?ed)\b", name), name


def test_one_actor_per_person_per_article(seeds: Seeds) -> None:
    for name, (_, actors, _) in seeds.items():
        keys = [a["key"] for a in actors if a["type"] == "PERSON"]
        assert len(keys) == len(set(keys)), (name, keys)
        names = [a["name"] for a in actors]
        assert len(names) == len(set(names)), (name, names)


def test_records_point_into_the_body(seeds: Seeds) -> None:
    for body, actors, designations in seeds.values():
        json.dumps([actors, designations])
        assert [a["id"] for a in actors] == [f"a{n}" for n in range(1, len(actors) + 1)]
        for actor in actors:
            assert actor["key"] == actor_key(actor["name"], actor["type"])
            for m in actor["mentions"]:
                assert body[m["start"] : m["end"]] == m["text"]
                s, e = name_span(m)
                assert m["start"] <= s < e <= m["end"]
        for d in designations:
            assert body[d["start"] : d["end"]] == d["text"]
            assert d["class"] in ("neutral", "pejorative", "honorific", "euphemistic")


def test_speakers_become_mentions(seeds: Seeds, nlp) -> None:
    """Speaker spans of every sort end up as mentions: descriptions, a resolved pronoun, a
    group, and a document speaking for its authors."""
    body = seeds["003_34291fd827fe937f.txt"][0]

    def span(text: str, after: int = 0) -> tuple[int, int]:
        start = body.index(text, after)
        return start, start + len(text)

    groups = span("five Palestinian groups")
    the_groups = span("The groups")
    letters = span("the letters", body.index("“This unflinching"))
    part = span("part of one of the letters")
    he = span("He also underlined")
    he = (he[0], he[0] + 2)
    khamenei = span("Ayatollah Khamenei touched")
    khamenei = (khamenei[0], khamenei[0] + len("Ayatollah Khamenei"))
    speakers = [groups, the_groups, letters, part, (*he, *khamenei)]
    actors, _ = find_actors(body, nlp(body), speakers)
    by_id = _by_id(actors)
    owners = {}
    for s in speakers:
        found = actor_at(actors, s[0], s[1])
        assert found is not None, s
        assert any((m["start"], m["end"]) == (s[0], s[1]) for m in by_id[found]["mentions"]), s
        owners[s[:2]] = by_id[found]
    assert owners[groups]["type"] == "GROUP"
    assert owners[groups]["name"] == "Palestinian groups"
    assert owners[the_groups]["id"] == owners[groups]["id"]
    assert owners[letters]["id"] == owners[groups]["id"]  # "in separate letters"
    assert owners[part]["id"] == owners[groups]["id"]
    assert owners[he]["name"] == "Ali Khamenei"
    pronoun = [m for m in owners[he]["mentions"] if m["start"] == he[0]]
    assert pronoun[0]["form"] == "pronoun"


def test_speaker_with_no_actor_gets_a_new_one(nlp) -> None:
    body = "Residents of the town said the water was gone. The witnesses said it happened at night."
    start = body.index("The witnesses")
    actors, _ = find_actors(body, nlp(body), [(start, start + len("The witnesses"))])
    found = actor_at(actors, start, start + len("The witnesses"))
    assert found is not None
    assert _by_id(actors)[found]["type"] == "GROUP"


def test_role_description_links_to_compatible_person(nlp) -> None:
    body = (
        "Foreign Minister Anna Berg met General Tomas Lind on Monday. "
        "The general said the talks went well. The minister said nothing."
    )
    actors, _ = find_actors(body, nlp(body))
    general = actor_at(actors, *_occurrences(body, "The general")[0])
    minister = actor_at(actors, *_occurrences(body, "The minister")[0])
    by_id = _by_id(actors)
    assert general is not None and by_id[general]["name"] == "Tomas Lind"
    assert minister is not None and by_id[minister]["name"] == "Anna Berg"


def _designated(text: str, nlp) -> dict[str, str]:
    _, designations = find_actors(text, nlp(text))
    return {d["term"]: d["refers_to"] for d in designations}


def test_leader_needs_an_iranian_context(nlp) -> None:
    iran = _designated("Iran's government said the Leader praised the troops.", nlp)
    assert iran.get("Leader") == "Ali Khamenei"
    elsewhere = _designated("The party said the Leader praised the troops.", nlp)
    assert "Leader" not in elsewhere
    other = _designated("Iran hosted Hezbollah Leader Hassan Nasrallah in Tehran.", nlp)
    assert "Leader" not in other


def test_capital_stands_for_its_government_only_as_subject(nlp) -> None:
    as_subject = _designated("Moscow rejected the proposal on Monday.", nlp)
    assert as_subject.get("Moscow") == "Russia"
    as_place = "The talks were held in Moscow on Monday."
    assert "Moscow" not in _designated(as_place, nlp)
    actors, _ = find_actors(as_place, nlp(as_place))
    assert any(a["name"] == "Moscow" and a["type"] == "GPE" for a in actors)


def test_same_pejoratives_for_every_side() -> None:
    """The table carries pejoratives about several sides, each row with a source."""
    table = read_csv("aliases.csv")
    pejorative_targets = {r["canonical"] for r in table if r["class"] == "pejorative"}
    for side in ("Israel", "Iran", "United States", "Russia", "Ukraine", "China", "Hamas"):
        assert side in pejorative_targets, side
    for row in table:
        assert row["source"].strip(), row
        assert row["class"] in ("neutral", "pejorative", "honorific", "euphemistic"), row
    assert rows()  # loads


def test_actor_key() -> None:
    baqeri = actor_key("Mohammad Hossein Baqeri")
    assert baqeri == actor_key("Mohammad Hossein Bagheri")
    assert baqeri == actor_key("Major General Mohammad Bagheri")
    assert baqeri == actor_key("Muhammad Baqeri")
    khamenei = actor_key("Ali Khamenei")
    for variant in (
        "Seyed Ali Khamenei",
        "Seyyed Ali Khamenei",
        "Sayyid Ali Khamenei",
        "Ayatollah Seyyed Ali Khamenei",
    ):
        assert actor_key(variant) == khamenei, variant
    assert khamenei != actor_key("Mojtaba Khamenei")
    assert actor_key("Ebrahim Raisi") != actor_key("Hassan Rouhani")
    assert actor_key("Ziyad al Nakhalah") == actor_key("Ziad al-Nakhaleh")
    assert actor_key("the United States", "GPE") == actor_key("United States", "GPE")


def test_actor_at_prefers_exact_then_smallest() -> None:
    actors = [
        {"id": "a1", "mentions": [{"start": 0, "end": 20}]},
        {"id": "a2", "mentions": [{"start": 5, "end": 10}]},
    ]
    assert actor_at(actors, 0, 20) == "a1"
    assert actor_at(actors, 6, 8) == "a2"
    assert actor_at(actors, 12, 30) == "a1"
    assert actor_at(actors, 40, 50) is None


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.sampled_from(
            [
                "Major General",
                "Baqeri",
                "said",
                "the",
                "Leader",
                "Zionist regime",
                "Tehran",
                "“",
                "”",
                ",",
                ".",
                "\n\n",
                "Iran’s",
                "spokesman",
                "Ali",
                "he",
                "US",
                "al-Quds",
                "of",
                "Mr.",
                "’s",
                "Hamas",
                "-",
                "letters",
                "groups",
                "Seyyed",
            ]
        )
        | st.text(max_size=8),
        max_size=30,
    ),
    st.lists(st.tuples(st.integers(0, 200), st.integers(0, 200)), max_size=4),
)
def test_any_text_gives_consistent_records(words, spans) -> None:
    nlp = load_model()
    body = " ".join(words)
    speakers = [(min(a, b), max(a, b)) for a, b in spans if min(a, b) < max(a, b) <= len(body)]
    actors, designations = find_actors(body, nlp(body), speakers)
    json.dumps([actors, designations])
    for actor in actors:
        assert actor["mentions"]
        for m in actor["mentions"]:
            assert body[m["start"] : m["end"]] == m["text"]
    for d in designations:
        assert body[d["start"] : d["end"]] == d["text"]


def test_user_alias_rows_are_added_and_win(tmp_path, monkeypatch) -> None:
    """A user's $PRESSLENS_LEXICON_DIR/aliases.csv adds designations without touching code."""
    from presslens.nlp import load_model

    body = "The Blorgian junta rejected the talks, said Zionist regime officials."
    doc = load_model()(body)
    monkeypatch.setenv("PRESSLENS_LEXICON_DIR", str(tmp_path))
    assert not [d for d in find_actors(body, doc)[1] if d["refers_to"] == "Blorgia"]
    (tmp_path / "aliases.csv").write_text(
        "# my rows\nterm,canonical,type,class,context,source\n"
        "Blorgian junta,Blorgia,GPE,pejorative,,my notes\n"
        "Zionist regime,Israel,GPE,neutral,,my reading\n",
        encoding="utf-8",
    )
    designations = find_actors(body, doc)[1]
    (blorgia,) = [d for d in designations if d["refers_to"] == "Blorgia"]
    assert (blorgia["text"], blorgia["class"]) == ("Blorgian junta", "pejorative")
    (zionist,) = [d for d in designations if d["term"] == "Zionist regime"]
    assert zionist["class"] == "neutral"  # the user's row comes first
