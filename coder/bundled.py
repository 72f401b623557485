"""Where the bundled demo study and user guide live: in the wheel, or in a checkout."""

from __future__ import annotations

from pathlib import Path

from coder.errors import CoderError

PACKAGE_DIR = Path(__file__).resolve().parent


def bundled_dir(name: str) -> Path:
    """The bundled ``transcripts``, ``codebooks`` or ``docs`` folder.

    A wheel carries them under ``coder/_bundled/``; an editable install or a
    checkout finds them at the top of the repository.
    """
    for candidate in (PACKAGE_DIR / "_bundled" / name, PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise CoderError(f"the bundled '{name}' folder is missing from this installation")
