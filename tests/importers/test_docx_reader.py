"""The Word importer reads paragraphs, runs and cells from the XML as python-docx reads them.

`coder.importers.docx` walks the elements itself (python-docx's XPath per run
was most of a long document's import time); these hold it to python-docx's
``Paragraph.text``, ``Paragraph.runs``, ``Run.bold`` and ``_Cell.text`` on
generated XML, and a long document to the same transcript.
"""

from __future__ import annotations

import io

import docx
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.table import Table
from docx.text.paragraph import Paragraph
from hypothesis import given
from hypothesis import strategies as st

from coder.importers import docx as word
from coder.importers import read_transcript

from .helpers import bold, build_docx, heading, para, title

W = nsdecls("w")

RUN_CONTENT = st.sampled_from(
    [
        "<w:t>trust</w:t>",
        '<w:t xml:space="preserve"> the co-op </w:t>',
        "<w:t/>",
        "<w:t>Zoë:</w:t>",
        "<w:tab/>",
        '<w:ptab w:relativeTo="margin" w:alignment="left" w:leader="none"/>',
        "<w:br/>",
        '<w:br w:type="page"/>',
        '<w:br w:type="column"/>',
        '<w:br w:type="textWrapping"/>',
        "<w:cr/>",
        "<w:noBreakHyphen/>",
        "<w:softHyphen/>",
        "<w:delText>gone</w:delText>",
        '<w:sym w:font="Wingdings" w:char="F04A"/>',
        "<!-- a comment -->",
        "<w:lastRenderedPageBreak/>",
    ]
)
RUN_PROPERTIES = st.sampled_from(
    [
        "",
        "<w:rPr/>",
        "<w:rPr><w:b/></w:rPr>",
        "<w:rPr><w:i/><w:b/></w:rPr>",
        '<w:rPr><w:b w:val="0"/></w:rPr>',
        '<w:rPr><w:b w:val="false"/></w:rPr>',
        '<w:rPr><w:b w:val="on"/></w:rPr>',
        '<w:rPr><w:b w:val="off"/></w:rPr>',
        '<w:rPr><w:b w:val="1"/></w:rPr>',
        '<w:rPr><w:b w:val="true"/><w:b w:val="0"/></w:rPr>',
        "<w:rPr><w:bCs/></w:rPr>",
        "<w:rPr><w:i/></w:rPr><w:rPr><w:b/></w:rPr>",
    ]
)


@st.composite
def runs(draw) -> str:
    properties = draw(RUN_PROPERTIES)
    content = "".join(draw(st.lists(RUN_CONTENT, max_size=4)))
    # Properties come first in Word's files; after the text in damaged ones.
    if draw(st.booleans()):
        return f"<w:r>{properties}{content}</w:r>"
    return f"<w:r>{content}{properties}</w:r>"


@st.composite
def paragraphs(draw) -> str:
    parts = []
    if draw(st.booleans()):
        style = draw(st.sampled_from(["Heading1", "Title", "Normal", "Missing"]))
        parts.append(f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>')
    for kind in draw(
        st.lists(st.sampled_from(["run", "run", "link", "ins", "mark"]), max_size=6)
    ):
        if kind == "run":
            parts.append(draw(runs()))
        elif kind == "link":
            inner = "".join(draw(st.lists(runs(), max_size=3)))
            parts.append(f'<w:hyperlink r:id="rId9">{inner}</w:hyperlink>')
        elif kind == "ins":
            parts.append(f'<w:ins w:id="1" w:author="x">{draw(runs())}</w:ins>')
        else:
            parts.append('<w:bookmarkStart w:id="0" w:name="b"/><w:proofErr/>')
    return f"<w:p {nsdecls('w', 'r')}>{''.join(parts)}</w:p>"


def python_docx(p) -> tuple[str, str]:
    """A paragraph's text and the text of its leading bold runs, by python-docx."""
    paragraph = Paragraph(p, None)
    bold = []
    for run in paragraph.runs:
        if run.text:
            if not run.bold:
                break
            bold.append(run.text)
    return paragraph.text, "".join(bold)


@given(paragraphs())
def test_a_paragraph_reads_as_python_docx_reads_it(xml):
    p = parse_xml(xml)
    read = word._paragraph(p, 1)
    assert (read.text, read.bold) == python_docx(p)
    assert word._paragraph_text(p) == read.text


@given(st.lists(st.lists(paragraphs(), min_size=1, max_size=2), min_size=1, max_size=3))
def test_table_cells_read_as_python_docx_reads_them(cells):
    row = "".join(f"<w:tc>{''.join(ps)}</w:tc>" for ps in cells)
    tbl = parse_xml(
        f"<w:tbl {W}><w:tblGrid>{'<w:gridCol/>' * len(cells)}</w:tblGrid>"
        f"<w:tr>{row}</w:tr><w:tr>{row}</w:tr></w:tbl>"
    )
    table = Table(tbl, None)
    assert word._cell_rows(tbl) == [[c.text for c in r.cells] for r in table.rows]


def test_a_long_document_reads_as_python_docx_reads_it(tmp_path):
    blocks = [title("Interview 12"), heading("Part one")]
    for number in range(400):
        blocks.append(bold("Interviewer:", f" Question {number}, and why?"))
        blocks.append(bold("Zoë Ångström", f": Answer {number}. It was\tplanned."))
        blocks.append(para(f"More on {number}, the second paragraph."))
    data = build_docx(blocks)
    document = docx.Document(io.BytesIO(data))
    read, _tables = word._read_blocks(
        *word._Package(data, "long.docx").document(), "long.docx"
    )
    expected = [python_docx(block._p) for block in document.paragraphs]
    assert [(p.text, p.bold) for p in read] == expected
    path = tmp_path / "long.docx"
    path.write_bytes(data)
    transcript = read_transcript(path)[0]
    assert len(transcript.turns) == 800
    assert transcript.turns[1].speaker == "Zoë Ångström"
    assert transcript.text.endswith(
        "Answer 399. It was planned.\nMore on 399, the second paragraph."
    )
