"""Building the demo project from the bundled study."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from coder.attributes import import_csv
from coder.bundled import bundled_dir
from coder.documents import ImportReport, import_transcripts
from coder.store import Project, create_project

DEMO_PROJECT = "demo.db"
ATTRIBUTES_FILE = "attributes.csv"
CASES_FILE = "cases.csv"


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
    """Create ``folder/demo.db`` from the bundled transcripts, cases and attributes."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / DEMO_PROJECT
    transcripts = bundled_dir("transcripts")
    project = create_project(path)
    try:
        with project.atomic():
            report = import_transcripts(project, [transcripts], progress=progress)
            import_csv(project, transcripts / ATTRIBUTES_FILE)
            import_csv(project, transcripts / CASES_FILE)
    except BaseException:
        project.close()
        raise
    return Demo(project, folder, report)
