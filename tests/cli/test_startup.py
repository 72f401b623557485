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
