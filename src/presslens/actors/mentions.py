"""Token-level helpers: clean entity spans, the titles and descriptions around a person's name,
and the extent of a role description ("The spokesperson for Iran's Foreign Ministry")."""

from __future__ import annotations

from spacy.tokens import Doc, Span, Token

from presslens.actors.titles import NAME_TITLES, DocTitles, Title

NAME_LABELS = frozenset(
    {"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "EVENT", "WORK_OF_ART", "LAW", "PRODUCT"}
    | {"LANGUAGE"}
)
POSSESSIVE = frozenset({"’s", "'s", "’", "'"})
_ARTICLES = frozenset({"the", "a", "an"})
# May sit inside a role ("Chief of Staff of the ..."), not at its edge.
_INNER = frozenset({"of", "for", "the"})
_MODIFIER_DEPS = frozenset({"amod", "compound", "advmod", "npadvmod", "nmod", "poss", "case"})
_LEFT_DEPS = frozenset({"det", "amod", "compound", "poss", "nmod", "npadvmod", "advmod", "case"})
_LEFT_DEPS_NO_DET = _LEFT_DEPS - {"det"}
_QUOTE_PUNCT = frozenset("“”\"‘’'«»")


def chars(doc: Doc, i: int, j: int) -> tuple[int, int]:
    """Body offsets of tokens ``i``..``j-1``."""
    last = doc[j - 1]
    return doc[i].idx, last.idx + len(last.text)


def clean_entity(ent: Span) -> tuple[int, int] | None:
    """An entity without a leading article, trailing possessive, punctuation or line breaks;
    a person's ends at its possessive ("Khamenei's Advisor" -> "Khamenei")."""
    doc = ent.doc
    i, j = ent.start, ent.end
    while i < j and (doc[i].lower_ in _ARTICLES or doc[i].is_punct or doc[i].is_space):
        i += 1
    if ent.label_ == "PERSON":
        j = next((k for k in range(i + 1, j) if doc[k].text in POSSESSIVE), j)
    while j > i and (doc[j - 1].is_punct or doc[j - 1].is_space or doc[j - 1].text in POSSESSIVE):
        j -= 1
    if not any(t.text[:1].isupper() for t in doc[i:j]):
        return None  # "mosques": not a name
    return (i, j) if j > i else None


def _is_name_title(found: tuple[Title, int] | None, kinds: frozenset[str]) -> bool:
    return found is not None and found[0].kind in kinds


def _in_phrase(tok: Token, lo: int, hi: int) -> bool:
    """Does ``tok`` modify something inside tokens lo..hi (the role phrase or the name)?"""
    return lo <= tok.head.i < hi and tok.dep_ in _MODIFIER_DEPS | {"prep", "pobj", "det"}


def ranks_before(titles: DocTitles, start: int, floor: int) -> int:
    """First token of the ranks and honorifics right before a name ("Major General", "Ayatollah
    Seyyed"): written capitalised, directly before it."""
    doc = titles.doc
    i = start
    while i > floor:
        found = titles.ending_at(i - 1, floor)
        if not _is_name_title(found, frozenset({"rank", "honorific"})):
            break
        first = found[1]  # type: ignore[index]
        if not (doc[first].is_title or doc[first].is_upper):
            break
        i = first
    return i


def role_before(titles: DocTitles, end: int, name_end: int, floor: int) -> tuple[int, int] | None:
    """The role phrase ending at token ``end`` (exclusive) before a name: (start, role start),
    where start includes a leading "the". None when the phrase holds no office or rank."""
    doc = titles.doc
    k = end - 1
    has_title = False
    while k >= floor:
        tok = doc[k]
        found = titles.ending_at(k, floor)
        if _is_name_title(found, NAME_TITLES) and (
            tok.is_title or tok.is_upper or tok.pos_ in ("NOUN", "ADJ")
        ):
            has_title = True
            k = found[1] - 1  # type: ignore[index]
            continue
        if tok.text in POSSESSIVE or tok.text in ("-", "‐"):
            k -= 1
            continue
        if tok.lower_ == "the":  # inside "of the Iranian Armed Forces"; at the edge it ends
            if k > floor and doc[k - 1].lower_ in ("of", "for"):
                k -= 1
                continue
            break
        if tok.lower_ in ("of", "for"):
            k -= 1
            continue
        if (tok.is_title or tok.is_upper) and tok.pos_ in ("PROPN", "ADJ", "NOUN"):
            k -= 1
            continue
        if (
            tok.is_lower
            and tok.pos_ in ("ADJ", "ADV", "NOUN", "VERB")
            and _in_phrase(tok, k + 1, name_end)
        ):
            k -= 1
            continue
        break
    start = k + 1
    while start < end and doc[start].lower_ in _INNER | POSSESSIVE:
        start += 1
    if not has_title or start >= end:
        return None
    outer = start - 1 if start > floor and doc[start - 1].lower_ == "the" else start
    return outer, start


def apposition_after(titles: DocTitles, name_start: int, name_end: int) -> tuple[int, int] | None:
    """The role in apposition after a name (", head of the political bureau of Hamas,")."""
    doc = titles.doc
    for tok in doc[name_start:name_end]:
        for child in tok.rights:
            if child.dep_ != "appos" or child.i < name_end:
                continue
            found = titles.ending_at(child.i, child.i)
            if not _is_name_title(found, frozenset({"office", "rank"})):
                continue
            i, j = child.left_edge.i, child.right_edge.i + 1
            while j > i and (doc[j - 1].is_punct or doc[j - 1].is_space):
                j -= 1
            if i > name_end and all(t.is_punct for t in doc[name_end:i]):
                return i, j
    return None


def description_span(tok: Token, with_det: bool = True) -> tuple[int, int]:
    """Tokens of the noun phrase a role noun heads: its pre-modifiers (and "the"), and an
    of/for phrase that names something ("for Iran's Foreign Ministry")."""
    deps = _LEFT_DEPS if with_det else _LEFT_DEPS_NO_DET
    start = tok.i
    for child in sorted(tok.lefts, key=lambda t: -t.i):
        if child.dep_ not in deps or child.right_edge.i != start - 1:
            break
        start = child.left_edge.i
    end = tok.i + 1
    for child in tok.rights:
        if child.i != end:
            break
        if (
            child.dep_ == "prep"
            and child.lower_ in ("of", "for")
            and any(t.is_title for t in child.subtree if t.i > child.i)
        ):
            end = child.right_edge.i + 1
        break
    doc = tok.doc
    while end > tok.i + 1 and (doc[end - 1].is_punct or doc[end - 1].is_space):
        end -= 1
    while start < tok.i and (doc[start].is_punct and doc[start].text not in _QUOTE_PUNCT):
        start += 1
    return start, end


def is_definite(tok: Token) -> bool:
    """A definite role noun: "the commander", "Iran's ... commander" (not "a commander", not
    "his father")."""
    for child in tok.lefts:
        if child.dep_ == "det" and child.lower_ == "the":
            return True
        if child.dep_ == "poss" and child.pos_ in ("PROPN", "NOUN"):
            return True
    return False
