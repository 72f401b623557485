"""Start-up of the quick commands: a fresh `coder` process each run, as a user runs them.

Builds the demo project once (in a temporary folder, or --work), then for
every command runs ``python -m coder ...`` in a fresh interpreter N times and
prints the median wall time, the slowest, and the median's ratio to the
issue's target (0.3 s; 1.0 s for importing a one-turn file and for ``coder
open`` to show its first screen). The floor beside it is ``python -c pass``
measured in the same run: what no command can go below on this machine at
this moment. Nothing is cached between runs but what the operating system
caches (the files read) and coder's compiled bytecode, which ``pip install``
writes for every user (it is compiled here first, as pip would, even where
PYTHONDONTWRITEBYTECODE is set).

``coder open`` runs in a pseudo-terminal of 120 x 40 as a person's terminal
would be; its time is from starting the process to the first output that
shows the documents screen (the first document's name), after which it is
sent ``q`` and ended.

    python benchmarks/startup.py                 # 5 runs per command
    python benchmarks/startup.py --runs 9
"""

from __future__ import annotations

import argparse
import compileall
import os
import select
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import coder

RUNS = 5
DOC = "pe-01-farahani"
# (name, arguments after `coder`, target in seconds)
COMMANDS = [
    ("info", ["info"], 0.3),
    ("docs", ["docs"], 0.3),
    ("show", ["show", DOC], 0.3),
    ("codings", ["codings"], 0.3),
    ("code", ["code", DOC, "--segment", "9", "--code", "trust", "--coder", "b"], 0.3),
    ("cases", ["cases"], 0.3),
    ("attributes", ["attributes"], 0.3),
    ("import one turn", ["import", "{one}"], 1.0),
]


# The environment of every timed process: bytecode as an installed package has it.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(argv: list[str], cwd: Path) -> float:
    began = time.perf_counter()
    subprocess.run(argv, cwd=cwd, capture_output=True, check=True, env=ENV)
    return time.perf_counter() - began


def first_screen(project: Path, marker: str, timeout: float = 30.0) -> float:
    """Seconds from starting `coder open` in a pseudo-terminal to `marker` on screen."""
    import fcntl
    import pty
    import struct
    import termios

    began = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # the child: become `coder open`
        env = dict(ENV, TERM="xterm-256color", COLUMNS="120", LINES="40")
        os.execve(
            sys.executable,
            [sys.executable, "-m", "coder", "open", "-p", str(project)],
            env,
        )
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    seen = b""
    shown = None
    try:
        while shown is None and time.perf_counter() - began < timeout:
            ready, _, _ = select.select([fd], [], [], 0.5)
            if not ready:
                continue
            try:
                seen = seen[-4096:] + os.read(fd, 65536)
            except OSError:  # the child ended
                break
            if marker.encode() in seen:
                shown = time.perf_counter() - began
    finally:
        try:
            os.write(fd, b"q")
            time.sleep(0.2)
            os.kill(pid, signal.SIGTERM)
        except OSError:
            pass
        os.waitpid(pid, 0)
        os.close(fd)
    if shown is None:
        raise SystemExit(f"coder open did not show {marker!r} in {timeout:.0f} s")
    return shown


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--work", type=Path)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="coder-startup-"))
    work.mkdir(parents=True, exist_ok=True)
    compileall.compile_dir(Path(coder.__file__).parent, quiet=1)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "coder",
            "demo",
            "--dir",
            str(work / "demo"),
            "--no-open",
        ],
        capture_output=True,
        check=True,
        env=ENV,
    )
    project = work / "demo" / "demo.db"
    one = work / "one-turn.txt"
    one.write_text("Interviewer: How did the cluster start?\n", encoding="utf-8")
    env_note = f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at start"
    print(f"fresh processes, {args.runs} runs each; {env_note}")
    floor = [timed([sys.executable, "-c", "pass"], work) for _ in range(args.runs)]
    floor_median = statistics.median(floor)
    print(f"{'command':<18} {'median s':>9} {'max s':>7} {'target s':>9} {'ratio':>6}")
    print(f"{'python -c pass':<18} {floor_median:>9.3f} {max(floor):>7.3f}")
    for name, arguments, target in COMMANDS:
        runs = []
        for run in range(args.runs):
            argv = [a.replace("{one}", str(one)) for a in arguments]
            if name.startswith("import"):
                argv = [*argv, "--case", f"startup-{run}"]
                one.rename(one.with_name(f"one-turn-{run}.txt"))
                one = one.with_name(f"one-turn-{run}.txt")
                argv[1] = str(one)
            runs.append(
                timed([sys.executable, "-m", "coder", *argv, "-p", str(project)], work)
            )
        median = statistics.median(runs)
        print(
            f"{name:<18} {median:>9.3f} {max(runs):>7.3f} {target:>9.1f}"
            f" {median / target:>6.2f}"
        )
    runs = [first_screen(project, DOC) for _ in range(args.runs)]
    median = statistics.median(runs)
    print(
        f"{'open (1st screen)':<18} {median:>9.3f} {max(runs):>7.3f} {1.0:>9.1f}"
        f" {median / 1.0:>6.2f}"
    )
    print(
        "ratio = median / target (at most 1.00 meets it); the floor is the"
        " interpreter alone"
    )


if __name__ == "__main__":
    main()
