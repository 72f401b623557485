"""Exporting a whole project as a REFI-QDA package (.qdpx) that validates against Project.xsd.

The package holds ``project.qde`` and each document's text as
``sources/<guid>.txt`` (UTF-8). It carries coders as users, the codebook,
documents, codings (one ``PlainTextSelection`` each, with its coder and
date), memos as notes, cases, attributes as variables, and each value of a
category attribute as a set of documents.

GUIDs are uuid5 under the project's own namespace (kept in the ``project``
table as ``refi_guid``) of what each thing is (``coder:<name>``,
``document:<sha256>``...), so every export of the same project names the
same thing alike; codes use :func:`coder.refi.codebook.code_guid`, as .qdc
exports do. A document imported from a REFI project keeps its GUID.
"""

from __future__ import annotations

import json
import os
import tempfile
import uuid
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from lxml import etree

from coder import __version__
from coder.analysis.scope import SUMMARY_SEPARATOR
from coder.attributes import convert
from coder.codes import current_codebook
from coder.errors import CoderError
from coder.refi.codebook import PROJECT_NAMESPACE, _xml_text, code_guid, codes_element
from coder.refi.positions import (
    CODEPOINTS_CRLF,
    STANDARD,
    UTF16_CRLF,
    Convention,
    SourceText,
)
from coder.store import Project

# Never change this: project namespaces derive from it.
PROJECT_GUID_BASE = uuid.UUID("3f1d6c3e-2b0a-5d7e-9c41-6a8f0e5b2d17")
GUID_KEY = "refi_guid"


@dataclass(frozen=True)
class Target:
    """What a receiving tool expects: line ends in the .txt files and position counting."""

    name: str
    newline: str
    positions: Convention
    why: str
    # Name each selection by its first line (``line:N``, from 0) instead of its text.
    line_names: bool = False


TARGETS: dict[str, Target] = {
    "standard": Target(
        "standard", "\n", STANDARD, "REFI-QDA 1.5: code points into the plain text"
    ),
    "nvivo": Target(
        "nvivo",
        "\r\n",
        UTF16_CRLF,
        "NVivo for Windows counts UTF-16 code units, \\r\\n as two",
    ),
    "atlasti": Target(
        "atlasti",
        "\r\n",
        CODEPOINTS_CRLF,
        "Windows line ends, code points counting \\r\\n as two",
    ),
    "maxqda": Target(
        "maxqda",
        "\r\n",
        STANDARD,
        "Windows line ends, a line end counted as one character",
    ),
    "qualcoder": Target(
        "qualcoder", "\n", STANDARD, "QualCoder keeps \\n text and code points"
    ),
    "qc": Target(
        "qc",
        "\n",
        STANDARD,
        "qc codes lines: it places a selection by a name line:N, else on line 0",
        line_names=True,
    ),
}

_VARIABLE_TYPES = {"text": "Text", "category": "Text", "date": "Date"}
CATEGORY_NOTE = "coder attribute type: category"
# Longest selected text written as a selection's name.
NAME_CHARS = 200


@dataclass
class ExportReport:
    """What went into a package."""

    path: Path
    target: str
    users: int = 0
    codes: int = 0
    sources: int = 0
    codings: int = 0
    notes: int = 0
    cases: int = 0
    variables: int = 0
    sets: int = 0


def project_namespace(project: Project) -> uuid.UUID:
    """The project's GUID namespace, made (and stored) on first use."""
    value = project.meta(GUID_KEY)
    if value:
        return uuid.UUID(value)
    with project.atomic():
        value = project.meta(GUID_KEY)
        if not value:
            # Derived from the creation time where there is one, so copies of
            # the project made before the first export agree.
            created = project.meta("created_at")
            value = str(
                uuid.uuid5(PROJECT_GUID_BASE, created) if created else uuid.uuid4()
            )
            project.set_meta(GUID_KEY, value)
            project.log("set", "project", GUID_KEY, value=value)
    return uuid.UUID(value)


class _Guids:
    def __init__(self, namespace: uuid.UUID) -> None:
        self.namespace = namespace

    def __call__(self, kind: str, *key: object) -> str:
        name = kind + ":" + "\x1f".join(str(part) for part in key)
        return str(uuid.uuid5(self.namespace, name))


def _q(name: str) -> str:
    return f"{{{PROJECT_NAMESPACE}}}{name}"


def _sub(parent: etree._Element, tag: str, **attributes: str | None):
    element = etree.SubElement(parent, _q(tag))
    for key, value in attributes.items():
        if value is not None:
            element.set(key, _xml_text(str(value)))
    return element


def _cut(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= NAME_CHARS else text[: NAME_CHARS - 1] + "\u2026"


def _number(value) -> tuple[str, str]:
    if isinstance(value, int):
        return "IntegerValue", str(value)
    return "FloatValue", format(Decimal(repr(value)), "f")


def build_project(
    project: Project, target: str = "standard"
) -> tuple[bytes, dict[str, bytes], ExportReport]:
    """The ``project.qde`` bytes and the files beside it, by their names in the package.

    Raises:
        CoderError: an unknown target.
    """
    if target not in TARGETS:
        raise CoderError(f"unknown target '{target}' (known: {', '.join(TARGETS)})")
    spec = TARGETS[target]
    guid = _Guids(project_namespace(project))
    db = project
    report = ExportReport(Path(), target)
    files: dict[str, bytes] = {}

    root = etree.Element(_q("Project"), nsmap={None: PROJECT_NAMESPACE})
    root.set("name", _xml_text(project.path.stem))
    root.set("origin", f"coder {__version__}")
    created = project.meta("created_at")
    if created:
        root.set("creationDateTime", created)

    coders = db.execute("SELECT id, name FROM coders ORDER BY id").fetchall()
    user_guid = {coder_id: guid("coder", name) for coder_id, name in coders}
    if coders:
        users = _sub(root, "Users")
        for coder_id, name in coders:
            _sub(users, "User", guid=user_guid[coder_id], name=name)
        report.users = len(coders)

    notes: list[dict] = []

    def note(key: tuple, text: str, coder_id, created_at, updated_at, name: str) -> str:
        note_guid = guid("memo", *key)
        notes.append(
            {
                "guid": note_guid,
                "text": text,
                "user": user_guid.get(coder_id),
                "created": created_at,
                "modified": updated_at,
                "name": name,
            }
        )
        return note_guid

    memos: dict[str, list[tuple]] = {}
    for row in db.execute(
        "SELECT target_type, target_id, coder_id, text, created_at, updated_at, id"
        " FROM memos ORDER BY id"
    ):
        memos.setdefault(row[0], []).append(row)

    codebook = current_codebook(project)
    code_names = {code.id: code.name for code, _, _ in codebook.walk()}
    if codebook.codes:
        book = _sub(root, "CodeBook")
        codes = codes_element(codebook, PROJECT_NAMESPACE)
        book.append(codes)
        report.codes = len(code_names)
        by_guid = {element.get("guid"): element for element in codes.iter(_q("Code"))}
        for _, code_id, coder_id, text, created_at, updated_at, _ in memos.get(
            "code", []
        ):
            if SUMMARY_SEPARATOR in code_id:
                # A framework cell's summary: REFI has no cell to point at, so
                # a free note named after the code and the row carries it.
                code, row_key = code_id.split(SUMMARY_SEPARATOR, 1)
                note(
                    ("summary", code_id, coder_id),
                    text,
                    coder_id,
                    created_at,
                    updated_at,
                    summary_note_name(code_names.get(code, code), row_key),
                )
                continue
            element = by_guid.get(code_guid(code_id))
            if element is None:
                continue
            ref = etree.Element(_q("NoteRef"))
            ref.set(
                "targetGUID",
                note(
                    ("code", code_id, coder_id),
                    text,
                    coder_id,
                    created_at,
                    updated_at,
                    f"Memo on code '{code_names.get(code_id, code_id)}'",
                ),
            )
            # Description first, then notes, then child codes (CodeType).
            first_code = element.find(_q("Code"))
            if first_code is not None:
                first_code.addprevious(ref)
            else:
                element.append(ref)

    attributes = db.execute(
        "SELECT id, name, type FROM attributes ORDER BY name"
    ).fetchall()
    values = db.execute(
        "SELECT attribute_id, document_id, case_id, value FROM attribute_values"
        " WHERE value IS NOT NULL"
    ).fetchall()
    kinds = {attribute_id: kind for attribute_id, _, kind in attributes}
    variable_types = {}
    for attribute_id, _, kind in attributes:
        if kind == "number":
            numbers = [convert(v, kind) for a, _, _, v in values if a == attribute_id]
            kind_name = (
                "Integer" if all(isinstance(n, int) for n in numbers) else "Float"
            )
        else:
            kind_name = _VARIABLE_TYPES[kind]
        variable_types[attribute_id] = kind_name
    variable_guid = {a: guid("attribute", name) for a, name, _ in attributes}
    if attributes:
        variables = _sub(root, "Variables")
        for attribute_id, name, kind in attributes:
            variable = _sub(
                variables,
                "Variable",
                guid=variable_guid[attribute_id],
                name=name,
                typeOfVariable=variable_types[attribute_id],
            )
            if kind == "category":
                _sub(variable, "Description").text = CATEGORY_NOTE
        report.variables = len(attributes)

    def variable_values(parent, rows) -> None:
        for attribute_id, value in sorted(rows, key=lambda r: r[0]):
            element = _sub(parent, "VariableValue")
            _sub(element, "VariableRef", targetGUID=variable_guid[attribute_id])
            kind = kinds[attribute_id]
            if kind == "number":
                tag, text = _number(convert(value, kind))
                if variable_types[attribute_id] == "Float" and tag == "IntegerValue":
                    tag = "FloatValue"
            elif kind == "date":
                tag, text = "DateValue", value
            else:
                tag, text = "TextValue", value
            _sub(element, tag).text = _xml_text(text)

    documents = db.execute(
        "SELECT id, name, sha256, text, imported_at, case_id, meta FROM documents ORDER BY name"
    ).fetchall()
    doc_guid = {}
    for doc_id, _, sha, _, _, _, meta in documents:
        stored = json.loads(meta or "{}").get("refi", {}).get("guid")
        doc_guid[doc_id] = stored or guid("document", sha)

    cases = db.execute(
        "SELECT id, name, description FROM cases ORDER BY name"
    ).fetchall()
    if cases:
        element = _sub(root, "Cases")
        for case_id, name, description in cases:
            case = _sub(element, "Case", guid=guid("case", name), name=name)
            if description:
                _sub(case, "Description").text = _xml_text(description)
            variable_values(case, [(a, v) for a, _, c, v in values if c == case_id])
            for doc_id, _, _, _, _, doc_case, _ in documents:
                if doc_case == case_id:
                    _sub(case, "SourceRef", targetGUID=doc_guid[doc_id])
        report.cases = len(cases)

    codings = db.execute(
        'SELECT c.id, c.document_id, c.code_id, c.start, c."end", c.coder_id,'
        " c.created_at, c.memo, k.name FROM codings c JOIN coders k ON k.id = c.coder_id"
        ' ORDER BY c.document_id, c.start, c."end", c.code_id, k.name'
    ).fetchall()
    by_document: dict[int, list[tuple]] = {}
    for row in codings:
        by_document.setdefault(row[1], []).append(row)
    doc_names = {name: doc_id for doc_id, name, *_ in documents}
    segment_memos: dict[int, list[tuple]] = {}
    for row in memos.get("segment", []):
        document, _, span = (row[1] or "").rpartition(":")
        start, _, end = span.partition("-")
        if document in doc_names and start.isdigit() and end.isdigit():
            segment_memos.setdefault(doc_names[document], []).append(
                (int(start), int(end), row)
            )
    document_memos: dict[str, list[tuple]] = {}
    for row in memos.get("document", []):
        document_memos.setdefault(row[1], []).append(row)

    if documents:
        sources = _sub(root, "Sources")
    for doc_id, name, _, text, imported_at, _, _ in documents:
        source_guid = doc_guid[doc_id]
        positions = SourceText(text)
        file_name = f"{source_guid}.txt"
        source = _sub(
            sources,
            "TextSource",
            guid=source_guid,
            name=name,
            plainTextPath=f"internal://{file_name}",
            creationDateTime=imported_at,
        )
        files[f"sources/{file_name}"] = text.replace("\n", spec.newline).encode("utf-8")

        def position(offset: int, positions: SourceText = positions) -> str:
            return str(positions.to_position(offset, spec.positions))

        def label(start: int, end: int, text: str = text) -> str:
            if spec.line_names:
                return f"line:{text.count(chr(10), 0, start)}"
            return _cut(text[start:end])

        for (
            _coding_id,
            _,
            code_id,
            start,
            end,
            coder_id,
            created_at,
            memo,
            coder,
        ) in by_document.get(doc_id, []):
            key = (source_guid, code_id, coder, start, end)
            selection = _sub(
                source,
                "PlainTextSelection",
                guid=guid("selection", *key),
                name=label(start, end),
                startPosition=position(start),
                endPosition=position(end),
                creatingUser=user_guid[coder_id],
                creationDateTime=created_at,
            )
            coding = _sub(
                selection,
                "Coding",
                guid=guid("coding", *key),
                creatingUser=user_guid[coder_id],
                creationDateTime=created_at,
            )
            _sub(coding, "CodeRef", targetGUID=code_guid(code_id))
            if memo:
                _sub(
                    selection,
                    "NoteRef",
                    targetGUID=note(
                        ("coding", *key),
                        memo,
                        coder_id,
                        created_at,
                        created_at,
                        f"Memo on a coding of '{code_names.get(code_id, code_id)}'",
                    ),
                )
            report.codings += 1
        for start, end, row in sorted(
            segment_memos.get(doc_id, []), key=lambda item: item[:2]
        ):
            _, target_id, coder_id, memo_text, created_at, updated_at, _ = row
            selection = _sub(
                source,
                "PlainTextSelection",
                guid=guid("segment", source_guid, start, end),
                name=label(start, end),
                startPosition=position(start),
                endPosition=position(end),
                creatingUser=user_guid.get(coder_id),
                creationDateTime=created_at,
            )
            _sub(
                selection,
                "NoteRef",
                targetGUID=note(
                    ("segment", target_id, coder_id),
                    memo_text,
                    coder_id,
                    created_at,
                    updated_at,
                    f"Memo on a passage of '{name}'",
                ),
            )
        for (
            _,
            target_id,
            coder_id,
            memo_text,
            created_at,
            updated_at,
            _,
        ) in document_memos.get(name, []):
            _sub(
                source,
                "NoteRef",
                targetGUID=note(
                    ("document", target_id, coder_id),
                    memo_text,
                    coder_id,
                    created_at,
                    updated_at,
                    f"Memo on '{name}'",
                ),
            )
        variable_values(source, [(a, v) for a, d, _, v in values if d == doc_id])
        report.sources += 1

    case_names = {str(case_id): name for case_id, name, _ in cases} | {
        name: name for _, name, _ in cases
    }
    for _, target_id, coder_id, text, created_at, updated_at, _ in memos.get(
        "case", []
    ):
        case = case_names.get(str(target_id), str(target_id))
        note(
            ("case", case, coder_id),
            text,
            coder_id,
            created_at,
            updated_at,
            case_note_name(case),
        )
    for _, _, coder_id, text, created_at, updated_at, _ in memos.get("project", []):
        note(
            ("project", coder_id), text, coder_id, created_at, updated_at, PROJECT_NOTE
        )

    if notes:
        element = _sub(root, "Notes")
        for item in notes:
            note_element = _sub(
                element,
                "Note",
                guid=item["guid"],
                name=item["name"],
                creatingUser=item["user"],
                creationDateTime=item["created"],
                modifiedDateTime=item["modified"],
            )
            _sub(note_element, "PlainTextContent").text = _xml_text(item["text"])
        report.notes = len(notes)

    sets = []
    for attribute_id, name, kind in attributes:
        if kind != "category":
            continue
        members: dict[str, list[int]] = {}
        for a, d, _, v in values:
            if a == attribute_id and d is not None:
                members.setdefault(v, []).append(d)
        for value, docs in sorted(members.items()):
            sets.append((set_name(name, value), name, value, docs))
    if sets:
        element = _sub(root, "Sets")
        for set_label, name, value, docs in sets:
            item = _sub(element, "Set", guid=guid("set", name, value), name=set_label)
            _sub(item, "Description").text = _xml_text(
                f"Documents whose attribute '{name}' is '{value}'"
            )
            for doc_id in sorted(docs, key=lambda d: doc_guid[d]):
                _sub(item, "MemberSource", targetGUID=doc_guid[doc_id])
        report.sets = len(sets)

    body = etree.tostring(root, encoding="UTF-8", pretty_print=True)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body, files, report


PROJECT_NOTE = "Project memo"


def summary_note_name(code_name: str, row_key: str) -> str:
    """The name of a note holding a framework cell's summary (its code and row)."""
    return f"Framework summary of '{code_name}' for {row_key}"


def case_note_name(case: str) -> str:
    """The name of a note holding a case's memo (REFI cases cannot point at notes)."""
    return f"Memo on case '{case}'"


def set_name(attribute: str, value: str) -> str:
    """A set of documents standing for one value of a category attribute."""
    return f"{attribute}: {value}"


def export_qdpx(
    project: Project, output: str | Path, target: str = "standard"
) -> ExportReport:
    """Write the project as a .qdpx package; the file appears whole or not at all.

    Args:
        project: The open project.
        output: The .qdpx to write (replaced if it exists).
        target: A key of :data:`TARGETS`: the receiving tool's conventions.
    """
    output = Path(output)
    qde, files, report = build_project(project, target)
    report.path = output
    output.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        prefix=f".{output.name}.", suffix=".tmp", dir=output.parent
    )
    os.close(handle)
    try:
        stamp = (2020, 1, 1, 0, 0, 0)  # fixed, so the same project zips alike
        with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(
                zipfile.ZipInfo("project.qde", stamp), qde, zipfile.ZIP_DEFLATED
            )
            for name, data in sorted(files.items()):
                archive.writestr(
                    zipfile.ZipInfo(name, stamp), data, zipfile.ZIP_DEFLATED
                )
        os.replace(temporary, output)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return report


__all__ = ["TARGETS", "ExportReport", "build_project", "export_qdpx"]
