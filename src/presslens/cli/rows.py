"""Query results on stdout: a table for reading, or JSON / JSON Lines / CSV for other tools."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Sequence
from datetime import date
from typing import Any

from rich.console import Console
from rich.table import Table

ROW_FORMATS = ("table", "json", "jsonl", "csv")


def emit(
    rows: list[dict[str, Any]],
    fmt: str,
    columns: Sequence[str],
    *,
    title: str | None = None,
) -> None:
    """Write ``rows``: all their fields for json/jsonl, ``columns`` for table and csv."""
    if fmt == "json":
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2, default=_plain)
        sys.stdout.write("\n")
    elif fmt == "jsonl":
        for row in rows:
            sys.stdout.write(json.dumps(row, ensure_ascii=False, default=_plain) + "\n")
    elif fmt == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(row.get(c)) for c in columns])
    else:
        table = Table(*columns, title=title, title_justify="left")
        for row in rows:
            table.add_row(*(_cell(row.get(c)) for c in columns))
        Console(highlight=False, soft_wrap=False).print(table)


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.3f}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "; ".join(_cell(v) for v in value)
    return str(value)
