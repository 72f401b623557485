"""Shared pieces of the command line: the group, options, error handling, output.

Data goes to stdout (tables, or one JSON document with ``--json``);
progress and diagnostics go to stderr.
"""

from __future__ import annotations

import errno
import functools
import importlib
import json
import os
import sqlite3
import sys
import tempfile
import traceback
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from coder import __version__
from coder.errors import CoderError, database_error
from coder.store import DEFAULT_PROJECT

# soft_wrap: a line longer than the terminal is left to the terminal to wrap,
# never broken by rich, so a message stays one line when copied or grepped.
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

# Exit statuses (docs/errors.md); click's usage errors exit with 2 themselves.
EXIT_USER, EXIT_USAGE, EXIT_INTERNAL, EXIT_INTERRUPTED = 1, 2, 3, 130


class CoderClickError(click.ClickException):
    """Prints ``coder: error: <message>``, then ``hint: <hint>``; exits with 1.

    A message of several lines (a codebook's problems, one a line) prints each
    with the prefix.
    """

    def __init__(
        self, message: str, hint: str | None = None, exit_code: int = EXIT_USER
    ) -> None:
        super().__init__(message)
        self.hint = hint
        self.exit_code = exit_code

    def show(self, file=None) -> None:
        for line in self.format_message().splitlines() or [""]:
            click.echo(f"coder: error: {line}", err=True, file=file)
        if self.hint:
            click.echo(f"hint: {self.hint}", err=True, file=file)


class CoderUsageError(click.UsageError):
    """A usage mistake: click's usage and help lines, then ``coder: error: ...``."""

    def show(self, file=None) -> None:
        if self.ctx is not None:
            names = self.ctx.command.get_help_option_names(self.ctx)
            hint = (
                f"Try '{self.ctx.command_path} {max(names, key=len)}' for help.\n"
                if names
                else ""
            )
            click.echo(f"{self.ctx.get_usage()}\n{hint}", err=True, file=file)
        for line in self.format_message().splitlines() or [""]:
            click.echo(f"coder: error: {line}", err=True, file=file)


def _as_coder_usage(exc: click.UsageError) -> click.UsageError:
    # Errors that show themselves differently (NoArgsIsHelpError prints the
    # help) keep their own show().
    if isinstance(exc, CoderUsageError) or type(exc).show is not click.UsageError.show:
        return exc
    usage = CoderUsageError(exc.format_message(), exc.ctx)
    usage.exit_code = exc.exit_code
    return usage


def user_error(exc: CoderError) -> CoderClickError:
    return CoderClickError(str(exc), hint=exc.hint)


def handle_errors(func: Callable) -> Callable:
    """Turn coder's errors into one-line messages; the one place that does.

    A locked, damaged or read-only project file (an SQLite error) becomes a
    user error naming the command's project file; anything else is left to
    `CoderGroup` to report as an internal error.
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except CoderError as exc:
            raise user_error(exc) from exc
        except sqlite3.Error as exc:
            problem = database_error(exc, kwargs.get("project_path"))
            if problem is None:
                raise
            raise user_error(problem) from exc

    return wrapper


def traceback_dir() -> Path:
    """Where internal errors leave their tracebacks: coder's state folder.

    ``$XDG_STATE_HOME/coder/tracebacks`` when XDG_STATE_HOME is set, else the
    platform's user state folder (``~/.local/state/coder/tracebacks`` on Linux).
    """
    state = os.environ.get("XDG_STATE_HOME")
    if state:
        return Path(state) / "coder" / "tracebacks"
    try:
        import platformdirs  # installed with textual
    except ImportError:
        return Path.home() / ".local" / "state" / "coder" / "tracebacks"
    return platformdirs.user_state_path("coder", appauthor=False) / "tracebacks"


def save_traceback(exc: BaseException, argv: list[str] | None = None) -> Path | None:
    """Write the traceback of `exc` to a new file and return its path.

    Tries the state folder, then the system's temporary folder; None when
    neither can be written.
    """
    import platform  # a dozen regular expressions: only a crash needs it

    lines = [
        f"coder {__version__}, Python {platform.python_version()},"
        f" {platform.platform()}",
        f"at {datetime.now().astimezone().isoformat(timespec='seconds')}",
    ]
    if argv:
        lines.append("command: " + " ".join(argv))
    text = "\n".join(lines) + "\n\n" + "".join(traceback.format_exception(exc))
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    for folder in (traceback_dir, lambda: Path(tempfile.gettempdir())):
        try:
            target = folder()
            target.mkdir(parents=True, exist_ok=True)
            handle, name = tempfile.mkstemp(
                prefix=f"coder-{stamp}-", suffix=".txt", dir=target
            )
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.write(text)
        except (OSError, RuntimeError):  # RuntimeError: no home folder
            continue
        return Path(name)
    return None


def internal_error(
    exc: BaseException, debug: bool, argv: list[str] | None = None
) -> CoderClickError:
    """One line for a bug; its traceback saved to a file, or shown with --debug."""
    detail = " ".join(str(exc).split())
    summary = f"internal error: {type(exc).__name__}" + (
        f": {detail}" if detail else ""
    )
    if not debug:
        saved = save_traceback(exc, argv)
        if saved is not None:
            return CoderClickError(
                f"{summary}; the traceback is in {saved}",
                hint="this is a bug in coder: please report it with that file"
                " (--debug shows the traceback here)",
                exit_code=EXIT_INTERNAL,
            )
    click.echo("".join(traceback.format_exception(exc)), err=True, nl=False)
    return CoderClickError(summary, exit_code=EXIT_INTERNAL)


def _interrupted() -> None:
    # After ^C the cursor sits behind the terminal's "^C": start a new line.
    if sys.stderr.isatty():
        click.echo(err=True)
    click.echo("coder: interrupted", err=True)


# The modules that define each top-level command or add subcommands to it, in
# the order they must be imported. A command's module is imported when the
# command is asked for, so `coder show` loads what `show` needs and not the
# libraries of forty other commands (issue 17). tests/cli/test_startup.py
# checks this against what the modules register.
COMMAND_MODULES: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(
        ["agreement", "disagreements", "resolve", "consensus", "merge"],
        ("agreement",),
    ),
    **dict.fromkeys(["cases", "case", "attributes"], ("cases",)),
    **dict.fromkeys(["codebook", "codes"], ("codebook",)),
    **dict.fromkeys(["code", "uncode"], ("coding",)),
    "codings": ("coding", "suggest"),
    **dict.fromkeys(["docs", "show", "import"], ("documents",)),
    "export": ("export", "refi"),
    "log": ("log",),
    **dict.fromkeys(["backup", "backups", "restore", "check"], ("maintenance",)),
    **dict.fromkeys(
        [
            "matrix",
            "quotes",
            "cooccurrence",
            "saturation",
            "frequencies",
            "crosstab",
            "report",
        ],
        ("matrices",),
    ),
    **dict.fromkeys(["init", "info", "demo"], ("project",)),
    "help": ("help",),
    **dict.fromkeys(["suggest", "suggestions"], ("suggest",)),
    "open": ("tui",),
}


def load_commands(names: list[str] | None = None) -> None:
    """Import the modules of these top-level commands (all of them by default)."""
    for name in COMMAND_MODULES if names is None else names:
        for module in COMMAND_MODULES.get(name, ()):
            importlib.import_module(f"coder.cli.{module}")


class CoderGroup(click.Group):
    """The root group: whatever goes wrong ends as one line and a known exit status.

    Runs in click's standalone mode; the commands' errors are turned into
    click exceptions here, before click shows them: user errors exit 1,
    usage errors 2, internal errors 3 (traceback to a file), Ctrl-C 130.
    Commands are imported when asked for (`COMMAND_MODULES`).
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(COMMAND_MODULES))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        load_commands([cmd_name])
        return super().get_command(ctx, cmd_name)

    def make_context(self, info_name, args, parent=None, **extra):
        argv = [info_name or "coder", *args]
        try:
            ctx = super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as exc:
            raise _as_coder_usage(exc) from None
        ctx.meta["coder.argv"] = argv
        return ctx

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            raise _as_coder_usage(exc) from None
        except CoderClickError:
            raise
        except click.ClickException as exc:
            raise CoderClickError(
                exc.format_message(), exit_code=exc.exit_code
            ) from exc
        except (click.exceptions.Exit, click.exceptions.Abort, EOFError):
            raise  # click's own: exit codes, "Aborted!" after an end of input
        except KeyboardInterrupt:
            _interrupted()
            raise click.exceptions.Exit(EXIT_INTERRUPTED) from None
        except CoderError as exc:  # a command without @handle_errors
            raise user_error(exc) from exc
        except OSError as exc:
            if exc.errno == errno.EPIPE:
                raise  # `coder codings | head`: click exits quietly
            raise self._internal(ctx, exc) from exc
        except sqlite3.Error as exc:
            problem = database_error(exc)
            if problem is not None:
                raise user_error(problem) from exc
            raise self._internal(ctx, exc) from exc
        except Exception as exc:
            raise self._internal(ctx, exc) from exc

    @staticmethod
    def _internal(ctx: click.Context, exc: Exception) -> CoderClickError:
        return internal_error(
            exc, bool(ctx.params.get("debug")), ctx.meta.get("coder.argv")
        )


def project_option(func: Callable) -> Callable:
    return click.option(
        "-p",
        "--project",
        "project_path",
        envvar="CODER_PROJECT",
        default=DEFAULT_PROJECT,
        show_default=True,
        type=click.Path(dir_okay=False, path_type=Path),
        help="Project file (also from CODER_PROJECT).",
    )(func)


json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print one JSON document."
)


def open_existing(path: Path):
    from coder.store import open_project

    return open_project(path)


def print_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def clock(seconds: float | None) -> str:
    if seconds is None:
        return ""
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


@click.group(cls=CoderGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="coder")
@click.option(
    "--debug",
    is_flag=True,
    envvar="CODER_DEBUG",
    help="Show the traceback of an internal error instead of saving it to a file"
    " (also CODER_DEBUG=1).",
)
def cli(debug: bool) -> None:
    """Qualitative interview coding from the terminal.

    The commands work on one project file: -p FILE, else CODER_PROJECT,
    else coder.db in the current folder. `coder COMMAND --help` explains a
    command; `coder help` lists the pages of the user guide and `coder help
    TOPIC` shows one.

    Example:

        coder import transcripts/ --case "Kaveh Power Equipment"
    """


def print_summary(summary: dict[str, Any]) -> None:
    table = Table(box=None, show_header=False)
    table.add_column(style="bold")
    table.add_column(justify="right")
    for key, value in summary.items():
        table.add_row(
            key.replace("_", " "),
            f"{value:,}" if isinstance(value, int) else str(value),
        )
    out.print(table)
