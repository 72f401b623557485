"""Start-up of the quick commands: a fresh `coder` process each run, as a user runs them.

Builds the demo project once (in a temporary folder, or --work), then for
every command runs ``python -m coder ...`` in a fresh interpreter N times and
prints the median wall time, the slowest, and the median's ratio to the
issue's target (0.3 s; 1.0 s for importing a one-turn file). The floor
beside it is ``python -c pass`` measured in the same run: what no command
can go below on this machine at this moment. Nothing is cached between
runs but what the operating system caches (the files read).

    python benchmarks/startup.py                 # 5 runs per command
    python benchmarks/startup.py --runs 9
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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


def timed(argv: list[str], cwd: Path) -> float:
    began = time.perf_counter()
    subprocess.run(argv, cwd=cwd, capture_output=True, check=True)
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--work", type=Path)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="coder-startup-"))
    work.mkdir(parents=True, exist_ok=True)
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
    print(
        "ratio = median / target (at most 1.00 meets it); the floor is the"
        " interpreter alone"
    )


if __name__ == "__main__":
    main()
