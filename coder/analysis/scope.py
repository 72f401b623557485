"""The scope of an analysis: which documents (filters on cases, documents and
attributes), which code columns (levels, roll-up), and which rows they fall in.

Every analysis in `coder.analysis` starts from a `Scope` built here, so a
filter, a level or a coder choice means the same thing in every table.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
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


def check_choice(value: str, known: Sequence[str], what: str) -> None:
    if value not in known:
        raise CoderError(f"unknown {what} '{value}' ({what}s: {', '.join(known)})")


# Whose codings count ------------------------------------------------------------

CONSENSUS = "consensus"


class CoderChoiceError(CoderError):
    """Several coders coded and none is the consensus: the analysis needs a choice."""


@dataclass(frozen=True)
class Whose:
    """Whose codings an analysis counts, and how several coders' codings combine.

    One coder's codings count as they are. Several named coders are pooled:
    codings of one code that overlap are one passage, so a passage coded by
    both coders counts once; with `count_each` every coder's codings count,
    and co-occurrence still pairs only codings of the same coder.
    """

    coders: tuple[str, ...] = ()
    ids: tuple[int, ...] = ()
    count_each: bool = False
    why: str = ""  # how the choice was made: "the only coder", "the consensus", ...
    codebook: str = ""  # which codebook version the columns come from

    @property
    def pooled(self) -> bool:
        """Several coders' codings merged into one set of passages."""
        return len(self.ids) > 1 and not self.count_each

    @property
    def separate(self) -> bool:
        """Several coders' codings counted each, never paired across coders."""
        return len(self.ids) > 1 and self.count_each

    def describe(self) -> str:
        """One phrase for captions, footers and notes."""
        if not self.coders:
            text = "no codings yet"
        elif len(self.coders) == 1:
            text = f"codings of {self.coders[0]}"
            if self.why:
                text += f" ({self.why})"
        else:
            names = ", ".join(self.coders[:-1]) + f" and {self.coders[-1]}"
            if self.count_each:
                text = f"codings of {names}, each coder's counted"
            else:
                text = (
                    f"codings of {names} pooled (a passage coded by several"
                    " counts once)"
                )
        if self.codebook:
            text += f"; {self.codebook}"
        return text

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: who, how, and which codebook."""
        return {
            "coders": list(self.coders),
            "pooled": self.pooled,
            "count_each": self.count_each,
            "why": self.why,
            "codebook": self.codebook,
            "text": self.describe(),
        }


def _coder_ids(project: Project) -> dict[str, int]:
    return dict(project.execute("SELECT name, id FROM coders").fetchall())


def coders_with_codings(project: Project) -> list[str]:
    """The coders who have at least one coding, by name."""
    return [
        r[0]
        for r in project.execute(
            # One index probe per coder, not a scan of every coding.
            "SELECT name FROM coders k WHERE EXISTS"
            " (SELECT 1 FROM codings c WHERE c.coder_id = k.id) ORDER BY name"
        )
    ]


def codebook_label(project: Project) -> str:
    """The codebook version the columns come from, as captions state it."""
    from coder.codes import latest_version

    latest = latest_version(project)
    if latest is None:
        return ""
    version = f" {latest.version}" if latest.version else ""
    return f"codebook {latest.name}{version} (revision {latest.revision})"


def whose_codings(
    project: Project,
    *,
    coder: str | None = None,
    coders: Sequence[str] | str | None = None,
    count_each: bool = False,
) -> Whose:
    """The one rule for whose codings an analysis counts.

    `coder` names one coder; `coders` pools named coders on purpose. Without
    either: the only coder who coded, else the consensus coder, else a
    `CoderChoiceError` naming the coders and the choices, so that no table
    ever pools coders silently.
    """
    if isinstance(coders, str):
        coders = [name.strip() for name in coders.split(",") if name.strip()]
    if coder is not None and coders:
        raise CoderError("give --coder or --coders, not both")
    known = _coder_ids(project)
    codebook = codebook_label(project)
    chosen = [coder] if coder is not None else list(dict.fromkeys(coders or []))
    for name in chosen:
        if name not in known:
            raise NotFoundError(unknown_name("coder", name, sorted(known)))
    if chosen:
        why = (
            ""
            if len(chosen) > 1
            else ("the consensus" if chosen[0] == CONSENSUS else "")
        )
        return Whose(
            tuple(chosen),
            tuple(known[name] for name in chosen),
            count_each and len(chosen) > 1,
            why,
            codebook,
        )
    active = coders_with_codings(project)
    if not active:
        return Whose(codebook=codebook)
    if len(active) == 1:
        return Whose(
            (active[0],), (known[active[0]],), False, "the only coder", codebook
        )
    if CONSENSUS in active:
        return Whose(
            (CONSENSUS,), (known[CONSENSUS],), False, "the consensus", codebook
        )
    listed = ",".join(active[:2])
    raise CoderChoiceError(
        f"{len(active)} coders have codings ({', '.join(active)}) and none is"
        f" '{CONSENSUS}': choose one with --coder NAME, pool them on purpose with"
        f" --coders {listed} (a passage coded by several counts once), or split"
        " the table with --by-coder"
    )


def each_coder(
    project: Project, coders: Sequence[str] | str | None = None
) -> list[Whose]:
    """One `Whose` per coder, for tables split by coder (`--by-coder`)."""
    if isinstance(coders, str):
        coders = [name.strip() for name in coders.split(",") if name.strip()]
    names = list(coders or []) or coders_with_codings(project)
    return [whose_codings(project, coder=name) for name in names]


@dataclass(frozen=True)
class CoderChoice:
    """What a user asked for: one coder, named coders pooled or each, or a split.

    `resolve` turns it into the `Whose` of each table: one, or one per coder
    with `by_coder`.
    """

    coder: str | None = None
    coders: tuple[str, ...] = ()
    count_each: bool = False
    by_coder: bool = False

    def resolve(self, project: Project) -> list[Whose]:
        if self.by_coder:
            if self.coder is not None:
                raise CoderError("--by-coder splits by every coder; leave out --coder")
            return each_coder(project, self.coders)
        if self.count_each and len(self.coders) < 2:
            raise CoderError("--count-each goes with --coders a,b (two or more coders)")
        return [
            whose_codings(
                project,
                coder=self.coder,
                coders=self.coders,
                count_each=self.count_each,
            )
        ]


@dataclass
class Doc:
    id: int
    name: str
    case: str | None
    values: dict[str, Any]


@dataclass
class Scope:
    docs: dict[int, Doc]
    columns: list[Column]
    code_index: dict[str, int]  # code id -> its position in all codes
    col_ptr: np.ndarray  # code index -> start of its columns in col_flat
    col_flat: np.ndarray
    whose: Whose
    attribute_types: dict[str, str]
    filters: list[Filter]
    project: Project
    targets: dict[str, list[int]]  # code id -> the columns its codings count in
    single: np.ndarray | None  # code index -> its one column (or -1), without roll-up

    @property
    def coders(self) -> list[str]:
        return list(self.whose.coders)

    def columns_of(self, code_id: str) -> list[int]:
        return self.targets.get(code_id, [])

    @functools.cached_property
    def speakers(self) -> dict[int, str]:
        """Speaker names by id, read when segments are first needed."""
        return dict(self.project.execute("SELECT id, name FROM speakers").fetchall())


def build_scope(
    project: Project,
    *,
    cols: str = "codes",
    coder: str | None = None,
    whose: Whose | None = None,
    rollup: bool = False,
    where: Sequence[str | Filter] = (),
    attributes: bool = True,
) -> Scope:
    """Documents in scope, the columns and what each code counts in, the coder.

    Args:
        coder: One coder's codings (a shorthand for `whose`).
        whose: Whose codings count; default `whose_codings`' rule.
        attributes: Read the documents' attribute values (filters on
            attributes read them anyway).
    """
    level = parse_cols(cols)
    filters = parse_where(where)
    db = project
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

    if whose is None:
        whose = whose_codings(project, coder=coder)

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
    docs: dict[int, Doc] = {}
    for doc_id, name, case_id, case in db.execute(
        "SELECT d.id, d.name, d.case_id, c.name FROM documents d"
        " LEFT JOIN cases c ON c.id = d.case_id ORDER BY d.id"
    ):
        # A document's own value wins over its case's.
        merged = {
            **values.get(("case", case_id), {}),
            **values.get(("document", doc_id), {}),
        }
        docs[doc_id] = Doc(doc_id, name, case, merged)

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
    return Scope(
        docs,
        columns,
        code_index,
        col_ptr,
        col_flat,
        whose,
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


def uses_attributes(dimensions: Sequence[Dimension], order: str = "") -> bool:
    return any(d.kind == "attr" for d in dimensions) or order.startswith("attr:")


def check_dimensions(scope: Scope, dimensions: list[Dimension]) -> None:
    for dim in dimensions:
        if dim.kind == "attr" and dim.attribute not in scope.attribute_types:
            raise NotFoundError(
                unknown_name("attribute", dim.attribute, scope.attribute_types)
            )


def sort_key(dim: Dimension, value: str, scope: Scope) -> tuple:
    if value in (NO_CASE, NO_VALUE, NO_SPEAKER):
        return (1, 0, "")
    if dim.kind == "attr" and scope.attribute_types.get(dim.attribute) == "number":
        try:
            return (0, float(value), "")
        except ValueError:
            pass
    return (0, 0, value.casefold(), value)


def doc_value(dim: Dimension, doc: Doc) -> str:
    if dim.kind == "case":
        return doc.case if doc.case is not None else NO_CASE
    if dim.kind == "document":
        return doc.name
    value = doc.values.get(dim.attribute)
    return NO_VALUE if value is None or value == "" else str(value)


class Rows:
    """Which row a document (and, with speaker rows, a speaker) belongs to."""

    def __init__(
        self, project: Project, scope: Scope, dimensions: list[Dimension]
    ) -> None:
        self.dimensions = dimensions
        self.by_speaker = any(d.kind == "speaker" for d in dimensions)
        # (doc id, speaker name or None) -> values tuple
        combos: dict[tuple[int, str | None], tuple[str, ...]] = {}
        speakers: dict[int, list[str]] = defaultdict(list)
        if self.by_speaker:
            for doc_id, speaker in project.execute(
                "SELECT DISTINCT s.document_id, p.name FROM segments s"
                " LEFT JOIN speakers p ON p.id = s.speaker_id"
                " WHERE s.kind IN ('turn', 'paragraph')"
            ):
                if doc_id in scope.docs:
                    speakers[doc_id].append(speaker if speaker else NO_SPEAKER)
        for doc in scope.docs.values():
            for speaker in speakers[doc.id] if self.by_speaker else [None]:
                combos[(doc.id, speaker)] = tuple(
                    speaker if d.kind == "speaker" else doc_value(d, doc)
                    for d in dimensions
                )
        distinct = sorted(
            set(combos.values()),
            key=lambda vs: tuple(
                sort_key(d, v, scope) for d, v in zip(dimensions, vs, strict=True)
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


def all_codes(project: Project) -> list[Column]:
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
