"""Syndication detection on small hand-made texts: each kind of copy, origins and edits."""

from __future__ import annotations

import datetime

import numpy as np
from datasketch import MinHash
from hypothesis import given, settings
from hypothesis import strategies as st

from presslens.corpus.syndication import (
    SyndicationIndex,
    SynDoc,
    SynParams,
    minhash_values,
    syn_doc,
)
from presslens.model import Article, DateField, Field, Source

D = datetime.date
P1 = (
    "The central bank raised its main interest rate by half a point on Tuesday, citing "
    "inflation that has run above its target for more than a year."
)
P2 = (
    "Officials said further increases were possible if prices kept rising, and markets fell "
    "sharply on the news, with the main index down two percent by midday."
)
P3 = (
    'Analysts had expected a smaller move. "This is a clear signal," said one economist '
    "in London, who asked not to be named because of company policy."
)
P4 = (
    "Bond yields rose across the curve as traders priced in at least two more increases "
    "before the end of the year, according to figures from the exchange."
)
WIRE = "\n\n".join([P1, P2, P3, P4])
FILLER = [
    "The local football club won its third match in a row on Saturday after a late goal from "
    "its young striker sealed the result in front of a record crowd at the stadium.",
    "Weather forecasters expect heavy rain across the northern hills this weekend, with "
    "flooding possible in low valleys and several mountain roads likely to close for a day.",
    "A new museum of modern art opened its doors downtown, showing paintings and sculpture "
    "by artists from twelve countries in a converted railway warehouse by the river.",
    "The city council approved plans for a cycle lane along the harbour road, despite "
    "objections from shop owners who fear the loss of parking spaces for their customers.",
    "Tickets for the summer music festival sold out within an hour, organisers said, as "
    "fans queued overnight for the chance to see the headline bands on the main stage.",
]


def index(*docs: SynDoc) -> SyndicationIndex:
    idx = SyndicationIndex()
    for d in docs:
        idx.add(d)
    return idx


def link_of(idx: SyndicationIndex, copy: str):
    found = [lk for lk in idx.links() if lk.copy == copy]
    assert len(found) <= 1
    return found[0] if found else None


def test_exact_copy_folds_case_space_punctuation() -> None:
    copy = WIRE.upper().replace(",", " ,").replace("\n\n", "\n")
    idx = index(SynDoc("o", "Bank raises rates", WIRE, D(2024, 1, 2)), SynDoc("c", "X", copy, None))
    lk = link_of(idx, "c")
    assert lk is not None and lk.origin == "o" and lk.kind == "exact"
    assert lk.similarity == 1.0 and lk.edits["retitled"] and not lk.edits["trimmed"]
    assert idx.groups()[0].origin == "o" and idx.groups()[0].members == ["c"]


def test_near_copy_with_light_edits_and_added_paragraph() -> None:
    edited = WIRE.replace("Tuesday", "Wednesday").replace("smaller", "modest")
    edited += "\n\nAdditional reporting by the business desk team in the capital city office."
    idx = index(
        SynDoc("o", "Bank raises rates", WIRE, D(2024, 1, 2)),
        SynDoc("c", "Central bank lifts rates again", edited, D(2024, 1, 3)),
    )
    lk = link_of(idx, "c")
    assert lk is not None and lk.origin == "o" and lk.kind == "near"
    assert 0.6 <= lk.similarity < 1.0
    assert lk.edits["retitled"] is True
    assert lk.edits["paragraphs_added"] == 1
    assert lk.edits["trimmed"] is False and lk.edits["embedded"] is False


def test_trimmed_copy_is_contained_and_reports_missing_paragraphs() -> None:
    idx = index(
        SynDoc("o", "Bank raises rates", WIRE, D(2024, 1, 2)),
        SynDoc("c", "Bank raises rates", "\n\n".join([P1, P2]), D(2024, 1, 3)),
    )
    lk = link_of(idx, "c")
    assert lk is not None and lk.origin == "o" and lk.kind == "contained"
    assert lk.similarity < 0.6 and lk.containment == 1.0
    e = lk.edits
    assert e["trimmed"] and e["paragraphs_missing"] == 2 and not e["retitled"]
    assert 0.4 < e["kept"] < 0.6 and e["paragraphs_added"] == 0 and not e["embedded"]


def test_embedded_copy_inside_longer_page() -> None:
    page = "\n".join([*FILLER[:3], P1, P2, P3, P4, *FILLER[3:]])
    idx = index(
        SynDoc("o", "Bank raises rates", WIRE, D(2024, 1, 2)),
        SynDoc("page", "Morning briefing", page, D(2024, 1, 3)),
    )
    lk = link_of(idx, "page")
    assert lk is not None and lk.origin == "o" and lk.kind == "contained"
    assert lk.edits["embedded"] and lk.edits["kept"] == 1.0
    assert lk.edits["paragraphs_added"] == 5 and not lk.edits["trimmed"]


def test_embedded_page_arriving_first_is_still_linked() -> None:
    page = "\n".join([*FILLER[:3], P1, P2, P3, P4, *FILLER[3:]])
    idx = index(
        SynDoc("page", "Morning briefing", page, D(2024, 1, 3)),
        SynDoc("o", "Bank raises rates", WIRE, D(2024, 1, 2)),
    )
    lk = link_of(idx, "page")
    assert lk is not None and lk.origin == "o" and lk.edits["embedded"]
    assert link_of(idx, "o") is None


def test_unrelated_articles_and_shared_phrases_are_not_linked() -> None:
    docs = [SynDoc(f"f{i}", None, text, D(2024, 1, 1)) for i, text in enumerate(FILLER)]
    docs.append(SynDoc("w", None, WIRE, D(2024, 1, 1)))
    # one sentence of the wire inside an otherwise different story is not a copy
    other = (
        "Shares in the airline jumped after it reported record summer bookings and said fuel "
        "costs had eased, while its chief executive promised a bigger dividend next spring."
    )
    docs.append(SynDoc("q", None, "\n".join([P3, other]), D(2024, 1, 2)))
    idx = index(*docs)
    assert idx.links() == [] and idx.groups() == []


def test_template_report_with_new_figures_is_not_a_copy() -> None:
    a = (
        "The Federal Reserve entered the government securities market to arrange 2.5 billion "
        "dlrs of customer repurchase agreements, a Fed spokesman said. Dealers said Federal "
        "funds were trading at 6-1/16 pct when the Fed began its temporary supply of reserves."
    )
    b = a.replace("2.5", "1.75").replace("6-1/16", "7-3/8")
    idx = index(SynDoc("a", None, a, D(2024, 1, 1)), SynDoc("b", None, b, D(2024, 1, 2)))
    assert idx.links() == []


def test_origin_reassigned_when_earlier_dated_copy_arrives_later() -> None:
    idx = index(
        SynDoc("first", "Rates up", WIRE, D(2024, 1, 5)),
        SynDoc("trim", "Rates up", "\n".join([P1, P2, P3]), D(2024, 1, 6)),
    )
    assert link_of(idx, "trim").origin == "first"
    idx.add(SynDoc("early", "Bank raises rates", WIRE, D(2024, 1, 2)))
    assert link_of(idx, "first").origin == "early"
    assert link_of(idx, "trim").origin == "early"
    assert link_of(idx, "early") is None
    assert [(g.origin, g.members) for g in idx.groups()] == [("early", ["first", "trim"])]


def test_unknown_dates_come_last_and_ties_go_by_arrival() -> None:
    idx = index(
        SynDoc("nodate", None, WIRE, None),
        SynDoc("a", None, WIRE, D(2024, 1, 3)),
        SynDoc("b", None, WIRE, D(2024, 1, 3)),
    )
    assert {lk.copy: lk.origin for lk in idx.links()} == {"nodate": "a", "b": "a"}


def test_state_round_trip_gives_identical_later_results() -> None:
    first = [
        SynDoc("o", "Bank raises rates", WIRE, D(2024, 1, 2)),
        SynDoc("t", "Bank raises rates", "\n".join([P1, P2]), D(2024, 1, 3)),
        SynDoc("f0", None, FILLER[0], None),
    ]
    later = [
        SynDoc("page", "Briefing", "\n".join([*FILLER[1:5], WIRE]), D(2024, 1, 4)),
        SynDoc("early", "Rates", WIRE.replace("Tuesday", "Monday"), D(2024, 1, 1)),
    ]
    a = index(*first)
    state = a.to_state()
    assert isinstance(state, bytes)
    b = SyndicationIndex.from_state(state)
    assert b.params == a.params and len(b) == len(a) and b.links() == a.links()
    assert np.array_equal(np.stack(b._sigs), np.stack(a._sigs))
    for d in later:
        a.add(d)
        b.add(d)
    assert a.links() == b.links() and a.groups() == b.groups()
    assert link_of(b, "page").origin == "early" and link_of(b, "page").edits["embedded"]


def test_minhash_matches_datasketch() -> None:
    shingles = np.array([0, 1, 7, 123456789, 2**32 - 1], dtype=np.uint32)
    m = MinHash(num_perm=128, seed=1, hashfunc=lambda x: x)
    m.update_batch(shingles.tolist())
    assert np.array_equal(minhash_values(shingles, m.permutations), m.hashvalues)


def test_syn_doc_from_article() -> None:
    art = Article(source=Source("text", path="x.txt"), raw="raw page", body=WIRE)
    art.title = Field(value="Bank raises rates")
    art.published = DateField(value="2024-01-02", precision="day", status="exact")
    doc = syn_doc(art)
    assert doc.id == art.id and doc.title == "Bank raises rates" and doc.body == WIRE
    assert doc.published == D(2024, 1, 2)
    art.published = DateField(value=D(2024, 1, 3), precision="day", status="exact")
    assert syn_doc(art).published == D(2024, 1, 3)
    art.published = DateField(value="2024-01", precision="month", status="exact")
    assert syn_doc(art).published is None


def test_adding_the_same_id_twice_is_ignored() -> None:
    idx = index(SynDoc("o", None, WIRE, None), SynDoc("o", None, WIRE, None))
    assert len(idx) == 1 and idx.links() == []


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.text(max_size=300), st.one_of(st.none(), st.dates())),
        max_size=6,
    )
)
def test_add_never_raises_on_arbitrary_text(items: list) -> None:
    idx = SyndicationIndex(SynParams(min_tokens=1))
    for n, (body, date) in enumerate(items):
        idx.add(SynDoc(str(n), body or None, body, date))
        idx.add(SynDoc(f"dup{n}", None, body + " " + body, date))
    idx.add(SynDoc("empty", None, "", None))
    for lk in idx.links():
        assert lk.copy != lk.origin and 0.0 <= lk.similarity <= 1.0
    SyndicationIndex.from_state(idx.to_state())
