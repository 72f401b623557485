"""Checking a project file: SQLite's own checks, then coder's rules on what refers to what.

`check_project(path)` returns the problems found (an empty list for a sound
project); `check_report` adds counts of what was checked. Nothing is written:
the file is read through a query-only connection and is not migrated.

Errors are things coder itself never leaves behind: a damaged file, a row
pointing at one that does not exist, a coding outside its document's text,
a gap in the append-only event log. Warnings are states coder's own commands
can leave, worth knowing about but not broken: a memo on a code that was
merged away, or event times going backwards (clocks that disagree).
"""

from __future__ import annotations

import os
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from coder.errors import ProjectError, restore_hint
from coder.store.locking import busy_timeout_ms
from coder.store.project import inspect_project, is_damaged

ERROR, WARNING = "error", "warning"
INTEGRITY = "the file is damaged (SQLite's integrity check)"
EXAMPLES = 5  # rows quoted per problem
# Event times may step back this much without a warning: two machines' clocks
# rarely agree to the second.
CLOCK_SLACK_SECONDS = 60
COUNTED = (
    "documents",
    "segments",
    "codes",
    "codings",
    "coders",
    "memos",
    "suggestions",
    "events",
)
# Singular nouns for messages, by table.
NOUNS = {
    "attribute_values": "attribute value",
    "attributes": "attribute",
    "cases": "case",
    "codebook_versions": "codebook version",
    "coders": "coder",
    "codes": "code",
    "codings": "coding",
    "documents": "document",
    "events": "event",
    "memos": "memo",
    "resolutions": "resolution",
    "segments": "segment",
    "speakers": "speaker",
    "suggestions": "suggestion",
}
# Tables whose rows are spans of a document's text, and whether a span may be empty.
SPANS = (
    ("codings", False),
    ("suggestions", False),
    ("segments", True),
    ("resolutions", True),
)


@dataclass(frozen=True)
class Problem:
    """One kind of problem with how many rows have it.

    Attributes:
        kind: A stable name, e.g. ``coding_spans`` or ``codings.code_id``.
        message: What is wrong, e.g. "codings outside their document's text".
        count: How many rows (or items) have it.
        examples: A few of them, each a short description.
        severity: ``error`` (coder never leaves this) or ``warning``.
    """

    kind: str
    message: str
    count: int
    examples: tuple[str, ...] = ()
    severity: str = ERROR

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "severity": self.severity,
            "message": self.message,
            "count": self.count,
            "examples": list(self.examples),
        }

    def __str__(self) -> str:
        shown = "; ".join(self.examples)
        more = "; ..." if self.count > len(self.examples) else ""
        return f"{self.message}: {self.count:,}" + (
            f" ({shown}{more})" if shown else ""
        )


@dataclass
class CheckReport:
    """The problems found in a project, and what was looked at."""

    path: Path
    schema: int | None
    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]

    @property
    def damaged(self) -> Problem | None:
        """The integrity problem, when SQLite found the file damaged."""
        return next((p for p in self.problems if p.kind == "integrity"), None)

    def to_dict(self) -> dict:
        return {
            "project": str(self.path),
            "ok": not self.errors,
            "schema_version": self.schema,
            "counts": self.counts,
            "problems": [p.to_dict() for p in self.problems],
        }


def check_project(
    path: str | os.PathLike[str], *, quick: bool = False
) -> list[Problem]:
    """The problems in a project file: [] when it is sound.

    Args:
        path: The project file.
        quick: PRAGMA quick_check instead of the full integrity_check (skips
            checking that indexes match their tables).

    Returns:
        The problems; a file SQLite finds damaged gives one ``integrity``
        problem and nothing else (the other checks would read the damage).

    Raises:
        ProjectError: missing, not a coder project, or newer than this coder.
    """
    return check_report(path, quick=quick).problems


def check_report(path: str | os.PathLike[str], *, quick: bool = False) -> CheckReport:
    """Check a project file; see `check_project`."""
    path = Path(path)
    try:
        schema = inspect_project(path)
    except ProjectError as exc:
        # A header SQLite cannot read (a file cut short, or a -wal beside it
        # and a damaged first page) is a damaged project, not a foreign file.
        if not is_damaged(exc.__cause__):
            raise
        return CheckReport(path, None, [_damage(exc.__cause__)])
    report = CheckReport(path, schema)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute(f"PRAGMA busy_timeout = {busy_timeout_ms()}")
        conn.execute("PRAGMA query_only = ON")
        # One read transaction: every check sees the same state, even while
        # others write.
        conn.execute("BEGIN")
        integrity = _integrity(conn, quick)
        if integrity:
            # The rest would read the damaged pages: stop at what SQLite says.
            report.problems.append(integrity)
            return report
        tables = {
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
            )
        }
        for check in (
            _foreign_keys,
            _spans,
            _code_tree,
            _memo_targets,
            _event_log,
        ):
            report.problems.extend(check(conn, tables))
        report.counts = {
            table: conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            for table in COUNTED
            if table in tables
        }
        if "memos" in report.counts and "codings" in tables:
            # Memos on codings live on the coding; count them as `coder info` does.
            report.counts["memos"] += conn.execute(
                "SELECT COUNT(*) FROM codings WHERE memo IS NOT NULL AND memo != ''"
            ).fetchone()[0]
    except sqlite3.DatabaseError as exc:
        if not is_damaged(exc):
            raise
        report.problems, report.counts = [_damage(exc)], {}
    finally:
        conn.close()
    return report


def _damage(exc: BaseException) -> Problem:
    return Problem("integrity", INTEGRITY, 1, (str(exc),))


def _integrity(conn: sqlite3.Connection, quick: bool) -> Problem | None:
    pragma = "quick_check" if quick else "integrity_check"
    rows = [row[0] for row in conn.execute(f"PRAGMA {pragma}")]
    if rows == ["ok"]:
        return None
    return Problem(
        "integrity",
        INTEGRITY,
        len(rows),
        tuple(rows[:EXAMPLES]),
    )


def _noun(table: str, n: int = 1) -> str:
    noun = NOUNS.get(table, table)
    return noun if n == 1 else f"{noun}s"


def _foreign_keys(conn: sqlite3.Connection, tables: set[str]) -> list[Problem]:
    """Rows pointing at a row that does not exist (codes, coders, documents, ...)."""
    groups: dict[tuple[str, int], list[int]] = defaultdict(list)
    parents: dict[tuple[str, int], str] = {}
    for table, rowid, parent, fkid in conn.execute("PRAGMA foreign_key_check"):
        groups[(table, fkid)].append(rowid)
        parents[(table, fkid)] = parent
    problems = []
    for (table, fkid), rowids in sorted(groups.items()):
        columns = [
            row[3]
            for row in conn.execute(f"PRAGMA foreign_key_list({table})")
            if row[0] == fkid
        ]
        parent = parents[(table, fkid)]
        examples = []
        for rowid in rowids[:EXAMPLES]:
            values = conn.execute(
                f"SELECT {', '.join(_quote(c) for c in columns)} FROM {_quote(table)}"
                " WHERE rowid = ?",
                [rowid],
            ).fetchone()
            shown = ", ".join(
                f"{column} {value!r}"
                for column, value in zip(columns, values, strict=True)
            )
            examples.append(f"{_noun(table)} {rowid}: {shown}")
        problems.append(
            Problem(
                f"{table}.{','.join(columns)}",
                f"{_noun(table, 2)} whose {', '.join(columns)} names no {_noun(parent)}",
                len(rowids),
                tuple(examples),
            )
        )
    return problems


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _spans(conn: sqlite3.Connection, tables: set[str]) -> list[Problem]:
    """Spans outside their document's text: 0 <= start < end <= len(text)."""
    problems = []
    for table, may_be_empty in SPANS:
        if table not in tables:
            continue
        order = "<=" if may_be_empty else "<"
        # length() of TEXT counts characters (code points), as Python's len()
        # does; each document's length is computed once.
        rows = conn.execute(
            "WITH lengths AS MATERIALIZED (SELECT id, name, length(text) AS n FROM documents)"
            f' SELECT t.rowid, l.name, t.start, t."end", l.n FROM {table} t'
            " JOIN lengths l ON l.id = t.document_id"
            f' WHERE NOT (0 <= t.start AND t.start {order} t."end" AND t."end" <= l.n)'
            " ORDER BY t.rowid"
        ).fetchall()
        if not rows:
            continue
        problems.append(
            Problem(
                f"{_noun(table)}_spans",
                f"{_noun(table, 2)} outside their document's text",
                len(rows),
                tuple(
                    f"{_noun(table)} {rowid} on {name} [{start}:{end}],"
                    f" text of {length:,} characters"
                    for rowid, name, start, end, length in rows[:EXAMPLES]
                ),
            )
        )
    return problems


def _code_tree(conn: sqlite3.Connection, tables: set[str]) -> list[Problem]:
    """Codes whose chain of parents comes back to them (the tree has a loop)."""
    parent = dict(conn.execute("SELECT id, parent_id FROM codes"))
    looped = []
    for code in parent:
        seen = {code}
        step = parent.get(code)
        while step is not None and step in parent:
            if step in seen:
                looped.append(code)
                break
            seen.add(step)
            step = parent[step]
    if not looped:
        return []
    return [
        Problem(
            "code_tree",
            "codes whose parents loop back to them",
            len(looped),
            tuple(
                f"code {code!r} under {parent[code]!r}" for code in looped[:EXAMPLES]
            ),
        )
    ]


def _memo_targets(conn: sqlite3.Connection, tables: set[str]) -> list[Problem]:
    """Memos whose target is gone (a warning: removing a code leaves its memos)."""
    documents = dict(conn.execute("SELECT name, length(text) FROM documents"))
    cases = {row[0] for row in conn.execute("SELECT name FROM cases")}
    codes = {row[0] for row in conn.execute("SELECT id FROM codes")}
    codings = {row[0] for row in conn.execute("SELECT id FROM codings")}
    gone = []
    for memo_id, kind, target in conn.execute(
        "SELECT id, target_type, target_id FROM memos ORDER BY id"
    ):
        if kind == "project":
            found = True
        elif target is None:
            found = False
        elif kind == "document":
            found = target in documents
        elif kind == "case":
            found = target in cases
        elif kind == "code":
            # A framework cell's summary: "<code id>|<row key>".
            found = target.partition("|")[0] in codes
        elif kind == "coding":
            found = target.isdigit() and int(target) in codings
        elif kind == "segment":
            found = _segment_exists(target, documents)
        else:
            found = False
        if not found:
            gone.append(f"memo {memo_id} on {kind} {target!r}")
    if not gone:
        return []
    return [
        Problem(
            "memo_targets",
            "memos on something that no longer exists",
            len(gone),
            tuple(gone[:EXAMPLES]),
            WARNING,
        )
    ]


def _segment_exists(key: str, documents: dict[str, int]) -> bool:
    """A segment memo's key is "<document>:<start>-<end>"."""
    document, _, span = key.rpartition(":")
    start, _, end = span.partition("-")
    if document not in documents or not (start.isdigit() and end.isdigit()):
        return False
    return int(start) <= int(end) <= documents[document]


def _event_log(conn: sqlite3.Connection, tables: set[str]) -> list[Problem]:
    """The event log: protected by its triggers, no ids missing, times readable."""
    problems = []
    triggers = [
        sql.upper()
        for (sql,) in conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'events'"
        )
    ]
    for statement in ("UPDATE", "DELETE"):
        if not any(f"BEFORE {statement}" in sql and "RAISE" in sql for sql in triggers):
            problems.append(
                Problem(
                    "event_triggers",
                    f"the event log accepts {statement} (its append-only trigger is gone)",
                    1,
                )
            )
    # Ids come from AUTOINCREMENT and are never reused or rolled past: a
    # missing id is an event deleted (only possible with the trigger gone).
    count, highest = conn.execute("SELECT COUNT(*), MAX(id) FROM events").fetchone()
    sequence = conn.execute(
        "SELECT seq FROM sqlite_sequence WHERE name = 'events'"
    ).fetchone()
    last = max(highest or 0, sequence[0] if sequence else 0)
    if last > count:
        problems.append(
            Problem(
                "event_gaps",
                "events missing from the log (ids that were used and are gone)",
                last - count,
                tuple(_gaps(conn, last)[:EXAMPLES]),
            )
        )
    unreadable = conn.execute(
        "SELECT id, at FROM events WHERE julianday(at) IS NULL ORDER BY id"
    ).fetchall()
    if unreadable:
        problems.append(
            Problem(
                "event_times",
                "events whose time is not an ISO 8601 time stamp",
                len(unreadable),
                tuple(f"event {i}: {at!r}" for i, at in unreadable[:EXAMPLES]),
            )
        )
    # Each event against the latest time logged before it.
    backwards = conn.execute(
        "SELECT id, at, behind FROM (SELECT id, at, (MAX(julianday(at)) OVER"
        " (ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)"
        " - julianday(at)) * 86400 AS behind FROM events) WHERE behind > ? ORDER BY id",
        [CLOCK_SLACK_SECONDS],
    ).fetchall()
    if backwards:
        problems.append(
            Problem(
                "event_order",
                f"events logged over {CLOCK_SLACK_SECONDS} s earlier than an event"
                " before them (clocks that disagree, or events written by hand)",
                len(backwards),
                tuple(
                    f"event {i} at {at}, {behind:,.0f} s before an earlier one"
                    for i, at, behind in backwards[:EXAMPLES]
                ),
                WARNING,
            )
        )
    return problems


def _gaps(conn: sqlite3.Connection, last: int) -> list[str]:
    ranges = []
    expected = 1
    for (event_id,) in conn.execute("SELECT id FROM events ORDER BY id"):
        if event_id > expected:
            ranges.append((expected, event_id - 1))
        expected = event_id + 1
        if len(ranges) >= EXAMPLES:
            break
    if expected <= last and len(ranges) < EXAMPLES:
        ranges.append((expected, last))
    return [f"ids {a}-{b}" if a != b else f"id {a}" for a, b in ranges]


def damaged_error(report: CheckReport) -> ProjectError:
    """The one-line error for a report whose integrity check failed."""
    problem = report.damaged
    assert problem is not None
    # integrity_check's rows can span lines ("*** in database main ***\nPage 5: ...").
    lines = [
        line.strip()
        for row in problem.examples
        for line in row.splitlines()
        if line.strip() and not line.startswith("***")
    ]
    detail = lines[0] if lines else "the integrity check failed"
    if problem.count > 1:
        detail += f", and {problem.count - 1:,} more"
    return ProjectError(
        f"{report.path}: the project file is damaged ({detail})",
        hint=restore_hint(report.path),
    )


__all__ = [
    "ERROR",
    "WARNING",
    "CheckReport",
    "Problem",
    "check_project",
    "check_report",
    "damaged_error",
]
