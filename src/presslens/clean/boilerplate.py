"""Boilerplate lines of a scraped text page: a small tree ensemble over line features.

A scraped page is a story between chrome: menus and widgets above it, share buttons,
related-story lists and comments below it. Each line is judged from its own shape
(length, punctuation, function words, link-ish words, dates, separators), where it sits
relative to the densest run of prose, whether a zone marker ("LEAVE A REPLY", "Related
Articles") opened a comment or related zone above it, its neighbours, and in how many
sibling pages of the same outlet it recurs. ``train/boilerplate.py`` fits the ensemble
with scikit-learn and writes it as JSON; scoring here is pure Python.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from presslens.resources import read_text

MODEL_FILE = "boilerplate_model.json"
MARKERS_FILE = "boilerplate_markers.txt"
ZONES = ("comments", "related")

_WORD = re.compile(r"\w+")
_TERMINAL = re.compile(r"[.!?…][\"'”’»)\]]*$")
_SENTENCE = re.compile(r"[.!?…][\"'”’)\]]*\s+[\"'“‘(]?[A-Z]")
_MONTH = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t|tember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_DATE = re.compile(
    rf"\b(?:\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTH})\b|(?:{_MONTH})\.?\s+\d{{1,2}}\b"
    r"|\d{1,4}[/.-]\d{1,2}[/.-]\d{2,4})",
    re.I,
)
_TIME = re.compile(r"\b\d{1,2}:\d{2}\b|\b\d{1,2}\s*[ap]\.?m\b", re.I)
_WEEKDAY = re.compile(r"\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b", re.I)
_AGO = re.compile(r"\b(?:ago|yesterday|today)\b", re.I)
_CRUMB = re.compile(r"\s(?:>>?|»|›|/)\s")  # breadcrumb: Home > News > Story
_PIPE = re.compile(r"[|•·]")  # link rows: Home | About | Contact
_URL = re.compile(r"https?://|www\.|\w@\w|\.(?:com|org|net|co\.uk)\b", re.I)
_COPYRIGHT = re.compile(r"©|\(c\)|copyright|all rights reserved", re.I)
_BULLET = re.compile(r"^[-–—•·*»›>|+]")
_MARKER_NOISE = re.compile(r"\(\s*\d*\s*\)|\d+|[^\w\s'’]")
_BYLINE = re.compile(r"^by\s", re.I)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOPWORDS = _words(
    "a about after all also an and are as at be been before but by could did do does for from"
    " had has have he her his how i if in into is it its more no not of on one or our out over"
    " said says she so than that the their them then there these they this those to up was we"
    " were what when where which while who will with would you"
)
# Words that label controls and links rather than say something.
CHROME_WORDS = _words(
    "home share shares shared subscribe subscription login logout log sign signup register email"
    " mail print printable comment comments reply replies tweet facebook twitter linkedin"
    " whatsapp telegram pinterest reddit digg delicious rss feed feeds menu search advertisement"
    " advertise advertising ad ads contact privacy terms policy cookies cookie next previous prev"
    " related click follow newsletter newsletters tags tag posted bookmark favorites favourites"
    " copyright rights reserved top page pages video videos photo photos gallery archive archives"
    " sitemap help faq feedback loading skip navigation password username submit send friend"
    " view watch listen download recommended popular trending latest sponsored weather"
    " permalink blogs blog podcast podcasts jobs classifieds careers"
)

NEIGHBOURS = (-2, -1, 1, 2)
FEATURES: tuple[str, ...] = (
    "log_chars",
    "log_words",
    "mean_word_len",
    "alpha_ratio",
    "digit_ratio",
    "upper_ratio",
    "punct_ratio",
    "terminal",
    "ends_colon",
    "ends_ellipsis",
    "bullet",
    "sentences",
    "cap_ratio",
    "stop_ratio",
    "chrome_ratio",
    "date",
    "time",
    "weekday",
    "ago",
    "crumbs",
    "pipes",
    "copyright",
    "url",
    "byline",
    "all_caps",
    "marker_comments",
    "marker_related",
    "dup_in_page",
    "crumb_is_line",
    "repeats",
    "prose",
    "rel_pos",
    "log_from_top",
    "log_to_bottom",
    "lines_before_core",
    "lines_after_core",
    "in_core",
    "prose_before",
    "prose_after",
    "comments_zone",
    "related_zone",
    "log_since_marker",
    *(f"{k}_{d:+d}" for d in NEIGHBOURS for k in ("log_chars", "prose", "stop_ratio")),
    "win3_log_chars",
    "win3_prose",
    "win10_prose",
)
_LOG_CHARS = FEATURES.index("log_chars")
_STOP_RATIO = FEATURES.index("stop_ratio")
# How much a line that is not a sentence costs the prose run that spans it (in characters).
GAP_COST = 60


@dataclass(frozen=True, slots=True)
class _Shape:
    """What a line says about itself; position and context come later."""

    values: list[float]
    chars: int
    prose: bool
    sentence: bool  # ends like a sentence, however short: extends the prose run


def _shape(text: str) -> _Shape:
    n = len(text)
    words = text.split()
    nw = len(words)
    tokens = [t.lower() for t in _WORD.findall(text)]
    letters = sum(c.isalpha() for c in text)
    upper = sum(c.isupper() for c in text)
    digits = sum(c.isdigit() for c in text)
    punct = n - letters - digits - text.count(" ")
    alpha_words = [w for w in words if w[0].isalpha()]
    terminal = bool(_TERMINAL.search(text))
    stop = sum(t in STOPWORDS for t in tokens) / len(tokens) if tokens else 0.0
    prose = (terminal and nw >= 8) or (nw >= 20 and stop > 0.2)
    sentence = terminal and nw >= 3 and letters > upper
    # Link words label controls ("Share", "Comments"); a sentence only counts one that leads
    # it, as in "Click here to subscribe." but not "He declined to comment."
    hits = [t in CHROME_WORDS for t in (tokens[:1] if sentence else tokens)]
    chrome = sum(hits) / len(tokens) if tokens else 0.0
    values = [
        math.log1p(n),
        math.log1p(nw),
        (n - nw + 1) / nw if nw else 0.0,
        letters / n,
        digits / n,
        upper / letters if letters else 0.0,
        punct / n,
        float(terminal),
        float(text.endswith(":")),
        float(text.endswith(("...", "…"))),
        float(bool(_BULLET.match(text))),
        math.log1p(len(_SENTENCE.findall(text)) + terminal),
        sum(w[0].isupper() for w in alpha_words) / len(alpha_words) if alpha_words else 0.0,
        stop,
        chrome,
        float(bool(_DATE.search(text))),
        float(bool(_TIME.search(text))),
        float(bool(_WEEKDAY.search(text))),
        float(bool(_AGO.search(text))),
        float(len(_CRUMB.findall(text))),
        float(len(_PIPE.findall(text))),
        float(bool(_COPYRIGHT.search(text))),
        float(bool(_URL.search(text))),
        float(bool(_BYLINE.match(text))),
        float(letters > 3 and upper == letters),
    ]
    return _Shape(values, n, prose, sentence)


def marker_key(text: str) -> str:
    """A line reduced to what zone markers are compared on."""
    return " ".join(_MARKER_NOISE.sub(" ", text.lower()).split())


@cache
def zone_markers() -> dict[str, str]:
    """Marker phrase (as ``marker_key`` reduces it) -> the zone it opens."""
    out: dict[str, str] = {}
    zone = None
    for raw in read_text(MARKERS_FILE).splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            zone = line[1:-1]
            if zone not in ZONES:
                raise ValueError(f"{MARKERS_FILE}: unknown section {line}")
        elif zone is None:
            raise ValueError(f"{MARKERS_FILE}: phrase {line!r} before any section")
        else:
            out.setdefault(marker_key(line), zone)
    return out


def _crumb_is_line(text: str, lines: Counter[str]) -> bool:
    """A breadcrumb or title bar whose last part is another line (the headline)."""
    parts = _CRUMB.split(text)
    if len(parts) == 1:
        parts = _PIPE.split(text)
    return len(parts) > 1 and any(lines[p.strip()] for p in parts)


def _core(shapes: Sequence[_Shape]) -> tuple[int, int]:
    """The run of lines with the most prose; lines that are not sentences cost ``GAP_COST``."""
    best, best_span = 0.0, (len(shapes), -1)
    run, start = 0.0, 0
    for i, s in enumerate(shapes):
        if run <= 0:
            run, start = 0.0, i
        run += s.chars if s.prose or s.sentence else -GAP_COST
        if run > best:
            best, best_span = run, (start, i)
    return best_span


def line_features(lines: Sequence[str], repeats: Sequence[int] | None = None) -> list[list[float]]:
    """One feature vector per line (names in ``FEATURES``), for one page in page order."""
    n = len(lines)
    if repeats is not None and len(repeats) != n:
        raise ValueError(f"repeats has {len(repeats)} entries for {n} lines")
    shapes = [_shape(t) for t in lines]
    markers = zone_markers()
    kinds = [markers.get(marker_key(t)) if len(t) < 60 else None for t in lines]
    seen = Counter(lines)
    core_start, core_end = _core(shapes)
    prose_chars = [s.chars if s.prose else 0 for s in shapes]
    total_prose = sum(prose_chars) or 1
    prose_flags = [float(s.prose) for s in shapes]
    log_chars = [s.values[_LOG_CHARS] for s in shapes]
    stops = [s.values[_STOP_RATIO] for s in shapes]

    out: list[list[float]] = []
    before = 0
    zone: dict[str, bool] = dict.fromkeys(ZONES, False)
    last_marker: int | None = None
    for i, s in enumerate(shapes):
        kind = kinds[i]
        row = [
            *s.values,
            float(kind == "comments"),
            float(kind == "related"),
            float(seen[lines[i]] - 1),
            float(_crumb_is_line(lines[i], seen)),
            math.log1p(repeats[i]) if repeats else 0.0,
            prose_flags[i],
            i / (n - 1) if n > 1 else 0.0,
            math.log1p(i),
            math.log1p(n - 1 - i),
            math.log1p(max(0, core_start - i)),
            math.log1p(max(0, i - core_end)),
            float(core_start <= i <= core_end),
            before / total_prose,
            (total_prose - before - prose_chars[i]) / total_prose,
            float(zone["comments"]),
            float(zone["related"]),
            math.log1p(i - last_marker) if last_marker is not None else 0.0,
        ]
        for d in NEIGHBOURS:
            j = i + d
            inside = 0 <= j < n
            row += [log_chars[j], prose_flags[j], stops[j]] if inside else [0.0, 0.0, 0.0]
        lo3, hi3 = max(0, i - 3), min(n, i + 4)
        lo10, hi10 = max(0, i - 10), min(n, i + 11)
        row += [
            sum(log_chars[lo3:hi3]) / (hi3 - lo3),
            sum(prose_flags[lo3:hi3]) / (hi3 - lo3),
            sum(prose_flags[lo10:hi10]) / (hi10 - lo10),
        ]
        out.append(row)
        before += prose_chars[i]
        if kind is not None and i > core_start:  # a sidebar heading above the story opens none
            zone[kind] = True
            last_marker = i
    return out


class BoilerplateModel:
    """A gradient-boosted tree ensemble read from JSON, evaluated in pure Python."""

    def __init__(self, spec: dict) -> None:
        if tuple(spec["features"]) != FEATURES:
            raise ValueError("boilerplate model was trained on other features; retrain it")
        self.threshold: float = spec["threshold"]
        self.base: float = spec["base"]
        self.info: dict = spec.get("info", {})
        self.trees = [
            (t["feature"], t["threshold"], t["left"], t["right"], t["value"]) for t in spec["trees"]
        ]

    @classmethod
    def load(cls, path: Path | None = None) -> BoilerplateModel:
        """The model at ``path``; by default the packaged one, read once."""
        if path is None:
            return _packaged()
        return cls(json.loads(Path(path).read_text(encoding="utf-8")))

    def score(self, lines: Sequence[str], repeats: Sequence[int] | None = None) -> list[float]:
        """P(boilerplate) for each line of one page, in page order.

        ``repeats[i]``: in how many other pages of the same outlet or batch line i also
        occurs (0 if unknown).
        """
        return [self._probability(x) for x in line_features(lines, repeats)]

    def _probability(self, x: Sequence[float]) -> float:
        total = self.base
        for feature, threshold, left, right, value in self.trees:
            node = 0
            while (k := feature[node]) >= 0:
                node = left[node] if x[k] <= threshold[node] else right[node]
            total += value[node]
        return 0.5 * (1.0 + math.tanh(0.5 * total))  # the logistic function, never overflows


@cache
def _packaged() -> BoilerplateModel:
    return BoilerplateModel(json.loads(read_text(MODEL_FILE)))
