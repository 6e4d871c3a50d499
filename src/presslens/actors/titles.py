"""Titles, ranks and role nouns (``data/titles.txt``): what to strip from a name, what to keep
as a role, and which roles a description like "the top general" can stand for."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from spacy.tokens import Doc

from presslens.resources import read_csv

NAME_TITLES = frozenset({"honorific", "rank", "office"})  # kinds written before a person's name
_SKIP = frozenset({"-", "‐", "–"})  # hyphens inside a title ("secretary-general") are spaces


@dataclass(frozen=True)
class Title:
    words: tuple[str, ...]
    kind: str  # honorific | rank | office | group | document
    classes: frozenset[str]


def norm_word(text: str) -> str:
    """A token as titles.txt writes it: lowercase, no abbreviation dot."""
    return text.lower().rstrip(".")


@cache
def table() -> dict[tuple[str, ...], Title]:
    out: dict[tuple[str, ...], Title] = {}
    for row in read_csv("titles.txt"):
        words = tuple(norm_word(w) for w in row["title"].replace("-", " ").split())
        classes = frozenset(c for c in row["class"].split("|") if c and c != "none")
        out[words] = Title(words, row["kind"], classes)
    return out


@cache
def _max_len() -> int:
    return max(len(w) for w in table())


@cache
def _last_words() -> frozenset[str]:
    return frozenset(words[-1] for words in table())


class DocTitles:
    """Titles ending at each token of one parsed article, looked up once per token."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.words = ["" if t.text in _SKIP else norm_word(t.text) for t in doc]
        self._cache: dict[int, list[tuple[Title, int]]] = {}

    def _matches(self, end: int) -> list[tuple[Title, int]]:
        found = self._cache.get(end)
        if found is not None:
            return found
        found = []
        if self.words[end] in _last_words():
            key: tuple[str, ...] = ()
            i = end
            limit = _max_len()
            while i >= 0 and len(key) < limit:
                if self.words[i]:
                    key = (self.words[i], *key)
                    title = table().get(key)
                    if title is not None:
                        found.append((title, i))
                i -= 1
        self._cache[end] = found
        return found

    def ending_at(self, end: int, floor: int = 0) -> tuple[Title, int] | None:
        """Longest title whose last word is token ``end`` and first word at or after token
        ``floor``: (title, index of its first token)."""
        best = None
        for title, first in self._matches(end):
            if first >= floor:
                best = (title, first)
        return best


def word_title(text: str) -> Title | None:
    """The title a single word is, if any ("Ayatollah", "spokesman")."""
    return table().get((norm_word(text),))


def classes_of(text: str) -> frozenset[str]:
    """Role classes named in a role text: the classes of every title in it, longest first."""
    words = [norm_word(w) for w in text.replace("-", " ").replace("’s", " ").split()]
    found: set[str] = set()
    i = 0
    while i < len(words):
        for n in range(min(_max_len(), len(words) - i), 0, -1):
            title = table().get(tuple(words[i : i + n]))
            if title is not None and title.kind in ("rank", "office"):
                found |= title.classes
                i += n
                break
        else:
            i += 1
    return frozenset(found)


def strip_titles(words: list[str], keep: int = 1) -> int:
    """How many leading words of a person name are titles (or Seyyed-like honorifics),
    leaving at least ``keep`` words."""
    i = 0
    while i < len(words) - keep:
        for n in range(min(_max_len(), len(words) - keep - i), 0, -1):
            title = table().get(tuple(norm_word(w) for w in words[i : i + n]))
            if title is not None and title.kind in NAME_TITLES:
                i += n
                break
        else:
            break
    return i
