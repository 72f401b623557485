"""Opening a damaged project file: one ProjectError naming the file and the way back."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from coder.errors import ProjectError, restore_hint
from coder.store import open_project
from coder.store.project import inspect_project

PAGE = 4096


def _garble(path: Path, start: int, end: int | None = None) -> None:
    """Overwrite bytes start..end of the file with garbage, as a failing disk would."""
    data = bytearray(path.read_bytes())
    for i in range(start, len(data) if end is None else end):
        data[i] = 0xAB if i % 3 else 0x00
    path.write_bytes(bytes(data))


@pytest.fixture
def project_file(demo_path) -> Path:
    return demo_path


def _refused(path: Path) -> ProjectError:
    with pytest.raises(ProjectError) as caught:
        open_project(path)
    assert caught.value.hint == restore_hint(path)
    return caught.value


def test_garbage_after_the_first_page(project_file):
    _garble(project_file, PAGE)
    error = _refused(project_file)
    assert str(error) == (
        f"{project_file}: the project file is damaged (database disk image is malformed)"
    )


def test_garbage_in_the_first_page_after_the_header(project_file):
    _garble(project_file, 100, PAGE)
    error = _refused(project_file)
    assert str(error).startswith(f"{project_file}: the project file is damaged (")


def test_a_header_sqlite_cannot_read(project_file):
    data = bytearray(project_file.read_bytes())
    data[16:18] = b"\x00\x03"  # a page size that is not a power of two
    project_file.write_bytes(bytes(data))
    error = _refused(project_file)
    assert str(error) == (
        f"{project_file}: the project file is damaged (file is not a database)"
    )


def test_a_file_cut_short(project_file):
    project_file.write_bytes(project_file.read_bytes()[:60])
    error = _refused(project_file)
    assert str(error) == (
        f"{project_file}: the project file is damaged"
        " (file is not a database: cut short at 60 bytes)"
    )
    with pytest.raises(ProjectError):
        inspect_project(project_file)


def test_a_file_cut_at_a_page(project_file):
    project_file.write_bytes(project_file.read_bytes()[: 3 * PAGE])
    error = _refused(project_file)
    assert "the project file is damaged" in str(error)


def test_a_damaged_file_with_a_wal_beside_it(project_file, tmp_path):
    # With a -wal the header is read through SQLite, not from the bytes.
    wal = project_file.with_name(f"{project_file.name}-wal")
    _garble(project_file, 100, PAGE)
    wal.write_bytes(b"")
    error = _refused(project_file)
    assert str(error).startswith(f"{project_file}: the project file is damaged (")


def test_a_sound_copy_still_opens(project_file, tmp_path):
    copy = tmp_path / "copy.db"
    shutil.copyfile(project_file, copy)
    _garble(project_file, PAGE)
    with open_project(copy) as project:
        assert project.db.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == 9
