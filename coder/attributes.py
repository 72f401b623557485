"""Typed attributes on documents and cases (text, number, date, category).

Values are stored as text; the attribute's type says how to read and sort
them. Types are inferred from the values and can be overridden.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from coder.errors import CoderError
from coder.limits import excerpt
from coder.store import Project

TYPES = ("text", "number", "date", "category")
CASE_COLUMN = "case"
# A column with few distinct, repeated values is a category (role, cluster).
MAX_CATEGORIES = 20


@dataclass
class Attribute:
    name: str
    type: str
    documents: int
    cases: int
    values: list[Any]


def _is_number(value: str) -> bool:
    try:
        float(value.replace(",", "")) if value.count(",") <= 1 else float("x")
    except ValueError:
        return False
    return True


def _is_date(value: str) -> bool:
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def infer_type(values: Iterable[Any]) -> str:
    """The narrowest type that fits every non-empty value."""
    present = [str(v).strip() for v in values if v is not None and str(v).strip()]
    if not present:
        return "text"
    if all(_is_number(v) for v in present):
        return "number"
    if all(_is_date(v) for v in present):
        return "date"
    distinct = set(present)
    if len(distinct) <= MAX_CATEGORIES and len(distinct) < len(present):
        return "category"
    return "text"


def convert(value: str | None, kind: str) -> Any:
    """A stored value as the Python value of its type."""
    if value is None:
        return None
    if kind == "number":
        number = float(value.replace(",", ""))
        return int(number) if number.is_integer() else number
    return value


def validate_value(value: str, kind: str, where: str) -> str:
    if kind == "number" and not _is_number(value):
        raise CoderError(f"{where}: '{excerpt(value)}' is not a number")
    if kind == "date" and not _is_date(value):
        raise CoderError(f"{where}: '{excerpt(value)}' is not a date (YYYY-MM-DD)")
    return value


def ensure_attribute(project: Project, name: str, kind: str) -> int:
    if kind not in TYPES:
        raise CoderError(f"unknown attribute type '{kind}' (known: {', '.join(TYPES)})")
    row = project.execute(
        "SELECT id, type FROM attributes WHERE name = ?", [name]
    ).fetchone()
    if row:
        if row[1] != kind:
            project.execute(
                "UPDATE attributes SET type = ? WHERE id = ?", [kind, row[0]]
            )
            project.log("retype", "attribute", row[0], name=name, old=row[1], new=kind)
        return row[0]
    attribute_id = project.execute(
        "INSERT INTO attributes (name, type) VALUES (?, ?)", [name, kind]
    ).lastrowid
    project.log("create", "attribute", attribute_id, name=name, type=kind)
    return attribute_id


def set_values(
    project: Project,
    target: str,
    values: dict[int, dict[str, Any]],
    types: dict[str, str] | None = None,
) -> int:
    """Set attributes on documents or cases: {target id: {name: value}}.

    Types come from `types`, else from the attribute's stored type, else are
    inferred from these values together with the values already stored.
    """
    column = {"document": "document_id", "case": "case_id"}[target]
    types = dict(types or {})
    names = sorted({name for row in values.values() for name in row})
    written = 0
    with project.atomic():
        for name in names:
            column_values = [row.get(name) for row in values.values()]
            kind = types.get(name)
            if kind is None:
                stored = project.execute(
                    "SELECT a.type, v.value FROM attributes a"
                    " LEFT JOIN attribute_values v ON v.attribute_id = a.id WHERE a.name = ?",
                    [name],
                ).fetchall()
                kind = infer_type(column_values + [value for _, value in stored])
            attribute_id = ensure_attribute(project, name, kind)
            for target_id, row in values.items():
                if name not in row:
                    continue
                value = row[name]
                text = (
                    None
                    if value is None or str(value).strip() == ""
                    else str(value).strip()
                )
                if text is not None:
                    validate_value(text, kind, f"attribute '{name}'")
                project.execute(
                    f"DELETE FROM attribute_values WHERE attribute_id = ? AND {column} = ?",
                    [attribute_id, target_id],
                )
                if text is not None:
                    project.execute(
                        f"INSERT INTO attribute_values (attribute_id, {column}, value)"
                        " VALUES (?, ?, ?)",
                        [attribute_id, target_id, text],
                    )
                written += 1
            # A changed type must fit the values other documents or cases
            # already have, or reading them back would fail.
            for (stored,) in project.execute(
                "SELECT value FROM attribute_values"
                " WHERE attribute_id = ? AND value IS NOT NULL",
                [attribute_id],
            ):
                validate_value(stored, kind, f"attribute '{name}' already has a value")
            project.log(
                "set",
                "attribute",
                attribute_id,
                name=name,
                target=target,
                count=len(values),
            )
    return written


def values_for(project: Project, target: str) -> dict[int, dict[str, Any]]:
    """All attribute values of documents or of cases, typed: {id: {name: value}}."""
    column = {"document": "document_id", "case": "case_id"}[target]
    result: dict[int, dict[str, Any]] = {}
    for target_id, name, kind, value in project.execute(
        f"SELECT v.{column}, a.name, a.type, v.value FROM attribute_values v"
        f" JOIN attributes a ON a.id = v.attribute_id WHERE v.{column} IS NOT NULL"
        " ORDER BY a.name"
    ):
        result.setdefault(target_id, {})[name] = convert(value, kind)
    return result


def list_attributes(project: Project) -> list[Attribute]:
    rows = project.execute(
        "SELECT a.name, a.type,"
        " COUNT(v.document_id), COUNT(v.case_id),"
        " (SELECT GROUP_CONCAT(value, char(31)) FROM"
        "   (SELECT DISTINCT value FROM attribute_values WHERE attribute_id = a.id ORDER BY value))"
        " FROM attributes a LEFT JOIN attribute_values v ON v.attribute_id = a.id"
        " GROUP BY a.id ORDER BY a.name"
    ).fetchall()
    result = []
    for name, kind, docs, cases, values in rows:
        found = (
            [convert(value, kind) for value in values.split("\x1f")] if values else []
        )
        if kind == "number":
            found.sort()
        result.append(Attribute(name, kind, docs, cases, found))
    return result
