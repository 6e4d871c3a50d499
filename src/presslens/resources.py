"""Load the data files shipped in ``presslens/data`` (lexicons, tables, models)."""

from __future__ import annotations

import csv
import io
from functools import cache
from importlib.resources import files


def read_text(name: str) -> str:
    return files("presslens.data").joinpath(name).read_text(encoding="utf-8")


@cache
def read_csv(name: str) -> tuple[dict[str, str], ...]:
    """Rows of a CSV data file; lines starting with '#' are documentation."""
    lines = [line for line in read_text(name).splitlines() if not line.startswith("#")]
    return tuple(csv.DictReader(io.StringIO("\n".join(lines))))
