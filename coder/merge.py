"""Bringing other copies' codings and memos into this project.

Coders often code independently, each in their own copy of the project.
Documents are matched by the sha256 of their original file (so offsets mean
the same text), codes by id, coders by name. Anything that does not match is
reported, and if any of it would lose or misplace work, nothing is written.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from coder.coding import insert_codings
from coder.errors import ConflictError, ProjectError
from coder.events import ADD, log_codings
from coder.store import Project
from coder.store.migrations import APPLICATION_ID, SCHEMA_VERSION


@dataclass
class MergeReport:
    codings_added: int = 0
    codings_present: int = 0
    memos_added: int = 0
    coders: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# Beside a database SQLite keeps a -wal (or -journal) holding changes not yet in
# the file; we copy those too, so what we read is what the colleague saved.
_SIDE_FILES = ("-wal", "-journal")


def _open_other(path: Path) -> sqlite3.Connection:
    """An in-memory copy of another project: merging never writes to it.

    A colleague's copy is not opened in place. Even a ``mode=ro`` connection
    to a WAL-mode file creates -wal and -shm files beside it (and leaves them
    on a read-only share or after a crash); ``immutable=1`` creates nothing
    but ignores an existing -wal, so codings not yet checkpointed would be
    silently missed. Instead the file and its -wal are copied to a private
    folder, read from there into memory (the backup API), and the folder is
    removed: the colleague's folder stays exactly as it was, at the cost of
    holding one project in memory. The copy is only consistent if nobody
    writes to the original meanwhile, which holds for a copy handed over to
    be merged.
    """
    if not path.is_file():
        raise ProjectError(f"{path}: no such project file")
    with tempfile.TemporaryDirectory(prefix="coder-merge-") as workdir:
        copy = Path(workdir) / "other.db"
        try:
            shutil.copyfile(path, copy)
            for suffix in _SIDE_FILES:
                side = path.with_name(path.name + suffix)
                if side.is_file():
                    shutil.copyfile(side, copy.with_name(copy.name + suffix))
        except OSError as exc:
            raise ProjectError(f"{path}: cannot read ({exc.strerror or exc})") from exc
        conn = sqlite3.connect(":memory:")
        try:
            disk = sqlite3.connect(str(copy))
            try:
                disk.backup(conn)
            finally:
                disk.close()
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise ProjectError(f"{path}: not a coder project ({exc})") from exc
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise ProjectError(f"{path}: not a coder project ({exc})") from exc
    if app_id != APPLICATION_ID:
        conn.close()
        raise ProjectError(f"{path}: not a coder project")
    if version > SCHEMA_VERSION:
        conn.close()
        raise ProjectError(
            f"{path}: written by a newer coder (schema {version}); upgrade coder first"
        )
    return conn


def _documents_and_codes(project: Project) -> set[tuple]:
    """What a merge plan relies on: our documents (id, name, sha256) and code ids."""
    db = project
    return set(db.execute("SELECT id, name, sha256 FROM documents")) | {
        (code,) for (code,) in db.execute("SELECT id FROM codes")
    }


def merge_projects(project: Project, others: Sequence[str | Path]) -> MergeReport:
    """Merge codings and memos from other project files, all or nothing.

    Raises:
        ConflictError: listing every document or code that does not match.
    """
    report = MergeReport()
    db = project
    planned_against = _documents_and_codes(project)
    ours_by_sha = {
        sha: (doc_id, name)
        for doc_id, name, sha in db.execute("SELECT id, name, sha256 FROM documents")
    }
    ours_by_name = {
        name: sha
        for _id, name, sha in db.execute("SELECT id, name, sha256 FROM documents")
    }
    our_codes = {row[0] for row in db.execute("SELECT id FROM codes")}
    plans = []
    conflicts: list[str] = []
    for raw in others:
        path = Path(raw)
        conn = _open_other(path)
        try:
            docs = {
                doc_id: (name, sha)
                for doc_id, name, sha in conn.execute(
                    "SELECT id, name, sha256 FROM documents"
                )
            }
            codings = conn.execute(
                'SELECT c.document_id, c.code_id, k.name, c.start, c."end", c.created_at, c.memo, c.source'
                " FROM codings c JOIN coders k ON k.id = c.coder_id ORDER BY c.id"
            ).fetchall()
            memos = conn.execute(
                "SELECT m.target_type, m.target_id, k.name, m.text, m.created_at, m.updated_at"
                " FROM memos m LEFT JOIN coders k ON k.id = m.coder_id"
            ).fetchall()
        finally:
            conn.close()
        used_docs = {row[0] for row in codings}
        for doc_id, (name, sha) in sorted(docs.items(), key=lambda item: item[1][0]):
            if sha in ours_by_sha:
                if ours_by_sha[sha][1] != name:
                    report.notes.append(
                        f"{path}: document '{name}' is '{ours_by_sha[sha][1]}' here (same file)"
                    )
                continue
            if name in ours_by_name:
                conflicts.append(
                    f"{path}: document '{name}' has different text here (another version of the file)"
                )
            elif doc_id in used_docs:
                conflicts.append(
                    f"{path}: document '{name}' is not in this project; import it first"
                )
            else:
                report.notes.append(
                    f"{path}: document '{name}' is not in this project (no codings; skipped)"
                )
        missing_codes = sorted({row[1] for row in codings} - our_codes)
        conflicts.extend(
            f"{path}: code '{code}' is not in this project's codebook"
            for code in missing_codes
        )
        plans.append((path, docs, codings, memos))
    if conflicts:
        raise ConflictError("nothing merged:\n" + "\n".join(conflicts))
    with project.atomic():
        # The other files were read without the write lock: make sure nobody
        # removed or changed our documents or codes meanwhile (added is fine).
        if not planned_against <= _documents_and_codes(project):
            raise ConflictError(
                f"{project.path}: documents or codes changed while the copies were"
                " read; nothing merged, run the merge again"
            )
        for path, docs, codings, memos in plans:
            items = []
            for doc_id, code, coder, start, end, created_at, memo, source in codings:
                our_doc = ours_by_sha.get(docs[doc_id][1])
                if our_doc is None:
                    continue
                if coder not in report.coders:
                    report.coders.append(coder)
                items.append(
                    {
                        "document": our_doc[1],
                        "code": code,
                        "start": start,
                        "end": end,
                        "coder": coder,
                        "created_at": created_at,
                        "memo": memo,
                        "source": source,
                    }
                )
            _, added = insert_codings(project, items)
            report.codings_added += len(added)
            report.codings_present += len(items) - len(added)
            memos_added = 0
            for target_type, target_id, coder, text, created_at, updated_at in memos:
                coder_id = project.coder_id(coder) if coder else None
                exists = db.execute(
                    "SELECT text FROM memos WHERE target_type = ? AND target_id IS ? AND coder_id IS ?",
                    [target_type, target_id, coder_id],
                ).fetchone()
                if exists:
                    if exists[0] != text:
                        report.notes.append(
                            f"{path}: kept this project's memo on {target_type} {target_id} by {coder}"
                            " (the other copy's differs)"
                        )
                    continue
                db.execute(
                    "INSERT INTO memos (target_type, target_id, coder_id, text, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    [target_type, target_id, coder_id, text, created_at, updated_at],
                )
                memos_added += 1
            report.memos_added += memos_added
            summary = project.log(
                "merge",
                "project",
                str(path),
                codings_added=len(added),
                codings_present=len(items) - len(added),
                memos_added=memos_added,
            )
            log_codings(project, ADD, added, batch=summary)
    return report
