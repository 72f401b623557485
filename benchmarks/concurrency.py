"""Writers sharing one project: codings per second and how long a write waits, 1 to 8 processes.

Each writer is a fresh Python process that opens the demo project and codes
CODINGS distinct spans through `coder.coding.apply_coding` (one transaction
each, the write lock taken up front), timing every call. The one-writer run
is the ceiling the others are compared with, in the same run. Afterwards the
project is checked: every coding stored once (none lost, none doubled) and
in the event log.

    python benchmarks/concurrency.py                 # 1, 2, 4, 8 writers x 500 codings
    python benchmarks/concurrency.py --writers 8 --codings 1000
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

WRITER = textwrap.dedent(
    """
    import json, sys, time
    from coder.coding import apply_coding
    from coder.reading import list_documents
    from coder.store import open_project

    path, name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    project = open_project(path, actor=name)
    documents = [(d.name, len(d.text)) for d in list_documents(project, with_text=True)]
    waits = []
    first = time.time()
    for number in range(count):
        document, length = documents[number % len(documents)]
        start = (number * 7) % (length - 40)
        began = time.perf_counter()
        apply_coding(project, document, start, start + 12, "trust")
        waits.append(time.perf_counter() - began)
    last = time.time()
    project.close()
    print(json.dumps({"first": first, "last": last, "waits": waits}))
    """
)


def run_writers(project: Path, writers: int, codings: int) -> tuple[float, list[float]]:
    """Seconds from the first coding to the last of `writers` processes, and each call's time.

    Process start-up is left out: it is the same however many write.
    """
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(project), f"w{n}", str(codings)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(writers)
    ]
    waits: list[float] = []
    spans = []
    for process in processes:
        out, err = process.communicate()
        if process.returncode != 0:
            raise SystemExit(f"a writer failed:\n{err}")
        result = json.loads(out)
        waits.extend(result["waits"])
        spans.append((result["first"], result["last"]))
    return max(end for _, end in spans) - min(start for start, _ in spans), waits


def verify(project: Path, writers: int, codings: int) -> str:
    from coder.store import open_project

    with open_project(project) as opened:
        db = opened.db
        stored = db.execute(
            "SELECT COUNT(*), COUNT(DISTINCT c.coder_id || ':' || c.document_id || ':'"
            " || c.start) FROM codings c JOIN coders k ON k.id = c.coder_id"
            " WHERE k.name LIKE 'w%'"
        ).fetchone()
        logged = db.execute(
            "SELECT COUNT(*) FROM events WHERE action = 'code' AND actor LIKE 'w%'"
        ).fetchone()[0]
    expected = writers * codings
    lost = expected - stored[1]
    doubled = stored[0] - stored[1]
    return (
        f"{stored[0]:,} of {expected:,} stored, {lost} lost, {doubled} doubled,"
        f" {logged:,} in the log"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--writers",
        type=int,
        action="append",
        help="writer processes (repeat; default 1, 2, 4, 8)",
    )
    parser.add_argument("--codings", type=int, default=500, help="per writer")
    args = parser.parse_args(argv)
    counts = sorted(set([1, *(args.writers or [2, 4, 8])]))
    from coder.demo import build_demo

    print(
        f"writers sharing one project: {os.cpu_count()} CPUs (load average"
        f" {', '.join(f'{n:.1f}' for n in os.getloadavg())}),"
        f" {args.codings:,} codings per writer, fresh processes; codings/s from the"
        " first coding to the last"
    )
    with tempfile.TemporaryDirectory(prefix="coder-bench-") as tmp:
        work = Path(tmp)
        demo = build_demo(work / "template")
        demo.project.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        demo.project.close()
        template = work / "template" / "demo.db"
        print(
            f"{'writers':>8} {'codings/s':>10} {'ratio':>7} {'p50 ms':>8}"
            f" {'p95 ms':>8} {'max ms':>8}  result"
        )
        ceiling = None
        for writers in counts:
            project = work / f"w{writers}.db"
            shutil.copyfile(template, project)
            wall, waits = run_writers(project, writers, args.codings)
            rate = writers * args.codings / wall
            ceiling = ceiling or rate
            waits_ms = sorted(w * 1000 for w in waits)
            p95 = waits_ms[int(len(waits_ms) * 0.95) - 1]
            print(
                f"{writers:>8} {rate:>10,.0f} {rate / ceiling:>6.0%} "
                f"{statistics.median(waits_ms):>8.1f} {p95:>8.1f} {waits_ms[-1]:>8.1f}"
                f"  {verify(project, writers, args.codings)}"
            )
    print(
        "ratio: total codings per second against one writer alone (the ceiling);"
        " a write's time includes its wait for the lock"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
