"""The queue of suggested codings and what people decide about them.

Whatever makes suggestions (codebook patterns, learned models) stores them
here with their provenance; accepting one creates a coding by the person who
accepted it, marked as coming from that suggestion.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from coder.cases import document_id
from coder.coding import apply_coding
from coder.errors import ConflictError, NotFoundError
from coder.store import Project
from coder.store.project import now


@dataclass
class Suggestion:
    id: int
    document: str
    start: int
    end: int
    code: str
    score: float
    method: str
    reason: str
    status: str
    text: str = ""
    coding_id: int | None = None

    def to_dict(self) -> dict:
        return dict(vars(self))


@dataclass
class NewSuggestion:
    document: str
    start: int
    end: int
    code: str
    score: float
    method: str
    reason: str


def add_suggestions(project: Project, items: Iterable[NewSuggestion]) -> int:
    """Store suggestions (one transaction); a span already suggested for a code by
    the same method keeps its earlier decision. Returns how many are new."""
    added = 0
    with project.atomic():
        ids: dict[str, int] = {}
        for item in items:
            doc_id = ids.get(item.document)
            if doc_id is None:
                doc_id = ids[item.document] = document_id(project, item.document)
            cursor = project.db.execute(
                'INSERT OR IGNORE INTO suggestions (document_id, start, "end", code_id, score,'
                " method, reason, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    doc_id,
                    item.start,
                    item.end,
                    item.code,
                    item.score,
                    item.method,
                    item.reason,
                    now(),
                ],
            )
            added += cursor.rowcount
        project.log("suggest", "suggestions", None, added=added)
    return added


def list_suggestions(
    project: Project,
    *,
    status: str | None = "pending",
    document: str | None = None,
    code: str | None = None,
    min_score: float | None = None,
    suggestion_id: int | None = None,
) -> list[Suggestion]:
    """Suggestions in document order, best first within a span."""
    where, params = [], []
    if status is not None:
        where.append("s.status = ?")
        params.append(status)
    if document is not None:
        where.append("s.document_id = ?")
        params.append(document_id(project, document))
    if code is not None:
        where.append("s.code_id = ?")
        params.append(code)
    if min_score is not None:
        where.append("s.score >= ?")
        params.append(min_score)
    if suggestion_id is not None:
        where.append("s.id = ?")
        params.append(suggestion_id)
    sql = (
        'SELECT s.id, d.name, s.start, s."end", s.code_id, s.score, s.method, s.reason, s.status,'
        ' substr(d.text, s.start + 1, s."end" - s.start), s.coding_id'
        " FROM suggestions s JOIN documents d ON d.id = s.document_id"
    )
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY d.name, s.start, s.score DESC, s.id"
    return [Suggestion(*row) for row in project.db.execute(sql, params)]


def _pending(project: Project, suggestion_id: int) -> Suggestion:
    found = list_suggestions(project, status=None, suggestion_id=suggestion_id)
    if not found:
        raise NotFoundError(f"no suggestion with id {suggestion_id}")
    if found[0].status != "pending":
        raise ConflictError(f"suggestion {suggestion_id} was already {found[0].status}")
    return found[0]


def accept_suggestion(
    project: Project,
    suggestion_id: int,
    *,
    coder: str | None = None,
    start: int | None = None,
    end: int | None = None,
) -> int:
    """Accept a suggestion (optionally with an adjusted span); returns the new coding's id."""
    with project.atomic():
        suggestion = _pending(project, suggestion_id)
        coding_id = apply_coding(
            project,
            suggestion.document,
            suggestion.start if start is None else start,
            suggestion.end if end is None else end,
            suggestion.code,
            coder=coder,
            source=f"suggestion:{suggestion.method}",
        )
        project.db.execute(
            "UPDATE suggestions SET status = 'accepted', decided_at = ?, decided_by = ?,"
            " coding_id = ? WHERE id = ?",
            [now(), project.coder_id(coder), coding_id, suggestion_id],
        )
        project.log(
            "accept",
            "suggestion",
            suggestion_id,
            coding=coding_id,
            coder=coder or project.actor,
        )
    return coding_id


def reject_suggestion(
    project: Project, suggestion_id: int, *, coder: str | None = None
) -> None:
    """Reject a suggestion; learned models count it as a negative example."""
    with project.atomic():
        _pending(project, suggestion_id)
        project.db.execute(
            "UPDATE suggestions SET status = 'rejected', decided_at = ?, decided_by = ? WHERE id = ?",
            [now(), project.coder_id(coder), suggestion_id],
        )
        project.log("reject", "suggestion", suggestion_id, coder=coder or project.actor)
