"""The project store: one SQLite file per study."""

import sys


def _import_sqlite_utils_without_pandas() -> None:
    """Import sqlite-utils with pandas hidden.

    sqlite-utils imports pandas when it is installed (about 0.3 s of every
    command's start-up) only to map ``pandas.Timestamp`` to a column type,
    which coder never stores. A ``None`` in ``sys.modules`` makes that import
    fail fast; it is removed again so that anything else can still import
    pandas.
    """
    if "pandas" in sys.modules or "sqlite_utils" in sys.modules:
        return
    sys.modules["pandas"] = None  # type: ignore[assignment]
    try:
        import sqlite_utils  # noqa: F401
    finally:
        if sys.modules.get("pandas", ...) is None:
            del sys.modules["pandas"]


_import_sqlite_utils_without_pandas()

from coder.store.project import (  # noqa: E402
    DEFAULT_PROJECT,
    Project,
    create_project,
    open_project,
)

__all__ = ["DEFAULT_PROJECT", "Project", "create_project", "open_project"]
