"""The app factory, the per-request cursor, security headers and error pages."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import duckdb
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException

from presslens import __version__

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
CHART_JS = STATIC / "vendor" / "chart.umd.min.js"
MAX_UPLOAD = 2 * 1024 * 1024  # bytes of text the analyze form and API accept

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)

templates = Jinja2Templates(directory=str(HERE / "templates"))  # autoescape on for .html


class Corpus:
    """The read-only store: one DuckDB connection, a cursor per request."""

    def __init__(self, path: Path) -> None:
        from presslens.corpus import open_read_only

        self.path = Path(path)
        self.store = open_read_only(self.path)  # ValueError for a missing or foreign file
        self._lock = threading.Lock()

    def cursor(self) -> duckdb.DuckDBPyConnection:
        with self._lock:
            return self.store.db.cursor()

    def close(self) -> None:
        self.store.close()


def create_app(db: Path | str) -> FastAPI:
    """The workbench over the store at ``db`` (raises ValueError when it is not one)."""
    from presslens.web import api, pages

    corpus = Corpus(Path(db))
    app = FastAPI(
        title="presslens workbench API",
        version=__version__,
        description="Read a corpus store: articles with their evidence spans, search, stories, "
        "actors, narratives, trends and exports. Body offsets index the article's `body`.",
        docs_url=None,  # Swagger UI loads from a CDN with inline scripts: spec only
        redoc_url=None,
    )
    app.state.corpus = corpus
    app.state.analyze_lock = threading.Lock()
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    app.include_router(api.router)
    app.include_router(pages.router)

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        return response

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        if _wants_html(request):
            return error_page(request, exc.status_code, str(exc.detail))
        return JSONResponse(
            {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
        )

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError):
        if _wants_html(request):
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e.get('loc', ())[1:])}: {e.get('msg')}"
                for e in exc.errors()
            )
            return error_page(request, 422, f"bad parameter: {problems}")
        return JSONResponse({"detail": _jsonable(exc.errors())}, status_code=422)

    return app


def _jsonable(errors: list) -> list:
    from fastapi.encoders import jsonable_encoder

    return jsonable_encoder(
        [{k: v for k, v in e.items() if k != "ctx"} | {"ctx": None} for e in errors]
    )


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith(("/api", "/openapi", "/static"))


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    return templates.TemplateResponse(
        request, "error.html", {"status": status, "message": message}, status_code=status
    )


def cursor(request: Request) -> Iterator[duckdb.DuckDBPyConnection]:
    """FastAPI dependency: a cursor of the store, closed after the request."""
    cur = request.app.state.corpus.cursor()
    try:
        yield cur
    finally:
        cur.close()


Db = Annotated[duckdb.DuckDBPyConnection, Depends(cursor)]


def chart_available() -> bool:
    return CHART_JS.is_file()
