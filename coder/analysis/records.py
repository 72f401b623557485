"""Coding records for export: one row per coding with its document, case,
attributes, speaker, turn, time, offsets, coder and text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from coder.analysis.framework import Places
from coder.analysis.passes import clock, coder_clause
from coder.analysis.scope import (
    Filter,
    Whose,
    all_codes,
    build_scope,
    coders_with_codings,
)
from coder.store import Project


@dataclass
class CodingRecord:
    """A coding with everything known about where it sits, for export."""

    id: int
    document: str
    case: str | None
    attributes: dict[str, Any]
    speaker: str | None
    start: int
    end: int
    time: float | None
    coder: str
    code: str
    code_name: str
    text: str
    memo: str | None
    source: str
    turn: int | None = None  # 1-based, turns and paragraphs counted together

    @property
    def clock(self) -> str:
        return clock(self.time)


def coding_records(
    project: Project,
    *,
    coder: str | None = None,
    where: Sequence[str | Filter] = (),
) -> tuple[list[CodingRecord], list[str]]:
    """Every coding with document, case, attributes, speaker, offsets, coder and text.

    Returns:
        The codings in document order, and the attribute names in use.
    """
    # Each record names its coder, so without --coder every coder's codings
    # are listed (nothing is counted, so nothing is pooled).
    whose = None
    if coder is None:
        whose = Whose(
            tuple(names := coders_with_codings(project)),
            tuple(
                r[0]
                for name in names
                for r in project.execute("SELECT id FROM coders WHERE name = ?", [name])
            ),
            count_each=True,
        )
    scope = build_scope(project, coder=coder, whose=whose, where=where)
    names = {code.id: code.name for code in all_codes(project)}
    clause, params = coder_clause(scope, "c.")
    records = []
    places: Places | None = None
    for (
        cid,
        doc_id,
        code_id,
        start,
        end,
        coder_name,
        text,
        memo,
        source,
    ) in project.execute(
        'SELECT c.id, c.document_id, c.code_id, c.start, c."end", k.name,'
        ' substr(d.text, c.start + 1, c."end" - c.start), c.memo, c.source'
        " FROM codings c JOIN documents d ON d.id = c.document_id"
        f" JOIN coders k ON k.id = c.coder_id{clause}"
        ' ORDER BY d.name, c.start, c."end", c.id',
        params,
    ):
        doc = scope.docs.get(doc_id)
        if doc is None:
            continue
        if places is None or places.doc_id != doc_id:
            places = Places(project, doc_id)
        speaker, time, turn = places.at(start)
        records.append(
            CodingRecord(
                cid,
                doc.name,
                doc.case,
                doc.values,
                speaker,
                start,
                end,
                time,
                coder_name,
                code_id,
                names.get(code_id, code_id),
                text,
                memo,
                source,
                turn,
            )
        )
    return records, sorted(scope.attribute_types)
