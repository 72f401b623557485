"""From two or more independent codings to one agreed coding.

A disagreement is a unit (sentence or turn) where some of the coders applied
a code and others did not. Settling it writes the consensus coder's codings
for that unit (clipped to the unit) and a record of the decision with its
reason. Units where every coder agreed are copied to the consensus with
`seed_consensus`. Agreement can be recomputed at any time, also between each
coder and the consensus.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from coder.agreement.units import ReliabilityData, reliability_data
from coder.cases import document_id
from coder.codes import get_code
from coder.coding import check_span, insert_codings
from coder.errors import CoderError, NotFoundError
from coder.events import ADD, REMOVE, codings_data, log_codings
from coder.store import Project
from coder.store.project import now

CONSENSUS = "consensus"
DECISIONS = ("all", "neither", "span")


@dataclass
class Disagreement:
    """A unit where coders differ on one code, with who did what."""

    key: str
    code: str
    document: str
    start: int
    end: int
    text: str
    applied_by: list[str]
    not_applied_by: list[str]
    spans: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    decision: str | None = None
    memo: str = ""

    def to_dict(self) -> dict:
        data = dict(vars(self))
        data["spans"] = {
            coder: [list(s) for s in spans] for coder, spans in self.spans.items()
        }
        return data


def unit_key(code: str, document: str, start: int, end: int) -> str:
    """A disagreement's stable name: the same in every copy of the project."""
    return f"{code}@{document}:{start}-{end}"


def _data(
    project: Project,
    coders: Sequence[str],
    segment_kind: str,
    min_overlap: float,
    code: str | None,
) -> ReliabilityData:
    return reliability_data(
        project,
        coders,
        unit="segment",
        segment_kind=segment_kind,
        min_overlap=min_overlap,
        codes=[code] if code else None,
    )


def _spans(
    project: Project, coder: str, code: str, document: str, start: int, end: int
) -> list[tuple[int, int]]:
    """The coder's codings of `code` overlapping the unit, clipped to it."""
    rows = project.execute(
        'SELECT MAX(c.start, ?), MIN(c."end", ?) FROM codings c'
        " JOIN coders k ON k.id = c.coder_id JOIN documents d ON d.id = c.document_id"
        ' WHERE k.name = ? AND c.code_id = ? AND d.name = ? AND c.start < ? AND c."end" > ?'
        " ORDER BY c.start",
        [start, end, coder, code, document, end, start],
    ).fetchall()
    return sorted({(s, e) for s, e in rows if s < e})


def find_disagreements(
    project: Project,
    coders: Sequence[str],
    *,
    segment_kind: str = "sentence",
    min_overlap: float = 0.0,
    code: str | None = None,
    consensus: str = CONSENSUS,
) -> list[Disagreement]:
    """Every unit and code where the coders differ, in document order, with any decision taken."""
    data = _data(project, coders, segment_kind, min_overlap, code)
    decided = _decisions(project, consensus)
    texts = dict(project.execute("SELECT name, text FROM documents").fetchall())
    found = []
    values = data.values
    present = ~np.isnan(values)
    applied = np.nan_to_num(values, nan=0.0) > 0
    differ = (
        (present.sum(axis=2) >= 2)
        & (applied & present).any(axis=2)
        & ((~applied) & present).any(axis=2)
    )
    for code_index, unit_index in zip(*np.nonzero(differ), strict=True):
        unit = data.units[unit_index]
        code_id = data.codes[code_index]
        by = [
            data.coders[k]
            for k in range(len(data.coders))
            if applied[code_index, unit_index, k]
        ]
        not_by = [
            data.coders[k]
            for k in range(len(data.coders))
            if present[code_index, unit_index, k]
            and not applied[code_index, unit_index, k]
        ]
        key = unit_key(code_id, unit.document, unit.start, unit.end)
        decision, memo = decided.get(key, (None, ""))
        found.append(
            Disagreement(
                key=key,
                code=code_id,
                document=unit.document,
                start=unit.start,
                end=unit.end,
                text=texts[unit.document][unit.start : unit.end],
                applied_by=by,
                not_applied_by=not_by,
                spans={
                    c: _spans(project, c, code_id, unit.document, unit.start, unit.end)
                    for c in by
                },
                decision=decision,
                memo=memo,
            )
        )
    found.sort(key=lambda d: (d.document, d.start, d.code))
    return found


def _decisions(project: Project, consensus: str) -> dict[str, tuple[str, str]]:
    return {
        key: (decision, memo)
        for key, decision, memo in project.execute(
            "SELECT r.unit_key, r.decision, r.memo FROM resolutions r JOIN coders k ON k.id = r.consensus_id"
            " WHERE k.name = ?",
            [consensus],
        )
    }


def _clear_previous(
    project: Project, key: str, consensus_id: int
) -> list[tuple[int, dict[str, Any]]]:
    """Undo an earlier decision on the unit; returns the codings it removed, for the log."""
    row = project.execute(
        "SELECT id, coding_ids FROM resolutions WHERE unit_key = ? AND consensus_id = ?",
        [key, consensus_id],
    ).fetchone()
    if row is None:
        return []
    ids = json.loads(row[1])
    marks = ", ".join("?" for _ in ids)
    removed = codings_data(project, f"c.id IN ({marks})", ids) if ids else []
    project.conn.executemany("DELETE FROM codings WHERE id = ?", [[i] for i in ids])
    project.execute("DELETE FROM resolutions WHERE id = ?", [row[0]])
    return removed


def resolve(
    project: Project,
    disagreement: Disagreement,
    decision: str,
    *,
    memo: str = "",
    span: tuple[int, int] | None = None,
    consensus: str = CONSENSUS,
) -> list[int]:
    """Settle one disagreement into the consensus coder's coding.

    Args:
        decision: A coder's name (take their coding of the unit), ``all``
            (everyone's, as one span over the unit's coded part), ``neither``
            (the code does not apply), or ``span`` (the given span).
        memo: The reason, kept with the decision and on the consensus coding.
        span: For ``span``: (start, end) inside the document.

    Returns:
        The ids of the consensus codings written for this unit.
    """
    if (
        decision not in DECISIONS
        and decision not in disagreement.applied_by + disagreement.not_applied_by
    ):
        choices = ", ".join(
            [*disagreement.applied_by, *disagreement.not_applied_by, *DECISIONS]
        )
        raise CoderError(f"unknown decision '{decision}' (choose one of: {choices})")
    if decision == "span" and span is None:
        raise CoderError("a 'span' decision needs the span (start and end)")
    with project.atomic():
        consensus_id = project.coder_id(consensus)
        cleared = _clear_previous(project, disagreement.key, consensus_id)
        if decision == "span":
            spans = [span]
        elif decision == "neither":
            spans = []
        elif decision == "all":
            every = [s for spans in disagreement.spans.values() for s in spans]
            spans = (
                [(min(s for s, _ in every), max(e for _, e in every))] if every else []
            )
        else:
            spans = disagreement.spans.get(decision, [])
        get_code(project, disagreement.code)
        for start, end in spans:
            check_span(project, disagreement.document, start, end)
        coding_ids, added = insert_codings(
            project,
            [
                {
                    "document": disagreement.document,
                    "code": disagreement.code,
                    "start": start,
                    "end": end,
                    "coder": consensus,
                    "memo": memo or None,
                    "source": "consensus",
                }
                for start, end in spans
            ],
        )
        project.execute(
            'INSERT INTO resolutions (unit_key, consensus_id, code_id, document_id, start, "end",'
            " coders, decision, memo, coding_ids, decided_by, decided_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                disagreement.key,
                consensus_id,
                disagreement.code,
                document_id(project, disagreement.document),
                disagreement.start,
                disagreement.end,
                json.dumps(disagreement.applied_by + disagreement.not_applied_by),
                decision,
                memo,
                json.dumps(coding_ids),
                project.actor,
                now(),
            ],
        )
        summary = project.log(
            "resolve",
            "disagreement",
            disagreement.key,
            decision=decision,
            memo=memo,
            consensus=consensus,
            codings=coding_ids,
        )
        log_codings(
            project, REMOVE, cleared, batch=summary, reason="decision taken again"
        )
        log_codings(project, ADD, added, batch=summary)
    return coding_ids


def seed_consensus(
    project: Project,
    coders: Sequence[str],
    *,
    segment_kind: str = "sentence",
    min_overlap: float = 0.0,
    consensus: str = CONSENSUS,
) -> int:
    """Copy the units where every coder applied a code into the consensus (clipped
    to the unit, spans shared by all coders). Returns how many codings were written."""
    if consensus in coders:
        raise CoderError(
            f"'{consensus}' is one of the coders; name the consensus coder differently"
        )
    data = _data(project, coders, segment_kind, min_overlap, None)
    values = data.values
    complete = ~np.isnan(values).any(axis=2)
    agreed = complete & (np.nan_to_num(values, nan=0.0) > 0).all(axis=2)
    items = []
    with project.atomic():
        for code_index, unit_index in zip(*np.nonzero(agreed), strict=True):
            unit = data.units[unit_index]
            code = data.codes[code_index]
            per_coder = [
                _spans(project, c, code, unit.document, unit.start, unit.end)
                for c in coders
            ]
            if not all(per_coder):
                continue
            start = max(spans[0][0] for spans in per_coder)
            end = min(spans[-1][1] for spans in per_coder)
            if start >= end:
                start, end = unit.start, unit.end
            items.append(
                {
                    "document": unit.document,
                    "code": code,
                    "start": start,
                    "end": end,
                    "coder": consensus,
                    "source": "consensus",
                }
            )
        _, added = insert_codings(project, items)
        summary = project.log(
            "seed", "consensus", consensus, coders=list(coders), codings=len(added)
        )
        log_codings(project, ADD, added, batch=summary)
    return len(added)


def get_disagreement(
    project: Project,
    key: str,
    coders: Sequence[str],
    *,
    segment_kind: str = "sentence",
    consensus: str = CONSENSUS,
) -> Disagreement:
    code = key.split("@", 1)[0]
    for item in find_disagreements(
        project, coders, segment_kind=segment_kind, code=code, consensus=consensus
    ):
        if item.key == key:
            return item
    raise NotFoundError(f"no disagreement '{key}' between {', '.join(coders)}")
