"""An attribute table applied to a project: a CSV with a document or case name in
the first column and one column per attribute (and optionally the case of each
document), written in one transaction.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coder.attributes import CASE_COLUMN, set_values, validate_value
from coder.cases import ensure_case
from coder.errors import CoderError, InputError
from coder.limits import MAX_CSV_BYTES, excerpt, read_limited
from coder.names import unknown_name
from coder.store import Project


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
        name: id_ for id_, name in project.execute("SELECT id, name FROM documents")
    }
    cases = {name: id_ for id_, name in project.execute("SELECT id, name FROM cases")}
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
                    validate_value(value, kind, f"column '{excerpt(name)}'")
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
            project.execute(
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
