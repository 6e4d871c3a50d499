"""Person-name normalisation and keys, on top of rigour (OpenSanctions' name library).

Transliterations of one name differ in spelling ("Baqeri"/"Bagheri", "Mohammad"/"Muhammad",
"Seyyed"/"Sayyid", "Ziyad"/"Ziad"), so names are compared by rigour's metaphone of each
part, after titles (data/titles.txt) and rigour's person prefixes are stripped and Arabic/Dutch
particles ("al", "bin", "van") dropped. A cross-article key is given name + surname: middle
names come and go ("Mohammad Bagheri" is "Mohammad Hossein Baqeri").
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from rigour.names import normalize_name, remove_org_prefixes, remove_person_prefixes, tokenize_name
from rigour.text.phonetics import metaphone
from rigour.text.translit import ascii_text

from presslens.actors.titles import norm_word, strip_titles, table

PARTICLES = frozenset(
    [
        "al",
        "el",
        "ul",
        "ud",
        "bin",
        "ben",
        "ibn",
        "bint",
        "van",
        "von",
        "der",
        "den",
        "de",
        "da",
        "del",
        "della",
        "di",
        "du",
        "la",
        "le",
    ]
)
_DOUBLE = re.compile(r"(.)\1+")
_GLIDE = re.compile(r"(?<=[aeiou])y(?=[aeiou])")  # Ziyad/Ziad, Seyed/Seed, Haniyeh/Hanieh
_APOS = str.maketrans({"’": "'", "‘": "'"})


def person_words(name: str) -> list[str]:
    """The name's words without leading titles and honorifics ("Major General", "Seyyed")."""
    words = []
    for word in name.translate(_APOS).split():
        pieces = word.split("-")
        hyphenated_title = len(pieces) > 1 and tuple(norm_word(p) for p in pieces) in table()
        words.extend(pieces if hyphenated_title else [word])
    words = words[strip_titles(words) :]
    rest = remove_person_prefixes(" ".join(words))
    return rest.split() if rest.strip() else words


@lru_cache(maxsize=4096)
def _phon(part: str) -> str:
    folded = _GLIDE.sub("", _DOUBLE.sub(r"\1", part))
    return metaphone(folded) or folded


@lru_cache(maxsize=4096)
def name_parts(name: str) -> tuple[str, ...]:
    """Phonetic parts of a person's name, particles dropped: ("MHMT", "HSN", "BKR")."""
    tokens = tokenize_name(ascii_text(" ".join(person_words(name))).casefold())
    kept = [t for t in tokens if t not in PARTICLES] or tokens
    return tuple(_phon(t) for t in kept if t)


@lru_cache(maxsize=4096)
def name_tokens(name: str) -> tuple[str, ...]:
    """Spelled parts of a person's name (ASCII, lowercase, titles and particles dropped):
    within one article a name is compared as written, so "Canada" never meets "Kennedy"."""
    tokens = tokenize_name(ascii_text(" ".join(person_words(name))).casefold())
    return tuple(t for t in tokens if t not in PARTICLES) or tuple(tokens)


def same_person(short: tuple[str, ...], long: tuple[str, ...]) -> bool:
    """Can ``short`` name the person called ``long``? Same surname, the rest in order."""
    if not short or not long or len(short) > len(long) or short[-1] != long[-1]:
        return False
    it = iter(long[:-1])
    return all(part in it for part in short[:-1])


@lru_cache(maxsize=4096)
def actor_key(name: str, type: str = "PERSON") -> str:
    """Cross-article key of an actor's canonical name.

    People: metaphone of given name and surname ("MHMT BKR" for "Mohammad Hossein Baqeri",
    "Muhammad Bagheri" and "Major General Mohammad Bagheri"); a lone surname keys on itself.
    Others: rigour's normalised name without a leading article ("united states").
    """
    if type == "PERSON":
        parts = name_parts(name)
        if parts:
            return f"{parts[0]} {parts[-1]}" if len(parts) > 1 else parts[0]
    return normalize_name(remove_org_prefixes(name.translate(_APOS))) or name.casefold()


@cache
def dictionary() -> frozenset[str]:
    """English words of the shared spaCy model's lemmatizer index (WordNet-derived)."""
    try:
        from presslens.nlp import load_model

        table = load_model().get_pipe("lemmatizer").lookups.get_table("lemma_index")
    except (KeyError, RuntimeError, ValueError):
        return frozenset()
    return frozenset(w for pos in table for w in table[pos])


def is_given_name(word: str, known: frozenset[str] = frozenset(), lemma: str = "") -> bool:
    """Can ``word``, written right before a surname, be its bearer's first name? Yes when the
    article uses it so in a full name (``known``), or when it is a capitalised word that is no
    English dictionary word: "Saeed" in "Foreign Ministry Saeed Khatibzadeh", not "Ministry".
    (rigour's given-name tagger would know more names, but building it costs seconds.)"""
    if len(word) < 2 or not word[:1].isupper() or not word[1:].islower():
        return False
    if word in known:
        return True
    words = dictionary()
    return word.lower() not in words and lemma.lower() not in words
