"""Applying and removing codings: the act of coding, shared by the CLI and the TUI.

Each call is one transaction and one event, so it is saved the moment it
returns and the event log can undo it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from coder.cases import document_id
from coder.codes import get_code
from coder.errors import CoderError, NotFoundError
from coder.names import unknown_name
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
    row = project.execute(
        f'SELECT start, "end" FROM segments WHERE document_id = ? AND kind IN ({marks})'
        " AND seq = ?",
        [doc_id, *kinds, number - 1],
    ).fetchone()
    if row is None:
        total = project.execute(
            f"SELECT COUNT(*) FROM segments WHERE document_id = ? AND kind IN ({marks})",
            [doc_id, *kinds],
        ).fetchone()[0]
        raise NotFoundError(f"{document} has no {kind} {number} (it has 1 to {total})")
    return row[0], row[1]


def check_span(project: Project, document: str, start: int, end: int) -> int:
    """Check that [start, end) is a non-empty span inside the document; returns its id."""
    doc_id = document_id(project, document)
    length = project.execute(
        "SELECT length(text) FROM documents WHERE id = ?", [doc_id]
    ).fetchone()[0]
    if start >= end:
        raise CoderError(f"empty span {start}-{end}: start must be before end")
    if start < 0 or end > length:
        raise CoderError(
            f"span {start}-{end} is outside {document} (offsets 0 to {length})"
        )
    return doc_id


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
    created_code: dict[str, Any] | None = None,
) -> int:
    """Code the span [start, end) of a document; returns the coding's id.

    Applying the same code to the same span by the same coder again returns
    the existing coding instead of doubling it. `created_code` is the data of
    a code made for this coding (coder.code_editing), kept in the event so
    that undo removes the code with the coding when nothing else uses it.
    """
    with project.atomic():
        doc_id = check_span(project, document, start, end)
        get_code(project, code)
        coder_id = project.coder_id(coder)
        existing = project.execute(
            "SELECT id FROM codings WHERE document_id = ? AND code_id = ? AND coder_id = ?"
            ' AND start = ? AND "end" = ?',
            [doc_id, code, coder_id, start, end],
        ).fetchone()
        if existing:
            return existing[0]
        coding_id = project.execute(
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
            **({"created_code": created_code} if created_code else {}),
        )
    return coding_id


def insert_codings(
    project: Project, items: Sequence[dict[str, Any]]
) -> tuple[list[int], list[tuple[int, dict[str, Any]]]]:
    """Write many codings at once for a bulk command (merge, import, consensus).

    Each item has the data of a coding event: ``document`` (name), ``code``,
    ``start``, ``end``, ``coder`` and optionally ``created_at`` (default
    now), ``memo`` and ``source`` (default ``manual``). The caller has
    checked documents, codes and spans. A coding the coder already has (same
    document, code and span), or one given twice, is not doubled. Nothing is
    logged: the caller logs its summary event, then the new codings with
    `coder.events.log_codings`.

    Returns:
        The id of each item's coding (new or already there), and the new
        codings as (id, data) pairs.
    """
    db = project
    doc_ids = dict(db.execute("SELECT name, id FROM documents").fetchall())
    coder_ids = {name: project.coder_id(name) for name in {i["coder"] for i in items}}
    existing: dict[tuple[int, str, int, int, int], int] = {}
    if coder_ids:
        marks = ", ".join("?" for _ in coder_ids)
        for row in db.execute(
            'SELECT id, document_id, code_id, start, "end", coder_id FROM codings'
            f" WHERE coder_id IN ({marks})",
            list(coder_ids.values()),
        ):
            existing[row[1:]] = row[0]
    next_id = db.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM codings").fetchone()[0]
    stamp = now()
    ids: list[int] = []
    new: list[tuple[int, dict[str, Any]]] = []
    rows: list[tuple[Any, ...]] = []
    for item in items:
        doc_id, coder_id = doc_ids.get(item["document"]), coder_ids[item["coder"]]
        if doc_id is None:
            raise NotFoundError(unknown_name("document", item["document"], doc_ids))
        key = (doc_id, item["code"], item["start"], item["end"], coder_id)
        if key in existing:
            ids.append(existing[key])
            continue
        existing[key] = next_id
        data = {
            "document": item["document"],
            "code": item["code"],
            "start": item["start"],
            "end": item["end"],
            "coder": item["coder"],
            "created_at": item.get("created_at") or stamp,
            "memo": item.get("memo"),
            "source": item.get("source") or "manual",
        }
        rows.append((next_id, *key, data["created_at"], data["memo"], data["source"]))
        new.append((next_id, data))
        ids.append(next_id)
        next_id += 1
    db.conn.executemany(
        'INSERT INTO codings (id, document_id, code_id, start, "end", coder_id,'
        " created_at, memo, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    return ids, new


def remove_coding(project: Project, coding_id: int) -> Coding:
    """Remove a coding; its full data goes to the event log. Returns what was removed."""
    with project.atomic():
        found = list_codings(project, coding_id=coding_id)
        if not found:
            raise NotFoundError(f"no coding with id {coding_id}")
        coding = found[0]
        project.execute("DELETE FROM codings WHERE id = ?", [coding_id])
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
    return [Coding(*row) for row in project.execute(sql, params)]
