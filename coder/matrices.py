"""Cross-case matrices over a project: theme and framework matrices, code co-occurrence,
frequencies, crosstabs and saturation, returned as plain data.

SQL reads the rows (aggregated in SQLite where it can be, otherwise streamed one
document at a time), numpy counts, and the results are dataclasses of lists,
so the command line, the TUI and the exporters share one implementation.
Memory grows with the size of the result and of the largest document, never
with the number of codings in the project.

Definitions (docs/matrices.md has the long form):

- A coding belongs to its document's row; with speaker rows, to the speaker of
  every turn it overlaps.
- ``codings`` counts codings; ``segments`` the distinct sentences (or turns) a
  code touches; ``documents`` and ``speakers`` the distinct documents and
  speakers that mention it; ``words`` the share of the row's words inside the
  code's coded spans (a word counts when its first character is coded).
- With roll-up, a parent's cell also holds its descendants' codings; distinct
  counts stay distinct (a sentence coded with two children counts once).
"""

from __future__ import annotations

import bisect
import functools
import math
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from coder.attributes import convert
from coder.codes import current_codebook
from coder.errors import CoderError, NotFoundError
from coder.names import unknown_name
from coder.store import Project

ROW_KINDS = ("case", "document", "speaker")
CELLS = ("codings", "segments", "documents", "speakers", "words")
MODES = ("overlap", "segment")
SEGMENT_KINDS = ("sentence", "turn")
ORDERS = ("import", "name")
NO_CASE = "(no case)"
NO_VALUE = "(none)"
NO_SPEAKER = "(no speaker)"
# A word: letters or digits, with inner apostrophes ("don't" is one word).
WORD = re.compile(r"\w+(?:['’]\w+)*")
# Cell summaries of the framework matrix are memos on the code whose target id
# is "<code id>|<row key>"; code ids are slugs, so the first "|" splits them.
SUMMARY_SEPARATOR = "|"


# Plain data ---------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A code as a column (or row) of a matrix."""

    id: str
    name: str
    depth: int  # 0 for a top-level code
    parent: str | None = None
    colour: str | None = None
    number: str = (
        ""  # place in the codebook: "2.1" is the first child of the second code
    )

    def to_dict(self) -> dict[str, Any]:
        return dict(vars(self))


@dataclass(frozen=True)
class Row:
    """A row of a matrix: one value per row dimension, and a key stable across copies."""

    key: str
    values: tuple[str, ...]

    @property
    def label(self) -> str:
        return " / ".join(self.values)


@dataclass(frozen=True)
class Dimension:
    """What rows are made of: case, document, speaker, or an attribute's values."""

    kind: str
    attribute: str | None = None

    @property
    def name(self) -> str:
        return self.attribute if self.kind == "attr" else self.kind

    @property
    def spec(self) -> str:
        return f"attr:{self.attribute}" if self.kind == "attr" else self.kind

    def key(self, value: str) -> str:
        if self.kind == "attr":
            return f"attr:{self.attribute}={value}"
        return f"{self.kind}:{value}"


@dataclass(frozen=True)
class Filter:
    """Keep documents whose case, name or attribute has this value."""

    kind: str  # case | document | attr
    value: str
    attribute: str | None = None

    def __str__(self) -> str:
        name = f"attr:{self.attribute}" if self.kind == "attr" else self.kind
        return f"{name}={self.value}"


@dataclass
class Matrix:
    """A theme matrix: rows x code columns, one number per cell.

    ``words`` cells are shares (0 to 1) of ``row_words``; the others are counts.
    """

    rows: list[Row]
    columns: list[Column]
    cells: list[list[int | float]]
    cell: str
    dimensions: list[Dimension]
    coders: list[str]
    rollup: bool = False
    filters: list[Filter] = field(default_factory=list)
    row_documents: list[int] = field(default_factory=list)
    row_words: list[int] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """``{"rows": [...], "columns": [...], "cells": [[...], ...]}``; columns by code id."""
        return {
            "rows": [row.label for row in self.rows],
            "columns": [column.id for column in self.columns],
            "cells": [[_json_number(value) for value in line] for line in self.cells],
        }

    @property
    def maximum(self) -> float:
        return max((max(line, default=0) for line in self.cells), default=0)


@dataclass
class Quote:
    """A coded passage with where it was said."""

    document: str
    case: str | None
    start: int
    end: int
    text: str
    speaker: str | None
    time: float | None
    coders: list[str]
    codes: list[str]
    turn: int | None = None  # 1-based, turns and paragraphs counted together

    @property
    def clock(self) -> str:
        """The timestamp as hh:mm:ss, or '' when the source has no times."""
        return clock(self.time)

    @property
    def source(self) -> str:
        """``document, turn 12, hh:mm:ss``: what the document has of turn and time.

        Character offsets (``chars a-b``) only where it has neither; they stay
        in ``start`` and ``end`` for machines.
        """
        return (
            f"{self.document}, {location(self.turn, self.time, self.start, self.end)}"
        )

    def to_dict(self) -> dict[str, Any]:
        data = dict(vars(self))
        data["clock"] = self.clock
        return data


@dataclass
class Summary:
    """A researcher's summary of one framework cell, by one coder."""

    coder: str | None
    text: str


@dataclass
class FrameworkMatrix:
    """The theme matrix's grid where each cell holds quotes and an optional summary.

    ``quotes[r][c]`` holds at most ``limit`` quotes; ``counts[r][c]`` how many
    distinct passages the cell has in all.
    """

    rows: list[Row]
    columns: list[Column]
    quotes: list[list[list[Quote]]]
    counts: list[list[int]]
    summaries: list[list[list[Summary]]]
    dimensions: list[Dimension]
    coders: list[str]
    limit: int | None
    rollup: bool = False
    filters: list[Filter] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rows": [row.label for row in self.rows],
            "columns": [column.id for column in self.columns],
            "cells": [
                [
                    {
                        "count": self.counts[r][c],
                        "summary": [vars(s) for s in self.summaries[r][c]],
                        "quotes": [q.to_dict() for q in self.quotes[r][c]],
                    }
                    for c in range(len(self.columns))
                ]
                for r in range(len(self.rows))
            ],
        }


@dataclass
class Cooccurrence:
    """Codes x codes: how often two codes occur together.

    Off the diagonal, ``overlap`` mode counts pairs of codings (one in each
    code, not the same coding) that share a character; ``segment`` mode counts
    segments holding both codes. The diagonal holds each code's own count
    (codings, or segments). ``jaccard`` is |A ∩ B| / |A ∪ B| over characters
    (overlap mode) or segments (segment mode).
    """

    codes: list[Column]
    counts: list[list[int]]
    mode: str
    segment_kind: str
    coders: list[str]
    jaccard: list[list[float]] | None = None
    rollup: bool = False
    filters: list[Filter] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "rows": [code.id for code in self.codes],
            "columns": [code.id for code in self.codes],
            "cells": self.counts,
        }
        if self.jaccard is not None:
            data["jaccard"] = [[_json_number(v) for v in line] for line in self.jaccard]
        return data

    def pairs(self) -> list[tuple[Column, Column, int, float | None]]:
        """Every pair of different codes that co-occur, most frequent first."""
        found = []
        for i, a in enumerate(self.codes):
            for j in range(i + 1, len(self.codes)):
                if self.counts[i][j]:
                    found.append(
                        (
                            a,
                            self.codes[j],
                            self.counts[i][j],
                            self.jaccard[i][j] if self.jaccard else None,
                        )
                    )
        found.sort(key=lambda p: (-p[2], p[0].id, p[1].id))
        return found


@dataclass
class SaturationStep:
    """One interview in order: the codes it used, the new ones, the running total."""

    document: str
    order_value: str
    codes: int
    new: list[str]
    cumulative: int


@dataclass
class Saturation:
    steps: list[SaturationStep]
    order: str
    total_codes: int  # columns that could have been used
    coders: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {
            "order": self.order,
            "total_codes": self.total_codes,
            "documents": [
                {
                    "document": s.document,
                    "order_value": s.order_value,
                    "codes": s.codes,
                    "new": len(s.new),
                    "new_codes": s.new,
                    "cumulative": s.cumulative,
                }
                for s in self.steps
            ],
        }


@dataclass
class Frequency:
    """How much one code was used, in every measure at once."""

    code: Column
    codings: int
    documents: int
    segments: int
    speakers: int
    words: int
    coverage: float  # share of all words in scope
    document_share: float  # share of documents in scope


@dataclass
class Frequencies:
    codes: list[Frequency]
    documents: int
    words: int
    coders: list[str]
    segment_kind: str = "sentence"

    def to_dict(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "words": self.words,
            "codes": [
                {
                    "code": f.code.id,
                    "name": f.code.name,
                    "codings": f.codings,
                    "documents": f.documents,
                    "document_share": _json_number(f.document_share),
                    "segments": f.segments,
                    "speakers": f.speakers,
                    "words": f.words,
                    "coverage": _json_number(f.coverage),
                }
                for f in self.codes
            ],
        }


@dataclass
class Crosstab:
    """Codes (rows) by the values of one attribute (columns), with row percentages."""

    attribute: str
    values: list[str]
    codes: list[Column]
    counts: list[list[int]]
    totals: list[int]
    percents: list[list[float]]  # of the row total, 0 to 100
    documents: list[int]  # documents per value (the N of each column)
    cell: str
    coders: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {
            "attribute": self.attribute,
            "cell": self.cell,
            "values": self.values,
            "documents": self.documents,
            "codes": [
                {
                    "code": code.id,
                    "counts": dict(zip(self.values, self.counts[i], strict=True)),
                    "total": self.totals[i],
                    "percents": {
                        v: _json_number(p)
                        for v, p in zip(self.values, self.percents[i], strict=True)
                    },
                }
                for i, code in enumerate(self.codes)
            ],
        }


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


def clock(seconds: float | None) -> str:
    """Seconds as hh:mm:ss (whole seconds), or '' for None."""
    if seconds is None:
        return ""
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def location(turn: int | None, time: float | None, start: int, end: int) -> str:
    """Where a passage is, for a reader: ``turn 12, 00:14:03``, ``turn 12``, or
    ``chars a-b`` when the document has neither turns nor times."""
    parts = [f"turn {turn}"] if turn is not None else []
    if time is not None:
        parts.append(clock(time))
    return ", ".join(parts) or f"chars {start}-{end}"


def _json_number(value: Any) -> Any:
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 4)
    return value


# Parsing options ------------------------------------------------------------------


def parse_rows(spec: str | Sequence[str]) -> list[Dimension]:
    """``case``, ``document``, ``speaker``, ``attr:NAME``, or two of them joined by a comma."""
    parts = spec.split(",") if isinstance(spec, str) else list(spec)
    dimensions = []
    for part in (p.strip() for p in parts):
        if part in ROW_KINDS:
            dimensions.append(Dimension(part))
        elif part.startswith("attr:") and part[5:].strip():
            dimensions.append(Dimension("attr", part[5:].strip()))
        else:
            raise CoderError(
                f"unknown rows '{part}' (rows: case, document, speaker, attr:NAME;"
                " two of them joined by a comma, e.g. case,attr:role)"
            )
    if not 1 <= len(dimensions) <= 2:
        raise CoderError("rows take one or two dimensions, e.g. case,attr:role")
    if len(set(dimensions)) != len(dimensions):
        raise CoderError(f"rows name '{dimensions[0].spec}' twice")
    return dimensions


def parse_cols(spec: str) -> int | None:
    """``codes`` (every code: None) or ``level:N`` (codes N deep, 1 = top: N - 1)."""
    spec = spec.strip()
    if spec == "codes":
        return None
    if spec.startswith("level:"):
        try:
            level = int(spec[6:])
        except ValueError:
            level = 0
        if level >= 1:
            return level - 1
    raise CoderError(f"unknown columns '{spec}' (columns: codes, level:N with N >= 1)")


def parse_where(items: Sequence[str | Filter]) -> list[Filter]:
    """``attr:NAME=VALUE``, ``case=NAME`` or ``document=NAME``; all must hold."""
    filters = []
    for item in items:
        if isinstance(item, Filter):
            filters.append(item)
            continue
        name, sep, value = item.partition("=")
        name, value = name.strip(), value.strip()
        if sep and name in ("case", "document"):
            filters.append(Filter(name, value))
        elif sep and name.startswith("attr:") and name[5:].strip():
            filters.append(Filter("attr", value, name[5:].strip()))
        else:
            raise CoderError(
                f"cannot read filter '{item}' (use attr:NAME=VALUE, case=NAME or"
                " document=NAME)"
            )
    return filters


def _check_choice(value: str, known: Sequence[str], what: str) -> None:
    if value not in known:
        raise CoderError(f"unknown {what} '{value}' ({what}s: {', '.join(known)})")


# The scope: documents, columns, coder -------------------------------------------


@dataclass
class _Doc:
    id: int
    name: str
    case: str | None
    values: dict[str, Any]


@dataclass
class _Scope:
    docs: dict[int, _Doc]
    columns: list[Column]
    code_index: dict[str, int]  # code id -> its position in all codes
    col_ptr: np.ndarray  # code index -> start of its columns in col_flat
    col_flat: np.ndarray
    coder_id: int | None
    coders: list[str]
    attribute_types: dict[str, str]
    filters: list[Filter]
    project: Project
    targets: dict[str, list[int]]  # code id -> the columns its codings count in
    single: np.ndarray | None  # code index -> its one column (or -1), without roll-up

    def columns_of(self, code_id: str) -> list[int]:
        return self.targets.get(code_id, [])

    @functools.cached_property
    def speakers(self) -> dict[int, str]:
        """Speaker names by id, read when segments are first needed."""
        return dict(self.project.db.execute("SELECT id, name FROM speakers").fetchall())


def _scope(
    project: Project,
    *,
    cols: str = "codes",
    coder: str | None = None,
    rollup: bool = False,
    where: Sequence[str | Filter] = (),
    attributes: bool = True,
) -> _Scope:
    """Documents in scope, the columns and what each code counts in, the coder.

    Args:
        attributes: Read the documents' attribute values (filters on
            attributes read them anyway).
    """
    level = parse_cols(cols)
    filters = parse_where(where)
    db = project.db
    # Columns and which columns each code's codings count in.
    codebook = current_codebook(project)
    walk = list(codebook.walk())
    code_index = {code.id: i for i, (code, _, _) in enumerate(walk)}
    parent_of = {code.id: parent.id if parent else None for code, parent, _ in walk}
    depth_of = {code.id: depth for code, _, depth in walk}
    all_columns = _numbered(walk)
    columns = [c for c in all_columns if level is None or c.depth == level]
    if not columns and level is not None:
        deepest = max(depth_of.values(), default=-1) + 1
        raise CoderError(
            f"no codes at level {level + 1} (the codebook has levels 1 to {deepest})"
            if deepest
            else "no codes; load a codebook first"
        )
    column_of = {column.id: i for i, column in enumerate(columns)}
    targets: list[list[int]] = []
    for code, _, _ in walk:
        lineage = [code.id]
        if rollup:
            parent = parent_of[code.id]
            while parent is not None:
                lineage.append(parent)
                parent = parent_of[parent]
        targets.append([column_of[c] for c in lineage if c in column_of])
    col_ptr = np.zeros(len(walk) + 1, dtype=np.int64)
    col_ptr[1:] = np.cumsum([len(t) for t in targets])
    col_flat = np.array([c for t in targets for c in t], dtype=np.int64)

    coder_id = None
    if coder is not None:
        row = db.execute("SELECT id FROM coders WHERE name = ?", [coder]).fetchone()
        if row is None:
            names = [r[0] for r in db.execute("SELECT name FROM coders")]
            raise NotFoundError(unknown_name("coder", coder, names))
        coder_id = row[0]
        coders = [coder]
    else:
        coders = [
            r[0]
            for r in db.execute(
                # One index probe per coder, not a scan of every coding.
                "SELECT name FROM coders k WHERE EXISTS"
                " (SELECT 1 FROM codings c WHERE c.coder_id = k.id) ORDER BY name"
            )
        ]

    types = dict(db.execute("SELECT name, type FROM attributes").fetchall())
    values: dict[tuple[str, int], dict[str, Any]] = defaultdict(dict)
    # Attribute values are read only when rows, filters or records use them.
    if attributes or any(item.kind == "attr" for item in filters):
        for doc_id, case_id, name, kind, value in db.execute(
            "SELECT v.document_id, v.case_id, a.name, a.type, v.value"
            " FROM attribute_values v JOIN attributes a ON a.id = v.attribute_id"
        ):
            target = ("document", doc_id) if doc_id is not None else ("case", case_id)
            values[target][name] = convert(value, kind)
    docs: dict[int, _Doc] = {}
    for doc_id, name, case_id, case in db.execute(
        "SELECT d.id, d.name, d.case_id, c.name FROM documents d"
        " LEFT JOIN cases c ON c.id = d.case_id ORDER BY d.id"
    ):
        # A document's own value wins over its case's.
        merged = {
            **values.get(("case", case_id), {}),
            **values.get(("document", doc_id), {}),
        }
        docs[doc_id] = _Doc(doc_id, name, case, merged)

    for item in filters:
        if item.kind == "attr":
            if item.attribute not in types:
                raise NotFoundError(unknown_name("attribute", item.attribute, types))
            wanted = convert(item.value, types[item.attribute])
            docs = {
                i: d for i, d in docs.items() if d.values.get(item.attribute) == wanted
            }
        elif item.kind == "case":
            names = [r[0] for r in db.execute("SELECT name FROM cases ORDER BY name")]
            if item.value not in names:
                raise NotFoundError(unknown_name("case", item.value, names))
            docs = {i: d for i, d in docs.items() if d.case == item.value}
        else:
            if not any(d.name == item.value for d in docs.values()):
                from coder.cases import document_id

                document_id(project, item.value)  # raises, listing the documents
            docs = {i: d for i, d in docs.items() if d.name == item.value}
    return _Scope(
        docs,
        columns,
        code_index,
        col_ptr,
        col_flat,
        coder_id,
        coders,
        types,
        filters,
        project,
        {code.id: targets[i] for i, (code, _, _) in enumerate(walk)},
        (
            np.array([t[0] if t else -1 for t in targets], dtype=np.int64)
            if all(len(t) <= 1 for t in targets)
            else None
        ),
    )


def _uses_attributes(dimensions: Sequence[Dimension], order: str = "") -> bool:
    return any(d.kind == "attr" for d in dimensions) or order.startswith("attr:")


def _check_dimensions(scope: _Scope, dimensions: list[Dimension]) -> None:
    for dim in dimensions:
        if dim.kind == "attr" and dim.attribute not in scope.attribute_types:
            raise NotFoundError(
                unknown_name("attribute", dim.attribute, scope.attribute_types)
            )


def _sort_key(dim: Dimension, value: str, scope: _Scope) -> tuple:
    if value in (NO_CASE, NO_VALUE, NO_SPEAKER):
        return (1, 0, "")
    if dim.kind == "attr" and scope.attribute_types.get(dim.attribute) == "number":
        try:
            return (0, float(value), "")
        except ValueError:
            pass
    return (0, 0, value.casefold(), value)


def _doc_value(dim: Dimension, doc: _Doc) -> str:
    if dim.kind == "case":
        return doc.case if doc.case is not None else NO_CASE
    if dim.kind == "document":
        return doc.name
    value = doc.values.get(dim.attribute)
    return NO_VALUE if value is None or value == "" else str(value)


class _Rows:
    """Which row a document (and, with speaker rows, a speaker) belongs to."""

    def __init__(
        self, project: Project, scope: _Scope, dimensions: list[Dimension]
    ) -> None:
        self.dimensions = dimensions
        self.by_speaker = any(d.kind == "speaker" for d in dimensions)
        # (doc id, speaker name or None) -> values tuple
        combos: dict[tuple[int, str | None], tuple[str, ...]] = {}
        speakers: dict[int, list[str]] = defaultdict(list)
        if self.by_speaker:
            for doc_id, speaker in project.db.execute(
                "SELECT DISTINCT s.document_id, p.name FROM segments s"
                " LEFT JOIN speakers p ON p.id = s.speaker_id"
                " WHERE s.kind IN ('turn', 'paragraph')"
            ):
                if doc_id in scope.docs:
                    speakers[doc_id].append(speaker if speaker else NO_SPEAKER)
        for doc in scope.docs.values():
            for speaker in speakers[doc.id] if self.by_speaker else [None]:
                combos[(doc.id, speaker)] = tuple(
                    speaker if d.kind == "speaker" else _doc_value(d, doc)
                    for d in dimensions
                )
        distinct = sorted(
            set(combos.values()),
            key=lambda vs: tuple(
                _sort_key(d, v, scope) for d, v in zip(dimensions, vs, strict=True)
            ),
        )
        self.rows = [
            Row(
                SUMMARY_SEPARATOR.join(
                    d.key(v) for d, v in zip(dimensions, values, strict=True)
                ),
                values,
            )
            for values in distinct
        ]
        index = {values: i for i, values in enumerate(distinct)}
        self.of = {combo: index[values] for combo, values in combos.items()}
        if not dimensions:
            # No dimension: one row holding every document (even when there are none).
            self.rows = [Row("all", ("all",))]
            self.of = {(doc_id, None): 0 for doc_id in scope.docs}
        self.documents = [0] * len(self.rows)
        for r in self.of.values():
            self.documents[r] += 1

    def doc_row(self, doc_id: int) -> int:
        return self.of[(doc_id, None)]

    def speaker_row(self, doc_id: int, speaker: str | None) -> int:
        return self.of.get((doc_id, speaker if speaker else NO_SPEAKER), -1)


# Streaming codings one document at a time -----------------------------------------


@dataclass
class _DocCodings:
    doc: _Doc
    codes: np.ndarray  # index into all codes
    starts: np.ndarray
    ends: np.ndarray

    def __len__(self) -> int:
        return len(self.codes)


def _coder_clause(scope: _Scope, alias: str = "") -> tuple[str, list[Any]]:
    if scope.coder_id is None:
        return "", []
    # The unary + keeps SQLite off the one-column coder index: filtering while
    # reading codings_matrix beats fetching a coder's rows and sorting them.
    return f" WHERE +{alias}coder_id = ?", [scope.coder_id]


def _stream(project: Project, scope: _Scope) -> Iterator[_DocCodings]:
    """Every document in scope (in id order) with its codings, one at a time.

    One query per document, answered from the ``codings_matrix`` index alone.
    """
    clause, params = _coder_clause(scope)
    sql = 'SELECT code_id, start, "end" FROM codings WHERE document_id = ?' + (
        clause.replace(" WHERE ", " AND ")
    )
    empty = np.zeros(0, dtype=np.int64)
    index = scope.code_index
    for doc_id, doc in scope.docs.items():
        rows = project.db.execute(sql, [doc_id, *params]).fetchall()
        if not rows:
            yield _DocCodings(doc, empty, empty, empty)
            continue
        codes, starts, ends = zip(*rows, strict=True)
        known = np.array([index.get(code, -1) for code in codes], dtype=np.int64)
        keep = known >= 0  # codings of codes no longer in the codebook
        yield _DocCodings(
            doc,
            known[keep],
            np.array(starts, dtype=np.int64)[keep],
            np.array(ends, dtype=np.int64)[keep],
        )


def _expand(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each i every position in [lo[i], hi[i]): (owner i, position) pairs."""
    n = np.maximum(hi - lo, 0)
    owner = np.repeat(np.arange(len(lo)), n)
    starts = np.repeat(np.cumsum(n) - n, n)
    position = np.arange(int(n.sum())) - starts + np.repeat(lo, n)
    return owner, position


def _columns(scope: _Scope, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(coding index, column) for every column each coding counts in."""
    if scope.single is not None:
        # Without roll-up a code counts in one column at most.
        col = scope.single[codes]
        owner = np.flatnonzero(col >= 0)
        return owner, col[owner]
    owner, position = _expand(scope.col_ptr[codes], scope.col_ptr[codes + 1])
    return owner, scope.col_flat[position]


def _overlapping(
    starts: np.ndarray, ends: np.ndarray, lo: np.ndarray, hi: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For spans [lo, hi), the range of sorted, disjoint intervals each overlaps."""
    first = np.searchsorted(ends, lo, side="right")
    last = np.searchsorted(starts, hi, side="left")
    return first, last


@dataclass
class _Segments:
    starts: np.ndarray
    ends: np.ndarray
    speakers: list[str | None]


def _segments(project: Project, scope: _Scope, doc_id: int, kind: str) -> _Segments:
    """A document's sentences (or turns and paragraphs), from the ``segments_matrix`` index."""
    kinds = "('turn', 'paragraph')" if kind == "turn" else "('sentence')"
    rows = project.db.execute(
        'SELECT start, "end", speaker_id FROM segments'
        f" WHERE document_id = ? AND kind IN {kinds} ORDER BY start",
        [doc_id],
    ).fetchall()
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return _Segments(empty, empty, [])
    starts, ends, speakers = zip(*rows, strict=True)
    names = scope.speakers
    return _Segments(
        np.array(starts, dtype=np.int64),
        np.array(ends, dtype=np.int64),
        [names.get(s) for s in speakers],
    )


def _word_starts(project: Project, doc_id: int) -> np.ndarray:
    (text,) = project.db.execute(
        "SELECT text FROM documents WHERE id = ?", [doc_id]
    ).fetchone()
    return word_starts(text)


_WORD_CHARS: np.ndarray | None = None


def word_starts(text: str) -> np.ndarray:
    """Offsets where words start: the starts of `WORD` matches, without the regex.

    A word character (what ``\\w`` matches: ``str.isalnum()`` or ``_``) starts
    a word unless a word character, or an apostrophe right after one, precedes
    it. Vectorised, as the words cell reads every text.
    """
    global _WORD_CHARS
    if _WORD_CHARS is None:
        _WORD_CHARS = np.array(
            [chr(i).isalnum() or i == 0x5F for i in range(0x10000)], dtype=bool
        )
    points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    if not len(points):
        return np.zeros(0, dtype=np.int64)
    wide = points >= 0x10000
    word = _WORD_CHARS[np.where(wide, 0, points)]
    for i in np.flatnonzero(wide).tolist():
        word[i] = text[i].isalnum()
    after_word = np.zeros(len(points), dtype=bool)
    after_word[1:] = word[:-1]
    joined = np.zeros(len(points), dtype=bool)
    inner = points[1:-1]
    joined[2:] = ((inner == 0x27) | (inner == 0x2019)) & word[:-2]
    return np.flatnonzero(word & ~after_word & ~joined).astype(np.int64)


def _distinct(keys: np.ndarray, size: int) -> np.ndarray:
    """The distinct values of `keys` (all in [0, size)), sorted.

    Counting into an array is faster than sorting when the key space is small,
    as it is for one document's codes, segments and speakers.
    """
    if size <= max(65536, 8 * len(keys)):
        return np.flatnonzero(np.bincount(keys, minlength=size))
    return np.unique(keys)


def _unique_pairs(
    a: np.ndarray, b: np.ndarray, size_b: int
) -> tuple[np.ndarray, np.ndarray]:
    """The distinct pairs (a, b), sorted by a then b; b lies in [0, size_b)."""
    if not len(a):
        return a, b
    keys = _distinct(a * size_b + b, (int(a.max()) + 1) * size_b)
    return keys // size_b, keys % size_b


class _View:
    """One document during a pass: its codings, and its turns, sentences and words on demand.

    The consumers of one pass share it, so each document is read once.
    """

    def __init__(self, project: Project, scope: _Scope, dc: _DocCodings) -> None:
        self.project, self.scope, self.dc, self.doc = project, scope, dc, dc.doc
        self._segments: dict[str, _Segments] = {}
        self._words: np.ndarray | None = None

    def segments(self, kind: str) -> _Segments:
        if kind not in self._segments:
            self._segments[kind] = _segments(
                self.project, self.scope, self.doc.id, kind
            )
        return self._segments[kind]

    def words(self) -> np.ndarray:
        if self._words is None:
            self._words = _word_starts(self.project, self.doc.id)
        return self._words

    def rows_of(self, rows: _Rows, segments: _Segments) -> np.ndarray:
        """Each segment's row: its speaker's with speaker rows, else the document's."""
        if rows.by_speaker:
            return np.array(
                [rows.speaker_row(self.doc.id, s) for s in segments.speakers],
                dtype=np.int64,
            )
        return np.full(len(segments.speakers), rows.doc_row(self.doc.id))


def _run(project: Project, scope: _Scope, consumers: Sequence[Any]) -> None:
    """One pass over the documents in scope, each handed to every consumer."""
    for dc in _stream(project, scope):
        view = _View(project, scope, dc)
        for consumer in consumers:
            consumer.add(view)


class _Cells:
    """Counts per (row, column) for each cell type asked, and words per row."""

    def __init__(
        self, scope: _Scope, rows: _Rows, cells: set[str], segment_kind: str
    ) -> None:
        self.scope, self.rows, self.cells, self.segment_kind = (
            scope,
            rows,
            cells,
            segment_kind,
        )
        self.n_rows, self.n_cols = len(rows.rows), len(scope.columns)
        self.result = {
            cell: np.zeros((self.n_rows, self.n_cols), dtype=np.int64) for cell in cells
        }
        self.row_words = np.zeros(self.n_rows, dtype=np.int64)
        self.speaker_ids: dict[str, int] = {}
        self.n_speakers = len(scope.speakers) + 1
        self.seen_speakers: set[int] = set()

    def add(self, view: _View) -> None:
        rows, cells, dc = self.rows, self.cells, view.dc
        n_rows, n_cols = self.n_rows, self.n_cols
        if not n_rows or not n_cols:
            return
        turns = turn_rows = None
        if rows.by_speaker or "speakers" in cells:
            turns = view.segments("turn")
            turn_rows = view.rows_of(rows, turns)
        if "words" in cells:
            words = view.words()
            if rows.by_speaker:
                word_rows = _rows_at(words, turns, turn_rows)
                np.add.at(self.row_words, word_rows[word_rows >= 0], 1)
            else:
                self.row_words[rows.doc_row(view.doc.id)] += len(words)
        if not len(dc):
            return
        # Each coding counts in one or more columns: (coding, column) instances.
        owner, col = _columns(self.scope, dc.codes)
        ptr = np.concatenate(([0], np.cumsum(np.bincount(owner, minlength=len(dc)))))
        if turns is not None:
            first, last = _overlapping(turns.starts, turns.ends, dc.starts, dc.ends)
            t_owner, t_index = _expand(first, last)
        # The rows each coding belongs to: its document's, or its speakers'.
        if rows.by_speaker:
            c_owner, c_row = _unique_pairs(t_owner, turn_rows[t_index] + 1, n_rows + 1)
            c_row -= 1
            keep = c_row >= 0
            c_owner, c_row = c_owner[keep], c_row[keep]
            x_owner, x_pos = _expand(ptr[c_owner], ptr[c_owner + 1])
            flat = c_row[x_owner] * n_cols + col[x_pos]
        else:
            flat = rows.doc_row(view.doc.id) * n_cols + col
        if "codings" in cells:
            self.result["codings"] += np.bincount(
                flat, minlength=n_rows * n_cols
            ).reshape(n_rows, n_cols)
        if "documents" in cells:
            self.result["documents"].reshape(-1)[_distinct(flat, n_rows * n_cols)] += 1
        if "speakers" in cells:
            ids = np.array(
                [
                    self.speaker_ids.setdefault(s, len(self.speaker_ids)) if s else -1
                    for s in turns.speakers
                ],
                dtype=np.int64,
            )
            # (coding, turn) pairs, then each coding's columns.
            y_owner, y_pos = _expand(ptr[t_owner], ptr[t_owner + 1])
            turn = t_index[y_owner]
            r, c, who = turn_rows[turn], col[y_pos], ids[turn]
            keep = (r >= 0) & (who >= 0)
            r, c, who = r[keep], c[keep], who[keep]
            if len(who):
                # Few speakers per document: number them locally, then globally.
                local, who = np.unique(who, return_inverse=True)
                n_local = len(local)
                found = _distinct(
                    (r * n_cols + c) * n_local + who, n_rows * n_cols * n_local
                )
                cell, speaker = found // n_local, local[found % n_local]
                self.seen_speakers.update((cell * self.n_speakers + speaker).tolist())
        if "segments" in cells:
            segs = view.segments(self.segment_kind)
            seg_rows = view.rows_of(rows, segs)
            first, last = _overlapping(
                segs.starts, segs.ends, dc.starts[owner], dc.ends[owner]
            )
            s_owner, s_index = _expand(first, last)
            seg_col, seg_id = _unique_pairs(col[s_owner], s_index, len(segs.speakers))
            r = seg_rows[seg_id]
            keep = r >= 0
            self.result["segments"] += np.bincount(
                r[keep] * n_cols + seg_col[keep], minlength=n_rows * n_cols
            ).reshape(n_rows, n_cols)
        if "words" in cells:
            _coded_words(
                words, dc, owner, col, rows, turns, turn_rows, self.result["words"]
            )

    def finish(self) -> tuple[dict[str, np.ndarray], np.ndarray]:
        if self.seen_speakers:
            seen = np.array(list(self.seen_speakers), dtype=np.int64)
            np.add.at(self.result["speakers"].reshape(-1), seen // self.n_speakers, 1)
            self.seen_speakers = set()
        return self.result, self.row_words


def _count_cells(
    project: Project,
    scope: _Scope,
    rows: _Rows,
    cells: set[str],
    segment_kind: str = "sentence",
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Counts per (row, column) for each cell type asked; and words per row."""
    counter = _Cells(scope, rows, cells, segment_kind)
    if not counter.n_rows or not counter.n_cols:
        return counter.finish()
    if not rows.by_speaker and cells <= {"codings", "documents"}:
        _count_in_sql(project, scope, rows, counter.result)
        return counter.finish()
    _run(project, scope, [counter])
    return counter.finish()


def _rows_at(points: np.ndarray, turns: _Segments, turn_rows: np.ndarray) -> np.ndarray:
    """The row of the turn each offset falls in (-1 between turns)."""
    index = np.searchsorted(turns.starts, points, side="right") - 1
    inside = (index >= 0) & (points < turns.ends[np.maximum(index, 0)])
    return np.where(inside, turn_rows[np.maximum(index, 0)], -1)


def _union(
    groups: np.ndarray, lo: np.ndarray, hi: np.ndarray, span: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The union of intervals [lo, hi) within each group, as disjoint runs.

    Args:
        span: Larger than every `hi`, so that group * span + offset orders
            the intervals by group, then by start, in one sort.

    Returns:
        (group, start, end) of every run, sorted by group and start.
    """
    if not len(lo):
        return groups[:0], lo[:0], hi[:0]
    key_lo = groups * span + lo
    order = np.argsort(key_lo, kind="stable")
    key_lo = key_lo[order]
    # How far the runs reach so far; a later group always starts past it.
    reach = np.maximum.accumulate((groups * span + hi)[order])
    opens = np.ones(len(key_lo), dtype=bool)
    opens[1:] = key_lo[1:] > reach[:-1]
    first = np.flatnonzero(opens)
    last = np.append(first[1:], len(key_lo)) - 1
    group = key_lo[first] // span
    return group, key_lo[first] - group * span, reach[last] - group * span


def _coded_words(
    words: np.ndarray,
    dc: _DocCodings,
    owner: np.ndarray,
    col: np.ndarray,
    rows: _Rows,
    turns: _Segments | None,
    turn_rows: np.ndarray | None,
    out: np.ndarray,
) -> None:
    """Add the words inside each column's coded spans to its row(s)."""
    n_words = len(words)
    if not n_words:
        return
    # Words by index: a coding holds the words that start inside it.
    lo = np.searchsorted(words, dc.starts[owner], side="left")
    hi = np.searchsorted(words, dc.ends[owner], side="left")
    group, run_lo, run_hi = _union(col, lo, hi, n_words + 1)
    if not rows.by_speaker:
        np.add.at(out[rows.doc_row(dc.doc.id)], group, run_hi - run_lo)
        return
    word_rows = _rows_at(words, turns, turn_rows)
    present = np.unique(word_rows[word_rows >= 0])
    # Words of each row before each index: runs become differences.
    before = np.zeros((len(present), n_words + 1), dtype=np.int64)
    before[:, 1:] = np.cumsum(word_rows[None, :] == present[:, None], axis=1)
    for i, r in enumerate(present.tolist()):
        np.add.at(out[r], group, before[i, run_hi] - before[i, run_lo])


def _count_in_sql(
    project: Project, scope: _Scope, rows: _Rows, result: dict[str, np.ndarray]
) -> None:
    """Codings and documents per cell from one GROUP BY over (document, code)."""
    clause, params = _coder_clause(scope)
    found = project.db.execute(
        f"SELECT document_id, code_id, COUNT(*) FROM codings{clause}"
        " GROUP BY document_id, code_id",
        params,
    ).fetchall()
    if not found:
        return
    n_cols = len(scope.columns)
    doc_ids, codes, counts = zip(*found, strict=True)
    docs = np.array(doc_ids, dtype=np.int64)
    # Row of each document id; -1 for documents out of scope.
    row_of = np.full(int(docs.max()) + 1, -1, dtype=np.int64)
    for doc_id in scope.docs:
        if doc_id < len(row_of):
            row_of[doc_id] = rows.doc_row(doc_id)
    row = row_of[docs]
    index = scope.code_index
    code = np.array([index.get(c, -1) for c in codes], dtype=np.int64)
    keep = (row >= 0) & (code >= 0)
    groups = np.flatnonzero(keep)
    owner, col = _columns(scope, code[keep])
    flat = row[groups[owner]] * n_cols + col
    size = len(rows.rows) * n_cols
    if "codings" in result:
        weights = np.array(counts, dtype=np.int64)[groups[owner]]
        result["codings"] += (
            np.bincount(flat, weights, minlength=size)
            .astype(np.int64)
            .reshape(result["codings"].shape)
        )
    if "documents" in result:
        # A document counts once per cell, however many of its codes roll up there.
        doc = docs[groups[owner]]
        pairs = np.unique(np.stack([doc, flat]), axis=1)
        result["documents"] += np.bincount(pairs[1], minlength=size).reshape(
            result["documents"].shape
        )


# Theme matrix ------------------------------------------------------------------------


def theme_matrix(
    project: Project,
    *,
    rows: str | Sequence[str] = "case",
    cols: str = "codes",
    cell: str = "codings",
    coder: str | None = None,
    rollup: bool = False,
    where: Sequence[str | Filter] = (),
    segment_kind: str = "sentence",
) -> Matrix:
    """Rows (cases, documents, speakers or attribute values) x codes.

    Args:
        project: The open project.
        rows: ``case``, ``document``, ``speaker``, ``attr:NAME``, or two joined
            by a comma (``case,attr:role``).
        cols: ``codes`` (every code in tree order) or ``level:N`` (1 = top).
        cell: ``codings``, ``segments``, ``documents``, ``speakers`` or ``words``.
        coder: Only this coder's codings (e.g. ``consensus``); default everyone's.
        rollup: Count descendants' codings in their ancestors' cells.
        where: Filters on documents: ``attr:NAME=VALUE``, ``case=NAME``,
            ``document=NAME``; all must hold.
        segment_kind: ``sentence`` or ``turn``, for the ``segments`` cell.

    Returns:
        The matrix; ``words`` cells are shares from 0 to 1.
    """
    _check_choice(cell, CELLS, "cell")
    _check_choice(segment_kind, SEGMENT_KINDS, "segment kind")
    dimensions = parse_rows(rows)
    scope = _scope(
        project,
        cols=cols,
        coder=coder,
        rollup=rollup,
        where=where,
        attributes=_uses_attributes(dimensions),
    )
    _check_dimensions(scope, dimensions)
    row_index = _Rows(project, scope, dimensions)
    counts, row_words = _count_cells(project, scope, row_index, {cell}, segment_kind)
    return _matrix(scope, row_index, cell, counts[cell], row_words, rollup)


def _matrix(
    scope: _Scope,
    row_index: _Rows,
    cell: str,
    values: np.ndarray,
    row_words: np.ndarray,
    rollup: bool,
) -> Matrix:
    if cell == "words":
        with np.errstate(divide="ignore", invalid="ignore"):
            shares = np.where(
                row_words[:, None] > 0, values / np.maximum(row_words[:, None], 1), 0.0
            )
        cells = [[float(v) for v in line] for line in shares]
    else:
        cells = values.tolist()
    return Matrix(
        rows=row_index.rows,
        columns=scope.columns,
        cells=cells,
        cell=cell,
        dimensions=row_index.dimensions,
        coders=scope.coders,
        rollup=rollup,
        filters=scope.filters,
        row_documents=row_index.documents,
        row_words=row_words.tolist() if cell == "words" else [],
    )


def frequencies(
    project: Project,
    *,
    cols: str = "codes",
    coder: str | None = None,
    rollup: bool = False,
    where: Sequence[str | Filter] = (),
    segment_kind: str = "sentence",
) -> Frequencies:
    """Per code: codings, documents, segments, speakers, coded words and coverage."""
    _check_choice(segment_kind, SEGMENT_KINDS, "segment kind")
    scope = _scope(
        project, cols=cols, coder=coder, rollup=rollup, where=where, attributes=False
    )
    row_index = _Rows(project, scope, [])
    counts, row_words = _count_cells(
        project, scope, row_index, set(CELLS), segment_kind
    )
    return _frequencies(scope, counts, row_words, segment_kind)


def _frequencies(
    scope: _Scope,
    counts: dict[str, np.ndarray],
    row_words: np.ndarray,
    segment_kind: str,
) -> Frequencies:
    total_words = int(row_words[0]) if len(row_words) else 0
    n_docs = len(scope.docs)
    found = []
    for c, column in enumerate(scope.columns):
        words = int(counts["words"][0, c])
        docs = int(counts["documents"][0, c])
        found.append(
            Frequency(
                code=column,
                codings=int(counts["codings"][0, c]),
                documents=docs,
                segments=int(counts["segments"][0, c]),
                speakers=int(counts["speakers"][0, c]),
                words=words,
                coverage=words / total_words if total_words else 0.0,
                document_share=docs / n_docs if n_docs else 0.0,
            )
        )
    return Frequencies(found, n_docs, total_words, scope.coders, segment_kind)


def crosstab(
    project: Project,
    attribute: str,
    *,
    cell: str = "documents",
    cols: str = "codes",
    coder: str | None = None,
    rollup: bool = False,
    where: Sequence[str | Filter] = (),
) -> Crosstab:
    """Codes by the values of an attribute: counts, row totals and row percentages."""
    if cell == "words":
        raise CoderError(
            "a crosstab adds counts up; use codings, segments, documents or speakers"
        )
    name = attribute[5:] if attribute.startswith("attr:") else attribute
    matrix = theme_matrix(
        project,
        rows=f"attr:{name}",
        cols=cols,
        cell=cell,
        coder=coder,
        rollup=rollup,
        where=where,
    )
    values = [row.values[0] for row in matrix.rows]
    counts = [
        [int(matrix.cells[r][c]) for r in range(len(matrix.rows))]
        for c in range(len(matrix.columns))
    ]
    totals = [sum(line) for line in counts]
    percents = [
        [100.0 * n / total if total else 0.0 for n in line]
        for line, total in zip(counts, totals, strict=True)
    ]
    return Crosstab(
        attribute=name,
        values=values,
        codes=matrix.columns,
        counts=counts,
        totals=totals,
        percents=percents,
        documents=matrix.row_documents,
        cell=cell,
        coders=matrix.coders,
    )


# Framework matrix and quotes -----------------------------------------------------


def summary_key(code_id: str, row_key: str) -> str:
    """The memo target id of a framework cell: ``"<code id>|<row key>"``.

    Cell summaries are memos with target type ``code`` and this target id, so
    they travel with `coder merge`, can be undone, and need no schema change.
    """
    return f"{code_id}{SUMMARY_SEPARATOR}{row_key}"


def set_cell_summary(
    project: Project, code_id: str, row_key: str, text: str, coder: str | None = None
) -> None:
    """Write (or with empty text, clear) the summary of a framework cell."""
    from coder.codes import get_code
    from coder.memos import set_memo

    get_code(project, code_id)
    set_memo(project, "code", summary_key(code_id, row_key), text, coder)


def get_cell_summary(
    project: Project, code_id: str, row_key: str, coder: str | None = None
) -> str:
    from coder.memos import get_memo

    return get_memo(project, "code", summary_key(code_id, row_key), coder)


def case_row_key(case: str) -> str:
    """The row key of a case row (as ``--rows case`` makes it)."""
    return Dimension("case").key(case)


def _summaries(project: Project) -> dict[tuple[str, str], list[Summary]]:
    found: dict[tuple[str, str], list[Summary]] = defaultdict(list)
    for target, coder, text in project.db.execute(
        "SELECT m.target_id, c.name, m.text FROM memos m"
        " LEFT JOIN coders c ON c.id = m.coder_id"
        " WHERE m.target_type = 'code' AND instr(m.target_id, ?) > 0"
        " ORDER BY c.name, m.id",
        [SUMMARY_SEPARATOR],
    ):
        code_id, _, row_key = target.partition(SUMMARY_SEPARATOR)
        found[(row_key, code_id)].append(Summary(coder, text))
    return found


class _Places:
    """Who speaks and when, at any offset of one document (the turn and sentence there)."""

    def __init__(self, project: Project, doc_id: int) -> None:
        turns = project.db.execute(
            "SELECT s.start, p.name, s.start_time, s.seq FROM segments s"
            " LEFT JOIN speakers p ON p.id = s.speaker_id WHERE s.document_id = ?"
            " AND s.kind IN ('turn', 'paragraph') ORDER BY s.start",
            [doc_id],
        ).fetchall()
        sentences = project.db.execute(
            "SELECT start, start_time FROM segments WHERE document_id = ?"
            " AND kind = 'sentence' ORDER BY start",
            [doc_id],
        ).fetchall()
        self.doc_id = doc_id
        self.turn_starts = [t[0] for t in turns]
        self.turns = turns
        self.sentence_starts = [s[0] for s in sentences]
        self.sentences = sentences

    def at(self, offset: int) -> tuple[str | None, float | None, int | None]:
        """The speaker of the turn, the time of the sentence (else the turn), and
        the turn's number (1-based, turns and paragraphs counted together as the
        reader and `coder show` count them), at offset."""
        t = bisect.bisect_right(self.turn_starts, offset) - 1
        s = bisect.bisect_right(self.sentence_starts, offset) - 1
        speaker = self.turns[t][1] if t >= 0 else None
        time = self.sentences[s][1] if s >= 0 else None
        if time is None and t >= 0:
            time = self.turns[t][2]
        turn = self.turns[t][3] + 1 if t >= 0 else None
        return speaker, time, turn


class _Passages:
    """Distinct coded spans per (row, column), and the first `limit` of each.

    Memory holds the counts and at most `limit` spans per cell, whatever the
    number of codings. With speaker rows a passage belongs to the speaker of
    the turn where it starts, as its quote says.
    """

    def __init__(
        self, scope: _Scope, rows: _Rows, limit: int | None, only: int | None = None
    ) -> None:
        self.scope, self.rows, self.limit, self.only = scope, rows, limit, only
        shape = (len(rows.rows), len(scope.columns))
        self.counts = np.zeros(shape, dtype=np.int64)
        self.full = np.zeros(shape, dtype=bool)
        self.kept: dict[tuple[int, int], list[tuple[int, int, int]]] = defaultdict(list)

    def add(self, view: _View) -> None:
        dc, rows, limit = view.dc, self.rows, self.limit
        if not len(dc) or not self.counts.size:
            return
        owner, col = _columns(self.scope, dc.codes)
        if self.only is not None:
            owner, col = owner[col == self.only], col[col == self.only]
        starts, ends = dc.starts[owner], dc.ends[owner]
        if rows.by_speaker:
            turns = view.segments("turn")
            turn_rows = view.rows_of(rows, turns)
            index = np.searchsorted(turns.starts, starts, side="right") - 1
            r = np.where(index >= 0, turn_rows[np.maximum(index, 0)], -1)
        else:
            r = np.full(len(owner), rows.doc_row(view.doc.id))
        keep = r >= 0
        # One number per (row, column, start, end), so np.unique sorts them by
        # cell and then in text order.
        length = int(ends.max()) + 1 if len(ends) else 1
        cells = r[keep] * self.counts.shape[1] + col[keep]
        span = starts[keep] * length + ends[keep]
        if (int(cells.max(initial=0)) + 1) * length * length < 2**62:
            unique = np.unique(cells * (length * length) + span)
            keys = np.stack(
                [
                    unique // (length * length) // self.counts.shape[1],
                    unique // (length * length) % self.counts.shape[1],
                    unique % (length * length) // length,
                    unique % length,
                ]
            )
        else:  # too large to pack into one integer
            keys = np.unique(np.stack([r, col, starts, ends])[:, keep], axis=1)
        if not keys.shape[1]:
            return
        self.counts += np.bincount(
            keys[0] * self.counts.shape[1] + keys[1], minlength=self.counts.size
        ).reshape(self.counts.shape)
        if limit is not None:
            keys = keys[:, ~self.full[keys[0], keys[1]]]
        for r_, c_, s_, e_ in keys.T.tolist():
            bucket = self.kept[(r_, c_)]
            if limit is None or len(bucket) < limit:
                bucket.append((view.doc.id, s_, e_))
                if limit is not None and len(bucket) >= limit:
                    self.full[r_, c_] = True


def _quotes(
    project: Project,
    scope: _Scope,
    kept: dict[tuple[int, int], list[tuple[int, int, int]]],
) -> dict[tuple[int, int], list[Quote]]:
    """The kept spans as quotes: text, speaker, time, and the coders and codes on them."""
    by_doc: dict[int, list[tuple[int, int, tuple[int, int]]]] = defaultdict(list)
    for cell, spans in kept.items():
        for doc_id, start, end in spans:
            by_doc[doc_id].append((start, end, cell))
    clause, params = _coder_clause(scope, "c.")
    where = " AND " + clause[len(" WHERE ") :] if clause else ""
    made: dict[tuple[int, int, int, int], Quote] = {}
    for doc_id, spans in by_doc.items():
        doc = scope.docs[doc_id]
        (text,) = project.db.execute(
            "SELECT text FROM documents WHERE id = ?", [doc_id]
        ).fetchone()
        places = _Places(project, doc_id)
        on_span: dict[tuple[int, int], list[tuple[str, str]]] = defaultdict(list)
        for start, end, code_id, coder in project.db.execute(
            'SELECT c.start, c."end", c.code_id, k.name FROM codings c'
            f" JOIN coders k ON k.id = c.coder_id WHERE c.document_id = ?{where}"
            " ORDER BY k.name, c.code_id",
            [doc_id, *params],
        ):
            on_span[(start, end)].append((code_id, coder))
        for start, end, (r, c) in spans:
            speaker, time, turn = places.at(start)
            coders: list[str] = []
            codes: list[str] = []
            for code_id, coder in on_span[(start, end)]:
                if c in scope.columns_of(code_id):
                    if coder not in coders:
                        coders.append(coder)
                    if code_id not in codes:
                        codes.append(code_id)
            made[(r, c, doc_id, start, end)] = Quote(
                doc.name,
                doc.case,
                start,
                end,
                text[start:end],
                speaker,
                time,
                coders,
                sorted(codes, key=scope.code_index.__getitem__),
                turn,
            )
    return {
        cell: [made[(*cell, *span)] for span in spans] for cell, spans in kept.items()
    }


def framework_matrix(
    project: Project,
    *,
    rows: str | Sequence[str] = "case",
    cols: str = "codes",
    coder: str | None = None,
    rollup: bool = False,
    where: Sequence[str | Filter] = (),
    limit: int | None = 3,
) -> FrameworkMatrix:
    """The theme matrix's grid with quotes (document, timestamp) and summaries per cell.

    Args:
        limit: At most this many quotes per cell, the first in document order
            (None: all); ``counts`` has the number of distinct passages.
    """
    dimensions = parse_rows(rows)
    scope = _scope(
        project,
        cols=cols,
        coder=coder,
        rollup=rollup,
        where=where,
        attributes=_uses_attributes(dimensions),
    )
    _check_dimensions(scope, dimensions)
    row_index = _Rows(project, scope, dimensions)
    passages = _Passages(scope, row_index, limit)
    _run(project, scope, [passages])
    return _framework(project, scope, row_index, passages, rollup)


def _framework(
    project: Project,
    scope: _Scope,
    row_index: _Rows,
    passages: _Passages,
    rollup: bool,
) -> FrameworkMatrix:
    n_rows, n_cols = len(row_index.rows), len(scope.columns)
    counts, limit = passages.counts, passages.limit
    found = _quotes(project, scope, passages.kept)
    notes = _summaries(project)
    return FrameworkMatrix(
        rows=row_index.rows,
        columns=scope.columns,
        quotes=[[found.get((r, c), []) for c in range(n_cols)] for r in range(n_rows)],
        counts=counts.tolist(),
        summaries=[
            [notes.get((row.key, column.id), []) for column in scope.columns]
            for row in row_index.rows
        ],
        dimensions=row_index.dimensions,
        coders=scope.coders,
        limit=limit,
        rollup=rollup,
        filters=scope.filters,
    )


def quotes(
    project: Project,
    code: str,
    *,
    case: str | None = None,
    document: str | None = None,
    coder: str | None = None,
    rollup: bool = False,
    where: Sequence[str | Filter] = (),
) -> list[Quote]:
    """Every passage coded with a code (and with roll-up, its descendants), in order."""
    from coder.codes import get_code

    get_code(project, code)
    filters = list(where)
    if case is not None:
        filters.append(f"case={case}")
    if document is not None:
        filters.append(f"document={document}")
    scope = _scope(project, coder=coder, rollup=rollup, where=filters, attributes=False)
    column = next(i for i, c in enumerate(scope.columns) if c.id == code)
    rows = _Rows(project, scope, [Dimension("document")])
    passages = _Passages(scope, rows, None, only=column)
    _run(project, scope, [passages])
    found = _quotes(project, scope, passages.kept)
    order = {doc.name: i for i, doc in enumerate(scope.docs.values())}
    result = [q for bucket in found.values() for q in bucket]
    result.sort(key=lambda q: (order[q.document], q.start, q.end))
    return result


# Co-occurrence --------------------------------------------------------------------


def cooccurrence(
    project: Project,
    *,
    mode: str = "overlap",
    cols: str = "codes",
    coder: str | None = None,
    rollup: bool = False,
    where: Sequence[str | Filter] = (),
    segment_kind: str = "sentence",
    jaccard: bool = False,
) -> Cooccurrence:
    """Codes x codes: codings that overlap, or segments that hold both codes.

    Args:
        mode: ``overlap`` (two codings share a character) or ``segment`` (both
            codes touch the same sentence or turn).
        jaccard: Also compute |A ∩ B| / |A ∪ B| (characters in overlap mode,
            segments in segment mode).
    """
    _check_choice(mode, MODES, "mode")
    _check_choice(segment_kind, SEGMENT_KINDS, "segment kind")
    scope = _scope(
        project, cols=cols, coder=coder, rollup=rollup, where=where, attributes=False
    )
    pairs = _Pairs(scope, mode, segment_kind, jaccard)
    _run(project, scope, [pairs])
    return pairs.finish(rollup)


class _Pairs:
    """Co-occurrence counts (and the units Jaccard needs), a document at a time."""

    def __init__(
        self, scope: _Scope, mode: str, segment_kind: str, jaccard: bool
    ) -> None:
        self.scope, self.mode, self.segment_kind, self.jaccard = (
            scope,
            mode,
            segment_kind,
            jaccard,
        )
        k = len(scope.columns)
        self.counts = np.zeros((k, k), dtype=np.int64)
        self.inter = np.zeros((k, k), dtype=np.int64)  # Jaccard: shared units
        self.sizes = np.zeros(k, dtype=np.int64)  # Jaccard: units of each code

    def add(self, view: _View) -> None:
        dc, counts = view.dc, self.counts
        if not len(dc):
            return
        owner, col = _columns(self.scope, dc.codes)
        if self.mode == "overlap":
            starts, ends = dc.starts[owner], dc.ends[owner]
            k = len(counts)
            counts[np.diag_indices(k)] += np.bincount(col, minlength=k)
            a, b = _overlap_pairs(starts, ends)
            # Two codings of one column are not a co-occurrence (its own count is
            # the diagonal), nor is one coding counted in two columns.
            distinct = (owner[a] != owner[b]) & (col[a] != col[b])
            a, b = col[a[distinct]], col[b[distinct]]
            found = np.bincount(a * k + b, minlength=k * k).reshape(k, k)
            counts += found + found.T
            if self.jaccard:
                _character_overlaps(col, starts, ends, self.inter, self.sizes)
            return
        segs = view.segments(self.segment_kind)
        first, last = _overlapping(
            segs.starts, segs.ends, dc.starts[owner], dc.ends[owner]
        )
        s_owner, s_index = _expand(first, last)
        k = len(counts)
        seg, c = _unique_pairs(s_index, col[s_owner], k)
        counts[np.diag_indices(k)] += np.bincount(c, minlength=k)
        # Every ordered pair of different codes within each segment.
        group_start = np.searchsorted(seg, seg, side="left")
        group_end = np.searchsorted(seg, seg, side="right")
        x, y = _expand(group_start, group_end)
        keep = x != y
        counts += np.bincount(c[x[keep]] * k + c[y[keep]], minlength=k * k).reshape(
            k, k
        )

    def finish(self, rollup: bool) -> Cooccurrence:
        counts, inter, sizes = self.counts, self.inter, self.sizes
        if self.mode == "segment":
            inter, sizes = counts, np.diag(counts).copy()
        similarity = None
        if self.jaccard:
            union = sizes[:, None] + sizes[None, :] - inter
            with np.errstate(divide="ignore", invalid="ignore"):
                values = np.where(union > 0, inter / np.maximum(union, 1), 0.0)
            np.fill_diagonal(values, np.where(sizes > 0, 1.0, 0.0))
            similarity = [[float(v) for v in line] for line in values]
        return Cooccurrence(
            codes=self.scope.columns,
            counts=counts.tolist(),
            mode=self.mode,
            segment_kind=self.segment_kind,
            coders=self.scope.coders,
            jaccard=similarity,
            rollup=rollup,
            filters=self.scope.filters,
        )


def _overlap_pairs(
    starts: np.ndarray, ends: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (i, j), i != j, of spans sharing a character; each pair once."""
    order = np.lexsort((ends, starts))
    s, e = starts[order], ends[order]
    # Partners of i come after it in start order and start before it ends.
    last = np.searchsorted(s, e, side="left")
    i, j = _expand(np.arange(len(s)) + 1, last)
    return order[i], order[j]


def _character_overlaps(
    col: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    inter: np.ndarray,
    sizes: np.ndarray,
) -> None:
    """Add shared and own coded characters per column, over each column's union of spans."""
    if not len(col):
        return
    mc, ms, me = _union(col, starts, ends, int(ends.max()) + 1)
    np.add.at(sizes, mc, me - ms)
    order = np.argsort(ms, kind="stable")
    mc, ms, me = mc[order], ms[order], me[order]
    i, j = _overlap_pairs(ms, me)
    shared = np.minimum(me[i], me[j]) - np.maximum(ms[i], ms[j])
    np.add.at(inter, (mc[i], mc[j]), shared)
    np.add.at(inter, (mc[j], mc[i]), shared)


# Saturation ------------------------------------------------------------------------


def saturation(
    project: Project,
    *,
    order: str = "import",
    cols: str = "codes",
    coder: str | None = None,
    rollup: bool = False,
    where: Sequence[str | Filter] = (),
) -> Saturation:
    """For the interviews in order, the codes each one added and the cumulative count.

    Args:
        order: ``import`` (the order documents were imported), ``name``, or
            ``attr:NAME`` (e.g. ``attr:interview_date``; documents without a
            value come last, ties by import order).
    """
    scope = _scope(
        project,
        cols=cols,
        coder=coder,
        rollup=rollup,
        where=where,
        attributes=_uses_attributes([], order),
    )
    docs, values = _ordered(scope, order)
    used: dict[int, set[int]] = defaultdict(set)
    clause, params = _coder_clause(scope)
    for doc_id, code_id in project.db.execute(
        f"SELECT DISTINCT document_id, code_id FROM codings{clause}", params
    ):
        if doc_id in scope.docs:
            used[doc_id].update(scope.columns_of(code_id))
    return _saturation(scope, order, docs, values, used)


def _ordered(scope: _Scope, order: str) -> tuple[list[_Doc], dict[int, str]]:
    """The documents in interview order, with the value they are ordered by."""
    docs = list(scope.docs.values())
    if order == "name":
        docs.sort(key=lambda d: d.name)
        return docs, {d.id: "" for d in docs}
    if order == "import":
        return docs, {d.id: "" for d in docs}
    if order.startswith("attr:") and order[5:]:
        name = order[5:]
        if name not in scope.attribute_types:
            raise NotFoundError(unknown_name("attribute", name, scope.attribute_types))
        dim = Dimension("attr", name)
        values = {d.id: _doc_value(dim, d) for d in docs}
        docs.sort(key=lambda d: _sort_key(dim, values[d.id], scope))
        return docs, values
    raise CoderError(f"unknown order '{order}' (orders: import, name, attr:NAME)")


class _Used:
    """The columns each document used (for saturation within a shared pass)."""

    def __init__(self, scope: _Scope) -> None:
        self.scope = scope
        self.used: dict[int, set[int]] = defaultdict(set)

    def add(self, view: _View) -> None:
        if len(view.dc):
            _, col = _columns(self.scope, np.unique(view.dc.codes))
            self.used[view.doc.id].update(col.tolist())


def _saturation(
    scope: _Scope,
    order: str,
    docs: list[_Doc],
    values: dict[int, str],
    used: dict[int, set[int]],
) -> Saturation:
    seen: set[int] = set()
    steps = []
    for doc in docs:
        new = sorted(used[doc.id] - seen)
        seen |= used[doc.id]
        steps.append(
            SaturationStep(
                document=doc.name,
                order_value=values[doc.id],
                codes=len(used[doc.id]),
                new=[scope.columns[c].id for c in new],
                cumulative=len(seen),
            )
        )
    return Saturation(steps, order, len(scope.columns), scope.coders)


# Everything at once ------------------------------------------------------------------


@dataclass
class Analysis:
    """The views of one selection, computed in one pass (what the report shows)."""

    theme: Matrix
    framework: FrameworkMatrix
    cooccurrence: Cooccurrence
    saturation: Saturation
    frequencies: Frequencies


def analyse(
    project: Project,
    *,
    rows: str | Sequence[str] = "case",
    cols: str = "codes",
    cell: str = "codings",
    coder: str | None = None,
    rollup: bool = False,
    where: Sequence[str | Filter] = (),
    segment_kind: str = "sentence",
    limit: int | None = 3,
    mode: str = "overlap",
    jaccard: bool = True,
    order: str = "import",
) -> Analysis:
    """Theme and framework matrices, co-occurrence, saturation and frequencies at once.

    The same as calling each function with these options (frequencies are per
    code, without roll-up), but the codings, turns, sentences and words of
    each document are read once for all of them.
    """
    _check_choice(cell, CELLS, "cell")
    _check_choice(segment_kind, SEGMENT_KINDS, "segment kind")
    _check_choice(mode, MODES, "mode")
    dimensions = parse_rows(rows)
    scope = _scope(
        project,
        cols=cols,
        coder=coder,
        rollup=rollup,
        where=where,
        attributes=_uses_attributes(dimensions, order),
    )
    _check_dimensions(scope, dimensions)
    docs, values = _ordered(scope, order)
    every_code = _scope(project, coder=coder, where=where, attributes=False)
    row_index = _Rows(project, scope, dimensions)
    one_row = _Rows(project, every_code, [])
    theme = _Cells(scope, row_index, {cell}, segment_kind)
    passages = _Passages(scope, row_index, limit)
    pairs = _Pairs(scope, mode, segment_kind, jaccard)
    used = _Used(scope)
    counts = _Cells(every_code, one_row, set(CELLS), segment_kind)
    _run(project, scope, [theme, passages, pairs, used, counts])
    theme_counts, row_words = theme.finish()
    all_counts, all_words = counts.finish()
    return Analysis(
        theme=_matrix(scope, row_index, cell, theme_counts[cell], row_words, rollup),
        framework=_framework(project, scope, row_index, passages, rollup),
        cooccurrence=pairs.finish(rollup),
        saturation=_saturation(scope, order, docs, values, used.used),
        frequencies=_frequencies(every_code, all_counts, all_words, segment_kind),
    )


# Codings with their context, for export --------------------------------------------


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
    scope = _scope(project, coder=coder, where=where)
    names = {code.id: code.name for code in _all_codes(project)}
    clause, params = _coder_clause(scope, "c.")
    records = []
    places: _Places | None = None
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
    ) in project.db.execute(
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
            places = _Places(project, doc_id)
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


def _all_codes(project: Project) -> list[Column]:
    return _numbered(list(current_codebook(project).walk()))


def _numbered(walk: list[tuple[Any, Any, int]]) -> list[Column]:
    """Every code of a codebook walk as a column, numbered 1, 2, 2.1, 2.2, 3, ..."""
    columns, numbers = [], []
    for code, parent, depth in walk:
        numbers = [*numbers[:depth], numbers[depth] + 1 if len(numbers) > depth else 1]
        columns.append(
            Column(
                code.id,
                code.name,
                depth,
                parent.id if parent else None,
                code.colour,
                ".".join(map(str, numbers)),
            )
        )
    return columns
