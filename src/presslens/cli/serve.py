"""``presslens serve``: the web workbench and JSON API over a corpus store."""

from __future__ import annotations

from pathlib import Path

import click

from presslens.cli.options import db_option


@click.command()
@db_option("The DuckDB store made by `presslens ingest` (opened read-only).")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; the loopback default keeps the workbench on this machine.",
)
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
def serve(db: Path, host: str, port: int) -> None:
    """Serve the workbench (pages and /api, OpenAPI at /openapi.json) over a store."""
    import uvicorn

    from presslens.web import create_app

    try:
        app = create_app(db)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--db") from exc
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"warning: listening on {host}: the workbench has no login", err=True)
    click.echo(f"workbench: http://{host}:{port}  (store {db}, read-only)", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
