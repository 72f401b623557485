"""Fuzz the Word importer: generated documents, damaged parts, rebuilt and broken zips."""

from __future__ import annotations

import functools
import io

import docx
from hypothesis import given
from hypothesis import strategies as st

from .strategies import (
    build_zip,
    byte_edits,
    fuzz,
    one_line,
    outcome,
    xml_edits,
    zip_edits,
    zip_members,
)
from .test_transcripts import check

NAME = "interview.docx"

# WordprocessingML that python-docx reads lazily and a damaged file gets wrong.
DOCX_FRAGMENTS = [
    "<w:p><w:r><w:t>x</w:t></w:r></w:p>",
    "<w:p/>",
    "<w:tbl><w:tr><w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc></w:tr></w:tbl>",
    "<w:tbl/>",
    "<w:tr/>",
    "<w:tr><w:tc><w:p/></w:tc></w:tr>",
    "<w:tc><w:p/></w:tc>",
    "<w:tc/>",
    "<w:tcPr><w:vMerge/></w:tcPr>",
    '<w:tcPr><w:vMerge w:val="restart"/></w:tcPr>',
    '<w:tcPr><w:vMerge w:val="bogus"/></w:tcPr>',
    '<w:tcPr><w:gridSpan w:val="999999999"/></w:tcPr>',
    '<w:tcPr><w:gridSpan w:val="-1"/></w:tcPr>',
    '<w:tcPr><w:gridSpan w:val="x"/></w:tcPr>',
    '<w:trPr><w:gridBefore w:val="3"/></w:trPr>',
    '<w:rPr><w:b w:val="maybe"/></w:rPr>',
    "<w:rPr><w:b/></w:rPr>",
    '<w:pPr><w:pStyle w:val="Heading1"/></w:pPr>',
    '<w:pPr><w:pStyle w:val="Title"/></w:pPr>',
    "<w:pPr><w:pStyle/></w:pPr>",
    '<w:r><w:t xml:space="preserve">  </w:t></w:r>',
    "<w:r><w:tab/><w:br/><w:cr/></w:r>",
    '<w:hyperlink r:id="rId99"><w:r><w:t>link</w:t></w:r></w:hyperlink>',
    "<w:sdt><w:sdtContent><w:p><w:r><w:t>sdt</w:t></w:r></w:p></w:sdtContent></w:sdt>",
    "<w:ins><w:r><w:t>ins</w:t></w:r></w:ins>",
    "<w:body>",
    "</w:body>",
    '<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/></w:style>',
    '<w:style w:type="paragraph" w:default="1" w:styleId="X"><w:name w:val="Title"/></w:style>',
    '<w:style w:styleId="Y"/>',
    '<Relationship Id="rId90" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/styles" Target="nowhere.xml"/>',
    '<Relationship Id="rId91" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/styles" Target="http://x" TargetMode="External"/>',
    '<Relationship Id="rId3" Type="x" Target="styles.xml"/>',
    '<Override PartName="/word/styles.xml" ContentType="application/xml"/>',
    '<Override PartName="/word/document.xml" ContentType="text/plain"/>',
    '<Default Extension="xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.document.main+xml"/>',
]

words = st.text(
    st.characters(blacklist_categories=("Cs", "Cc")), max_size=30
)  # python-docx cannot write control characters
labels = st.one_of(
    st.sampled_from(["Jane:", "Max", "Interviewer:", "Q:", "A:", "Jane", " ", ""]),
    words,
)
times = st.sampled_from(["0:03", "1:02:03", "00:00:05", "99:99", "", "x"])


@st.composite
def tables(draw):
    columns = draw(st.integers(1, 4))
    cell = st.one_of(labels, words, times)
    rows = draw(
        st.lists(
            st.lists(cell, min_size=columns, max_size=columns), min_size=1, max_size=6
        )
    )
    header = draw(
        st.sampled_from([None, ["Speaker", "Text"], ["Time", "Speaker", "Text"]])
    )
    if header and len(header) == columns:
        rows.insert(0, header)
    merges = draw(st.lists(st.tuples(st.integers(0, 6), st.integers(0, 3)), max_size=2))
    return ("table", rows, merges)


blocks = st.lists(
    st.one_of(
        st.tuples(st.just("para"), words),
        st.tuples(st.just("bold"), labels, words),
        st.tuples(st.just("heading"), words, st.integers(0, 3)),
        tables(),
    ),
    max_size=12,
)


def build(blocks) -> bytes:
    document = docx.Document()
    for kind, *args in blocks:
        if kind == "para":
            document.add_paragraph(args[0])
        elif kind == "bold":
            paragraph = document.add_paragraph()
            paragraph.add_run(args[0]).bold = True
            paragraph.add_run(args[1])
        elif kind == "heading":
            document.add_heading(args[0], level=args[1])
        else:
            rows, merges = args
            grid = document.add_table(rows=len(rows), cols=len(rows[0]))
            for row, values in zip(grid.rows, rows, strict=True):
                for cell, value in zip(row.cells, values, strict=True):
                    cell.text = value
            for row, column in merges:
                # Vertical merges down one row, where the table has room.
                if row + 1 < len(rows) and column < len(rows[0]):
                    grid.cell(row, column).merge(grid.cell(row + 1, column))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@functools.cache
def base_members() -> list[tuple[str, bytes]]:
    data = build(
        [
            ("heading", "Interview 7", 0),
            ("bold", "Interviewer:", " How did you start?"),
            ("bold", "Jane:", " With my cousin."),
            ("para", "It was not planned."),
            (
                "table",
                [["Speaker", "Text"], ["Jane", "Yes."], ["Max", "No."]],
                [(1, 0)],
            ),
        ]
    )
    return zip_members(data)


def part_edit(name: str, data: bytes):
    try:
        xml = data.decode("utf-8") if name.endswith((".xml", ".rels")) else None
    except UnicodeDecodeError:  # junk an earlier edit added
        xml = None
    if xml is not None:
        return xml_edits(xml, DOCX_FRAGMENTS).map(
            lambda xml: xml.encode("utf-8", "surrogatepass")
        )
    return byte_edits(data)


@fuzz()
@given(blocks)
def test_generated_documents(blocks):
    check(build(blocks), NAME)


@fuzz()
@given(st.data())
def test_damaged_packages(data):
    packed = data.draw(zip_edits(base_members(), part_edit))
    check(packed, NAME)


@fuzz()
@given(st.data())
def test_damaged_document_xml(data):
    # Only word/document.xml edited, so most examples reach the reading of blocks.
    members = [
        (
            name,
            data.draw(part_edit(name, body)) if name == "word/document.xml" else body,
        )
        for name, body in base_members()
    ]
    check(build_zip(members), NAME)


@fuzz()
@given(st.binary(max_size=2000), st.integers(0, 3000))
def test_truncated_and_random(junk, cut):
    whole = __import__(
        ".".join(__name__.split(".")[:-1]) + ".strategies", fromlist=["x"]
    )
    packed = whole.build_zip(base_members())
    for candidate in (packed[:cut], junk, packed[:cut] + junk):
        one_line(outcome(lambda c=candidate: check(c, NAME), NAME))
