"""Undo and redo over the event log, so they work across restarts.

Each coder has their own history: undo takes back their latest undoable
change (a coding applied or removed, a memo written) that is not undone yet;
redo re-applies the latest undone change unless something new happened since.
Undo and redo are themselves logged, never erased.

Changes made by bulk commands (merge, imports, code maintenance, consensus;
see coder.events) are logged per coding but are nobody's undo history. Undo
and redo refuse a coding change that such a command has overtaken: the
coding was added, removed or moved by one since, or its document was
replaced (its old offsets would land on new text).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from coder.cases import document_id
from coder.code_editing import (
    UNDOABLE_CODE_CHANGES,
    drop_unused_code,
    replay_code_change,
    restore_code,
)
from coder.errors import ConflictError
from coder.events import ADD, RECODE, REMOVE
from coder.memos import write_memo
from coder.store import Project
from coder.store.project import now

UNDOABLE = ("code", "uncode", "memo", *UNDOABLE_CODE_CHANGES)


@dataclass
class Change:
    event_id: int
    action: str
    entity: str
    entity_id: str | None
    data: dict[str, Any]

    def describe(self) -> str:
        if self.action in ("code", "uncode"):
            verb = "coding" if self.action == "code" else "removal of"
            return f"{verb} {self.data.get('code')} on {self.data.get('document')} [{self.data.get('start')}:{self.data.get('end')}]"
        if self.action in UNDOABLE_CODE_CHANGES:
            return f"{self.action} of code {self.entity_id}"
        return f"memo on {self.entity} {self.entity_id or ''}".strip()


def _stacks(project: Project, actor: str) -> tuple[list[int], list[int]]:
    done: list[int] = []
    undone: list[int] = []
    for event_id, action, data in project.execute(
        "SELECT id, action, data FROM events WHERE actor = ? AND"
        f" action IN ({', '.join('?' for _ in UNDOABLE)}, 'undo', 'redo')"
        " AND (entity = 'code' OR action NOT IN ('create', 'edit', 'rename', 'move'))"
        # A code made with a coding is undone with that coding.
        " AND json_extract(data, '$.with_coding') IS NULL"
        " ORDER BY id",
        [actor, *UNDOABLE],
    ):
        if action in UNDOABLE:
            done.append(event_id)
            undone.clear()
        elif action == "undo":
            target = json.loads(data)["event"]
            if target in done:
                done.remove(target)
                undone.append(target)
        else:
            target = json.loads(data)["event"]
            if undone and undone[-1] == target:
                undone.pop()
                done.append(target)
    return done, undone


def _change(project: Project, event_id: int) -> Change:
    row = project.execute(
        "SELECT id, action, entity, entity_id, data FROM events WHERE id = ?",
        [event_id],
    ).fetchone()
    return Change(row[0], row[1], row[2], row[3], json.loads(row[4]))


def _insert_coding(project: Project, coding_id: int, data: dict[str, Any]) -> None:
    """Put a coding back with its original id, so later events still name it."""
    project.execute(
        'INSERT INTO codings (id, code_id, document_id, start, "end", coder_id, created_at, memo, source)'
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            coding_id,
            data["code"],
            document_id(project, data["document"]),
            data["start"],
            data["end"],
            project.coder_id(data["coder"]),
            data.get("created_at") or now(),
            data.get("memo"),
            data.get("source", "manual"),
        ],
    )


def _check_not_overtaken(project: Project, change: Change, verb: str) -> None:
    """Refuse to replay a coding change a bulk command has changed since."""
    if change.action not in ("code", "uncode"):
        return
    row = project.execute(
        "SELECT id, actor, action, entity FROM events WHERE id > ? AND ("
        " (entity = 'coding' AND entity_id = ? AND action IN (?, ?, ?))"
        " OR (entity = 'document' AND action = 'delete'"
        "     AND json_extract(data, '$.name') = ?)) ORDER BY id LIMIT 1",
        [
            change.event_id,
            change.entity_id,
            ADD,
            REMOVE,
            RECODE,
            change.data.get("document"),
        ],
    ).fetchone()
    if row is None:
        return
    what = "its document was replaced" if row[3] == "document" else "a bulk change"
    raise ConflictError(
        f"cannot {verb} the {change.describe()}: {what} since"
        f" (event {row[0]}, {row[2]} by {row[1]}; see `coder log`)"
    )


def _apply(project: Project, change: Change, *, reverse: bool) -> None:
    coding_id = (
        int(change.entity_id)
        if change.entity == "coding" and change.entity_id
        else None
    )
    _check_not_overtaken(project, change, "undo" if reverse else "redo")
    removing = (change.action == "code") == reverse
    if change.action in ("code", "uncode"):
        # A code made with this coding goes and comes back with it, unless used.
        created = change.data.get("created_code") if change.action == "code" else None
        if removing:
            project.execute("DELETE FROM codings WHERE id = ?", [coding_id])
            if created:
                drop_unused_code(project, created["id"])
        else:
            if created:
                restore_code(project, created)
            _insert_coding(project, coding_id, change.data)
    elif change.action in UNDOABLE_CODE_CHANGES:
        replay_code_change(
            project, change.action, change.entity_id, change.data, reverse=reverse
        )
    else:
        # Written without a new 'memo' event, which would reset redo.
        write_memo(
            project,
            change.entity,
            change.entity_id,
            change.data["old"] if reverse else change.data["new"],
            change.data.get("coder"),
        )


def undo(project: Project, actor: str | None = None) -> Change | None:
    """Take back the actor's latest change; None when there is nothing to undo."""
    actor = actor or project.actor
    with project.atomic():
        done, _ = _stacks(project, actor)
        if not done:
            return None
        change = _change(project, done[-1])
        _apply(project, change, reverse=True)
        project.log("undo", change.entity, change.entity_id, event=change.event_id)
    return change


def redo(project: Project, actor: str | None = None) -> Change | None:
    """Re-apply the actor's latest undone change; None when there is nothing to redo."""
    actor = actor or project.actor
    with project.atomic():
        _, undone = _stacks(project, actor)
        if not undone:
            return None
        change = _change(project, undone[-1])
        _apply(project, change, reverse=False)
        project.log("redo", change.entity, change.entity_id, event=change.event_id)
    return change
