"""Reading a REFI-QDA project into a plan, without touching any coder project.

The plan holds the text sources with their text, codes, users, codings at
coder's offsets, notes, cases, variables and sets, and counts what cannot
come in. Positions are converted from whichever convention the file's tool
used (see :mod:`coder.refi.positions`), chosen from the evidence in the file.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from lxml import etree

from coder.codebook import Codebook
from coder.errors import InputError
from coder.limits import check_docx, excerpt
from coder.refi.codebook import codebook_from_element
from coder.refi.package import (
    Package,
    child,
    children,
    input_error,
    local,
    looks_like_guid,
    normalise_guid,
)
from coder.refi.positions import (
    Evidence,
    SourceText,
    Verdict,
    choose_convention,
    origin_hint,
)
from coder.refi.project_export import CATEGORY_NOTE

FORMAT = "refi"
_LINE_NAME = re.compile(r"line:(\d+)")
CASE_NOTE = re.compile(r"Memo on case '(.*)'", re.S)
SUMMARY_NOTE = re.compile(r"Framework summary of '(.*)' for (.+)", re.S)
_NOT_IMPORTED = {
    "PDFSource": "PDF sources",
    "PictureSource": "picture sources",
    "AudioSource": "audio sources",
    "VideoSource": "video sources",
}
_TYPES = {
    "text": "text",
    "integer": "number",
    "float": "number",
    "date": "date",
    "datetime": "text",
    "boolean": "category",
}


@dataclass
class PlannedSelection:
    """A ``PlainTextSelection`` as read: positions still in the file's convention."""

    guid: str
    line: int | None
    start: int
    end: int
    # (code GUID, user GUID or None, creationDateTime or None) per Coding.
    codings: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    description: str = ""
    user: str | None = None
    date: str | None = None
    evidence: Evidence | None = None


@dataclass
class PlannedSource:
    """A ``TextSource`` whose text was found, with its selections, notes and values."""

    guid: str
    name: str
    file: str
    raw: bytes
    text: SourceText
    line: int | None
    user: str | None = None
    date: str | None = None
    selections: list[PlannedSelection] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)
    # Codings on the whole source (a Coding directly under TextSource).
    whole: list[tuple[str, str | None, str | None]] = field(default_factory=list)


@dataclass
class RefiImport:
    """What an import read, and did (or, with ``dry_run``, would do)."""

    path: Path
    origin: str = ""
    dry_run: bool = False
    sources: int = 0
    codes: int = 0
    coders: int = 0
    codings: int = 0
    memos: int = 0
    cases: int = 0
    attributes: int = 0
    sets: int = 0
    convention: str = ""
    # Sources already in the project with the same name and text.
    present: int = 0
    # What did not come in: description -> count.
    skipped: Counter = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """The summary, one short line each."""
        verb = "would import" if self.dry_run else "imported"
        found = [
            f"{verb} {self.sources} text source{'s' if self.sources != 1 else ''},"
            f" {self.codes} codes, {self.coders} coders, {self.codings} codings,"
            f" {self.memos} memos, {self.cases} cases, {self.attributes} attributes,"
            f" {self.sets} sets as attributes"
        ]
        if self.present:
            found.append(
                f"{self.present} of the sources were already in the project (same name"
                " and text): their codings and memos were added to them"
            )
        if self.origin:
            found.append(f"written by {self.origin}")
        if self.convention:
            found.append(self.convention)
        for what, count in sorted(self.skipped.items()):
            found.append(f"not imported: {count} {what}")
        found.extend(self.notes)
        return found


def _name(value: str | None) -> str:
    """A name as coder keeps it: trimmed, composed (macOS writes "e" + accent)."""
    return unicodedata.normalize("NFC", (value or "").strip())


def parse_date(value: str | None) -> str | None:
    """A REFI dateTime as coder stores times (UTC, milliseconds), or None."""
    if not value or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).isoformat(timespec="milliseconds")


def _decode(data: bytes, where: str) -> tuple[str, list[str]]:
    """A source file's text with its line ends as written (BOM dropped)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), []
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), [
            f"{where}: not UTF-8; read as cp1252 (Windows-1252)"
        ]


def _docx_text(data: bytes, where: str) -> str:
    """The paragraphs of a .docx, one a line (the plain text tools derive from it)."""
    import docx

    check_docx(data, where)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many kinds on a broken file
        raise InputError(where, f"not a readable .docx ({excerpt(str(exc))})") from None
    return "\n".join(paragraph.text for paragraph in document.paragraphs)


def _int(element: etree._Element, name: str, where: str, entry: str | None) -> int:
    value = element.get(name)
    try:
        return int((value or "").strip())
    except ValueError:
        raise input_error(
            where,
            entry,
            element.sourceline,
            f"{local(element)} has {name}='{excerpt(value or '')}', not a whole number",
        ) from None


class ProjectReader:
    """Reads one package into a plan."""

    def __init__(self, package: Package, actor: str) -> None:
        self.package = package
        self.where = str(package.path)
        self.entry = package.entry
        self.actor = actor
        self.result = RefiImport(package.path)
        self.users: dict[str, str] = {}
        self.codebook = Codebook(name=package.path.stem, codes=[])
        self.code_ids: dict[str, str] = {}
        self.code_notes: dict[str, list[str]] = {}
        self.variables: dict[str, tuple[str, str]] = {}
        self.sources: list[PlannedSource] = []
        self.note_texts: dict[
            str, tuple[str, str, str | None, str | None, str | None]
        ] = {}
        self.project_notes: list[str] = []
        self.cases: list[tuple[str, str, list[str], dict[str, str]]] = []
        self.sets: list[tuple[str, list[str]]] = []
        self.verdict: Verdict | None = None

    def read(self) -> None:
        root = self.package.root
        self.result.origin = (root.get("origin") or "").strip()
        self.codebook.name = (root.get("name") or "").strip() or self.codebook.name
        self.default_user = normalise_guid(root.get("creatingUserGUID")) or None
        for element in root:
            kind = local(element)
            if kind == "Users":
                self._users(element)
            elif kind == "CodeBook":
                self._codebook(element)
            elif kind == "Variables":
                self._variables(element)
        for element in root:
            kind = local(element)
            if kind == "Sources":
                self._sources(element)
            elif kind == "Notes":
                self._notes(element)
        for element in root:
            kind = local(element)
            if kind == "Cases":
                self._cases(element)
            elif kind == "Sets":
                self._sets(element)
            elif kind in ("Graphs", "Links"):
                count = len(list(element))
                if count:
                    self.result.skipped[kind.lower()] += count
            elif kind == "NoteRef":
                self.project_notes.append(normalise_guid(element.get("targetGUID")))
        self._check_types()
        self._choose_positions()

    def _check_types(self) -> None:
        """Read a number or date variable whose values are not all that as text."""
        from coder.attributes import infer_type

        values: dict[str, list[str]] = {}
        for source in self.sources:
            for key, value in source.values.items():
                values.setdefault(key, []).append(value)
        for *_, case_values in self.cases:
            for key, value in case_values.items():
                values.setdefault(key, []).append(value)
        for key, (name, kind) in list(self.variables.items()):
            if (
                kind in ("number", "date")
                and values.get(key)
                and infer_type(values[key]) != kind
            ):
                self.variables[key] = (name, "text")
                self.result.notes.append(
                    f"{self.where}: variable '{excerpt(name)}' has values that are"
                    f" not a {kind}; kept as text"
                )

    def _users(self, element: etree._Element) -> None:
        names = set()
        for user in children(element, "User"):
            guid = normalise_guid(user.get("guid"))
            name = _name(user.get("name")) or _name(user.get("id"))
            name = name or f"user {guid[:8]}"
            base, number = name, 2
            while name.casefold() in names:
                name, number = f"{base} ({number})", number + 1
            names.add(name.casefold())
            self.users[guid] = name

    def user(self, *guids: str | None) -> str:
        for guid in guids:
            key = normalise_guid(guid)
            if key:
                if key not in self.users:
                    self.users[key] = f"user {key[:8]}"
                return self.users[key]
        return self.actor

    def _codebook(self, element: etree._Element) -> None:
        codebook, notes, guids = codebook_from_element(element, self.codebook.name)
        self.codebook = codebook
        self.code_ids = guids
        self.result.notes.extend(
            note for note in notes if "attached to codes skipped" not in note
        )
        for code in element.iter("{*}Code"):
            refs = [
                normalise_guid(ref.get("targetGUID"))
                for ref in children(code, "NoteRef")
            ]
            if refs:
                self.code_notes[normalise_guid(code.get("guid"))] = refs

    def _variables(self, element: etree._Element) -> None:
        for variable in children(element, "Variable"):
            name = _name(variable.get("name"))
            if not name:
                self.result.skipped["variables without a name"] += 1
                continue
            kind = _TYPES.get(
                (variable.get("typeOfVariable") or "").strip().lower(), "text"
            )
            description = child(variable, "Description")
            if (
                description is not None
                and (description.text or "").strip() == CATEGORY_NOTE
            ):
                kind = "category"
            self.variables[normalise_guid(variable.get("guid"))] = (name, kind)

    def _values(self, element: etree._Element) -> dict[str, str]:
        values = {}
        for item in children(element, "VariableValue"):
            ref = child(item, "VariableRef")
            key = normalise_guid(ref.get("targetGUID")) if ref is not None else ""
            if key not in self.variables:
                self.result.skipped["values of unknown variables"] += 1
                continue
            for value in item:
                if local(value).endswith("Value") and (value.text or "").strip():
                    text = value.text.strip()
                    if local(value) == "DateValue":
                        text = text[:10]
                    values[key] = text
        return values

    def _text(self, element: etree._Element, what: str) -> tuple[bytes, str] | None:
        content = child(element, "PlainTextContent")
        if content is not None and content.text:
            return content.text.encode("utf-8"), "inline"
        path = element.get("plainTextPath")
        if path:
            data = self.package.read(path)
            if data is not None:
                return data, path
            self.result.notes.append(
                f"{self.where}: {what}: {path} is not in the package"
            )
        rich = element.get("richTextPath")
        if rich and rich.lower().endswith(".docx"):
            data = self.package.read(rich)
            if data is not None:
                text = _docx_text(data, f"{self.where}/{excerpt(rich)}")
                return text.encode("utf-8"), rich
        return None

    def _sources(self, element: etree._Element) -> None:
        names: set[str] = set()
        for source in element:
            kind = local(source)
            if kind in _NOT_IMPORTED:
                self.result.skipped[_NOT_IMPORTED[kind]] += 1
                selections = sum(
                    1 for e in source.iter() if local(e).endswith("Selection")
                )
                if selections:
                    self.result.skipped[f"selections in {_NOT_IMPORTED[kind]}"] += (
                        selections
                    )
                continue
            if kind != "TextSource":
                continue
            guid = normalise_guid(source.get("guid"))
            name = _name(source.get("name"))
            if not name or looks_like_guid(name):
                name = name or f"source {guid[:8]}"
            found = self._text(source, f"source '{name}'")
            selections = children(source, "PlainTextSelection")
            if found is None:
                self.result.skipped["text sources without their text"] += 1
                if selections:
                    self.result.skipped[
                        "selections in text sources without their text"
                    ] += len(selections)
                continue
            data, file = found
            raw, notes = _decode(data, f"{self.where}/{file}")
            self.result.notes.extend(notes)
            base, number = name, 2
            while name.casefold() in names:
                name, number = f"{base} ({number})", number + 1
            names.add(name.casefold())
            planned = PlannedSource(
                guid,
                name,
                file,
                data,
                SourceText(raw),
                source.sourceline,
                user=source.get("creatingUser"),
                date=source.get("creationDateTime"),
                notes=[
                    normalise_guid(r.get("targetGUID"))
                    for r in children(source, "NoteRef")
                ],
                values=self._values(source),
            )
            for coding in children(source, "Coding"):
                planned.whole.extend(self._codings([coding]))
            for selection in selections:
                planned.selections.append(self._selection(selection))
            self.sources.append(planned)

    def _codings(self, codings: list[etree._Element]) -> list[tuple]:
        found = []
        for coding in codings:
            ref = child(coding, "CodeRef")
            target = normalise_guid(ref.get("targetGUID")) if ref is not None else ""
            if target not in self.code_ids:
                self.result.skipped["codings whose code is not in the codebook"] += 1
                continue
            found.append(
                (target, coding.get("creatingUser"), coding.get("creationDateTime"))
            )
        return found

    def _selection(self, element: etree._Element) -> PlannedSelection:
        start = _int(element, "startPosition", self.where, self.entry)
        end = _int(element, "endPosition", self.where, self.entry)
        name = (element.get("name") or "").strip()
        evidence = Evidence(start, end)
        match = _LINE_NAME.fullmatch(name)
        if match:
            evidence.line = int(match[1])
        elif name and not looks_like_guid(name):
            evidence.text = name
        description = child(element, "Description")
        return PlannedSelection(
            normalise_guid(element.get("guid")),
            element.sourceline,
            start,
            end,
            codings=self._codings(children(element, "Coding")),
            notes=[
                normalise_guid(r.get("targetGUID"))
                for r in children(element, "NoteRef")
            ]
            + [
                normalise_guid(r.get("targetGUID"))
                for coding in children(element, "Coding")
                for r in children(coding, "NoteRef")
            ],
            description=(description.text or "").strip()
            if description is not None
            else "",
            user=element.get("creatingUser"),
            date=element.get("creationDateTime"),
            evidence=evidence,
        )

    def _notes(self, element: etree._Element) -> None:
        for note in children(element, "Note"):
            guid = normalise_guid(note.get("guid"))
            found = self._text(note, f"note {guid}")
            if found is None:
                description = child(note, "Description")
                text = (
                    (description.text or "").strip() if description is not None else ""
                )
            else:
                text, _ = _decode(found[0], f"{self.where}/{found[1]}")
                text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
            self.note_texts[guid] = (
                text,
                (note.get("name") or "").strip(),
                note.get("creatingUser"),
                note.get("creationDateTime"),
                note.get("modifiedDateTime"),
            )

    def _cases(self, element: etree._Element) -> None:
        for number, case in enumerate(children(element, "Case"), start=1):
            name = _name(case.get("name")) or f"Case {number}"
            description = child(case, "Description")
            sources = [
                normalise_guid(r.get("targetGUID")) for r in children(case, "SourceRef")
            ]
            for kind in ("CodeRef", "SelectionRef"):
                count = len(children(case, kind))
                if count:
                    self.result.skipped[
                        f"case links to {'codes' if kind == 'CodeRef' else 'selections'}"
                    ] += count
            self.cases.append(
                (
                    name,
                    (description.text or "").strip() if description is not None else "",
                    sources,
                    self._values(case),
                )
            )

    def _sets(self, element: etree._Element) -> None:
        for item in children(element, "Set"):
            codes = len(children(item, "MemberCode"))
            notes = len(children(item, "MemberNote"))
            members = [
                normalise_guid(r.get("targetGUID"))
                for r in children(item, "MemberSource")
            ]
            if codes or notes:
                self.result.skipped["sets of codes or notes"] += 1
                continue
            if members:
                self.sets.append((_name(item.get("name")) or "set", members))
            else:
                self.result.skipped["empty sets"] += 1

    def _choose_positions(self) -> None:
        sources = [
            (source.text, [s.evidence for s in source.selections])
            for source in self.sources
            if source.selections
        ]
        self.verdict = choose_convention(sources, origin_hint(self.result.origin))
        if sources:
            self.result.convention = self.verdict.describe()


def read_refi(package: Package, actor: str) -> ProjectReader:
    reader = ProjectReader(package, actor)
    reader.read()
    return reader
