"""Named entities on CoNLL-2003 English: bare spaCy against spaCy + the actor layer.

Each CoNLL document (split at -DOCSTART-) becomes one text: tokens joined by spaces, one
sentence a line, with a character offset per gold token. The shared spaCy model parses it;
entities are scored exact-match, conlleval-style (precision, recall and F1 over entity
spans, overall and per type). Predicted spans are snapped outwards to gold token bounds.

Label mapping (spaCy OntoNotes -> CoNLL): PERSON -> PER; ORG -> ORG; GPE, LOC, FAC -> LOC;
NORP, EVENT, WORK_OF_ART, LAW, LANGUAGE, PRODUCT -> MISC; DATE, TIME, CARDINAL, ORDINAL,
QUANTITY, MONEY, PERCENT are dropped (CoNLL does not annotate them).

Systems:
  (a)  spacy          doc.ents as they are;
  (a') spacy_trimmed  the same with a leading article and trailing possessive cut (what the
                      actor layer does to every name), so (b) - (a') is what grouping adds;
  (b)  actors         the name mentions of presslens.actors.find_actors (forms name, surname,
                      title_name: the name part without titles; demonyms as MISC), each
                      labelled with its actor's type: one label per actor per document, so a
                      surname spaCy calls ORG once but that belongs to a PERSON becomes PER.
                      Names nested in another name are left out (CoNLL is flat).
The actor layer was tuned on the dev split (eng.testa) only.
Usage: python bench/ner.py [--data DIR] [--limit N] [--split dev|test]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"
SET = Path("nlp") / "conll2003"
FILES = {"dev": "eng.testa", "test": "eng.testb"}
LABELS = {
    "PERSON": "PER",
    "ORG": "ORG",
    "GPE": "LOC",
    "LOC": "LOC",
    "FAC": "LOC",
    "NORP": "MISC",
    "EVENT": "MISC",
    "WORK_OF_ART": "MISC",
    "LAW": "MISC",
    "LANGUAGE": "MISC",
    "PRODUCT": "MISC",
    "GROUP": "MISC",
}
TYPES = ("PER", "ORG", "LOC", "MISC")

Span = tuple[int, int, str]  # first token, last token + 1, CoNLL type


class Document:
    """One CoNLL document as text, with each gold token's character offsets."""

    def __init__(self, sentences: list[list[tuple[str, str]]]) -> None:
        parts: list[str] = []
        self.offsets: list[tuple[int, int]] = []
        self.gold: set[Span] = set()
        pos = 0
        for sent in sentences:
            first = len(self.offsets)
            self.gold |= {(a + first, b + first, k) for a, b, k in iob1_spans([t for _, t in sent])}
            for n, (word, _) in enumerate(sent):
                if n:
                    parts.append(" ")
                    pos += 1
                self.offsets.append((pos, pos + len(word)))
                parts.append(word)
                pos += len(word)
            parts.append("\n")
            pos += 1
        self.text = "".join(parts)

    def snap(self, start: int, end: int) -> tuple[int, int] | None:
        """Gold tokens covering body span start..end (None if it covers none)."""
        first = next((i for i, (s, e) in enumerate(self.offsets) if e > start), None)
        if first is None:
            return None
        last = first
        while last + 1 < len(self.offsets) and self.offsets[last + 1][0] < end:
            last += 1
        if self.offsets[first][0] >= end:
            return None
        return first, last + 1


def iob1_spans(tags: list[str]) -> set[Span]:
    """Entity spans of IOB1 tags (I-X continues an entity of type X; B-X starts a new one)."""
    spans: set[Span] = set()
    start, kind = None, None
    for i, tag in enumerate([*tags, "O"]):
        prefix, _, typ = tag.partition("-")
        continues = prefix == "I" and typ == kind
        if start is not None and not continues:
            spans.add((start, i, kind or ""))
            start, kind = None, None
        if prefix in ("B", "I") and not continues:
            start, kind = i, typ
    return spans


def load(data: Path, split: str, limit: int | None) -> list[Document]:
    path = data / SET / FILES[split]
    if not path.is_file():
        sys.exit(f"CoNLL-2003 not found at {path} (pass --data DIR; see {SET}/MANIFEST.md)")
    docs: list[list[list[tuple[str, str]]]] = [[]]  # this copy's first document has no header
    sent: list[tuple[str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        fields = line.split()
        if not fields:
            if sent:
                docs[-1].append(sent)
            sent = []
            continue
        if fields[0] == "-DOCSTART-":
            docs.append([])
            continue
        sent.append((fields[0], fields[-1]))
    if sent:
        docs[-1].append(sent)
    return [Document(d) for d in [d for d in docs if d][:limit]]


def spacy_spans(doc: Document, parsed: Any, trimmed: bool) -> set[Span]:
    from presslens.actors.mentions import chars, clean_entity

    out: set[Span] = set()
    for ent in parsed.ents:
        label = LABELS.get(ent.label_)
        if label is None:
            continue
        start, end = ent.start_char, ent.end_char
        if trimmed:
            cleaned = clean_entity(ent)
            if cleaned is None:
                continue
            start, end = chars(parsed, *cleaned)
        snapped = doc.snap(start, end)
        if snapped is not None:
            out.add((*snapped, label))
    return out


def actor_spans(doc: Document, actors: list[dict[str, Any]]) -> set[Span]:
    from presslens.actors import NAME_FORMS, name_span

    out: set[Span] = set()
    for actor in actors:
        label = LABELS.get(actor["type"])
        for m in actor["mentions"]:
            if m["form"] == "demonym":
                kind = "MISC"
            elif m["form"] in NAME_FORMS and label is not None:
                kind = label
            else:
                continue
            snapped = doc.snap(*name_span(m))
            if snapped is not None:
                out.add((*snapped, kind))
    # CoNLL is flat: a name nested in another ("U.S." in "U.S. Open") is not an entity there
    return {s for s in out if not any(o != s and o[0] <= s[0] and s[1] <= o[1] for o in out)}


def score(gold: list[set[Span]], pred: list[set[Span]]) -> dict[str, Any]:
    counts: dict[str, Counter[str]] = {t: Counter() for t in ("ALL", *TYPES)}
    for g, p in zip(gold, pred, strict=True):
        for kind in ("ALL", *TYPES):
            gk = {s for s in g if kind in ("ALL", s[2])}
            pk = {s for s in p if kind in ("ALL", s[2])}
            counts[kind]["gold"] += len(gk)
            counts[kind]["pred"] += len(pk)
            counts[kind]["correct"] += len(gk & pk)
    out: dict[str, Any] = {}
    for kind, c in counts.items():
        p = c["correct"] / c["pred"] if c["pred"] else 0.0
        r = c["correct"] / c["gold"] if c["gold"] else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        out[kind] = {"P": round(p, 4), "R": round(r, 4), "F1": round(f, 4), **c}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=None, help="documents")
    parser.add_argument("--split", choices=sorted(FILES), default="test")
    args = parser.parse_args()
    docs = load(args.data, args.split, args.limit)

    from presslens.actors import find_actors
    from presslens.nlp import load_model

    nlp = load_model()
    gold, bare, trimmed, layered = [], [], [], []
    parse_s = actors_s = 0.0
    for doc in docs:
        t0 = time.perf_counter()
        parsed = nlp(doc.text)
        t1 = time.perf_counter()
        actors, _ = find_actors(doc.text, parsed)
        t2 = time.perf_counter()
        parse_s += t1 - t0
        actors_s += t2 - t1
        gold.append(doc.gold)
        bare.append(spacy_spans(doc, parsed, trimmed=False))
        trimmed.append(spacy_spans(doc, parsed, trimmed=True))
        layered.append(actor_spans(doc, actors))

    tokens = sum(len(d.offsets) for d in docs)
    print(f"CoNLL-2003 {FILES[args.split]} ({args.split}): {len(docs)} documents, {tokens} tokens")
    summary: dict[str, Any] = {"split": args.split, "documents": len(docs), "tokens": tokens}
    heads = ("system", "P", "R", "F1", *(f"F1 {t}" for t in TYPES))
    print(f"{heads[0]:16}" + "".join(f"{h:>9}" for h in heads[1:]))
    for name, pred in (("spacy", bare), ("spacy_trimmed", trimmed), ("actors", layered)):
        s = score(gold, pred)
        summary[name] = s
        row = [s["ALL"]["P"], s["ALL"]["R"], s["ALL"]["F1"], *(s[t]["F1"] for t in TYPES)]
        print(f"{name:16}" + "".join(f"{v:9.4f}" for v in row))
    delta = summary["actors"]["ALL"]["F1"] - summary["spacy"]["ALL"]["F1"]
    summary["actors_minus_spacy_F1"] = round(delta, 4)
    summary["parse_ms_per_doc"] = round(1000 * parse_s / len(docs), 2) if docs else None
    summary["actors_ms_per_doc"] = round(1000 * actors_s / len(docs), 2) if docs else None
    summary["actors_over_parse"] = round(actors_s / parse_s, 4) if parse_s else None
    print(
        f"F1 actors - spacy: {delta:+.4f}; parse {summary['parse_ms_per_doc']} ms/doc, "
        f"actors {summary['actors_ms_per_doc']} ms/doc ({summary['actors_over_parse']:.2%})"
    )
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
