"""Code saturation: in interview order, how many codes each document adds that no
earlier document used, the cumulative curve researchers use to argue that
further interviews add little (Guest, Bunce and Johnson 2006).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from coder.analysis.passes import View, coder_clause, coding_columns
from coder.analysis.scope import (
    Dimension,
    Doc,
    Filter,
    Scope,
    Whose,
    build_scope,
    doc_value,
    sort_key,
    uses_attributes,
)
from coder.errors import CoderError, NotFoundError
from coder.names import unknown_name
from coder.store import Project


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
    whose: Whose = field(default_factory=Whose)

    def to_dict(self) -> dict[str, Any]:
        return {
            "counted": self.whose.to_dict(),
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


def saturation(
    project: Project,
    *,
    order: str = "import",
    cols: str = "codes",
    coder: str | None = None,
    whose: Whose | None = None,
    rollup: bool = False,
    where: Sequence[str | Filter] = (),
) -> Saturation:
    """For the interviews in order, the codes each one added and the cumulative count.

    Args:
        order: ``import`` (the order documents were imported), ``name``, or
            ``attr:NAME`` (e.g. ``attr:interview_date``; documents without a
            value come last, ties by import order).
    """
    scope = build_scope(
        project,
        cols=cols,
        coder=coder,
        whose=whose,
        rollup=rollup,
        where=where,
        attributes=uses_attributes([], order),
    )
    docs, values = in_order(scope, order)
    used: dict[int, set[int]] = defaultdict(set)
    clause, params = coder_clause(scope)
    for doc_id, code_id in project.execute(
        f"SELECT DISTINCT document_id, code_id FROM codings{clause}", params
    ):
        if doc_id in scope.docs:
            used[doc_id].update(scope.columns_of(code_id))
    return saturation_in_scope(scope, order, docs, values, used)


def in_order(scope: Scope, order: str) -> tuple[list[Doc], dict[int, str]]:
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
        values = {d.id: doc_value(dim, d) for d in docs}
        docs.sort(key=lambda d: sort_key(dim, values[d.id], scope))
        return docs, values
    raise CoderError(f"unknown order '{order}' (orders: import, name, attr:NAME)")


class Used:
    """The columns each document used (for saturation within a shared pass)."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.used: dict[int, set[int]] = defaultdict(set)

    def add(self, view: View) -> None:
        if len(view.dc):
            _, col = coding_columns(self.scope, np.unique(view.dc.codes))
            self.used[view.doc.id].update(col.tolist())


def saturation_in_scope(
    scope: Scope,
    order: str,
    docs: list[Doc],
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
    return Saturation(steps, order, len(scope.columns), scope.coders, whose=scope.whose)
