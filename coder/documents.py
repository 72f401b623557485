"""Importing transcripts into a project, and reading documents back."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain, repeat
from pathlib import Path
from typing import TYPE_CHECKING

from coder.attributes import set_values
from coder.cases import ensure_case
from coder.errors import ConflictError, InputError
from coder.events import REMOVE, codings_data, log_codings
from coder.importers import (
    EXTENSIONS,
    check_format,
    is_transcript_file,
    parse_transcript,
    read_bytes,
)
from coder.model import Transcript
from coder.parallel import map_in_workers, uses_workers

# Reading back lives in coder.reading, which the TUI imports without spaCy.
from coder.reading import document_segments, get_document, list_documents
from coder.store import Project
from coder.store.project import now

if TYPE_CHECKING:
    # Imported when the parsing workers have started: numpy alone takes a
    # tenth of a second that the workers would wait for.
    from coder.segmenting import Segmented, Segmenter

# The share of a parallel import this process may segment itself while the
# workers parse, so that the segmenting workers forked next inherit its
# tokenized chunks (see `coder.segmenting`) rather than each tokenizing the
# same words again; it stops as soon as the parsing is done, when the other
# cores would wait for it. On the 1,000-interview study (parsing outlasts
# loading spaCy by seconds) this process segmented 158 files while the
# workers parsed, and the import's CPU time fell from 33.3 to 31.3 s.
WARM_UP_SHARE = 4


@dataclass
class PendingImport:
    """A file checked against the project, waiting to be parsed, segmented and stored."""

    path: Path
    name: str
    sha256: str
    data: bytes
    replaces: int | None = None


@dataclass
class ImportReport:
    imported: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    words: int = 0
    segments: int = 0


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given, and the transcripts inside given folders (recursively, sorted)."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise InputError(str(path), "no such file or folder")
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if is_transcript_file(p))
            if not found:
                kinds = ", ".join(sorted(EXTENSIONS))
                raise InputError(
                    str(path), f"no transcripts in this folder (looked for {kinds})"
                )
            files.extend(found)
        else:
            files.append(path)
    return files


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def plan_imports(
    project: Project,
    paths: Iterable[str | Path],
    *,
    replace: bool = False,
    force: bool = False,
    report: ImportReport,
) -> list[PendingImport]:
    """Read every file and check it against the project before anything is parsed or written."""
    pending: list[PendingImport] = []
    seen: dict[str, Path] = {}
    for path in expand_paths(paths):
        name = path.stem
        if name in seen:
            raise InputError(
                str(path),
                f"two files would both be document '{name}' (also {seen[name]})",
            )
        seen[name] = path
        data = read_bytes(path)
        digest = _sha256(data)
        item = PendingImport(path, name, digest, data)
        if _check_against_project(
            project, item, replace=replace, force=force, report=report
        ):
            pending.append(item)
    return pending


def _check_against_project(
    project: Project,
    item: PendingImport,
    *,
    replace: bool,
    force: bool,
    report: ImportReport,
) -> bool:
    """Whether `item` is still to be stored; sets what it replaces.

    Run when planning, to fail before any parsing, and again under the
    write lock, since another process may have imported meanwhile.
    """
    path, name = item.path, item.name
    same = project.execute(
        "SELECT name FROM documents WHERE sha256 = ?", [item.sha256]
    ).fetchone()
    if same:
        report.skipped.append(name)
        report.notes.append(
            f"{path}: already imported as '{same[0]}' (same content); skipped"
        )
        return False
    existing = project.execute(
        "SELECT id FROM documents WHERE name = ?", [name]
    ).fetchone()
    item.replaces = None
    if existing:
        if not replace:
            raise ConflictError(
                f"{path}: the project already has a document '{name}' from a different "
                "file; use --replace to re-import it"
            )
        item.replaces = existing[0]
        codings = project.execute(
            "SELECT COUNT(*) FROM codings WHERE document_id = ?", [item.replaces]
        ).fetchone()[0]
        if codings and not force:
            raise ConflictError(
                f"{path}: replacing '{name}' would lose {codings} coding"
                f"{'s' if codings != 1 else ''}; use --force to replace it anyway"
            )
    return True


def import_transcripts(
    project: Project,
    paths: Iterable[str | Path],
    *,
    case: str | None = None,
    fmt: str | None = None,
    lang: str = "en",
    model: str | None = None,
    replace: bool = False,
    force: bool = False,
    progress: Callable[[int, int], None] | None = None,
    jobs: int | None = None,
) -> ImportReport:
    """Import files and folders in one transaction: all of them, or none.

    Files are parsed, then segmented, in worker processes where that pays
    (see `coder.parallel`), without holding the project's write lock;
    then one short transaction checks them against the project again and
    stores them. A bad file anywhere stores nothing.

    Args:
        project: The open project.
        paths: Files and folders of transcripts.
        case: Put every imported document in this case.
        fmt: Force an importer (see `coder.importers.IMPORTERS`).
        lang: Language of the transcripts unless a file says otherwise.
        model: An installed spaCy pipeline to segment with.
        replace: Re-import files whose document exists with other content.
        force: Replace even when the old document has codings (they are lost).
        progress: Called with (work done, total work) as files are parsed and
            segmented (each file's bytes count once for each).
        jobs: Worker processes; None chooses by the machine and the work.
    """
    check_format(fmt)
    report = ImportReport()
    pending = plan_imports(project, paths, replace=replace, force=force, report=report)
    if not pending:
        return report
    total = sum(len(item.data) for item in pending)
    # Progress counts each file's bytes twice: parsed, then segmented.
    done = 0
    if progress:
        progress(done, total * 2)
    jobs_list = [(str(item.path), item.data, fmt) for item in pending]
    # Parsing needs no pipeline: worker processes parse while this one loads
    # the pipeline (spaCy's import and the lemma table take a second or two
    # that would leave the other cores idle). A missing model still fails
    # before anything is stored.
    transcripts: list[Transcript] = []
    # The first files are segmented here as they come, while the workers
    # parse the rest, so that the segmenting workers forked next start with
    # what this one has tokenized instead of each doing it again.
    warm_up = total // WARM_UP_SHARE if uses_workers(jobs, len(pending), total) else 0
    warm: list[Segmented] = []
    with map_in_workers(
        _parse_nth, range(len(pending)), jobs=jobs, size=total, shared=jobs_list
    ) as results:
        from coder.segmenting import Segmenter

        segmenter = Segmenter(lang, model)
        segmenter.pipeline(None)
        warming = True
        for item, transcript in zip(pending, results, strict=True):
            transcripts.append(transcript)
            done += len(item.data)
            # The warmed-up files are the first ones, the workers take the rest.
            warming = warming and warm_up > 0 and results.running()
            if warming:
                warm.append(segmenter.segment(transcript))
                warm_up -= len(item.data)
                done += len(item.data)
            if progress:
                progress(done, total * 2)
    # Segmenting in workers forked now, which share the loaded pipeline and
    # the parsed transcripts (nothing is sent to them but numbers).
    parsed: list[tuple[PendingImport, Transcript, SegmentedSummary]] = []
    with (
        SegmentStage(project) as stage,
        map_in_workers(
            _segment_nth,
            range(len(warm), len(pending)),
            jobs=jobs,
            size=total,
            shared=(segmenter, transcripts),
        ) as results,
    ):
        for number, (item, transcript, segmented) in enumerate(
            zip(pending, transcripts, chain(warm, results), strict=True)
        ):
            # Staged now, while the workers go on; copied under the lock.
            stage.add(number, segmented)
            parsed.append((item, transcript, SegmentedSummary.of(segmented)))
            if number >= len(warm):
                done += len(item.data)
            if progress:
                progress(done, total * 2)
        with project.atomic():
            case_id = ensure_case(project, case) if case else None
            stored: dict[int, int] = {}
            for number, (item, transcript, segmented) in enumerate(parsed):
                if not _check_against_project(
                    project, item, replace=replace, force=force, report=report
                ):
                    continue
                stored[number] = _store(
                    project, item, transcript, segmented, case_id, lang
                )
                _note(report, item.path, transcript)
                (report.replaced if item.replaces else report.imported).append(
                    item.name
                )
                report.words += segmented.words
                report.segments += segmented.count
            stage.copy(stored)
    return report


def _parse_nth(jobs: list[tuple[str, bytes, str | None]], number: int) -> Transcript:
    """Parse the `number`th file (path, bytes, format) of the import."""
    path, data, fmt = jobs[number]
    return parse_transcript(data, path, fmt)


def _segment_nth(shared: tuple[Segmenter, list[Transcript]], number: int) -> Segmented:
    """Segment the `number`th parsed transcript of the import."""
    segmenter, transcripts = shared
    return segmenter.segment(transcripts[number])


def _note(report: ImportReport, path: Path, transcript: Transcript) -> None:
    """One report line per distinct dropped line or note of a file.

    A web viewer's copy can drop the same ``user avatar`` line fifty times: the
    first one is reported with its line, and the rest are counted on it.
    """
    dropped_at: dict[tuple[str, str], list[int]] = {}
    for dropped in transcript.dropped:
        dropped_at.setdefault((dropped.text, dropped.reason), []).append(dropped.line)
    for (text, reason), lines in dropped_at.items():
        report.notes.append(
            f"{path}:{lines[0]}: dropped '{text}' ({reason}){_more_like_it(lines[1:])}"
        )
    for note, count in Counter(transcript.notes).items():
        report.notes.append(
            f"{path}: {note}" + (f" ({count} times)" if count > 1 else "")
        )


# Lines listed after the first of a repeated note; the rest are only counted.
_LINES_LISTED = 5


def _more_like_it(lines: list[int]) -> str:
    """``" and 3 more like it (lines 6, 12, 18)"``, or nothing when there are none."""
    if not lines:
        return ""
    listed = ", ".join(str(line) for line in lines[:_LINES_LISTED])
    if len(lines) > _LINES_LISTED:
        listed += ", ..."
    return (
        f" and {len(lines)} more like it (line{'s' if len(lines) > 1 else ''} {listed})"
    )


def _speaker_ids(project: Project, names: Iterable[str]) -> dict[str, int]:
    ids = {}
    for name in names:
        project.execute("INSERT OR IGNORE INTO speakers (name) VALUES (?)", [name])
        ids[name] = project.execute(
            "SELECT id FROM speakers WHERE name = ?", [name]
        ).fetchone()[0]
    return ids


def _store(
    project: Project,
    item: PendingImport,
    transcript: Transcript,
    segmented: SegmentedSummary,
    case_id: int | None,
    lang: str,
) -> int:
    """Store a document (replacing its old version), all but its segments; its id."""
    db = project
    old_case = None
    old_values: list[tuple[int, str]] = []
    if item.replaces is not None:
        old_case = db.execute(
            "SELECT case_id FROM documents WHERE id = ?", [item.replaces]
        ).fetchone()[0]
        # The new version keeps the old one's attributes, as it keeps its case.
        old_values = db.execute(
            "SELECT attribute_id, value FROM attribute_values WHERE document_id = ?",
            [item.replaces],
        ).fetchall()
        # Each coding lost goes to the log in full, under the deletion's event.
        removed = codings_data(project, "c.document_id = ?", [item.replaces])
        db.execute("DELETE FROM documents WHERE id = ?", [item.replaces])
        summary = project.log(
            "delete",
            "document",
            item.replaces,
            name=item.name,
            codings_lost=len(removed),
        )
        log_codings(project, REMOVE, removed, batch=summary, reason="document replaced")
    meta = {
        "pipeline": segmented.pipeline,
        "dropped": [
            {"line": d.line, "text": d.text, "reason": d.reason}
            for d in transcript.dropped
        ],
        "notes": transcript.notes,
        "time_marks": transcript.time_marks,
    }
    doc_id = db.execute(
        "INSERT INTO documents (name, filename, format, sha256, text, language,"
        " imported_at, words, case_id, meta) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            item.name,
            item.path.name,
            transcript.format,
            item.sha256,
            transcript.text,
            transcript.language or lang,
            now(),
            segmented.words,
            case_id if case_id is not None else old_case,
            json.dumps(meta, ensure_ascii=False),
        ],
    ).lastrowid
    db.conn.executemany(
        "INSERT INTO attribute_values (attribute_id, document_id, value) VALUES (?, ?, ?)",
        [(attribute_id, doc_id, value) for attribute_id, value in old_values],
    )
    if transcript.attributes:
        set_values(project, "document", {doc_id: transcript.attributes})
    project.log(
        "import",
        "document",
        doc_id,
        name=item.name,
        file=item.path.name,
        format=transcript.format,
        sha256=item.sha256,
        replaced=item.replaces is not None,
    )
    return doc_id


@dataclass(frozen=True)
class SegmentedSummary:
    """What storing a document needs of its segmentation once the segments are staged."""

    pipeline: str
    words: int
    count: int

    @classmethod
    def of(cls, segmented: Segmented) -> SegmentedSummary:
        return cls(segmented.pipeline, segmented.words, len(segmented))


# Staged segments: the segments table with a document's number in the import
# and its speaker's name, as ids are known only once the documents are stored.
STAGE_COLUMNS = (
    'id, doc, kind, parent_id, seq, start, "end", speaker, start_time, end_time, lemmas'
)


class SegmentStage:
    """Segments written aside while files are parsed, copied in under the lock.

    Inserting a large import's segments into the project's indexed table is
    most of its storing time. They go first into a private temporary database
    attached to the connection (no lock on the project; spilled to a temporary
    file when large) while the workers parse, and are copied into the project
    with one INSERT ... SELECT inside the import's transaction: the write lock
    is held about a third as long, and the staging overlaps the parsing.

    Inside a transaction already open (an import within a larger one), a
    database cannot be attached: the segments are then kept in memory and
    inserted directly.
    """

    def __init__(self, project: Project) -> None:
        self.project = project
        self.conn = project.conn
        self.direct = self.conn.in_transaction
        self.kept: dict[int, Segmented] = {}
        self.next_id = 1

    def __enter__(self) -> SegmentStage:
        if not self.direct:
            self.conn.execute("ATTACH DATABASE '' AS coder_stage")
            # id as the rowid: one b-tree to insert into, not a table and an index.
            columns = STAGE_COLUMNS.replace("id,", "id INTEGER PRIMARY KEY,", 1)
            self.conn.execute(f"CREATE TABLE coder_stage.segments ({columns})")
        return self

    def __exit__(self, *exc: object) -> None:
        if not self.direct:
            self.conn.execute("DETACH DATABASE coder_stage")

    def add(self, number: int, segmented: Segmented) -> None:
        """Stage the segments of the import's `number`th file."""
        if self.direct:
            self.kept[number] = segmented
            return
        rows = _segment_rows(number, self.next_id, segmented)
        self.next_id += len(segmented)
        self.conn.execute("BEGIN")  # touches only the staging database
        try:
            self.conn.executemany(
                f"INSERT INTO coder_stage.segments ({STAGE_COLUMNS})"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def copy(self, stored: dict[int, int]) -> None:
        """Copy the staged segments of stored files in; `stored` maps number to id.

        Runs inside the import's transaction. Speakers are added in order of
        first appearance, so their ids follow the interviews.
        """
        db = self.project
        offset = db.execute("SELECT COALESCE(MAX(id), 0) FROM segments").fetchone()[0]
        if self.direct:
            for number, doc_id in stored.items():
                segmented = self.kept[number]
                rows = list(_segment_rows(doc_id, offset + 1, segmented))
                speakers = dict.fromkeys(row[7] for row in rows if row[7])
                ids = _speaker_ids(self.project, speakers)
                db.conn.executemany(
                    "INSERT INTO segments (id, document_id, kind, parent_id, seq, start,"
                    ' "end", speaker_id, start_time, end_time, lemmas)'
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [(*row[:7], ids.get(row[7]), *row[8:]) for row in rows],
                )
                offset += len(segmented)
            return
        db.execute(
            "CREATE TABLE coder_stage.stored (doc INTEGER PRIMARY KEY, document_id)"
        )
        db.conn.executemany(
            "INSERT INTO coder_stage.stored VALUES (?, ?)", list(stored.items())
        )
        db.execute(
            "INSERT OR IGNORE INTO speakers (name) SELECT s.speaker"
            " FROM coder_stage.segments s JOIN coder_stage.stored USING (doc)"
            " WHERE s.speaker IS NOT NULL GROUP BY s.speaker ORDER BY MIN(s.id)"
        )
        db.execute(
            'INSERT INTO segments (id, document_id, kind, parent_id, seq, start, "end",'
            " speaker_id, start_time, end_time, lemmas)"
            " SELECT s.id + ?, m.document_id, s.kind, s.parent_id + ?, s.seq, s.start,"
            ' s."end", k.id, s.start_time, s.end_time, s.lemmas'
            " FROM coder_stage.segments s JOIN coder_stage.stored m USING (doc)"
            " LEFT JOIN speakers k ON k.name = s.speaker ORDER BY s.id",
            [offset, offset],
        )


def _segment_rows(doc: int, first_id: int, segmented: Segmented) -> Iterator[tuple]:
    """Segment rows with speaker names: turns (ids from `first_id`), then sentences."""
    turns = segmented.turns
    turn_speakers = [turn.speaker or None for turn in turns]
    for seq, turn in enumerate(turns):
        yield (
            first_id + seq,
            doc,
            "turn" if turn.speaker else "paragraph",
            None,
            seq,
            turn.start,
            turn.end,
            turn_speakers[seq],
            turn.start_time,
            turn.end_time,
            None,
        )
    sentences = segmented.sentences
    count = len(sentences)
    first_sentence = first_id + len(turns)
    yield from zip(
        range(first_sentence, first_sentence + count),
        repeat(doc, count),
        repeat("sentence", count),
        [first_id + turn for turn in sentences.turn],
        range(count),
        sentences.start,
        sentences.end,
        [turn_speakers[turn] for turn in sentences.turn],
        sentences.start_time,
        sentences.end_time,
        sentences.lemmas,
        strict=True,
    )


__all__ = [
    "ImportReport",
    "document_segments",
    "expand_paths",
    "get_document",
    "import_transcripts",
    "list_documents",
]
