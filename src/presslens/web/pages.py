"""Server-rendered pages. Each page reads the same queries as its API endpoint."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from presslens.corpus.search import Filters
from presslens.corpus.search import facets as search_facets
from presslens.corpus.search import search as run_search
from presslens.web import api, queries
from presslens.web.app import MAX_UPLOAD, Db, chart_available, templates
from presslens.web.highlight import LAYERS, render
from presslens.web.runner import TooLarge, analyze_text, read_limited

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)
Text = Annotated[str | None, Query(max_length=200)]
PAGE = 20


def page(request: Request, name: str, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context)


@router.get("/")
def overview(request: Request, db: Db) -> HTMLResponse:
    return page(request, "overview.html", o=queries.overview(db), charts=chart_available())


@router.get("/article/{article_id}")
def article(
    request: Request, article_id: str, db: Db, layers: Annotated[list[str] | None, Query()] = None
) -> HTMLResponse:
    found = queries.article(db, article_id)
    if found is None:
        raise HTTPException(404, f"no article {article_id!r}")
    active = {x for x in layers or [] if x in LAYERS}
    return _article_page(request, found, active)


def _article_page(
    request: Request, found: dict[str, Any], active: set[str], analysed: bool = False
) -> HTMLResponse:
    record = found["record"]
    return page(
        request,
        "article.html",
        a=found,
        r=record,
        body=render(record, active),
        layers=LAYERS,
        active=active,
        counts=_layer_counts(record),
        analysed=analysed,
    )


def _layer_counts(r: dict[str, Any]) -> dict[str, int]:
    return {
        "actors": sum(len(a.get("mentions") or []) for a in r.get("actors") or []),
        "quotes": len(r.get("quotes") or []),
        "claims": len(r.get("claims") or []),
        "labels": len(r.get("designations") or []),
        "techniques": len(r.get("techniques") or []),
        "times": len(r.get("times") or []),
    }


@router.get("/stories")
def stories(request: Request, db: Db) -> HTMLResponse:
    from presslens.corpus import views

    return page(request, "stories.html", stories=views.stories(db, limit=200))


@router.get("/story/{story_id}")
def story(request: Request, story_id: str, db: Db) -> HTMLResponse:
    found = api.story_detail(db, story_id)
    if found is None:
        raise HTTPException(404, f"no story {story_id!r}")
    in_narrative = (found["narrative"] or {}).get("articles", [])
    return page(
        request,
        "story.html",
        s=found,
        by_outlet=_by_outlet(found["articles"]),
        in_narrative=_by_outlet(in_narrative),
    )


@router.get("/actors")
def actors(
    request: Request, db: Db, q: Text = None, offset: Annotated[int, Query(ge=0)] = 0
) -> HTMLResponse:
    total, items = queries.actors(db, q=q or None, limit=50, offset=offset)
    return page(request, "actors.html", total=total, items=items, q=q or "", offset=offset)


@router.get("/actor/{key}")
def actor(request: Request, key: str, db: Db) -> HTMLResponse:
    found = queries.actor(db, key)
    if found is None:
        raise HTTPException(404, f"no actor {key!r}")
    return page(request, "actor.html", x=found, names=_by_outlet(found["names_by_outlet"]))


def _by_outlet(items: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Rows grouped by their ``outlet``, outlets in order of first appearance."""
    out: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        out.setdefault(item["outlet"], []).append(item)
    return out


@router.get("/narratives")
def narratives(request: Request, db: Db) -> HTMLResponse:
    return page(request, "narratives.html", narratives=api.narrative_rows(db))


@router.get("/search")
def search(
    request: Request,
    db: Db,
    filters: Annotated[Filters, Depends(api.search_filters)],
    q: Annotated[str, Query(max_length=500)] = "",
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> HTMLResponse:
    total, hits = run_search(db, q, filters, limit=PAGE, offset=offset)
    params = {k: v for k, v in request.query_params.items() if k != "offset" and v}
    return page(
        request,
        "search.html",
        q=q,
        f=filters,
        total=total,
        hits=hits,
        offset=offset,
        limit=PAGE,
        params=params,
        facets=_facet_links(params, search_facets(db, q, filters)),
        outlets=[r["value"] for r in queries.rows(db, _OUTLETS)],
        techniques=[r["value"] for r in queries.rows(db, _TECHNIQUES)],
    )


def _facet_links(params: dict[str, str], facets: dict[str, list]) -> dict[str, list]:
    """Each facet value with the search URL that adds it as a filter."""
    out = {}
    for name, values in facets.items():
        base = {k: v for k, v in params.items() if k != name}
        out[name] = [
            {**v, "url": "/search?" + urlencode({**base, name: v["value"] or ""})} for v in values
        ]
    return out


_OUTLETS = "SELECT DISTINCT outlet AS value FROM articles WHERE outlet IS NOT NULL ORDER BY 1"
_TECHNIQUES = "SELECT DISTINCT technique AS value FROM techniques ORDER BY 1"


@router.get("/analyze")
def analyze_form(request: Request) -> HTMLResponse:
    return page(request, "analyze.html", limit_mb=MAX_UPLOAD // (1024 * 1024), error=None)


@router.post("/analyze")
async def analyze(request: Request) -> HTMLResponse:
    limit_mb = MAX_UPLOAD // (1024 * 1024)

    def refuse(status: int, message: str) -> HTMLResponse:
        return templates.TemplateResponse(
            request,
            "analyze.html",
            {"limit_mb": limit_mb, "error": message},
            status_code=status,
        )

    try:
        await read_limited(request, MAX_UPLOAD + 64 * 1024)
        form = await request.form(max_files=1, max_fields=5, max_part_size=MAX_UPLOAD + 1024)
    except TooLarge:
        return refuse(413, f"The text is too large: the limit is {limit_mb} MB.")
    except Exception as exc:  # malformed multipart: a client error, not a crash
        if isinstance(exc, HTTPException) and exc.status_code >= 500:
            raise
        return refuse(400, "The form could not be read; paste the text or choose a file.")
    text = form.get("text")
    upload = form.get("file")
    if upload is not None and not isinstance(upload, str):
        data = await upload.read(MAX_UPLOAD + 1)
        if len(data) > MAX_UPLOAD:
            return refuse(413, f"The file is too large: the limit is {limit_mb} MB.")
        if data:
            text = data.decode("utf-8", errors="replace")
    if not isinstance(text, str) or not text.strip():
        return refuse(400, "Nothing to analyse: paste a text or choose a file.")
    if len(text.encode("utf-8")) > MAX_UPLOAD:
        return refuse(413, f"The text is too large: the limit is {limit_mb} MB.")
    result = await run_in_threadpool(analyze_text, request.app, text, None)
    if isinstance(result, str):
        return refuse(422, f"The text could not be analysed: {result}")
    found = {
        "id": result["id"],
        "title": (result.get("title") or {}).get("value"),
        "outlet": (result.get("outlet") or {}).get("value"),
        "published": (result.get("published") or {}).get("value"),
        "source": "pasted text",
        "story": None,
        "copy_of": [],
        "record": result,
    }
    return _article_page(request, found, set(LAYERS), analysed=True)
