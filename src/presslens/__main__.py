"""``python -m presslens``: the same command line as ``presslens``."""

from presslens.cli import main

main()
