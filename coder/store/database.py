"""sqlite-utils, imported when a command first needs more than the connection.

A project is opened on a plain `sqlite3` connection (`coder.store.project`),
and most quick commands read through it alone; the sqlite-utils `Database`
around the same connection (migrations, savepoints, queries by dicts) is
made on first use. Importing sqlite-utils costs about a fifth of a quick
command's start-up, most of it spent compiling one regular expression.
"""

from __future__ import annotations

import sqlite3
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite_utils import Database


def database(conn: sqlite3.Connection) -> Database:
    """A sqlite-utils `Database` on this connection, with no plugins run.

    No sqlite-utils plugins: none is needed, none may change how a project
    file is opened, and finding them scans every installed package (40 ms).
    """
    _import_sqlite_utils_alone()
    from sqlite_utils import Database

    return Database(conn, execute_plugins=False)


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
    _lazy("dateutil.parser")
    try:
        import sqlite_utils  # noqa: F401
    finally:
        for name in hidden:
            if sys.modules.get(name, ...) is None:
                del sys.modules[name]


def _lazy(name: str):
    """Put module ``name`` in ``sys.modules`` as one that loads on first use.

    sqlite-utils' recipes (for ``sqlite-utils convert``) import
    python-dateutil's parser, a fifth of sqlite-utils' import time, which
    coder never uses. Python's own `importlib.util.LazyLoader` runs the
    module the first time anything reads from it, so it still works for
    whoever needs it. The module is also set on its package, so that
    ``from package import module`` takes it without loading it.
    """
    import importlib.util

    if name in sys.modules:
        return None
    try:
        spec = importlib.util.find_spec(name)
    except ImportError:
        return None
    if spec is None or spec.loader is None:
        return None
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    package, _, child = name.rpartition(".")
    setattr(sys.modules[package], child, module)
    return module
