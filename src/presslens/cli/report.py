"""Everything a command says on stderr: progress, skipped inputs, warnings, a summary."""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from presslens.cli.options import count
from presslens.model import Article, ReadError
from presslens.output import short_date

LOG_EVERY = 30.0  # seconds between progress lines when stderr is not a terminal
SUMMARY_ROWS = 50  # articles listed in the closing table; a long batch is summarised


class Report:
    """Everything the command says on stderr."""

    def __init__(self, quiet: bool, status: Callable[[], str] | None = None) -> None:
        self.quiet = quiet
        self._status_of = status
        self._started = self._logged = time.monotonic()
        self.console = Console(stderr=True, highlight=False, soft_wrap=True)
        self.errors: list[ReadError] = []
        self.rows: list[tuple[str, str, str]] = []
        self.read = 0
        self._progress: Progress | None = None
        self._task: Any = None

    def note(self, line: str) -> None:
        """One line, never wrapped (a reader may grep it), never taken as markup."""
        self.console.print(line, markup=False, emoji=False)

    def skipped(self, error: ReadError) -> None:
        self.errors.append(error)
        reason = " ".join(error.reason.split())  # one line, whatever a later stage wrote
        self.note(f"skipped {error.source.label}: {reason}")

    def warn(self, message: str) -> None:
        if not self.quiet:
            self.note(f"warning {message}")

    def article(self, article: Article) -> None:
        self.read += 1
        if len(self.rows) < SUMMARY_ROWS:
            self.rows.append(
                (
                    str(article.title.value or "(untitled)"),
                    str(article.outlet.value or "—"),
                    short_date(article.published),
                )
            )

    @contextmanager
    def progress(self) -> Iterator[None]:
        """A live progress line, only on a terminal and without --quiet."""
        if self.quiet or not self.console.is_terminal:
            yield
            return
        columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
        with Progress(*columns, console=self.console, transient=True) as progress:
            self._progress = progress
            self._task = progress.add_task(self._status(), total=None)
            try:
                yield
            finally:
                self._progress = None

    def advance(self) -> None:
        if self._progress is not None:
            self._progress.update(self._task, description=self._status())
        elif not self.quiet and time.monotonic() - self._logged >= LOG_EVERY:
            self._logged = time.monotonic()  # off a terminal (a log file): a line now and then
            self.note(f"progress: {self._status()}")

    def rate(self, n: int) -> str:
        """``n`` items over the time since the command started, as items per second."""
        return f"{n / max(time.monotonic() - self._started, 1e-9):.1f}/s"

    def _status(self) -> str:
        if self._status_of is not None:
            return self._status_of()
        return f"{count(self.read, 'article')} read, {len(self.errors)} skipped"

    def capturing_warnings(self) -> Any:
        """Show readers' warnings (logged on ``presslens``) as lines on stderr."""
        if self.quiet:
            return nullcontext()
        return LogTo(self)

    def summary(self, *, show_articles: bool) -> None:
        if self.quiet:
            return
        if show_articles and self.rows:
            table = Table("title", "outlet", "published", title="articles", title_justify="left")
            for row in self.rows:
                table.add_row(*row)
            if self.read > len(self.rows):
                table.caption = f"first {len(self.rows)} of {self.read}"
            self.console.print(table, soft_wrap=False)
        self.note(self._status())
        if self.errors:
            reasons = Counter(e.reason.split(":")[0] for e in self.errors)
            table = Table("reason", "inputs", title="why inputs were skipped", title_justify="left")
            for reason, n in reasons.most_common():
                table.add_row(reason, str(n))
            self.console.print(table, soft_wrap=False)


class LogTo(logging.Handler):
    """While active, warnings logged under ``presslens`` become report lines."""

    def __init__(self, report: Report) -> None:
        super().__init__(logging.WARNING)
        self._report = report
        self._logger = logging.getLogger("presslens")

    def emit(self, record: logging.LogRecord) -> None:
        self._report.warn(record.getMessage())

    def __enter__(self) -> LogTo:
        self._logger.addHandler(self)
        return self

    def __exit__(self, *exc: object) -> None:
        self._logger.removeHandler(self)
