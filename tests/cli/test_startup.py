"""Start-up: the quick commands import only what they use (checked in a fresh process).

Timing lives in benchmarks/; this test guards which heavy libraries a
command pulls in, so that a stray top-level import cannot bring the seconds
back unnoticed.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

# Libraries that cost a quick command tenths of a second to a second to import.
HEAVY = ("pandas", "numpy", "spacy", "sklearn", "textual", "jinja2")
# And some that cost a few hundredths each: PyYAML (only codebook files need
# it), python-dateutil (sqlite-utils' recipes, made lazy in coder.store), and
# sqlite-utils itself (the quick commands read and write through the
# project's connection; see coder.store.database).
HEAVY += ("yaml", "dateutil.tz", "sqlite_utils")

SCRIPT = """
import json, sys
from coder.cli import cli
try:
    cli(sys.argv[1:], prog_name="coder", standalone_mode=False)
except BaseException:  # a refused command still counts: its imports are done
    pass
print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)), file=sys.stderr)
"""


def loaded(args: list[str]) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(heavy=HEAVY), *args],
        capture_output=True,
        text=True,
        check=False,
    )
    return json.loads(done.stderr.strip().splitlines()[-1])


QUICK = [
    ["info"],
    ["docs"],
    ["show", "pe-01-farahani"],
    ["codings"],
    ["code", "pe-01-farahani", "--segment", "9", "--code", "trust", "--coder", "ana"],
    ["uncode", "1"],
    ["cases"],
    ["attributes"],
]


@pytest.mark.parametrize("command", QUICK, ids=lambda c: c[0])
def test_quick_commands_import_no_heavy_library(demo_path, command):
    assert loaded([*command, "-p", str(demo_path)]) == []


def test_pandas_and_numpy_still_import_after_the_store():
    script = "import coder.store, numpy, pandas; print(numpy.__name__, pandas.__name__)"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "numpy pandas"


def test_opening_a_project_loads_no_sqlite_utils_plugins(demo_path):
    # Finding plugins scans every installed package; none may change how a
    # project file is opened.
    script = (
        "import sys\n"
        "from coder.store import open_project\n"
        "import sqlite_utils.plugins as plugins\n"
        f"with open_project({str(demo_path)!r}) as project:\n"
        "    project.db.execute('SELECT 1')\n"
        "print(plugins._plugins_loaded)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "False"


LIST_COMMANDS = """
import importlib, json, sys
from coder.cli.base import cli
importlib.import_module("coder.cli." + sys.argv[1])
groups = {{
    name: sorted(command.commands) if hasattr(command, "commands") else []
    for name, command in cli.commands.items()
}}
print(json.dumps(groups))
"""


def registered_by(module: str) -> dict[str, list[str]]:
    done = subprocess.run(
        [sys.executable, "-c", LIST_COMMANDS.format(), module],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def test_every_command_is_found_through_the_modules_that_define_it():
    # `coder NAME` imports COMMAND_MODULES[NAME] alone; a module left out of
    # the map makes its command (or a subcommand it adds) unknown.
    from pathlib import Path

    from coder.cli import base

    modules = sorted(
        path.stem
        for path in (Path(base.__file__).parent).glob("*.py")
        if path.stem not in {"__init__", "base"}
    )
    for module in modules:
        importing_it = registered_by(module)
        for name, subcommands in importing_it.items():
            assert name in base.COMMAND_MODULES, (
                f"coder/cli/{module}.py defines `coder {name}`: add it to COMMAND_MODULES in coder/cli/base.py"
            )
            # what the listed modules register must include what this one does
            whole = registered_by(base.COMMAND_MODULES[name][-1])
            assert name in whole, f"COMMAND_MODULES[{name!r}] does not define it"
            assert set(subcommands) <= set(whole[name]), (module, name)


def test_a_command_imports_only_its_own_modules(demo_path):
    script = (
        "import sys\n"
        "from coder.cli import cli\n"
        f"cli(['cases', '-p', {str(demo_path)!r}], prog_name='coder',"
        " standalone_mode=False)\n"
        "print(sorted(m for m in sys.modules if m.startswith('coder.cli.')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert (
        done.stdout.strip().splitlines()[-1] == "['coder.cli.base', 'coder.cli.cases']"
    )


def test_help_lists_every_command():
    from click.testing import CliRunner

    from coder.cli import cli

    shown = CliRunner().invoke(cli, ["--help"]).output
    for name in ("show", "matrix", "suggestions", "open", "export", "log"):
        assert f"  {name} " in shown


def test_opening_the_tui_imports_no_analysis_library():
    # `coder open` shows its first screen without numpy and the rest: the
    # matrix and resolve screens import theirs when they are first opened.
    script = (
        "import sys, json\n"
        "import coder.tui.app\n"
        f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert json.loads(done.stdout) == ["textual"]
