"""The language stage in worker processes: same findings as in one process, and a dead
worker costs speed, not results."""

from __future__ import annotations

import copy
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from presslens import language, workers
from presslens.model import Article, Source

BATCH = workers.MIN_ARTICLES + 3  # big enough for a pool


@pytest.fixture(scope="module")
def bodies(seed_articles: dict[str, Article]) -> list[str]:
    seeds = [a.body for _, a in sorted(seed_articles.items())]
    return [seeds[i % len(seeds)] for i in range(BATCH)]


def _fresh(bodies: list[str], like: dict[str, Article]) -> list[Article]:
    by_body = {a.body: a.published for a in like.values()}
    return [
        Article(source=Source(kind="text"), raw=b, body=b, published=copy.deepcopy(by_body[b]))
        for b in bodies
    ]


def _findings(articles: list[Article]) -> list[str]:
    return [json.dumps({f: getattr(a, f) for f in workers.FIELDS}, default=str) for a in articles]


def test_count_uses_a_pool_only_for_big_batches() -> None:
    assert workers.count(workers.MIN_ARTICLES - 1, None) == 1
    assert workers.count(workers.MIN_ARTICLES - 1, 4) == 1
    assert workers.count(workers.MIN_ARTICLES, 3) == 3
    assert workers.count(workers.MIN_ARTICLES, None) == workers.cores()


@given(st.lists(st.integers(0, 5000), max_size=200), st.integers(1, 8))
def test_split_hands_out_every_article_once_longest_first(lengths, processes) -> None:
    batch = [Article(source=Source(kind="text"), raw="", body="x" * n) for n in lengths]
    chunks = workers.split(batch, processes)
    flat = [a for chunk in chunks for a in chunk]
    assert sorted(map(id, flat)) == sorted(map(id, batch))
    assert [len(a.body) for a in flat] == sorted(lengths, reverse=True)
    sizes = [len(c) for c in chunks]
    assert all(0 < n <= workers.CHUNK for n in sizes)
    assert sizes == sorted(sizes, reverse=True)  # the last work handed out is the smallest
    if len(batch) >= 2 * processes:
        assert sizes[-1] == 1


def test_workers_find_what_one_process_finds(bodies, seed_articles) -> None:
    alone = _fresh(bodies, seed_articles)
    language.enrich(alone, workers=1)
    pooled = _fresh(bodies, seed_articles)
    language.enrich(pooled, workers=2)
    assert workers._pool is not None  # the pool did the work
    assert any(a.quotes for a in pooled) and any(a.times for a in pooled)
    assert _findings(pooled) == _findings(alone)


def test_a_killed_worker_falls_back_to_this_process(bodies, seed_articles, monkeypatch) -> None:
    reference = _fresh(bodies, seed_articles)
    language.enrich(reference, workers=1)
    warm = _fresh(bodies, seed_articles)
    language.enrich(warm, workers=2)  # the pool is up
    pool = workers._pool
    assert pool is not None
    for process in list(pool._processes.values()):
        os.kill(process.pid, signal.SIGKILL)
        process.join()
    stopped = []
    shutdown = workers.shutdown
    monkeypatch.setattr(workers, "shutdown", lambda: stopped.append(1) or shutdown())
    again = _fresh(bodies, seed_articles)
    language.enrich(again, workers=2)
    assert stopped == [1] and workers._pool is None  # the broken pool was dropped
    assert _findings(again) == _findings(reference)


def test_cli_workers_option(seeds_dir: Path) -> None:
    bad = subprocess.run(
        [sys.executable, "-m", "presslens", "analyze", str(seeds_dir), "--workers", "0"],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2 and "--workers" in bad.stderr and "Traceback" not in bad.stderr
