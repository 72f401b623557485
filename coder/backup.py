"""Backups of a project: copies made while others write, snapshots before risky changes, restore.

Every copy goes through SQLite's online backup API, which reads one
consistent state of the database (what a reader would see at that moment,
the WAL included) while other processes keep writing. The copy is a single
self-contained file in rollback-journal mode: no ``-wal`` beside it is needed
and none is left behind when it is read.

Automatic snapshots live in a folder beside the project, ``study.db.backups/``
for ``study.db``, named ``<UTC time>-<reason>.db``; the newest
`DEFAULT_KEEP` are kept (``CODER_SNAPSHOTS=N`` to keep another number, 0 to
take none). Backups made on request (`backup` into that folder, reason
``backup``) are never removed by the rotation.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from coder.errors import CoderError, ProjectError
from coder.store import Project, open_project
from coder.store.project import inspect_project, is_damaged

SNAPSHOTS_ENV = "CODER_SNAPSHOTS"
DEFAULT_KEEP = 20
MANUAL = "backup"  # the reason of a backup made on request: never rotated away
BEFORE_RESTORE = "before-restore"
# Seconds in the name, for people; a second snapshot within the same second
# gets a counter: 2026-12-07T10-00-00Z-2-merge.db.
STAMP_FORMAT = "%Y-%m-%dT%H-%M-%SZ"
NAME = re.compile(
    r"^(?P<stamp>\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ)(?:-(?P<seq>\d+))?"
    r"-(?P<reason>[a-z][a-z0-9-]*)\.db$"
)


@dataclass(frozen=True)
class Snapshot:
    """A copy of the project in its snapshot folder.

    Attributes:
        path: The file.
        taken_at: When it was taken (UTC), from its name; None for a file
            named otherwise.
        reason: What it was taken before (``codes-merge``, ``restore``, ...),
            ``backup`` for one made on request, ``""`` for a file named otherwise.
        size: Bytes.
        documents, codings: Counts inside it; None when it cannot be read.
        schema: Its schema version; None when it cannot be read.
    """

    path: Path
    taken_at: datetime | None
    reason: str
    size: int
    documents: int | None = None
    codings: int | None = None
    schema: int | None = None
    order: tuple = field(default=(), repr=False, compare=False)

    def to_dict(self) -> dict:
        return {
            "name": self.path.name,
            "path": str(self.path),
            "taken_at": self.taken_at.isoformat() if self.taken_at else None,
            "reason": self.reason,
            "size_bytes": self.size,
            "documents": self.documents,
            "codings": self.codings,
            "schema_version": self.schema,
        }


@dataclass(frozen=True)
class Restored:
    """What `restore` did.

    Attributes:
        project: The project file written.
        snapshot: The file its content came from.
        before: The snapshot of what the project held before (restore it to
            undo), or None when there was no project file.
        schema: The snapshot's schema version; `migrated` names the
            migrations that brought it up to this coder's.
        replaced_file: True when the project file was damaged beyond what
            SQLite can write through and was replaced as a file instead.
    """

    project: Path
    snapshot: Path
    before: Path | None
    schema: int
    migrated: list[str]
    replaced_file: bool = False


def snapshot_folder(project_path: str | os.PathLike[str]) -> Path:
    """The folder of a project's snapshots: ``study.db.backups`` beside ``study.db``."""
    path = Path(project_path)
    return path.with_name(f"{path.name}.backups")


def keep_count() -> int:
    """How many automatic snapshots to keep: CODER_SNAPSHOTS, else DEFAULT_KEEP."""
    value = os.environ.get(SNAPSHOTS_ENV, "").strip()
    if not value:
        return DEFAULT_KEEP
    try:
        keep = int(value)
    except ValueError:
        keep = -1
    if keep < 0:
        raise CoderError(
            f"{SNAPSHOTS_ENV}={value!r}: give how many snapshots to keep,"
            " a whole number (0 takes none)"
        )
    return keep


def _slug(reason: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", reason.lower()).strip("-")
    if not slug or not slug[0].isalpha():
        slug = f"r-{slug}".rstrip("-")
    return slug


def _reserve(folder: Path, reason: str) -> Path:
    """Claim a new snapshot name in `folder` (an empty file until it is filled)."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime(STAMP_FORMAT)
    slug = _slug(reason)
    seq = 1
    while True:
        name = f"{stamp}-{slug}.db" if seq == 1 else f"{stamp}-{seq}-{slug}.db"
        path = folder / name
        try:
            # O_EXCL: two processes snapshotting in the same second get two names.
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
        except FileExistsError:
            seq += 1
            continue
        return path


def _copy(source: sqlite3.Connection, dest: Path) -> None:
    """Write a consistent copy of `source` to `dest` (replacing it) via a temporary file.

    The backup API copies in one step (pages=-1), so it holds one read
    snapshot of the source for the whole copy: writers in other processes
    carry on (WAL), and the copy is the state at the moment it began. A
    stepwise copy would restart whenever another process writes.
    """
    handle, name = tempfile.mkstemp(
        dir=dest.parent, prefix=f".{dest.name}.", suffix=".tmp"
    )
    os.close(handle)
    temp = Path(name)
    try:
        target = sqlite3.connect(temp, isolation_level=None)
        try:
            source.backup(target)
            # The copy inherits the source's WAL mode; a snapshot is one file.
            target.execute("PRAGMA journal_mode = DELETE")
        finally:
            target.close()
        os.replace(temp, dest)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def backup(project: Project, dest: str | os.PathLike[str] | None = None) -> Path:
    """Copy the open project to a new file, safely while others write.

    Args:
        project: The open project.
        dest: The file to write; default a new ``<time>-backup.db`` in the
            project's snapshot folder (never rotated away).

    Returns:
        The file written.

    Raises:
        CoderError: `dest` exists (a backup never overwrites a file).
    """
    if dest is None:
        target = _reserve(snapshot_folder(project.path), MANUAL)
    else:
        target = Path(dest)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
        except FileExistsError as exc:
            raise CoderError(
                f"{target}: already exists; choose another file name"
            ) from exc
    try:
        _copy(project.conn, target)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return target


def take_snapshot(project: Project, reason: str) -> Path:
    """Copy the project into its snapshot folder, named by the time and `reason`.

    Takes no lock of its own: call it outside any write transaction, before the
    change it protects. Does not rotate (see `rotate`).
    """
    folder = snapshot_folder(project.path)
    try:
        path = _reserve(folder, reason)
        try:
            _copy(project.conn, path)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
    except (OSError, sqlite3.OperationalError) as exc:
        # Before a destructive change: no snapshot, no change.
        detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise ProjectError(
            f"{folder}: cannot take the snapshot before {reason} ({detail});"
            " nothing was changed",
            hint="free some disk space or fix the folder's permissions;"
            f" {SNAPSHOTS_ENV}=0 works without snapshots",
        ) from exc
    return path


def snapshot(project: Project, reason: str, *, keep: int | None = None) -> Path | None:
    """Snapshot the project before a destructive change, then rotate the folder.

    Args:
        project: The open project, not inside a transaction.
        reason: What comes next, e.g. ``codes-merge`` (part of the file name).
        keep: Automatic snapshots to keep (default: `keep_count()`); 0 takes none.

    Returns:
        The snapshot file, or None when snapshots are turned off.
    """
    keep = keep_count() if keep is None else keep
    if keep == 0:
        return None
    path = take_snapshot(project, reason)
    rotate(path.parent, keep)
    return path


@contextmanager
def snapshot_before(
    project: Project, reason: str, *, when: bool = True
) -> Iterator[Path | None]:
    """Snapshot, run the block, rotate: the shape of every destructive command.

    A block that raises CoderError was refused before it wrote (services
    check first and write in one transaction), so its snapshot goes again:
    a mistyped command repeated twenty times must not rotate the useful
    snapshots away. Any other failure keeps it.

    Yields:
        The snapshot file, or None (not `when`, or snapshots turned off).
    """
    keep = keep_count() if when else 0
    folder = snapshot_folder(project.path)
    made = not folder.exists()
    path = take_snapshot(project, reason) if keep else None
    try:
        yield path
    except CoderError:
        if path is not None:
            path.unlink(missing_ok=True)
            if made:
                with suppress(OSError):  # not empty: another process snapshotted
                    folder.rmdir()
        raise
    if path is not None:
        rotate(path.parent, keep)


def _parse(path: Path) -> tuple[datetime | None, str, tuple]:
    match = NAME.match(path.name)
    if match is None:
        return None, "", ()
    taken = datetime.strptime(match["stamp"], STAMP_FORMAT).replace(tzinfo=UTC)
    seq = int(match["seq"] or 1)
    return taken, match["reason"], (taken, seq)


def rotate(folder: Path, keep: int | None = None) -> list[Path]:
    """Remove the oldest automatic snapshots beyond the newest `keep`; return them.

    Only files named like snapshots count; backups made on request and any
    other file in the folder stay. With `keep` 0 (snapshots turned off) the
    snapshots already there are left alone.
    """
    keep = keep_count() if keep is None else keep
    if keep <= 0:
        return []
    automatic = []
    for path in folder.glob("*.db"):
        _taken, reason, order = _parse(path)
        if order and reason != MANUAL:
            automatic.append((order, path))
    automatic.sort(reverse=True)
    removed = []
    for _order, path in automatic[keep:]:
        for companion in (path, path.with_name(f"{path.name}-wal")):
            # Another process may be rotating the same folder.
            companion.unlink(missing_ok=True)
        removed.append(path)
    return removed


def _counts(path: Path) -> tuple[int | None, int | None, int | None]:
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return None, None, None
    try:
        schema = conn.execute("PRAGMA user_version").fetchone()[0]
        documents = conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
        codings = conn.execute("SELECT COUNT(*) FROM codings").fetchone()[0]
    except sqlite3.Error:
        return None, None, None
    finally:
        conn.close()
    return documents, codings, schema


def list_snapshots(
    project_path: str | os.PathLike[str], *, counts: bool = True
) -> list[Snapshot]:
    """The snapshots and backups in a project's snapshot folder, newest first.

    Args:
        project_path: The project file (it need not exist or be readable).
        counts: Also open each one to count documents and codings.
    """
    folder = snapshot_folder(project_path)
    if not folder.is_dir():
        return []
    found = []
    for path in folder.glob("*.db"):
        try:
            size = path.stat().st_size
        except FileNotFoundError:  # rotated away meanwhile
            continue
        if size == 0:  # reserved, still being written
            continue
        taken, reason, order = _parse(path)
        if not order:
            taken = datetime.fromtimestamp(path.stat().st_mtime, UTC)
            order = (taken, 0)
        documents = codings = schema = None
        if counts:
            documents, codings, schema = _counts(path)
        found.append(
            Snapshot(path, taken, reason, size, documents, codings, schema, order)
        )
    found.sort(key=lambda s: (s.order, s.path.name), reverse=True)
    return found


def find_snapshot(
    project_path: str | os.PathLike[str], name: str | os.PathLike[str]
) -> Path:
    """A snapshot by path, or by its name in the project's snapshot folder."""
    path = Path(name)
    if path.is_file():
        return path
    inside = snapshot_folder(project_path) / path.name
    if path.name == str(name) and inside.is_file():
        return inside
    raise CoderError(
        f"{name}: no such snapshot; `coder backups -p {project_path}` lists them"
    )


def _raw_copy(project_path: Path, reason: str) -> Path:
    """Copy a damaged project's bytes (and its -wal) as they are, for the record."""
    path = _reserve(snapshot_folder(project_path), reason)
    shutil.copyfile(project_path, path)
    wal = project_path.with_name(f"{project_path.name}-wal")
    if wal.exists():
        shutil.copyfile(wal, path.with_name(f"{path.name}-wal"))
    return path


def _snapshot_file(project_path: Path, reason: str) -> Path:
    """Snapshot a project by its path, even one SQLite cannot read."""
    path = _reserve(snapshot_folder(project_path), reason)
    try:
        source = sqlite3.connect(project_path, isolation_level=None)
        try:
            _copy(source, path)
        finally:
            source.close()
    except sqlite3.DatabaseError as exc:
        path.unlink(missing_ok=True)
        if not is_damaged(exc):
            raise
        return _raw_copy(project_path, reason)
    return path


def _stage(snapshot_path: Path, staged: Path) -> int:
    """Copy a snapshot to `staged` and check it; return its schema version.

    Raises:
        ProjectError: not a coder project, from a newer coder, or damaged.
    """
    version = inspect_project(snapshot_path)
    try:
        # Read-only: the snapshot itself is never migrated or touched.
        source = sqlite3.connect(
            f"{snapshot_path.resolve().as_uri()}?mode=ro", uri=True
        )
        try:
            _copy(source, staged)
        finally:
            source.close()
        conn = sqlite3.connect(staged)
        try:
            verdict = conn.execute("PRAGMA quick_check").fetchall()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        verdict = [(str(exc),)]
    if verdict != [("ok",)]:
        raise ProjectError(
            f"{snapshot_path}: the snapshot is damaged ({verdict[0][0]}); restore another"
        )
    return version


def _write_into(staged: Path, project_path: Path) -> bool:
    """Make the project's content the staged copy's; True if the file was replaced.

    Through the backup API into the project's own file: SQLite takes the write
    lock (waiting for other writers), writes every page through the WAL and
    commits once, so a process with the project open sees the old database
    or the new one, never a mix. Only a file SQLite cannot write through (a
    damaged header) is replaced as a file, with its stale -wal and -shm.
    """
    from coder.store.locking import busy_timeout_ms

    if not project_path.exists():
        os.replace(staged, project_path)
        return True
    source = sqlite3.connect(staged)
    try:
        target = sqlite3.connect(project_path, isolation_level=None)
        try:
            target.execute(f"PRAGMA busy_timeout = {busy_timeout_ms()}")
            source.backup(target)
            return False
        except sqlite3.DatabaseError as exc:
            if not is_damaged(exc):
                raise
        finally:
            target.close()
    finally:
        source.close()
    for suffix in ("-wal", "-shm"):
        project_path.with_name(f"{project_path.name}{suffix}").unlink(missing_ok=True)
    os.replace(staged, project_path)
    return True


def restore(
    project_path: str | os.PathLike[str],
    snapshot_path: str | os.PathLike[str],
    *,
    actor: str | None = None,
) -> Restored:
    """Bring a snapshot's content back into the project, after snapshotting it.

    The snapshot is checked (a coder project, not newer than this coder, not
    damaged) and copied; the copy is migrated when older and gets a
    ``restore`` event; then the project's content becomes the copy's. What
    the project held is first kept as a ``before-restore`` snapshot (byte for
    byte when SQLite cannot read it), so a restore can itself be undone.

    Args:
        project_path: The project file; it may be missing or damaged.
        snapshot_path: A snapshot, backup, or any coder project file.
        actor: Who restores (for the event log).

    Raises:
        ProjectError: the snapshot is not a coder project, is newer, or damaged.
        CoderError: the snapshot is the project file itself.
    """
    from coder.store.migrations import MIGRATIONS

    project_path, snapshot_path = Path(project_path), Path(snapshot_path)
    if not snapshot_path.is_file():
        raise CoderError(f"{snapshot_path}: no such snapshot file")
    if project_path.exists() and os.path.samefile(project_path, snapshot_path):
        raise CoderError(f"{snapshot_path}: is the project itself; name a snapshot")
    inspect_project(snapshot_path)  # refuse a foreign or newer file before anything
    folder = snapshot_folder(project_path)
    made = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder, prefix=".restore-") as work:
        staged = Path(work) / "restore.db"
        try:
            version = _stage(snapshot_path, staged)
        except BaseException:
            if made:
                shutil.rmtree(work, ignore_errors=True)
                with suppress(OSError):  # not empty: someone snapshotted meanwhile
                    folder.rmdir()
            raise
        before = (
            _snapshot_file(project_path, BEFORE_RESTORE)
            if project_path.exists()
            else None
        )
        # open_project migrates an older snapshot forward.
        with open_project(staged, actor=actor) as project, project.atomic():
            project.log(
                "restore",
                "project",
                snapshot_path.name,
                schema=version,
                before=before.name if before else None,
            )
        replaced = _write_into(staged, project_path)
    rotate(folder)
    return Restored(
        project=project_path,
        snapshot=snapshot_path,
        before=before,
        schema=version,
        migrated=[name for name, _ in MIGRATIONS[version:]],
        replaced_file=replaced,
    )
