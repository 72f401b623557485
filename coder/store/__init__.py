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


_import_sqlite_utils_alone()

from coder.store.project import (  # noqa: E402
    DEFAULT_PROJECT,
    Project,
    create_project,
    open_project,
)

__all__ = ["DEFAULT_PROJECT", "Project", "create_project", "open_project"]
