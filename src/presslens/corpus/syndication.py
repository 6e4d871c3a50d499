"""Syndication: which articles are copies of which, and what the copy changed.

Articles arrive one at a time (``SyndicationIndex.add``). Three kinds of copy are found:

- exact: the same body once case, whitespace and punctuation are folded;
- near: MinHash-LSH (datasketch) on word shingles proposes candidates, kept when the exact
  shingle-set Jaccard reaches ``SynParams.near``;
- contained: most words of the shorter text lie inside shingles the longer one also has
  while Jaccard is low (a trimmed copy inside its origin, or a wire story embedded in a
  longer page). Candidates come from an inverted index of content-defined fingerprints (the
  shingle hashes that are 0 modulo ``fp_mod``, so a passage keeps the same fingerprints
  wherever it is embedded); counting shared fingerprints estimates containment both ways.

A text that follows a template (same wording, new figures: market reports, results tables)
is not a copy: when the shorter text has figures, most must recur in the longer one.

Every candidate is verified on the exact shingle sequences before an edge is kept, so MinHash and
fingerprint sampling only decide what is compared, never what is linked. Groups and origins
are computed over the whole edge graph when asked (``links``/``groups``): the origin of a
group is its earliest-published member (unknown dates last, ties by arrival order), so an
earlier-dated copy that arrives later becomes the origin. Each copy is checked against its
group's origin directly; one that only matches another copy (edits piled on edits) links to
that copy instead, and ``Link.group`` still names the group's origin.

What is kept per article is token hashes (32-bit, stable across runs), paragraph and
sentence starts, the title, the date and the MinHash signature; ``to_state`` writes that and
the verified edges as bytes (an ``.npz`` archive, no pickle) for a DuckDB BLOB, and
``from_state`` rebuilds the LSH and fingerprint index from the stored signatures and hashes.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import io
import json
import re
import zlib
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np
from datasketch import MinHash, MinHashLSH

from presslens.model import Article

__all__ = [
    "Group",
    "Link",
    "SynDoc",
    "SynParams",
    "SyndicationIndex",
    "syn_doc",
]

WORD = re.compile(r"\w+")
TOKEN = re.compile(r"\w+|[\x00\x01]")
MARKERS = re.compile(r"[\x00\x01]")
PARAGRAPH = re.compile(r"\s*\n\s*")
# A sentence ends at . ! ? (with closing quotes/brackets) before an upper-case letter or digit.
SENTENCE = re.compile(r"[.!?][\"'’”)\]]*\s+(?=[\"'‘“(\[]?[A-Z0-9])")
U32 = np.uint32
U64 = np.uint64
_M64 = (U64(0xFF51AFD7ED558CCD), U64(0xC4CEB9FE1A85EC53))
_M32 = (U32(0x85EBCA6B), U32(0xC2B2AE35))
_SHINGLE_MUL = U64(0x100000001B3)  # FNV-64 prime: odd, so the polynomial keeps order
_STATE_VERSION = 1
Kind = Literal["exact", "near", "contained"]


@dataclass(frozen=True)
class SynParams:
    """Every threshold of syndication detection (defaults tuned on Reuters, bench seed 1)."""

    shingle: int = 5  # words per shingle
    num_perm: int = 128  # MinHash permutations
    seed: int = 1  # MinHash permutation seed
    lsh_threshold: float = 0.7  # LSH candidate threshold (estimated Jaccard)
    near: float = 0.6  # exact shingle Jaccard for a near copy
    contained: float = 0.85  # share of the shorter text's words inside shared shingles
    numbers: float = 0.5  # share of the shorter text's number tokens the longer must have
    numbers_min: int = 3  # ... checked when the shorter text has at least this many
    fp_mod: int = 4  # fingerprints: shingle hashes that are 0 modulo this
    fp_candidate: float = 0.5  # estimated containment (either way) that makes a candidate
    fp_max_postings: int = 500  # a fingerprint in more articles than this is boilerplate
    max_candidates: int = 50  # candidates verified per article, most shared fingerprints first
    min_tokens: int = 20  # shorter bodies are kept but never linked
    unit_kept: float = 0.5  # a paragraph/sentence is present when this share of it is covered
    embedded_max: float = 0.55  # embedded: the origin covers at most this share of the copy


@dataclass
class SynDoc:
    id: str
    title: str | None
    body: str
    published: datetime.date | None


@dataclass
class Link:
    """``copy`` is a copy of ``origin``; figures are exact, from the shingle sets.

    ``origin`` is the group's origin (``group``) when the copy matches it directly, else the
    earliest article the copy does match (a copy of a copy that drifted too far).
    """

    copy: str
    origin: str
    group: str
    kind: Kind
    similarity: float  # shingle-set Jaccard
    containment: float  # share of the shorter text's words inside shingles the longer has
    edits: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Group:
    origin: str
    members: list[str]  # copies, in arrival order


def syn_doc(article: Article) -> SynDoc:
    """The parts of an analysed article syndication needs (a date only at day precision)."""
    published = None
    value = article.published.value
    if value is not None and article.published.precision == "day":
        published = _as_date(value)
    title = article.title.value
    return SynDoc(
        id=article.id,
        title=title if isinstance(title, str) else None,
        body=article.body or "",
        published=published,
    )


def _as_date(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def _fmix64(x: np.ndarray) -> np.ndarray:
    x = x ^ (x >> U64(33))
    x = x * _M64[0]
    x = x ^ (x >> U64(33))
    x = x * _M64[1]
    return x ^ (x >> U64(33))


def _fmix32(x: np.ndarray) -> np.ndarray:
    """MurmurHash3 finalizer, as datasketch's affine32 scheme pre-mixes its input."""
    x = x ^ (x >> U32(16))
    x = x * _M32[0]
    x = x ^ (x >> U32(13))
    x = x * _M32[1]
    return x ^ (x >> U32(16))


def tokenize(body: str) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Folded words of ``body`` and the token index where each paragraph / sentence starts.

    Boundaries become marker tokens (control characters, which sort before every word
    character) so that one ``findall`` over the whole body does the tokenising.
    """
    if "\x00" in body or "\x01" in body:
        body = MARKERS.sub(" ", body)
    text = SENTENCE.sub(" \x00 ", PARAGRAPH.sub(" \x01 ", body)).casefold()
    words: list[str] = []
    paras: list[int] = []
    sents: list[int] = []
    new_para = new_sent = True
    for tok in TOKEN.findall(text):
        if tok < "0":
            new_sent = True
            new_para = new_para or tok == "\x01"
            continue
        if new_sent:
            sents.append(len(words))
            new_sent = False
            if new_para:
                paras.append(len(words))
                new_para = False
        words.append(tok)
    return words, np.array(paras, dtype=np.int32), np.array(sents, dtype=np.int32)


class _Vocab(dict[str, int]):
    """Word -> crc32 (stable across processes, unlike ``hash``), computed once per word."""

    def __missing__(self, word: str) -> int:
        value = zlib.crc32(word.encode())
        if len(self) < 500_000:  # bounded memory; a miss only costs a crc32
            self[word] = value
        return value


_VOCAB = _Vocab()


def token_hashes(words: list[str]) -> np.ndarray:
    """Stable 32-bit hash per word."""
    return np.fromiter(map(_VOCAB.__getitem__, words), dtype=U32, count=len(words))


def number_hashes(words: list[str], tokens: np.ndarray) -> np.ndarray:
    """Sorted distinct hashes of the tokens that are not all letters (figures, dates)."""
    alpha = np.fromiter(map(str.isalpha, words), dtype=bool, count=len(words))
    return np.unique(tokens[~alpha])


def shingle_seq(tokens: np.ndarray, k: int) -> np.ndarray:
    """Hash of every run of ``k`` tokens, in text order (empty when fewer than k tokens)."""
    m = len(tokens) - k + 1
    if m <= 0:
        return np.zeros(0, dtype=U32)
    x = _fmix64(tokens.astype(U64) + U64(0x9E3779B97F4A7C15))
    acc = x[:m].copy()
    for j in range(1, k):
        acc = acc * _SHINGLE_MUL + x[j : j + m]
    return (_fmix64(acc) >> U64(32)).astype(U32)


def minhash_values(shingles: np.ndarray, perms: np.ndarray) -> np.ndarray:
    """MinHash of a shingle-hash set, the same values as datasketch's affine32 update_batch."""
    a, b = perms[0][:, None], perms[1][:, None]
    out = np.full(len(a), np.iinfo(U32).max, dtype=U32)
    mixed = _fmix32(shingles.astype(U32))
    for i in range(0, len(mixed), 4096):  # bounded memory on very long pages
        phv = a * mixed[None, i : i + 4096]
        phv += b
        np.minimum(out, phv.min(axis=1), out=out)
    return out


@functools.cache
def _bands(threshold: float, num_perm: int) -> tuple[int, int]:
    """datasketch's (bands, rows) for a threshold; worked out once (it integrates numerically)."""
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    return lsh.b, lsh.r


def _norm_title(title: str | None) -> str:
    return " ".join(WORD.findall(title.casefold())) if title else ""


@dataclass
class _Doc:
    id: str
    title: str | None
    published: int | None  # date ordinal
    tokens: np.ndarray  # uint32 token hashes
    paras: np.ndarray  # token starts
    sents: np.ndarray
    seq: np.ndarray  # shingle hashes in text order
    shingles: np.ndarray  # sorted unique shingle hashes
    key: bytes  # hash of the folded body
    numbers: np.ndarray  # sorted distinct hashes of number tokens


class SyndicationIndex:
    """Incremental syndication index; see the module docstring."""

    def __init__(self, params: SynParams | None = None) -> None:
        self.params = params or SynParams()
        p = self.params
        self._mh = MinHash(num_perm=p.num_perm, seed=p.seed)
        self._perms = self._mh.permutations
        self._lsh = MinHashLSH(num_perm=p.num_perm, params=_bands(p.lsh_threshold, p.num_perm))
        self._docs: list[_Doc] = []
        self._sigs: list[np.ndarray] = []
        self._pos: dict[str, int] = {}
        self._exact: dict[bytes, int] = {}
        self._postings: dict[int, list[int]] = {}
        self._nfp: list[int] = []
        self._edges: dict[int, dict[int, tuple[float, float]]] = {}  # i -> j -> (jac, cont)
        self._cache: tuple[list[Group], list[Link]] | None = None

    def __len__(self) -> int:
        return len(self._docs)

    def __contains__(self, doc_id: str) -> bool:
        return doc_id in self._pos

    # ---- adding -------------------------------------------------------------------------

    def add(self, doc: SynDoc) -> None:
        """Index one article and link it to what it copies or what copies it.

        An id already in the index is ignored (the store writes each article once).
        """
        if doc.id in self._pos:
            return
        words, paras, sents = tokenize(doc.body or "")
        tokens = token_hashes(words)
        published = doc.published.toordinal() if doc.published else None
        nums = number_hashes(words, tokens)
        self._insert(doc.id, doc.title, published, tokens, paras, sents, nums, None)

    def _insert(
        self,
        doc_id: str,
        title: str | None,
        published: int | None,
        tokens: np.ndarray,
        paras: np.ndarray,
        sents: np.ndarray,
        nums: np.ndarray,
        sig: np.ndarray | None,
        verify: bool = True,
    ) -> None:
        p = self.params
        seq = shingle_seq(tokens, p.shingle)
        shingles = np.unique(seq)
        key = hashlib.blake2b(tokens.tobytes(), digest_size=12).digest()
        idx = len(self._docs)
        d = _Doc(doc_id, title, published, tokens, paras, sents, seq, shingles, key, nums)
        self._docs.append(d)
        self._pos[doc_id] = idx
        self._cache = None
        linkable = len(tokens) >= p.min_tokens and len(shingles) > 0
        if sig is None:
            if linkable:
                sig = minhash_values(shingles, self._perms)
            else:
                sig = np.full(p.num_perm, np.iinfo(U32).max, dtype=U32)
        self._sigs.append(sig)
        fps = shingles[shingles % U32(p.fp_mod) == 0].tolist() if linkable else []
        self._nfp.append(len(fps))
        if not linkable:
            return
        mh = self._mh  # the LSH keeps band hashes only, so one MinHash object serves all
        mh.hashvalues = sig
        if verify:
            for j in self._candidates(idx, key, mh, fps):
                self._verify(idx, j)
        self._lsh.insert(idx, mh, check_duplication=False)
        self._exact.setdefault(key, idx)
        for f in fps:
            plist = self._postings.setdefault(f, [])
            if len(plist) <= p.fp_max_postings:
                plist.append(idx)

    def _candidates(self, idx: int, key: bytes, mh: MinHash, fps: list[int]) -> list[int]:
        p = self.params
        found: set[int] = set(self._lsh.query(mh))
        if key in self._exact:
            found.add(self._exact[key])
        if fps:
            hits: Counter[int] = Counter()
            for f in fps:
                plist = self._postings.get(f)
                if plist and len(plist) <= p.fp_max_postings:
                    hits.update(plist)
            n = len(fps)
            ranked = [
                j
                for j, h in hits.most_common()
                if h >= p.fp_candidate * min(n, self._nfp[j])
                and (h > 1 or min(n, self._nfp[j]) <= 2)
            ]
            found.update(ranked[: p.max_candidates])
        return sorted(found)

    def _verify(self, i: int, j: int) -> tuple[float, float] | None:
        """Exact Jaccard and containment of the pair; keep the edge if it links.

        Containment is the share of the shorter text's words that lie inside shingles the
        longer one also has: a changed word loses only itself (it loses five shingles).
        A report that follows a template (same wording, new figures) is not a copy, so a
        shorter text with figures needs most of them in the longer one.
        """
        p = self.params
        a, b = self._docs[i], self._docs[j]
        if a.key == b.key:
            result = (1.0, 1.0)
        else:
            jac, cont = _overlap(a.shingles, b.shingles)
            if jac < p.near and cont < p.contained / 2:
                return None
            small, big = (a, b) if len(a.tokens) <= len(b.tokens) else (b, a)
            cov = _coverage(small.seq, big.shingles, len(small.tokens), p.shingle)
            result = (jac, float(cov.mean()))
            if jac < p.near and result[1] < p.contained:
                return None
            nums = small.numbers
            if len(nums) >= p.numbers_min:
                shared = len(np.intersect1d(nums, big.numbers, assume_unique=True))
                if shared < p.numbers * len(nums):
                    return None
        self._edges.setdefault(i, {})[j] = result
        self._edges.setdefault(j, {})[i] = result
        return result

    # ---- groups and links ---------------------------------------------------------------

    def groups(self) -> list[Group]:
        """Groups with at least one copy, in order of their origin's arrival."""
        return self._resolve()[0]

    def links(self) -> list[Link]:
        """One link per copy, to its group's origin, in the copy's arrival order."""
        return self._resolve()[1]

    def _resolve(self) -> tuple[list[Group], list[Link]]:
        """Oldest first, each linked article joins the earliest group origin it matches
        directly; failing that (a chain of edits) it links to its oldest matching neighbour."""
        if self._cache is not None:
            return self._cache
        root: dict[int, int] = {}
        parent: dict[int, int] = {}
        for d in sorted(self._edges, key=self._age):
            age = self._age(d)
            older = sorted((n for n in self._edges[d] if self._age(n) < age), key=self._age)
            if not older:
                root[d] = d
                continue
            roots = sorted({root[n] for n in older}, key=self._age)
            target = next((r for r in roots if self._pair(d, r) is not None), older[0])
            parent[d] = target
            root[d] = root[target]
        members: dict[int, list[int]] = {}
        for d in sorted(parent):
            members.setdefault(root[d], []).append(d)
        docs = self._docs
        groups = [Group(docs[r].id, [docs[m].id for m in ms]) for r, ms in sorted(members.items())]
        links = [self._link(d, parent[d], root[d]) for d in sorted(parent)]
        self._cache = (groups, links)
        return self._cache

    def _age(self, i: int) -> tuple[int, int]:
        pub = self._docs[i].published
        return (pub if pub is not None else 10**8, i)

    def _pair(self, i: int, j: int) -> tuple[float, float] | None:
        """The verified edge between i and j, checking the pair directly when not yet known."""
        known = self._edges.get(i, {}).get(j)
        return known if known is not None else self._verify(i, j)

    def _link(self, c: int, o: int, g: int) -> Link:
        copy, origin = self._docs[c], self._docs[o]
        jac, cont = self._edges[c][o]
        edits = self._edits(copy, origin)
        if copy.key == origin.key:
            kind: Kind = "exact"
        elif jac >= self.params.near and not edits["embedded"]:
            kind = "near"
        else:
            kind = "contained"
        return Link(
            copy=copy.id,
            origin=origin.id,
            group=self._docs[g].id,
            kind=kind,
            similarity=round(jac, 4),
            containment=round(cont, 4),
            edits=edits,
        )

    def _edits(self, copy: _Doc, origin: _Doc) -> dict[str, Any]:
        """What the copy changed: title, origin text dropped, paragraphs added, embedding."""
        p = self.params
        k = p.shingle
        o_cov = _coverage(origin.seq, copy.shingles, len(origin.tokens), k)
        c_cov = _coverage(copy.seq, origin.shingles, len(copy.tokens), k)
        paras_missing = _units_missing(o_cov, origin.paras, p.unit_kept)
        sents_missing = _units_missing(o_cov, origin.sents, p.unit_kept)
        kept = float(o_cov.mean()) if len(o_cov) else 0.0
        from_origin = float(c_cov.mean()) if len(c_cov) else 0.0
        t_copy, t_origin = _norm_title(copy.title), _norm_title(origin.title)
        return {
            "retitled": bool(t_copy and t_origin and t_copy != t_origin),
            "trimmed": paras_missing > 0 or sents_missing > 0,
            "paragraphs_missing": paras_missing,
            "sentences_missing": sents_missing,
            "kept": round(kept, 4),
            "paragraphs_added": _units_missing(c_cov, copy.paras, p.unit_kept),
            "embedded": kept >= p.contained and from_origin <= p.embedded_max,
            "from_origin": round(from_origin, 4),
        }

    # ---- persistence --------------------------------------------------------------------

    def to_state(self) -> bytes:
        """The whole index as bytes (an ``.npz`` archive without pickles) for a DuckDB BLOB."""
        docs = self._docs
        meta = {
            "version": _STATE_VERSION,
            "params": asdict(self.params),
            "ids": [d.id for d in docs],
            "titles": [d.title for d in docs],
            "published": [d.published for d in docs],
        }
        edges = [(i, j, *v) for i, nb in self._edges.items() for j, v in nb.items() if i < j]
        arrays = {
            "meta": np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8),
            "tokens": _concat([d.tokens for d in docs], U32),
            "ntok": np.array([len(d.tokens) for d in docs], dtype=np.int64),
            "paras": _concat([d.paras for d in docs], np.int32),
            "npara": np.array([len(d.paras) for d in docs], dtype=np.int64),
            "sents": _concat([d.sents for d in docs], np.int32),
            "nsent": np.array([len(d.sents) for d in docs], dtype=np.int64),
            "nums": _concat([d.numbers for d in docs], U32),
            "nnum": np.array([len(d.numbers) for d in docs], dtype=np.int64),
            "sigs": (
                np.stack(self._sigs)
                if self._sigs
                else np.zeros((0, self.params.num_perm), dtype=U32)
            ),
            "edge_ij": np.array([e[:2] for e in edges], dtype=np.int64).reshape(-1, 2),
            "edge_v": np.array([e[2:] for e in edges], dtype=np.float64).reshape(-1, 2),
        }
        buf = io.BytesIO()
        np.savez_compressed(buf, **arrays)
        return buf.getvalue()

    @classmethod
    def from_state(cls, state: bytes) -> SyndicationIndex:
        """Rebuild an index written by ``to_state`` (signatures and edges are read, not redone)."""
        with np.load(io.BytesIO(state), allow_pickle=False) as z:
            arr = {name: z[name] for name in z.files}
        meta = json.loads(arr["meta"].tobytes().decode())
        if meta.get("version") != _STATE_VERSION:
            raise ValueError(f"unsupported syndication state version {meta.get('version')}")
        index = cls(SynParams(**meta["params"]))
        tokens = _split(arr["tokens"], arr["ntok"])
        paras = _split(arr["paras"], arr["npara"])
        sents = _split(arr["sents"], arr["nsent"])
        nums = _split(arr["nums"], arr["nnum"])
        for n, doc_id in enumerate(meta["ids"]):
            index._insert(
                doc_id,
                meta["titles"][n],
                meta["published"][n],
                tokens[n],
                paras[n],
                sents[n],
                nums[n],
                arr["sigs"][n].astype(U32),
                verify=False,
            )
        edges = index._edges
        for (i, j), (jac, cont) in zip(
            arr["edge_ij"].tolist(), arr["edge_v"].tolist(), strict=True
        ):
            edges.setdefault(i, {})[j] = (jac, cont)
            edges.setdefault(j, {})[i] = (jac, cont)
        index._cache = None
        return index


def _overlap(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """Jaccard and containment of the smaller set in the larger (sorted unique arrays)."""
    if not len(a) or not len(b):
        return 0.0, 0.0
    inter = len(np.intersect1d(a, b, assume_unique=True))
    return inter / (len(a) + len(b) - inter), inter / min(len(a), len(b))


def _coverage(seq: np.ndarray, other: np.ndarray, ntok: int, k: int) -> np.ndarray:
    """Per token: is it inside some shingle the other text also has? (one changed word
    uncovers only itself, so light edits do not read as missing text)."""
    if ntok == 0:
        return np.zeros(0, dtype=bool)
    if not len(seq):
        return np.zeros(ntok, dtype=bool)
    present = np.isin(seq, other, assume_unique=False).astype(np.int32)
    diff = np.zeros(ntok + k, dtype=np.int32)
    diff[: len(seq)] += present
    diff[k : k + len(seq)] -= present
    return np.cumsum(diff)[:ntok] > 0


def _units_missing(cov: np.ndarray, starts: np.ndarray, kept: float) -> int:
    """How many units (paragraphs or sentences starting at ``starts``) are mostly uncovered."""
    if not len(starts) or not len(cov):
        return 0
    sums = np.add.reduceat(cov.astype(np.int32), starts)
    lens = np.diff(np.append(starts, len(cov)))
    return int(np.count_nonzero(sums < kept * lens))


def _concat(parts: list[np.ndarray], dtype: Any) -> np.ndarray:
    return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype)


def _split(flat: np.ndarray, counts: np.ndarray) -> list[np.ndarray]:
    return np.split(flat, np.cumsum(counts)[:-1]) if len(counts) else []
