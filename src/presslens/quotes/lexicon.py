"""Read the quote stage's word lists from ``presslens/data``.

(``presslens.data`` is the data folder's package, so the files are read straight from it.)
"""

from __future__ import annotations

import csv
import io
from functools import cache
from importlib.resources import files


def data_lines(name: str) -> list[str]:
    """Non-empty lines of a data file, '#' documentation lines left out."""
    text = files("presslens.data").joinpath(name).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


@cache
def data_rows(name: str) -> tuple[dict[str, str], ...]:
    """Rows of a CSV data file whose '#' lines are documentation."""
    return tuple(csv.DictReader(io.StringIO("\n".join(data_lines(name)))))
