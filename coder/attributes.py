"""Typed attributes on documents and cases (text, number, date, category).

Values are stored as text; the attribute's type says how to read and sort
them. Types are inferred from the values and can be overridden.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coder.errors import CoderError, InputError
from coder.limits import MAX_CSV_BYTES, excerpt, read_limited
from coder.names import unknown_name
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


def _validate(value: str, kind: str, where: str) -> str:
    if kind == "number" and not _is_number(value):
        raise CoderError(f"{where}: '{excerpt(value)}' is not a number")
    if kind == "date" and not _is_date(value):
        raise CoderError(f"{where}: '{excerpt(value)}' is not a date (YYYY-MM-DD)")
    return value


def ensure_attribute(project: Project, name: str, kind: str) -> int:
    if kind not in TYPES:
        raise CoderError(f"unknown attribute type '{kind}' (known: {', '.join(TYPES)})")
    row = project.db.execute(
        "SELECT id, type FROM attributes WHERE name = ?", [name]
    ).fetchone()
    if row:
        if row[1] != kind:
            project.db.execute(
                "UPDATE attributes SET type = ? WHERE id = ?", [kind, row[0]]
            )
            project.log("retype", "attribute", row[0], name=name, old=row[1], new=kind)
        return row[0]
    attribute_id = project.db.execute(
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
                stored = project.db.execute(
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
                    _validate(text, kind, f"attribute '{name}'")
                project.db.execute(
                    f"DELETE FROM attribute_values WHERE attribute_id = ? AND {column} = ?",
                    [attribute_id, target_id],
                )
                if text is not None:
                    project.db.execute(
                        f"INSERT INTO attribute_values (attribute_id, {column}, value)"
                        " VALUES (?, ?, ?)",
                        [attribute_id, target_id, text],
                    )
                written += 1
            # A changed type must fit the values other documents or cases
            # already have, or reading them back would fail.
            for (stored,) in project.db.execute(
                "SELECT value FROM attribute_values"
                " WHERE attribute_id = ? AND value IS NOT NULL",
                [attribute_id],
            ):
                _validate(stored, kind, f"attribute '{name}' already has a value")
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
    for target_id, name, kind, value in project.db.execute(
        f"SELECT v.{column}, a.name, a.type, v.value FROM attribute_values v"
        f" JOIN attributes a ON a.id = v.attribute_id WHERE v.{column} IS NOT NULL"
        " ORDER BY a.name"
    ):
        result.setdefault(target_id, {})[name] = convert(value, kind)
    return result


def list_attributes(project: Project) -> list[Attribute]:
    rows = project.db.execute(
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


@dataclass
class AttributeImport:
    documents: int
    cases: int
    attributes: list[str]
    case_assignments: int


def import_csv(
    project: Project, path: str | Path, types: dict[str, str] | None = None
) -> AttributeImport:
    """Attributes from a CSV: first column a document or case name, a column per attribute.

    A column named ``case`` puts each document in that case instead of
    becoming an attribute. The whole file is applied in one transaction.
    """
    from coder.cases import ensure_case

    path = Path(path)
    if not path.is_file():
        raise InputError(str(path), "no such file")
    raw = read_limited(path, MAX_CSV_BYTES, "attribute tables")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp1252", errors="strict")
        except UnicodeDecodeError as exc:
            raise InputError(
                str(path), "not text: bytes are neither UTF-8 nor cp1252"
            ) from exc
    reader = csv.reader(io.StringIO(text))
    try:
        rows = list(reader)
    except csv.Error as exc:  # a NUL byte, a field past csv's 128 KB
        raise InputError(
            str(path), f"not a readable CSV: {exc}", reader.line_num
        ) from exc
    if not rows or not rows[0]:
        raise InputError(str(path), "empty CSV: expected a header row", 1)
    header = [cell.strip() for cell in rows[0]]
    if len(header) < 2 or not all(header[1:]):
        raise InputError(
            str(path), "header needs a name column and named attribute columns", 1
        )
    duplicates = {name for name in header if header.count(name) > 1}
    if duplicates:
        raise InputError(
            str(path), f"duplicate column '{excerpt(sorted(duplicates)[0])}'", 1
        )
    documents = {
        name: id_ for id_, name in project.db.execute("SELECT id, name FROM documents")
    }
    cases = {
        name: id_ for id_, name in project.db.execute("SELECT id, name FROM cases")
    }
    case_index = next(
        (i for i, name in enumerate(header) if i and name.lower() == CASE_COLUMN), None
    )
    doc_values: dict[int, dict[str, Any]] = {}
    case_values: dict[int, dict[str, Any]] = {}
    assignments: dict[int, str] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise InputError(
                str(path), f"{len(row)} fields, header has {len(header)}", number
            )
        key = row[0].strip()
        fields = {
            header[i]: row[i].strip() for i in range(1, len(header)) if i != case_index
        }
        for name, value in fields.items():
            kind = (types or {}).get(name)
            if value and kind:
                try:
                    _validate(value, kind, f"column '{excerpt(name)}'")
                except CoderError as exc:
                    raise InputError(str(path), str(exc), number) from exc
        if key in documents:
            doc_values[documents[key]] = fields
            if case_index is not None and row[case_index].strip():
                assignments[documents[key]] = row[case_index].strip()
        elif key in cases:
            case_values[cases[key]] = fields
        else:
            message = unknown_name(
                "document or case",
                excerpt(key),
                [*documents, *cases],
                plural="documents and cases",
            )
            raise InputError(str(path), message, number)
    with project.atomic():
        for doc_id, case_name in assignments.items():
            project.db.execute(
                "UPDATE documents SET case_id = ? WHERE id = ?",
                [ensure_case(project, case_name), doc_id],
            )
            project.log("set_case", "document", doc_id, case=case_name)
        if doc_values:
            set_values(project, "document", doc_values, types)
        if case_values:
            set_values(project, "case", case_values, types)
    names = [name for i, name in enumerate(header) if i and i != case_index]
    return AttributeImport(len(doc_values), len(case_values), names, len(assignments))
