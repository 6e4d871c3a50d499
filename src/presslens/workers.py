"""The language stage on every core: worker processes, each with its own models.

Threads cannot share this work: spaCy's parse and the stages hold Python's GIL for most of
their time (rule matching, lemmas, transition loops, the stages' own Python), so a parse
beside the stages in a second thread ran at about the sum of the two once spaCy's matrix
products got fast (docs/benchmarks.md). A worker parses a chunk of articles, runs the
stages on it and sends back only what they found (plain lists and dicts).

Callers ask for workers (``presslens analyze`` and ``ingest`` do, one per core); a library
call stays in its process unless it asks, since a new process re-imports the caller's main
script (Python's ``if __name__ == "__main__"`` rule). The pool starts on the first batch big
enough to share (``MIN_ARTICLES``; starting costs a few seconds once, while each worker
loads its models), lives as long as the process, and is rebuilt when the spaCy model or a
``PRESSLENS_*`` setting (the tagger and technique model choices) changes, since workers
read those when they start.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from presslens.model import Article

FIELDS = (
    "quotes",
    "actors",
    "designations",
    "claims",
    "times",
    "techniques",
    "framing",
    "models",
)
MIN_ARTICLES = 32  # fewer stay in one process: starting the workers would cost more
CHUNK = 8  # the most articles a worker takes at a time (chunks shrink toward the end)

_pool: ProcessPoolExecutor | None = None
_key: tuple[Any, ...] = ()
_limits: Any = None  # in a worker: its BLAS thread limit, kept for the worker's life


def cores() -> int:
    """CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def count(articles: int, workers: int | None) -> int:
    """How many worker processes a batch of ``articles`` gets when ``workers`` are allowed
    (None: one per core): none (1, this process) below ``MIN_ARTICLES``."""
    if articles < MIN_ARTICLES:
        return 1
    return max(1, cores() if workers is None else workers)


def split(articles: Sequence[Article], workers: int) -> list[list[Article]]:
    """``articles`` in chunks for ``workers`` processes, so that they finish together.

    Longest bodies first, and chunks that shrink as the batch runs out (guided scheduling:
    at most ``CHUNK`` articles, at most a ``2 * workers``-th of those left): the last work
    handed out is a few short articles, not a chunk of long ones that one process runs
    while the others wait. Findings go back to the article objects, so the order of the
    batch is kept."""
    order = sorted(articles, key=lambda a: len(a.body), reverse=True)
    chunks, at = [], 0
    while at < len(order):
        size = max(1, min(CHUNK, -(-(len(order) - at) // (2 * workers))))
        chunks.append(order[at : at + size])
        at += size
    return chunks


def submit(
    chunks: Sequence[Sequence[Article]], model: str, framing: bool, workers: int
) -> list[Future[list[dict[str, Any]]]]:
    """Each chunk's findings, one future per chunk, from a pool of ``workers`` processes."""
    pool = _get_pool(model, workers)
    return [pool.submit(_work, list(chunk), model, framing) for chunk in chunks]


def apply(chunk: Sequence[Article], found: list[dict[str, Any]]) -> None:
    """Write a worker's findings onto the chunk's articles, in order."""
    for article, fields in zip(chunk, found, strict=True):
        for name in FIELDS:
            setattr(article, name, fields[name])


def shutdown() -> None:
    """Stop the workers (the next big batch starts new ones); after a worker died, say."""
    global _pool, _key
    if _pool is not None:
        _pool.shutdown(wait=False, cancel_futures=True)
    _pool, _key = None, ()


def _get_pool(model: str, workers: int) -> ProcessPoolExecutor:
    global _pool, _key
    key = (
        model,
        workers,
        sorted(kv for kv in os.environ.items() if kv[0].startswith("PRESSLENS_")),
    )
    if _pool is None or key != _key:
        shutdown()
        # spawn: a clean interpreter, nothing inherited from this process's threads
        ctx = multiprocessing.get_context("spawn")
        _pool = ProcessPoolExecutor(workers, mp_context=ctx, initializer=_start)
        _key = key
    return _pool


def _start() -> None:
    """In each worker: one BLAS thread, since the workers already fill the cores; Ctrl-C is
    the parent's to handle (it stops the pool), not a traceback from every worker."""
    global _limits
    import signal

    from presslens.nlp import one_blas_thread

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _limits = one_blas_thread()  # the limit holds from here until it is restored


def _work(chunk: list[Article], model: str, framing: bool) -> list[dict[str, Any]]:
    from presslens.language import enrich

    enrich(chunk, model, framing=framing, workers=1)
    return [{name: getattr(article, name) for name in FIELDS} for article in chunk]
