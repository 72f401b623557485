"""Building the demo project from the bundled study."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from coder.attribute_table import import_csv
from coder.bundled import bundled_dir
from coder.codebook import read_codebook
from coder.codes import load_codebook
from coder.documents import ImportReport, import_transcripts
from coder.store import Project, create_project

DEMO_PROJECT = "demo.db"
ATTRIBUTES_FILE = "attributes.csv"
CASES_FILE = "cases.csv"
CODEBOOK_FILE = "export-clusters.yaml"


@dataclass
class Demo:
    project: Project
    folder: Path
    report: ImportReport


def fresh_folder(base: Path) -> Path:
    """``base``, or ``base-2``, ``base-3``... whichever does not exist yet."""
    candidate, number = base, 1
    while candidate.exists():
        number += 1
        candidate = base.with_name(f"{base.name}-{number}")
    return candidate


def build_demo(
    folder: Path, *, progress: Callable[[int, int], None] | None = None
) -> Demo:
    """Create ``folder/demo.db`` from the bundled transcripts, cases, attributes and codebook."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / DEMO_PROJECT
    transcripts = bundled_dir("transcripts")
    project = create_project(path)
    try:
        with project.atomic():
            report = import_transcripts(project, [transcripts], progress=progress)
            import_csv(project, transcripts / ATTRIBUTES_FILE)
            import_csv(project, transcripts / CASES_FILE)
            codebook_path = bundled_dir("codebooks") / CODEBOOK_FILE
            load_codebook(project, read_codebook(codebook_path), source=CODEBOOK_FILE)
        # Move the import from the WAL into the file, so its size is the real one.
        project.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except BaseException:
        project.close()
        path.unlink(missing_ok=True)
        raise
    return Demo(project, folder, report)
