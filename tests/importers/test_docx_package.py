"""The Word importer finds and reads a package's parts as python-docx does.

`coder.importers.docx` reads only the main document and its styles, from the
bytes `check_docx` unpacked, instead of letting python-docx unpack and parse
every part again. These hold it to python-docx: the names it finds parts by,
paragraphs, headings and table cells of generated documents, parts stored
under other names; and they give the one-line messages for packages that
are not Word documents.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
import zipfile

import docx
import pytest
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.styles import BabelFish
from hypothesis import given, settings
from hypothesis import strategies as st

from coder.errors import InputError, LimitError
from coder.importers import docx as word
from coder.importers import parse_transcript
from coder.limits import check_docx
from coder.model import DroppedLine

from .helpers import bold, build_docx, para, title
from .test_docx_reader import python_docx


def unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def rezip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def edit(parts: dict[str, bytes], name: str, old: str, new: str) -> None:
    text = parts[name].decode()
    assert old in text, (name, old)
    parts[name] = text.replace(old, new).encode()


def interview() -> dict[str, bytes]:
    return unzip(
        build_docx(
            [
                title("Interview 4"),
                bold("Jane:", " We began in 2019."),
                bold("Max:", " And today?"),
            ]
        )
    )


def message(data: bytes) -> str:
    with pytest.raises(InputError) as caught:
        parse_transcript(data, "a.docx")
    return str(caught.value)


def test_the_names_parts_are_found_by_are_python_docx_s():
    assert word.RT_OFFICE_DOCUMENT == RT.OFFICE_DOCUMENT
    assert word.RT_STYLES == RT.STYLES
    assert word.CT_DOCUMENT_MAIN == CT.WML_DOCUMENT_MAIN
    # The UI names python-docx gives that make a style a heading's.
    assert {
        internal: ui
        for internal, ui in BabelFish.ui_style_names.items()
        if ui.startswith(word.HEADING_STYLES)
    } == word._UI_NAMES


# Generated documents read as python-docx reads them ----------------------------

STYLE_NAMES = ["Title", "Subtitle", "Heading 1", "Heading 3", "Normal", "Quote"]
texts = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)


@st.composite
def documents(draw) -> bytes:
    document = docx.Document()
    for _ in range(draw(st.integers(0, 8))):
        kind = draw(st.sampled_from(["paragraph", "paragraph", "table"]))
        if kind == "paragraph":
            paragraph = document.add_paragraph(style=draw(st.sampled_from(STYLE_NAMES)))
            for text, is_bold in draw(st.lists(st.tuples(texts, st.booleans()))):
                paragraph.add_run(text).bold = is_bold
        else:
            rows, columns = draw(st.integers(1, 3)), draw(st.integers(1, 3))
            grid = document.add_table(rows=rows, cols=columns)
            for cell in (c for row in grid.rows for c in row.cells):
                cell.text = draw(texts)
            if rows > 1 and draw(st.booleans()):
                grid.cell(0, 0).merge(grid.cell(1, 0))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def read(data: bytes) -> tuple[list[word._Paragraph], list[word._Table]]:
    return word._read_blocks(*word._Package(data, "a.docx").document(), "a.docx")


@settings(max_examples=40, deadline=None)
@given(documents())
def test_paragraphs_headings_and_cells_read_as_python_docx_reads_them(data):
    paragraphs, tables = read(data)
    document = docx.Document(io.BytesIO(data))
    assert [(p.text, p.bold, p.heading) for p in paragraphs] == [
        (*python_docx(p._p), p.style.name.startswith(word.HEADING_STYLES))
        for p in document.paragraphs
    ]
    assert [table.rows for table in tables] == [
        [[cell.text for cell in row.cells] for row in table.rows]
        for table in document.tables
    ]


def test_a_heading_style_is_known_by_its_name_whatever_its_id():
    # German Word's id for "heading 1" is "berschrift1".
    parts = interview()
    parts["word/document.xml"] = parts["word/document.xml"].replace(
        b'w:val="Title"', b'w:val="berschrift1"'
    )
    edit(parts, "word/styles.xml", 'w:styleId="Heading1"', 'w:styleId="berschrift1"')
    data = rezip(parts)

    assert docx.Document(io.BytesIO(data)).paragraphs[0].style.name == "Heading 1"
    transcript = parse_transcript(data, "a.docx")
    assert transcript.dropped == [DroppedLine(1, "Interview 4", "heading, not speech")]


def test_a_default_paragraph_style_that_is_a_heading_makes_plain_paragraphs_headings():
    parts = interview()
    edit(parts, "word/styles.xml", 'w:default="1" w:styleId="Normal"', "")
    edit(
        parts,
        "word/styles.xml",
        'w:styleId="Subtitle"',
        'w:default="1" w:styleId="Subtitle"',
    )
    data = rezip(parts)
    paragraphs, _ = read(data)

    document = docx.Document(io.BytesIO(data))
    assert [p.style.name for p in document.paragraphs] == ["Title", *["Subtitle"] * 2]
    assert [p.heading for p in paragraphs] == [True, True, True]
    assert message(data) == "a.docx: no transcript text found in the document"


def test_parts_stored_under_other_names_are_found_through_the_relationships():
    parts = interview()
    parts["word/main.xml"] = parts.pop("word/document.xml")
    parts["word/_rels/main.xml.rels"] = parts.pop("word/_rels/document.xml.rels")
    parts["word/looks/styling.xml"] = parts.pop("word/styles.xml")
    edit(parts, "_rels/.rels", 'Target="word/document.xml"', 'Target="/word/main.xml"')
    edit(parts, "[Content_Types].xml", "/word/document.xml", "/WORD/Main.xml")
    edit(parts, "[Content_Types].xml", "/word/styles.xml", "/word/looks/styling.xml")
    edit(
        parts,
        "word/_rels/main.xml.rels",
        'Target="styles.xml"',
        'Target="./looks/../looks/styling.xml"',
    )
    data = rezip(parts)

    transcript = parse_transcript(data, "a.docx")
    assert transcript.text == "We began in 2019.\n\nAnd today?"
    assert transcript.dropped == [DroppedLine(1, "Interview 4", "heading, not speech")]
    assert [p.text for p in docx.Document(io.BytesIO(data)).paragraphs] == [
        "Interview 4",
        "Jane: We began in 2019.",
        "Max: And today?",
    ]


def test_parts_the_transcript_does_not_need_may_be_damaged():
    # python-docx parses settings, numbering, fonts ...: coder only the words.
    parts = interview()
    parts["word/settings.xml"] = parts["word/settings.xml"][:100]
    parts["word/styles.xml"] = parts["word/styles.xml"][:1000]

    transcript = parse_transcript(rezip(parts), "a.docx")

    assert [turn.speaker for turn in transcript.turns] == ["Jane", "Max"]
    # Without its styles, the title is known by Word's style id.
    assert transcript.dropped == [DroppedLine(1, "Interview 4", "heading, not speech")]


def test_a_dtd_in_a_part_the_transcript_does_not_need_is_still_refused():
    parts = interview()
    edit(parts, "word/settings.xml", "?>", '?><!DOCTYPE s [<!ENTITY e "x">]>')

    with pytest.raises(LimitError, match=r"word/settings\.xml line 1 declares a DTD"):
        parse_transcript(rezip(parts), "a.docx")


def test_check_docx_hands_back_the_xml_parts_it_unpacked():
    data = build_docx([para("Jane: Hello.")])
    parts = check_docx(data, "a.docx")
    assert parts == {
        name: body
        for name, body in unzip(data).items()
        if name.endswith((".xml", ".rels"))
    }
    assert "docProps/thumbnail.jpeg" in unzip(data)


# Packages that are not Word documents: one line naming the file ------------------


def test_a_package_without_a_main_document_relationship():
    parts = interview()
    edit(parts, "_rels/.rels", RT.OFFICE_DOCUMENT, RT.OFFICE_DOCUMENT + "-not")
    assert message(rezip(parts)) == (
        "a.docx: not a Word document (it names no main document part)"
    )


def test_a_package_whose_main_document_is_not_word_s():
    parts = interview()
    macro = "application/vnd.ms-word.document.macroEnabled.main+xml"
    edit(parts, "[Content_Types].xml", CT.WML_DOCUMENT_MAIN, macro)
    assert message(rezip(parts)) == (
        f"a.docx: not a Word document (/word/document.xml is {macro})"
    )


def test_a_package_whose_main_document_is_missing():
    parts = interview()
    del parts["word/document.xml"]
    assert message(rezip(parts)) == (
        "a.docx: not a Word document (it has no word/document.xml)"
    )


def test_damaged_relationships_name_their_part():
    parts = interview()
    parts["_rels/.rels"] = parts["_rels/.rels"][:-20]
    assert re.fullmatch(
        r"a\.docx: not a readable \.docx \(damaged XML in _rels/\.rels: .+\)",
        message(rezip(parts)),
    )


def test_a_main_part_that_is_not_a_word_document_element():
    parts = interview()
    parts["word/document.xml"] = b'<?xml version="1.0"?><sheet><row/></sheet>'
    assert message(rezip(parts)) == (
        "a.docx: not a readable .docx (malformed document XML: the main part is"
        " sheet, not w:document)"
    )


# Styles are read only as far as the paragraphs need -----------------------------


def headings(data: bytes) -> list[bool]:
    """Which paragraphs are headings, checked against python-docx's style names."""
    paragraphs, _ = read(data)
    document = docx.Document(io.BytesIO(data))
    assert [p.heading for p in paragraphs] == [
        p.style.name.startswith(word.HEADING_STYLES) for p in document.paragraphs
    ]
    return [p.heading for p in paragraphs]


def with_styles(parts: dict[str, bytes], styles: str) -> dict[str, bytes]:
    """`parts` with `styles` added at the end of the styles part (after the tables')."""
    edit(parts, "word/styles.xml", "</w:styles>", styles + "</w:styles>")
    return parts


def test_a_style_defined_after_the_table_styles_is_found():
    parts = with_styles(
        interview(),
        '<w:style w:type="paragraph" w:styleId="Late1"><w:name w:val="heading 2"/>'
        "</w:style>",
    )
    edit(parts, "word/document.xml", 'w:val="Title"', 'w:val="Late1"')
    assert headings(rezip(parts)) == [True, False, False]


def test_a_default_marked_after_the_table_styles_is_the_default():
    parts = with_styles(
        interview(),
        '<w:style w:type="paragraph" w:default="1" w:styleId="Late"><w:name'
        ' w:val="Subtitle"/></w:style>',
    )
    assert headings(rezip(parts)) == [True, True, True]


def test_the_word_default_elsewhere_in_the_styles_does_not_end_the_reading():
    # A style named "default" after the last default: the part is read on,
    # and a later default still counts.
    parts = with_styles(
        interview(),
        '<w:style w:type="paragraph" w:styleId="X"><w:name w:val="default"/></w:style>'
        '<w:style w:type="paragraph" w:default="true" w:styleId="Y"><w:name'
        ' w:val="Title"/></w:style>',
    )
    assert headings(rezip(parts)) == [True, True, True]


def test_a_utf16_styles_part_is_read_to_its_end():
    parts = with_styles(
        interview(),
        '<w:style w:type="paragraph" w:default="1" w:styleId="Late"><w:name'
        ' w:val="Title"/></w:style>',
    )
    styles = parts["word/styles.xml"].decode().replace("UTF-8", "UTF-16")
    parts["word/styles.xml"] = styles.encode("utf-16")
    assert headings(rezip(parts)) == [True, True, True]


def test_of_two_styles_with_one_id_the_first_counts():
    parts = with_styles(
        interview(),
        '<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Body"/></w:style>',
    )
    assert headings(rezip(parts)) == [True, False, False]


def test_importing_a_word_document_does_not_load_python_docx(tmp_path):
    # python-docx takes about 80 ms to import: a fresh `coder import` of a
    # .docx no longer pays it.
    path = tmp_path / "a.docx"
    path.write_bytes(build_docx([bold("Jane:", " Hello.")]))
    code = (
        "import sys\n"
        "from coder.importers import read_transcript\n"
        "transcript = read_transcript(sys.argv[1])[0]\n"
        "print(transcript.text, 'docx' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.split() == ["Hello.", "False"]
