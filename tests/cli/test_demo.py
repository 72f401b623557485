"""`coder demo`: the bundled study as a ready project, never over an old one."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from coder import demo as demo_module
from coder.bundled import bundled_dir

SMALL = Path(__file__).parents[1] / "data" / "projects" / "small"


def test_demo_builds_the_study(coder, tmp_path):
    folder = tmp_path / "study"
    result = coder("demo", "--dir", folder, "--no-open")
    assert result.exit_code == 0, result.stderr
    path = folder / "demo.db"
    assert result.stdout.startswith(f"demo project: {path}\n")
    assert result.stdout.endswith(f"\nnext: coder docs -p {path}\n")
    # The size printed is the file's, not a WAL-less stub's.
    size = re.search(r"size bytes +([\d,]+)", result.stdout)[1]
    assert int(size.replace(",", "")) == path.stat().st_size

    docs = json.loads(coder("docs", "--json", "-p", path).stdout)
    assert len(docs) == 9
    cases = json.loads(coder("cases", "--json", "-p", path).stdout)
    assert [(c["name"], len(c["documents"])) for c in cases] == [
        ("Kaveh Power Equipment", 3),
        ("Pars Oil & Gas Services", 3),
        ("Sepehr Renewables", 3),
    ]
    assert all(c["attributes"]["sector"] for c in cases)
    roles = {d["name"]: d["attributes"]["role"] for d in docs}
    assert sorted(roles.values()) == ["manager"] * 3 + ["member"] * 6
    assert roles["og-01-karimi"] == "manager"
    attributes = json.loads(coder("attributes", "--json", "-p", path).stdout)
    assert {a["name"]: a["type"] for a in attributes}["role"] == "category"


@pytest.fixture
def small_demo(monkeypatch):
    """Build demos from the three small transcripts: the same code, much faster."""
    monkeypatch.setattr(demo_module, "bundled_dir", lambda name: _small(name))


def _small(name: str) -> Path:
    return SMALL if name == "transcripts" else bundled_dir(name)


def test_second_demo_into_the_same_folder_fails_cleanly(
    coder, state, tmp_path, small_demo
):
    folder = tmp_path / "study"
    assert coder("demo", "--dir", folder).exit_code == 0
    path = folder / "demo.db"
    before = state(path)
    result = coder("demo", "--dir", folder)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert (
        result.stderr == f"coder: error: {path}: already exists; choose another --dir\n"
    )
    assert state(path) == before
    assert sorted(p.name for p in folder.iterdir()) == ["demo.db"]


def test_demo_without_dir_picks_a_fresh_folder(
    coder, tmp_path, monkeypatch, small_demo
):
    monkeypatch.chdir(tmp_path)
    first = coder("demo")
    assert first.exit_code == 0, first.stderr
    assert first.stdout.startswith(
        f"demo project: {tmp_path / 'coder-demo' / 'demo.db'}\n"
    )
    second = coder("demo")
    assert second.exit_code == 0, second.stderr
    assert second.stdout.startswith(
        f"demo project: {tmp_path / 'coder-demo-2' / 'demo.db'}\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["coder-demo", "coder-demo-2"]
    # The first project is untouched by the second run.
    docs = json.loads(
        coder("docs", "--json", "-p", tmp_path / "coder-demo" / "demo.db").stdout
    )
    assert [d["name"] for d in docs] == ["alpha", "beta", "gamma"]


def test_a_failed_demo_leaves_no_project(coder, tmp_path, monkeypatch):
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "alpha.txt").write_bytes(b"")
    monkeypatch.setattr(
        demo_module,
        "bundled_dir",
        lambda name: broken if name == "transcripts" else bundled_dir(name),
    )
    folder = tmp_path / "study"
    result = coder("demo", "--dir", folder)
    assert result.exit_code == 1
    assert result.stderr == f"coder: error: {broken / 'alpha.txt'}: file is empty\n"
    assert list(folder.iterdir()) == []
