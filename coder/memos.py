"""Memos: the researcher's notes on a coding, a segment, a document, a code or a case.

A coding's memo lives on the coding itself; memos on everything else live in
the memos table, one per target and coder. Text is Markdown. Every change is
logged with the old text, so it can be undone.

Targets are named by keys that mean the same in every copy of a project, so
`coder merge` can carry memos across: a document by its name, a case by its
name, a code by its id, a segment as ``"<document>:<start>-<end>"`` (see
`segment_key`), a coding by its id, and the project by None.
"""

from __future__ import annotations

from dataclasses import dataclass

from coder.errors import CoderError, NotFoundError
from coder.store import Project
from coder.store.project import now

TARGETS = ("project", "document", "segment", "code", "coding", "case")


@dataclass
class Memo:
    target_type: str
    target_id: str | None
    coder: str | None
    text: str
    updated_at: str


def segment_key(document: str, start: int, end: int) -> str:
    """The memo target key of a segment: stable across copies, unlike row ids."""
    return f"{document}:{start}-{end}"


def get_memo(
    project: Project,
    target_type: str,
    target_id: str | int | None,
    coder: str | None = None,
) -> str:
    """The memo text on a target by a coder (default: the actor), or ''."""
    _check_target(target_type)
    if target_type == "coding":
        row = project.execute(
            "SELECT memo FROM codings WHERE id = ?", [int(target_id)]
        ).fetchone()
        if row is None:
            raise NotFoundError(f"no coding with id {target_id}")
        return row[0] or ""
    row = project.execute(
        "SELECT m.text FROM memos m LEFT JOIN coders c ON c.id = m.coder_id"
        " WHERE m.target_type = ? AND m.target_id IS ? AND c.name IS ?",
        [
            target_type,
            None if target_id is None else str(target_id),
            coder or project.actor,
        ],
    ).fetchone()
    return row[0] if row else ""


def set_memo(
    project: Project,
    target_type: str,
    target_id: str | int | None,
    text: str,
    coder: str | None = None,
) -> None:
    """Write (or with empty text, clear) the memo on a target, in one transaction."""
    _check_target(target_type)
    text = text.rstrip()
    with project.atomic():
        old = get_memo(project, target_type, target_id, coder)
        if old == text:
            return
        write_memo(project, target_type, target_id, text, coder)
        project.log(
            "memo",
            target_type,
            target_id,
            old=old,
            new=text,
            coder=coder or project.actor,
        )


def write_memo(
    project: Project,
    target_type: str,
    target_id: str | int | None,
    text: str,
    coder: str | None = None,
) -> None:
    """Store a memo's text without logging (undo and redo replay through this)."""
    if target_type == "coding":
        project.execute(
            "UPDATE codings SET memo = ? WHERE id = ?", [text or None, int(target_id)]
        )
        return
    coder_id = project.coder_id(coder)
    key = None if target_id is None else str(target_id)
    project.execute(
        "DELETE FROM memos WHERE target_type = ? AND target_id IS ? AND coder_id = ?",
        [target_type, key, coder_id],
    )
    if text:
        stamp = now()
        project.execute(
            "INSERT INTO memos (target_type, target_id, coder_id, text, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [target_type, key, coder_id, text, stamp, stamp],
        )


def list_memos(project: Project, target_type: str | None = None) -> list[Memo]:
    sql = (
        "SELECT m.target_type, m.target_id, c.name, m.text, m.updated_at FROM memos m"
        " LEFT JOIN coders c ON c.id = m.coder_id"
    )
    params = []
    if target_type:
        sql += " WHERE m.target_type = ?"
        params.append(target_type)
    return [
        Memo(*row) for row in project.execute(sql + " ORDER BY m.updated_at", params)
    ]


def _check_target(target_type: str) -> None:
    if target_type not in TARGETS:
        raise CoderError(
            f"unknown memo target '{target_type}' (known: {', '.join(TARGETS)})"
        )
