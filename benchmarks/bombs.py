"""Hostile and very large inputs, each given to a fresh `coder` process: wall time and peak memory.

Every bomb is a small file that would take unbounded time or memory if coder
expanded it (a YAML "billion laughs", a zip that inflates to 200 MB, a zip
of 20,000 members, XML entities); each should be refused in one
``coder: error:`` line, quickly, at about the memory of coder starting up.
The large inputs are real sizes: a 50 MB .txt (refused: past the 20 MB
limit), a .txt just under the limit and a 200,000-cue .vtt (imported).

For a ceiling measured in the same run, ``python -c pass`` and
``coder --version`` are timed the same way, and every figure is also shown
as a ratio to ``coder --version``. Peak memory is the process's maxrss
(``RUSAGE_CHILDREN`` in a small wrapper process), its workers included.

    python benchmarks/bombs.py               # everything
    python benchmarks/bombs.py --only yaml   # the bombs whose name has "yaml"

The builders are shared with ``tests/fuzz/test_bombs.py``, which asserts
the message, a time bound and a memory bound for each bomb.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import random
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from coder.limits import format_size

MB = 1_000_000
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


# Builders ----------------------------------------------------------------------


def laughs(levels: int = 9, width: int = 10, indent: str = "") -> str:
    """A YAML alias chain that expands to width**levels scalars (10**9 by default)."""
    lines = [f"{indent}lol0: &lol0 [{', '.join(['lol'] * width)}]"]
    for level in range(1, levels + 1):
        aliases = ", ".join([f"*lol{level - 1}"] * width)
        lines.append(f"{indent}lol{level}: &lol{level} [{aliases}]")
    return "\n".join(lines) + "\n"


def codebook_laughs(folder: Path) -> Path:
    path = folder / "laughs-codebook.yaml"
    path.write_text(
        "name: Laughs\n" + laughs() + "codes:\n  - id: a\n    name: A\n"
        "    patterns:\n      lemmas: *lol9\n",
        "utf-8",
    )
    return path


def front_matter_laughs(folder: Path) -> Path:
    path = folder / "laughs.md"
    path.write_text(
        "---\ntitle: Interview\n" + laughs() + "role: *lol9\n---\n"
        "**Jane:** Hello.\n\n**Max:** Hi.\n",
        "utf-8",
    )
    return path


def codings_laughs(folder: Path) -> Path:
    path = folder / "laughs-codings.yaml"
    path.write_text(
        "coder: gold\n" + laughs() + "codings: *lol9\n",
        "utf-8",
    )
    return path


def codebook_deep(folder: Path) -> Path:
    path = folder / "deep-codebook.yaml"
    path.write_text("name: Deep\ncodes: " + "[" * 50_000 + "]" * 50_000 + "\n", "utf-8")
    return path


def _docx_members() -> list[tuple[str, bytes]]:
    import docx

    buffer = io.BytesIO()
    docx.Document().save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        return [(info.filename, archive.read(info)) for info in archive.infolist()]


def _write_docx(
    path: Path, document: Callable[[zipfile.ZipFile], None], extra: int = 0
) -> Path:
    """A .docx from python-docx's template, with word/document.xml written by ``document``."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in _docx_members():
            if name == "word/document.xml":
                document(archive)
            else:
                archive.writestr(name, data)
        for number in range(extra):
            archive.writestr(f"customXml/extra{number}.xml", "<a/>")
    return path


def docx_inflating(folder: Path, size: int = 200 * MB) -> Path:
    """word/document.xml of ``size`` bytes of paragraphs: a few hundred KB zipped."""
    paragraph = b"<w:p><w:r><w:t>All work and no play.</w:t></w:r></w:p>"
    chunk = paragraph * (MB // len(paragraph))

    def document(archive: zipfile.ZipFile) -> None:
        info = zipfile.ZipInfo("word/document.xml")
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w", force_zip64=True) as member:
            member.write(
                f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W_NS}">'
                "<w:body>".encode()
            )
            written = 0
            while written < size:
                member.write(chunk)
                written += len(chunk)
            member.write(b"</w:body></w:document>")

    return _write_docx(folder / "inflating.docx", document)


def docx_many_members(folder: Path, members: int = 20_000) -> Path:
    def document(archive: zipfile.ZipFile) -> None:
        archive.writestr(
            "word/document.xml",
            f'<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>Jane: hi</w:t>'
            "</w:r></w:p></w:body></w:document>",
        )

    return _write_docx(folder / "many-members.docx", document, extra=members)


def docx_entities(folder: Path) -> Path:
    entities = "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    )

    def document(archive: zipfile.ZipFile) -> None:
        archive.writestr(
            "word/document.xml",
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<!DOCTYPE w:document [<!ENTITY lol0 "lol">{entities}]>\n'
            f'<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>Jane: &lol9;</w:t>'
            "</w:r></w:p></w:body></w:document>",
        )

    return _write_docx(folder / "entities.docx", document)


def qdpx_inflating(folder: Path, size: int = 600 * MB) -> Path:
    path = folder / "inflating.qdpx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo("project.qde")
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w", force_zip64=True) as member:
            member.write(b'<Project xmlns="urn:QDA-XML:project:1.0" name="p">')
            chunk = b" " * MB
            for _ in range(size // MB):
                member.write(chunk)
            member.write(b"</Project>")
    return path


_WORDS = [
    "the",
    "a",
    "of",
    "to",
    "and",
    "we",
    "payment",
    "risk",
    "contract",
    "export",
    "bank",
    "letter",
    "credit",
    "said",
    "think",
    "really",
    "because",
    "customer",
    "price",
    "cluster",
    "trust",
    "members",
    "share",
]


def large_text(folder: Path, size: int = 50 * MB, name: str = "large.txt") -> Path:
    """``Name: text`` turns, ``size`` bytes."""
    rng = random.Random(1)
    path = folder / name
    with path.open("w", encoding="utf-8") as handle:
        written, turn = 0, 0
        while written < size:
            who = "Interviewer" if turn % 2 == 0 else "Respondent"
            words = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(5, 60)))
            line = f"{who}: {words.capitalize()}.\n\n"
            handle.write(line)
            written += len(line)
            turn += 1
    return path


def large_vtt(folder: Path, cues: int = 200_000) -> Path:
    """Zoom-style cues of two seconds, ``Name: text`` inside; about 17 MB."""
    rng = random.Random(1)
    path = folder / "large.vtt"

    def clock(seconds: int) -> str:
        return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}.000"

    with path.open("w", encoding="utf-8") as handle:
        handle.write("WEBVTT\n\n")
        for cue in range(cues):
            who = "Jane Doe" if cue % 7 < 3 else "Max Power"
            words = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(3, 12)))
            start = cue * 2
            handle.write(
                f"{cue + 1}\n{clock(start)} --> {clock(start + 2)}\n{who}: {words}\n\n"
            )
    return path


# The bombs --------------------------------------------------------------------


@dataclass
class Case:
    """One input, the command that reads it, and what the user should see."""

    name: str
    build: Callable[[Path], Path]
    command: list[str]  # the input's path goes after these
    # A fragment of the one error line; None: the input imports (exit 0).
    expect: str | None
    needs_codebook: bool = False


BOMBS = [
    Case(
        "codebook yaml laughs",
        codebook_laughs,
        ["codebook", "load"],
        "YAML aliases (*name) expand it by more than 100,000 nodes",
    ),
    Case(
        "codebook yaml nesting",
        codebook_deep,
        ["codebook", "load"],
        "YAML nested more than 100 levels deep",
    ),
    Case(
        "front matter laughs (.md)",
        front_matter_laughs,
        ["import"],
        "YAML aliases (*name) expand it by more than 100,000 nodes",
    ),
    Case(
        "codings yaml laughs",
        codings_laughs,
        ["codings", "import"],
        "YAML aliases (*name) expand it by more than 100,000 nodes",
        needs_codebook=True,
    ),
    Case(
        "docx 200 MB document.xml",
        docx_inflating,
        ["import"],
        "word/document.xml unpacks to more than 25 MB",
    ),
    Case(
        "docx 20,000 members",
        docx_many_members,
        ["import"],
        "members; coder reads at most 10,000",
    ),
    Case(
        "docx XML entities",
        docx_entities,
        ["import"],
        "word/document.xml line 2 declares a DTD (<!DOCTYPE)",
    ),
    Case(
        "qdpx 600 MB project.qde",
        qdpx_inflating,
        ["codebook", "load"],
        "project.qde unpacks to 600 MB; coder unpacks at most 500 MB",
    ),
]

LARGE = [
    Case(
        "50 MB .txt",
        large_text,
        ["import"],
        "coder reads text transcripts of up to 20 MB",
    ),
    Case(
        "19 MB .txt (under the limit)",
        lambda folder: large_text(folder, 19 * MB, "under-limit.txt"),
        ["import"],
        None,
    ),
    Case("200,000-cue .vtt", large_vtt, ["import"], None),
]


# Measuring -------------------------------------------------------------------


@dataclass
class Run:
    status: int
    stdout: str
    stderr: str
    seconds: float
    max_rss: int  # bytes


# Runs the command in a small Python process of its own and reports the
# command's wall time and peak RSS (its children included). A child forked
# from a large process (pytest, with spaCy loaded) starts with that process's
# pages counted in its maxrss; forked from this one, it starts small.
_MEASURE = """
import os, resource, subprocess, sys, time
started = time.perf_counter()
try:
    status = subprocess.run(sys.argv[3:], timeout=float(sys.argv[2])).returncode
except subprocess.TimeoutExpired:
    status = -9
seconds = time.perf_counter() - started
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
os.write(int(sys.argv[1]), f"{seconds} {rss}".encode())
sys.exit(status if status >= 0 else 128 - status)
"""


def run_measured(args: list[str], cwd: Path, timeout: float = 600) -> Run:
    """Run a process to its end; its wall time and peak RSS (its children included)."""
    read, write = os.pipe()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        try:
            completed = subprocess.run(
                [sys.executable, "-c", _MEASURE, str(write), str(timeout), *args],
                cwd=cwd,
                stdout=out,
                stderr=err,
                pass_fds=(write,),
            )
        finally:
            os.close(write)
        with os.fdopen(read, "rb") as figures:
            seconds, rss = figures.read().split()
        out.seek(0)
        err.seek(0)
        return Run(
            completed.returncode,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
            float(seconds),
            int(rss),
        )


def coder(*args: object) -> list[str]:
    return [sys.executable, "-m", "coder", *map(str, args)]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def prepare_project(folder: Path, with_codebook: bool) -> Path:
    project = folder / "study.db"
    subprocess.run(coder("init", "-p", project), check=True, capture_output=True)
    if with_codebook:
        book = Path(__file__).parents[1] / "codebooks" / "export-clusters.yaml"
        subprocess.run(
            coder("codebook", "load", book, "-p", project),
            check=True,
            capture_output=True,
        )
    return project


def run_case(case: Case, folder: Path) -> tuple[Run, Path, bool]:
    """Build the input, run coder on it; (the run, the input, project untouched)."""
    folder.mkdir(parents=True, exist_ok=True)
    project = prepare_project(folder, case.needs_codebook)
    before = sha256(project)
    path = case.build(folder)
    run = run_measured(coder(*case.command, path, "-p", project), folder)
    return run, path, sha256(project) == before


def _mib(size: int) -> str:
    return f"{size / 2**20:,.0f} MiB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="run the cases whose name contains this")
    options = parser.parse_args(argv)
    cases = [
        case
        for case in BOMBS + LARGE
        if not options.only or options.only.lower() in case.name.lower()
    ]
    with tempfile.TemporaryDirectory(prefix="coder-bombs-") as tmp:
        work = Path(tmp)
        ceilings = {
            "python -c pass": run_measured([sys.executable, "-c", "pass"], work),
            "coder --version": run_measured(coder("--version"), work),
        }
        base = ceilings["coder --version"]
        rows = []
        for name, run in ceilings.items():
            rows.append((name, "", "", run, "ceiling"))
        for number, case in enumerate(cases):
            run, path, untouched = run_case(case, work / str(number))
            size = path.stat().st_size
            lines = [
                line
                for line in run.stderr.splitlines()
                if line.startswith("coder: error:")
            ]
            if case.expect is None:
                verdict = "imported" if run.status == 0 else f"FAILED ({run.status})"
            else:
                ok = run.status == 1 and len(lines) == 1 and case.expect in lines[0]
                verdict = "refused" if ok else f"UNEXPECTED ({run.status})"
                if not untouched:
                    verdict += ", PROJECT CHANGED"
            rows.append(
                (case.name, format_size(size), " ".join(case.command), run, verdict)
            )
            if case.expect is not None:
                print(
                    f"  {case.name}: {lines[0] if lines else run.stderr.strip()[:200]}"
                )
    print()
    header = ("input", "file", "command", "wall s", "x", "peak RSS", "x", "outcome")
    table = [header]
    for name, size, command, run, verdict in rows:
        table.append(
            (
                name,
                size,
                command,
                f"{run.seconds:.2f}",
                f"{run.seconds / base.seconds:.1f}",
                _mib(run.max_rss),
                f"{run.max_rss / base.max_rss:.1f}",
                verdict,
            )
        )
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for index, row in enumerate(table):
        print(
            "  ".join(
                cell.ljust(width) for cell, width in zip(row, widths, strict=True)
            )
        )
        if index == 0:
            print("  ".join("-" * width for width in widths))
    print("\nx: ratio to `coder --version` in this run (the ceiling: start-up alone).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
