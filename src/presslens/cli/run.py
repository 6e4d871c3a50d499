"""The scale-out command: ``run`` analyses pages into Parquet on an engine (``ingest
--from-parquet``
puts such output into a corpus store."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from presslens.cli.options import batch_size_option, check_model, reading_options


@click.command()
@click.argument("paths", nargs=-1, required=True, metavar="INPUT...")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder for the Parquet tables (one sub-folder per table; created when missing).",
)
@click.option(
    "--engine",
    type=click.Choice(["local", "ray"]),
    default="local",
    show_default=True,
    help="local: a process pool on this machine; ray: Ray Data (pip install presslens[scale]).",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 100_000),
    default=2,
    show_default=True,
    help="Worker processes (local) or actors (ray), each with one copy of the model.",
)
@click.option(
    "--address",
    help="An existing Ray cluster, e.g. ray://head:10001 (default: start one on this machine).",
)
@reading_options
@batch_size_option
@click.option(
    "--shard-batches",
    type=click.IntRange(1, 10_000),
    help="Batches per shard, the unit of work and of retry (default: by input size, at most 16).",
)
@click.option("-q", "--quiet", is_flag=True, help="No summary on stderr.")
@click.pass_context
def run(
    ctx: click.Context,
    paths: tuple[str, ...],
    out: Path,
    engine: str,
    workers: int,
    address: str | None,
    crawled_at: datetime | None,
    max_bytes: int,
    model: str,
    batch_size: int,
    shard_batches: int | None,
    quiet: bool,
) -> None:
    """Analyse pages on many cores or a Ray cluster into Parquet tables with the store's
    schema (plus an errors table); query them with DuckDB or load them with
    `presslens ingest --from-parquet`."""
    from presslens.scale import run as run_scale

    check_model(model)
    try:
        manifest = run_scale(
            paths,
            out,
            engine=engine,
            workers=workers,
            address=address,
            batch_size=batch_size,
            model=model,
            crawled_at=crawled_at,
            max_bytes=max_bytes,
            batches_per_shard=shard_batches,
        )
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    if not quiet:
        click.echo(
            f"{out}: {manifest['items']} read, {manifest['articles']} articles, "
            f"{manifest['duplicates']} repeated, {manifest['errors']} failed "
            f"(see {out / 'errors'}), {manifest.get('copies', 0)} copies, "
            f"{manifest.get('stories', 0)} stories · {manifest['total_s']:.1f} s "
            f"on {engine} x{workers}",
            err=True,
        )
    ctx.exit(1 if manifest["errors"] else 0)
