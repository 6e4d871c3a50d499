"""Publication dates on htmldate-eval: presslens against htmldate, HTML and text input.

HTML: exact-day accuracy of ``dates_from_html`` beside htmldate's ``find_date`` fast and
extensive (original_date=True, as htmldate's own tests/evaluation.py runs them; no URL
is passed, as there). Extensive is the comparison. Each method runs in a fresh process
so that no cache warmed by another one flatters its speed.

Text: the same pages rendered to lines (a) whole page, block elements as lines, chrome
included, headline located by the <h1> text; (b) trafilatura's extracted text with its
title as first line. ``dates_from_text`` should report few wrong dates: precision
counts reported dates (at their precision) against the gold day; "unknown" does not
count against it. Coverage = pages with a reported date.

Rules in presslens.meta.dates_html were chosen on the "tune" half (sha256 of the URL,
first byte even); figures are printed for the tune half, the "report" half and all.
Usage: python bench/dates.py [--data DIR] [--limit N]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import math
import multiprocessing
import re
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"
SET = Path("extraction") / "htmldate-eval"
BLOCKS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "br",
        "dd",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "td",
        "th",
        "tr",
        "ul",
    ]
)
DROP_TAGS = ["script", "style", "noscript", "template", "svg", "head"]
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
PROSE_WORDS = 20  # a rendered line this long starts the body


def load_pages(data: Path, limit: int | None) -> list[tuple[str, str, str | None]]:
    """(url, html, gold day or None) in htmldate's own order (mediacloud, then default)."""
    from htmldate.utils import decode_file

    root = data / SET
    if not (root / "eval_default.json").is_file():
        sys.exit(f"htmldate-eval not found at {root} (pass --data DIR)")
    gold: dict[str, dict[str, Any]] = {}
    for name in ("eval_mediacloud_2020.json", "eval_default.json"):
        gold.update(json.loads((root / name).read_text(encoding="utf-8")))
    pages = []
    for url, item in list(gold.items())[:limit]:
        path = root / "html" / f"{item['file']}.gz"
        if not path.is_file():
            path = data / "extraction" / "trafilatura-eval" / "html" / f"{item['file']}.gz"
        day = item["date"] if isinstance(item["date"], str) else None  # NaN: no date
        with gzip.open(path) as fh:
            pages.append((url, decode_file(fh.read()), day))
    return pages


def is_tune(url: str) -> bool:
    return hashlib.sha256(url.encode()).digest()[0] % 2 == 0


def _run_method(name: str, data: str, limit: int | None) -> tuple[list[Any], float]:
    """Run one method over all pages in this (fresh) process; values and seconds."""
    import warnings

    warnings.filterwarnings("ignore")
    pages = load_pages(Path(data), limit)
    fn: Callable[[str], Any]
    if name == "presslens":
        from presslens.meta.dates import dates_from_html

        def fn(html: str) -> Any:
            published, _ = dates_from_html(html, None, None)
            ev = published.evidence
            return published.value, published.method, ev is not None

    else:
        from htmldate import find_date

        extensive = name == "htmldate_extensive"

        def fn(html: str) -> Any:
            return find_date(html, extensive_search=extensive, original_date=True)

    start = time.perf_counter()
    out = [fn(html) for _, html, _ in pages]
    return out, time.perf_counter() - start


def scores(pairs: list[tuple[str | None, str | None]]) -> dict[str, float]:
    """Exact-day accuracy, plus htmldate's P/R/Acc/F1 (its evaluate_result)."""
    tp = fp = tn = fn = 0
    correct = 0
    for value, gold in pairs:
        correct += value == gold
        if value is None:
            tn += gold is None
            fn += 1
        elif value == gold:
            tp += 1
        else:
            fp += 1
    n = len(pairs)
    return {
        "n": n,
        "day_accuracy": round(correct / n, 4) if n else math.nan,
        "P": round(tp / (tp + fp), 4) if tp + fp else math.nan,
        "R": round(tp / (tp + fn), 4) if tp + fn else math.nan,
        "htmldate_acc": round((tp + tn) / (tp + tn + fp + fn), 4) if n else math.nan,
        "F1": round(2 * tp / (2 * tp + fp + fn), 4) if n else math.nan,
    }


def render_lines(html: str) -> tuple[str, str | None]:
    """Whole-page text, one block element a line (as a scraper sees it); and the <h1>."""
    import lxml.etree
    import lxml.html

    try:
        tree = lxml.html.fromstring(CONTROL.sub("", html))
    except (ValueError, lxml.etree.ParserError):
        return "", None
    lxml.etree.strip_elements(tree, *DROP_TAGS, with_tail=False)
    h1 = next((" ".join(e.text_content().split()) for e in tree.iter("h1")), None)
    for el in tree.iter():
        if isinstance(el.tag, str) and el.tag in BLOCKS:
            el.text = "\n" + (el.text or "")
            el.tail = "\n" + (el.tail or "")
    text = tree.text_content()
    lines = [" ".join(ln.split()) for ln in text.splitlines()]
    return "\n".join(ln for ln in lines if ln), h1 or None


def _indices(lines: list[Any], title: str | None) -> tuple[int | None, int | None]:
    norm = " ".join(title.split()).casefold() if title else None
    title_index = None
    if norm:
        title_index = next((ln.index for ln in lines if ln.text.casefold() == norm), None)
    if title_index is None:
        return None, None
    body = next(
        (
            ln.index
            for ln in lines[title_index + 1 :]
            if len(re.findall(r"\w+", ln.text)) >= PROSE_WORDS
        ),
        None,
    )
    return title_index, body


def text_inputs(html: str) -> dict[str, tuple[str, int | None, int | None]]:
    """The two text renderings of a page: (raw text, title index, body start)."""
    import trafilatura

    from presslens.clean.lines import split_lines

    out: dict[str, tuple[str, int | None, int | None]] = {}
    raw, h1 = render_lines(html)
    out["whole_page"] = (raw, *_indices(split_lines(raw), h1))
    body = trafilatura.extract(html, include_comments=False) or ""
    meta = trafilatura.extract_metadata(html)
    title = meta.title if meta is not None and meta.title else ""
    out["extracted"] = (f"{title}\n\n{body}", 0 if title else None, 1 if title else 0)
    return out


def _precision(rows: list[tuple[bool, bool]]) -> dict[str, Any]:
    """rows of (reported, correct): precision of reported dates and coverage."""
    reported = sum(r for r, _ in rows)
    correct = sum(c for _, c in rows)
    return {
        "pages": len(rows),
        "reported": reported,
        "correct": correct,
        "precision": round(correct / reported, 4) if reported else math.nan,
        "coverage": round(reported / len(rows), 4) if rows else math.nan,
    }


def text_bench(pages: list[tuple[str, str, str | None]]) -> dict[str, Any]:
    """Precision and coverage of dates_from_text on both renderings, by half."""
    from presslens.clean.lines import split_lines
    from presslens.meta.dates import dates_from_text

    inputs = [text_inputs(html) for _, html, _ in pages]
    results: dict[str, Any] = {}
    for kind in ("whole_page", "extracted"):
        rows: list[tuple[bool, bool]] = []
        with_title = relative = chrome = 0
        wrong: list[str] = []
        elapsed = 0.0
        for (url, _, gold), rendered in zip(pages, inputs, strict=True):
            raw, title_index, body_start = rendered[kind]
            with_title += title_index is not None
            start = time.perf_counter()
            lines = split_lines(raw)
            published, page_dates = dates_from_text(lines, title_index, body_start, None)
            elapsed += time.perf_counter() - start
            relative += published.status == "relative"
            chrome += any(d.role == "page_chrome" for d in page_dates)
            value = published.value
            correct = value is not None and gold is not None and gold.startswith(value)
            rows.append((value is not None, correct))
            if value is not None and not correct:
                wrong.append(f"{url} gold={gold} got={value} ({published.method})")
        tune = [is_tune(u) for u, _, _ in pages]
        results[kind] = {
            **_precision(rows),
            "tune": _precision([r for r, t in zip(rows, tune, strict=True) if t]),
            "report": _precision([r for r, t in zip(rows, tune, strict=True) if not t]),
            "with_title": with_title,
            "relative_unresolved": relative,
            "pages_with_chrome_date": chrome,
            "pages_per_s": round(len(pages) / elapsed, 1) if elapsed else math.nan,
            "wrong": wrong,
        }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args()
    pages = load_pages(args.data, args.limit)
    gold = [g for _, _, g in pages]
    tune = [is_tune(u) for u, _, _ in pages]
    print(
        f"htmldate-eval: {len(pages)} entries ({sum(tune)} tune / {len(pages) - sum(tune)} report)"
    )

    ctx = multiprocessing.get_context("spawn")
    runs: dict[str, tuple[list[Any], float]] = {}
    for name in ("htmldate_fast", "htmldate_extensive", "presslens"):
        with ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
            runs[name] = pool.submit(_run_method, name, str(args.data), args.limit).result()
    values = {
        name: [v[0] if name == "presslens" else v for v in out] for name, (out, _) in runs.items()
    }
    summary: dict[str, Any] = {"entries": len(pages)}
    print("\nHTML, exact-day accuracy (htmldate extensive = the comparison)")
    heads = ("all", "tune", "report", "P", "R", "F1", "pages/s")
    print(f"{'method':20} " + " ".join(f"{h:>7}" for h in heads))
    for name, vals in values.items():
        pairs = list(zip(vals, gold, strict=True))
        s_all = scores(pairs)
        s_tune = scores([p for p, t in zip(pairs, tune, strict=True) if t])
        s_rep = scores([p for p, t in zip(pairs, tune, strict=True) if not t])
        speed = len(pages) / runs[name][1]
        print(
            f"{name:20} {s_all['day_accuracy']:7.4f} {s_tune['day_accuracy']:7.4f} "
            f"{s_rep['day_accuracy']:7.4f} {s_all['P']:7.4f} {s_all['R']:7.4f} "
            f"{s_all['F1']:7.4f} {speed:7.1f}"
        )
        summary[name] = {
            "all": s_all,
            "tune": s_tune,
            "report": s_rep,
            "pages_per_s": round(speed, 1),
        }
    out = runs["presslens"][0]
    dated = [o for o in out if o[0] is not None]
    with_ev = sum(1 for o in dated if o[2])
    print(f"presslens dates with an evidence span: {with_ev}/{len(dated)}")
    summary["presslens"]["evidence_spans"] = with_ev
    summary["presslens"]["dated"] = len(dated)

    print("\nText input (dates_from_text, no crawl time)")
    text = text_bench(pages)
    for kind, r in text.items():
        print(
            f"{kind:11} precision {r['precision']:.4f} ({r['correct']}/{r['reported']}; "
            f"tune {r['tune']['precision']:.4f}, report {r['report']['precision']:.4f}), "
            f"coverage {r['coverage']:.4f}, headline found {r['with_title']}/{r['pages']}, "
            f"relative kept {r['relative_unresolved']}, chrome dates on "
            f"{r['pages_with_chrome_date']} pages, {r['pages_per_s']} pages/s"
        )
        for w in r["wrong"]:
            print("   wrong:", w)
        summary[f"text_{kind}"] = {k: v for k, v in r.items() if k != "wrong"}
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
