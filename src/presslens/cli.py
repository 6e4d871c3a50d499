"""The ``presslens`` command line.

stdout (or ``-o FILE``) carries only the records; everything for the person running
the command goes to stderr: a progress line on a terminal, one line per input that
failed ("skipped FILE: reason"), warnings, and a closing summary.

Exit status: 0 when every input was read and analysed, 1 when some were skipped,
2 for a usage error (click's convention), 130 when interrupted with Ctrl-C (what was
analysed before the interrupt is still written, see ``output.atomic_file``).
"""

from __future__ import annotations

import logging
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

import click
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from presslens import __version__
from presslens.model import Article, ReadError
from presslens.nlp import DEFAULT_MODEL
from presslens.output import FORMATS, ArticleWriter, atomic_file, short_date
from presslens.read import DEFAULT_MAX_BYTES, parse_timestamp, read_inputs

SUMMARY_ROWS = 50  # articles listed in the closing table; a long batch is summarised


class _Timestamp(click.ParamType):
    """An ISO 8601 date or date-time; naive values are taken as UTC."""

    name = "ISO-DATE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, datetime):
            return value
        try:
            return parse_timestamp(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


def _reading_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options every command that reads and analyses pages takes."""
    options = (
        click.option(
            "--crawled-at",
            type=_Timestamp(),
            help="When the pages were fetched, for relative dates; a WARC-Date or JSONL field "
            "wins.",
        ),
        click.option(
            "--max-bytes",
            type=click.IntRange(min=1),
            default=DEFAULT_MAX_BYTES,
            show_default=True,
            help="Skip a page larger than this.",
        ),
        click.option(
            "--model",
            default=DEFAULT_MODEL,
            show_default=True,
            help="Installed spaCy pipeline (name or path) for actors, quotes, claims and times.",
        ),
    )
    for option in reversed(options):
        command = option(command)
    return command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="presslens")
def main() -> None:
    """Evidence-linked analysis of who says what, in which words, when, across news outlets."""


@main.command()
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="json",
    show_default=True,
    help="json: one array; jsonl: one article per line; md: a readable report.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write here (atomically) instead of stdout; folders are created.",
)
@_reading_options
@click.option(
    "--no-language",
    is_flag=True,
    help="Stop after cleaning: body and metadata only, no actors, quotes, claims or times.",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress, warnings or summary on stderr.")
@click.pass_context
def analyze(
    ctx: click.Context,
    paths: tuple[str, ...],
    fmt: str,
    output: Path | None,
    crawled_at: datetime | None,
    max_bytes: int,
    model: str,
    no_language: bool,
    quiet: bool,
) -> None:
    """Analyse news pages. PATH: a text, HTML, WARC or JSONL file, a folder, or - for stdin."""
    from presslens.pipeline import analyze as run_pipeline  # heavy imports only when used

    if not no_language:
        _check_model(model)
    report = _Report(quiet)
    to_file = output is not None and str(output) != "-"
    writer: ArticleWriter | None = None
    try:
        with report.capturing_warnings(), _destination(output if to_file else None) as stream:
            writer = ArticleWriter(stream, fmt)
            with report.progress():
                try:
                    pages = read_inputs(paths, crawled_at, max_bytes)
                    for result in run_pipeline(pages, language=not no_language, model=model):
                        if isinstance(result, ReadError):
                            report.skipped(result)
                        else:
                            writer.write(result)
                            report.article(result)
                        report.advance()
                except KeyboardInterrupt:
                    writer.close()
                    raise
            writer.close()
    except BrokenPipeError:
        # The reader of stdout went away (`| head`): stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        ctx.exit(1)
    except KeyboardInterrupt:
        where = str(output) if to_file else "stdout"
        written = _count(writer.count if writer else 0, "article")
        report.note(f"interrupted: {written} written to {where}")
        ctx.exit(130)
    report.summary(show_articles=to_file)
    ctx.exit(1 if report.errors else 0)


@main.command()
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("presslens.duckdb"),
    show_default=True,
    help="The DuckDB store to add to (created when missing).",
)
@_reading_options
@click.option("-q", "--quiet", is_flag=True, help="No progress or summary on stderr.")
@click.pass_context
def ingest(
    ctx: click.Context,
    paths: tuple[str, ...],
    db: Path,
    crawled_at: datetime | None,
    max_bytes: int,
    model: str,
    quiet: bool,
) -> None:
    """Analyse pages into a corpus store. Pages already in it (same content) are skipped
    unanalysed, so an interrupted ingest is completed by running it again."""
    from presslens.corpus import Store
    from presslens.model import RawPage, content_id
    from presslens.pipeline import analyze as run_pipeline

    _check_model(model)
    report = _Report(quiet)
    try:
        store = Store(db)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--db") from exc
    added = duplicates = 0

    def new_pages(items: Iterator[RawPage | ReadError]) -> Iterator[RawPage | ReadError]:
        nonlocal duplicates
        for item in items:
            if isinstance(item, RawPage) and store.has(content_id(item.text)):
                duplicates += 1
                report.advance()
                continue
            yield item

    with store, report.capturing_warnings(), report.progress():
        try:
            pages = new_pages(read_inputs(paths, crawled_at, max_bytes))
            for result in run_pipeline(pages, model=model):
                if isinstance(result, ReadError):
                    report.skipped(result)
                elif store.add(result):
                    added += 1
                    report.article(result)
                else:
                    duplicates += 1
                report.advance()
        except KeyboardInterrupt:
            stored = _count(added, "article")
            report.note(f"interrupted: {stored} stored in {db}; run again to go on")
            ctx.exit(130)
    if not quiet:
        report.note(
            f"{db}: {added} added, {duplicates} already stored, {len(report.errors)} failed"
        )
    ctx.exit(1 if report.errors else 0)


def _check_model(model: str) -> None:
    """Fail early, as a usage error, when the spaCy model is not installed."""
    from presslens.nlp import load_model

    try:
        load_model(model)
    except RuntimeError as exc:
        raise click.BadParameter(str(exc), param_hint="--model") from exc


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


@contextmanager
def _destination(output: Path | None) -> Iterator[TextIO]:
    if output is None:
        yield sys.stdout
    else:
        with atomic_file(output) as f:
            yield f


class _Report:
    """Everything the command says on stderr."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
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

    def _status(self) -> str:
        return f"{_count(self.read, 'article')} read, {len(self.errors)} skipped"

    def capturing_warnings(self) -> Any:
        """Show readers' warnings (logged on ``presslens``) as lines on stderr."""
        if self.quiet:
            return nullcontext()
        return _LogTo(self)

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


class _LogTo(logging.Handler):
    """While active, warnings logged under ``presslens`` become report lines."""

    def __init__(self, report: _Report) -> None:
        super().__init__(logging.WARNING)
        self._report = report
        self._logger = logging.getLogger("presslens")

    def emit(self, record: logging.LogRecord) -> None:
        self._report.warn(record.getMessage())

    def __enter__(self) -> _LogTo:
        self._logger.addHandler(self)
        return self

    def __exit__(self, *exc: object) -> None:
        self._logger.removeHandler(self)
