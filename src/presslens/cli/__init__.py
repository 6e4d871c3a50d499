"""The ``presslens`` command line.

stdout (or ``-o FILE``) carries only the records; everything for the person running
the command goes to stderr: a progress line on a terminal, one line per input that
failed ("skipped FILE: reason"), warnings, and a closing summary.

Exit status: 0 when every input was read and analysed, 1 when some were skipped,
2 for a usage error (click's convention), 130 when interrupted with Ctrl-C (what was
analysed before the interrupt is still written, see ``output.atomic_file``).
"""

from __future__ import annotations

import click

from presslens import __version__
from presslens.cli.analyze import analyze
from presslens.cli.corpus import (
    copies,
    export,
    ingest,
    labels,
    narratives,
    search,
    stories,
    trends,
)
from presslens.cli.run import run
from presslens.cli.serve import serve


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="presslens")
def main() -> None:
    """Evidence-linked analysis of who says what, in which words, when, across news outlets."""


main.add_command(analyze)
main.add_command(ingest)
main.add_command(run)
main.add_command(serve)
for command in (search, stories, copies, narratives, trends, labels, export):
    main.add_command(command)
