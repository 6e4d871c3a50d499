"""What a number counts: the counted noun, the event word, the category, the unit.

A number counts something only when the parse ties it to a count word of
``data/count_nouns.csv``: a count noun ("370 casualties"), a noun with its verb ("600 lives
lost"), an event whose argument it is ("wounding over 150 Palestinians", "dozens were
arrested", "the killing of 30", "left 40 wounded"), or a tally ("the death toll rose to 300").
A number tied to none ("five Palestinian groups") is not a claim.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc, Token

from presslens.claims.lexicon import Lexicon, Meaning, lexicon
from presslens.claims.numbers import Number

_COPULAS = frozenset({"be", "remain", "become", "go", "lie", "stay"})
_SECONDARY = frozenset({"oprd", "xcomp", "acomp", "ccomp", "advcl"})  # "left 40 wounded"
_CLAUSES = frozenset({"ROOT", "conj", "ccomp", "advcl"})  # a verb heading its own clause
_PREDICATIVE = frozenset({"acomp", "amod", "oprd", "attr"})  # "remain missing"
_OBJECTS = frozenset({"dobj", "obj", "ccomp", "xcomp", "prt"})  # "missing four games": the verb
_MEASURES = frozenset(
    {"away", "ago", "later", "earlier", "apart", "long", "wide", "tall", "high", "deep", "old"}
)
_STAND_INS = frozenset({"other", "others", "more", "they", "them", "those", "these"})
_RETRY = 2  # hops along "conj" / "including" to the noun that carries the event
_MERGED = {frozenset({"killed", "wounded"}): "casualties"}


@dataclass(slots=True)
class Counted:
    """What one number counts, and the tokens that say so."""

    counts: str
    unit: str
    stand_in: bool  # the unit is "others"/"them": callers may take the previous claim's
    first: int  # token span of the claim
    last: int
    anchor: Token  # the highest token of the claim in the parse (where sources are sought)
    keys: tuple[Token, ...]  # event / noun tokens, to group coordinated claims


def counted(doc: Doc, num: Number) -> Counted | None:
    """The category and unit ``num`` counts, or None when nothing ties it to a count word."""
    lex = lexicon()
    head = doc[num.head]
    inside = range(num.start, num.end)
    noun = head.head if head.dep_ in ("nummod", "quantmod", "nmod", "compound") else head
    if noun.i in inside or noun.pos_ in ("NUM", "ADP", "VERB", "AUX"):
        noun = head
    unit_tok: Token | None = None if noun.i in inside else noun
    if unit_tok is None:
        unit_tok = _of_object(noun)
        if unit_tok is not None and unit_tok.i in inside:  # "tens of thousands of people"
            unit_tok = _of_object(unit_tok)
    if unit_tok is not None and not _plausible_unit(doc, num, unit_tok):
        unit_tok = None
    if unit_tok is not None and _measure(doc, unit_tok):
        return None
    first, last = num.phrase_start, num.phrase_end - 1

    toll = _toll(lex, head, noun) if unit_tok is None else None
    if toll is not None:
        tally, meaning = toll
        mods = [c.i for c in tally.lefts if c.dep_ in ("compound", "amod")]
        t_first, t_last = min([first, tally.i, *mods]), max(last, tally.i)
        return Counted(meaning.counts, meaning.unit, False, t_first, t_last, tally, (tally,))

    noun_meaning = _noun_meaning(lex, unit_tok) if unit_tok is not None else None
    if num.weak and noun_meaning is None:
        return None
    pair = _pair(lex, unit_tok) if unit_tok is not None else None
    event = (*pair, None, True) if pair is not None else _event(lex, noun)
    if pair is not None:
        noun_meaning = None
    etok, emeaning, also, own = event if event is not None else (None, None, None, False)

    if noun_meaning is not None:
        meaning = noun_meaning
        keys: tuple[Token, ...] = (unit_tok,) if unit_tok is not None else ()
        anchor = noun
        if unit_tok is not None:
            first, last = min(first, unit_tok.i), max(last, unit_tok.i)
    elif emeaning is not None and etok is not None:
        meaning = emeaning
        counts = emeaning.counts
        if also is not None:
            other = _event_meaning(lex, also)
            if other is not None and other.counts != counts:
                counts = _MERGED.get(frozenset({counts, other.counts}), counts)
            first = min(first, also.i)
            meaning = Meaning(counts, emeaning.counted, emeaning.unit)
        if unit_tok is not None:
            first, last = min(first, unit_tok.i), max(last, unit_tok.i)
        if own:
            first, last = min(first, etok.i), max(last, etok.i)
        keys = (etok,) if also is None else (etok, also)
        anchor = etok if _is_ancestor(etok, noun) else noun
    else:
        return None

    unit, stand_in = _unit(lex, None if pair else unit_tok, meaning, inside)
    return Counted(meaning.counts, unit, stand_in, first, last, anchor, keys)


def _plausible_unit(doc: Doc, num: Number, tok: Token) -> bool:
    """A word in the number's own line, not a symbol or a stray token of broken text."""
    if not any(ch.isalpha() for ch in tok.text):
        return False
    lo, hi = sorted((tok.i, num.head))
    return "\n" not in doc[lo : hi + 1].text


def _measure(doc: Doc, unit_tok: Token) -> bool:
    """ "five buildings away", "three days later": a distance or a time, not a count."""
    nxt = unit_tok.i + 1
    return nxt < len(doc) and doc[nxt].lower_ in _MEASURES


def _lemma(tok: Token) -> str:
    return tok.lemma_.lower()


def _noun_meaning(lex: Lexicon, tok: Token) -> Meaning | None:
    """A count noun: "fatalities", "air strikes" (with its compound), "dead"."""
    if tok.pos_ in ("VERB", "AUX"):
        return None
    lemma = _lemma(tok)
    for child in tok.lefts:
        if child.dep_ == "compound":
            found = lex.nouns.get(f"{_lemma(child)} {lemma}")
            if found is not None:
                return found
    return lex.nouns.get(lemma) or lex.nouns.get(tok.lower_)


def _event_meaning(lex: Lexicon, tok: Token) -> Meaning | None:
    """The event a word names; its written form counts only as an adjective or participle
    ("missing" people, not "missing four games")."""
    found = lex.events.get(_lemma(tok))
    if found is None and (
        tok.pos_ in ("ADJ", "NOUN")
        or tok.tag_ == "VBN"
        or tok.dep_ in _PREDICATIVE
        or (tok.tag_ == "VBG" and not any(c.dep_ in _OBJECTS for c in tok.children))
    ):
        found = lex.events.get(tok.lower_)
    return found


def _of_object(tok: Token) -> Token | None:
    """The noun after "of" in "dozens of Palestinians", "30 of the wounded"."""
    for child in tok.rights:
        if child.dep_ == "prep" and child.lower_ == "of":
            for obj in child.children:
                if obj.dep_ == "pobj":
                    return obj
    return None


def _toll(lex: Lexicon, head: Token, noun: Token) -> tuple[Token, Meaning] | None:
    """A tally the number is the figure of: "the death toll rose to 300", "a toll of 300",
    "the toll is 300", "put the death toll at 300", "the number of dead reached 500"."""
    if head.i != noun.i:
        return None
    candidates: list[Token] = []
    gov = head.head
    if head.dep_ == "pobj" and gov.lower_ in ("to", "at", "of"):
        above = gov.head
        candidates.append(above)
        candidates.extend(c for c in above.children if c.dep_ in ("nsubj", "nsubjpass", "dobj"))
    elif head.dep_ in ("attr", "dobj", "oprd"):
        candidates.extend(c for c in gov.children if c.dep_ in ("nsubj", "nsubjpass"))
    for cand in candidates:
        if cand.i == head.i or cand.pos_ not in ("NOUN", "PROPN"):
            continue
        meaning = _toll_meaning(lex, cand)
        if meaning is not None:
            return cand, meaning
    return None


def _toll_meaning(lex: Lexicon, tally: Token) -> Meaning | None:
    lemma = _lemma(tally)
    qualifier = None
    for child in tally.lefts:
        if child.dep_ in ("compound", "amod"):
            found = lex.tolls.get(f"{_lemma(child)} {lemma}")
            if found is not None and found.counts:
                return found
            qualifier = qualifier or _noun_meaning(lex, child) or _event_meaning(lex, child)
    meaning = lex.tolls.get(lemma)
    if meaning is None:
        return None
    if meaning.counts:
        return meaning
    if qualifier is not None:
        return qualifier
    obj = _of_object(tally)
    if obj is not None:
        return _noun_meaning(lex, obj) or _event_meaning(lex, obj)
    return None


def _pair(lex: Lexicon, noun: Token) -> tuple[Token, Meaning] | None:
    """A noun that counts only with its verb: "600 lives lost", "claimed 30 lives"."""
    lemma = _lemma(noun)
    if not any(key[0] == lemma for key in lex.pairs):
        return None
    cands = [noun.head] if noun.dep_ in ("dobj", "obj", "nsubj", "nsubjpass") else []
    cands += [c for c in noun.children if c.dep_ in ("acl", "amod", "relcl")]
    if noun.dep_ in ("dobj", "obj"):
        cands += _secondary(noun)
    for cand in cands:
        meaning = lex.pairs.get((lemma, _lemma(cand)))
        if meaning is not None:
            return cand, meaning
    return None


def _secondary(obj: Token) -> list[Token]:
    """The predicate after an object: "left 40 wounded", "reported 600 lives lost" (the
    parser may call it oprd, xcomp, ccomp or advcl; an advcl must follow the object)."""
    after = obj.right_edge.i + 1
    return [
        c
        for c in obj.head.children
        if c.dep_ in _SECONDARY and c.i > obj.i and (c.dep_ != "advcl" or c.i == after)
    ]


def _event(lex: Lexicon, noun: Token) -> tuple[Token, Meaning, Token | None, bool] | None:
    """The event word whose argument ``noun`` is, with a coordinated event sharing it
    ("killed and injured scores"), following "conj"/"including" to the noun that has one;
    the flag says the event governs ``noun`` itself (not a noun it is coordinated with)."""
    tok = noun
    for hop in range(_RETRY + 1):
        found = _event_of(lex, tok)
        if found is not None:
            etok, meaning = found
            return etok, meaning, _shared(lex, etok, tok), hop == 0
        if tok.dep_ == "appos" and tok.pos_ == "NUM":
            return None  # "his two brothers, 17 and 22, were arrested": ages
        if tok.dep_ in ("conj", "appos") and tok.head.pos_ in ("NOUN", "PROPN", "NUM", "PRON"):
            tok = tok.head
        elif tok.dep_ == "pobj" and tok.head.lower_ in ("including", "among"):
            tok = tok.head.head
        else:
            return None
    return None


def _fits(meaning: Meaning | None, role: str) -> bool:
    if meaning is None:
        return False
    return meaning.counted == "either" or meaning.counted == role


def _event_of(lex: Lexicon, x: Token) -> tuple[Token, Meaning] | None:
    """One hop: ``x``'s governing event, the event modifying it, or ``x`` itself."""
    gov = x.head
    dep = x.dep_
    # "20 dead", "150 wounded": the count noun is the event adjective itself
    own = _event_meaning(lex, x)
    if (
        own is not None
        and own.counted == "either"
        and (x.pos_ in ("ADJ", "NOUN") or (x.pos_ == "VERB" and dep not in _CLAUSES))
    ):
        return x, own
    doc = x.doc
    for child in x.children:  # a participle on the noun says what befell it
        if child.dep_ not in ("acl", "amod"):
            continue
        lo, hi = sorted((x.i, child.i))
        if any(t.is_punct for t in doc[lo + 1 : hi]):
            continue  # "killed one person, injured dozens": a clause of its own
        cm = _event_meaning(lex, child)
        if cm is None:
            continue
        if child.tag_ in ("VBN", "JJ") and cm.counted in ("object", "either"):
            return child, cm  # "people killed", "injured people"
        if child.tag_ == "VBG" and cm.counted == "subject":
            return child, cm  # "people fleeing"
    if gov.i != x.i:
        meaning = _event_meaning(lex, gov)
        if dep in ("dobj", "obj", "nsubjpass") and _fits(meaning, "object"):
            return gov, meaning  # type: ignore[return-value]
        if dep == "nsubj" and meaning is not None:
            if _fits(meaning, "subject"):
                return gov, meaning
            # a reduced passive: "2,000 killed in ...", "250 others injured and ..."
            passive_like = gov.tag_ == "VBN" and not any(
                c.dep_ == "aux" or (c.dep_ == "dobj" and not _reduced(lex, c)) for c in gov.children
            )
            if meaning.counted == "object" and passive_like:
                return gov, meaning
        if dep == "nsubj" and _lemma(gov) in _COPULAS:
            for sib in gov.children:
                sm = _event_meaning(lex, sib)
                if sm is not None and sib.dep_ in ("acomp", "attr", "oprd") and _fits(sm, "either"):
                    return sib, sm  # "30 remain missing"
        if dep in ("dobj", "obj"):
            for sib in _secondary(x):
                sm = _event_meaning(lex, sib)
                if sm is not None and sm.counted in ("either", "object"):
                    return sib, sm  # "left 40 wounded", "left 3,000 homeless"
        if dep == "pobj" and gov.lower_ == "of" and gov.head.pos_ in ("NOUN", "PROPN"):
            event = gov.head
            em = _event_meaning(lex, event)
            if em is not None and event.pos_ != "VERB":
                return event, em  # "the killing of 30", "the arrest of 50"
    return None


def _reduced(lex: Lexicon, obj: Token) -> bool:
    """An "object" that is a clause of its own: "... and 800 homes destroyed"."""
    return any(c.dep_ == "acl" and _event_meaning(lex, c) is not None for c in obj.children)


def _shared(lex: Lexicon, etok: Token, x: Token) -> Token | None:
    """An event coordinated with ``etok`` that shares its object: "killed and injured 30"."""
    if x.head.i != etok.i or x.dep_ not in ("dobj", "obj"):
        return None
    if etok.dep_ == "conj" and etok.head.i < etok.i:
        other = etok.head
        if _fits(_event_meaning(lex, other), "object") and not any(
            c.dep_ in ("dobj", "obj", "nsubjpass") for c in other.children
        ):
            return other
    return None


def _is_ancestor(tok: Token, of: Token) -> bool:
    cur = of
    for _ in range(8):
        if cur.i == tok.i:
            return True
        if cur.head.i == cur.i:
            return False
        cur = cur.head
    return False


def _unit(
    lex: Lexicon, unit_tok: Token | None, meaning: Meaning, inside: range
) -> tuple[str, bool]:
    """The unit as written ("Palestinians", "Palestinian civilians", "homes"), or the
    category's default ("people") when the noun is the count word itself or missing."""
    if unit_tok is None or _noun_meaning(lex, unit_tok) is not None:
        return meaning.unit or "people", False
    if unit_tok.ent_type_ == "GPE":  # "4,500 U.S. dead": a place, not what is counted
        return meaning.unit or "people", False
    if unit_tok.lower_ in _STAND_INS or unit_tok.pos_ == "PRON":
        return meaning.unit or "people", True
    if _event_meaning(lex, unit_tok) is not None and unit_tok.pos_ in ("ADJ", "VERB"):
        return meaning.unit or "people", False
    doc = unit_tok.doc
    start = unit_tok.i
    while start - 1 >= 0 and start - 1 not in inside:
        left = doc[start - 1]
        if left.head.i != unit_tok.i or left.dep_ not in ("compound", "amod"):
            break
        if _event_meaning(lex, left) is not None:
            break
        start -= 1
    return doc[start : unit_tok.i + 1].text, False
