"""Load the data files shipped in ``presslens/data`` (lexicons, tables, models)."""

from __future__ import annotations

import csv
import io
import os
from functools import cache
from importlib.resources import files
from pathlib import Path

USER_DIR_ENV = "PRESSLENS_LEXICON_DIR"  # a folder of the user's own rows for the tables


def read_text(name: str) -> str:
    return files("presslens.data").joinpath(name).read_text(encoding="utf-8")


def _content_lines(text: str) -> list[str]:
    """Non-empty lines; lines starting with '#' are documentation."""
    return [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


def data_lines(name: str) -> list[str]:
    """Non-empty lines of a data file; lines starting with '#' are documentation."""
    return _content_lines(read_text(name))


def _csv_rows(text: str) -> tuple[dict[str, str], ...]:
    return tuple(csv.DictReader(io.StringIO("\n".join(_content_lines(text)))))


@cache
def read_csv(name: str) -> tuple[dict[str, str], ...]:
    """Rows of a CSV data file whose '#' lines are documentation."""
    return _csv_rows(read_text(name))


def read_csv_file(path: Path) -> tuple[dict[str, str], ...]:
    """Rows of a user's CSV file in the same format; a ValueError naming it if unreadable."""
    try:
        return _csv_rows(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeError) as exc:
        raise ValueError(f"{path}: cannot read: {exc}") from exc


def user_file(name: str) -> Path | None:
    """The user's own version of a table, ``$PRESSLENS_LEXICON_DIR/<name>``, if there is one."""
    folder = os.environ.get(USER_DIR_ENV)
    path = Path(folder) / name if folder else None
    return path if path is not None and path.is_file() else None


def user_stamp(name: str) -> tuple[str, int] | None:
    """What identifies the user's table as it is now (path and modification time), so caches
    built from it are rebuilt when it changes; None without one."""
    path = user_file(name)
    return (str(path), path.stat().st_mtime_ns) if path is not None else None


def read_user_csv(name: str) -> tuple[dict[str, str], ...]:
    """Rows of the user's table ``name``; none without one."""
    path = user_file(name)
    return read_csv_file(path) if path is not None else ()
