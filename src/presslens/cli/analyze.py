"""``presslens analyze``: pages in, one record per article out."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TextIO

import click

from presslens.cli.options import check_model, count, reading_options, workers_option
from presslens.cli.report import Report
from presslens.model import ReadError
from presslens.output import FORMATS, ArticleWriter, atomic_file
from presslens.read import read_inputs


@click.command()
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
@reading_options
@workers_option
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
    workers: int | None,
    no_language: bool,
    quiet: bool,
) -> None:
    """Analyse news pages. PATH: a text, HTML, WARC or JSONL file, a folder, or - for stdin."""
    from presslens.pipeline import analyze as run_pipeline  # heavy imports only when used

    if not no_language:
        check_model(model)
    report = Report(quiet)
    to_file = output is not None and str(output) != "-"
    writer: ArticleWriter | None = None
    try:
        with report.capturing_warnings(), _destination(output if to_file else None) as stream:
            writer = ArticleWriter(stream, fmt)
            with report.progress():
                try:
                    pages = read_inputs(paths, crawled_at, max_bytes)
                    for result in run_pipeline(
                        pages, language=not no_language, model=model, workers=workers
                    ):
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
        written = count(writer.count if writer else 0, "article")
        report.note(f"interrupted: {written} written to {where}")
        ctx.exit(130)
    report.summary(show_articles=to_file)
    ctx.exit(1 if report.errors else 0)


@contextmanager
def _destination(output: Path | None) -> Iterator[TextIO]:
    if output is None:
        yield sys.stdout
    else:
        with atomic_file(output) as f:
            yield f
