"""Shared fixtures: where ../shared lives, and skipping cleanly when it is absent."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from presslens.model import Article, RawPage, Source
from presslens.pipeline import analyze

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "seeds"
DATA = SHARED / "data"


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    if not (SEEDS / "gold.json").is_file():
        pytest.skip(f"seed pages not found at {SEEDS} (expected ../shared/seeds beside the repo)")
    return SEEDS


@pytest.fixture(scope="session")
def gold(seeds_dir: Path) -> dict:
    return json.loads((seeds_dir / "gold.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def data_dir() -> Path:
    if not DATA.is_dir():
        pytest.skip(f"benchmark data not found at {DATA}")
    return DATA


def read_seeds(seeds_dir: Path, crawled_at: datetime | None = None) -> dict[str, Article]:
    """The seed pages through the whole pipeline, by file name."""
    pages = [
        RawPage(Source("text", path=str(p), crawled_at=crawled_at), p.read_text(encoding="utf-8"))
        for p in sorted(seeds_dir.glob("*.txt"))
    ]
    out = {}
    for page, article in zip(pages, analyze(pages), strict=True):
        assert isinstance(article, Article), article
        out[Path(page.source.path).name] = article
    return out


@pytest.fixture(scope="session")
def seed_articles(seeds_dir: Path) -> dict[str, Article]:
    """Analysed once per test session; tests must not modify them."""
    return read_seeds(seeds_dir)
