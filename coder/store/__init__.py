"""The project store: one SQLite file per study."""

from coder.store.project import (
    DEFAULT_PROJECT,
    Project,
    create_project,
    open_project,
)

__all__ = ["DEFAULT_PROJECT", "Project", "create_project", "open_project"]
