"""Text-only boilerplate removal on L3S-GN1: the line classifier beside C4's rules and trafilatura.

Input: each page of ``extraction/l3s-gn1/lines.jsonl.gz`` rendered to text, i.e. its lines in
page order, chrome included. Gold: lines labelled headline, fulltext or supplemental are kept;
related, comments and not_content are boilerplate. Figures are for the dev pages (sha1 of the
page id ends in 0-3); ``train/boilerplate.py`` fits on the other pages only.

Methods:
- classifier: ``BoilerplateModel`` keeps lines scoring below its stored threshold. Once with
  no repetition counts (one page alone, the default figure), once with counts over pages of
  the same site in the data set (site guessed from the page's HTML links, as a batch would).
- C4 line rules (Raffel et al. 2020, TFDS ``c4_utils``), per line: keep lines ending in
  ``. ? ! "`` with at least 3 words, and drop lines that contain "javascript", a policy phrase
  ("terms of use", "privacy policy", "cookie policy", "uses cookies", "use of cookies", "use
  cookies"), "lorem ipsum" or "{". C4 drops whole pages for the last two and for fewer than 5
  sentences; a page-level drop would blank news pages for one stray script line, so they are
  applied to lines and no page is dropped.
- trimmed: the same pages cut to the gold text and 2 lines either side, as a scraper that
  already dropped most chrome delivers them (the story then ends at the end of the page),
  scored by the classifier and by C4.
- trafilatura: ``trafilatura.extract`` (defaults) on the page's original HTML
  (``input/<id>.html.gz``), scored by words only (its output has no lines to compare).

Scores:
- char F1 (micro): over all dev lines, TP = sum of len(text) of lines kept by the method and
  by the gold; P = TP / chars kept by the method; R = TP / chars kept by the gold. "macro" is
  the mean of per-page F1 (a page with no gold text is skipped).
- word F1: per page, bag-of-words overlap of lower-cased ``\\w+`` tokens of the kept text with
  those of the gold text (multiset intersection), P/R/F1; the figure is the mean over pages.
Speeds are pages per second in this process: the classifier on text (features and trees),
trafilatura on HTML bytes.

Usage: python bench/extraction_text.py [--data DIR] [--limit N]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"
SET = Path("extraction") / "l3s-gn1"
KEEP = frozenset({"headline", "fulltext", "supplemental"})
DEV_RULE = "sha1(page id) last hex digit in 0123"
TRIM_MARGIN = 2
C4_END = (".", "?", "!", '"')
C4_POLICY = (
    "terms of use",
    "privacy policy",
    "cookie policy",
    "uses cookies",
    "use of cookies",
    "use cookies",
)
_WORD = re.compile(r"\w+")
_HREF = re.compile(r"<a\s[^>]*href\s*=\s*[\"']?https?://([^/\"' >?#:]+)", re.I)
_OWN_URL = re.compile(
    r"<(?:link[^>]+rel=[\"']?canonical|base|meta[^>]+og:url)[^>]*?"
    r"(?:href|content)=[\"']?https?://([^/\"' >?#:]+)",
    re.I,
)
# Hosts linked from many unrelated sites: never the page's own site.
_FOREIGN = re.compile(
    r"doubleclick|googlesyndication|google|facebook|twitter|yahoo|digg|del\.icio|reddit|"
    r"addthis|technorati|newsvine|stumbleupon|myspace|microsoft|apple|adobe|macromedia|w3\.org|"
    r"feedburner|mozilla|wikipedia|youtube"
)

Page = dict[str, Any]


def is_dev(page_id: str) -> bool:
    """The dev split: the same on every machine, never used for fitting."""
    return hashlib.sha1(page_id.encode()).hexdigest()[-1] in "0123"


def load_pages(data_dir: Path) -> list[Page]:
    """All pages of lines.jsonl.gz: {"id", "lines": [{"text", "label"}]}."""
    path = data_dir / SET / "lines.jsonl.gz"
    if not path.is_file():
        sys.exit(f"L3S-GN1 lines not found at {path} (pass --data DIR)")
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def read_html(data_dir: Path, page_id: str) -> bytes:
    return gzip.decompress((data_dir / SET / "input" / f"{page_id}.html.gz").read_bytes())


def guess_site(html: bytes) -> str | None:
    """The page's own site: its canonical URL's host, else the host it links to most."""
    text = html.decode("latin-1")
    own = _OWN_URL.search(text)
    hosts = [own.group(1)] if own else _HREF.findall(text)
    counts = Counter(_domain(h) for h in hosts if not _FOREIGN.search(h.lower()))
    return counts.most_common(1)[0][0] if counts else None


def _domain(host: str) -> str:
    """Registered domain, roughly: the last two labels, three under co.uk-style suffixes."""
    parts = host.lower().split(".")
    short_sld = len(parts) >= 3 and len(parts[-1]) == 2 and parts[-2] in {"co", "com", "org", "net"}
    return ".".join(parts[-3:] if short_sld else parts[-2:])


def site_repeats(data_dir: Path, pages: Sequence[Page]) -> dict[str, list[int]]:
    """Per page id, per line: in how many other pages of its guessed site the line recurs."""
    from presslens.clean.repeats import repeat_counts
    from presslens.model import RawPage, Source

    raw = []
    for page in pages:
        site = guess_site(read_html(data_dir, page["id"])) or page["id"]
        text = "\n".join(line["text"] for line in page["lines"])
        raw.append(RawPage(Source("text", url=f"http://{site}/{page['id']}"), text))
    counts = repeat_counts(raw)
    return {p["id"]: counts[id(r)] for p, r in zip(pages, raw, strict=True)}


def c4_keep(lines: Sequence[str]) -> list[bool]:
    """C4's line rules (see the module docstring for what is and is not applied)."""
    out = []
    for text in lines:
        low = text.lower()
        out.append(
            text.endswith(C4_END)
            and len(text.split()) >= 3
            and "javascript" not in low
            and "lorem ipsum" not in low
            and "{" not in text
            and not any(p in low for p in C4_POLICY)
        )
    return out


def _f1(tp: float, kept: float, gold: float) -> dict[str, float]:
    p = tp / kept if kept else 0.0
    r = tp / gold if gold else 0.0
    return {"p": p, "r": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


def word_f1(text: str, gold: str) -> dict[str, float]:
    got = Counter(_WORD.findall(text.lower()))
    want = Counter(_WORD.findall(gold.lower()))
    return _f1(sum((got & want).values()), got.total(), want.total())


def _mean(rows: Sequence[dict[str, float]]) -> dict[str, float]:
    return {k: round(sum(r[k] for r in rows) / len(rows), 4) for k in ("p", "r", "f1")}


def line_scores(pages: Sequence[Page], keeps: Sequence[Sequence[bool]]) -> dict[str, Any]:
    """Char F1 (micro and macro) and word F1 of per-line keep decisions."""
    tp = kept = gold = 0
    macro, words = [], []
    for page, keep in zip(pages, keeps, strict=True):
        lines = page["lines"]
        g = [ln["label"] in KEEP for ln in lines]
        n = [len(ln["text"]) for ln in lines]
        p_tp = sum(c for c, k, w in zip(n, keep, g, strict=True) if k and w)
        p_kept = sum(c for c, k in zip(n, keep, strict=True) if k)
        p_gold = sum(c for c, w in zip(n, g, strict=True) if w)
        tp, kept, gold = tp + p_tp, kept + p_kept, gold + p_gold
        if p_gold:
            macro.append(_f1(p_tp, p_kept, p_gold))
            words.append(word_f1(_text(lines, keep), _text(lines, g)))
    micro = {k: round(v, 4) for k, v in _f1(tp, kept, gold).items()}
    return {"char": micro, "char_macro_f1": _mean(macro)["f1"], "word": _mean(words)}


def _trim(page: Page, margin: int) -> Page:
    """The page cut to its gold text and ``margin`` lines either side (a tidier scrape)."""
    lines = page["lines"]
    keep = [i for i, ln in enumerate(lines) if ln["label"] in KEEP] or [0]
    return {"id": page["id"], "lines": lines[max(0, keep[0] - margin) : keep[-1] + 1 + margin]}


def _text(lines: Sequence[dict[str, str]], keep: Sequence[bool]) -> str:
    return "\n".join(ln["text"] for ln, k in zip(lines, keep, strict=True) if k)


def _timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def run(data_dir: Path, limit: int | None) -> dict[str, Any]:
    """All figures for the dev pages (the first ``limit`` of them)."""
    import trafilatura

    from presslens.clean.boilerplate import BoilerplateModel
    from presslens.clean.text import clean_text
    from presslens.model import RawPage, Source

    pages = load_pages(data_dir)
    dev = [p for p in pages if is_dev(p["id"])][:limit]
    model = BoilerplateModel.load()
    split = model.info.get("dev_rule")
    if split != DEV_RULE:
        sys.exit(f"model was fitted with dev split {split!r}, this benchmark uses {DEV_RULE!r}")
    texts = [[ln["text"] for ln in p["lines"]] for p in dev]

    scores, secs = _timed(lambda: [model.score(t) for t in texts])
    single = [[s < model.threshold for s in page] for page in scores]
    repeats = site_repeats(data_dir, pages)
    batch = [
        [s < model.threshold for s in model.score(t, repeats[p["id"]])]
        for p, t in zip(dev, texts, strict=True)
    ]
    trimmed = [_trim(p, TRIM_MARGIN) for p in dev]
    trimmed_texts = [[ln["text"] for ln in p["lines"]] for p in trimmed]
    n_lines = sum(map(len, texts))
    htmls = [read_html(data_dir, p["id"]) for p in dev]
    raws = [
        RawPage(Source("text", path=p["id"]), "\n\n".join(t))
        for p, t in zip(dev, texts, strict=True)
    ]
    _, clean_secs = _timed(lambda: [clean_text(page) for page in raws])
    extracted, t_secs = _timed(lambda: [trafilatura.extract(h) or "" for h in htmls])
    traf_words = [
        word_f1(text, _text(p["lines"], [ln["label"] in KEEP for ln in p["lines"]]))
        for p, text in zip(dev, extracted, strict=True)
        if any(ln["label"] in KEEP for ln in p["lines"])
    ]
    return {
        "pages": len(dev),
        "lines": n_lines,
        "threshold": model.threshold,
        "classifier": line_scores(dev, single),
        "classifier_site_repeats": line_scores(dev, batch),
        "c4_lines": line_scores(dev, [c4_keep(t) for t in texts]),
        "classifier_trimmed": line_scores(
            trimmed, [[s < model.threshold for s in model.score(t)] for t in trimmed_texts]
        ),
        "c4_lines_trimmed": line_scores(trimmed, [c4_keep(t) for t in trimmed_texts]),
        "trafilatura_html": {"word": _mean(traf_words)},
        "speed": {
            "classifier_pages_per_s": round(len(dev) / secs, 1),
            "classifier_lines_per_s": round(n_lines / secs),
            "clean_text_pages_per_s": round(len(dev) / clean_secs, 1),
            "trafilatura_html_pages_per_s": round(len(dev) / t_secs, 1),
            "time_ratio_clean_text_vs_trafilatura": round(clean_secs / t_secs, 3),
        },
    }


def _report(r: dict[str, Any]) -> None:
    print(f"L3S-GN1 dev pages: {r['pages']} ({r['lines']} lines), threshold {r['threshold']}")
    print(f"{'method':34} {'char P':>7} {'char R':>7} {'char F1':>8} {'macro':>6} {'word F1':>8}")
    for name in (
        "classifier",
        "classifier_site_repeats",
        "c4_lines",
        "classifier_trimmed",
        "c4_lines_trimmed",
    ):
        s = r[name]
        c = s["char"]
        print(
            f"{name:34} {c['p']:7.4f} {c['r']:7.4f} {c['f1']:8.4f} "
            f"{s['char_macro_f1']:6.4f} {s['word']['f1']:8.4f}"
        )
    print(
        f"{'trafilatura_html (words only)':34} {'':>7} {'':>7} {'':>8} {'':>6} "
        f"{r['trafilatura_html']['word']['f1']:8.4f}"
    )
    sp = r["speed"]
    print(
        f"speed: classifier {sp['classifier_pages_per_s']} pages/s "
        f"({sp['classifier_lines_per_s']} lines/s) on text; whole text path "
        f"{sp['clean_text_pages_per_s']} pages/s; "
        f"trafilatura {sp['trafilatura_html_pages_per_s']} pages/s on HTML; "
        f"time ratio {sp['time_ratio_clean_text_vs_trafilatura']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args()
    result = run(args.data, args.limit)
    _report(result)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
