"""The shape of the package: the core free of user interface libraries, no import cycles.

The contracts live in pyproject.toml (``[tool.importlinter]``) and CI runs
``lint-imports``; these tests keep the contract's list of core modules
complete and check the same promise at run time.
"""

from __future__ import annotations

import pkgutil
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import coder

ROOT = Path(__file__).parents[1]
FRONT_ENDS = {"cli", "tui", "__main__"}


def core_modules() -> list[str]:
    return sorted(
        f"coder.{info.name}"
        for info in pkgutil.iter_modules(coder.__path__)
        if info.name not in FRONT_ENDS
    )


def contracts() -> dict[str, dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return {c["id"]: c for c in config["tool"]["importlinter"]["contracts"]}


def test_the_ui_contract_covers_every_core_module():
    listed = set(contracts()["core"]["source_modules"])
    assert listed == set(core_modules()), (
        "add new core modules to [tool.importlinter] in pyproject.toml"
    )


def test_importing_the_core_loads_no_textual():
    # spaCy itself pulls in click and rich (through typer), so at run time the
    # promise checked is textual's; the static contract covers click and rich.
    names = [
        info.name
        for info in pkgutil.walk_packages(coder.__path__, "coder.")
        if info.name.split(".")[1] not in FRONT_ENDS
    ]
    script = (
        "import importlib, sys\n"
        f"for name in {names!r}:\n"
        "    importlib.import_module(name)\n"
        "print(' '.join(m for m in ('textual',) if m in sys.modules))\n"
    )
    found = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert found.stdout.strip() == ""


@pytest.mark.skipif(shutil.which("lint-imports") is None, reason="import-linter")
def test_the_import_contracts_hold():
    result = subprocess.run(
        ["lint-imports"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout[-2000:]
