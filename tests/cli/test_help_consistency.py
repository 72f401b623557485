"""The help and the guide agree with the program.

Every command and option explains itself, and every ``coder ...`` command
line in README.md and docs/*.md (in code blocks and in inline code) names a
real command and only options that command has, so a renamed option cannot
leave the guide behind.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import click
import pytest

from coder.cli import cli

ROOT = Path(__file__).parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

# Shell operators that end one command and start the next.
SEPARATORS = {"|", "||", "&&", ";", "&"}
REDIRECTS = {">", ">>", "<", "2>", "2>&1"}


def walk(group: click.Group, path: tuple[str, ...] = ()):
    """Every (path, command) of the click tree below `group`."""
    ctx = click.Context(group, info_name="coder")
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        yield (*path, name), command
        if isinstance(command, click.Group):
            yield from walk(command, (*path, name))


COMMANDS = [((), cli), *walk(cli)]


def label(path: tuple[str, ...]) -> str:
    return " ".join(("coder", *path))


@pytest.mark.parametrize("path,command", COMMANDS, ids=[label(p) for p, _ in COMMANDS])
def test_every_command_and_option_has_help(path, command):
    assert (command.help or "").strip(), f"`{label(path)}` has no help text"
    bare = [
        param.opts[0]
        for param in command.params
        if isinstance(param, click.Option)
        and not param.hidden
        and not (param.help or "").strip()
    ]
    assert bare == [], f"`{label(path)}`: options without help: {bare}"


@dataclass(frozen=True)
class Line:
    """One `coder ...` command line quoted in a page."""

    page: str
    number: int
    text: str


def code_spans(text: str) -> list[tuple[int, str]]:
    """(line number, text) of every line in fenced code blocks and inline code."""
    spans: list[tuple[int, str]] = []
    fenced = False
    prose: list[tuple[int, str]] = []
    pending = ""
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        if fenced:
            # A trailing backslash continues the command on the next line.
            if pending:
                line = pending + " " + line.strip()
            if line.rstrip().endswith("\\"):
                pending = line.rstrip()[:-1]
                continue
            pending = ""
            if not line.lstrip().startswith("coder:"):  # a message, not a command
                spans.append((number, line))
        else:
            prose.append((number, line))
    # Inline code may wrap onto the next line of a paragraph.
    joined = "\n".join(line for _, line in prose)
    starts = [n for n, _ in prose]
    for match in re.finditer(r"`([^`]+)`", joined):
        row = joined.count("\n", 0, match.start())
        spans.append((starts[row], " ".join(match.group(1).split())))
    return spans


def command_lines() -> list[Line]:
    found = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for number, span in code_spans(text):
            for words in commands_in(span):
                found.append(Line(page.relative_to(ROOT).as_posix(), number, words))
    return found


def commands_in(span: str) -> list[str]:
    """The `coder ...` commands in one line of shell, as strings."""
    span = re.sub(r"^\s*\$\s+", "", span)
    try:
        lexer = shlex.shlex(span, posix=True, punctuation_chars=";&|<>")
        lexer.whitespace_split = True
        lexer.commenters = "#"
        tokens = list(lexer)
    except ValueError:  # an unbalanced quote: prose, not shell
        return []
    commands, current = [], []
    for token in [*tokens, ";"]:
        if token in SEPARATORS:
            if current:
                commands.append(current)
            current = []
        else:
            current.append(token)
    found = []
    for words in commands:
        # Leading VAR=value assignments belong to the shell.
        while words and re.fullmatch(r"[A-Z_][A-Z0-9_]*=\S*", words[0]):
            words = words[1:]
        if len(words) >= 2 and words[0] == "coder":
            found.append(shlex.join(words))
    return found


def check(words: list[str]) -> str | None:
    """Why the command line `words` (after `coder`) is wrong, or None."""
    command: click.Command = cli
    path: list[str] = []
    ctx = click.Context(cli, info_name="coder")
    tokens = list(words)
    positional_seen = False
    while tokens:
        # `[--coder NAME]` in a usage line: an optional option, checked too.
        token = tokens.pop(0).lstrip("[").rstrip("]") or "..."
        if token in REDIRECTS or token.startswith((">", "2>")):
            tokens = tokens[1:] if token in REDIRECTS else tokens
            continue
        if token in {"...", "…"}:
            continue
        if token == "--":
            break
        if token.startswith("-") and len(token) > 1:
            name, _, value = token.partition("=")
            option = find_option(command, name, ctx)
            if option is None:
                return f"`{label(tuple(path))}` has no option {name}"
            takes_value = isinstance(option, click.Option) and not (
                option.is_flag or option.count
            )
            if takes_value and not value:
                del tokens[: option.nargs]
            continue
        if isinstance(command, click.Group) and not positional_seen:
            if re.fullmatch(r"[A-Z][A-Z_]*", token):
                return None  # `coder COMMAND ...`: any command, not checked
            sub = command.get_command(ctx, token)
            if sub is not None:
                command, path = sub, [*path, token]
                continue
            if not any(isinstance(p, click.Argument) for p in command.params):
                return f"`{label(tuple(path))}` has no command {token!r}"
        positional_seen = True
    return None


def find_option(command: click.Command, name: str, ctx: click.Context):
    options = [*command.params, *command.get_help_option_names(ctx)]
    for option in command.params:
        if isinstance(option, click.Option) and name in (
            *option.opts,
            *option.secondary_opts,
        ):
            return option
    if name in options or name in {"-h", "--help"}:
        return name
    return None


LINES = command_lines()


# Options of other programs the guide shows (qc, a REFI-QDA tool: refi-qda.md).
FOREIGN_OPTIONS = {"--import"}


def all_options() -> set[str]:
    found = {"--help", "--version"}
    for _, command in COMMANDS:
        for param in command.params:
            if isinstance(param, click.Option):
                found.update((*param.opts, *param.secondary_opts))
    return found


def test_every_option_the_pages_name_exists():
    # Also in prose ("`--replace` re-imports it"), where no command is named.
    known = all_options() | FOREIGN_OPTIONS
    unknown = [
        f"{page.relative_to(ROOT).as_posix()}: {option}"
        for page in PAGES
        for option in re.findall(
            r"(?<![\w-])(--[a-z][a-z0-9-]*)", page.read_text(encoding="utf-8")
        )
        if option not in known
    ]
    assert unknown == []


def test_the_pages_quote_many_commands():
    # Guards the extraction itself: a broken parser would find nothing to check.
    assert len(LINES) > 200
    pages = {line.page for line in LINES}
    assert {"README.md", "docs/projects.md", "docs/importing.md"} <= pages


@pytest.mark.parametrize(
    "line", LINES, ids=[f"{line.page}:{line.number}" for line in LINES]
)
def test_every_quoted_command_line_exists(line):
    problem = check(shlex.split(line.text)[1:])
    assert problem is None, f"{line.page}:{line.number}: {line.text}: {problem}"


@pytest.mark.parametrize(
    "text,problem",
    [
        ("coder import x.txt --jobs 2", None),
        ("coder codebook export --format md -o a.md", None),
        ("coder import x.txt --no-such-option", "`coder import` has no option"),
        ("coder codebook frobnicate", "`coder codebook` has no command"),
        ("coder frobnicate --json", "`coder` has no command"),
        ("coder matrix --rows case --jaccard", "`coder matrix` has no option"),
        ("coder suggest --evaluate [--curve] [--folds 5]", None),
        ("coder suggest --evaluate [--curvy]", "`coder suggest` has no option"),
    ],
)
def test_the_check_tells_a_wrong_line(text, problem):
    found = check(shlex.split(text)[1:])
    if problem is None:
        assert found is None
    else:
        assert found is not None and found.startswith(problem)


def test_commands_are_found_in_inline_code_and_code_blocks():
    page = (
        "Run `coder info -p\nstudy.db` now.\n\n"
        "```sh\n$ CODER_PROJECT=a.db coder docs --json | head   # list\n"
        "coder import a.txt \\\n  --jobs 2\n```\n"
    )
    found = [text for _, span in code_spans(page) for text in commands_in(span)]
    assert sorted(found) == [
        "coder docs --json",
        "coder import a.txt --jobs 2",
        "coder info -p study.db",
    ]


def run_coder(**env: str) -> subprocess.CompletedProcess:
    """`coder` in a fresh process with extra environment variables."""
    return subprocess.run(
        [sys.executable, "-c", "from coder.cli import main; main()"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_shell_completion_script_names_coder(shell):
    done = run_coder(_CODER_COMPLETE=f"{shell}_source")
    assert done.returncode == 0, done.stderr
    assert "_CODER_COMPLETE" in done.stdout
    assert "coder" in done.stdout.split("_CODER_COMPLETE", 1)[1]


def test_completion_offers_the_commands_that_match():
    done = run_coder(
        _CODER_COMPLETE="bash_complete", COMP_WORDS="coder codi", COMP_CWORD="1"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["plain,codings"]
