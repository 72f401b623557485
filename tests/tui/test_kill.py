"""Nothing acknowledged is lost: kill the TUI mid-session, reopen the project, find every coding."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap

from coder.coding import list_codings
from coder.store import open_project

DOC = "pe-01-farahani"

# Drives the real app (headless) in its own process: moves a sentence, applies
# Trust by its key, and prints the coding the screen acknowledged; forever.
DRIVER = textwrap.dedent(
    """
    import asyncio, sys
    from coder.store import open_project
    from coder.tui.app import CoderApp

    async def main(path):
        project = open_project(path, actor="ana")
        app = CoderApp(project, coder="ana", document=sys.argv[2])
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            screen = app.screen
            for _ in range(500):
                await pilot.press("j", "t")
                start, end = screen.view.selection
                print(screen.last_coding_id, start, end, flush=True)

    asyncio.run(main(sys.argv[1]))
    """
)

ACKNOWLEDGED = 6


def test_killed_mid_session_loses_no_acknowledged_coding(demo_path):
    process = subprocess.Popen(
        [sys.executable, "-c", DRIVER, str(demo_path), DOC],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen: list[tuple[int, int, int]] = []
    try:
        while len(seen) < ACKNOWLEDGED:
            line = process.stdout.readline()
            assert line, process.stderr.read()
            coding_id, start, end = map(int, line.split())
            seen.append((coding_id, start, end))
        # Kill it while it keeps coding: no chance to clean up or close.
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
        process.stdout.close()
        process.stderr.close()
    assert process.returncode == -signal.SIGKILL

    with open_project(demo_path, actor="ana") as project:
        assert project.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = {c.id: c for c in list_codings(project, document=DOC)}
    for coding_id, start, end in seen:
        coding = stored[coding_id]
        assert (coding.code, coding.start, coding.end, coding.coder) == (
            "trust",
            start,
            end,
            "ana",
        )
