"""Word (.docx) transcripts via python-docx.

Reads paragraphs with bold or ``Name:`` speaker labels, Otter's docx export
(header paragraph, then text), and the speaker | text tables (optionally with
a time column) that some transcription services produce. Headings, titles and
paragraphs around a speaker table are not speech: they are dropped and
reported. Line numbers in messages count the document's paragraphs, a table
row counting as one.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, field

from coder.errors import InputError
from coder.importers import otter, plaintext
from coder.importers._text import CLOCK, TranscriptBuilder, parse_clock
from coder.limits import check_docx, excerpt
from coder.model import DroppedLine, Transcript

FORMAT = "docx"
HEADER_WORDS = {"speaker", "name", "text", "time", "timestamp", "transcript", "start"}
TIME_WORDS = {"time", "timestamp", "start"}
HEADING_STYLES = ("Heading", "Title", "Subtitle")
# Word's tables have at most 63 columns; a larger gridSpan is damage.
MAX_SPAN = 63


@dataclass
class _Row:
    number: int
    speaker: str
    clock: str | None
    text: str


def _open(data: bytes, path: str):
    import docx  # python-docx; imported here to keep `coder --help` fast
    from docx.opc.exceptions import PackageNotFoundError
    from lxml.etree import XMLSyntaxError

    try:
        return docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise InputError(
            path, f"not a readable .docx (broken or truncated zip: {excerpt(str(exc))})"
        ) from exc
    except XMLSyntaxError as exc:
        raise InputError(
            path, f"not a readable .docx (damaged XML: {excerpt(str(exc.msg))})"
        ) from exc
    except (PackageNotFoundError, KeyError, ValueError, AttributeError) as exc:
        # AttributeError: a part whose root element is not the one python-docx
        # expects ([Content_Types].xml, a .rels) lacks its methods.
        raise InputError(path, f"not a Word document ({excerpt(str(exc))})") from exc


@dataclass
class _Paragraph:
    """What the importer needs of a paragraph, read out of python-docx once."""

    number: int
    text: str
    # (text, bold) of each run that has text, in order.
    runs: list[tuple[str, bool]] = field(default_factory=list)
    heading: bool = False


@dataclass
class _Table:
    first: int  # the number of its first row
    # Each row's cell texts by grid column, a merged cell repeated as
    # python-docx's ``row.cells`` gives it.
    rows: list[list[str]]


class _Styles:
    """Paragraph style names by id, read from the document's styles part.

    Read straight from the XML, because python-docx looks a paragraph's style
    up by a scan of every style (quadratic in a long document) and fails
    when the styles part is missing its content type.
    """

    def __init__(self, document) -> None:
        from docx.opc.constants import RELATIONSHIP_TYPE as RT
        from docx.styles import BabelFish

        self.names: dict[str, str] = {}
        self.default = ""
        root = None
        for rel in document.part.rels.values():
            if rel.reltype == RT.STYLES and not rel.is_external:
                root = _part_xml(rel.target_part)
                break
        if root is None:
            return
        for style in root.iter(_qn("w:style")):
            if style.get(_qn("w:type"), "paragraph") != "paragraph":
                continue
            name_element = style.find(_qn("w:name"))
            name = (
                name_element.get(_qn("w:val"), "") if name_element is not None else ""
            )
            name = BabelFish.internal2ui(name)
            style_id = style.get(_qn("w:styleId"))
            if style_id is not None:
                self.names[style_id] = name
            if style.get(_qn("w:default")) in ("1", "true", "on"):
                self.default = name  # the last default wins, as in python-docx

    def is_heading(self, paragraph) -> bool:
        # Read raw: python-docx raises on a pStyle without its w:val.
        properties = paragraph._p.pPr
        element = properties.find(_qn("w:pStyle")) if properties is not None else None
        style_id = element.get(_qn("w:val")) if element is not None else None
        if style_id is None:
            return self.default.startswith(HEADING_STYLES)
        # An id without a style (no styles part at all, as some writers
        # make) is Word's id of a built-in style: "Heading1", "Title".
        return self.names.get(style_id, style_id).startswith(HEADING_STYLES)


def _qn(tag: str) -> str:
    from docx.oxml.ns import qn

    return qn(tag)


def _part_xml(part):
    """The root element of a part python-docx parsed, or parsed here; None if not XML."""
    element = getattr(part, "element", None)
    if element is not None:
        return element
    from lxml import etree

    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        return etree.fromstring(part.blob, parser)
    except etree.XMLSyntaxError:
        return None  # styles are looks, not words: read on without them


def _cell_rows(table) -> list[list[str]]:
    """Each row's cell texts, one per grid column, from the table's XML.

    Like python-docx's ``row.cells`` (a cell spanning columns repeats, a
    cell continuing a vertical merge repeats the one above), except that a
    merge continuing from no row above, which python-docx cannot read, is
    an empty cell.
    """
    from docx.table import _Cell

    rows: list[list[str]] = []
    for tr in table._tbl.tr_lst:
        cells: list[str] = []
        for tc in tr.tc_lst:
            properties = tc.find(_qn("w:tcPr"))
            span = 1
            merge = None
            if properties is not None:
                span_element = properties.find(_qn("w:gridSpan"))
                if span_element is not None:
                    value = span_element.get(_qn("w:val"), "1")
                    span = int(value) if value.isdigit() else 1
                    span = min(max(span, 1), MAX_SPAN)
                merge_element = properties.find(_qn("w:vMerge"))
                if merge_element is not None:
                    merge = merge_element.get(_qn("w:val"), "continue")
            column = len(cells)
            if merge == "continue":
                above = rows[-1] if rows else []
                text = above[column] if column < len(above) else ""
            else:
                text = _Cell(tc, table).text
            cells.extend([text] * span)
        rows.append(cells)
    return rows


def _read_blocks(document, path: str) -> tuple[list[_Paragraph], list[_Table]]:
    """The document's paragraphs and tables as plain data, numbered in order.

    Everything python-docx reads lazily is read here, so that a malformed
    part of the XML is reported as the file's problem, not a traceback.
    """
    from docx.exceptions import InvalidXmlError
    from docx.oxml.exceptions import InvalidXmlError as InvalidOxmlError
    from docx.table import Table

    paragraphs: list[_Paragraph] = []
    tables: list[_Table] = []
    number = 0
    try:
        if document.element.body is None:
            raise InputError(path, "not a readable .docx (the document has no body)")
        styles = _Styles(document)
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                rows = _cell_rows(block)
                tables.append(_Table(number + 1, rows))
                number += len(rows)
            else:
                number += 1
                paragraphs.append(
                    _Paragraph(
                        number,
                        block.text,
                        [(run.text, bool(run.bold)) for run in block.runs if run.text],
                        styles.is_heading(block),
                    )
                )
    except (
        InvalidXmlError,
        InvalidOxmlError,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,  # a root element of the wrong kind (another namespace)
    ) as exc:
        raise InputError(
            path,
            f"not a readable .docx (malformed document XML: {excerpt(str(exc))})",
        ) from exc
    return paragraphs, tables


@dataclass
class _Bold:
    """A bold run at the start of a paragraph, and the text after it."""

    name: str
    rest: str
    colon: bool


def _bold_start(paragraph: _Paragraph) -> _Bold | None:
    """The paragraph's leading bold run when it may be a label, else None.

    A bold run with a colon (``Name:`` bold, or bold ``Name`` then ``:``)
    may hold anything; one without a colon must look like a name.
    """
    bold = []
    for text, is_bold in paragraph.runs:
        if not is_bold:
            break
        bold.append(text)
    raw = "".join(bold)
    label = raw.strip()
    # paragraph.text, unlike paragraph.runs, holds the text of hyperlinks.
    if not label or not paragraph.text.startswith(raw):
        return None
    rest = paragraph.text[len(raw) :].strip()
    name = label.rstrip(":").strip()
    if not rest or not 0 < len(name) <= 40:
        return None
    if label.endswith(":"):
        return _Bold(name, rest, colon=True)
    if rest.startswith(":"):
        return _Bold(name, rest[1:].strip(), colon=True)
    if plaintext.NAME_LINE.match(name):
        return _Bold(name, rest, colon=False)
    return None


def _paragraph_lines(
    paragraphs: list[_Paragraph],
) -> tuple[list[tuple[int, str]], set[str]]:
    """Each paragraph as a line of text, leading bold labels made into ``Name: ``.

    A bold label with a colon names a speaker, whatever the name holds; one
    without a colon only when the name recurs or is a standard label, so that
    a bold first word ("**Really** important") keeps its text unchanged.

    Returns:
        (paragraph number, line) pairs, and the names known to be speakers.
    """
    bolds = {paragraph.number: _bold_start(paragraph) for paragraph in paragraphs}
    counts = Counter(bold.name for bold in bolds.values() if bold)
    labels = {bold.name for bold in bolds.values() if bold and bold.colon}
    lines = []
    for paragraph in paragraphs:
        number = paragraph.number
        bold = bolds[number]
        if bold and CLOCK.fullmatch(bold.rest):
            # Otter's header paragraph with the name in bold: "Name  0:03".
            line = f"{bold.name}  {bold.rest}"
        elif bold and (
            bold.name in labels
            or counts[bold.name] >= 2
            or bold.name.lower() in plaintext.STANDARD_LABELS
        ):
            line = f"{bold.name}: {bold.rest}"
        else:
            line = paragraph.text.strip()
        lines.append((number, line))
    return lines, labels


def _speaker_rows(table: _Table) -> list[_Row] | None:
    """The rows of a speaker | text table (time column optional), or None.

    A table is a speaker table when it has a header row naming its columns
    or a speaker who speaks more than once; a two-column table of facts
    (``Date | 2024-05-01``) is not.
    """
    rows = [
        (table.first + index, [cell.strip() for cell in row])
        for index, row in enumerate(table.rows)
    ]
    rows = [(number, cells) for number, cells in rows if any(cells)]
    # Rows can differ in width (cells spanning or missing at a row's end):
    # short ones are padded with empty cells.
    columns = max((len(cells) for _, cells in rows), default=0)
    rows = [(number, cells + [""] * (columns - len(cells))) for number, cells in rows]
    if not rows or not 2 <= columns <= 3:
        return None
    header = [cell.lower() for cell in rows[0][1]]
    headed = bool(set(header) & HEADER_WORDS)
    if headed:
        rows = rows[1:]
    if not rows:
        return None
    width = len(rows[0][1])
    # A time column is named so in the header, or holds nothing but times; a
    # named one is read even with a typo in it, so the typo is reported.
    time_col = next(
        (
            col
            for col in range(width)
            if (headed and header[col] in TIME_WORDS)
            or (
                any(cells[col] for _, cells in rows)
                and all(CLOCK.fullmatch(cells[col]) for _, cells in rows if cells[col])
            )
        ),
        None,
    )
    others = [col for col in range(width) if col != time_col]
    if len(others) != 2:
        return None
    lengths = {col: sum(len(cells[col]) for _, cells in rows) for col in others}
    text_col = max(others, key=lengths.__getitem__)
    speaker_col = min(others, key=lengths.__getitem__)
    speakers = Counter(cells[speaker_col] for _, cells in rows if cells[speaker_col])
    if not headed and max(speakers.values(), default=0) < 2:
        return None
    return [
        _Row(
            number,
            cells[speaker_col].rstrip(":").strip(),
            cells[time_col] if time_col is not None and cells[time_col] else None,
            cells[text_col],
        )
        for number, cells in rows
    ]


def _table_transcript(rows: list[_Row], path: str) -> TranscriptBuilder:
    builder = TranscriptBuilder(FORMAT, path)
    for row in rows:
        builder.line = row.number
        speaker = row.speaker or builder.current_speaker
        start = parse_clock(row.clock, path, row.number) if row.clock else None
        if (
            speaker != builder.current_speaker
            or not builder.in_turn
            or start is not None
        ):
            builder.start_turn(speaker, start)
        # Paragraphs inside a cell stay paragraphs of the turn.
        for paragraph in row.text.split("\n"):
            builder.add_text(paragraph, new_paragraph=True)
    return builder


def parse(data: bytes, path: str) -> Transcript:
    check_docx(data, path)
    paragraphs, tables = _read_blocks(_open(data, path), path)

    dropped: list[DroppedLine] = []
    speaker_rows: list[_Row] = []
    for table in tables:
        rows = _speaker_rows(table)
        if rows is None:
            dropped.extend(
                DroppedLine(
                    table.first + index,
                    " | ".join(cell.strip() for cell in row),
                    "table row, not a speaker table",
                )
                for index, row in enumerate(table.rows)
                if any(cell.strip() for cell in row)
            )
        else:
            speaker_rows.extend(rows)

    body = []
    for paragraph in paragraphs:
        text = paragraph.text.strip()
        if not text:
            continue
        if paragraph.heading:
            dropped.append(DroppedLine(paragraph.number, text, "heading, not speech"))
        elif speaker_rows:
            dropped.append(
                DroppedLine(paragraph.number, text, "outside the speaker table")
            )
        else:
            body.append(paragraph)
    lines, labels = _paragraph_lines(body)

    if speaker_rows:
        builder = _table_transcript(speaker_rows, path)
        builder.dropped.extend(dropped)
        transcript = builder.build()
    elif lines:
        transcript = _paragraph_transcript(lines, labels, path)
        transcript.dropped.extend(dropped)
    else:
        raise InputError(path, "no transcript text found in the document")
    transcript.format = FORMAT
    transcript.dropped.sort(key=lambda line: line.line)
    return transcript


def _paragraph_transcript(
    lines: list[tuple[int, str]], labels: set[str], path: str
) -> Transcript:
    """Read paragraphs as plain text (or Otter), with messages naming paragraphs."""
    # A blank line between paragraphs: unlabelled ones continue the speaker
    # as a new paragraph. `sources` maps each line of the text to its paragraph.
    sources: list[int] = []
    for number, line in lines:
        sources.extend([number] * (line.count("\n") + 2))
    text = "\n\n".join(line for _, line in lines)

    def paragraph_of(line: int | None) -> int | None:
        return sources[line - 1] if line is not None else None

    try:
        if otter.looks_like_otter("\n".join(line for _, line in lines)):
            transcript = otter.parse_text(text, path)
        else:
            transcript = plaintext.parse_text(text, path, labels=labels)
    except InputError as exc:
        raise InputError(path, exc.detail, paragraph_of(exc.line)) from exc
    transcript.dropped = [
        DroppedLine(paragraph_of(d.line), d.text, d.reason) for d in transcript.dropped
    ]
    return transcript
