"""The project store: one SQLite file per study."""

import sys


def _import_sqlite_utils_alone() -> None:
    """Import sqlite-utils with pandas and numpy hidden from it.

    sqlite-utils imports both when they are installed (pandas alone is about
    0.3 s of every command's start-up) only to map their scalar types to
    column types when it creates tables, which coder never has it do: the
    schema is coder's own SQL. A ``None`` in ``sys.modules`` makes those
    imports fail fast; it is removed again at once, so coder's analyses (and
    anything else) import numpy and pandas as usual.
    """
    if "sqlite_utils" in sys.modules:
        return
    hidden = [name for name in ("pandas", "numpy") if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]
    try:
        import sqlite_utils  # noqa: F401
    finally:
        for name in hidden:
            if sys.modules.get(name, ...) is None:
                del sys.modules[name]


_import_sqlite_utils_alone()

from coder.store.project import (  # noqa: E402
    DEFAULT_PROJECT,
    Project,
    create_project,
    open_project,
)

__all__ = ["DEFAULT_PROJECT", "Project", "create_project", "open_project"]
