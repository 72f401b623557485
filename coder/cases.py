"""Cases group documents: in the demo study a case is an export cluster."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from coder.attributes import values_for
from coder.errors import NotFoundError
from coder.names import unknown_name
from coder.store import Project


@dataclass
class Case:
    id: int
    name: str
    documents: list[str] = field(default_factory=list)
    attributes: dict[str, Any] = field(default_factory=dict)


def ensure_case(project: Project, name: str) -> int:
    """The id of a case, created (and logged) on first use."""
    name = name.strip()
    if not name:
        raise NotFoundError("a case needs a name")
    row = project.execute("SELECT id FROM cases WHERE name = ?", [name]).fetchone()
    if row:
        return row[0]
    case_id = project.execute("INSERT INTO cases (name) VALUES (?)", [name]).lastrowid
    project.log("create", "case", case_id, name=name)
    return case_id


def document_id(project: Project, name: str) -> int:
    row = project.execute("SELECT id FROM documents WHERE name = ?", [name]).fetchone()
    if row is None:
        names = [r[0] for r in project.execute("SELECT name FROM documents")]
        raise NotFoundError(
            unknown_name("document", name, names, none="no documents; import some")
        )
    return row[0]


def set_case(project: Project, document: str, case: str | None) -> None:
    """Put a document in a case (None takes it out of any case)."""
    with project.atomic():
        doc_id = document_id(project, document)
        case_id = ensure_case(project, case) if case else None
        project.execute(
            "UPDATE documents SET case_id = ? WHERE id = ?", [case_id, doc_id]
        )
        project.log("set_case", "document", doc_id, document=document, case=case)


def list_cases(project: Project) -> list[Case]:
    cases = {
        row[0]: Case(row[0], row[1])
        for row in project.execute("SELECT id, name FROM cases ORDER BY name")
    }
    for case_id, name in project.execute(
        "SELECT case_id, name FROM documents WHERE case_id IS NOT NULL ORDER BY name"
    ):
        cases[case_id].documents.append(name)
    for case_id, attributes in values_for(project, "case").items():
        cases[case_id].attributes = attributes
    return list(cases.values())
