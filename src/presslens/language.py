"""The language stage: parse each clean body once, then find who said what, and when.

Runs after ``clean``. One spaCy parse per article (``nlp.pipe`` over a batch) feeds five
stages, each a package with one entry point:

- ``quotes``: direct, partial and reported speech with speaker, cue and channel;
- ``actors``: mentions grouped into one actor per real actor, and designations (the words
  chosen for an actor, resolved through ``data/aliases.csv``);
- ``claims``: counts (killed, wounded, detained, ...) and who claims them;
- ``times``: time expressions, resolved against the publication date when it is known;
- ``framing``: persuasion-technique spans (trained model and loaded-words lexicon) and a
  summary: techniques per 1,000 words, designation profile per actor.

This module only composes them: it passes quote speakers to the actor stage, then writes the
actor id onto each quote speaker and claim source. Every span is a body offset pair
(``Article.to_raw`` maps it back to the page).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import date
from typing import Any

from spacy.tokens import Doc

from presslens import workers as worker_pool
from presslens.actors import actor_at, find_actors
from presslens.claims import find_claims
from presslens.framing import frame
from presslens.framing.techniques import default_variant as techniques_variant
from presslens.model import Article, DateField
from presslens.nlp import DEFAULT_MODEL, load_model, one_blas_thread
from presslens.quotes import find_quotes
from presslens.quotes import prepare as prepare_quotes
from presslens.quotes.tagger import default_variant as attribution_variant
from presslens.times import find_times

PIPE_BATCH = 16  # articles per nlp.pipe batch: long enough to amortise, short for memory


def enrich(
    articles: Sequence[Article],
    model: str = DEFAULT_MODEL,
    *,
    timed: bool = False,
    framing: bool = True,
    workers: int | None = 1,
) -> dict[str, float]:
    """Fill ``actors``, ``designations``, ``quotes``, ``claims``, ``times``, ``techniques`` and
    ``framing`` in place.

    Bodies are parsed in chunks. With ``workers`` other than 1 (None: one per core) and a
    batch of ``presslens.workers.MIN_ARTICLES`` or more, chunks (``workers.split``) go to
    that many worker processes, each parsing a chunk and running the stages on it. Otherwise,
    in this process, a second thread runs the stages over one chunk while spaCy parses the
    next.

    With ``timed`` everything runs in one thread and the seconds spent in parsing and in
    each stage are returned (for ``bench/language.py``); otherwise an empty dict. Without
    ``framing`` the framing stage is skipped (``techniques`` and ``framing`` stay empty).
    """
    processes = 1 if timed else worker_pool.count(len(articles), workers)
    if processes > 1:
        shares = worker_pool.split(articles, processes)
        try:
            futures = worker_pool.submit(shares, model, framing, processes)
            for chunk, future in zip(shares, futures, strict=True):
                worker_pool.apply(chunk, future.result())  # a stage's error is re-raised here
            return {}
        except BrokenProcessPool:  # a worker died (killed, out of memory): do it here
            worker_pool.shutdown()
    chunks = [articles[i : i + PIPE_BATCH] for i in range(0, len(articles), PIPE_BATCH)]
    nlp = load_model(model)
    used = models_used(model, framing)
    if timed:
        clock = _Clock()
        for chunk in chunks:
            clock.lap()
            docs = list(nlp.pipe((a.body for a in chunk), batch_size=PIPE_BATCH))
            clock.lap("parse")
            _run_stages(chunk, docs, framing, clock, used)
        return clock.seconds
    with (
        one_blas_thread(),  # the two threads fill the two cores; BLAS threads would fight them
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="presslens-stages") as pool,
    ):
        pending: Future[None] | None = None
        for chunk in chunks:
            docs = list(nlp.pipe((a.body for a in chunk), batch_size=PIPE_BATCH))
            if pending is not None:
                pending.result()  # stages of the previous chunk; re-raises their error here
            pending = pool.submit(_run_stages, chunk, docs, framing, None, used)
        if pending is not None:
            pending.result()
    return {}


def models_used(model: str = DEFAULT_MODEL, framing: bool = True) -> dict[str, str]:
    """What reads the bodies, for each record's ``models``: the spaCy pipeline and its
    version, the attribution tagger and, with ``framing``, the technique model (both chosen
    by ``PRESSLENS_*_MODEL`` or installed packages, so a record says which it got)."""
    used = {
        "spacy": f"{model} {load_model(model).meta.get('version', '?')}",
        "attribution": attribution_variant(),
    }
    if framing:
        used["techniques"] = techniques_variant()
    return used


def _run_stages(
    chunk: Sequence[Article],
    docs: list[Doc],
    framing: bool,
    clock: _Clock | None = None,
    models: dict[str, str] | None = None,
) -> None:
    clock = clock or _Clock()
    clock.lap()
    prepare_quotes(docs)  # the attribution tagger over the whole chunk at once
    clock.lap("quotes")
    for article, doc in zip(chunk, docs, strict=True):
        enrich_one(article, doc, clock, framing=framing, models=models)


def enrich_one(
    article: Article,
    doc: Doc,
    clock: _Clock | None = None,
    *,
    framing: bool = True,
    models: dict[str, str] | None = None,
) -> None:
    """Run the five stages on one parsed body (four without ``framing``); ``models``
    (``models_used``) is recorded as what read it."""
    clock = clock or _Clock()
    clock.lap()
    body = article.body
    quotes = find_quotes(body, doc)
    clock.lap("quotes")
    speakers = [q["speaker"] for q in quotes if q.get("speaker")]
    actors, designations = find_actors(body, doc, speakers=[_span_ref(s) for s in speakers])
    for speaker in speakers:
        _link(speaker, actors)
    clock.lap("actors")
    techniques: list[dict[str, Any]] = []
    summary: dict[str, Any] = {}
    if framing:
        techniques, summary = frame(body, doc, actors, designations)
        clock.lap("framing")
    claims = find_claims(body, doc, quotes)
    for claim in claims:
        if claim.get("source"):
            _link(claim["source"], actors)
    clock.lap("claims")
    anchor, role = _anchor(article.published)
    times = find_times(body, doc, anchor, anchor_role=role)
    clock.lap("times")
    article.quotes = quotes
    article.actors = actors
    article.designations = designations
    article.claims = claims
    article.times = times
    article.techniques = techniques
    article.framing = summary
    article.models = dict(models) if models is not None else {}


class _Clock:
    """Seconds per named step, accumulated over a batch."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str | None = None) -> None:
        now = time.perf_counter()
        if name is not None:
            self.seconds[name] = self.seconds.get(name, 0.0) + now - self._last
        self._last = now


def _span_ref(span: dict[str, Any]) -> tuple[int, ...]:
    """A speaker for the actor stage: its span, and its antecedent's when it is a pronoun (the
    actor stage then makes the pronoun a mention of that actor)."""
    ref = span.get("refers_to")
    return (span["start"], span["end"]) + ((ref["start"], ref["end"]) if ref else ())


def _link(span: dict[str, Any], actors: list[dict[str, Any]]) -> None:
    """Write the id of the actor mentioned at ``span`` (or at its antecedent) onto it."""
    actor_id = actor_at(actors, span["start"], span["end"])
    if actor_id is None and (ref := span.get("refers_to")):
        actor_id = actor_at(actors, ref["start"], ref["end"])
    if actor_id is not None:
        span["actor"] = actor_id


def _anchor(published: DateField) -> tuple[date | None, str | None]:
    """The publication date to resolve "on Thursday" against, when it is known to the day."""
    if published.value is None or published.precision != "day":
        return None, None
    try:
        return date.fromisoformat(str(published.value)[:10]), "published"
    except ValueError:
        return None, None
