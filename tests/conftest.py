"""Shared fixtures: where ../shared lives, and skipping cleanly when it is absent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

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
