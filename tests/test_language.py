"""The language stage end to end: seeds through the pipeline, checked against gold.json.

Unlike tests/test_quotes.py, which checks speaker *spans*, these check the composed output a
user reads: every quote's speaker carries the id of one canonical actor, and that actor's
name is gold's.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from presslens.model import Article

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def articles(seed_articles: dict[str, Article]) -> dict[str, Article]:
    return seed_articles


def _speaker_name(article: Article, quote: dict) -> str | None:
    speaker = quote["speaker"]
    if speaker is None or "actor" not in speaker:
        return None
    names = {a["id"]: a["name"] for a in article.actors}
    return names[speaker["actor"]]


def _same_actor(name: str | None, gold_name: str) -> bool:
    """Exact canonical name; a group speaker such as "Palestinian groups (letters)" matches
    an actor named by any of its words."""
    if name is None:
        return False
    if "(" not in gold_name:
        return name == gold_name
    words = {w.lower() for w in re.findall(r"\w+", gold_name)}
    return bool(words & {w.lower() for w in re.findall(r"\w+", name)})


def test_direct_quotes_have_the_gold_actor_as_speaker(articles, gold) -> None:
    right = 0
    for name, g in gold["articles"].items():
        article = articles[name]
        for want in g["direct_quotes"]:
            (quote,) = [q for q in article.quotes if q["text"].startswith(want["text_starts"])]
            assert quote["kind"] == "direct"
            assert quote["cue"]["text"] == want["cue"]
            got = _speaker_name(article, quote)
            assert _same_actor(got, want["speaker"]), (name, want["text_starts"], got)
            right += 1
    assert right == 8


def test_partial_quotes_have_the_gold_actor_as_speaker(articles, gold) -> None:
    for name, g in gold["articles"].items():
        article = articles[name]
        for want in g["partial_quotes"]:
            hits = [q for q in article.quotes if q["text"].strip(" ,.") == want["text"]]
            assert hits and hits[0]["kind"] == "partial", (name, want)
            assert _speaker_name(article, hits[0]) == want["speaker"], (name, hits[0])


def test_pronoun_speaker_is_a_mention_of_its_actor(articles) -> None:
    pronouns = 0
    for article in articles.values():
        ids = {a["id"]: a for a in article.actors}
        for quote in article.quotes:
            speaker = quote["speaker"]
            if speaker and "refers_to" in speaker:
                pronouns += 1
                mentions = ids[speaker["actor"]]["mentions"]
                assert any(m["start"] == speaker["start"] for m in mentions), speaker
    assert pronouns >= 3  # "he noted", "he added", "He lashed out" … in the seeds


def test_every_span_points_into_the_body(articles) -> None:
    for article in articles.values():
        body = article.body
        spans = [*article.quotes, *article.claims, *article.times, *article.designations]
        spans += [m for a in article.actors for m in a["mentions"]]
        spans += [q[k] for q in article.quotes for k in ("speaker", "cue") if q[k]]
        spans += [c["source"] for c in article.claims if c.get("source")]
        for span in spans:
            assert body[span["start"] : span["end"]] == span["text"], span
            assert article.to_raw(span["start"]) is not None


def test_claims_sources_link_to_actors(articles, gold) -> None:
    article = articles["002_c65011fe04bd125a.txt"]
    names = {a["id"]: a["name"] for a in article.actors}
    (lost,) = [c for c in article.claims if c["text"] == "over 600 lives lost"]
    assert names.get(lost["source"].get("actor")) == "Israel"


def test_time_resolved_against_publication_date(articles) -> None:
    article = articles["001_99995a77091a4f2e.txt"]
    assert article.published.value == "2024-03-29"
    friday = [t for t in article.times if t["text"].lower().endswith("friday")]
    assert friday and all(t["value"] == "2024-03-29" for t in friday), friday


def test_cli_json_and_markdown_show_the_findings(seeds_dir: Path, tmp_path: Path) -> None:
    page = seeds_dir / "004_1d8038a1fe6f818a.txt"
    cmd = [sys.executable, "-m", "presslens", "analyze", str(page), "--quiet"]
    out = subprocess.run([*cmd, "--format", "json"], capture_output=True, text=True, check=True)
    (record,) = json.loads(out.stdout)
    assert record["quotes"] and record["actors"] and record["designations"]
    assert any(q["speaker"] and q["speaker"].get("actor") for q in record["quotes"])
    md = subprocess.run([*cmd, "--format", "md"], capture_output=True, text=True, check=True)
    for heading in ("### Actors", "### Quotes", "### Designations"):
        assert heading in md.stdout
    assert "Saeed Khatibzadeh" in md.stdout and "tweeted" in md.stdout
    assert f"attribution {record['models']['attribution']}" in md.stdout


def test_records_name_the_models_that_read_them(articles, monkeypatch) -> None:
    """Each record says which spaCy pipeline, attribution tagger and technique model read
    it, as chosen for this run (PRESSLENS_*_MODEL or the installed packages)."""
    from presslens import language
    from presslens.framing import techniques
    from presslens.nlp import DEFAULT_MODEL
    from presslens.quotes import tagger

    expected = {
        "spacy": f"{DEFAULT_MODEL} 3.8.0",
        "attribution": tagger.default_variant(),
        "techniques": techniques.default_variant(),
    }
    assert all(a.models == expected for a in articles.values())
    monkeypatch.setenv(tagger.MODEL_ENV, "parse")
    assert language.models_used(framing=False) == {
        "spacy": expected["spacy"],
        "attribution": "parse",
    }


def test_cli_no_language_and_unknown_model(seeds_dir: Path) -> None:
    page = str(seeds_dir / "004_1d8038a1fe6f818a.txt")
    base = [sys.executable, "-m", "presslens", "analyze", page, "--quiet"]
    out = subprocess.run([*base, "--no-language"], capture_output=True, text=True, check=True)
    (record,) = json.loads(out.stdout)
    assert record["quotes"] == [] and record["actors"] == [] and record["body"]
    assert record["models"] == {}  # nothing read it but the cleaner
    bad = subprocess.run([*base, "--model", "no_such_model_xx"], capture_output=True, text=True)
    assert bad.returncode == 2
    assert "no_such_model_xx" in bad.stderr and "Traceback" not in bad.stderr
