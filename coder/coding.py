"""Applying and removing codings: the act of coding, shared by the CLI and the TUI.

Each call is one transaction and one event, so it is saved the moment it
returns and the event log can undo it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from coder.cases import document_id
from coder.codes import get_code
from coder.errors import CoderError, NotFoundError
from coder.store import Project
from coder.store.project import now


@dataclass
class Coding:
    id: int
    document: str
    code: str
    start: int
    end: int
    coder: str
    created_at: str
    text: str
    memo: str | None = None
    source: str = "manual"
    case: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return dict(vars(self))


def segment_span(
    project: Project, document: str, number: int, kind: str = "sentence"
) -> tuple[int, int]:
    """The span of a document's Nth sentence (or turn), numbered from 1 as `coder show` does."""
    doc_id = document_id(project, document)
    kinds = ("turn", "paragraph") if kind == "turn" else ("sentence",)
    marks = ", ".join("?" for _ in kinds)
    row = project.db.execute(
        f'SELECT start, "end" FROM segments WHERE document_id = ? AND kind IN ({marks})'
        " AND seq = ?",
        [doc_id, *kinds, number - 1],
    ).fetchone()
    if row is None:
        total = project.db.execute(
            f"SELECT COUNT(*) FROM segments WHERE document_id = ? AND kind IN ({marks})",
            [doc_id, *kinds],
        ).fetchone()[0]
        raise NotFoundError(f"{document} has no {kind} {number} (it has 1 to {total})")
    return row[0], row[1]


def apply_coding(
    project: Project,
    document: str,
    start: int,
    end: int,
    code: str,
    *,
    coder: str | None = None,
    memo: str | None = None,
    source: str = "manual",
) -> int:
    """Code the span [start, end) of a document; returns the coding's id.

    Applying the same code to the same span by the same coder again returns
    the existing coding instead of doubling it.
    """
    with project.atomic():
        doc_id = document_id(project, document)
        get_code(project, code)
        length = project.db.execute(
            "SELECT length(text) FROM documents WHERE id = ?", [doc_id]
        ).fetchone()[0]
        if start >= end:
            raise CoderError(f"empty span {start}-{end}: start must be before end")
        if start < 0 or end > length:
            raise CoderError(
                f"span {start}-{end} is outside {document} (offsets 0 to {length})"
            )
        coder_id = project.coder_id(coder)
        existing = project.db.execute(
            "SELECT id FROM codings WHERE document_id = ? AND code_id = ? AND coder_id = ?"
            ' AND start = ? AND "end" = ?',
            [doc_id, code, coder_id, start, end],
        ).fetchone()
        if existing:
            return existing[0]
        coding_id = project.db.execute(
            'INSERT INTO codings (code_id, document_id, start, "end", coder_id, created_at,'
            " memo, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [code, doc_id, start, end, coder_id, now(), memo, source],
        ).lastrowid
        project.log(
            "code",
            "coding",
            coding_id,
            document=document,
            code=code,
            start=start,
            end=end,
            coder=coder or project.actor,
            memo=memo,
            source=source,
        )
    return coding_id


def remove_coding(project: Project, coding_id: int) -> Coding:
    """Remove a coding; its full data goes to the event log. Returns what was removed."""
    with project.atomic():
        found = list_codings(project, coding_id=coding_id)
        if not found:
            raise NotFoundError(f"no coding with id {coding_id}")
        coding = found[0]
        project.db.execute("DELETE FROM codings WHERE id = ?", [coding_id])
        project.log(
            "uncode",
            "coding",
            coding_id,
            **{k: v for k, v in coding.to_dict().items() if k != "id"},
        )
    return coding


def list_codings(
    project: Project,
    *,
    document: str | None = None,
    code: str | None = None,
    coder: str | None = None,
    coding_id: int | None = None,
) -> list[Coding]:
    """Codings in document order with their text, filtered as asked."""
    where, params = [], []
    if document is not None:
        where.append("c.document_id = ?")
        params.append(document_id(project, document))
    if code is not None:
        get_code(project, code)
        where.append("c.code_id = ?")
        params.append(code)
    if coder is not None:
        where.append("k.name = ?")
        params.append(coder)
    if coding_id is not None:
        where.append("c.id = ?")
        params.append(coding_id)
    sql = (
        'SELECT c.id, d.name, c.code_id, c.start, c."end", k.name, c.created_at,'
        ' substr(d.text, c.start + 1, c."end" - c.start), c.memo, c.source, cs.name'
        " FROM codings c JOIN documents d ON d.id = c.document_id"
        " JOIN coders k ON k.id = c.coder_id LEFT JOIN cases cs ON cs.id = d.case_id"
    )
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += ' ORDER BY d.name, c.start, c."end", c.id'
    return [Coding(*row) for row in project.db.execute(sql, params)]
