"""Word (.docx) transcripts: paragraphs, runs and tables read from the package's XML.

Reads paragraphs with bold or ``Name:`` speaker labels, Otter's docx export
(header paragraph, then text), and the speaker | text tables (optionally with
a time column) that some transcription services produce. Headings, titles and
paragraphs around a speaker table are not speech: they are dropped and
reported. Line numbers in messages count the document's paragraphs, a table
row counting as one.
"""

from __future__ import annotations

import posixpath
from collections import Counter
from dataclasses import dataclass

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

# WordprocessingML's element and attribute names, in lxml's {namespace}name form.
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_W_P, _W_R, _W_HYPERLINK, _W_T, _W_BR = (
    _W + n for n in ("p", "r", "hyperlink", "t", "br")
)
_W_PPR, _W_PSTYLE, _W_RPR, _W_B = (_W + n for n in ("pPr", "pStyle", "rPr", "b"))
_W_TBL, _W_TR, _W_TC = (_W + n for n in ("tbl", "tr", "tc"))
_W_TCPR, _W_GRIDSPAN, _W_VMERGE = (_W + n for n in ("tcPr", "gridSpan", "vMerge"))
_W_VAL, _W_TYPE = _W + "val", _W + "type"
_W_STYLE, _W_NAME, _W_STYLEID, _W_DEFAULT = (
    _W + n for n in ("style", "name", "styleId", "default")
)
_W_DOCUMENT, _W_BODY = _W + "document", _W + "body"
# The text of a run's other inner-content elements, as python-docx gives it.
_RUN_CHARACTERS = {_W + "tab": "\t", _W + "ptab": "\t", _W + "cr": "\n"}
_RUN_CHARACTERS[_W + "noBreakHyphen"] = "-"
_ON_OFF = {
    "1": True,
    "true": True,
    "on": True,
    "0": False,
    "false": False,
    "off": False,
}


@dataclass
class _Row:
    number: int
    speaker: str
    clock: str | None
    text: str


# The Open Packaging Conventions names python-docx finds a document's parts by
# (docx.opc.constants; tests/importers/test_docx_package.py holds them equal).
_CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_PR = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
RT_OFFICE_DOCUMENT, RT_STYLES = _RT + "officeDocument", _RT + "styles"
CT_DOCUMENT_MAIN = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
)


# lxml's parser options for every part read: no DTD loaded, no entity
# expanded, no network reached (check_docx has refused DTDs already). Blank
# text between elements is dropped, as python-docx's parser drops it, so
# that a run's text is the same.
PARSER_OPTIONS = {
    "remove_blank_text": True,
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "huge_tree": False,
}


class _Package:
    """The XML parts of a .docx, unpacked once by :func:`coder.limits.check_docx`.

    Parts are found as python-docx finds them, through the package's
    relationships, but only the two that hold a transcript (the main document
    and its styles) are parsed: python-docx parses every part, and the
    styles of its own template alone are 349 KB.
    """

    def __init__(self, data: bytes, path: str) -> None:
        self.path = path
        self.parts = check_docx(data, path)
        from lxml import etree

        self.parser = etree.XMLParser(**PARSER_OPTIONS)

    def _xml(self, name: str):
        """The root element of part ``name`` (a member name), or None if absent."""
        from lxml import etree

        data = self.parts.get(name)
        if data is None:
            return None
        try:
            return etree.fromstring(data, self.parser)
        except etree.XMLSyntaxError as exc:
            raise InputError(
                self.path,
                f"not a readable .docx (damaged XML in {excerpt(name)}:"
                f" {excerpt(str(exc.msg))})",
            ) from None

    def _related(self, source: str, reltype: str) -> str | None:
        """The partname (``/word/document.xml``) `source` relates to by `reltype`.

        The first internal relationship of the type counts; None if there is none.
        """
        folder, filename = posixpath.split(source)
        rels = self._xml(posixpath.join(folder, "_rels", filename + ".rels")[1:])
        if rels is None:
            return None
        for rel in rels.iterchildren(_PR + "Relationship"):
            target = rel.get("Target")
            if (
                rel.get("Type") == reltype
                and rel.get("TargetMode", "Internal") != "External"
                and target
            ):
                return posixpath.normpath(posixpath.join(folder, target))
        return None

    def _content_type(self, types, partname: str) -> str | None:
        """The content type ``[Content_Types].xml`` (`types`) gives a part.

        Names and extensions are compared case-insensitively, as OPC says.
        """
        # As python-docx: an override by name before a default by extension,
        # and of several for the same part, the last.
        extension = posixpath.splitext(partname)[1][1:].lower()
        override = default = None
        for element in types:
            tag = element.tag
            if tag == _CT + "Override" and (
                (element.get("PartName") or "").lower() == partname.lower()
            ):
                override = element.get("ContentType")
            elif tag == _CT + "Default" and (
                (element.get("Extension") or "").lower() == extension
            ):
                default = element.get("ContentType")
        return override if override is not None else default

    def document(self):
        """The main document's root element, and its styles part's bytes or None.

        Raises:
            InputError: the package has no Word main document, or it is damaged.
        """
        # Checked first, as python-docx does: a zip without it is no package.
        types = self._xml("[Content_Types].xml")
        if types is None:
            raise InputError(
                self.path, "not a Word document (it has no [Content_Types].xml)"
            )
        partname = self._related("/", RT_OFFICE_DOCUMENT)
        if partname is None:
            raise InputError(
                self.path, "not a Word document (it names no main document part)"
            )
        content_type = self._content_type(types, partname)
        if content_type != CT_DOCUMENT_MAIN:
            raise InputError(
                self.path,
                f"not a Word document ({excerpt(partname)} is"
                f" {excerpt(content_type or 'of no content type')})",
            )
        root = self._xml(partname[1:])
        if root is None:
            raise InputError(
                self.path, f"not a Word document (it has no {excerpt(partname[1:])})"
            )
        styles = self._related(partname, RT_STYLES)
        # Parsed later, and only as far as the paragraphs need (_Styles).
        return root, self.parts.get(styles[1:]) if styles else None


@dataclass(slots=True)  # one per paragraph: slots keep them small
class _Paragraph:
    """What the importer needs of a paragraph, read from its XML once."""

    number: int
    text: str
    # The text of its leading bold runs (python-docx's Paragraph.runs that
    # have text, up to the first that is not bold): a speaker's label.
    bold: str = ""
    # The id of its paragraph style (w:pStyle), None for the default style.
    style: str | None = None
    heading: bool = False


@dataclass
class _Table:
    first: int  # the number of its first row
    # Each row's cell texts by grid column, a merged cell repeated as
    # python-docx's ``row.cells`` gives it.
    rows: list[list[str]]


# python-docx's UI names for the built-in styles Word stores in lower case
# (docx.styles.BabelFish): only these change whether a name is a heading's.
_UI_NAMES = {f"heading {level}": f"Heading {level}" for level in range(1, 10)}


# Bytes of the styles part fed to the parser at a time.
STYLES_CHUNK = 16 * 1024


class _Styles:
    """Whether paragraph styles are headings, read from the document's styles part.

    Read straight from the XML, because python-docx looks a paragraph's style
    up by a scan of every style (quadratic in a long document) and fails
    when the styles part is missing its content type. Read only as far as
    needed, since table styles, which no transcript needs, are most of the
    part: Word and python-docx write paragraph styles first (python-docx's
    template holds 349 KB of styles; its paragraph styles and every default
    are in the first 38 KB).

    Args:
        data: The styles part's bytes, or None if there is none.
        wanted: The ids of the paragraph styles paragraphs name.
        default: Whether paragraphs without a style need the default style.
    """

    def __init__(self, data: bytes | None, wanted: set[str], default: bool) -> None:
        self.names: dict[str, str] = {}
        self.default = ""
        if data is None or not (wanted or default):
            return
        from lxml import etree

        try:
            self._read(data, wanted, default)
        except etree.LxmlError:  # styles are looks, not words: read on without
            self.names.clear()
            self.default = ""

    def _read(self, data: bytes, wanted: set[str], default: bool) -> None:
        from lxml import etree

        # The default paragraph style is the last style marked default (as in
        # python-docx), so the part is read until every "default" in its bytes
        # is a w:default attribute already read. A w:default can only be
        # spelled so, but this counts bytes of ASCII-compatible text: a UTF-16
        # part (NULs among its first bytes) is read to its end.
        utf16 = b"\x00" in data[:4] or data.startswith((b"\xff\xfe", b"\xfe\xff"))
        defaults = data.count(b"default") if default and not utf16 else 0
        parser = etree.XMLPullParser(events=("end",), tag=_W_STYLE, **PARSER_OPTIONS)
        missing = set(wanted)
        seen_defaults = 0
        for start in range(0, len(data), STYLES_CHUNK):
            parser.feed(data[start : start + STYLES_CHUNK])
            for _, style in parser.read_events():
                marked = style.get(_W_DEFAULT)
                seen_defaults += marked is not None
                parent = style.getparent()
                # The styles part's own children, as python-docx reads them.
                if parent is None or parent.getparent() is not None:
                    continue
                if style.get(_W_TYPE, "paragraph") != "paragraph":
                    continue
                name_element = _child(style, _W_NAME)
                name = name_element.get(_W_VAL, "") if name_element is not None else ""
                name = _UI_NAMES.get(name, name)
                style_id = style.get(_W_STYLEID)
                if style_id is not None and style_id not in self.names:
                    self.names[style_id] = name  # the first, as python-docx finds it
                    missing.discard(style_id)
                if marked in ("1", "true", "on"):
                    self.default = name  # the last default wins, as in python-docx
            if not missing and (
                not default or (not utf16 and seen_defaults == defaults)
            ):
                return
        parser.close()

    def is_heading(self, style_id: str | None) -> bool:
        """Whether a paragraph of this style id (None: the default) is a heading.

        Headings, titles and subtitles are.
        """
        if style_id is None:
            return self.default.startswith(HEADING_STYLES)
        # An id without a style (no styles part at all, as some writers
        # make) is Word's id of a built-in style: "Heading1", "Title".
        return self.names.get(style_id, style_id).startswith(HEADING_STYLES)


# Reading paragraphs from the XML. python-docx runs an XPath query for the
# text of every run and a path search for every property, which was most
# of a long document's import time; these read each element's children in
# one pass, to the same result (tests/importers/test_docx_reader.py).


def _child(element, tag: str):
    """The first child of `element` with `tag`, or None (as python-docx finds one)."""
    # Faster than find() (a path search) or iterchildren() for a few children.
    for child in element:
        if child.tag == tag:
            return child
    return None


def _run(r) -> tuple[str, object]:
    """A ``w:r`` element's text (as ``Run.text``) and its first ``w:rPr``, or None."""
    parts = []
    properties = None
    for child in r:
        tag = child.tag
        if tag == _W_T:
            parts.append(child.text or "")
        elif tag == _W_RPR:
            if properties is None:
                properties = child
        elif tag == _W_BR:
            # A line break; page and column breaks are no text.
            if child.get(_W_TYPE, "textWrapping") == "textWrapping":
                parts.append("\n")
        elif tag in _RUN_CHARACTERS:
            parts.append(_RUN_CHARACTERS[tag])
    return "".join(parts), properties


def _is_bold(properties) -> bool:
    """Whether a run of these properties (``w:rPr`` or None) is bold (``Run.bold``)."""
    element = _child(properties, _W_B) if properties is not None else None
    if element is None:
        return False
    value = element.get(_W_VAL)
    if value is None:
        return True
    if value in _ON_OFF:
        return _ON_OFF[value]
    # python-docx refuses the value too (InvalidXmlError).
    raise ValueError(f"w:b w:val must be one of 1, 0, true, false, on, off: {value!r}")


def _paragraph_text(p) -> str:
    """A ``w:p`` element's text, as python-docx's ``Paragraph.text`` reads it."""
    pieces = []
    for child in p:
        tag = child.tag
        if tag == _W_R:
            pieces.append(_run(child)[0])
        elif tag == _W_HYPERLINK:
            pieces.extend(_run(r)[0] for r in child.iterchildren(_W_R))
    return "".join(pieces)


def _paragraph(p, number: int) -> _Paragraph:
    """A ``w:p`` element as plain data, as python-docx's ``Paragraph`` reads it.

    The text holds the runs directly in the paragraph and those of its
    hyperlinks; the leading bold runs are among the former, as
    ``Paragraph.runs`` holds only those. Whether it is a heading is known
    once the styles are read (:func:`_read_blocks`).
    """
    pieces = []
    bold = []
    leading = True  # no run with text that is not bold yet
    properties = None
    for child in p:
        tag = child.tag
        if tag == _W_R:
            text, run_properties = _run(child)
            if text:
                pieces.append(text)
                if leading:
                    if _is_bold(run_properties):
                        bold.append(text)
                    else:
                        leading = False
        elif tag == _W_HYPERLINK:
            pieces.extend(_run(r)[0] for r in child.iterchildren(_W_R))
        elif tag == _W_PPR and properties is None:
            properties = child
    style = None
    if properties is not None:
        # Read raw: python-docx raises on a pStyle without its w:val.
        element = _child(properties, _W_PSTYLE)
        style = element.get(_W_VAL) if element is not None else None
    return _Paragraph(number, "".join(pieces), "".join(bold), style)


def _cell_rows(tbl) -> list[list[str]]:
    """Each row's cell texts, one per grid column, from a ``w:tbl`` element.

    Like python-docx's ``row.cells`` (a cell spanning columns repeats, a
    cell continuing a vertical merge repeats the one above; a cell's text is
    its paragraphs' joined by newlines), except that a merge continuing from
    no row above, which python-docx cannot read, is an empty cell.
    """
    rows: list[list[str]] = []
    for tr in tbl.iterchildren(_W_TR):
        cells: list[str] = []
        for tc in tr.iterchildren(_W_TC):
            properties = _child(tc, _W_TCPR)
            span = 1
            merge = None
            if properties is not None:
                span_element = _child(properties, _W_GRIDSPAN)
                if span_element is not None:
                    value = span_element.get(_W_VAL, "1")
                    span = int(value) if value.isdigit() else 1
                    span = min(max(span, 1), MAX_SPAN)
                merge_element = _child(properties, _W_VMERGE)
                if merge_element is not None:
                    merge = merge_element.get(_W_VAL, "continue")
            column = len(cells)
            if merge == "continue":
                above = rows[-1] if rows else []
                text = above[column] if column < len(above) else ""
            else:
                text = "\n".join(_paragraph_text(p) for p in tc.iterchildren(_W_P))
            cells.extend([text] * span)
        rows.append(cells)
    return rows


def _read_blocks(document, styles, path: str) -> tuple[list[_Paragraph], list[_Table]]:
    """The document's paragraphs and tables as plain data, numbered in order.

    Args:
        document: The main document part's root element.
        styles: The styles part's bytes, or None.
        path: The file, for messages.

    Read from the XML as python-docx reads paragraphs, runs and cells, so
    that a malformed part is reported as the file's problem, not a traceback.
    Paragraphs and tables wrapped in other elements (``w:sdt``, ``w:ins``) are
    left out, as python-docx leaves them out.
    """
    if document.tag != _W_DOCUMENT:
        raise InputError(
            path,
            "not a readable .docx (malformed document XML: the main part is"
            f" {excerpt(str(document.tag))}, not w:document)",
        )
    body = _child(document, _W_BODY)
    if body is None:
        raise InputError(path, "not a readable .docx (the document has no body)")
    paragraphs: list[_Paragraph] = []
    tables: list[_Table] = []
    number = 0
    try:
        for block in body:
            tag = block.tag
            if tag == _W_P:
                number += 1
                paragraphs.append(_paragraph(block, number))
            elif tag == _W_TBL:
                rows = _cell_rows(block)
                tables.append(_Table(number + 1, rows))
                number += len(rows)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InputError(
            path,
            f"not a readable .docx (malformed document XML: {excerpt(str(exc))})",
        ) from exc
    wanted = {paragraph.style for paragraph in paragraphs if paragraph.style}
    default = any(paragraph.style is None for paragraph in paragraphs)
    read = _Styles(styles, wanted, default)
    for paragraph in paragraphs:
        paragraph.heading = read.is_heading(paragraph.style)
    return paragraphs, tables


@dataclass(slots=True)
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
    raw = paragraph.bold
    label = raw.strip()
    # paragraph.text, unlike the runs, holds the text of hyperlinks.
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
    bolds = [_bold_start(p) if p.bold else None for p in paragraphs]
    counts = Counter(bold.name for bold in bolds if bold)
    labels = {bold.name for bold in bolds if bold and bold.colon}
    lines = []
    for paragraph, bold in zip(paragraphs, bolds, strict=True):
        number = paragraph.number
        if bold is None:
            lines.append((number, paragraph.text.strip()))
            continue
        if CLOCK.fullmatch(bold.rest):
            # Otter's header paragraph with the name in bold: "Name  0:03".
            line = f"{bold.name}  {bold.rest}"
        elif (
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
    document, styles = _Package(data, path).document()
    paragraphs, tables = _read_blocks(document, styles, path)

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
