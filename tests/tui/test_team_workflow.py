"""Two coders' copies of the demo, merged, compared, and settled through the TUI and the CLI."""

from __future__ import annotations

import asyncio
import json
import shutil

from click.testing import CliRunner

from coder.cli import cli
from coder.coding import apply_coding, segment_span
from coder.store import open_project
from coder.tui.app import CoderApp
from coder.tui.screens.resolve import ResolveScreen

DOC = "pe-01-farahani"


def run(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    # stdout only: destructive commands name their snapshot on stderr.
    return result.stdout


def test_copies_merged_compared_and_resolved(demo_template, tmp_path):
    paths = {name: tmp_path / f"{name}.db" for name in ("team", "alice", "bob")}
    for path in paths.values():
        shutil.copyfile(demo_template, path)
    plan = {
        "alice": [(20, "trust"), (21, "trust"), (30, "informal_network")],
        "bob": [(20, "trust"), (30, "social_power")],
    }
    for coder, items in plan.items():
        with open_project(paths[coder], actor=coder) as project:
            for sentence, code in items:
                apply_coding(project, DOC, *segment_span(project, DOC, sentence), code)
    assert run("merge", "-p", paths["team"], paths["alice"], paths["bob"]).startswith(
        "merged 5 codings"
    )
    for unit in ("segment", "character", "document"):
        table = json.loads(
            run(
                "agreement",
                "-p",
                paths["team"],
                "--coders",
                "alice,bob",
                "--unit",
                unit,
                "--format",
                "json",
                "--bootstrap",
                "0",
            )
        )
        assert table["unit"] == unit
        assert {row["code"] for row in table["codes"]} == {
            "trust",
            "informal_network",
            "social_power",
        }

    # The first disagreement (sentence 21, alice's trust) in the TUI: take alice, with a reason.
    with open_project(paths["team"], actor="lead") as project:
        app = CoderApp(project, coder="lead", resolve=["alice", "bob"])

        async def scenario():
            async with app.run_test(size=(100, 32)) as pilot:
                await pilot.pause()
                screen = pilot.app.screen
                assert isinstance(screen, ResolveScreen)
                assert [item.code for item in screen.items] == [
                    "trust",
                    "informal_network",
                    "social_power",
                ]
                await pilot.press("m")
                await pilot.pause()
                await pilot.press(*"relies on the manager", "enter")
                await pilot.pause()
                await pilot.press("1")
                await pilot.pause()

        asyncio.run(scenario())
        t21 = segment_span(project, DOC, 21)
        s30 = segment_span(project, DOC, 30)

    # The other two through the CLI.
    listed = json.loads(
        run(
            "disagreements",
            "-p",
            paths["team"],
            "--coders",
            "alice,bob",
            "--open-only",
            "--json",
        )
    )
    assert [d["code"] for d in listed] == ["informal_network", "social_power"]
    run(
        "resolve",
        "-p",
        paths["team"],
        listed[0]["key"],
        "--coders",
        "alice,bob",
        "--take",
        "neither",
        "--memo",
        "a formal meeting",
    )
    run(
        "resolve",
        "-p",
        paths["team"],
        listed[1]["key"],
        "--coders",
        "alice,bob",
        "--take",
        "bob",
        "--memo",
        "the anchor firm's weight",
    )
    consensus = json.loads(
        run("codings", "-p", paths["team"], "--coder", "consensus", "--json")
    )
    assert [(c["code"], c["start"], c["end"], c["memo"]) for c in consensus] == [
        ("trust", *t21, "relies on the manager"),
        ("social_power", *s30, "the anchor firm's weight"),
    ]
    decisions = json.loads(
        run("disagreements", "-p", paths["team"], "--coders", "alice,bob", "--json")
    )
    assert [(d["code"], d["decision"], d["memo"]) for d in decisions] == [
        ("trust", "alice", "relies on the manager"),
        ("informal_network", "neither", "a formal meeting"),
        ("social_power", "bob", "the anchor firm's weight"),
    ]
