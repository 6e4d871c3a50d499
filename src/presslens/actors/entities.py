"""Passes 1-3: alias-table hits, spaCy's entities (people first), names spaCy missed."""

from __future__ import annotations

import re
from collections import Counter

from presslens.actors import aliases
from presslens.actors.mentions import NAME_LABELS, chars, clean_entity
from presslens.actors.names import actor_key, dictionary, is_given_name, name_tokens, same_person
from presslens.actors.state import Actor, Base, Mention
from presslens.actors.titles import NAME_TITLES, strip_titles, word_title


class NamePasses(Base):
    # -- 1. alias table -------------------------------------------------------------------
    def alias_hits(self) -> None:
        self.hits = aliases.find_hits(self.body, self.doc)
        for h in self.hits:
            if h.row.type == "PERSON":
                self.person_hits.append(h)
                continue
            actor = self.canon_actor(h.row.canonical, h.row.type)
            text = self.body[h.start : h.end]
            if h.row.type == "NORP":
                form, start = "demonym", h.start
            elif h.row.cls == "neutral" and _name_like(text):
                form, start = "name", h.start
            else:
                form, start = "alias", h.text_start
            self.add(actor, start, h.end, form, h.row.type)
            self.hit_mentions.append((h, actor, actor.mentions[-1]))
            self.accepted.append(h)

    def _keep_entity(self, start: int, end: int, label: str) -> bool:
        """An entity that clashes with a designation gives way to it ("Zionist" in "Zionist
        regime"); one that holds a name from the table keeps it nested ("Iranian" in "the
        Iranian Armed Forces", "al-Quds" in "Operation al-Quds Sword") unless the names fill
        it; a person's name drops the table names inside it ("MaliVai Washington")."""
        if any(h.start < end and start < h.end for h in self.person_hits):
            return False  # "the Iranian Supreme Leader" is the office's holder, not an ORG
        inside = []
        for rec in self.hit_mentions:
            h, _, mention = rec
            if not (h.start < end and start < h.end):
                continue
            nested = start <= h.start and h.end <= end and end - start > h.end - h.start
            if not nested or mention.form == "alias":
                return False
            inside.append(rec)
        if not inside:
            return True
        if label == "PERSON":
            for rec in inside:
                self._drop_hit(rec)
            return True
        rest = list(self.body[start:end])
        for h, _, _ in inside:
            rest[h.start - start : h.end - start] = " " * (h.end - h.start)
        return any(c.isalpha() for c in rest)

    def _drop_hit(self, rec: tuple[aliases.Hit, Actor, Mention]) -> None:
        h, actor, mention = rec
        if mention in actor.mentions:
            actor.mentions.remove(mention)
        if h in self.accepted:
            self.accepted.remove(h)
        self.taken[mention.start : mention.end] = bytes(mention.end - mention.start)

    # -- 2. entities ----------------------------------------------------------------------
    def entities(self) -> None:
        person: list[tuple[int, int]] = []
        other: list[tuple[int, int, str]] = []
        for ent in self.doc.ents:
            if ent.label_ not in NAME_LABELS:
                continue
            cleaned = clean_entity(ent)
            if cleaned is None:
                continue
            i, j = cleaned
            if not self._keep_entity(*chars(self.doc, i, j), ent.label_):
                continue
            if ent.label_ == "PERSON":
                named = self.person_name(i, j)
                if named is not None:
                    person.append(named)
            else:
                other.append((i, j, ent.label_))
        self.given = frozenset(
            self.doc[i].text
            for i, j in person
            if j - i > 1 and word_title(self.doc[i].text) is None
        )
        person, other = self._vote_labels(person, other)
        self.people(person)
        held = self.others(other)
        self.lone_names(held)

    def _vote_labels(
        self, person: list[tuple[int, int]], other: list[tuple[int, int, str]]
    ) -> tuple[list[tuple[int, int]], list[tuple[int, int, str]]]:
        """One label per name per article, by majority: "Sri Lanka" tagged PERSON once and GPE
        three times is a place everywhere. A one-word name given a PERSON label at least once
        also counts the given names written before it ("Saeed Khatibzadeh") as two votes, so
        "Khatibzadeh" (ORG, PERSON, ORG) is a person. Ties keep spaCy's labels."""
        doc, body = self.doc, self.body

        def text(i: int, j: int) -> str:
            return body[slice(*chars(doc, i, j))]

        votes: dict[str, Counter[str]] = {}
        for i, j in person:
            votes.setdefault(text(i, j), Counter())["PERSON"] += 1
        for i, j, label in other:
            votes.setdefault(text(i, j), Counter())[label] += 1
        winner: dict[str, str] = {}
        for name, count in votes.items():
            if len(count) < 2:
                continue
            if " " not in name and count["PERSON"]:
                count["PERSON"] += 2 * self._given_name_before(name)
            ranked = count.most_common()
            if ranked[0][1] > ranked[1][1]:
                winner[name] = ranked[0][0]
        if not winner:
            return person, other
        new_person = [(i, j) for i, j in person if winner.get(text(i, j), "PERSON") == "PERSON"]
        new_other = [(i, j, lab) for i, j, lab in other if winner.get(text(i, j), lab) == lab]
        for i, j in person:
            label = winner.get(text(i, j), "PERSON")
            if label != "PERSON":
                new_other.append((i, j, label))
        for i, j, label in other:
            won = winner.get(text(i, j), label)
            if won == "PERSON" and label != "PERSON":
                named = self.person_name(i, j)
                if named is not None:
                    new_person.append(named)
            elif won != label:
                new_other.append((i, j, won))
        return new_person, new_other

    def _given_name_before(self, text: str) -> bool:
        for m in re.finditer(rf"(?<![\w\-]){re.escape(text)}(?!\w)", self.body):
            span = self.doc.char_span(m.start(), m.end())
            if span is None or span.start == 0:
                continue
            prev = self.doc[span.start - 1]
            if (
                prev.pos_ == "PROPN"
                and word_title(prev.text) is None
                and prev.tag_ == "NNP"
                and is_given_name(prev.text, self.given, prev.lemma_)
            ):
                return True
        return False

    def person_name(self, i: int, j: int) -> tuple[int, int] | None:
        """Name tokens of a PERSON entity: titles inside it stripped, given names spaCy left
        outside it added."""
        doc = self.doc
        words = [t.text for t in doc[i:j]]
        ni = i + strip_titles(words)
        if j - ni == 1:  # titles only ("Ayatollah Seyyed"); a lone "King" may be a surname
            found = word_title(doc[ni].text)
            if (
                found is not None
                and found.kind in NAME_TITLES
                and (j - i > 1 or found.kind != "office")
            ):
                return None
        sent_start = doc[ni].sent.start
        while (
            ni > sent_start
            and doc[ni - 1].pos_ == "PROPN"
            and word_title(doc[ni - 1].text) is None
            and doc[ni - 1].tag_ == "NNP"
            and is_given_name(doc[ni - 1].text, self.given, doc[ni - 1].lemma_)
            and not self.overlaps(*chars(doc, ni - 1, ni))
        ):
            ni -= 1
        return ni, j

    def attach_person(self, i: int, j: int) -> Actor | None:
        """Put a personal name on its actor: the most recent one it can name."""
        text = self.body[slice(*chars(self.doc, i, j))]
        parts = name_tokens(text)
        if not parts:
            return None
        start = self.doc[i].idx
        best: Actor | None = None
        best_pos = -1
        for actor in self.by_surname.get(parts[-1], ()):
            if same_person(parts, actor.parts) or same_person(actor.parts, parts):
                before = [m.start for m in actor.mentions if m.start < start]
                pos = max(before) if before else -1
                if best is None or pos > best_pos:
                    best, best_pos = actor, pos
        return best

    def set_parts(self, actor: Actor, parts: tuple[str, ...]) -> None:
        if actor.parts and actor in self.by_surname.get(actor.parts[-1], []):
            self.by_surname[actor.parts[-1]].remove(actor)
        actor.parts = parts
        if parts:
            self.by_surname.setdefault(parts[-1], []).append(actor)

    def put_name(self, actor: Actor, i: int, j: int, label: str) -> None:
        s, e = chars(self.doc, i, j)
        text = self.body[s:e]
        parts = name_tokens(text)
        if len(parts) > len(actor.parts):
            self.set_parts(actor, parts)
        actor.person_names.append(text)
        self.add(actor, s, e, "name", label)
        self.name_tokens.append((i, j, actor))

    def people(self, names: list[tuple[int, int]]) -> None:
        names = sorted(set(names))
        texts = {n: self.body[slice(*chars(self.doc, *n))] for n in names}
        multi = [n for n in names if len(name_tokens(texts[n])) >= 2]
        single = [n for n in names if len(name_tokens(texts[n])) == 1]
        for i, j in multi:
            actor = self.attach_person(i, j)
            if actor is None:
                actor = self.new("PERSON")
            self.put_name(actor, i, j, "PERSON")
        self._singles = single

    def others(self, ents: list[tuple[int, int, str]]) -> list[tuple[int, int]]:
        held: list[tuple[int, int]] = []
        for i, j in self._singles:
            actor = self.attach_person(i, j)
            if actor is not None:
                self.put_name(actor, i, j, "PERSON")
            else:
                held.append((i, j))
        for i, j, label in ents:
            s, e = chars(self.doc, i, j)
            text = self.body[s:e]
            proper = all(t.is_title or t.is_upper or not t.is_alpha for t in self.doc[i:j])
            if proper and j - i <= 3:
                actor = self.attach_person(i, j)
                if actor is not None:
                    self.put_name(actor, i, j, label)
                    continue
            k = "n:" + _entity_key(text, label)
            actor = self.by_key.get(k)
            if actor is None:
                actor = self.by_key[k] = self.new(label, name=text)
            elif len(text) > len(actor.name or ""):
                actor.name = text
            self.add(actor, s, e, "name", label)
        return held

    def lone_names(self, held: list[tuple[int, int]]) -> None:
        """Personal names with no full name in the article ("Khamenei")."""
        for i, j in held:
            s, e = chars(self.doc, i, j)
            other = self.by_key.get("n:" + _entity_key(self.body[s:e], "PERSON"))
            if other is not None:
                self.add(other, s, e, "name", "PERSON")
                continue
            actor = self.attach_person(i, j) or self.new("PERSON")
            self.put_name(actor, i, j, "PERSON")

    # -- 3. names spaCy missed --------------------------------------------------------------
    def sweep(self) -> None:
        """Find further occurrences of the article's names. A one-word name is only looked for
        when it is no English word or the model found it at least twice ("Men" tagged once in a
        results table is not a name everywhere)."""
        seen = Counter(
            self.body[m.start : m.end] for a in self.actors for m in a.mentions if m.form == "name"
        )
        targets: dict[str, Actor] = {}

        def want(text: str) -> bool:
            if not any(c.isalpha() for c in text):
                return False
            return " " in text or seen[text] >= 2 or text.lower() not in dictionary()

        for actor in self.actors:
            if actor.type == "PERSON":
                for text in actor.person_names:
                    if want(text):
                        targets.setdefault(text, actor)
                if actor.person_names:
                    longest = max(actor.person_names, key=lambda t: len(t.split()))
                    last = longest.split()[-1]
                    if (
                        len(last) >= 3
                        and last[:1].isupper()
                        and word_title(last) is None
                        and want(last)
                    ):
                        targets.setdefault(last, actor)
            else:
                for m in actor.mentions:
                    text = self.body[m.start : m.end]
                    if m.form == "name" and m.label != "NORP" and len(text) >= 3 and want(text):
                        targets.setdefault(text, actor)
        if not targets:
            return
        pattern = re.compile(
            r"(?<![\w\-])(?:"
            + "|".join(re.escape(t) for t in sorted(targets, key=len, reverse=True))
            + r")(?!\w)"
        )
        for m in pattern.finditer(self.body):
            if self.overlaps(m.start(), m.end()):
                continue
            span = self.doc.char_span(m.start(), m.end(), alignment_mode="contract")
            actor = targets[m.group()]
            if span is None or not len(span):
                continue
            if actor.type == "PERSON":
                named = self.person_name(span.start, span.end)
                if named is not None:
                    text = self.body[slice(*chars(self.doc, *named))]
                    parts = name_tokens(text)
                    if not (same_person(parts, actor.parts) or same_person(actor.parts, parts)):
                        actor = self.attach_person(*named) or self.new("PERSON")
                    self.put_name(actor, *named, "")
            else:
                self.add(actor, m.start(), m.end(), "name", "")


def _entity_key(text: str, label: str) -> str:
    text = text.replace("’", "'")
    if label in ("NORP", "PERSON") and text.endswith("s") and len(text) > 4:
        text = text[:-1]  # "Muslims" = "Muslim"
    return actor_key(text, "X")


def _name_like(text: str) -> bool:
    words = [w.strip("“”\"‘’'") for w in text.split()]
    return all(w and (w[0].isupper() or w.split("-")[-1][:1].isupper()) for w in words)
