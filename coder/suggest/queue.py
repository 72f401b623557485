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
            cursor = project.execute(
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
    method: str | None = None,
) -> list[Suggestion]:
    """Suggestions in document order, best first within a span."""
    where, params = [], []
    if method is not None:
        where.append("s.method = ?")
        params.append(method)
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
    return [Suggestion(*row) for row in project.execute(sql, params)]


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
        project.execute(
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
        project.execute(
            "UPDATE suggestions SET status = 'rejected', decided_at = ?, decided_by = ? WHERE id = ?",
            [now(), project.coder_id(coder), suggestion_id],
        )
        project.log("reject", "suggestion", suggestion_id, coder=coder or project.actor)


@dataclass
class StoredSuggestions:
    """What `store_suggestions` changed."""

    added: int = 0
    updated: int = 0
    removed: int = 0


def store_suggestions(
    project: Project,
    items: Iterable[NewSuggestion],
    *,
    method: str,
    documents: Iterable[str] | None = None,
    codes: Iterable[str] | None = None,
) -> StoredSuggestions:
    """Make the pending suggestions of one method those of a fresh run (one transaction).

    New spans are added; a pending suggestion made again gets the new score
    and reason; a pending one the run no longer makes, within the run's
    documents and codes, is removed. Accepted and rejected suggestions keep
    their decision.
    """
    report = StoredSuggestions()
    with project.atomic():
        existing = {
            (row[1], row[2], row[3], row[4]): (row[0], row[5], row[6], row[7])
            for row in project.execute(
                'SELECT id, document_id, start, "end", code_id, status, score, reason'
                " FROM suggestions WHERE method = ?",
                [method],
            )
        }
        doc_ids: dict[str, int] = {}
        made: set[tuple[int, int, int, str]] = set()
        inserts, updates = [], []
        stamp = now()
        for item in items:
            doc_id = doc_ids.get(item.document)
            if doc_id is None:
                doc_id = doc_ids[item.document] = document_id(project, item.document)
            key = (doc_id, item.start, item.end, item.code)
            if key in made:
                continue
            made.add(key)
            found = existing.get(key)
            if found is None:
                inserts.append([*key, item.score, method, item.reason, stamp])
            elif found[1] == "pending" and (found[2], found[3]) != (
                item.score,
                item.reason,
            ):
                updates.append([item.score, item.reason, found[0]])
        project.conn.executemany(
            'INSERT INTO suggestions (document_id, start, "end", code_id, score,'
            " method, reason, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            inserts,
        )
        project.conn.executemany(
            "UPDATE suggestions SET score = ?, reason = ? WHERE id = ?", updates
        )
        report.added, report.updated = len(inserts), len(updates)
        in_scope_docs = (
            None
            if documents is None
            else {document_id(project, name) for name in documents}
        )
        in_scope_codes = None if codes is None else set(codes)
        stale = [
            [found[0]]
            for key, found in existing.items()
            if found[1] == "pending"
            and key not in made
            and (in_scope_docs is None or key[0] in in_scope_docs)
            and (in_scope_codes is None or key[3] in in_scope_codes)
        ]
        project.conn.executemany("DELETE FROM suggestions WHERE id = ?", stale)
        report.removed = len(stale)
        project.log(
            "suggest",
            "suggestions",
            None,
            method=method,
            added=report.added,
            updated=report.updated,
            removed=report.removed,
        )
    return report


def accept_suggestions(
    project: Project, ids: Iterable[int], *, coder: str | None = None
) -> list[int]:
    """Accept several suggestions in one transaction; returns the new codings' ids."""
    with project.atomic():
        return [accept_suggestion(project, i, coder=coder) for i in ids]


def reject_suggestions(
    project: Project, ids: Iterable[int], *, coder: str | None = None
) -> int:
    """Reject several suggestions in one transaction; returns how many."""
    count = 0
    with project.atomic():
        for suggestion_id in ids:
            reject_suggestion(project, suggestion_id, coder=coder)
            count += 1
    return count


def assisted_codings(project: Project, coder: str | None = None) -> dict[str, int]:
    """Codings by where they came from (``manual``, ``suggestion:rules``, ...)."""
    sql = "SELECT c.source, COUNT(*) FROM codings c"
    params: list[str] = []
    if coder is not None:
        sql += " JOIN coders k ON k.id = c.coder_id WHERE k.name = ?"
        params.append(coder)
    return dict(project.execute(sql + " GROUP BY c.source", params).fetchall())
