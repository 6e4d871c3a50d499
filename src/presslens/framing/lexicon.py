"""The lexicon layer of framing: loaded words (``data/loaded_words.csv``) as technique spans.

A word list cannot read intent, but it is fast, explainable (every span names its row's
source) and catches the labels a trained model sees too rarely in PTC ("usurping",
"child-murderer", "mullahs"). One compiled pattern finds every term; the row's
``unless_before`` / ``unless_after`` words veto legal or technical uses ("criminal court",
"sanctions regime"). Pejorative designations from the actors stage become
Name_Calling,Labeling spans here too, so the alias table stays the one place for them.

Users add rows without touching code: a folder in ``$PRESSLENS_LEXICON_DIR`` whose
``loaded_words.csv`` (same columns as the shipped file) is read after the shipped rows, or
``extra`` (a file or such a folder) passed by the caller.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from presslens.resources import USER_DIR_ENV, read_csv, read_csv_file, user_file

ENV_DIR = USER_DIR_ENV
FILE = "loaded_words.csv"
DEFAULT_THRESHOLD = 0.5  # rows below it exist for callers who ask for more recall
DESIGNATION_CONFIDENCE = 0.75  # a pejorative alias-table designation as Name_Calling,Labeling

# SemEval-2020 Task 11 (14 classes) -> SemEval-2023 Task 3 (23 classes); None where 2023 split
# the class (a span alone cannot tell which part it is), as in framing.techniques.
TECHNIQUE_2023: dict[str, str | None] = {
    "Loaded_Language": "Loaded_Language",
    "Name_Calling,Labeling": "Name_Calling-Labeling",
    "Repetition": "Repetition",
    "Doubt": "Doubt",
    "Exaggeration,Minimisation": "Exaggeration-Minimisation",
    "Appeal_to_fear-prejudice": "Appeal_to_Fear-Prejudice",
    "Flag-Waving": "Flag_Waving",
    "Causal_Oversimplification": "Causal_Oversimplification",
    "Appeal_to_Authority": "Appeal_to_Authority",
    "Slogans": "Slogans",
    "Black-and-White_Fallacy": "False_Dilemma-No_Choice",
    "Thought-terminating_Cliches": "Conversation_Killer",
    "Whataboutism,Straw_Men,Red_Herring": None,
    "Bandwagon,Reductio_ad_hitlerum": None,
}

_SEP = r"[\s\-‐–]+"
_WORD_BEFORE = re.compile(r"([\w’']+)[^\w]*$")
_WORD_AFTER = re.compile(r"^[^\w]*([\w’']+)")


@dataclass(frozen=True)
class Entry:
    term: str
    technique: str
    confidence: float
    unless_before: frozenset[str]
    unless_after: frozenset[str]
    source: str


def _key(text: str) -> str:
    return re.sub(_SEP, " ", text.lower().replace("’", "'")).strip()


def _entries(rows: Iterable[dict[str, str]], origin: str) -> list[Entry]:
    out = []
    for r in rows:
        term = (r.get("term") or "").strip()
        technique = (r.get("technique") or "").strip()
        if not term or technique not in TECHNIQUE_2023:
            raise ValueError(f"{origin}: bad row {r!r} (term and a SemEval-2020 technique needed)")
        out.append(
            Entry(
                term=term,
                technique=technique,
                confidence=float(r.get("confidence") or DEFAULT_THRESHOLD),
                unless_before=_words(r.get("unless_before")),
                unless_after=_words(r.get("unless_after")),
                source=(r.get("source") or origin).strip(),
            )
        )
    return out


def _words(cell: str | None) -> frozenset[str]:
    return frozenset(w.strip().lower() for w in (cell or "").split("|") if w.strip())


def user_files(extra: Path | str | None = None) -> tuple[Path, ...]:
    """The user's loaded-word files: ``$PRESSLENS_LEXICON_DIR/loaded_words.csv``, then ``extra``
    (a CSV file, or a folder holding ``loaded_words.csv``). Missing files are skipped."""
    out = [path] if (path := user_file(FILE)) is not None else []
    if extra is not None:
        place = Path(extra)
        path = place / FILE if place.is_dir() else place
        if path.is_file():
            out.append(path)
    return tuple(out)


class Lexicon:
    """All rows (shipped, then the user's) and the one pattern that finds them."""

    def __init__(self, entries: Sequence[Entry]) -> None:
        self.by_key: dict[str, Entry] = {}
        for e in entries:  # a later row (the user's) replaces an earlier one for the same term
            self.by_key[_key(e.term)] = e
        trie = _trie(self.by_key)
        self.pattern = re.compile(rf"(?<![\w\-])(?:{trie})(?:e?s)?(?![\w\-])", re.I)

    def lookup(self, matched: str) -> Entry | None:
        k = _key(matched)
        found = self.by_key.get(k)
        if found is None and k.endswith("s"):
            found = self.by_key.get(k[:-1]) or (
                self.by_key.get(k[:-2]) if k.endswith("es") else None
            )
        return found


def _trie(keys: Iterable[str]) -> str:
    """One regex for all terms, factored into a trie so that each position costs a few steps
    instead of one try per term (a plain alternation of ~270 terms is 10x slower). A space
    in a key stands for any run of spaces and hyphens; longer terms are tried first."""
    root: dict[str, Any] = {}
    for k in keys:
        node = root
        for unit in k:
            node = node.setdefault(unit, {})
        node[""] = {}  # end of a term

    def emit(node: dict[str, Any]) -> str:
        branches = [
            (_SEP if unit == " " else re.escape(unit)) + emit(child)
            for unit, child in sorted(node.items())
            if unit
        ]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:  # a term ends here; a longer one is tried first
            return f"(?:{body})?"
        return body

    return emit(root)


@cache
def _lexicon(files: tuple[tuple[str, float], ...]) -> Lexicon:
    entries = _entries(read_csv(FILE), FILE)
    for name, _mtime in files:
        entries += _entries(read_csv_file(Path(name)), name)
    return Lexicon(entries)


def lexicon(extra: Path | str | None = None) -> Lexicon:
    """The compiled lexicon, rebuilt only when the user's files change."""
    files = tuple((str(p), p.stat().st_mtime) for p in user_files(extra))
    return _lexicon(files)


def _vetoed(body: str, start: int, end: int, entry: Entry) -> bool:
    if entry.unless_before:
        m = _WORD_BEFORE.search(body, max(0, start - 40), start)
        if m and m.group(1).lower() in entry.unless_before:
            return True
    if entry.unless_after:
        m = _WORD_AFTER.match(body[end : end + 40])
        if m and m.group(1).lower() in entry.unless_after:
            return True
    return False


def record(technique: str, start: int, end: int, body: str, confidence: float) -> dict[str, Any]:
    return {
        "technique": technique,
        "technique_2023": TECHNIQUE_2023.get(technique, technique),
        "text": body[start:end],
        "start": start,
        "end": end,
        "confidence": round(confidence, 3),
    }


def find_loaded(
    body: str, *, threshold: float | None = None, extra: Path | str | None = None
) -> list[dict[str, Any]]:
    """Technique spans for every loaded word or phrase in ``body`` at or above ``threshold``."""
    floor = DEFAULT_THRESHOLD if threshold is None else threshold
    lex = lexicon(extra)
    out = []
    for m in lex.pattern.finditer(body):
        entry = lex.lookup(m.group())
        if entry is None or entry.confidence < floor:
            continue
        if _vetoed(body, m.start(), m.end(), entry):
            continue
        rec = record(entry.technique, m.start(), m.end(), body, entry.confidence)
        out.append(rec | {"method": "lexicon", "term": entry.term, "source": entry.source})
    return out


def designation_spans(
    body: str, designations: Iterable[dict[str, Any]], *, threshold: float | None = None
) -> list[dict[str, Any]]:
    """Name_Calling,Labeling spans for pejorative designations (the term, without the
    adjectives before it, which get their own loaded-word spans)."""
    floor = DEFAULT_THRESHOLD if threshold is None else threshold
    if floor > DESIGNATION_CONFIDENCE:
        return []
    out = []
    for d in designations:
        if d.get("class") != "pejorative":
            continue
        start, end = _term_span(body, d)
        rec = record("Name_Calling,Labeling", start, end, body, DESIGNATION_CONFIDENCE)
        out.append(rec | {"method": "lexicon", "term": d["term"], "source": "aliases.csv"})
    return out


def _term_span(body: str, d: dict[str, Any]) -> tuple[int, int]:
    """The designation's term within its mention; a quotation mark that opens inside the
    term ("the “Israeli” regime") is kept with its opening one."""
    start, end = int(d["start"]), int(d["end"])
    words = [re.escape(w) for w in re.split(r"[\s\-]+", str(d.get("term", ""))) if w]
    if not words:
        return start, end
    m = re.compile(r"[\s\-‐–\"“”‘’]+".join(words) + "$", re.I).search(body, start, end)
    if not m:
        return start, end
    first = m.start()
    if first > start and body[first - 1] in '“"‘' and any(c in '”"’' for c in m.group()):
        first -= 1
    return first, m.end()
