"""Load the data files shipped in ``presslens/data`` (lexicons, tables, models)."""

from __future__ import annotations

import csv
import io
from functools import cache
from importlib.resources import files


def read_text(name: str) -> str:
    return files("presslens.data").joinpath(name).read_text(encoding="utf-8")


def data_lines(name: str) -> list[str]:
    """Non-empty lines of a data file; lines starting with '#' are documentation."""
    return [ln for ln in read_text(name).splitlines() if ln.strip() and not ln.startswith("#")]


@cache
def read_csv(name: str) -> tuple[dict[str, str], ...]:
    """Rows of a CSV data file whose '#' lines are documentation."""
    return tuple(csv.DictReader(io.StringIO("\n".join(data_lines(name)))))
