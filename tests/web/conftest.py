"""Web fixtures: stores ingested from the seeds (and a hostile page), a live uvicorn server on
a free loopback port, and a headless Debian chromium driven by Playwright."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from presslens.model import Article, RawPage, Source
from presslens.pipeline import analyze

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "out" / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]

HOSTILE = """Hostile Test Page Title

A reporter wrote that <script>window.__pwned=1</script> appeared in the comment box on Monday.

The picture tag <img src=x onerror="window.__pwned=1"> was also pasted into the page, \
said the editor, who added: "We <b>never</b> run what readers send."

Officials said 12 people were injured in the incident, according to the police.
"""


def ingest(path: Path, articles: list[Article]) -> Path:
    from presslens.corpus import Store

    with Store(path) as store:
        for a in articles:
            store.add(a)
        store.refresh()
    return path


@pytest.fixture(scope="session")
def seeds_db(seed_articles: dict[str, Article], tmp_path_factory) -> Path:
    """The five seed pages, ingested as `presslens ingest` does (one batch)."""
    path = tmp_path_factory.mktemp("web") / "seeds.duckdb"
    return ingest(path, list(seed_articles.values()))


@pytest.fixture(scope="session")
def hostile_db(tmp_path_factory) -> Path:
    page = RawPage(Source("text", path="hostile/999_hostile.txt"), HOSTILE)
    [article] = list(analyze([page]))
    assert isinstance(article, Article), article
    path = tmp_path_factory.mktemp("web") / "hostile.duckdb"
    return ingest(path, [article])


class LiveServer:
    """uvicorn serving the workbench in a background thread on a free loopback port."""

    def __init__(self, db: Path) -> None:
        import uvicorn

        from presslens.web import create_app

        config = uvicorn.Config(
            create_app(db), host="127.0.0.1", port=0, log_level="warning", access_log=False
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the workbench server did not start")
            time.sleep(0.02)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def seeds_server(seeds_db: Path) -> Iterator[str]:
    server = LiveServer(seeds_db)
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
def hostile_server(hostile_db: Path) -> Iterator[str]:
    server = LiveServer(hostile_db)
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} not found (make test installs Debian's chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A fresh page; script errors on it fail the test."""
    context = browser.new_context(viewport={"width": 1360, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.errors = errors
    yield pg
    context.close()
    assert not errors, errors


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
