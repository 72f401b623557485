"""Hostile and broken REFI-QDA packages: one line naming the file and the entry, and the project unchanged."""

from __future__ import annotations

import stat
import zipfile

import pytest

from coder.errors import InputError, LimitError
from coder.refi.package import safe_name
from coder.refi.project_import import import_refi
from coder.store import create_project, open_project

from .conftest import project_state
from .test_project_import import NS, make_qdpx

GOOD_SOURCE = (
    '<TextSource guid="30000000-0000-4000-8000-000000000000" name="s"'
    ' plainTextPath="internal://s.txt">'
    '<PlainTextSelection guid="00000000-0000-4000-8000-000000000000" startPosition="{start}"'
    ' endPosition="{end}"><Coding guid="10000000-0000-4000-8000-000000000000">'
    '<CodeRef targetGUID="20000000-0000-4000-8000-000000000000"/></Coding>'
    "</PlainTextSelection></TextSource>"
)


def project_xml(start: int = 0, end: int = 4, path: str = "internal://s.txt") -> str:
    return (
        f'<Project {NS} name="p"><CodeBook><Codes>'
        '<Code guid="20000000-0000-4000-8000-000000000000" name="c" isCodable="true"/>'
        "</Codes></CodeBook><Sources>"
        + GOOD_SOURCE.format(start=start, end=end).replace("internal://s.txt", path)
        + "</Sources></Project>"
    )


LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE Project [\n <!ENTITY lol "lol">\n'
    ' <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n'
    ' <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">\n]>\n'
    f'<Project {NS} name="&lol3;"/>'
)
EXTERNAL = (
    '<?xml version="1.0"?>\n<!DOCTYPE Project [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
    f'<Project {NS} name="&x;"/>'
)


@pytest.fixture
def study(tmp_path):
    """A project with one document and a coding, to see it stays as it was."""
    path = tmp_path / "study.db"
    good = make_qdpx(
        tmp_path / "good.qdpx", project_xml(), {"sources/s.txt": b"Ein Text."}
    )
    with create_project(path, actor="tester") as project:
        import_refi(project, good)
        project.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


def _zip(path, members: list[tuple[zipfile.ZipInfo | str, bytes]]):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in members:
            archive.writestr(info, data)
    return path


def _symlink() -> zipfile.ZipInfo:
    info = zipfile.ZipInfo("sources/s.txt")
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


CASES = {
    "entity expansion": (
        lambda t: make_qdpx(t / "x.qdpx", LAUGHS),
        LimitError,
        "{path}: project.qde line 2 declares a DTD (<!DOCTYPE); coder does not read DTDs"
        " or expand entities",
    ),
    "external entity": (
        lambda t: make_qdpx(t / "x.qdpx", EXTERNAL),
        LimitError,
        "{path}: project.qde line 2 declares a DTD (<!DOCTYPE); coder does not read DTDs"
        " or expand entities",
    ),
    "entity in a bare .qde": (
        lambda t: (t / "x.qde").write_text(LAUGHS) and t / "x.qde",
        LimitError,
        "{path}: x.qde line 2 declares a DTD (<!DOCTYPE); coder does not read DTDs"
        " or expand entities",
    ),
    "zip slip": (
        lambda t: _zip(
            t / "x.qdpx",
            [("project.qde", project_xml().encode()), ("../../evil.txt", b"x")],
        ),
        InputError,
        "{path}: entry '../../evil.txt' has an absolute or '..' name (a zip slip); refused",
    ),
    "absolute name": (
        lambda t: _zip(
            t / "x.qdpx",
            [("project.qde", project_xml().encode()), ("/etc/cron.d/evil", b"x")],
        ),
        InputError,
        "{path}: entry '/etc/cron.d/evil' has an absolute or '..' name (a zip slip); refused",
    ),
    "symlink": (
        lambda t: _zip(
            t / "x.qdpx",
            [("project.qde", project_xml().encode()), (_symlink(), b"/etc/passwd")],
        ),
        InputError,
        "{path}: entry 'sources/s.txt' is a symbolic link; coder does not follow links in"
        " an archive",
    ),
    "zip bomb": (
        lambda t: _zip(
            t / "x.qdpx",
            [
                ("project.qde", project_xml().encode()),
                ("sources/s.txt", bytes(30_000_000)),
            ],
        ),
        LimitError,
        "{path}: entry 'sources/s.txt' unpacks {ratio:,} times its packed size (a zip bomb);"
        " coder allows 200",
    ),
    "not XML": (
        lambda t: make_qdpx(t / "x.qdpx", "this is a .qde from nowhere"),
        InputError,
        "{path}: project.qde line 1: not well-formed XML: Start tag expected, '<' not found",
    ),
    "not a project": (
        lambda t: make_qdpx(
            t / "x.qdpx", '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"/>'
        ),
        InputError,
        "{path}: project.qde line 1: the root element is <CodeBook>, not a REFI-QDA <Project>",
    ),
    "no project.qde": (
        lambda t: _zip(t / "x.qdpx", [("sources/s.txt", b"x")]),
        InputError,
        "{path}: no project.qde in this .qdpx archive (it holds sources/s.txt)",
    ),
    "not a zip": (
        lambda t: (t / "x.qdpx").write_bytes(b"PK\x03\x04 broken") and t / "x.qdpx",
        InputError,
        "{path}: not a readable .qdpx (ZIP) file: File is not a zip file",
    ),
    "selection outside its source": (
        lambda t: make_qdpx(
            t / "x.qdpx", project_xml(3, 999), {"sources/s.txt": b"Ein Text."}
        ),
        InputError,
        "{path}: project.qde line 1: selection 3-999 is outside source 's' (9 characters);"
        " nothing imported",
    ),
    "position not a number": (
        lambda t: make_qdpx(
            t / "x.qdpx",
            project_xml().replace('endPosition="4"', 'endPosition="vier"'),
            {"sources/s.txt": b"Ein Text."},
        ),
        InputError,
        "{path}: project.qde line 1: PlainTextSelection has endPosition='vier', not a"
        " whole number",
    ),
    "source path outside the package": (
        lambda t: make_qdpx(
            t / "x.qdpx", project_xml(path="internal://../../etc/passwd")
        ),
        InputError,
        "{path}: project.qde: file name 'internal://../../etc/passwd' points outside the"
        " project; refused",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_and_broken_files_change_nothing(study, tmp_path, case):
    make, kind, message = CASES[case]
    path = make(tmp_path)
    before = project_state(study)
    with open_project(study) as project, pytest.raises(kind) as caught:
        import_refi(project, path)
    ratio = None
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            ratio = max(
                i.file_size // max(i.compress_size, 1) for i in archive.infolist()
            )
    assert str(caught.value) == message.format(path=path, ratio=ratio)
    assert "\n" not in str(caught.value)
    assert project_state(study) == before


def test_entities_are_never_expanded_even_inside_attributes(tmp_path):
    # libxml2 would expand entities in attribute values: the DTD is refused first.
    path = make_qdpx(tmp_path / "x.qdpx", EXTERNAL)
    with create_project(tmp_path / "s.db") as project, pytest.raises(LimitError):
        import_refi(project, path, dry_run=True)


@pytest.mark.parametrize(
    "name, expected",
    [
        ("sources/a.txt", "sources/a.txt"),
        ("./sources//a.txt", "sources/a.txt"),
        ("sources\\a.txt", "sources/a.txt"),
        ("../a.txt", None),
        ("sources/../../a.txt", None),
        ("/etc/passwd", None),
        ("C:\\Windows\\a.txt", None),
        ("a\x00.txt", None),
        ("", None),
    ],
)
def test_safe_names(name, expected):
    assert safe_name(name) == expected


def test_a_bare_qde_names_the_file_and_line(study, tmp_path):
    qde = tmp_path / "project.qde"
    qde.write_text(project_xml(3, 999).replace("><", ">\n<"), encoding="utf-8")
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "s.txt").write_text("Ein Text.", encoding="utf-8")
    before = project_state(study)
    with open_project(study) as project, pytest.raises(InputError) as caught:
        import_refi(project, qde)
    assert str(caught.value) == (
        f"{qde}:9: selection 3-999 is outside source 's' (9 characters); nothing imported"
    )
    assert project_state(study) == before
