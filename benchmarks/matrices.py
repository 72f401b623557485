"""Benchmark of the matrices: theme matrix, co-occurrence and the full HTML report.

Builds a project of synthetic interviews (rows inserted directly, with the
demo codebook) and adds 250,000 and 1,000,000 codings to copies of it. Then,
per size, it times:

- the theme matrix (cases x codes, codings) against a bare SQL GROUP BY that
  computes the same counts, in the same run: their ratio is the target (<= 1.2);
- the other cells, speaker rows, co-occurrence (overlap and segment modes,
  with Jaccard), saturation, the framework matrix and the full report (< 10 s);
- memory: the tracemalloc peak of each operation, and the peak RSS of a fresh
  process running it, at both sizes (it should not grow with the codings).

Run:

    python benchmarks/matrices.py [--work DIR] [--docs 2000] [--runs 5]

Medians over --runs; nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from coder.bundled import bundled_dir
from coder.codebook import read_codebook
from coder.codes import load_codebook
from coder.store import create_project, open_project

SIZES = (250_000, 1_000_000)
VOCABULARY = """
the and we to a of that it in was they so for but have with on this not our export
buyers payment cluster members trust bank letter credit invoice price market Iraq
certificate standard manager meeting fair shipment contract currency transfer exchange
risk quality claim sample delivery order factory government support programme training
consultant network friend family
"""
WORDS = VOCABULARY.split()
CASES = 20


def _sentence(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(8, 22))
    words[0] = words[0].capitalize()
    return " ".join(words) + rng.choice(".?.")


def build_base(path: Path, docs: int, seed: int = 0) -> None:
    """Documents, segments, speakers, cases, attributes and the codebook; no codings."""
    rng = random.Random(seed)
    project = create_project(path, actor="bench")
    db = project.db
    with project.atomic():
        load_codebook(
            project,
            read_codebook(bundled_dir("codebooks") / "export-clusters.yaml"),
            source="export-clusters.yaml",
        )
        for c in range(CASES):
            db.execute(
                "INSERT INTO cases (id, name) VALUES (?, ?)",
                [c + 1, f"Cluster {c + 1:02d}"],
            )
        db.execute(
            "INSERT INTO attributes (id, name, type) VALUES (1, 'role', 'category')"
        )
        db.execute(
            "INSERT INTO attributes (id, name, type) VALUES (2, 'interview_date', 'date')"
        )
        db.execute("INSERT INTO speakers (id, name) VALUES (1, 'Interviewer')")
        segment_id = 0
        for d in range(1, docs + 1):
            db.execute(
                "INSERT INTO speakers (id, name) VALUES (?, ?)",
                [d + 1, f"Respondent {d}"],
            )
            parts, turns, sentences = [], [], []
            offset, clock = 0, 0.0
            for t in range(rng.randint(40, 60)):
                speaker = 1 if t % 2 == 0 else d + 1
                count = 1 if speaker == 1 else rng.randint(2, 7)
                turn_start = offset
                for s in range(count):
                    text = _sentence(rng)
                    if s:
                        parts.append(" ")
                        offset += 1
                    sentences.append((offset, offset + len(text), speaker, clock))
                    parts.append(text)
                    offset += len(text)
                    clock += len(text) / 15
                turns.append((turn_start, offset, speaker, sentences[-count][3]))
                parts.append("\n\n")
                offset += 2
            text = "".join(parts)
            db.execute(
                "INSERT INTO documents (id, name, filename, format, sha256, text, language,"
                " imported_at, words, case_id) VALUES (?, ?, ?, 'text', ?, ?, 'en', ?, ?, ?)",
                [
                    d,
                    f"int-{d:05d}",
                    f"int-{d:05d}.txt",
                    f"{d:064x}",
                    text,
                    "2024-01-01T00:00:00.000+00:00",
                    len(text.split()),
                    (d - 1) % CASES + 1,
                ],
            )
            rows = []
            for seq, (start, end, speaker, at) in enumerate(turns):
                segment_id += 1
                parent = segment_id
                rows.append((segment_id, d, "turn", None, seq, start, end, speaker, at))
                for sseq, (s0, s1, sp, sat) in enumerate(
                    x for x in sentences if start <= x[0] < end
                ):
                    segment_id += 1
                    rows.append(
                        (segment_id, d, "sentence", parent, sseq, s0, s1, sp, sat)
                    )
            db.conn.executemany(
                'INSERT INTO segments (id, document_id, kind, parent_id, seq, start, "end",'
                " speaker_id, start_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            db.execute(
                "INSERT INTO attribute_values (attribute_id, document_id, value) VALUES (1, ?, ?)",
                [d, "manager" if d % 10 == 0 else "member"],
            )
            db.execute(
                "INSERT INTO attribute_values (attribute_id, document_id, value) VALUES (2, ?, ?)",
                [d, f"2024-{(d % 12) + 1:02d}-{(d % 28) + 1:02d}"],
            )
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    project.close()


def add_codings(path: Path, total: int, seed: int = 1) -> None:
    """`total` codings spread over the documents, each over 1-3 sentences of a turn."""
    rng = random.Random(seed)
    project = open_project(path, actor="bench")
    db = project.db
    codes = [r[0] for r in db.execute("SELECT id FROM codes ORDER BY rowid")]
    coder = project.coder_id("bench")
    sentences: dict[int, list[tuple[int, int]]] = {}
    for doc, start, end in db.execute(
        "SELECT document_id, start, \"end\" FROM segments WHERE kind = 'sentence'"
        " ORDER BY document_id, start"
    ):
        sentences.setdefault(doc, []).append((start, end))
    docs = sorted(sentences)
    per_doc = total // len(docs)
    extra = total - per_doc * len(docs)
    with project.atomic():
        rows = []
        for i, doc in enumerate(docs):
            spans = sentences[doc]
            for _ in range(per_doc + (1 if i < extra else 0)):
                first = rng.randrange(len(spans))
                last = min(first + rng.choice((0, 0, 0, 1, 2)), len(spans) - 1)
                rows.append(
                    (
                        rng.choice(codes),
                        doc,
                        spans[first][0],
                        spans[last][1],
                        coder,
                        "2024",
                        "bench",
                    )
                )
            if len(rows) > 200_000:
                db.conn.executemany(
                    'INSERT INTO codings (code_id, document_id, start, "end", coder_id,'
                    " created_at, source) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    rows,
                )
                rows = []
        db.conn.executemany(
            'INSERT INTO codings (code_id, document_id, start, "end", coder_id,'
            " created_at, source) VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    db.execute("ANALYZE")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    project.close()


# The operations --------------------------------------------------------------------

# The same counts as the theme matrix (cases x codes, codings) in bare SQL.
BASELINE_SQL = (
    "SELECT d.case_id, c.code_id, COUNT(*) FROM codings c"
    " JOIN documents d ON d.id = c.document_id GROUP BY d.case_id, c.code_id"
)
# The GROUP BY the matrix itself sends, before adding documents up into cases.
DOCUMENT_SQL = (
    "SELECT document_id, code_id, COUNT(*) FROM codings GROUP BY document_id, code_id"
)


def operations(project) -> dict[str, Callable[[], object]]:
    from coder.analysis.cooccurrence import cooccurrence
    from coder.analysis.framework import framework_matrix
    from coder.analysis.saturation import saturation
    from coder.analysis.theme import theme_matrix
    from coder.exporters.report import ReportOptions, build_report

    return {
        "sql_group_by": lambda: project.db.execute(BASELINE_SQL).fetchall(),
        "sql_by_document": lambda: project.db.execute(DOCUMENT_SQL).fetchall(),
        "theme_codings": lambda: theme_matrix(project),
        "theme_documents": lambda: theme_matrix(project, cell="documents"),
        "theme_segments": lambda: theme_matrix(project, cell="segments"),
        "theme_words": lambda: theme_matrix(project, cell="words"),
        "theme_speaker_rows": lambda: theme_matrix(project, rows="speaker"),
        "cooccurrence_overlap": lambda: cooccurrence(project),
        "cooccurrence_jaccard": lambda: cooccurrence(project, jaccard=True),
        "cooccurrence_segment": lambda: cooccurrence(
            project, mode="segment", jaccard=True
        ),
        "saturation": lambda: saturation(project, order="attr:interview_date"),
        "framework": lambda: framework_matrix(project),
        "report": lambda: build_report(
            project, ReportOptions(order="attr:interview_date")
        ),
    }


def timed(task: Callable[[], object]) -> tuple[float, float]:
    """(wall, CPU) seconds of one run."""
    wall, cpu = time.perf_counter(), time.process_time()
    task()
    return time.perf_counter() - wall, time.process_time() - cpu


def medians(
    tasks: dict[str, Callable[[], object]], runs: int
) -> dict[str, tuple[float, float]]:
    """Median (wall, CPU) seconds of each task, the tasks interleaved run by run.

    Interleaving keeps a ratio fair when other work slows the machine down
    for a while.
    """
    found: dict[str, list[tuple[float, float]]] = {name: [] for name in tasks}
    for _ in range(runs):
        for name, task in tasks.items():
            found[name].append(timed(task))
    return {
        name: (
            statistics.median(t[0] for t in times),
            statistics.median(t[1] for t in times),
        )
        for name, times in found.items()
    }


def child(db: Path, name: str) -> None:
    """Run one operation in this fresh process; print its peak RSS in MiB."""
    project = open_project(db, actor="bench")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    operations(project)[name]()
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"before": before / 1024, "after": after / 1024}))


def peak_rss(db: Path, name: str) -> tuple[float, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", name, "--db", str(db)],
        capture_output=True,
        text=True,
        check=True,
    )
    found = json.loads(done.stdout.strip().splitlines()[-1])
    return found["before"], found["after"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--work", type=Path, help="Folder for the projects (default: a temp dir)."
    )
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--sizes", help="Comma-separated numbers of codings (default: 250000,1000000)."
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.db, args.child)
        return 0
    work = args.work or Path(tempfile.mkdtemp(prefix="coder-matrices-"))
    work.mkdir(parents=True, exist_ok=True)
    base = work / "base.db"
    if not base.exists():
        start = time.perf_counter()
        build_base(base, args.docs)
        print(
            f"built {args.docs} documents in {time.perf_counter() - start:.1f} s",
            flush=True,
        )
    sizes = tuple(int(n) for n in args.sizes.split(",")) if args.sizes else SIZES
    results: dict[int, dict[str, dict[str, float]]] = {}
    for size in sizes:
        path = work / f"codings-{size}.db"
        if not path.exists():
            shutil.copyfile(base, path)
            start = time.perf_counter()
            add_codings(path, size)
            print(
                f"added {size:,} codings in {time.perf_counter() - start:.1f} s",
                flush=True,
            )
        project = open_project(path, actor="bench")
        ops = operations(project)
        found: dict[str, dict[str, float]] = {}
        print(
            f"\n{size:,} codings ({path.stat().st_size / 2**20:.0f} MiB file); medians"
            f" of {args.runs} runs ({args.runs * 2} for the theme matrix and its"
            " baselines, interleaved):"
        )
        print(
            f"  {'operation':<22}{'wall s':>9}{'CPU s':>8}{'tracemalloc MiB':>17}"
            f"{'peak RSS MiB':>14}"
        )
        for task in ops.values():
            task()  # warm the page cache
        paired = ("sql_group_by", "sql_by_document", "theme_codings")
        times = medians({name: ops[name] for name in paired}, args.runs * 2)
        times.update(
            medians({n: t for n, t in ops.items() if n not in paired}, args.runs)
        )
        for name, task in ops.items():
            tracemalloc.start()
            task()
            _, traced = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            before, after = peak_rss(path, name)
            wall, cpu = times[name]
            found[name] = {
                "seconds": wall,
                "cpu": cpu,
                "traced": traced / 2**20,
                "rss": after,
                "rss_base": before,
            }
            print(
                f"  {name:<22}{wall:>9.3f}{cpu:>8.3f}{traced / 2**20:>17.1f}"
                f"{after:>14.0f}",
                flush=True,
            )
        theme = found["theme_codings"]
        for base, label in (
            ("sql_group_by", "bare SQL GROUP BY (case x code)"),
            ("sql_by_document", "its own GROUP BY (document x code)"),
        ):
            print(
                f"  theme matrix / {label}: wall"
                f" {theme['seconds'] / found[base]['seconds']:.2f},"
                f" CPU {theme['cpu'] / max(found[base]['cpu'], 1e-9):.2f}"
                " (target <= 1.2)"
            )
        report = found["report"]
        print(
            f"  report: wall {report['seconds']:.2f} s, CPU {report['cpu']:.2f} s"
            " (target < 10 s)"
        )
        print(
            f"  (a fresh process holds {found['sql_group_by']['rss_base']:.0f} MiB before any operation)"
        )
        results[size] = found
        project.close()
    if len(sizes) < 2:
        return 0
    small, large = results[sizes[0]], results[sizes[-1]]
    print(
        f"\nmemory growth from {sizes[0]:,} to {sizes[-1]:,} codings (x{sizes[-1] / sizes[0]:g}):"
    )
    print(f"  {'operation':<22}{'tracemalloc':>14}{'peak RSS':>12}")
    for name in small:
        print(
            f"  {name:<22}{large[name]['traced'] / max(small[name]['traced'], 1e-9):>13.2f}x"
            f"{large[name]['rss'] / small[name]['rss']:>11.2f}x"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
