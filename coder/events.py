"""The event log: one event per coding a bulk command changes, and reading the log back.

A person's own coding is logged as `code` and `uncode` (coder.coding), which
undo and redo replay. Commands that change many codings at once (merge,
codings import, `import --replace --force`, codebook load, code merge and
split, consensus) log their summary event first and then one event per
coding: `add`, `remove` or `recode`, each with the coding's full data and
``batch``, the id of the summary event. Undo leaves these alone; the log
holds what is needed to reverse them by hand.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import PurePath
from typing import Any

from coder.errors import CoderError
from coder.store import Project

ADD, REMOVE, RECODE = "add", "remove", "recode"
# Events with one coding's data: a person's and a bulk command's (`delete`:
# what code removals were logged as before `remove`).
CODING_ACTIONS = ("code", "uncode", ADD, REMOVE, RECODE, "delete")
# What a coding event's data holds (a recode adds `old_code`, a remove `reason`).
CODING_FIELDS = (
    "document",
    "code",
    "start",
    "end",
    "coder",
    "created_at",
    "memo",
    "source",
)
_CODING_SELECT = (
    'SELECT c.id, d.name, c.code_id, c.start, c."end", k.name, c.created_at,'
    " c.memo, c.source FROM codings c JOIN documents d ON d.id = c.document_id"
    " JOIN coders k ON k.id = c.coder_id"
)
# The actions and entities coder writes, so a mistyped filter is caught.
ACTIONS = (
    "accept",
    ADD,
    "code",
    "create",
    "delete",
    "edit",
    "import",
    "load",
    "memo",
    "merge",
    "move",
    RECODE,
    "redo",
    "reject",
    REMOVE,
    "rename",
    "resolve",
    "restore",
    "retype",
    "seed",
    "set",
    "set_case",
    "split",
    "suggest",
    "uncode",
    "undo",
    "write",
)
ENTITIES = (
    "attribute",
    "case",
    "code",
    "codebook",
    "coding",
    "codings",
    "consensus",
    "disagreement",
    "document",
    "project",
    "segment",
    "suggestion",
    "suggestions",
)
DEFAULT_LIMIT = 50


# Writing ----------------------------------------------------------------------


def codings_data(
    project: Project, where: str, params: Sequence[Any] = ()
) -> list[tuple[int, dict[str, Any]]]:
    """The codings matching `where` (on ``c``, the codings table), each as
    (id, data in the shape of a coding event), in id order."""
    rows = project.execute(f"{_CODING_SELECT} WHERE {where} ORDER BY c.id", params)
    return [(row[0], dict(zip(CODING_FIELDS, row[1:], strict=True))) for row in rows]


def log_codings(
    project: Project,
    action: str,
    codings: Iterable[tuple[int, dict[str, Any]]],
    *,
    batch: int,
    **extra: Any,
) -> int:
    """One `action` event per coding, grouped under the summary event `batch`.

    Args:
        action: `add`, `remove` or `recode`.
        codings: (coding id, data) pairs as `codings_data` returns them.
        batch: The id of the command's summary event (what `Project.log` returned).
        extra: Added to every event's data (e.g. ``reason``).

    Returns:
        How many events were written.
    """
    return project.log_many(
        (action, "coding", coding_id, {**data, **extra, "batch": batch})
        for coding_id, data in codings
    )


# Reading ----------------------------------------------------------------------


@dataclass
class Event:
    """One row of the log; `folded` counts the batch's events shown with it."""

    id: int
    at: str
    actor: str
    action: str
    entity: str
    entity_id: str | None
    data: dict[str, Any]
    folded: int = 0

    def describe(self) -> str:
        """A short line on what happened, for a table row."""
        return _describe(self) + self.folded_note()

    def what(self) -> str:
        """`describe` without the folded count."""
        return _describe(self)

    def folded_note(self) -> str:
        """How many events of the batch this row stands for, e.g. `` (+4,000)``."""
        return f" (+{self.folded:,})" if self.folded else ""

    def to_dict(self) -> dict[str, Any]:
        return dict(vars(self))


def parse_time(text: str, *, end: bool = False) -> str:
    """An ISO date or date-time as a bound on the stored UTC time stamps.

    A date without a time is a whole local day: as a start it is the day's
    first moment, as an `end` the next day's (exclusive). A time without an
    offset is local time.
    """
    value: datetime
    try:
        if _is_date(text):
            day = date.fromisoformat(text.strip())
            value = datetime.combine(day + timedelta(days=int(end)), time())
        else:
            value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise CoderError(
            f"'{text}' is not an ISO date or date-time (e.g. 2024-05-06 or"
            " 2024-05-06T14:30)"
        ) from None
    if value.tzinfo is None:
        value = value.astimezone()  # naive means local
    return value.astimezone(UTC).isoformat(timespec="milliseconds")


def _is_date(text: str) -> bool:
    """A bare ISO date (2024-05-06), as opposed to a date-time."""
    return len(text.strip()) == 10


def _filters(
    alias: str,
    *,
    actor: str | None,
    actions: Sequence[str],
    entity: str | None,
    document: str | None,
    code: str | None,
    since: str | None,
    until: str | None,
) -> tuple[list[str], list[Any]]:
    """SQL conditions on the events table named `alias`, and their parameters."""
    where: list[str] = []
    params: list[Any] = []
    a = alias
    if actor is not None:
        where.append(f"{a}.actor = ?")
        params.append(actor)
    if actions:
        where.append(f"{a}.action IN ({', '.join('?' for _ in actions)})")
        params.extend(actions)
    if entity is not None:
        where.append(f"{a}.entity = ?")
        params.append(entity)
    if document is not None:
        # Coding events name the document; document events carry its id
        # (or, for memos, its name) and its name in the data.
        where.append(
            f"(json_extract({a}.data, '$.document') = ? OR ({a}.entity = 'document'"
            f" AND ({a}.entity_id = ? OR json_extract({a}.data, '$.name') = ?"
            f" OR {a}.entity_id IN (SELECT CAST(id AS TEXT) FROM documents WHERE name = ?))))"
        )
        params.extend([document] * 4)
    if code is not None:
        where.append(
            f"(json_extract({a}.data, '$.code') = ? OR json_extract({a}.data, '$.old_code') = ?"
            f" OR json_extract({a}.data, '$.code_id') = ?"
            f" OR json_extract({a}.data, '$.into') = ?"
            f" OR ({a}.entity = 'code' AND {a}.entity_id = ?))"
        )
        params.extend([code] * 5)
    if since is not None:
        where.append(f"{a}.at >= ?")
        params.append(parse_time(since))
    if until is not None:
        # A bare date includes that whole day; a date-time is inclusive.
        bound = parse_time(until, end=True)
        where.append(f"{a}.at {'<' if _is_date(until) else '<='} ?")
        params.append(bound)
    return where, params


def _check_names(project: Project, column: str, given: Sequence[str], known) -> None:
    """Raise on a name neither coder writes nor the log holds (a typo)."""
    if all(name in known for name in given):
        return
    logged = {
        row[0] for row in project.execute(f"SELECT DISTINCT {column} FROM events")
    }
    valid = sorted(set(known) | logged)
    for name in given:
        if name not in valid:
            raise CoderError(f"unknown {column} '{name}' (known: {', '.join(valid)})")


def find_events(
    project: Project,
    *,
    actor: str | None = None,
    actions: Sequence[str] = (),
    entity: str | None = None,
    document: str | None = None,
    code: str | None = None,
    since: str | None = None,
    until: str | None = None,
    limit: int | None = DEFAULT_LIMIT,
    expand: bool = False,
) -> list[Event]:
    """Events matching every filter given, newest first.

    Args:
        actor: Who made the change.
        actions: Any of these actions (`code`, `merge`, ...).
        entity: What kind of thing changed (`coding`, `document`, ...).
        document: Events about this document (by name).
        code: Events about this code (by id), including codings of it.
        since: ISO date or date-time: at or after.
        until: ISO date (that day included) or date-time: at or before.
        limit: At most this many rows; None for all.
        expand: List every event of a bulk change; by default one that
            matches the filters together with its summary event is folded
            into the summary's row (see `Event.folded`).

    Raises:
        CoderError: an unknown action or entity, or a time that is not ISO 8601.
    """
    _check_names(project, "action", actions, ACTIONS)
    _check_names(project, "entity", [entity] if entity else [], ENTITIES)
    kwargs = dict(
        actor=actor,
        actions=actions,
        entity=entity,
        document=document,
        code=code,
        since=since,
        until=until,
    )
    where, params = _filters("e", **kwargs)
    if not expand:
        head_where, head_params = _filters("h", **kwargs)
        where.append(
            "NOT EXISTS (SELECT 1 FROM events h WHERE h.id = json_extract(e.data, '$.batch')"
            + "".join(f" AND {w}" for w in head_where)
            + ")"
        )
        params.extend(head_params)
    sql = "SELECT e.id, e.at, e.actor, e.action, e.entity, e.entity_id, e.data FROM events e"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY e.id DESC"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    events = [
        Event(*row[:6], json.loads(row[6])) for row in project.execute(sql, params)
    ]
    if not expand and events:
        _count_folded(project, events, kwargs)
    return events


def _count_folded(
    project: Project, events: list[Event], filters: dict[str, Any]
) -> None:
    """Set `folded` on each shown summary event: its batch's events that match too."""
    where, params = _filters("e", **filters)
    # A batch's events come after its summary, so only newer ids can be members.
    where.append("e.id > ?")
    params.append(min(event.id for event in events))
    sql = (
        "SELECT json_extract(e.data, '$.batch') AS batch, COUNT(*) FROM events e"
        " WHERE " + " AND ".join(where) + " GROUP BY batch HAVING batch IS NOT NULL"
    )
    counts = dict(project.execute(sql, params).fetchall())
    for event in events:
        event.folded = counts.get(event.id, 0)


def _span(data: dict[str, Any]) -> str:
    return f"{data.get('document')} {data.get('start')}-{data.get('end')}"


def _describe(event: Event) -> str:
    """What an event did, in a few words (its data has the rest)."""
    d, key = event.data, event.entity_id or ""
    if event.entity == "coding" and event.action in CODING_ACTIONS:
        # `code_id`: removals logged before coding events had one shape.
        text = f"{d.get('code') or d.get('code_id')} on {_span(d)}"
        if event.action == RECODE:
            text = f"{d.get('old_code')} → {text}"
        coder = d.get("coder")
        return text + (f" by {coder}" if coder and coder != event.actor else "")
    match event.action, event.entity:
        case (("undo" | "redo"), _):
            return f"event {d.get('event')}: {event.entity} {key}".rstrip()
        case "memo", _:
            return f"on {event.entity} {key}".rstrip()
        case "import", "document":
            replaced = " (replaced)" if d.get("replaced") else ""
            return f"{d.get('name')} from {d.get('file')}{replaced}"
        case "delete", "document":
            return f"{d.get('name')}: {d.get('codings_lost', 0)} codings lost"
        case "import", "codings":
            return f"{d.get('file')}: {d.get('added')} codings by {d.get('coder')}"
        case "merge", "project":
            added, memos = d.get("codings_added"), d.get("memos_added")
            return f"{PurePath(key).name}: {added} codings, {memos} memos"
        case "merge", "code":
            return f"{key} into {d.get('into')}"
        case "split", "code":
            return f"{key} into {', '.join(d.get('into', []))}"
        case "rename", "code":
            return f"{key}: {d.get('old')} → {d.get('new')}"
        case "move", "code":
            return f"{key} under {d.get('new') or '(top)'}"
        case "load", "codebook":
            return f"{PurePath(str(d.get('source'))).name} (revision {key})"
        case "seed", "consensus":
            return f"{d.get('codings')} codings by {key}"
        case "resolve", "disagreement":
            return f"{key}: {d.get('decision')}"
        case "set_case", "document":
            return f"{d.get('document') or key} in {d.get('case')}"
        case "set", "attribute":
            return f"{d.get('name')} on {d.get('count')} {d.get('target')}s"
        case "suggest", "suggestions":
            method = f" ({d['method']})" if d.get("method") else ""
            return f"{d.get('added', 0)} new{method}"
    if d.get("name"):
        return str(d["name"]) + (f" ({key})" if key and key != d["name"] else "")
    return key
