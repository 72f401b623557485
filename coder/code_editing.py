"""Creating and editing codes one at a time, as inductive coding does while reading.

A new code gets a stable id (the slug of its name, made unique), a palette
colour and the first free key; like every codebook change it is one
transaction, logged, and recorded as a new codebook version. Undoing the
coding a code was created with removes the code too when nothing else uses
it (`drop_unused_code`, `restore_code`; see coder.history); an edit, rename or
move of a code is undone and redone by `replay_code_change`.
"""

from __future__ import annotations

import re
from typing import Any

from coder.codebook import RESERVED_KEYS, Code, normalise_colour, slugify
from coder.codes import CODE_FIELDS, ancestors, get_code, next_position, record_change
from coder.coding import apply_coding
from coder.errors import CoderError, ConflictError
from coder.store import Project

# Colours for new codes, in the order they are handed out; chosen to read on
# light and dark terminals (the TUI colours codes without one from it too).
PALETTE = (
    "#2f77dd",
    "#dc3b49",
    "#18867d",
    "#955dd6",
    "#c05d15",
    "#288a41",
    "#d139a3",
    "#91751a",
)
# The letters a new code's key is chosen from, in this order.
KEY_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
# What `edit_code` may change; the rest (examples, patterns) is the YAML's.
EDITABLE_FIELDS = ("name", "definition", "include", "exclude", "colour", "key", "memo")
_ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
_COLOUR_PATTERN = re.compile(r"^#[0-9a-f]{6}$")


def unique_code_id(project: Project, name: str) -> str:
    """A new code's id: the slug of its name, numbered when the slug is taken."""
    base = slugify(name)
    taken = {row[0] for row in project.execute("SELECT id FROM codes")}
    candidate, number = base, 2
    while candidate in taken:
        candidate = f"{base}_{number}"
        number += 1
    return candidate


def free_key(project: Project) -> str | None:
    """The first letter neither the coding screen nor another code uses (None: all taken)."""
    used = {row[0] for row in project.execute("SELECT key FROM codes WHERE key > ''")}
    return next(
        (k for k in KEY_LETTERS if k not in RESERVED_KEYS and k not in used), None
    )


def free_colour(project: Project) -> str:
    """The first palette colour no code has; when all are used, the palette again in turn."""
    used = {
        row[0] for row in project.execute("SELECT colour FROM codes WHERE colour > ''")
    }
    for colour in PALETTE:
        if colour not in used:
            return colour
    count = project.execute("SELECT COUNT(*) FROM codes").fetchone()[0]
    return PALETTE[count % len(PALETTE)]


def _check_name(project: Project, name: str, code_id: str | None) -> str:
    name = " ".join(name.split())
    if not name:
        raise CoderError("a code needs a name")
    clash = project.execute(
        "SELECT id, name FROM codes WHERE lower(name) = lower(?) AND id IS NOT ?",
        [name, code_id],
    ).fetchone()
    if clash:
        raise ConflictError(f"code '{clash[0]}' is already named '{clash[1]}'")
    return name


def _check_colour(colour: str | None) -> str | None:
    value = normalise_colour(colour.strip() if colour else None)
    if value is not None and not _COLOUR_PATTERN.match(value):
        raise CoderError(f"colour '{colour}' is not #rrggbb or #rgb")
    return value


def _check_key(project: Project, key: str | None, code_id: str | None) -> str | None:
    if not key:
        return None
    if len(key) != 1 or not key.isascii() or not key.isalpha():
        raise CoderError(f"key '{key}' must be a single letter")
    if key in RESERVED_KEYS:
        raise ConflictError(
            f"key '{key}' is reserved by the coding screen; choose another letter"
        )
    clash = project.execute(
        "SELECT id FROM codes WHERE key = ? AND id IS NOT ?", [key, code_id]
    ).fetchone()
    if clash:
        raise ConflictError(f"key '{key}' is already bound to '{clash[0]}'")
    return key


def _code_data(project: Project, code_id: str) -> dict[str, Any]:
    """A code's row as event data: enough to put it back as it was."""
    row = get_code(project, code_id)
    return {
        name: row[name]
        for name in ("id", "name", "parent_id", "position", *CODE_FIELDS)
    }


def add_code(
    project: Project,
    name: str,
    *,
    code_id: str | None = None,
    parent: str | None = None,
    definition: str = "",
    include: str = "",
    exclude: str = "",
    colour: str | None = None,
    key: str | None = None,
    memo: str = "",
    auto_key: bool = True,
    with_coding: bool = False,
) -> Code:
    """Create a code (last among its siblings), in one transaction, logged.

    Args:
        code_id: Its stable id; by default the slug of the name, made unique.
        parent: The code (or theme) it goes under; None for the top level.
        colour: ``#rrggbb``; by default the first palette colour not in use.
        key: Its letter in the coding screen; by default the first free one
            (none when `auto_key` is off or every letter is taken).
        with_coding: The code is made for a coding that follows in the same
            transaction; undoing that coding undoes the code, so this event
            is left out of the undo history.

    Raises:
        ConflictError: the id, name or key is taken.
        NotFoundError: no code `parent`.
    """
    with project.atomic():
        name = _check_name(project, name, None)
        if code_id:
            if not _ID_PATTERN.match(code_id):
                raise CoderError(
                    f"id '{code_id}' must be a slug: lower-case letters, digits and _,"
                    " starting with a letter"
                )
            if project.execute(
                "SELECT 1 FROM codes WHERE id = ?", [code_id]
            ).fetchone():
                raise ConflictError(f"a code '{code_id}' exists already")
        else:
            code_id = unique_code_id(project, name)
        if parent is not None:
            get_code(project, parent)
        colour = _check_colour(colour) or free_colour(project)
        key = _check_key(project, key, None) or (
            free_key(project) if auto_key else None
        )
        code = Code(
            id=code_id,
            name=name,
            definition=definition.strip(),
            include=include.strip(),
            exclude=exclude.strip(),
            colour=colour,
            key=key,
            memo=memo.strip(),
        )
        project.execute(
            "INSERT INTO codes (id, name, parent_id, position, definition, include,"
            " exclude, colour, key, memo) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                code.id,
                code.name,
                parent,
                next_position(project, parent),
                code.definition,
                code.include,
                code.exclude,
                code.colour,
                code.key,
                code.memo,
            ],
        )
        data = _code_data(project, code.id)
        if with_coding:
            data["with_coding"] = True
        project.log("create", "code", code.id, **data)
        record_change(project, f"codes add {code.id}")
    return code


def edit_code(
    project: Project, code_id: str, **fields: str | None
) -> dict[str, tuple[Any, Any]]:
    """Change a code's name, rules, colour, key or memo in one transaction, logged.

    Args:
        fields: Any of `EDITABLE_FIELDS`; an empty value clears the field
            (a name cannot be cleared).

    Returns:
        field -> (old, new) for what actually changed.
    """
    unknown = sorted(set(fields) - set(EDITABLE_FIELDS))
    if unknown:
        raise CoderError(
            f"cannot edit '{unknown[0]}' (editable: {', '.join(EDITABLE_FIELDS)})"
        )
    with project.atomic():
        row = get_code(project, code_id)
        new: dict[str, Any] = {}
        for name, value in fields.items():
            if name == "name":
                new[name] = _check_name(project, value or "", code_id)
            elif name == "colour":
                new[name] = _check_colour(value)
            elif name == "key":
                new[name] = _check_key(project, value, code_id)
            else:
                new[name] = (value or "").strip()
        changed = {
            name: (row[name], value)
            for name, value in new.items()
            if (row[name] or None) != (value or None)
        }
        if not changed:
            return {}
        assignments = ", ".join(f'"{name}" = ?' for name in changed)
        project.execute(
            f"UPDATE codes SET {assignments} WHERE id = ?",
            [value for _, value in changed.values()] + [code_id],
        )
        project.log(
            "edit",
            "code",
            code_id,
            name=new.get("name", row["name"]),
            changed={
                name: {"old": old, "new": value}
                for name, (old, value) in changed.items()
            },
        )
        record_change(project, f"codes edit {code_id}")
    return changed


def code_in_use(project: Project, code_id: str) -> bool:
    """Whether anything hangs on a code: a coding, a child code or a memo."""
    return bool(
        project.execute(
            "SELECT EXISTS (SELECT 1 FROM codings WHERE code_id = ?)"
            " OR EXISTS (SELECT 1 FROM codes WHERE parent_id = ?)"
            " OR EXISTS (SELECT 1 FROM memos WHERE target_type = 'code'"
            " AND target_id = ? AND text > '')",
            [code_id, code_id, code_id],
        ).fetchone()[0]
    )


def drop_unused_code(project: Project, code_id: str) -> bool:
    """Remove a code nothing uses (undoing its creation); False when it stays.

    Call it inside the caller's transaction, which logs the change.
    """
    exists = project.execute("SELECT 1 FROM codes WHERE id = ?", [code_id]).fetchone()
    if not exists or code_in_use(project, code_id):
        return False
    project.execute("DELETE FROM codes WHERE id = ?", [code_id])
    record_change(project, f"undo codes add {code_id}")
    return True


def restore_code(project: Project, data: dict[str, Any]) -> bool:
    """Put back a code `drop_unused_code` removed, as `_code_data` recorded it.

    Goes under its old parent when that still exists (else the top); False
    when a code with its id is there already. Call it inside a transaction.

    Raises:
        ConflictError: another code has taken its name meanwhile.
    """
    if project.execute("SELECT 1 FROM codes WHERE id = ?", [data["id"]]).fetchone():
        return False
    _check_name(project, data["name"], None)
    parent = data.get("parent_id")
    if (
        parent
        and not project.execute("SELECT 1 FROM codes WHERE id = ?", [parent]).fetchone()
    ):
        parent = None
    key = data.get("key")
    if key and project.execute("SELECT 1 FROM codes WHERE key = ?", [key]).fetchone():
        key = None  # taken meanwhile
    project.execute(
        "INSERT INTO codes (id, name, parent_id, position, definition, include,"
        " exclude, colour, key, memo) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            data["id"],
            data["name"],
            parent,
            next_position(project, parent),
            data.get("definition") or "",
            data.get("include") or "",
            data.get("exclude") or "",
            data.get("colour"),
            key,
            data.get("memo") or "",
        ],
    )
    record_change(project, f"redo codes add {data['id']}")
    return True


def add_code_and_apply(
    project: Project,
    document: str,
    start: int,
    end: int,
    name: str,
    *,
    parent: str | None = None,
    coder: str | None = None,
    code_id: str | None = None,
) -> tuple[Code, int]:
    """Make a code and code the span [start, end) with it, in one transaction.

    One undo takes back both: the coding, and the code unless something else
    uses it by then. Returns the code and the coding's id.
    """
    with project.atomic():
        code = add_code(project, name, code_id=code_id, parent=parent, with_coding=True)
        coding_id = apply_coding(
            project,
            document,
            start,
            end,
            code.id,
            coder=coder,
            created_code=_code_data(project, code.id),
        )
    return code, coding_id


def in_vivo_name(text: str, limit: int = 60) -> str:
    """A code name from a respondent's words: spaces collapsed, quotes and
    punctuation trimmed from the ends, cut at a word within `limit` characters."""
    words = " ".join(text.split()).strip(" \"'“”‘’«».,;:!?…-–—()[]")
    if len(words) <= limit:
        return words
    cut = words[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-–—") or words[:limit]


# Codes a person makes, edits, renames and moves are in their undo history.
UNDOABLE_CODE_CHANGES = ("create", "edit", "rename", "move")


def replay_code_change(
    project: Project, action: str, code_id: str, data: dict[str, Any], *, reverse: bool
) -> None:
    """Undo (`reverse`) or redo a logged creation, edit, rename or move of a code.

    Writes no event of its own (coder.history logs the undo or redo); records
    a codebook version. Call it inside a transaction.

    Raises:
        ConflictError: the change no longer fits: the name or key is taken
            now, the old parent is gone or below the code, or a code to
            remove is in use.
    """
    if action == "create":
        if not reverse:
            restore_code(project, data)
        elif not drop_unused_code(project, code_id):
            raise ConflictError(
                f"code '{code_id}' is in use now (codings, codes under it or a memo)"
            )
        return
    get_code(project, code_id)
    side = "old" if reverse else "new"
    if action == "edit":
        values = {name: change[side] for name, change in data["changed"].items()}
    elif action == "rename":
        values = {"name": data[side]}
    else:
        values = {}
        parent = data[side]
        if parent is not None:
            get_code(project, parent)
            if code_id in ancestors(project, parent):
                raise ConflictError(f"'{parent}' is below '{code_id}' now")
        position = data.get("old_position") if reverse else None
        project.execute(
            "UPDATE codes SET parent_id = ?, position = ? WHERE id = ?",
            [
                parent,
                next_position(project, parent) if position is None else position,
                code_id,
            ],
        )
    if "name" in values:
        _check_name(project, values["name"], code_id)
    if values.get("key"):
        _check_key(project, values["key"], code_id)
    if values:
        assignments = ", ".join(f'"{name}" = ?' for name in values)
        project.execute(
            f"UPDATE codes SET {assignments} WHERE id = ?", [*values.values(), code_id]
        )
    record_change(project, f"{'undo' if reverse else 'redo'} codes {action} {code_id}")
