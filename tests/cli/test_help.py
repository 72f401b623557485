"""Every command and subcommand explains itself with an example."""

from __future__ import annotations

import click
import pytest

from coder.cli import cli


def _commands(group: click.Group, path: tuple[str, ...] = ()):
    ctx = click.Context(group, info_name="coder")
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        yield (*path, name)
        if isinstance(command, click.Group):
            yield from _commands(command, (*path, name))


COMMANDS = [(), *_commands(cli)]


def test_the_walk_finds_the_core_commands():
    found = {" ".join(path) for path in COMMANDS}
    assert found >= {
        "init", "import", "docs", "show", "cases", "case", "case set",
        "attributes", "attributes import", "info", "demo",
    }  # fmt: skip


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "coder")
def test_help_has_an_example(coder, path):
    result = coder(*path, "--help")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"Usage: coder {' '.join(path)}".rstrip())
    assert "Example:" in result.stdout
    example = result.stdout.split("Example:", 1)[1].strip().splitlines()[0].strip()
    assert example.startswith(f"coder {path[0]}" if path else "coder ")


def test_short_help_flag(coder):
    result = coder("docs", "-h")
    assert result.exit_code == 0
    assert "Example:" in result.stdout
