"""Options and checks shared by the commands that read pages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from presslens.nlp import DEFAULT_MODEL
from presslens.pipeline import BATCH_SIZE
from presslens.read import DEFAULT_MAX_BYTES, parse_timestamp


class Timestamp(click.ParamType):
    """An ISO 8601 date or date-time; naive values are taken as UTC."""

    name = "ISO-DATE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, datetime):
            return value
        try:
            return parse_timestamp(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


def reading_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options every command that reads and analyses pages takes."""
    options = (
        click.option(
            "--crawled-at",
            type=Timestamp(),
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


def workers_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--workers``: processes for the language stage of a batch (``presslens.workers``)."""
    from presslens.workers import MIN_ARTICLES

    return click.option(
        "--workers",
        type=click.IntRange(min=1),
        default=None,
        help=f"Processes for the language stage, on batches of {MIN_ARTICLES} articles or more "
        "[default: one per core]; 1 keeps everything in this process.",
    )(command)


def check_model(model: str) -> None:
    """Fail early, as a usage error, when the spaCy model is not installed, or when
    ``PRESSLENS_ATTRIBUTION_MODEL`` / ``PRESSLENS_TECHNIQUES_MODEL`` names a model that cannot
    run here (else every article would carry the same failure as a warning)."""
    from presslens.framing.techniques import default_variant as technique_model
    from presslens.nlp import load_model, model_installed
    from presslens.quotes.tagger import default_variant as attribution_model

    for chosen in (attribution_model, technique_model):
        try:
            chosen()
        except ValueError as exc:
            raise click.UsageError(str(exc)) from exc
    if model_installed(model):
        return  # loaded when the first page needs it
    try:
        load_model(model)  # spaCy may still know it (a shortcut link): then it is fine
    except RuntimeError as exc:
        raise click.BadParameter(str(exc), param_hint="--model") from exc


def count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


batch_size_option = click.option(
    "--batch-size",
    type=click.IntRange(1, 10_000),
    default=BATCH_SIZE,
    show_default=True,
    help="Pages analysed together (lines repeated across them are boilerplate); a run with "
    "the same value reads every page as `presslens ingest` does, and a resumed ingest must "
    "use the same value to match an uninterrupted one.",
)


def db_option(help: str = "The DuckDB store made by `presslens ingest`.") -> Any:
    """``--db FILE``, the corpus store, default ``presslens.duckdb``."""
    return click.option(
        "--db",
        type=click.Path(dir_okay=False, path_type=Path),
        default=Path("presslens.duckdb"),
        show_default=True,
        help=help,
    )
