"""The resolve screen: step through alice's and bob's disagreements and settle them into the consensus."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from coder.agreement.resolution import find_disagreements
from coder.cli import cli
from coder.coding import apply_coding
from coder.tui.app import CoderApp
from coder.tui.screens.resolve import ReasonScreen, ResolveScreen

DOC = "pe-01-farahani"
# Sentences of pe-01-farahani: 80-107, 108-138, 139-174, 199-295.


@pytest.fixture
def coded(project):
    """One agreement (80-107 trust) and three disagreements, in document order."""
    for coder in ("alice", "bob"):
        apply_coding(project, DOC, 80, 107, "trust", coder=coder)
    apply_coding(project, DOC, 113, 138, "trust", coder="alice")  # 108-138: alice only
    apply_coding(project, DOC, 139, 174, "trust", coder="bob")  # 139-174: bob only
    apply_coding(project, DOC, 199, 230, "social_power", coder="alice")  # 199-295
    apply_coding(project, DOC, 250, 295, "social_power", coder="alice")
    return project


def _consensus(project) -> list[tuple]:
    return project.db.execute(
        'SELECT c.code_id, c.start, c."end", c.memo, c.source FROM codings c'
        " JOIN coders k ON k.id = c.coder_id WHERE k.name = 'consensus'"
        " ORDER BY c.start"
    ).fetchall()


def _resolutions(project) -> list[tuple]:
    return project.db.execute(
        "SELECT unit_key, decision, memo, coding_ids FROM resolutions ORDER BY start"
    ).fetchall()


def test_the_fixture_has_three_disagreements(coded):
    found = find_disagreements(coded, ["alice", "bob"])
    assert [d.key for d in found] == [
        f"trust@{DOC}:108-138",
        f"trust@{DOC}:139-174",
        f"social_power@{DOC}:199-295",
    ]


def test_take_alice_neither_with_a_memo_and_all(drive, app, coded):
    async def scenario(pilot):
        await pilot.press("f5")
        await pilot.pause()
        screen = pilot.app.screen
        assert isinstance(screen, ResolveScreen)
        assert screen.coders == ["alice", "bob"]
        assert len(screen.items) == 3 and screen.index == 0
        progress = str(screen.query_one("#resolve-progress").render())
        assert "0 of 3 resolved" in progress and "Trust" in progress
        coders = screen.query_one("#resolve-coders").render()
        assert coders is not None
        # 1: alice's clipped span, with a reason.
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ReasonScreen)
        await pilot.press(*"explicit thanks", "enter")
        await pilot.pause()
        assert pilot.app.screen is screen and screen.memo == "explicit thanks"
        await pilot.press("1")
        await pilot.pause()
        assert screen.index == 1 and screen.memo == ""
        # 2: neither, with a reason.
        await pilot.press("m")
        await pilot.pause()
        await pilot.press(*"small talk", "enter")
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        # 3: all: one span over both of alice's codings.
        assert screen.index == 2
        await pilot.press("a")
        await pilot.pause()
        assert "3 of 3 resolved" in str(screen.query_one("#resolve-progress").render())
        # Back and forth keeps the decisions.
        await pilot.press("k")
        await pilot.pause()
        assert screen.index == 1 and screen.current.decision == "neither"
        assert screen.memo == "small talk"

    drive(scenario)
    # Only what was decided (the agreement is not seeded); "all" is one span.
    assert _consensus(coded) == [
        ("trust", 113, 138, "explicit thanks", "consensus"),
        ("social_power", 199, 295, None, "consensus"),
    ]
    rows = _resolutions(coded)
    assert [(key, decision, memo) for key, decision, memo, _ in rows] == [
        (f"trust@{DOC}:108-138", "alice", "explicit thanks"),
        (f"trust@{DOC}:139-174", "neither", "small talk"),
        (f"social_power@{DOC}:199-295", "all", ""),
    ]
    assert json.loads(rows[1][3]) == []
    assert [d.decision for d in find_disagreements(coded, ["alice", "bob"])] == [
        "alice",
        "neither",
        "all",
    ]


def test_adjust_the_span_by_words_and_take_it(drive, app, coded):
    async def scenario(pilot):
        await pilot.press("f5")
        await pilot.pause()
        screen = pilot.app.screen
        # 108-138 "Thank you for making the time.": alice's span 113-138 to start.
        assert screen.span == (113, 138)
        await pilot.press("b", "b", "b")  # the end back to "making"
        await pilot.press("g", "b")  # the start back a word, to "Thank"
        await pilot.pause()
        assert screen.span == (108, 128)
        await pilot.press("s")
        await pilot.pause()
        assert screen.index == 1

    drive(scenario)
    assert _consensus(coded) == [("trust", 108, 128, None, "consensus")]
    assert _resolutions(coded)[0][1] == "span"


def test_f5_without_two_coders_says_so(drive, app):
    async def scenario(pilot):
        await pilot.press("f5")
        await pilot.pause()
        assert not isinstance(pilot.app.screen, ResolveScreen)

    drive(scenario)


def test_open_resolve_from_the_command_line(monkeypatch, demo_path):
    opened = {}

    def fake_run(self):
        opened.update(resolve=self.resolve_coders, consensus=self.consensus)

    monkeypatch.setattr(CoderApp, "run", fake_run)
    monkeypatch.delenv("CODER_PROJECT", raising=False)
    args = ["open", "-p", str(demo_path), "--resolve", "alice, bob"]
    result = CliRunner().invoke(cli, [*args, "--consensus", "agreed"])
    assert result.exit_code == 0, result.output
    assert opened == {"resolve": ["alice", "bob"], "consensus": "agreed"}
    opened.clear()
    result = CliRunner().invoke(cli, ["open", "-p", str(demo_path), "--resolve", "x"])
    assert result.exit_code == 2 and not opened
    assert "two or more coders" in result.output


def test_app_opens_on_the_resolve_screen(coded):
    import asyncio

    async def main():
        app = CoderApp(coded, coder="ana", resolve=["alice", "bob"], consensus="agreed")
        async with app.run_test(size=(100, 32)) as pilot:
            await pilot.pause()
            screen = pilot.app.screen
            assert isinstance(screen, ResolveScreen) and screen.consensus == "agreed"
            await pilot.press("2")  # bob: no coding on 108-138
            await pilot.pause()
            await pilot.press("q")
            await pilot.pause()
            assert not isinstance(pilot.app.screen, ResolveScreen)

    asyncio.run(main())
    assert coded.db.execute(
        "SELECT r.decision, k.name FROM resolutions r JOIN coders k ON k.id = r.consensus_id"
    ).fetchall() == [("bob", "agreed")]
