"""The project's codebook: loading versions of it, and code maintenance that keeps codings.

Codes are matched by id between versions, so a code's name can change, it can
move in the tree, and its codings stay. Every change is one transaction, is
logged, and records a new codebook version.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from coder.codebook import Code, Codebook, Example, Patterns, codebook_to_yaml, slugify
from coder.errors import CoderError, ConflictError, NotFoundError
from coder.events import RECODE, REMOVE, codings_data, log_codings
from coder.names import unknown_name
from coder.store import Project
from coder.store.project import now

CODE_FIELDS = ("definition", "include", "exclude", "colour", "key", "memo")


@dataclass
class CodeChange:
    id: str
    name: str
    codings: int
    old: str | None = None
    new: str | None = None


@dataclass
class CodebookDiff:
    """What loading a codebook changes, with how many codings each change touches."""

    added: list[CodeChange] = field(default_factory=list)
    removed: list[CodeChange] = field(default_factory=list)
    renamed: list[CodeChange] = field(default_factory=list)
    moved: list[CodeChange] = field(default_factory=list)
    edited: list[CodeChange] = field(default_factory=list)
    unchanged: int = 0

    @property
    def changes(self) -> bool:
        return bool(
            self.added or self.removed or self.renamed or self.moved or self.edited
        )

    @property
    def codings_lost(self) -> int:
        return sum(change.codings for change in self.removed)


@dataclass
class CodebookVersion:
    revision: int
    name: str
    version: str
    loaded_at: str
    actor: str
    source: str
    sha256: str


# Reading ----------------------------------------------------------------------


def coding_counts(project: Project, coder: str | None = None) -> dict[str, int]:
    """Codings per code id (of one coder, or everyone's)."""
    sql = "SELECT code_id, COUNT(*) FROM codings"
    params: list[Any] = []
    if coder:
        sql += " WHERE coder_id = (SELECT id FROM coders WHERE name = ?)"
        params.append(coder)
    return dict(project.execute(sql + " GROUP BY code_id", params).fetchall())


def _code_row(row: dict[str, Any]) -> Code:
    examples = [Example(**example) for example in json.loads(row["examples"] or "[]")]
    return Code(
        id=row["id"],
        name=row["name"],
        definition=row["definition"],
        include=row["include"],
        exclude=row["exclude"],
        examples=examples,
        colour=row["colour"],
        key=row["key"],
        memo=row["memo"],
        patterns=Patterns.from_dict(json.loads(row["patterns"] or "{}")),
    )


def current_codebook(project: Project) -> Codebook:
    """The codebook as the project holds it now (empty when none was loaded)."""
    rows = list(project.query("SELECT * FROM codes ORDER BY position, rowid"))
    codes = {row["id"]: _code_row(row) for row in rows}
    roots: list[Code] = []
    for row in rows:
        code = codes[row["id"]]
        parent = row["parent_id"]
        (codes[parent].children if parent in codes else roots).append(code)
    latest = latest_version(project)
    return Codebook(
        name=latest.name if latest else "Codebook",
        version=latest.version if latest else "",
        description=project.meta("codebook_description") or "",
        language=project.meta("codebook_language") or "en",
        codes=roots,
    )


def latest_version(project: Project) -> CodebookVersion | None:
    row = project.execute(
        "SELECT id, name, version, loaded_at, actor, source, sha256"
        " FROM codebook_versions ORDER BY id DESC LIMIT 1"
    ).fetchone()
    return CodebookVersion(*row) if row else None


def codebook_history(project: Project) -> list[CodebookVersion]:
    return [
        CodebookVersion(*row)
        for row in project.execute(
            "SELECT id, name, version, loaded_at, actor, source, sha256"
            " FROM codebook_versions ORDER BY id"
        )
    ]


def get_code(project: Project, code_id: str) -> dict[str, Any]:
    row = next(iter(project.query("SELECT * FROM codes WHERE id = ?", [code_id])), None)
    if row is None:
        ids = [r[0] for r in project.execute("SELECT id FROM codes")]
        raise NotFoundError(
            unknown_name("code", code_id, ids, none="no codes; load a codebook")
        )
    return row


# Loading ----------------------------------------------------------------------


def plan_load(project: Project, new: Codebook) -> CodebookDiff:
    """Compare the project's codebook with `new`, by code id."""
    old = current_codebook(project)
    counts = coding_counts(project)
    old_codes, new_codes = old.by_id(), new.by_id()
    old_parents, new_parents = old.parents(), new.parents()
    diff = CodebookDiff()
    for code_id, code in new_codes.items():
        n = counts.get(code_id, 0)
        if code_id not in old_codes:
            diff.added.append(CodeChange(code_id, code.name, n))
            continue
        before = old_codes[code_id]
        touched = False
        if before.name != code.name:
            diff.renamed.append(
                CodeChange(code_id, code.name, n, before.name, code.name)
            )
            touched = True
        if old_parents[code_id] != new_parents[code_id]:
            diff.moved.append(
                CodeChange(
                    code_id, code.name, n, old_parents[code_id], new_parents[code_id]
                )
            )
            touched = True
        edited = [
            name
            for name in (*CODE_FIELDS, "examples", "patterns")
            if _field(before, name) != _field(code, name)
        ]
        if edited:
            diff.edited.append(
                CodeChange(code_id, code.name, n, None, ", ".join(edited))
            )
            touched = True
        if not touched:
            diff.unchanged += 1
    for code_id, code in old_codes.items():
        if code_id not in new_codes:
            diff.removed.append(CodeChange(code_id, code.name, counts.get(code_id, 0)))
    return diff


def _field(code: Code, name: str) -> Any:
    value = getattr(code, name)
    if name == "patterns":
        return value.to_dict()
    if name == "examples":
        return [vars(example) for example in value]
    return value


def _record_version(project: Project, codebook: Codebook, source: str) -> int:
    text = codebook_to_yaml(codebook)
    return project.execute(
        "INSERT INTO codebook_versions (name, version, loaded_at, actor, source, sha256, yaml)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            codebook.name,
            codebook.version,
            now(),
            project.actor,
            source,
            hashlib.sha256(text.encode("utf-8")).hexdigest(),
            text,
        ],
    ).lastrowid


def _write_codes(project: Project, codebook: Codebook) -> None:
    """Upsert every code of the tree with its parent and position."""
    db = project
    for position, (code, parent, _depth) in enumerate(codebook.walk()):
        db.execute(
            "INSERT INTO codes (id, name, parent_id, position, definition, include, exclude,"
            " examples, colour, key, memo, patterns) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(id) DO UPDATE SET name = excluded.name, parent_id = excluded.parent_id,"
            " position = excluded.position, definition = excluded.definition,"
            " include = excluded.include, exclude = excluded.exclude,"
            " examples = excluded.examples, colour = excluded.colour, key = excluded.key,"
            " memo = excluded.memo, patterns = excluded.patterns",
            [
                code.id,
                code.name,
                parent.id if parent else None,
                position,
                code.definition,
                code.include,
                code.exclude,
                json.dumps([vars(e) for e in code.examples], ensure_ascii=False),
                code.colour,
                code.key,
                code.memo,
                json.dumps(code.patterns.to_dict(), ensure_ascii=False),
            ],
        )


def _delete_codings(
    project: Project, where: str, params: list[Any]
) -> list[tuple[int, dict[str, Any]]]:
    """Delete codings; returns each one's full data for the caller to log."""
    rows = codings_data(project, where, params)
    project.execute(
        f"DELETE FROM codings WHERE id IN (SELECT c.id FROM codings c WHERE {where})",
        params,
    )
    return rows


def load_codebook(
    project: Project, codebook: Codebook, *, source: str, force: bool = False
) -> CodebookDiff:
    """Load or update the project's codebook in one transaction.

    Raises:
        ConflictError: a removed code has codings and `force` is not set.
    """
    diff = plan_load(project, codebook)
    losing = [change for change in diff.removed if change.codings]
    if losing and not force:
        listed = ", ".join(f"{c.id} ({c.codings})" for c in losing)
        raise ConflictError(
            f"removing codes with codings: {listed}; {diff.codings_lost}"
            f" coding{'s' if diff.codings_lost != 1 else ''} would be deleted."
            " Merge them into another code first, or use --force"
        )
    with project.atomic():
        project.execute("PRAGMA defer_foreign_keys = ON")
        deleted = []
        for change in diff.removed:
            if change.codings:
                deleted += _delete_codings(project, "c.code_id = ?", [change.id])
        removed_ids = [change.id for change in diff.removed]
        if removed_ids:
            marks = ", ".join("?" for _ in removed_ids)
            project.execute(
                f"UPDATE codes SET parent_id = NULL WHERE id IN ({marks})", removed_ids
            )
            project.execute(f"DELETE FROM codes WHERE id IN ({marks})", removed_ids)
        _write_codes(project, codebook)
        project.set_meta("codebook_description", codebook.description)
        project.set_meta("codebook_language", codebook.language)
        revision = _record_version(project, codebook, source)
        summary = project.log(
            "load",
            "codebook",
            revision,
            name=codebook.name,
            version=codebook.version,
            source=source,
            added=[c.id for c in diff.added],
            removed=[{"id": c.id, "codings": c.codings} for c in diff.removed],
            renamed=[{"id": c.id, "old": c.old, "new": c.new} for c in diff.renamed],
            moved=[{"id": c.id, "old": c.old, "new": c.new} for c in diff.moved],
            edited=[c.id for c in diff.edited],
        )
        log_codings(
            project, REMOVE, deleted, batch=summary, reason="code removed from codebook"
        )
    return diff


# Maintenance ------------------------------------------------------------------


def _recoded(
    codings: list[tuple[int, dict[str, Any]]], code: str
) -> list[tuple[int, dict[str, Any]]]:
    """Coding event data after moving the codings to `code`, with the code they had."""
    return [
        (coding_id, {**data, "code": code, "old_code": data["code"]})
        for coding_id, data in codings
    ]


def record_change(project: Project, source: str) -> int:
    """Record the codebook as it is now as a new version (inside the change's transaction)."""
    return _record_version(project, current_codebook(project), source)


def rename_code(project: Project, code_id: str, name: str) -> str:
    """Give a code a new name; its id and codings stay. Returns the old name."""
    name = name.strip()
    if not name:
        raise CoderError("a code needs a name")
    with project.atomic():
        old = get_code(project, code_id)["name"]
        clash = project.execute(
            "SELECT id, name FROM codes WHERE lower(name) = lower(?) AND id != ?",
            [name, code_id],
        ).fetchone()
        if clash:
            raise ConflictError(f"code '{clash[0]}' is already named '{clash[1]}'")
        project.execute("UPDATE codes SET name = ? WHERE id = ?", [name, code_id])
        project.log("rename", "code", code_id, old=old, new=name)
        record_change(project, f"codes rename {code_id}")
    return old


def ancestors(project: Project, code_id: str | None) -> list[str]:
    """The code and the codes above it, nearest first."""
    chain = []
    while code_id:
        chain.append(code_id)
        row = project.execute(
            "SELECT parent_id FROM codes WHERE id = ?", [code_id]
        ).fetchone()
        code_id = row[0] if row else None
    return chain


def next_position(project: Project, parent: str | None) -> int:
    row = project.execute(
        "SELECT COALESCE(MAX(position), -1) + 1 FROM codes WHERE parent_id IS ?",
        [parent],
    ).fetchone()
    return row[0]


def move_code(project: Project, code_id: str, parent: str | None) -> str | None:
    """Move a code under another (None: to the top). Returns the old parent."""
    with project.atomic():
        row = get_code(project, code_id)
        old = row["parent_id"]
        if parent is not None:
            get_code(project, parent)
            if code_id in ancestors(project, parent):
                raise ConflictError(
                    f"cannot move '{code_id}' under its own descendant '{parent}'"
                )
        project.execute(
            "UPDATE codes SET parent_id = ?, position = ? WHERE id = ?",
            [parent, next_position(project, parent), code_id],
        )
        # The old position too, so that undo puts it back among its siblings.
        project.log(
            "move", "code", code_id, old=old, new=parent, old_position=row["position"]
        )
        record_change(project, f"codes move {code_id}")
    return old


def merge_codes(project: Project, source_id: str, target_id: str) -> int:
    """Move every coding of `source_id` to `target_id` and remove the source code.

    A coding that would duplicate one the target already has (same document,
    span and coder) is dropped rather than doubled. The source's children move
    under the target. Returns the number of codings moved.
    """
    if source_id == target_id:
        raise CoderError("cannot merge a code into itself")
    with project.atomic():
        get_code(project, source_id)
        get_code(project, target_id)
        if source_id in ancestors(project, target_id):
            raise ConflictError(
                f"cannot merge '{source_id}' into its own descendant '{target_id}'"
            )
        dropped = _delete_codings(
            project,
            "c.code_id = ? AND EXISTS (SELECT 1 FROM codings t WHERE t.code_id = ?"
            ' AND t.document_id = c.document_id AND t.start = c.start AND t."end" = c."end"'
            " AND t.coder_id = c.coder_id)",
            [source_id, target_id],
        )
        moving = codings_data(project, "c.code_id = ?", [source_id])
        project.execute(
            "UPDATE codings SET code_id = ? WHERE code_id = ?", [target_id, source_id]
        )
        project.execute(
            "UPDATE codes SET parent_id = ? WHERE parent_id = ?", [target_id, source_id]
        )
        project.execute("DELETE FROM codes WHERE id = ?", [source_id])
        summary = project.log(
            "merge",
            "code",
            source_id,
            into=target_id,
            codings=len(moving),
            duplicates=len(dropped),
        )
        log_codings(
            project,
            REMOVE,
            dropped,
            batch=summary,
            reason=f"duplicate of a coding of '{target_id}' when merging '{source_id}'",
        )
        log_codings(project, RECODE, _recoded(moving, target_id), batch=summary)
        moved = len(moving)
        record_change(project, f"codes merge {source_id} {target_id}")
    return moved


@dataclass
class SplitResult:
    created: list[str]
    assigned: dict[str, int]
    left_on_parent: int


def split_code(
    project: Project,
    code_id: str,
    into: list[tuple[str, str]],
    rules: dict[str, str] | None = None,
) -> SplitResult:
    """Create child codes under `code_id` and assign its codings to them by rule.

    Args:
        into: (id, name) of each new child; the id may be empty to derive it.
        rules: child id -> regular expression tried (case-insensitively) on each
            coding's text; the first child whose rule matches takes the coding.
            Codings no rule matches stay on the parent for review.
    """
    rules = rules or {}
    children = [(child_id or slugify(name), name) for child_id, name in into]
    child_ids = [child_id for child_id, _ in children]
    unknown = set(rules) - set(child_ids)
    if unknown:
        raise CoderError(
            f"a rule names '{sorted(unknown)[0]}', which is not one of the new codes"
        )
    try:
        compiled = [
            (cid, re.compile(rules[cid], re.I)) for cid in child_ids if cid in rules
        ]
    except re.error as exc:
        raise CoderError(f"bad rule pattern: {exc}") from exc
    with project.atomic():
        parent = get_code(project, code_id)
        for child_id, name in children:
            if project.execute(
                "SELECT 1 FROM codes WHERE id = ?", [child_id]
            ).fetchone():
                raise ConflictError(f"a code '{child_id}' exists already")
            if project.execute(
                "SELECT 1 FROM codes WHERE lower(name) = lower(?)", [name]
            ).fetchone():
                raise ConflictError(f"a code named '{name}' exists already")
            project.execute(
                "INSERT INTO codes (id, name, parent_id, position, colour) VALUES (?, ?, ?, ?, ?)",
                [
                    child_id,
                    name,
                    code_id,
                    next_position(project, code_id),
                    parent["colour"],
                ],
            )
        assigned = dict.fromkeys(child_ids, 0)
        left = 0
        coded = dict(codings_data(project, "c.code_id = ?", [code_id]))
        recoded = []
        for coding_id, text in project.execute(
            'SELECT c.id, substr(d.text, c.start + 1, c."end" - c.start) FROM codings c'
            " JOIN documents d ON d.id = c.document_id WHERE c.code_id = ?"
            " ORDER BY c.id",
            [code_id],
        ).fetchall():
            target = next((cid for cid, rule in compiled if rule.search(text)), None)
            if target is None:
                left += 1
                continue
            project.execute(
                "UPDATE codings SET code_id = ? WHERE id = ?", [target, coding_id]
            )
            assigned[target] += 1
            recoded += _recoded([(coding_id, coded[coding_id])], target)
        summary = project.log(
            "split",
            "code",
            code_id,
            into=child_ids,
            rules=rules,
            assigned=assigned,
            left=left,
        )
        log_codings(project, RECODE, recoded, batch=summary)
        record_change(project, f"codes split {code_id}")
    return SplitResult(child_ids, assigned, left)
