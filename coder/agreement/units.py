"""From coded spans to units: the reliability data agreement is computed on.

Coded spans of different coders rarely match to the character, so the unit
is a stated choice:

- ``segment``: each sentence (or turn) is a unit; a coder applied code X to it
  when one of their X codings overlaps it by at least ``min_overlap`` percent
  of the segment (0 means any overlap);
- ``character``: each character of the spoken text is a unit, as NVivo's
  coding comparison does;
- ``document``: the code is present or absent in a document, as MAXQDA's
  first option does.

A coder who made no coding at all in a document did not code it: their cells
for that document's units are missing (NaN), not "not applied".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from coder.errors import CoderError, NotFoundError
from coder.names import unknown_name
from coder.store import Project

UNITS = ("segment", "character", "document")
SEGMENT_KINDS = ("sentence", "turn")


@dataclass
class Unit:
    """One unit: a span of a document (the whole text for document units)."""

    document: str
    case: str | None
    start: int
    end: int


@dataclass
class ReliabilityData:
    """Binary reliability data, shaped (codes, units, coders), NaN where missing."""

    unit: str
    coders: list[str]
    codes: list[str]
    units: list[Unit] = field(repr=False)
    values: np.ndarray = field(repr=False)
    min_overlap: float = 0.0
    segment_kind: str = "sentence"

    def subset(self, unit_mask: np.ndarray) -> ReliabilityData:
        """The same data restricted to some units (e.g. one case's)."""
        return ReliabilityData(
            self.unit,
            self.coders,
            self.codes,
            [u for u, keep in zip(self.units, unit_mask, strict=True) if keep],
            self.values[:, unit_mask, :],
            self.min_overlap,
            self.segment_kind,
        )


def _coder_ids(project: Project, coders: Sequence[str]) -> list[int]:
    if len(coders) < 2:
        raise CoderError(
            "agreement needs at least two coders (e.g. --coders alice,bob)"
        )
    if len(set(coders)) != len(coders):
        raise CoderError("a coder is named twice")
    known = dict(project.execute("SELECT name, id FROM coders").fetchall())
    missing = [name for name in coders if name not in known]
    if missing:
        raise NotFoundError(unknown_name("coder", missing[0], known))
    return [known[name] for name in coders]


def reliability_data(
    project: Project,
    coders: Sequence[str],
    *,
    unit: str = "segment",
    segment_kind: str = "sentence",
    min_overlap: float = 0.0,
    codes: Sequence[str] | None = None,
    documents: Sequence[str] | None = None,
) -> ReliabilityData:
    """Build the (codes, units, coders) array for the given coders.

    Args:
        coders: Two or more coder names.
        unit: ``segment``, ``character`` or ``document``.
        segment_kind: For segment units: ``sentence`` or ``turn``.
        min_overlap: For segment units: the percent of a segment a coding must
            cover to count (0: any overlap).
        codes: Code ids to include (default: every code any of these coders used).
        documents: Document names to include (default: all).
    """
    if unit not in UNITS:
        raise CoderError(f"unknown unit '{unit}' (known: {', '.join(UNITS)})")
    if segment_kind not in SEGMENT_KINDS:
        raise CoderError(
            f"unknown segment kind '{segment_kind}' (known: {', '.join(SEGMENT_KINDS)})"
        )
    if not 0 <= min_overlap <= 100:
        raise CoderError("--min-overlap is a percent between 0 and 100")
    coder_ids = _coder_ids(project, coders)
    coder_index = {cid: i for i, cid in enumerate(coder_ids)}
    marks = ", ".join("?" for _ in coder_ids)
    rows = project.execute(
        f'SELECT document_id, code_id, coder_id, start, "end" FROM codings WHERE coder_id IN ({marks})',
        coder_ids,
    ).fetchall()
    if codes is None:
        code_list = sorted({row[1] for row in rows})
    else:
        code_list = list(codes)
        known = {r[0] for r in project.execute("SELECT id FROM codes")}
        unknown = [c for c in code_list if c not in known]
        if unknown:
            raise NotFoundError(unknown_name("code", unknown[0], known))
    code_index = {code: i for i, code in enumerate(code_list)}
    docs = project.execute(
        "SELECT d.id, d.name, c.name, length(d.text) FROM documents d"
        " LEFT JOIN cases c ON c.id = d.case_id ORDER BY d.name"
    ).fetchall()
    if documents is not None:
        wanted = set(documents)
        missing = wanted - {d[1] for d in docs}
        if missing:
            raise NotFoundError(
                unknown_name("document", sorted(missing)[0], [d[1] for d in docs])
            )
        docs = [d for d in docs if d[1] in wanted]
    by_doc: dict[int, list[tuple]] = {}
    for row in rows:
        if row[1] in code_index:
            by_doc.setdefault(row[0], []).append(row)
    covered = {(row[0], row[2]) for row in rows}

    units: list[Unit] = []
    blocks: list[np.ndarray] = []
    for doc_id, name, case, length in docs:
        spans = _unit_spans(project, doc_id, unit, segment_kind, length)
        if not len(spans):
            continue
        block = np.zeros((len(code_list), len(spans), len(coder_ids)))
        for cid, column in coder_index.items():
            if (doc_id, cid) not in covered:
                block[:, :, column] = np.nan
        _mark(
            block,
            spans,
            by_doc.get(doc_id, []),
            code_index,
            coder_index,
            unit,
            min_overlap,
        )
        if unit == "character":
            units.extend(Unit(name, case, int(s), int(s) + 1) for s in spans[:, 0])
        else:
            units.extend(Unit(name, case, int(s), int(e)) for s, e in spans)
        blocks.append(block)
    values = (
        np.concatenate(blocks, axis=1)
        if blocks
        else np.zeros((len(code_list), 0, len(coder_ids)))
    )
    return ReliabilityData(
        unit, list(coders), code_list, units, values, min_overlap, segment_kind
    )


def _unit_spans(
    project: Project, doc_id: int, unit: str, segment_kind: str, length: int
) -> np.ndarray:
    if unit == "document":
        return np.array([[0, length]], dtype=np.int64)
    kinds = (
        ("sentence",)
        if unit == "segment" and segment_kind == "sentence"
        else ("turn", "paragraph")
    )
    marks = ", ".join("?" for _ in kinds)
    spans = np.array(
        project.execute(
            f'SELECT start, "end" FROM segments WHERE document_id = ? AND kind IN ({marks}) ORDER BY start',
            [doc_id, *kinds],
        ).fetchall(),
        dtype=np.int64,
    ).reshape(-1, 2)
    if unit == "character":
        # Every character of the spoken text (inside turns) is a unit.
        offsets = (
            np.concatenate([np.arange(s, e) for s, e in spans])
            if len(spans)
            else np.zeros(0, np.int64)
        )
        return np.stack([offsets, offsets + 1], axis=1)
    return spans


def _mark(
    block: np.ndarray,
    spans: np.ndarray,
    codings: list[tuple],
    code_index: dict[str, int],
    coder_index: dict[int, int],
    unit: str,
    min_overlap: float,
) -> None:
    """Set block[code, unit, coder] = 1 where that coder applied the code to the unit."""
    starts, ends = spans[:, 0], spans[:, 1]
    for _doc, code, coder, start, end in codings:
        ci, ki = code_index[code], coder_index[coder]
        if unit == "document":
            block[ci, 0, ki] = 1
            continue
        lo = np.searchsorted(ends, start, side="right")
        hi = np.searchsorted(starts, end, side="left")
        if hi <= lo:
            continue
        if unit == "segment" and min_overlap > 0:
            seg_start, seg_end = starts[lo:hi], ends[lo:hi]
            overlap = np.minimum(seg_end, end) - np.maximum(seg_start, start)
            enough = overlap * 100 >= min_overlap * (seg_end - seg_start)
            block[ci, lo:hi, ki] = np.where(enough, 1, block[ci, lo:hi, ki])
        else:
            block[ci, lo:hi, ki] = 1
