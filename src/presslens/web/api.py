"""The JSON API under /api: every page's data, with pagination, filters and exports."""

from __future__ import annotations

import json
import shutil
import tempfile
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Literal

import duckdb
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse
from pydantic import BeforeValidator
from starlette.background import BackgroundTask

from presslens.corpus import TABLES, views
from presslens.corpus.export import FORMATS
from presslens.corpus.export import export as run_export
from presslens.corpus.search import Filters
from presslens.corpus.search import facets as search_facets
from presslens.corpus.search import search as run_search
from presslens.web import models as m
from presslens.web import queries
from presslens.web.app import MAX_UPLOAD, Db
from presslens.web.runner import TooLarge, analyze_text, read_limited

router = APIRouter(prefix="/api", tags=["api"])
NOT_FOUND = {404: {"model": m.Error, "description": "No such item"}}
Limit = Annotated[int, Query(ge=1, le=100)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]
Text = Annotated[str | None, Query(max_length=200)]
# An empty date field (as an HTML form sends it) is no date, not an error.
Day = Annotated[date | None, BeforeValidator(lambda v: v or None), Query()]

Table = Enum("Table", {t: t for t in TABLES}, type=str)  # type: ignore[misc]


def search_filters(
    outlet: Text = None,
    since: Day = None,
    until: Day = None,
    actor: Text = None,
    technique: Text = None,
    label: Text = None,
) -> Filters:
    """The search filters as query parameters (empty strings mean no filter)."""
    return Filters(
        outlet=outlet or None,
        since=since,
        until=until,
        actor=actor or None,
        technique=technique or None,
        label=label or None,
    )


@router.get("/overview", response_model=m.Overview)
def overview(db: Db) -> Any:
    """Corpus counts, articles per week, top outlets, actors, techniques and loaded labels."""
    return queries.overview(db)


@router.get("/articles", response_model=m.ArticlePage)
def articles(db: Db, limit: Limit = 20, offset: Offset = 0, outlet: Text = None) -> Any:
    """Articles, newest first (undated last)."""
    total, items = queries.articles(db, outlet=outlet or None, limit=limit, offset=offset)
    return {"total": total, "limit": limit, "offset": offset, "items": items}


@router.get("/articles/{article_id}", response_model=m.ArticleDetail, responses=NOT_FOUND)
def article(article_id: str, db: Db) -> Any:
    """One article: its stored record with every layer, its story and what it copies."""
    found = queries.article(db, article_id)
    if found is None:
        raise HTTPException(404, f"no article {article_id!r}")
    return found


@router.get("/search", response_model=m.SearchResult)
def search(
    db: Db,
    filters: Annotated[Filters, Depends(search_filters)],
    q: Annotated[str, Query(max_length=500)] = "",
    limit: Limit = 20,
    offset: Offset = 0,
) -> Any:
    """BM25 full-text search with filters; facets count outlets, techniques and loaded labels
    among all hits. An empty ``q`` lists the filtered articles, newest first."""
    total, hits = run_search(db, q, filters, limit=limit, offset=offset)
    return {
        "query": q,
        "total": total,
        "limit": limit,
        "offset": offset,
        "items": [h.to_dict() for h in hits],
        "facets": search_facets(db, q, filters),
    }


@router.get("/stories", response_model=list[m.StorySummary])
def stories(db: Db, limit: Annotated[int, Query(ge=1, le=10_000)] = 50) -> Any:
    """Stories (articles about one event), largest first."""
    return views.stories(db, limit=limit)


def story_detail(db: duckdb.DuckDBPyConnection, story_id: str) -> dict[str, Any] | None:
    head = queries.story(db, story_id)
    if head is None:
        return None
    head.pop("outlets", None)
    return {
        **head,
        "outlets": views.story_outlets(db, story_id),
        "articles": queries.story_articles(db, story_id),
        "narrative": queries.story_narrative(db, story_id),
    }


@router.get("/stories/{story_id}", response_model=m.StoryDetail, responses=NOT_FOUND)
def story(story_id: str, db: Db) -> Any:
    """One story, outlets side by side: who reported first, copies, labels and quotes."""
    found = story_detail(db, story_id)
    if found is None:
        raise HTTPException(404, f"no story {story_id!r}")
    return found


@router.get("/actors", response_model=m.ActorPage)
def actors(db: Db, q: Text = None, limit: Limit = 50, offset: Offset = 0) -> Any:
    """Actors across articles (one per cross-article key), most widely reported first."""
    total, items = queries.actors(db, q=q or None, limit=limit, offset=offset)
    return {"total": total, "limit": limit, "offset": offset, "items": items}


@router.get("/actors/{key}", response_model=m.ActorDetail, responses=NOT_FOUND)
def actor(key: str, db: Db) -> Any:
    """One actor: names each outlet uses, mentions over time, quotes and mentions."""
    found = queries.actor(db, key)
    if found is None:
        raise HTTPException(404, f"no actor {key!r}")
    return found


def narrative_rows(db: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    out = views.narratives(db)
    for row in out:
        row["frames"] = json.loads(row["frames"]) if row.get("frames") else None
    return out


@router.get("/narratives", response_model=list[m.Narrative])
def narratives(db: Db) -> Any:
    """Narratives (stories told with the same loaded labels) with frames and outlets."""
    return narrative_rows(db)


@router.get("/narratives/{narrative_id}", response_model=m.NarrativeDetail, responses=NOT_FOUND)
def narrative(narrative_id: str, db: Db, by: Literal["day", "week", "month"] = "week") -> Any:
    """One narrative with its articles per period and outlet."""
    found = [r for r in narrative_rows(db) if r["narrative"] == narrative_id]
    if not found:
        raise HTTPException(404, f"no narrative {narrative_id!r}")
    return {**found[0], "trend": views.narrative_trend(db, narrative_id, by=by)}


@router.get("/trends", response_model=list[m.TrendRow])
def trends(
    db: Db,
    what: Literal["actors", "speakers", "labels", "techniques"] = "actors",
    by: Literal["day", "week", "month"] = "week",
    outlet: Text = None,
    top: Annotated[int, Query(ge=1, le=100)] = 10,
) -> Any:
    """Counts per period and outlet of the top actors, speakers, labels or techniques."""
    return views.trends(db, what, by=by, outlet=outlet or None, top=top)


@router.get("/labels", response_model=list[m.LabelRow], response_model_by_alias=True)
def labels(db: Db, refers_to: Text = None, story: Text = None) -> Any:
    """Which outlet calls whom what, with counts and every span."""
    return views.labels_by_outlet(db, refers_to=refers_to or None, story=story or None)


@router.get("/copies", response_model=list[m.CopyRow], response_model_by_alias=True)
def copies(db: Db, limit: Annotated[int, Query(ge=1, le=10_000)] = 100) -> Any:
    """Syndicated copies with their origin and what each copy changed."""
    return views.copies(db, limit=limit)


MEDIA = {
    "jsonl": "application/x-ndjson",
    "csv": "text/csv; charset=utf-8",
    "parquet": "application/vnd.apache.parquet",
}


@router.get(
    "/export/{table}",
    response_class=FileResponse,
    responses={200: {"content": {t: {} for t in MEDIA.values()}, "description": "The file"}},
)
def export(table: Table, db: Db, format: Literal["jsonl", "csv", "parquet"] = "jsonl") -> Any:
    """One table of the store as a JSON Lines, CSV or Parquet download."""
    assert format in FORMATS
    tmp = Path(tempfile.mkdtemp(prefix="presslens-export-"))
    try:
        [(path, _rows)] = run_export(db, tmp, format, [table.value])
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return FileResponse(
        path,
        media_type=MEDIA[format],
        filename=f"{table.value}.{format}",
        background=BackgroundTask(shutil.rmtree, tmp, ignore_errors=True),
    )


@router.post(
    "/analyze",
    response_model=dict[str, Any],
    responses={413: {"model": m.Error, "description": "Text over 2 MB"}},
)
async def analyze(request: Request) -> Any:
    """Analyse one text (not stored): body ``{"text": ..., "url": ...}``; returns the
    `presslens analyze` record. The text may be at most 2 MB."""
    try:
        raw = await read_limited(request, MAX_UPLOAD + 64 * 1024)
    except TooLarge as exc:
        raise HTTPException(413, str(exc)) from exc
    try:
        payload = m.AnalyzeRequest.model_validate_json(raw)
    except ValueError as exc:
        raise HTTPException(422, 'expected a JSON object {"text": ..., "url": ...}') from exc
    if len(payload.text.encode("utf-8")) > MAX_UPLOAD:
        raise HTTPException(413, f"text is over the {MAX_UPLOAD // (1024 * 1024)} MB limit")
    result = await run_in_threadpool(analyze_text, request.app, payload.text, payload.url)
    if isinstance(result, str):
        raise HTTPException(422, result)
    return result
