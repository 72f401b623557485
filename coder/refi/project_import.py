"""Importing a REFI-QDA project (.qdpx, or a .qde with its sources beside it) into a project.

`coder.refi.project_reader` reads the file into a plan; this module stores
the plan. Storing is one transaction: a file that fails anywhere leaves the
project as it was.
"""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path

from coder.analysis.scope import SUMMARY_SEPARATOR
from coder.codebook import Code, Codebook
from coder.errors import ConflictError
from coder.limits import excerpt
from coder.model import Transcript, Turn
from coder.refi.codebook import code_guid
from coder.refi.package import (
    input_error,
    normalise_guid,
    open_package,
)
from coder.refi.project_export import PROJECT_NOTE, set_name
from coder.refi.project_reader import (
    CASE_NOTE,
    FORMAT,
    SUMMARY_NOTE,
    PlannedSelection,
    PlannedSource,
    ProjectReader,
    RefiImport,
    parse_date,
    read_refi,
)
from coder.store import Project
from coder.store.project import now


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
                        "created_at": parse_date(date)
                        or parse_date(selection.date)
                        or now(),
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
                        "created_at": parse_date(date) or now(),
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
    code_by_name = {code.name: code.id for code, _, _ in reader.codebook.walk()}
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
        match = CASE_NOTE.fullmatch(name)
        summary = SUMMARY_NOTE.fullmatch(name)
        if match and match[1] in case_names:
            memo_targets.append(("case", match[1], [guid]))
        elif summary and summary[1] in code_by_name:
            target = f"{code_by_name[summary[1]]}{SUMMARY_SEPARATOR}{summary[2]}"
            memo_targets.append(("code", target, [guid]))
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
                created_at = parse_date(created) or now()
                if key in merged:
                    merged[key][0] += "\n\n" + text
                else:
                    merged[key] = [text, created_at, parse_date(modified) or created_at]
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
    reader: ProjectReader,
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
            db = project
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
                        parse_date(source.date) or now(),
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
                    code, separator, row_key = target.partition(SUMMARY_SEPARATOR)
                    target = mapping.get(code, code) + separator + row_key
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
