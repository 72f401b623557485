"""The `coder` command line: parse options, open the project, call one service, print.

Data goes to stdout (tables, or one JSON document with ``--json``);
progress and diagnostics go to stderr. Each module adds its commands to the
one click group in `coder.cli.base`, which imports a command's module only
when that command runs (`COMMAND_MODULES`), so a quick command starts quickly.
"""

from coder.cli.base import cli, load_commands


def main() -> None:
    cli(prog_name="coder")


__all__ = ["cli", "load_commands", "main"]
