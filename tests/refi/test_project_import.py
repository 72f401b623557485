"""REFI-QDA project import: real NVivo and f4 exports, every position convention, the variants tools write."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pytest

from coder.codes import current_codebook
from coder.refi.project_import import import_refi
from coder.store import create_project, open_project

from .conftest import REFI, project_state

F4 = REFI / "f4"
F4_LONG = "834517f4-6e9f-4425-9bdd-a4be2d36e7a0"
NS = 'xmlns="urn:QDA-XML:project:1.0"'


def make_qdpx(
    path: Path,
    qde: str | bytes,
    files: dict[str, bytes] | None = None,
    *,
    qde_name: str = "project.qde",
    sources_first: bool = False,
) -> Path:
    """A .qdpx as a tool would zip it."""
    data = qde.encode("utf-8") if isinstance(qde, str) else qde
    entries = [(qde_name, data)]
    others = list((files or {}).items())
    entries = others + entries if sources_first else entries + others
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries:
            archive.writestr(name, content)
    return path


def codings(project) -> list[tuple[str, str, str, int, int]]:
    """(document, code name, coder, coded text) of every coding."""
    return sorted(
        project.db.execute(
            'SELECT d.name, k.name, r.name, substr(d.text, c.start + 1, c."end" - c.start)'
            " FROM codings c JOIN documents d ON d.id = c.document_id"
            " JOIN codes k ON k.id = c.code_id JOIN coders r ON r.id = c.coder_id"
        ).fetchall()
    )


def count(project, table: str) -> int:
    return project.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


# Real exports -------------------------------------------------------------------


def test_nvivo_for_mac_sample(tmp_path):
    with create_project(tmp_path / "study.db", actor="tester") as project:
        result = import_refi(project, REFI / "nvivo_mac15_project.qdpx")
        assert result.origin == "NVivo for Mac 15.0.0"
        assert (result.sources, result.codes, result.codings, result.memos) == (
            2,
            262,
            0,
            0,
        )
        assert count(project, "documents") == 2
        assert count(project, "codes") == 262
        assert count(project, "codings") == 0
        assert count(project, "memos") == 0
        # Users, by name, whether or not they coded anything.
        coders = {row[0] for row in project.db.execute("SELECT name FROM coders")}
        assert coders == {"chrisp", "cp"}
        codebook = current_codebook(project)
        assert codebook.name == "qc project"
        assert [code.name for code in codebook.codes] == [
            "rq1_definition",
            "rq2_curriculum_and_instruction",
            "rq3_process",
        ]
        assert max(depth for _, _, depth in codebook.walk()) == 6  # seven levels
        # The texts are a single line end in the package, so empty here.
        texts = [row[0] for row in project.db.execute("SELECT text FROM documents")]
        assert texts == ["\n", "\n"]


def test_f4_sample_with_its_sources(tmp_path):
    long_text = (F4 / "sources" / f"{F4_LONG}.txt").read_text(encoding="utf-8")
    with create_project(tmp_path / "study.db", actor="tester") as project:
        result = import_refi(project, F4 / "project.qde")
        assert result.origin == "f4 2025.2.9"
        assert (result.sources, result.codes, result.codings) == (4, 1, 2)
        names = sorted(
            row[0] for row in project.db.execute("SELECT name FROM documents")
        )
        assert names == [
            "Interview 15mins",
            "Interview 30mins",
            "Interview 60mins",
            "testfile",
        ]
        code = current_codebook(project).codes[0]
        assert (code.name, code.colour, code.definition) == (
            "Dies ist ein Test-Code",
            "#044b9b",
            "Dies ist der Kommentar vom Test-Code",
        )
        # f4 has no users: codings are the importing person's.
        assert codings(project) == [
            (
                "Interview 60mins",
                "Dies ist ein Test-Code",
                "tester",
                long_text[320:416],
            ),
            (
                "Interview 60mins",
                "Dies ist ein Test-Code",
                "tester",
                long_text[995:1260],
            ),
        ]
        memos = sorted(
            project.db.execute(
                "SELECT target_type, target_id, text FROM memos"
            ).fetchall()
        )
        assert memos == [
            ("code", "dies_ist_ein_test_code", "Notiz zum Test-Code."),
            (
                "segment",
                "Interview 60mins:603-812",
                "Dies ist ein Memo, angeheftet an ein Text-Snippet (das nicht codiert ist!)",
            ),
            (
                "segment",
                "Interview 60mins:995-1260",
                "Dies ist ein Memo, angeheftet an ein Text-Snipped (das codiert ist!)",
            ),
        ]
        assert result.skipped == {}


def test_f4_qde_without_its_sources_lists_what_is_missing(tmp_path):
    bare = tmp_path / "valid-document.qde"
    shutil.copyfile(F4 / "project.qde", bare)
    with create_project(tmp_path / "study.db") as project:
        before = project_state(tmp_path / "study.db")
        result = import_refi(project, bare, dry_run=True)
        assert project_state(tmp_path / "study.db") == before
    assert result.sources == 0
    assert result.skipped == {
        "text sources without their text": 4,
        "selections in text sources without their text": 4,
        "notes without text": 1,
        "notes on what was not imported": 2,
    }
    assert "not imported: 4 text sources without their text" in result.lines()


# Position conventions ------------------------------------------------------------

# Characters beyond U+FFFF (two UTF-16 units), accents, and three lines.
RAW = (
    "Erster Tag \U0001f69a war lang. Die Bank in D\u00fcsseldorf \U0001f4b8 hielt"
    " die Zahlung\r\ndrei Wochen lang \U0001f605 zur\u00fcck.\r\n"
    "Wir zahlten die Strafe \U0001f643 und machten weiter.\r\n"
)
PHRASES = ["Bank", "hielt die Zahlung", "drei Wochen", "zahlten die Strafe", "weiter"]


def positions(phrase: str, convention: str) -> tuple[int, int]:
    """Where a tool of each convention puts a phrase of RAW, counted independently."""
    lf = RAW.replace("\r\n", "\n")
    counted = RAW if convention in ("codepoints-crlf", "utf16-crlf") else lf
    index = counted.index(phrase)
    if convention.startswith("utf16"):
        start = len(counted[:index].encode("utf-16-le")) // 2
        return start, start + len(phrase.encode("utf-16-le")) // 2
    return index, index + len(phrase)


def convention_project(convention: str, evidence: str, origin: str = "a tool") -> str:
    selections = []
    lf = RAW.replace("\r\n", "\n")
    for number, phrase in enumerate(PHRASES):
        start, end = positions(phrase, convention)
        if evidence == "text":
            name = f' name="{phrase}"'
        elif evidence == "line":
            # qc codes whole lines and names them by their 0-based number.
            line = lf[: lf.index(phrase)].count("\n")
            lines = lf.split("\n")
            line_start = sum(len(part) + 1 for part in lines[:line])
            phrase = lines[line]
            start, end = positions(phrase, convention)
            del line_start
            name = f' name="line:{line}"'
        else:
            name = ""
        selections.append(
            f'<PlainTextSelection guid="00000000-0000-4000-8000-00000000000{number}"{name}'
            f' startPosition="{start}" endPosition="{end}">'
            f'<Coding guid="10000000-0000-4000-8000-00000000000{number}">'
            '<CodeRef targetGUID="20000000-0000-4000-8000-000000000000"/></Coding>'
            "</PlainTextSelection>"
        )
    return (
        f'<Project {NS} name="p" origin="{origin}"><CodeBook><Codes>'
        '<Code guid="20000000-0000-4000-8000-000000000000" name="Geld" isCodable="true"/>'
        "</Codes></CodeBook><Sources>"
        '<TextSource guid="30000000-0000-4000-8000-000000000000" name="Interview"'
        ' plainTextPath="internal://30000000-0000-4000-8000-000000000000.txt">'
        + "".join(selections)
        + "</TextSource></Sources></Project>"
    )


@pytest.mark.parametrize("evidence", ["text", "boundaries"])
@pytest.mark.parametrize(
    "convention, label",
    [
        ("codepoints-crlf", "code points with \\r\\n as two"),
        ("utf16-crlf", "UTF-16 code units with \\r\\n as two (NVivo for Windows)"),
        ("codepoints", "Unicode code points, a line end as one character"),
        ("utf16", "UTF-16 code units, a line end as one"),
    ],
)
def test_each_position_convention_lands_on_the_exact_text(
    tmp_path, convention, label, evidence
):
    source = b"\xef\xbb\xbf" + RAW.encode(
        "utf-8"
    )  # with a BOM and CRLF, as Windows tools write
    path = make_qdpx(
        tmp_path / "p.qdpx",
        convention_project(convention, evidence),
        {"sources/30000000-0000-4000-8000-000000000000.txt": source},
    )
    with create_project(tmp_path / "study.db", actor="tester") as project:
        result = import_refi(project, path)
        assert [text for *_, text in codings(project)] == sorted(PHRASES)
        stored = project.db.execute("SELECT text FROM documents").fetchone()[0]
    assert stored == RAW.replace("\r\n", "\n")
    assert label in result.convention
    if evidence == "text":
        assert result.convention.endswith(
            "5 of 5 selections confirmed by the text they carry"
        )
    else:
        assert "selection edges on word or line boundaries" in result.convention


@pytest.mark.parametrize("convention", ["codepoints", "utf16-crlf"])
def test_qc_line_numbers_confirm_the_convention(tmp_path, convention):
    path = make_qdpx(
        tmp_path / "p.qdpx",
        convention_project(convention, "line", origin="qc 1.7.8"),
        {"sources/30000000-0000-4000-8000-000000000000.txt": RAW.encode("utf-8")},
    )
    with create_project(tmp_path / "study.db", actor="tester") as project:
        result = import_refi(project, path)
        texts = {text for *_, text in codings(project)}
    assert texts == set(RAW.replace("\r\n", "\n").splitlines())
    assert "selections confirmed by the text they carry" in result.convention


def test_nvivo_for_windows_origin_breaks_a_tie(tmp_path):
    # One selection before any line end or emoji: every reading agrees.
    qde = (
        f'<Project {NS} name="p" origin="NVivo 14.23.0 (Windows)"><CodeBook><Codes>'
        '<Code guid="20000000-0000-4000-8000-000000000000" name="c" isCodable="true"/>'
        "</Codes></CodeBook><Sources><TextSource guid="
        '"30000000-0000-4000-8000-000000000000" name="s"><PlainTextContent>Erster Tag'
        "</PlainTextContent>"
        '<PlainTextSelection guid="00000000-0000-4000-8000-000000000000" startPosition="0"'
        ' endPosition="6"><Coding guid="10000000-0000-4000-8000-000000000000">'
        '<CodeRef targetGUID="20000000-0000-4000-8000-000000000000"/></Coding>'
        "</PlainTextSelection></TextSource></Sources></Project>"
    )
    path = make_qdpx(tmp_path / "p.qdpx", qde)
    with create_project(tmp_path / "study.db") as project:
        result = import_refi(project, path)
        assert [text for *_, text in codings(project)] == ["Erster"]
    assert "no selection's reading depends on it" in result.convention


# What real files differ in -------------------------------------------------------

SOURCE_GUID = "7A3C5E2B-1D4F-4A6B-8C9D-0E1F2A3B4C5D"
CODE_GUID = "{B1C2D3E4-F5A6-4B7C-8D9E-0F1A2B3C4D5E}"


def variant_project(
    source_attributes: str, inside: str = "", declaration: bool = True
) -> str:
    xml = (
        ('<?xml version="1.0" encoding="utf-8"?>\r\n' if declaration else "")
        + f'<Project {NS} name="v" origin="test">\r\n'
        '<Users><User guid="AAAAAAAA-0000-4000-8000-000000000001" name="Mina"/></Users>\r\n'
        f'<CodeBook><Codes><Code guid="{CODE_GUID}" name="Kosten" isCodable="true"/>'
        "</Codes></CodeBook>\r\n"
        f'<Sources><TextSource guid="{SOURCE_GUID}" {source_attributes}>{inside}'
        f'<PlainTextSelection guid="{SOURCE_GUID.lower()[:-1]}e" startPosition="4"'
        ' endPosition="10" creatingUser="aaaaaaaa-0000-4000-8000-000000000001"'
        ' creationDateTime="2024-05-01T10:00:00Z">'
        f'<Coding guid="c0000000-0000-4000-8000-000000000001"><CodeRef targetGUID="{CODE_GUID.lower()}"/>'
        "</Coding></PlainTextSelection></TextSource></Sources>\r\n</Project>\r\n"
    )
    return xml


TEXT = "Die Kosten stiegen.\nDann fielen sie.\n"


def docx_bytes(paragraphs: list[str]) -> bytes:
    import docx

    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "name, qde, files, options",
    [
        (
            "capitalised entries, sources first, no declaration",
            variant_project(
                f'name="Gespräch" plainTextPath="internal://{SOURCE_GUID}.txt"',
                declaration=False,
            ),
            {f"Sources/{SOURCE_GUID}.txt": TEXT.encode()},
            {"qde_name": "Project.qde", "sources_first": True},
        ),
        (
            "bare file name, BOM and CRLF in the source",
            variant_project('name="Gespräch" plainTextPath="gespraech.txt"'),
            {
                "sources/gespraech.txt": b"\xef\xbb\xbf"
                + TEXT.replace("\n", "\r\n").encode()
            },
            {},
        ),
        (
            "only a .docx",
            variant_project(
                f'name="Gespräch" richTextPath="internal://{SOURCE_GUID}.docx"'
            ),
            {
                f"sources/{SOURCE_GUID}.docx": docx_bytes(
                    ["Die Kosten stiegen.", "Dann fielen sie."]
                )
            },
            {},
        ),
        (
            "inline text, no name",
            variant_project("", inside=f"<PlainTextContent>{TEXT}</PlainTextContent>"),
            {},
            {},
        ),
        (
            "the whole document on one line",
            variant_project(
                f'name="Gespräch" plainTextPath="internal://{SOURCE_GUID.lower()}.txt"'
            ).replace("\r\n", ""),
            {f"sources/{SOURCE_GUID.lower()}.txt": TEXT.encode()},
            {},
        ),
    ],
)
def test_variants_real_files_come_in(tmp_path, name, qde, files, options):
    path = make_qdpx(tmp_path / "v.qdpx", qde, files, **options)
    with create_project(tmp_path / "study.db") as project:
        result = import_refi(project, path)
        assert codings(project) == [
            (
                "Gespräch" if "no name" not in name else "source 7a3c5e2b",
                "Kosten",
                "Mina",
                "Kosten",
            )
        ]
        text = project.db.execute("SELECT text FROM documents").fetchone()[0]
        created = project.db.execute("SELECT created_at FROM codings").fetchone()[0]
    assert text.rstrip("\n") == TEXT.rstrip("\n")
    assert created == "2024-05-01T10:00:00.000+00:00"
    assert result.skipped == {}


def test_what_cannot_come_in_is_counted(tmp_path):
    qde = (
        f'<Project {NS} name="p" origin="ATLAS.ti"><CodeBook><Codes>'
        '<Code guid="20000000-0000-4000-8000-000000000000" name="c" isCodable="true"/>'
        "</Codes></CodeBook><Sources>"
        '<PDFSource guid="40000000-0000-4000-8000-000000000000" path="internal://a.pdf">'
        '<PDFSelection guid="41000000-0000-4000-8000-000000000000" page="1" firstX="0"'
        ' firstY="0" secondX="9" secondY="9"/></PDFSource>'
        '<PictureSource guid="42000000-0000-4000-8000-000000000000" path="internal://b.png"/>'
        '<AudioSource guid="43000000-0000-4000-8000-000000000000" path="internal://c.mp3">'
        '<AudioSelection guid="44000000-0000-4000-8000-000000000000" begin="0" end="9"/>'
        '<AudioSelection guid="45000000-0000-4000-8000-000000000000" begin="9" end="19"/>'
        "</AudioSource>"
        '<VideoSource guid="46000000-0000-4000-8000-000000000000" path="internal://d.mp4"/>'
        '<TextSource guid="30000000-0000-4000-8000-000000000000" name="t">'
        "<PlainTextContent>Ein Text.</PlainTextContent></TextSource>"
        "</Sources>"
        '<Links><Link guid="47000000-0000-4000-8000-000000000000"/></Links>'
        '<Sets><Set guid="48000000-0000-4000-8000-000000000000" name="codes">'
        '<MemberCode targetGUID="20000000-0000-4000-8000-000000000000"/></Set>'
        '<Set guid="49000000-0000-4000-8000-000000000000" name="Pilot">'
        '<MemberSource targetGUID="30000000-0000-4000-8000-000000000000"/></Set></Sets>'
        '<Graphs><Graph guid="4a000000-0000-4000-8000-000000000000"/></Graphs>'
        "</Project>"
    )
    path = make_qdpx(tmp_path / "p.qdpx", qde)
    with create_project(tmp_path / "study.db") as project:
        result = import_refi(project, path)
        values = project.db.execute(
            "SELECT a.name, a.type, v.value FROM attribute_values v"
            " JOIN attributes a ON a.id = v.attribute_id"
        ).fetchall()
    assert result.skipped == {
        "PDF sources": 1,
        "selections in PDF sources": 1,
        "picture sources": 1,
        "audio sources": 1,
        "selections in audio sources": 2,
        "video sources": 1,
        "links": 1,
        "graphs": 1,
        "sets of codes or notes": 1,
    }
    # A set of documents becomes a yes/no attribute.
    assert values == [("Pilot", "category", "yes")]
    lines = result.lines()
    assert "not imported: 1 PDF sources" in lines
    assert "not imported: 2 selections in audio sources" in lines


def test_import_into_a_project_with_work_keeps_its_codes(tmp_path, data_dir):
    from coder.codebook import Code, Codebook
    from coder.codes import load_codebook

    path = make_qdpx(
        tmp_path / "v.qdpx",
        variant_project(
            f'name="Gespräch" plainTextPath="internal://{SOURCE_GUID}.txt"'
        ),
        {f"sources/{SOURCE_GUID}.txt": TEXT.encode()},
    )
    with create_project(tmp_path / "study.db") as project:
        load_codebook(
            project,
            Codebook(name="mine", codes=[Code(id="cost", name="Kosten")]),
            source="mine.yaml",
        )
        import_refi(project, path)
        assert [c.id for c in current_codebook(project).codes] == ["cost"]
        assert project.db.execute("SELECT code_id FROM codings").fetchall() == [
            ("cost",)
        ]


def test_atlasti_standard_project_lists_what_it_cannot_bring(tmp_path):
    path = REFI / "atlasti_standard_project.qdpx"
    with create_project(tmp_path / "study.db", actor="tester") as project:
        result = import_refi(project, path)
        memos = project.db.execute(
            "SELECT m.target_type, k.name, m.text FROM memos m JOIN coders k ON k.id = m.coder_id"
        ).fetchall()
        coders = {row[0] for row in project.db.execute("SELECT name FROM coders")}
        assert count(project, "documents") == 0
        assert count(project, "codes") == 14
    assert result.origin.startswith("ATLAS.ti 8.4.0")
    assert coders == {"ATLAS.ti", "Friedrich Markgraf", "Sebastian Petrausch"}
    assert result.skipped == {
        "text sources without their text": 6,
        "selections in text sources without their text": 6,
        "picture sources": 1,
        "selections in picture sources": 1,
        "PDF sources": 2,
        "selections in PDF sources": 6,
        "audio sources": 1,
        "video sources": 2,
        "selections in video sources": 2,
        "links": 1,
        "graphs": 1,
        "sets of codes or notes": 4,
        "sets of sources not imported": 11,
        "empty sets": 1,
    }
    # Its two free notes, by one author, become that author's project memo,
    # each under its title.
    assert memos == [
        (
            "project",
            "Friedrich Markgraf",
            "# Research Plan\n\nThis is a great project by a dynamic team of"
            " researcher-developers.\n\n# My favorite Coke ad\n\nThis version is much"
            " better than the new Director\u2019s cut",
        )
    ]


def test_a_number_variable_with_words_in_it_is_text(tmp_path):
    qde = (
        f'<Project {NS} name="p"><Variables>'
        '<Variable guid="50000000-0000-4000-8000-000000000000" name="age" typeOfVariable="Integer"/>'
        "</Variables><Sources>"
        '<TextSource guid="30000000-0000-4000-8000-000000000000" name="a">'
        "<PlainTextContent>Text.</PlainTextContent><VariableValue>"
        '<VariableRef targetGUID="50000000-0000-4000-8000-000000000000"/>'
        "<IntegerValue>unknown</IntegerValue></VariableValue></TextSource>"
        "</Sources></Project>"
    )
    path = make_qdpx(tmp_path / "p.qdpx", qde)
    with create_project(tmp_path / "study.db") as project:
        result = import_refi(project, path)
        rows = project.db.execute(
            "SELECT a.name, a.type, v.value FROM attribute_values v"
            " JOIN attributes a ON a.id = v.attribute_id"
        ).fetchall()
    assert rows == [("age", "text", "unknown")]
    assert f"{path}: variable 'age' has values that are not a number; kept as text" in (
        result.notes
    )


def _padded(pieces: list[tuple[int, str]], length: int) -> str:
    """Text with each piece at its position, filler words between, `length` long."""
    filler = "and then we had toast with jam "
    text = ""
    for position, piece in pieces:
        gap = position - len(text)
        assert gap >= 0
        text += (filler * (gap // len(filler) + 1))[: gap - 1] + " " if gap else ""
        text += piece
    gap = length - len(text)
    return text + (" " + filler * (gap // len(filler) + 1))[:gap]


def test_atlasti_quotations_on_texts_written_for_them(tmp_path):
    """ATLAS.ti's own XML (names cut with an ellipsis or a label, comments in
    Description, three codes on one quotation), with two of its text files
    written to fit it."""
    simon = _padded(
        [
            (215, "I did try the gluten free bread, but it was always so soggy,"),
            (
                513,
                "But to be honest, I used to have a much bigger breakfast, and these"
                " days I find myself snacking about all day.",
            ),
        ],
        1000,
    )
    mabel = _padded(
        [
            (
                0,
                "I'm a single mum with an 8 month old and a toddler and breakfast is"
                " mayhem. The baby has porridge, I have Coke.",
            ),
        ],
        600,
    )
    mabel2 = _padded(
        [
            (
                250,
                "For some reason babies aren't supposed to have cow's milk that is low"
                " fat. However, I am really bad at remembering that.",
            ),
        ],
        500,
    )
    path = tmp_path / "atlas.qdpx"
    with (
        zipfile.ZipFile(REFI / "atlasti_standard_project.qdpx") as source,
        zipfile.ZipFile(path, "w") as target,
    ):
        target.writestr("Project.qde", source.read("Project.qde"))
        for guid, text in (
            ("C1C745F7-8E4D-48B2-9710-655AFE7E54FA", simon),
            ("B2F54555-0D2D-43B2-B40C-2A1C048F5F1C", mabel),
            ("88293C71-CB70-4AB7-8413-C24110A19C2E", mabel2),
        ):
            target.writestr(f"Sources/{guid}.txt", text.encode())
    with create_project(tmp_path / "study.db", actor="tester") as project:
        result = import_refi(project, path)
        coded = codings(project)
        memos = sorted(
            project.db.execute(
                "SELECT target_id, text FROM memos WHERE target_type = 'segment'"
            ).fetchall()
        )
        coding_memos = project.db.execute(
            "SELECT memo FROM codings WHERE memo IS NOT NULL"
        ).fetchall()
    assert coded == [
        ("Mabel.txt", "bacon and eggs", "Friedrich Markgraf", mabel[0:410]),
        ("Mabel.txt", "cornflakes", "Friedrich Markgraf", mabel[0:410]),
        ("Mabel.txt", "happiness", "Friedrich Markgraf", mabel[0:410]),
        ("Simon.docx", "Feelings", "Friedrich Markgraf", simon[215:275]),
        ("Simon.docx", "bacon and eggs", "Friedrich Markgraf", simon[688:907]),
        ("Simon.docx", "happiness", "Friedrich Markgraf", simon[513:907]),
    ]
    assert (
        simon[215:275] == "I did try the gluten free bread, but it was always so soggy,"
    )
    assert coding_memos == [("why does Simon feel the need to do this?",)]
    # A quotation with only a comment is a memo on the passage.
    assert memos == [
        (
            "Mabêl 2ième.txt:250-412",
            "Mabel is not the only person I know who has Coke for breakfast!",
        )
    ]
    # Every reading agrees on these \n texts without emoji.
    assert "no selection's reading depends on it" in result.convention
    assert result.skipped["text sources without their text"] == 3


def test_a_document_of_the_same_name_with_other_text_is_a_conflict(tmp_path):
    from coder.errors import ConflictError

    first = make_qdpx(
        tmp_path / "a.qdpx",
        variant_project(
            f'name="Gespräch" plainTextPath="internal://{SOURCE_GUID}.txt"'
        ),
        {f"sources/{SOURCE_GUID}.txt": TEXT.encode()},
    )
    second = make_qdpx(
        tmp_path / "b.qdpx",
        variant_project(
            f'name="Gespräch" plainTextPath="internal://{SOURCE_GUID}.txt"'
        ),
        {f"sources/{SOURCE_GUID}.txt": b"Ganz anderer Text, der auch lang ist.\n"},
    )
    with create_project(tmp_path / "study.db") as project:
        import_refi(project, first)
    before = project_state(tmp_path / "study.db")
    with (
        open_project(tmp_path / "study.db") as project,
        pytest.raises(ConflictError) as caught,
    ):
        import_refi(project, second)
    assert str(caught.value) == (
        f"{second}: the project already has a document 'Gespräch' with other text;"
        " rename or remove it first"
    )
    assert project_state(tmp_path / "study.db") == before


def test_an_empty_project_exports_a_valid_package(tmp_path, project_schema):
    from lxml import etree

    from coder.refi.project_export import export_qdpx

    with create_project(tmp_path / "empty.db") as project:
        report = export_qdpx(project, tmp_path / "empty.qdpx")
    with zipfile.ZipFile(tmp_path / "empty.qdpx") as archive:
        assert archive.namelist() == ["project.qde"]
        root = etree.fromstring(archive.read("project.qde"))
    assert project_schema.validate(root), project_schema.error_log
    assert (report.sources, report.codes, report.codings) == (0, 0, 0)
