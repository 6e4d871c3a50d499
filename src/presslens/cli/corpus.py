"""The corpus commands: ``ingest`` pages into a store, then query it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from presslens.cli.options import (
    batch_size_option,
    check_model,
    count,
    db_option,
    reading_options,
    workers_option,
)
from presslens.cli.report import Report
from presslens.cli.rows import ROW_FORMATS, emit
from presslens.corpus.views import PERIODS, TREND_ITEMS
from presslens.model import Article, ReadError
from presslens.read import read_inputs


@click.command()
@click.argument("paths", nargs=-1, metavar="PATH...")
@db_option("The DuckDB store to add to (created when missing).")
@click.option(
    "--from-parquet",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Instead of pages: the output folder of `presslens run` (already analysed).",
)
@reading_options
@workers_option
@batch_size_option
@click.option("-q", "--quiet", is_flag=True, help="No progress or summary on stderr.")
@click.pass_context
def ingest(
    ctx: click.Context,
    paths: tuple[str, ...],
    db: Path,
    from_parquet: Path | None,
    crawled_at: datetime | None,
    max_bytes: int,
    model: str,
    workers: int | None,
    batch_size: int,
    quiet: bool,
) -> None:
    """Analyse pages into a corpus store. Pages already in it (same content) are skipped
    unanalysed, so an interrupted ingest is completed by running it again."""
    from presslens.corpus import Store
    from presslens.model import RawPage, content_id
    from presslens.pipeline import analyze as run_pipeline

    if from_parquet is not None:
        if paths:
            raise click.UsageError("give PATH... or --from-parquet, not both")
        _from_parquet(from_parquet, db, quiet)
        return
    if not paths:
        raise click.UsageError("no PATH given (or --from-parquet DIR)")
    check_model(model)
    added = duplicates = 0

    def status() -> str:
        done = f"{added} added, {duplicates} already stored, {len(report.errors)} failed"
        return f"{done} · {report.rate(added + duplicates)}"

    report = Report(quiet, status)
    try:
        store = Store(db)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--db") from exc

    def stored(page: RawPage) -> bool:
        return store.has(content_id(page.text))

    pending: list[Article] = []  # analysed, written a batch at a time (one transaction)

    def flush() -> None:
        nonlocal added, duplicates
        written = store.add_many(pending)
        added, duplicates = added + written, duplicates + len(pending) - written
        pending.clear()

    with store, report.capturing_warnings(), report.progress():
        try:
            pages = read_inputs(paths, crawled_at, max_bytes)
            for result in run_pipeline(
                pages, batch_size=batch_size, model=model, workers=workers, skip=stored
            ):
                if isinstance(result, ReadError):
                    report.skipped(result)
                elif isinstance(result, RawPage):
                    duplicates += 1
                else:
                    pending.append(result)
                    report.article(result)
                    if len(pending) >= batch_size:
                        flush()
                report.advance()
            flush()
            _refresh(store, report)
        except KeyboardInterrupt:
            flush()  # what was analysed before Ctrl-C is kept
            done = count(added, "article")
            report.note(f"interrupted: {done} stored in {db}; run again to go on")
            ctx.exit(130)
    if not quiet:
        report.note(
            f"{db}: {added} added, {duplicates} already stored, {len(report.errors)} failed"
        )
    ctx.exit(1 if report.errors else 0)


def _from_parquet(folder: Path, db: Path, quiet: bool) -> None:
    """Load what `presslens run` wrote (pages already stored are left out), then update
    copies, stories, narratives and the search index."""
    from presslens.corpus import Store
    from presslens.corpus.parquet import load

    try:
        with Store(db) as store:
            added = load(store, folder)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--from-parquet") from exc
    if not quiet:
        click.echo(f"{db}: {added} added from {folder}", err=True)


def _refresh(store, report: Report) -> None:
    """Copies, stories, narratives and the search index catch up with the new articles."""
    import duckdb

    try:
        store.refresh()
    except (duckdb.Error, OSError, MemoryError) as exc:
        report.note(
            f"{store.path}: articles are stored, but the corpus layers could not be updated "
            f"({type(exc).__name__}: {exc}); run the ingest again to retry"
        )
        raise click.exceptions.Exit(1) from exc


def _rows_format(command):
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(ROW_FORMATS),
        default="table",
        show_default=True,
        help="table: for reading; json, jsonl, csv: for other tools (on stdout).",
    )(command)


def _open(db: Path):
    """A read-only connection to an existing store, or a usage error naming the file."""
    from presslens.corpus import open_read_only

    try:
        return open_read_only(db)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--db") from exc


@click.command()
@click.argument("query", default="")
@db_option()
@click.option("--outlet", help="Only this outlet (as `presslens analyze` names it).")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="Published on or after.")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Published on or before.")
@click.option("--actor", help="Mentions this actor: a name, a surname, or an alias as written.")
@click.option("--technique", help="Uses this persuasion technique, e.g. Loaded_Language.")
@click.option("--label", help='Uses this label for an actor, e.g. "Zionist regime".')
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@click.option("--offset", type=click.IntRange(0), default=0)
@_rows_format
def search(
    query: str,
    db: Path,
    outlet: str | None,
    since: datetime | None,
    until: datetime | None,
    actor: str | None,
    technique: str | None,
    label: str | None,
    limit: int,
    offset: int,
    fmt: str,
) -> None:
    """Full-text search (BM25) over the store, with filters. QUERY may be empty: then the
    filtered articles are listed, newest first."""
    from presslens.corpus.search import Filters
    from presslens.corpus.search import search as run_search

    filters = Filters(
        outlet=outlet,
        since=since.date() if since else None,
        until=until.date() if until else None,
        actor=actor,
        technique=technique,
        label=label,
    )
    with _open(db) as store:
        total, hits = run_search(store.db, query, filters, limit=limit, offset=offset)
    rows = [h.to_dict() for h in hits]
    columns = ("score", "published", "outlet", "title", "snippet")
    emit(rows, fmt, columns, title=f"{total} matching articles" if fmt == "table" else None)


@click.command()
@db_option()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv", "parquet"]),
    default="parquet",
    show_default=True,
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder for the files (one per table; created when missing).",
)
@click.option("--table", "tables", multiple=True, help="Only this table (repeatable).")
def export(db: Path, fmt: str, out: Path, tables: tuple[str, ...]) -> None:
    """Write every table of the store as JSON Lines, CSV or Parquet files."""
    from presslens.corpus import TABLES
    from presslens.corpus.export import export as run_export

    unknown = sorted(set(tables) - set(TABLES))
    if unknown:
        raise click.BadParameter(
            f"no table {', '.join(unknown)}; tables: {', '.join(TABLES)}", param_hint="--table"
        )
    with _open(db) as store:
        written = run_export(store.db, out, fmt, list(tables) or list(TABLES))
    for path, rows in written:
        click.echo(f"{path}\t{rows} rows", err=True)


@click.command()
@click.argument("what", type=click.Choice(list(TREND_ITEMS)))
@db_option()
@click.option("--by", type=click.Choice(PERIODS), default="week", show_default=True)
@click.option("--outlet", help="Only this outlet.")
@click.option("--top", type=click.IntRange(1, 100), default=10, show_default=True)
@_rows_format
def trends(what: str, db: Path, by: str, outlet: str | None, top: int, fmt: str) -> None:
    """How often the top actors, quoted speakers, labels or techniques appear per day, week or
    month and per outlet (undated articles are counted apart)."""
    from presslens.corpus.views import trends as run_trends

    with _open(db) as store:
        rows = run_trends(store.db, what, by=by, outlet=outlet, top=top)
    emit(rows, fmt, ("period", "outlet", "item", "count"))


@click.command()
@db_option()
@click.option("--for", "refers_to", help="Only labels for this actor, e.g. Israel.")
@click.option("--story", help="Only articles of this story (see `presslens stories`).")
@_rows_format
def labels(db: Path, refers_to: str | None, story: str | None, fmt: str) -> None:
    """Outlets side by side: which outlet calls whom what, with counts and the spans."""
    from presslens.corpus.views import labels_by_outlet

    with _open(db) as store:
        rows = labels_by_outlet(store.db, refers_to=refers_to, story=story)
    for row in rows:
        row["where"] = "; ".join(f"{s['article'][7:15]}@{s['start']}" for s in row["spans"][:3])
    emit(rows, fmt, ("refers_to", "outlet", "term", "class", "count", "where"))


@click.command()
@click.argument("story", required=False)
@db_option()
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
@_rows_format
def stories(story: str | None, db: Path, limit: int, fmt: str) -> None:
    """Stories (articles about one event), largest first; with STORY, its outlets side by
    side: who reported first, how many copies, labels and quotes each carried."""
    from presslens.corpus import views

    with _open(db) as store:
        if story is None:
            rows = views.stories(store.db, limit=limit)
            columns = ("story", "size", "first_published", "label", "outlets")
        else:
            rows = views.story_outlets(store.db, story)
            if not rows:
                raise click.BadParameter(f"no story {story!r} in {db}", param_hint="STORY")
            columns = (
                "outlet",
                "first_published",
                "articles",
                "copies",
                "loaded_labels",
                "quotes",
                "titles",
            )
    emit(rows, fmt, columns)


@click.command()
@db_option()
@click.option("--limit", type=click.IntRange(1, 100_000), default=100, show_default=True)
@_rows_format
def copies(db: Path, limit: int, fmt: str) -> None:
    """Syndicated copies: each copy with its origin (the earliest) and what it changed."""
    from presslens.corpus import views

    with _open(db) as store:
        rows = views.copies(store.db, limit=limit)
    columns = (
        "kind",
        "similarity",
        "copy_outlet",
        "copy_title",
        "origin_outlet",
        "origin_published",
        "edits",
    )
    emit(rows, fmt, columns)


@click.command()
@click.argument("narrative", required=False)
@db_option()
@click.option("--by", type=click.Choice(PERIODS), default="week", show_default=True)
@_rows_format
def narratives(narrative: str | None, db: Path, by: str, fmt: str) -> None:
    """Narratives (stories told with the same loaded labels) across outlets; with NARRATIVE,
    its articles per period and outlet."""
    from presslens.corpus import views

    with _open(db) as store:
        if narrative is None:
            rows = views.narratives(store.db)
            columns = ("narrative", "stories", "articles", "first_published", "label", "outlets")
        else:
            rows = views.narrative_trend(store.db, narrative, by=by)
            columns = ("period", "outlet", "articles")
    emit(rows, fmt, columns)
