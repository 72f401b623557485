"""Time the bulk coding writes that log one event per coding: merge, codings import.

Run with: python benchmarks/event_log.py [--codings 8000] [--folder /tmp/coder-events]
Builds the demo once in the folder (kept between runs), gives two copies
(alice, bob) half the codings each, and times `merge_projects` of both into a
fresh copy, then `import_codings` of the bundled gold coding into another
copy (also with the file already read, to see matching and writing alone).
Prints the best and the median of 5 runs each, and the events written.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import time
from pathlib import Path

from coder import coding_import
from coder.bundled import bundled_dir
from coder.coding_import import import_codings
from coder.demo import build_demo
from coder.merge import merge_projects
from coder.store import open_project
from coder.store.project import now

RUNS = 5


def demo_template(folder: Path) -> Path:
    path = folder / "demo" / "demo.db"
    if not path.exists():
        built = build_demo(path.parent)
        built.project.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        built.project.close()
    return path


def coded_copy(template: Path, target: Path, coder: str, spans: list) -> Path:
    """A copy of the demo holding `spans` (document id, start, end, code) by `coder`."""
    shutil.copyfile(template, target)
    with open_project(target, actor=coder) as project:
        with project.atomic():
            coder_id = project.coder_id(coder)
            project.db.conn.executemany(
                'INSERT INTO codings (code_id, document_id, start, "end", coder_id,'
                " created_at, source) VALUES (?, ?, ?, ?, ?, ?, 'manual')",
                [(code, doc, s, e, coder_id, now()) for doc, s, e, code in spans],
            )
        project.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return target


def events(path: Path) -> int:
    with open_project(path) as project:
        return project.db.execute("SELECT COUNT(*) FROM events").fetchone()[0]


def timed(label: str, make_target, task) -> None:
    durations, written = [], 0
    for _ in range(RUNS):
        target = make_target()
        before = events(target)
        with open_project(target, actor="lead") as project:
            start = time.perf_counter()
            task(project)
            durations.append(time.perf_counter() - start)
        written = events(target) - before
    print(
        f"{label:<34} {min(durations) * 1000:6.0f} ms best,"
        f" {statistics.median(durations) * 1000:6.0f} ms median  ({written:,} events)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--codings", type=int, default=8000)
    parser.add_argument("--folder", type=Path, default=Path("/tmp/coder-events"))
    args = parser.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)
    template = demo_template(args.folder)
    with open_project(template) as project:
        sentences = project.db.execute(
            "SELECT document_id, start, \"end\" FROM segments WHERE kind = 'sentence'"
        ).fetchall()
        codes = [row[0] for row in project.db.execute("SELECT id FROM codes")]
    rng = random.Random(12)
    pairs = rng.sample(
        [(*s, c) for s in sentences for c in codes], k=min(args.codings, 10**6)
    )
    half = len(pairs) // 2
    alice = coded_copy(template, args.folder / "alice.db", "alice", pairs[:half])
    bob = coded_copy(template, args.folder / "bob.db", "bob", pairs[half:])
    target = args.folder / "team.db"

    def fresh() -> Path:
        for stale in args.folder.glob("team.db*"):
            stale.unlink()
        shutil.copyfile(template, target)
        return target

    print(f"demo: {len(sentences):,} sentences, {len(codes)} codes")
    timed(
        f"merge {len(pairs):,} codings",
        fresh,
        lambda project: merge_projects(project, [alice, bob]),
    )
    gold = bundled_dir("transcripts") / "gold" / "export-clusters-gold.yaml"
    timed("codings import (gold)", fresh, lambda project: import_codings(project, gold))
    # The same without reading the YAML (most of the above): matching and writing.
    parsed = coding_import.read_codings_file(gold)
    coding_import.read_codings_file = lambda path: parsed
    timed(
        "codings import (gold), file read",
        fresh,
        lambda project: import_codings(project, gold),
    )


if __name__ == "__main__":
    main()
