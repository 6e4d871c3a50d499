"""Corpus-level steps at scale: syndicated copies as a shuffle, stories on the driver.

Copies. ``SyndicationIndex`` (the embedded path) proposes, for each new article, earlier
articles that share a MinHash-LSH band, the same folded body, or enough content-defined
fingerprints, and verifies each proposal exactly. Here the proposals are a shuffle:

1. ``key_rows`` (map): per article its band keys (``b<band>:<hex of the signature rows>``,
   the same bands and permutations as the index), its exact-body key (``x:...``) and its
   fingerprints (``f:...``), one row per (key, article);
2. group by key, ``group_pairs``: every pair in a band or exact group is a candidate; a
   fingerprint group pairs its first ``fp_max_postings + 1`` articles (the index stops
   reading a posting list at that length) and the pairs are counted;
3. ``fp_pairs``: fingerprint pairs sharing enough fingerprints (the index's rule);
4. connected components of the candidate graph (driver, union-find on integers), then per
   component (group by component, ``resolve_component``) a ``SyndicationIndex`` is fed the
   component's articles in stream order: it verifies with the exact shingle check and picks
   origins by date, then arrival. A verified edge only joins articles of one component, so the
   links equal the embedded ones; where the index's caps (``max_candidates``, posting lists)
   made it skip a proposal, the shuffle may find a link the embedded path missed, never the
   reverse.

Stories. Online clustering depends on arrival order, so the story index is fed on the driver
(``stories``), every article once, in stream order (``seq``, first copy of a repeated page),
exactly as ``presslens ingest`` feeds it; it reads only the small ``story_inputs`` rows, the
titles, dates and bodies.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

import numpy as np

from presslens.corpus import syndication as syn

PARAMS = syn.SynParams()


def key_rows(batch: dict[str, Any]) -> dict[str, list]:
    """Batch with ``seq`` and ``body`` columns -> ``key``, ``seq``, ``nfp`` rows."""
    p = PARAMS
    mh = syn.MinHash(num_perm=p.num_perm, seed=p.seed)
    bands, rows = syn._bands(p.lsh_threshold, p.num_perm)
    keys: list[str] = []
    seqs: list[int] = []
    nfps: list[int] = []
    for seq, body in zip(batch["seq"], batch["body"], strict=True):
        words, _, _ = syn.tokenize(body or "")
        tokens = syn.token_hashes(words)
        shingles = np.unique(syn.shingle_seq(tokens, p.shingle))
        if len(tokens) < p.min_tokens or not len(shingles):
            continue  # not linkable: the index never links it either
        sig = syn.minhash_values(shingles, mh.permutations)
        fps = shingles[shingles % np.uint32(p.fp_mod) == 0].tolist()
        mine = [f"b{b}:{sig[b * rows : (b + 1) * rows].tobytes().hex()}" for b in range(bands)]
        mine.append("x:" + hashlib.blake2b(tokens.tobytes(), digest_size=12).hexdigest())
        mine.extend(f"f:{f}" for f in fps)
        keys.extend(mine)
        seqs.extend([int(seq)] * len(mine))
        nfps.extend([len(fps)] * len(mine))
    return {"key": keys, "seq": seqs, "nfp": nfps}


def group_pairs(group: dict[str, Any]) -> dict[str, list]:
    """All rows of one key -> candidate pairs ``a < b`` (seqs), ``fp`` 1 for a fingerprint."""
    keys = group["key"]
    if not len(keys):
        return {"a": [], "b": [], "fp": [], "nfp_a": [], "nfp_b": []}
    is_fp = str(keys[0]).startswith("f:")
    nfp = {int(s): int(n) for s, n in zip(group["seq"], group["nfp"], strict=True)}
    members = sorted(nfp.items())
    if is_fp:
        members = members[: PARAMS.fp_max_postings + 1]
    out: dict[str, list] = {"a": [], "b": [], "fp": [], "nfp_a": [], "nfp_b": []}
    for i, (a, na) in enumerate(members):
        for b, nb in members[i + 1 :]:
            out["a"].append(a)
            out["b"].append(b)
            out["fp"].append(int(is_fp))
            out["nfp_a"].append(na)
            out["nfp_b"].append(nb)
    return out


def fp_pairs(counted: Iterable[tuple[int, int, int, int, int]]) -> set[tuple[int, int]]:
    """(a, b, nfp_a, nfp_b, shared) -> pairs sharing enough fingerprints to be proposed."""
    p = PARAMS
    out = set()
    for a, b, na, nb, shared in counted:
        least = min(na, nb)
        if shared >= p.fp_candidate * least and (shared > 1 or least <= 2):
            out.add((a, b))
    return out


def components(pairs: Iterable[tuple[int, int]]) -> dict[int, int]:
    """seq -> component id (its smallest seq) over the candidate graph."""
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        root = x
        while parent.setdefault(root, root) != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {x: find(x) for x in parent}


def resolve_component(group: dict[str, Any]) -> dict[str, list]:
    """The articles of one component (``seq, id, title, body, published``) -> copy rows."""
    order = np.argsort(np.asarray(group["seq"]), kind="stable")
    index = syn.SyndicationIndex(PARAMS)
    for i in order:
        published = group["published"][i]
        index.add(
            syn.SynDoc(
                str(group["id"][i]),
                group["title"][i],
                group["body"][i] or "",
                syn._as_date(published),
            )
        )
    links = index.links()
    return {
        "copy_id": [x.copy for x in links],
        "origin_id": [x.origin for x in links],
        "group_origin": [x.group for x in links],
        "kind": [x.kind for x in links],
        "similarity": [float(x.similarity) for x in links],
        "containment": [float(x.containment) for x in links],
        "edits": [json.dumps(x.edits, ensure_ascii=False, default=str) for x in links],
    }


def candidate_pairs(pair_rows: Iterable[dict[str, Any]]) -> set[tuple[int, int]]:
    """Band / exact pairs as they are, fingerprint pairs counted and thresholded."""
    direct: set[tuple[int, int]] = set()
    shared: Counter[tuple[int, int, int, int]] = Counter()
    for r in pair_rows:
        if r["fp"]:
            shared[(r["a"], r["b"], r["nfp_a"], r["nfp_b"])] += 1
        else:
            direct.add((r["a"], r["b"]))
    return direct | fp_pairs((*k, n) for k, n in shared.items())


def local_copies(articles: dict[str, list]) -> dict[str, list]:
    """The whole copy step in one process (the local engine; also the reference)."""
    keys = key_rows(articles)
    groups: dict[str, dict[str, list]] = defaultdict(lambda: {"key": [], "seq": [], "nfp": []})
    for k, s, n in zip(keys["key"], keys["seq"], keys["nfp"], strict=True):
        g = groups[k]
        g["key"].append(k)
        g["seq"].append(s)
        g["nfp"].append(n)
    rows = []
    for g in groups.values():
        out = group_pairs(g)
        rows.extend(dict(zip(out, vals, strict=True)) for vals in zip(*out.values(), strict=True))
    comp = components(candidate_pairs(rows))
    by_comp: dict[int, list[int]] = defaultdict(list)
    for i, seq in enumerate(articles["seq"]):
        if seq in comp:
            by_comp[comp[seq]].append(i)
    result: dict[str, list] = defaultdict(list)
    for c in sorted(by_comp):
        idx = by_comp[c]
        part = resolve_component({k: [articles[k][i] for i in idx] for k in articles})
        for k, v in part.items():
            result[k].extend(v)
    return dict(result)


def stories(ordered: Iterable[tuple[str, str | None, Any, str | None]]) -> tuple[Any, Any]:
    """(id, body, published, story_input) in stream order -> stories and members tables."""
    from presslens.corpus.stories import StoryIndex
    from presslens.corpus.update import _members, _stories, _story_doc

    index = StoryIndex()
    for aid, body, published, doc in ordered:
        index.add(_story_doc(aid, body or "", syn._as_date(published), doc))
    public = index.stories()
    return _stories(public), _members(public)
