"""Time expressions on TempEval-3: presslens against dateparser alone, DATE timexes.

Data: ``nlp/tempeval3`` (TimeML). Each document's DCT (its creation-time TIMEX3) is the
anchor. Scored: TIMEX3 of type DATE. "test" is the TE3 platinum set
(Evaluation/te3-platinum-normalized, 20 documents); "train" is TimeBank + AQUAINT
(Training/TBAQ-cleaned, 256 documents). The rules of presslens.times were tuned on the
training set only; the platinum set was never read while writing them.

(a) Value accuracy given the gold extent: each gold DATE's text is read by the system;
    accuracy = exact TIMEX3 value matches / gold DATE count.
    presslens: ``resolve_span`` on the extent inside the parsed document (so the tense of
    its verb is known, as in the full pipeline).
    dateparser: ``DateDataParser(languages=["en"], settings={"RELATIVE_BASE": dct,
    "PREFER_DATES_FROM": "past"}).get_date_data(text)`` -- the same parser
    ``dateparser.parse`` runs, which also reports the period it read. The date is written
    at that period: day -> YYYY-MM-DD, week -> YYYY-Www (ISO week), month -> YYYY-MM,
    year -> YYYY, time -> YYYY-MM-DD (a DATE timex is at most a day). No value: wrong.
(b) End to end on the full documents: detection by extent overlap (one-to-one, in text
    order), precision/recall/F1 against gold DATEs, and value accuracy over the matched
    pairs; value P/R/F1 count a detection right only with the right value.
    presslens: ``find_times`` on the spaCy parse of the TEXT element; its durations, sets
    and clock times are not DATE claims and are left out. dateparser:
    ``dateparser.search.search_dates`` with the same settings; each found string is placed
    at its next occurrence in the text and valued as in (a). For both, a detection that
    overlaps a gold timex of another type (DURATION, TIME, SET) counts neither way.

Usage: python bench/time.py [--data DIR] [--limit N] [--split train|test|both]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
import warnings
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"
SET = Path("nlp") / "tempeval3"
SPLITS = {
    "test": ["Evaluation/te3-platinum-normalized"],
    "train": ["Training/TBAQ-cleaned/TimeBank", "Training/TBAQ-cleaned/AQUAINT"],
}
NON_DATE_GRANULARITY = frozenset({"duration", "set", "time"})


@dataclass
class Timex:
    start: int
    end: int
    text: str
    type: str
    value: str


@dataclass
class Document:
    name: str
    dct: date
    text: str
    timexes: list[Timex] = field(default_factory=list)


def _walk(el: ET.Element, parts: list[str], timexes: list[Timex], offset: list[int]) -> None:
    if el.text:
        parts.append(el.text)
        offset[0] += len(el.text)
    for child in el:
        start = offset[0]
        _walk(child, parts, timexes, offset)
        if child.tag == "TIMEX3":
            text = "".join(parts)[start : offset[0]]
            timexes.append(
                Timex(start, offset[0], text, child.get("type", ""), child.get("value", ""))
            )
        if child.tail:
            parts.append(child.tail)
            offset[0] += len(child.tail)


def load(path: Path) -> Document:
    root = ET.parse(path).getroot()
    dct_el = next(t for t in root.iter("TIMEX3") if t.get("functionInDocument") == "CREATION_TIME")
    dct = date.fromisoformat(dct_el.get("value", "")[:10])
    text_el = root.find("TEXT")
    if text_el is None:
        raise ValueError(f"{path}: no TEXT element")
    parts: list[str] = []
    timexes: list[Timex] = []
    _walk(text_el, parts, timexes, [0])
    return Document(path.name, dct, "".join(parts), timexes)


def load_split(data: Path, split: str, limit: int | None) -> list[Document]:
    root = data / SET
    if not (root / "MANIFEST.md").is_file():
        sys.exit(f"TempEval-3 data not found at {root} (pass --data DIR)")
    files = sorted(f for d in SPLITS[split] for f in (root / d).glob("*.tml"))
    if not files:
        sys.exit(f"no .tml files for split {split!r} under {root}")
    return [load(f) for f in files[:limit]]


# --- dateparser ---------------------------------------------------------------------


def _dp_format(d: datetime | None, period: str | None) -> str | None:
    if d is None:
        return None
    if period == "week":
        y, w, _ = d.isocalendar()
        return f"{y:04d}-W{w:02d}"
    if period == "month":
        return f"{d.year:04d}-{d.month:02d}"
    if period == "year":
        return f"{d.year:04d}"
    return d.date().isoformat()


class DateparserRunner:
    def __init__(self) -> None:
        from dateparser.date import DateDataParser

        self._ddp = DateDataParser
        self._parsers: dict[date, Any] = {}

    def settings(self, dct: date) -> dict[str, Any]:
        return {
            "RELATIVE_BASE": datetime(dct.year, dct.month, dct.day),
            "PREFER_DATES_FROM": "past",
        }

    def value(self, text: str, dct: date) -> str | None:
        parser = self._parsers.get(dct)
        if parser is None:
            parser = self._parsers[dct] = self._ddp(languages=["en"], settings=self.settings(dct))
        try:
            data = parser.get_date_data(text)
        except Exception:  # a parser crash is a miss, not a bench failure
            return None
        return _dp_format(data.date_obj, data.period)

    def search(self, doc: Document) -> list[tuple[int, int, str | None]]:
        from dateparser.search import search_dates

        try:
            found = search_dates(doc.text, languages=["en"], settings=self.settings(doc.dct))
        except Exception:  # as above
            found = None
        out = []
        cursor = 0
        for text, _ in found or []:
            at = doc.text.find(text, cursor)
            if at < 0:
                continue
            cursor = at + len(text)
            out.append((at, cursor, self.value(text, doc.dct)))
        return out


# --- scoring ------------------------------------------------------------------------


def match(preds: list[tuple[int, int, str | None]], gold: list[Timex]) -> tuple[int, int, int, int]:
    """(predictions counted, gold DATEs, matched, matched with the right value)."""
    dates = [g for g in gold if g.type == "DATE"]
    others = [g for g in gold if g.type != "DATE"]
    used: set[int] = set()
    counted = matched = right = 0
    for s, e, value in sorted(preds):
        hit = next(
            (i for i, g in enumerate(dates) if i not in used and s < g.end and g.start < e), None
        )
        if hit is None:
            if any(s < g.end and g.start < e for g in others):
                continue  # on a DURATION/TIME/SET timex: not scored
            counted += 1
            continue
        used.add(hit)
        counted += 1
        matched += 1
        right += value == dates[hit].value
    return counted, len(dates), matched, right


def _ratio(a: int, b: int) -> float:
    return round(a / b, 4) if b else math.nan


def _f1(p: float, r: float) -> float:
    return round(2 * p * r / (p + r), 4) if p + r and not math.isnan(p + r) else math.nan


def e2e_scores(counts: list[tuple[int, int, int, int]]) -> dict[str, float]:
    pred = sum(c[0] for c in counts)
    gold = sum(c[1] for c in counts)
    matched = sum(c[2] for c in counts)
    right = sum(c[3] for c in counts)
    p, r = _ratio(matched, pred), _ratio(matched, gold)
    vp, vr = _ratio(right, pred), _ratio(right, gold)
    return {
        "predicted": pred,
        "gold": gold,
        "matched": matched,
        "P": p,
        "R": r,
        "F1": _f1(p, r),
        "value_acc_matched": _ratio(right, matched),
        "value_P": vp,
        "value_R": vr,
        "value_F1": _f1(vp, vr),
    }


def run_split(docs: list[Document], errors: bool) -> dict[str, Any]:
    from presslens.nlp import load_model
    from presslens.times import find_times, resolve_span

    nlp = load_model()
    dp = DateparserRunner()
    gold_n = pl_right = dp_right = 0
    pl_counts, dp_counts = [], []
    parse_s = times_s = search_s = 0.0
    wrong: list[str] = []
    for d in docs:
        t0 = time.perf_counter()
        doc = nlp(d.text)
        t1 = time.perf_counter()
        found = find_times(d.text, doc, d.dct)
        t2 = time.perf_counter()
        parse_s += t1 - t0
        times_s += t2 - t1
        for g in d.timexes:
            if g.type != "DATE":
                continue
            gold_n += 1
            reading = resolve_span(d.text, doc, g.start, g.end, d.dct)
            got = reading.timex if reading else None
            pl_right += got == g.value
            dp_right += dp.value(g.text, d.dct) == g.value
            if errors and got != g.value:
                wrong.append(f"{d.name} dct={d.dct} {g.text!r} gold={g.value} got={got}")
        preds = [
            (int(r["start"]), int(r["end"]), r["timex"])
            for r in found
            if r["granularity"] not in NON_DATE_GRANULARITY
        ]
        pl_counts.append(match(preds, d.timexes))
        t3 = time.perf_counter()
        dp_counts.append(match(dp.search(d), d.timexes))
        search_s += time.perf_counter() - t3
    words = sum(len(d.text.split()) for d in docs)
    return {
        "documents": len(docs),
        "gold_dates": gold_n,
        "presslens": {
            "value_acc_gold_extent": _ratio(pl_right, gold_n),
            "end_to_end": e2e_scores(pl_counts),
            "ms_per_doc": round(1000 * times_s / len(docs), 2),
            "parse_ms_per_doc": round(1000 * parse_s / len(docs), 2),
            "cost_vs_parse": round(times_s / parse_s, 3) if parse_s else math.nan,
        },
        "dateparser": {
            "value_acc_gold_extent": _ratio(dp_right, gold_n),
            "end_to_end": e2e_scores(dp_counts),
            "search_ms_per_doc": round(1000 * search_s / len(docs), 2),
        },
        "words": words,
        "wrong": wrong,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=None, help="documents per split")
    parser.add_argument("--split", choices=["train", "test", "both"], default="both")
    parser.add_argument("--errors", action="store_true", help="print presslens value errors")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    splits = ["train", "test"] if args.split == "both" else [args.split]
    summary: dict[str, Any] = {}
    for split in splits:
        docs = load_split(args.data, split, args.limit)
        res = run_split(docs, args.errors)
        for w in res.pop("wrong"):
            print("   wrong:", w)
        summary[split] = res
    print("\nTempEval-3, DATE timexes (anchor = DCT). (a) value accuracy on the gold extent;")
    print("(b) end to end: extent-overlap detection P/R/F1, value accuracy on matches, value F1")
    head = ("split", "system", "docs", "gold", "(a) acc", "P", "R", "F1", "val|match", "val F1")
    print("{:6} {:11} {:>5} {:>5} {:>8} {:>7} {:>7} {:>7} {:>9} {:>7}".format(*head))
    for split, res in summary.items():
        for system in ("presslens", "dateparser"):
            s = res[system]
            e = s["end_to_end"]
            print(
                f"{split:6} {system:11} {res['documents']:5d} {res['gold_dates']:5d} "
                f"{s['value_acc_gold_extent']:8.4f} {e['P']:7.4f} {e['R']:7.4f} {e['F1']:7.4f} "
                f"{e['value_acc_matched']:9.4f} {e['value_F1']:7.4f}"
            )
        pl = res["presslens"]
        print(
            f"{split:6} speed: find_times {pl['ms_per_doc']} ms/doc on top of a "
            f"{pl['parse_ms_per_doc']} ms parse ({pl['cost_vs_parse']}x); dateparser "
            f"search_dates {res['dateparser']['search_ms_per_doc']} ms/doc"
        )
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
