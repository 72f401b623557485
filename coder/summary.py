"""A project at a glance: what `coder info` and `coder demo` print."""

from __future__ import annotations

from typing import Any

from coder.store import Project
from coder.store.migrations import SCHEMA_VERSION, schema_version

COUNTED = (
    "documents",
    "cases",
    "speakers",
    "attributes",
    "coders",
    "codes",
    "codings",
    "memos",
    "events",
)


def summarize(project: Project) -> dict[str, Any]:
    """Counts of everything stored, with the file's schema and size."""
    db = project
    counts = {
        table: db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
        for table in COUNTED
    }
    # A coding's memo lives on the coding (see coder.memos.write_memo), not in
    # the memos table; count both so a memo is a memo wherever it is stored.
    counts["memos"] += db.execute(
        "SELECT COUNT(*) FROM codings WHERE memo IS NOT NULL AND memo != ''"
    ).fetchone()[0]
    segments = dict(
        db.execute("SELECT kind, COUNT(*) FROM segments GROUP BY kind").fetchall()
    )
    words = db.execute("SELECT COALESCE(SUM(words), 0) FROM documents").fetchone()[0]
    return {
        "project": str(project.path),
        "schema_version": schema_version(db),
        "schema_version_supported": SCHEMA_VERSION,
        "created_at": project.meta("created_at"),
        "size_bytes": project.path.stat().st_size if project.path.exists() else 0,
        "words": words,
        **counts,
        "turns": segments.get("turn", 0),
        "paragraphs": segments.get("paragraph", 0),
        "sentences": segments.get("sentence", 0),
    }
