"""Codebooks in REFI-QDA form: write a .qdc, read one back from .qdc, .qde or .qdpx.

A .qdc carries a code's name, nesting, colour and one free-text
``<Description>``. The definition and the include and exclude rules travel in
that description as paragraphs, the rules marked ``Include:`` and
``Exclude:``, so other tools show them and :func:`read_qdc` can split them
back. Everything else a coder code has (id, examples, key, memo, patterns)
stays behind; ids are made again from names on the way in.

GUIDs are uuid5 of the code id under :data:`CODE_GUID_NAMESPACE`, so the same
code gets the same GUID in every export and a project export can refer to it.

Reading is tolerant of what real tools write (Taguette's empty ``<Sets/>``,
NVivo's project namespace and single-line XML, ATLAS.ti and MAXQDA colours)
and says what it skipped or repaired in notes. Entities are never expanded:
a file that declares any is refused.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from coder import __version__
from coder.codebook import Code, Codebook, CodebookError, normalise_colour, slugify
from coder.errors import InputError, LimitError
from coder.limits import MB, LimitedZip, ZipLimits, find_markup, read_limited

CODEBOOK_NAMESPACE = "urn:QDA-XML:codebook:1.0"
PROJECT_NAMESPACE = "urn:QDA-XML:project:1.0"

# Never change this: every GUID coder has written derives from it, and other
# tools match codes across imports by GUID.
CODE_GUID_NAMESPACE = uuid.UUID("0ba99c6d-710c-57a7-af2f-8cd8b785076b")

# A project.qde bigger than this is refused before it is unpacked, and while
# it is (a zip bomb guard; real exports keep sources outside project.qde and
# stay far below it). Other members are never unpacked.
MAX_QDE_BYTES = 500 * MB
QDPX_LIMITS = ZipLimits(member_bytes=MAX_QDE_BYTES)

_INCLUDE = "Include:"
_EXCLUDE = "Exclude:"

# A rule section starts a paragraph: at the start, or after a blank line.
_SECTION = re.compile(r"(?:\A|\n[ \t]*\n)[ \t]*(include|exclude)[ \t]*:[ \t]*", re.I)

# Characters XML 1.0 cannot carry at all, even escaped.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

_HEX = re.compile(r"#?([0-9a-f]{3}|[0-9a-f]{6}|[0-9a-f]{8})")
_RGB = re.compile(
    r"(?:rgba?\s*\(\s*)?(\d{1,3})\s*[,;\s]\s*(\d{1,3})\s*[,;\s]\s*(\d{1,3})"
    r"(?:\s*[,;\s]\s*[\d.]+%?)?\s*\)?"
)
# The HTML 4 colour names and a few common CSS ones, as CSS defines them.
_NAMED = {
    "black": "#000000",
    "silver": "#c0c0c0",
    "gray": "#808080",
    "grey": "#808080",
    "white": "#ffffff",
    "maroon": "#800000",
    "red": "#ff0000",
    "purple": "#800080",
    "fuchsia": "#ff00ff",
    "magenta": "#ff00ff",
    "green": "#008000",
    "lime": "#00ff00",
    "olive": "#808000",
    "yellow": "#ffff00",
    "navy": "#000080",
    "blue": "#0000ff",
    "teal": "#008080",
    "aqua": "#00ffff",
    "cyan": "#00ffff",
    "orange": "#ffa500",
    "pink": "#ffc0cb",
    "brown": "#a52a2a",
}


# Writing ---------------------------------------------------------------------


def code_guid(code_id: str) -> str:
    """The GUID a code is exported under: uuid5 of its id, lower-case."""
    return str(uuid.uuid5(CODE_GUID_NAMESPACE, code_id))


def _xml_text(text: str) -> str:
    # YAML can smuggle in control characters ("\x01") that no XML can hold.
    return _NOT_XML.sub("", text)


def _description(code: Code) -> str:
    parts = [code.definition.strip()] if code.definition.strip() else []
    if code.include.strip():
        parts.append(f"{_INCLUDE} {code.include.strip()}")
    if code.exclude.strip():
        parts.append(f"{_EXCLUDE} {code.exclude.strip()}")
    return "\n\n".join(parts)


def _colour_attribute(colour: str | None) -> str | None:
    value = normalise_colour(colour)
    if value and re.fullmatch(r"#[0-9a-f]{6}", value):
        return value.upper()
    return None


def _code_element(code: Code, namespace: str) -> etree._Element:
    element = etree.Element(f"{{{namespace}}}Code")
    element.set("guid", code_guid(code.id))
    element.set("name", _xml_text(code.name))
    element.set("isCodable", "true")
    colour = _colour_attribute(code.colour)
    if colour:
        element.set("color", colour)
    description = _xml_text(_description(code))
    if description:
        etree.SubElement(element, f"{{{namespace}}}Description").text = description
    for child in code.children:
        element.append(_code_element(child, namespace))
    return element


def codes_element(
    codebook: Codebook, namespace: str = CODEBOOK_NAMESPACE
) -> etree._Element:
    """The ``<Codes>`` tree of a codebook, in either REFI namespace.

    A project export puts this inside its own ``<CodeBook>`` with
    ``namespace=PROJECT_NAMESPACE``; codings then point at :func:`code_guid`.

    Raises:
        CodebookError: the codebook has no codes (the schema needs one) or
            two codes share an id (their GUIDs would clash).
    """
    seen: set[str] = set()
    for code, _, _ in codebook.walk():
        if code.id in seen:
            raise CodebookError(
                [f"code id '{code.id}' is used twice; REFI-QDA GUIDs would clash"]
            )
        seen.add(code.id)
    if not codebook.codes:
        raise CodebookError(
            [f"codebook '{codebook.name}' has no codes; a REFI-QDA codebook needs one"]
        )
    codes = etree.Element(f"{{{namespace}}}Codes", nsmap={None: namespace})
    for code in codebook.codes:
        codes.append(_code_element(code, namespace))
    return codes


def codebook_to_qdc(codebook: Codebook) -> bytes:
    """A REFI-QDA codebook file (.qdc) that validates against Codebook.xsd.

    No ``<Sets>``: coder has no code groups, and an empty one is invalid.

    Returns:
        UTF-8 XML with a declaration, pretty-printed.
    """
    root = etree.Element(
        f"{{{CODEBOOK_NAMESPACE}}}CodeBook", nsmap={None: CODEBOOK_NAMESPACE}
    )
    root.set("origin", f"coder {__version__}")
    root.append(codes_element(codebook, CODEBOOK_NAMESPACE))
    body = etree.tostring(root, encoding="UTF-8", pretty_print=True)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body


# Reading ---------------------------------------------------------------------


def split_description(text: str) -> tuple[str, str, str]:
    """(definition, include, exclude) from a ``<Description>``.

    Paragraphs starting ``Include:`` or ``Exclude:`` open a rule section
    that runs to the next one; text before the first is the definition. A
    description without markers is all definition, as other tools write it.
    """
    text = text.replace("\r\n", "\n").strip()
    matches = list(_SECTION.finditer(text))
    if not matches:
        return text, "", ""
    definition = text[: matches[0].start()].strip()
    sections: dict[str, list[str]] = {"include": [], "exclude": []}
    for match, following in zip(matches, [*matches[1:], None], strict=True):
        end = following.start() if following else len(text)
        body = text[match.end() : end].strip()
        if body:
            sections[match[1].lower()].append(body)
    return (
        definition,
        "\n\n".join(sections["include"]),
        "\n\n".join(sections["exclude"]),
    )


def _read_colour(value: str) -> tuple[str | None, bool]:
    """(#rrggbb or None, whether it had to be converted) for a color attribute."""
    text = value.strip().lower()
    match = _HEX.fullmatch(text)
    if match:
        digits = match[1]
        if len(digits) == 8:
            # Alpha first (#AARRGGBB) is what .NET and Qt write; alpha last
            # (#RRGGBBAA, CSS) shows itself by an opaque "ff" at the end.
            opaque_last = digits[6:] == "ff" and digits[:2] != "ff"
            return f"#{digits[:6] if opaque_last else digits[2:]}", True
        return normalise_colour(f"#{digits}"), not text.startswith("#")
    match = _RGB.fullmatch(text)
    if match and all(int(part) <= 255 for part in match.groups()):
        return "#" + "".join(f"{int(part):02x}" for part in match.groups()), True
    if text in _NAMED:
        return _NAMED[text], True
    return None, False


def _normalise_guid(guid: str) -> str:
    return guid.strip().strip("{}").lower()


def _local(element: etree._Element) -> str:
    # Comments and processing instructions have a function, not a str, as tag.
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _namespace(element: etree._Element) -> str:
    return etree.QName(element).namespace or ""


def _names(names: list[str], limit: int = 5) -> str:
    shown = ", ".join(f"'{name}'" for name in names[:limit])
    more = len(names) - limit
    return f"{shown} and {more} more" if more > 0 else shown


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


@dataclass
class _Reading:
    """What reading one code tree has collected so far."""

    notes: list[str] = field(default_factory=list)
    names: set[str] = field(default_factory=set)
    ids: set[str] = field(default_factory=set)
    guids: dict[str, str] = field(default_factory=dict)
    not_codable: list[str] = field(default_factory=list)
    converted_colours: list[str] = field(default_factory=list)
    coded_notes: int = 0
    unnamed: int = 0

    def unique_name(self, name: str, parent: str | None) -> str:
        # Names are unique case-insensitively across the tree, as in YAML.
        unique, number = name, 2
        while unique.casefold() in self.names:
            unique, number = f"{name} ({number})", number + 1
        if unique != name:
            where = f" under '{parent}'" if parent else ""
            self.notes.append(f"duplicate name '{name}'{where} renamed to '{unique}'")
        self.names.add(unique.casefold())
        return unique

    def unique_id(self, name: str) -> str:
        slug = slugify(name)
        unique, number = slug, 2
        while unique in self.ids:
            unique, number = f"{slug}_{number}", number + 1
        self.ids.add(unique)
        return unique


def _read_code(element: etree._Element, parent: str | None, state: _Reading) -> Code:
    name = (element.get("name") or "").strip()
    if not name:
        state.unnamed += 1
        name = "Unnamed code"
    name = state.unique_name(name, parent)
    code = Code(id=state.unique_id(name), name=name)

    guid = element.get("guid")
    if guid:
        key = _normalise_guid(guid)
        if key in state.guids:
            state.notes.append(f"GUID {guid} is used by more than one code")
        else:
            state.guids[key] = code.id

    if (element.get("isCodable") or "").strip().lower() in ("false", "0"):
        state.not_codable.append(name)

    colour = element.get("color")
    if colour is not None and colour.strip():
        value, converted = _read_colour(colour)
        if value is None:
            state.notes.append(f"colour '{colour}' not understood on code '{name}'")
        else:
            code.colour = value
            if converted:
                state.converted_colours.append(f"'{colour}' -> {value}")

    descriptions = []
    for child in element:
        kind = _local(child)
        if kind == "Description":
            descriptions.append("".join(child.itertext()))
        elif kind == "Code":
            code.children.append(_read_code(child, name, state))
        elif kind == "NoteRef":
            state.coded_notes += 1
    if descriptions:
        code.definition, code.include, code.exclude = split_description(
            "\n\n".join(descriptions)
        )
    return code


def _count_sets(sets: list[etree._Element], notes: list[str]) -> None:
    for element in sets:
        count = sum(1 for child in element if _local(child) == "Set")
        if count:
            notes.append(f"{_plural(count, 'set')} skipped (code groups are not kept)")
        else:
            notes.append("empty <Sets/> ignored")


def codebook_from_element(
    element: etree._Element, name: str
) -> tuple[Codebook, list[str], dict[str, str]]:
    """Read a ``<CodeBook>`` element of either REFI namespace.

    Args:
        element: the ``<CodeBook>``, from a .qdc or inside a project.
        name: the codebook's name (REFI codebooks carry none).

    Returns:
        The codebook, notes on what was skipped or repaired, and each code's
        GUID (lower-case, no braces) mapped to its new id, for codings.
    """
    state = _Reading()
    namespace = _namespace(element)
    if namespace not in (CODEBOOK_NAMESPACE, PROJECT_NAMESPACE):
        shown = f"namespace '{namespace}'" if namespace else "no namespace"
        state.notes.append(f"<CodeBook> has {shown}; read as REFI-QDA 1.0")
    codes: list[Code] = []
    sets = []
    for child in element:
        kind = _local(child)
        if kind == "Codes":
            codes.extend(
                _read_code(code, None, state)
                for code in child
                if _local(code) == "Code"
            )
        elif kind == "Code":  # no <Codes> wrapper: invalid, but unambiguous
            codes.append(_read_code(child, None, state))
        elif kind == "Sets":
            sets.append(child)
    _count_sets(sets, state.notes)
    if not codes:
        state.notes.append("the codebook has no codes")
    if state.unnamed:
        state.notes.append(
            f"{_plural(state.unnamed, 'code')} without a name called 'Unnamed code'"
        )
    if state.not_codable:
        state.notes.append(
            f"{_plural(len(state.not_codable), 'code')} marked not codable"
            f' (isCodable="false") kept as ordinary codes: {_names(state.not_codable)}'
        )
    if state.converted_colours:
        state.notes.append(
            f"{_plural(len(state.converted_colours), 'colour')} converted to #rrggbb:"
            f" {', '.join(state.converted_colours[:3])}"
            + (" ..." if len(state.converted_colours) > 3 else "")
        )
    if state.coded_notes:
        state.notes.append(
            f"{_plural(state.coded_notes, 'note')} attached to codes skipped"
        )
    return Codebook(name=name, codes=codes, version=""), state.notes, state.guids


def _no_entities(where: str, line: int | None) -> CodebookError:
    place = f"{where}:{line}" if line else where
    return CodebookError(
        [
            f"{place}: the file declares XML entities (<!ENTITY>); coder does not expand them"
        ]
    )


def _parse(data: bytes, where: str) -> etree._Element:
    """Parse XML without expanding entities or touching the network."""
    line = find_markup(data, "<!ENTITY")
    if line is not None:
        # Refused before libxml2 sees it: it expands entities inside attribute
        # values even with resolve_entities=False.
        raise _no_entities(where, line)
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        message = re.sub(r", line \d+, column \d+$", "", exc.msg or "").strip()
        if "amplification" in message:
            raise _no_entities(where, exc.lineno) from None
        if "Excessive depth" in message:
            # libxml2's own limit without XML_PARSE_HUGE; it also keeps the
            # recursive _read_code far from Python's recursion limit.
            message = "elements nested more than 256 deep, more than coder reads"
        raise CodebookError(
            [f"{where}:{exc.lineno or 1}: not well-formed XML: {message}"]
        ) from None
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise _no_entities(where, None)
    return root


def _read_project_entry(path: Path) -> tuple[str, bytes]:
    """(entry name, bytes) of a .qdpx's project.qde, whatever its case."""
    describe = "not a readable .qdpx (ZIP) file: {}"
    try:
        with LimitedZip(path, str(path), QDPX_LIMITS, describe) as archive:
            entries = [
                info
                for info in archive.members
                if info.filename.lower() == "project.qde"
            ]
            if not entries:
                found = [info.filename for info in archive.members][:5]
                listed = ", ".join(found) if found else "nothing"
                raise CodebookError(
                    [
                        f"{path}: no project.qde in this .qdpx archive (it holds {listed})"
                    ]
                )
            return entries[0].filename, archive.read(entries[0])
    except LimitError:
        raise
    except InputError as exc:
        # Broken archives are codebook problems like the rest of this reader's.
        raise CodebookError([str(exc)]) from None


def read_qdc(path: str | Path) -> tuple[Codebook, list[str]]:
    """Read a codebook from a .qdc, a project .qde, or a .qdpx project archive.

    Args:
        path: the file; a ZIP (by content or the .qdpx suffix) is read as a
            project archive, anything else as XML.

    Returns:
        The codebook (named after the project, else the file) and notes on
        what was skipped or repaired, one short sentence each.

    Raises:
        CodebookError: one ``path[:line]: message`` line when the file cannot
            be read as REFI-QDA at all.
        LimitError: past a limit of `coder.limits` (size, zip members).
    """
    path = Path(path)
    if not path.is_file():
        raise CodebookError([f"{path}: no such file"])
    try:
        with path.open("rb") as handle:
            magic = handle.read(4)
        if path.suffix.lower() == ".qdpx" or magic.startswith(b"PK"):
            entry, data = _read_project_entry(path)
            where = f"{path}/{entry}"
        else:
            data = read_limited(path, MAX_QDE_BYTES, "REFI-QDA XML files")
            where = str(path)
    except OSError as exc:
        raise CodebookError([f"{path}: cannot read: {exc.strerror or exc}"]) from None

    root = _parse(data, where)
    notes: list[str] = []
    name = path.stem
    kind = _local(root)
    if kind == "CodeBook":
        codebook_element = root
    elif kind == "Project":
        name = (root.get("name") or "").strip() or name
        found = [child for child in root if _local(child) == "CodeBook"]
        if not found:
            raise CodebookError([f"{where}: the project has no <CodeBook>"])
        codebook_element = found[0]
        # Project-level sets can group codes too; they are not kept either.
        _count_sets([child for child in root if _local(child) == "Sets"], notes)
    else:
        raise CodebookError(
            [
                f"{where}:{root.sourceline or 1}: no <CodeBook> here: the root element is"
                f" <{kind}>, not a REFI-QDA <CodeBook> or <Project>"
            ]
        )
    codebook, more, _ = codebook_from_element(codebook_element, name)
    return codebook, more + notes
