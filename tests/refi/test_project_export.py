"""REFI-QDA project export: schema-valid .qdpx, stable GUIDs, each tool's positions, and the round trip."""

from __future__ import annotations

import zipfile

import pytest
from lxml import etree

from coder.codes import current_codebook
from coder.refi import PROJECT_NAMESPACE
from coder.refi.project_export import TARGETS, export_qdpx
from coder.refi.project_import import import_refi
from coder.store import create_project, open_project

from .conftest import CODERS

NS = {"q": PROJECT_NAMESPACE}


def _qde(path) -> etree._Element:
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read("project.qde"))


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_export_validates_against_project_xsd(
    coded_demo, tmp_path, project_schema, target
):
    output = tmp_path / "study.qdpx"
    with open_project(coded_demo) as project:
        report = export_qdpx(project, output, target)
    root = _qde(output)
    assert project_schema.validate(root), project_schema.error_log
    assert (report.sources, report.users, report.codes, report.cases) == (10, 3, 27, 3)
    with zipfile.ZipFile(output) as archive:
        names = archive.namelist()
    assert names[0] == "project.qde"
    # Every source is a .txt in the package under the name the project gives it.
    paths = [s.get("plainTextPath") for s in root.iterfind(".//q:TextSource", NS)]
    assert sorted(f"sources/{p.removeprefix('internal://')}" for p in paths) == sorted(
        names[1:]
    )


def test_export_carries_every_kind_of_thing(coded_demo, tmp_path):
    output = tmp_path / "study.qdpx"
    with open_project(coded_demo) as project:
        codings = project.db.execute("SELECT COUNT(*) FROM codings").fetchone()[0]
        report = export_qdpx(project, output)
    root = _qde(output)
    users = {u.get("name") for u in root.iterfind("q:Users/q:User", NS)}
    assert users >= set(CODERS)
    selections = root.findall(".//q:PlainTextSelection", NS)
    coded = [s for s in selections if s.find("q:Coding", NS) is not None]
    assert len(coded) == codings == report.codings
    # Each coding names its coder and date, on the selection and the coding.
    for selection in coded:
        coding = selection.find("q:Coding", NS)
        assert coding.get("creatingUser") == selection.get("creatingUser")
        assert coding.get("creationDateTime") == selection.get("creationDateTime")
        assert coding.find("q:CodeRef", NS).get("targetGUID")
    notes = {n.get("guid"): n for n in root.iterfind("q:Notes/q:Note", NS)}
    refs = {r.get("targetGUID") for r in root.iter(f"{{{PROJECT_NAMESPACE}}}NoteRef")}
    # Code, coding, passage and document memos are pointed at; case and project
    # memos and a framework cell's summary stand alone (REFI has no case or
    # cell a note can hang on).
    assert len(refs) == len(notes) - 3
    names = {n.get("name") for n in notes.values()}
    assert "Project memo" in names
    assert any(name.startswith("Memo on case '") for name in names)
    assert any(name.startswith("Framework summary of '") for name in names)
    variables = {
        v.get("name"): v.get("typeOfVariable")
        for v in root.iterfind("q:Variables/q:Variable", NS)
    }
    assert variables["interview_date"] == "Date"
    assert variables["employees"] == "Integer"
    assert variables["role"] == "Text"
    cases = root.findall("q:Cases/q:Case", NS)
    assert sum(len(c.findall("q:SourceRef", NS)) for c in cases) == 9
    assert root.find("q:Sets/q:Set", NS) is not None


def test_guids_are_stable_across_exports(coded_demo, tmp_path):
    with open_project(coded_demo) as project:
        export_qdpx(project, tmp_path / "a.qdpx")
        export_qdpx(project, tmp_path / "b.qdpx")
    assert (tmp_path / "a.qdpx").read_bytes() == (tmp_path / "b.qdpx").read_bytes()
    guids = [e.get("guid") for e in _qde(tmp_path / "a.qdpx").iter() if e.get("guid")]
    assert len(guids) == len(set(guids))


def test_guids_survive_adding_work(coded_demo, tmp_path):
    from coder.coding import apply_coding

    with open_project(coded_demo, actor="ana") as project:
        export_qdpx(project, tmp_path / "a.qdpx")
        apply_coding(
            project, "og-01-karimi", 0, 5, current_codebook(project).codes[0].id
        )
        export_qdpx(project, tmp_path / "b.qdpx")
    before = {e.get("guid") for e in _qde(tmp_path / "a.qdpx").iter() if e.get("guid")}
    after = {e.get("guid") for e in _qde(tmp_path / "b.qdpx").iter() if e.get("guid")}
    assert before < after
    new = [
        (e.tag, e.get("name"))
        for e in _qde(tmp_path / "b.qdpx").iter()
        if e.get("guid") in after - before
    ]
    assert len(after - before) == 2, new  # the new selection and its coding
    assert not before - after


def _selection_text(root, path, target, name) -> list[tuple[str, str]]:
    """(text the positions select in the package's file, the selection's name)."""
    found = []
    with zipfile.ZipFile(path) as archive:
        for source in root.iterfind(".//q:TextSource", NS):
            member = "sources/" + source.get("plainTextPath").removeprefix(
                "internal://"
            )
            raw = archive.read(member).decode("utf-8")
            units = raw.encode("utf-16-le") if TARGETS[target].positions.utf16 else None
            counted = (
                raw if TARGETS[target].positions.crlf else raw.replace("\r\n", "\n")
            )
            for selection in source.iterfind("q:PlainTextSelection", NS):
                start = int(selection.get("startPosition"))
                end = int(selection.get("endPosition"))
                if units is not None:
                    text = units[start * 2 : end * 2].decode("utf-16-le")
                else:
                    text = counted[start:end]
                found.append((" ".join(text.split()), selection.get("name")))
    return found


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_positions_select_the_coded_text_in_the_files_as_each_tool_counts(
    coded_demo, tmp_path, target
):
    output = tmp_path / "study.qdpx"
    with open_project(coded_demo) as project:
        export_qdpx(project, output, target)
    root = _qde(output)
    pairs = _selection_text(root, output, target, "")
    assert len(pairs) > 100
    for text, name in pairs:
        if target == "qc":
            continue  # named by line: checked below
        if name.endswith("\u2026"):
            assert text.startswith(name[:-1])
        else:
            assert text == name
    with zipfile.ZipFile(output) as archive:
        raw = archive.read(next(n for n in archive.namelist() if n.endswith(".txt")))
    assert (b"\r\n" in raw) == (TARGETS[target].newline == "\r\n")


def test_qc_selections_are_named_by_the_line_they_start_on(coded_demo, tmp_path):
    output = tmp_path / "study.qdpx"
    with open_project(coded_demo) as project:
        export_qdpx(project, output, "qc")
    root = _qde(output)
    with zipfile.ZipFile(output) as archive:
        for source in root.iterfind(".//q:TextSource", NS):
            member = "sources/" + source.get("plainTextPath").removeprefix(
                "internal://"
            )
            text = archive.read(member).decode("utf-8")
            for selection in source.iterfind("q:PlainTextSelection", NS):
                start = int(selection.get("startPosition"))
                assert selection.get("name") == f"line:{text[:start].count(chr(10))}"


def test_unknown_target(coded_demo, tmp_path):
    from coder.errors import CoderError

    with (
        open_project(coded_demo) as project,
        pytest.raises(CoderError, match="unknown target 'spss'"),
    ):
        export_qdpx(project, tmp_path / "x.qdpx", "spss")


# The round trip ----------------------------------------------------------------


def code_path(paths: dict, target: str) -> tuple:
    """A code memo's target by names: the code's path, and a cell summary's row."""
    code, separator, row_key = target.partition("|")
    return paths[code] + ((row_key,) if separator else ())


def snapshot(path) -> dict:
    """Everything a researcher would check after moving a project, by names."""
    with open_project(path) as project:
        db = project.db
        codebook = current_codebook(project)
        paths = {}
        for code, parent, _ in codebook.walk():
            paths[code.id] = (paths[parent.id] if parent else ()) + (code.name,)
        codes = {
            paths[code.id]: (code.definition, code.include, code.exclude, code.colour)
            for code, _, _ in codebook.walk()
        }
        documents = dict(db.execute("SELECT name, text FROM documents"))
        codings = sorted(
            (doc, paths[code], start, end, coder, created, memo)
            for doc, code, start, end, coder, created, memo in db.execute(
                'SELECT d.name, c.code_id, c.start, c."end", k.name, c.created_at, c.memo'
                " FROM codings c JOIN documents d ON d.id = c.document_id"
                " JOIN coders k ON k.id = c.coder_id"
            )
        )
        memos = sorted(
            (
                kind,
                code_path(paths, target) if kind == "code" else target,
                coder,
                text,
                created,
                updated,
            )
            for kind, target, coder, text, created, updated in db.execute(
                "SELECT m.target_type, m.target_id, k.name, m.text, m.created_at, m.updated_at"
                " FROM memos m JOIN coders k ON k.id = m.coder_id"
            )
        )
        cases = sorted(
            db.execute(
                "SELECT c.name, c.description, group_concat(d.name) FROM cases c"
                " LEFT JOIN documents d ON d.case_id = c.id GROUP BY c.id"
            ).fetchall()
        )
        attributes = sorted(db.execute("SELECT name, type FROM attributes").fetchall())
        values = sorted(
            db.execute(
                "SELECT a.name, coalesce(d.name, ''), coalesce(c.name, ''), v.value"
                " FROM attribute_values v JOIN attributes a ON a.id = v.attribute_id"
                " LEFT JOIN documents d ON d.id = v.document_id"
                " LEFT JOIN cases c ON c.id = v.case_id"
            ).fetchall()
        )
        coders = sorted(row[0] for row in db.execute("SELECT name FROM coders"))
    return {
        "documents": documents,
        "codes": codes,
        "codings": codings,
        "memos": memos,
        "cases": cases,
        "attributes": attributes,
        "values": values,
        "coders": coders,
    }


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_round_trip_gives_the_same_project(coded_demo, tmp_path, target):
    output = tmp_path / "study.qdpx"
    with open_project(coded_demo) as project:
        export_qdpx(project, output, target)
    copy = tmp_path / "copy.db"
    with create_project(copy, actor="dora") as project:
        result = import_refi(project, output)
    assert result.skipped == {}
    # The convention was recognised from the text each selection carries.
    assert result.convention.startswith(
        f"positions read as {TARGETS[target].positions.label}:"
    )
    assert "selections confirmed by the text they carry" in result.convention
    before, after = snapshot(coded_demo), snapshot(copy)
    for key in before:
        assert after[key] == before[key], key
    # Texts byte for byte.
    assert {k: v.encode() for k, v in after["documents"].items()} == {
        k: v.encode() for k, v in before["documents"].items()
    }
    assert len(before["codings"]) > 100
    assert {c[4] for c in before["codings"]} == set(CODERS)


def test_reexport_of_an_import_keeps_source_guids(coded_demo, tmp_path):
    with open_project(coded_demo) as project:
        export_qdpx(project, tmp_path / "a.qdpx")
    with create_project(tmp_path / "copy.db") as project:
        import_refi(project, tmp_path / "a.qdpx")
        export_qdpx(project, tmp_path / "b.qdpx")
    guids = [
        {s.get("guid") for s in _qde(tmp_path / name).iterfind(".//q:TextSource", NS)}
        for name in ("a.qdpx", "b.qdpx")
    ]
    assert guids[0] == guids[1]


def test_importing_the_export_into_the_same_project_changes_nothing(
    coded_demo, tmp_path
):
    with open_project(coded_demo) as project:
        export_qdpx(project, tmp_path / "a.qdpx")
    before = snapshot(coded_demo)
    with open_project(coded_demo) as project:
        result = import_refi(project, tmp_path / "a.qdpx")
    assert snapshot(coded_demo) == before
    assert any("already in the project" in note for note in result.notes)
