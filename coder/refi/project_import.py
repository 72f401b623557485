"""Importing a REFI-QDA project (.qdpx, or a .qde with its sources beside it) into a project.

Reading makes a plan without touching the project: text sources with their
text, codes, users, codings at coder's offsets, notes as memos, cases,
variables as attributes, sets. Positions are converted from whichever
convention the file's tool used (see :mod:`coder.refi.positions`), chosen
from the evidence in the file. What cannot come in (PDF, picture, audio and
video sources with their selections, graphs, links, code sets) is counted in
the summary. Storing is one transaction: a file that fails anywhere leaves
the project as it was.
"""

from __future__ import annotations

import copy
import hashlib
import io
import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from lxml import etree

from coder.codebook import Code, Codebook
from coder.errors import ConflictError, InputError
from coder.limits import check_docx, excerpt
from coder.model import Transcript, Turn
from coder.refi.codebook import code_guid, codebook_from_element
from coder.refi.package import (
    Package,
    child,
    children,
    input_error,
    local,
    looks_like_guid,
    normalise_guid,
    open_package,
)
from coder.refi.positions import (
    Evidence,
    SourceText,
    Verdict,
    choose_convention,
    origin_hint,
)
from coder.refi.project_export import CATEGORY_NOTE, PROJECT_NOTE, set_name
from coder.store import Project
from coder.store.project import now

FORMAT = "refi"
_LINE_NAME = re.compile(r"line:(\d+)")
_CASE_NOTE = re.compile(r"Memo on case '(.*)'", re.S)
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


def _date(value: str | None) -> str | None:
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


class _Reader:
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


def read_refi(package: Package, actor: str) -> _Reader:
    reader = _Reader(package, actor)
    reader.read()
    return reader


def _turns(text: str) -> list[Turn]:
    """A paragraph turn per non-empty line, offsets unchanged."""
    turns, offset = [], 0
    for line in text.split("\n"):
        if line.strip():
            turns.append(Turn(offset, offset + len(line)))
        offset += len(line) + 1
    return turns


def import_refi(
    project: Project,
    path: str | Path,
    *,
    lang: str = "en",
    dry_run: bool = False,
) -> RefiImport:
    """Import a REFI-QDA project into this project, in one transaction.

    Args:
        project: The open project (new, or one with work in it).
        path: A .qdpx, or a .qde with its ``sources/`` beside it.
        lang: Language of the sources, for segmenting.
        dry_run: Read and plan only; nothing is written.

    Raises:
        InputError: the file is broken or hostile (naming it and the entry).
        ConflictError: a document of the same name holds other text.
    """
    with open_package(path) as package:
        reader = read_refi(package, project.actor)
    result = reader.result
    result.dry_run = dry_run
    verdict = reader.verdict
    assert verdict is not None
    convention = verdict.convention

    # Selections as offsets into the stored text; any outside is an error.
    placed: list[tuple[PlannedSource, PlannedSelection, int, int]] = []
    for source in reader.sources:
        text = source.text.text
        for selection in source.selections:
            start = source.text.to_offset(selection.start, convention)
            end = source.text.to_offset(selection.end, convention)
            if start is None or end is None or start > end:
                raise input_error(
                    str(path),
                    reader.entry,
                    selection.line,
                    f"selection {selection.start}-{selection.end} is outside source"
                    f" '{excerpt(source.name)}' ({len(text)} characters); nothing imported",
                )
            if start == end:
                result.skipped["empty selections"] += 1
                continue
            placed.append((source, selection, start, end))

    # Who coded what, by name.
    items: list[dict] = []
    selection_memos: list[tuple[str, str, list[str]]] = []
    coding_notes: dict[int, list[str]] = {}
    descriptions: dict[int, str] = {}
    for source, selection, start, end in placed:
        if selection.codings:
            for target, user, date in selection.codings:
                if selection.notes:
                    coding_notes[len(items)] = selection.notes
                elif selection.description:
                    # ATLAS.ti keeps a quotation's comment here.
                    descriptions[len(items)] = selection.description
                items.append(
                    {
                        "document": source.name,
                        "code": reader.code_ids[target],
                        "start": start,
                        "end": end,
                        "coder": reader.user(
                            user, selection.user, source.user, reader.default_user
                        ),
                        "created_at": _date(date) or _date(selection.date) or now(),
                        "source": FORMAT,
                    }
                )
        elif selection.notes or selection.description:
            selection_memos.append((source.name, f"{start}-{end}", selection.notes))
            if not selection.notes:
                reader.note_texts[f"description:{selection.guid}"] = (
                    selection.description,
                    "",
                    selection.user,
                    selection.date,
                    None,
                )
                selection_memos[-1] = (
                    source.name,
                    f"{start}-{end}",
                    [f"description:{selection.guid}"],
                )
        else:
            result.skipped["selections without codings or notes"] += 1
    for source in reader.sources:
        for target, user, date in source.whole:
            if source.text.text:
                items.append(
                    {
                        "document": source.name,
                        "code": reader.code_ids[target],
                        "start": 0,
                        "end": len(source.text.text),
                        "coder": reader.user(user, source.user, reader.default_user),
                        "created_at": _date(date) or now(),
                        "source": FORMAT,
                    }
                )

    # Memos: (target type, target key, note guids).
    referenced: set[str] = set()
    memo_targets: list[tuple[str, str | None, list[str]]] = []
    for code_guid_key, refs in reader.code_notes.items():
        if code_guid_key in reader.code_ids:
            memo_targets.append(("code", reader.code_ids[code_guid_key], refs))
    for source in reader.sources:
        if source.notes:
            memo_targets.append(("document", source.name, source.notes))
    for document, span, refs in selection_memos:
        memo_targets.append(("segment", f"{document}:{span}", refs))
    for refs in coding_notes.values():
        referenced.update(refs)
    for _, _, refs in memo_targets:
        referenced.update(refs)
    case_names = {name for name, *_ in reader.cases}
    pointed_at = {
        normalise_guid(ref.get("targetGUID"))
        for ref in reader.package.root.iter("{*}NoteRef", "{*}MemberNote")
    }
    for guid, (_, name, _, _, _) in reader.note_texts.items():
        if guid in referenced or guid.startswith("description:"):
            continue
        if guid in pointed_at:
            # On a PDF, a link, a source without its text...
            result.skipped["notes on what was not imported"] += 1
            continue
        match = _CASE_NOTE.fullmatch(name)
        if match and match[1] in case_names:
            memo_targets.append(("case", match[1], [guid]))
        else:
            memo_targets.append(("project", None, [guid]))
        referenced.add(guid)
    missing_notes = sum(
        1
        for _, _, refs in memo_targets
        for ref in refs
        if ref not in reader.note_texts or not reader.note_texts[ref][0]
    )
    if missing_notes:
        result.skipped["notes without text"] += missing_notes

    def memo_rows() -> list[tuple[str, str | None, str, str, str, str]]:
        """(type, target, coder, text, created, updated), one per target and coder."""
        merged: dict[tuple, list] = {}
        for kind, target, refs in memo_targets:
            for ref in refs:
                found = reader.note_texts.get(ref)
                if not found or not found[0]:
                    continue
                text, name, user, created, modified = found
                if kind == "project" and name and name != PROJECT_NOTE:
                    # Free notes of other tools are titled: keep the title.
                    text = f"# {name}\n\n{text}"
                coder = reader.user(user, reader.default_user)
                key = (kind, target, coder)
                created_at = _date(created) or now()
                if key in merged:
                    merged[key][0] += "\n\n" + text
                else:
                    merged[key] = [text, created_at, _date(modified) or created_at]
        return [(k[0], k[1], k[2], *v) for k, v in merged.items()]

    memos = memo_rows()
    for index, refs in coding_notes.items():
        texts = [
            reader.note_texts[r][0]
            for r in refs
            if r in reader.note_texts and reader.note_texts[r][0]
        ]
        if texts:
            items[index]["memo"] = "\n\n".join(texts)
    for index, text in descriptions.items():
        items[index]["memo"] = text

    # Sets of sources that are not an attribute's value become attributes.
    source_names = {source.guid: source.name for source in reader.sources}
    set_values: list[tuple[str, list[str]]] = []
    attribute_sets = {
        set_name(name, value)
        for source in reader.sources
        for key, value in source.values.items()
        for name, kind in [reader.variables[key]]
        if kind == "category"
    }
    for name, members in reader.sets:
        if name in attribute_sets:
            continue
        documents = [source_names[m] for m in members if m in source_names]
        if documents:
            set_values.append((name, documents))
        else:
            result.skipped["sets of sources not imported"] += 1

    result.sources = len(reader.sources)
    result.codes = sum(1 for _ in reader.codebook.walk())
    coder_names = set(reader.users.values()) | {item["coder"] for item in items}
    coder_names |= {row[2] for row in memos}
    result.coders = len(coder_names)
    result.codings = len(items)
    result.memos = len(memos) + sum(1 for item in items if item.get("memo"))
    result.cases = len(reader.cases)
    result.attributes = len(reader.variables)
    result.sets = len(set_values)
    if dry_run:
        return result

    _store(project, reader, items, memos, set_values, lang, result)
    return result


def _merged_codebook(
    project: Project, imported: Codebook
) -> tuple[Codebook, dict[str, str]]:
    """The project's codebook with the imported codes added; imported id -> stored id.

    An imported code is the project's code when its GUID is that code's
    GUID, or when a code of the same name sits under the same parent.
    """
    from coder.codes import current_codebook

    current = current_codebook(project)
    merged = copy.deepcopy(current)
    by_guid = {code_guid(code.id): code for code, _, _ in merged.walk()}
    by_id = merged.by_id()
    used_ids = set(by_id)
    mapping: dict[str, str] = {}

    def place(code: Code, parent: Code | None) -> None:
        siblings = parent.children if parent else merged.codes
        match = by_guid.get(code_guid(code.id))
        if match is None:
            match = next(
                (s for s in siblings if s.name.casefold() == code.name.casefold()), None
            )
        if match is None:
            new_id, number = code.id, 2
            while new_id in used_ids:
                new_id, number = f"{code.id}_{number}", number + 1
            used_ids.add(new_id)
            match = Code(
                id=new_id,
                name=code.name,
                definition=code.definition,
                include=code.include,
                exclude=code.exclude,
                colour=code.colour,
            )
            siblings.append(match)
        mapping[code.id] = match.id
        for child_code in code.children:
            place(child_code, match)

    for code in imported.codes:
        place(code, None)
    if not current.codes:
        merged.name = imported.name
    return merged, mapping


def _store(
    project: Project,
    reader: _Reader,
    items: list[dict],
    memos: list[tuple],
    set_values: list[tuple[str, list[str]]],
    lang: str,
    result: RefiImport,
) -> None:
    from coder.attributes import set_values as store_values
    from coder.cases import ensure_case
    from coder.codes import load_codebook
    from coder.coding import insert_codings
    from coder.documents import SegmentedSummary, SegmentStage
    from coder.events import ADD, log_codings
    from coder.segmenting import Segmenter

    segmenter = Segmenter(lang)
    segmented = [
        segmenter.segment(
            Transcript(s.text.text, _turns(s.text.text), FORMAT, language=lang)
        )
        for s in reader.sources
    ]
    name = reader.package.path.name
    with SegmentStage(project) as stage:
        for number, item in enumerate(segmented):
            stage.add(number, item)
        with project.atomic():
            db = project.db
            stored: dict[int, int] = {}
            doc_ids: dict[str, int] = {}
            for number, (source, seg) in enumerate(
                zip(reader.sources, segmented, strict=True)
            ):
                existing = db.execute(
                    "SELECT id, text FROM documents WHERE name = ?", [source.name]
                ).fetchone()
                if existing:
                    if existing[1] != source.text.text:
                        raise ConflictError(
                            f"{reader.where}: the project already has a document"
                            f" '{source.name}' with other text; rename or remove it first"
                        )
                    doc_ids[source.name] = existing[0]
                    result.present += 1
                    continue
                summary = SegmentedSummary.of(seg)
                sha = hashlib.sha256(source.raw).hexdigest()
                meta = {
                    "pipeline": summary.pipeline,
                    "dropped": [],
                    "notes": [],
                    "time_marks": [],
                    "refi": {
                        "guid": source.guid,
                        "origin": result.origin,
                        "file": source.file,
                    },
                }
                doc_id = db.execute(
                    "INSERT INTO documents (name, filename, format, sha256, text, language,"
                    " imported_at, words, meta) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        source.name,
                        Path(source.file).name,
                        FORMAT,
                        sha,
                        source.text.text,
                        lang,
                        _date(source.date) or now(),
                        summary.words,
                        json.dumps(meta, ensure_ascii=False),
                    ],
                ).lastrowid
                stored[number] = doc_id
                doc_ids[source.name] = doc_id
                project.log(
                    "import",
                    "document",
                    doc_id,
                    name=source.name,
                    file=Path(source.file).name,
                    format=FORMAT,
                    sha256=sha,
                    replaced=False,
                )
            stage.copy(stored)

            mapping: dict[str, str] = {}
            if reader.codebook.codes:
                merged, mapping = _merged_codebook(project, reader.codebook)
                load_codebook(project, merged, source=name)
            for item in items:
                item["code"] = mapping.get(item["code"], item["code"])
            for user in reader.users.values():
                project.coder_id(user)
            _, added = insert_codings(project, items)

            for kind, target, coder, text, created, updated in memos:
                if kind == "code":
                    target = mapping.get(target, target)
                coder_id = project.coder_id(coder)
                db.execute(
                    "DELETE FROM memos WHERE target_type = ? AND target_id IS ? AND coder_id = ?",
                    [kind, target, coder_id],
                )
                db.execute(
                    "INSERT INTO memos (target_type, target_id, coder_id, text, created_at,"
                    " updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                    [kind, target, coder_id, text, created, updated],
                )

            by_guid = {source.guid: source.name for source in reader.sources}
            case_values: dict[int, dict[str, str]] = {}
            in_case: set[str] = set()
            for case_name, description, members, values in reader.cases:
                case_id = ensure_case(project, case_name)
                if description:
                    db.execute(
                        "UPDATE cases SET description = ? WHERE id = ?",
                        [description, case_id],
                    )
                for member in members:
                    document = by_guid.get(member)
                    if document is None:
                        continue
                    if document in in_case:
                        result.skipped[
                            "documents in a second case (coder keeps one)"
                        ] += 1
                        continue
                    in_case.add(document)
                    db.execute(
                        "UPDATE documents SET case_id = ? WHERE id = ?",
                        [case_id, doc_ids[document]],
                    )
                    project.log(
                        "set_case", "document", doc_ids[document], case=case_name
                    )
                if values:
                    case_values[case_id] = {
                        reader.variables[key][0]: value for key, value in values.items()
                    }
            types = {name: kind for name, kind in reader.variables.values()}
            doc_values = {
                doc_ids[source.name]: {
                    reader.variables[key][0]: value
                    for key, value in source.values.items()
                }
                for source in reader.sources
                if source.values
            }
            for set_label, documents in set_values:
                types[set_label] = "category"
                for document in documents:
                    doc_values.setdefault(doc_ids[document], {})[set_label] = "yes"
            if doc_values:
                store_values(project, "document", doc_values, types)
            if case_values:
                store_values(project, "case", case_values, types)
            summary_id = project.log(
                "import",
                "refi",
                name,
                origin=result.origin,
                sources=result.sources,
                codes=result.codes,
                codings=len(added),
                memos=result.memos,
                convention=result.convention,
                skipped=dict(result.skipped),
            )
            log_codings(project, ADD, added, batch=summary_id)
    result.codings = len(added)
    if len(added) != len(items):
        result.notes.append(
            f"{len(items) - len(added)} codings were already in the project"
        )
