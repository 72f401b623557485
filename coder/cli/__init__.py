"""The `coder` command line: parse options, open the project, call one service, print.

Data goes to stdout (tables, or one JSON document with ``--json``);
progress and diagnostics go to stderr. Each module adds its commands to the
one click group in `coder.cli.base`.
"""

from coder.cli import (  # noqa: F401  (each module registers its commands)
    agreement,
    cases,
    codebook,
    coding,
    documents,
    export,
    log,
    maintenance,
    matrices,
    project,
    refi,
    suggest,
    tui,
)
from coder.cli.base import cli


def main() -> None:
    cli(prog_name="coder")


__all__ = ["cli", "main"]
