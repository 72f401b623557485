"""The errors coder raises for a user's mistakes, each one line that names its place."""

from __future__ import annotations


class CoderError(Exception):
    """A problem the user can act on; shown without a traceback."""


class InputError(CoderError):
    """Bad input in a file: names the file and, where known, the line."""

    def __init__(self, path: str, message: str, line: int | None = None) -> None:
        self.path = str(path)
        self.line = line
        self.detail = message
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {message}")

    def __reduce__(self):
        # Rebuilt from its parts when it travels back from a worker process.
        return type(self), (self.path, self.detail, self.line)


class ProjectError(CoderError):
    """The project file is missing, foreign, or from a newer coder."""


class NotFoundError(CoderError):
    """A named document, case, code or attribute does not exist."""


class ConflictError(CoderError):
    """An action would lose or duplicate stored work unless forced."""


class PipelineError(CoderError):
    """A spaCy pipeline cannot be loaded."""


class BusyError(ProjectError):
    """Another process held the project's write lock for longer than we wait."""


class LimitError(InputError):
    """An input file exceeds a safety limit (size, expansion, nesting, members)."""
