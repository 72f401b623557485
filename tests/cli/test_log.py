"""`coder log`: who changed what, when, filtered; a merge folds into one row."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

MINI = Path(__file__).parents[1] / "data" / "codebooks" / "mini.yaml"
TIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d  ")


def ok(result) -> str:
    assert result.exit_code == 0, result.stderr
    return result.stdout


def table(stdout: str) -> list[str]:
    """The table's lines without the time column (checked for its format)."""
    header, *rows = stdout.splitlines()
    assert header.startswith("time" + " " * 17)
    for row in rows:
        assert TIME.match(row), row
    return [line[21:].rstrip() for line in [header, *rows]]


@pytest.fixture
def study(coder, small, tmp_path, monkeypatch):
    """The small project with the mini codebook; tester and ana code, bob's copy merged."""
    ok(coder("codebook", "load", MINI, "-p", small))
    copy = tmp_path / "bob.db"
    shutil.copyfile(small, copy)
    ok(coder("code", "alpha", "--segment", "2", "--code", "trust", "-p", small))
    monkeypatch.setenv("CODER_USER", "ana")
    ok(coder("code", "beta", "--segment", "1", "--code", "social_power", "-p", small))
    ok(coder("uncode", "1", "-p", small))
    monkeypatch.setenv("CODER_USER", "bob")
    for segment in ("1", "3"):
        ok(coder("code", "gamma", "--segment", segment, "--code", "trust", "-p", copy))
    monkeypatch.setenv("CODER_USER", "tester")
    ok(coder("merge", "-p", small, copy))
    return small


def test_newest_first_with_the_merge_folded(coder, study):
    result = coder("log", "--limit", "5", "-p", study)
    assert table(ok(result)) == [
        "actor   action  entity    what",
        "tester  merge   project   bob.db: 2 codings, 0 memos (+2)",
        "ana     uncode  coding    trust on alpha 23-58 by tester",
        "ana     code    coding    social_power on beta 0-37",
        "tester  code    coding    trust on alpha 23-58",
        "tester  load    codebook  mini.yaml (revision 1)",
    ]
    assert result.stderr == "showing the newest 5; --limit N or --all for more\n"


def test_expand_lists_each_coding_of_the_merge(coder, study):
    assert table(ok(coder("log", "--expand", "--limit", "3", "-p", study))) == [
        "actor   action  entity   what",
        "tester  add     coding   trust on gamma 59-84 by bob",
        "tester  add     coding   trust on gamma 0-28 by bob",
        "tester  merge   project  bob.db: 2 codings, 0 memos",
    ]


def test_filters(coder, study):
    def rows(*args):
        return table(ok(coder("log", *args, "-p", study)))[1:]

    assert rows("--actor", "ana") == [
        "ana    uncode  coding  trust on alpha 23-58 by tester",
        "ana    code    coding  social_power on beta 0-37",
    ]
    assert rows("--action", "code", "--action", "uncode", "--code", "trust") == [
        "ana     uncode  coding  trust on alpha 23-58 by tester",
        "tester  code    coding  trust on alpha 23-58",
    ]
    # Only the merge's codings are about gamma, so they show one by one.
    assert rows("--doc", "gamma", "--entity", "coding") == [
        "tester  add     coding  trust on gamma 59-84 by bob",
        "tester  add     coding  trust on gamma 0-28 by bob",
    ]
    assert rows("--doc", "gamma", "--action", "import") == [
        "tester  import  document  gamma from gamma.srt"
    ]
    assert len(rows("--all")) == len(rows("--limit", "1000"))


def test_times(coder, study):
    everything = ok(coder("log", "--all", "--json", "-p", study))
    today = json.loads(everything)[0]["at"][:10]
    assert ok(coder("log", "--all", "--json", "--since", today, "-p", study)) in (
        everything,
        "[]\n",  # the test ran over midnight, local to UTC
    )
    result = coder("log", "--until", "2001-01-01", "-p", study)
    assert (result.exit_code, result.stdout, result.stderr) == (
        0,
        "",
        "no events match\n",
    )


def test_json_has_each_event_with_its_data(coder, study):
    events = json.loads(ok(coder("log", "--json", "--limit", "2", "-p", study)))
    assert [sorted(event) for event in events] == [
        ["action", "actor", "at", "data", "description", "entity", "entity_id", "folded", "id"]
    ] * 2  # fmt: skip
    merge, uncode = events
    assert (merge["action"], merge["folded"], merge["data"]["codings_added"]) == (
        "merge",
        2,
        2,
    )
    assert uncode["data"] == {
        "case": "North Cluster",
        "code": "trust",
        "coder": "tester",
        "created_at": uncode["data"]["created_at"],
        "document": "alpha",
        "end": 58,
        "memo": None,
        "source": "manual",
        "start": 23,
        "text": uncode["data"]["text"],
    }


def test_the_table_fits_80_columns(coder, study):
    for args in ((), ("--expand",), ("--all",)):
        stdout = ok(coder("log", *args, "-p", study))
        assert max(len(line) for line in stdout.splitlines()) <= 80


def test_errors_are_one_line(coder, study):
    result = coder("log", "--action", "coded", "-p", study)
    assert result.exit_code == 1
    assert result.stderr.startswith("coder: error: unknown action 'coded' (known: ")
    assert len(result.stderr.splitlines()) == 1
    result = coder("log", "--since", "06/05/2024", "-p", study)
    assert result.stderr == (
        "coder: error: '06/05/2024' is not an ISO date or date-time"
        " (e.g. 2024-05-06 or 2024-05-06T14:30)\n"
    )
