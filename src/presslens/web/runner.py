"""The "analyze a text" path: the real pipeline on one pasted or uploaded text, in a thread.

Nothing is stored. The spaCy pipeline is loaded on first use and shared; a lock keeps one
analysis at a time, since a spaCy pipeline is not meant to be used by two threads at once.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request


class TooLarge(ValueError):
    """The request body is over the limit."""


async def read_limited(request: Request, limit: int) -> bytes:
    """The request body, refused as soon as it passes ``limit`` bytes (whatever
    Content-Length claims)."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise TooLarge(f"the upload is over the {_mb(limit)} limit")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge(f"the upload is over the {_mb(limit)} limit")
        chunks.append(chunk)
    body = b"".join(chunks)
    request._body = body  # let request.form() parse what was read
    return body


def _mb(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MB"


def analyze_text(app: FastAPI, text: str, url: str | None = None) -> dict[str, Any] | str:
    """The record of one text, or the reason it could not be analysed."""
    from presslens.model import Article, RawPage, Source
    from presslens.pipeline import analyze
    from presslens.read.sniff import looks_html

    html = looks_html(text[:4096].encode("utf-8", "replace"))
    source = Source("html" if html else "text", path=None if url else "pasted text", url=url)
    page = RawPage(source, text, is_html=html)
    with app.state.analyze_lock:
        [result] = list(analyze([page]))
    if isinstance(result, Article):
        return result.to_dict()
    return getattr(result, "reason", None) or str(result)
