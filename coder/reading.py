"""Reading documents and their segments back without loading the segmenter.

`coder.documents` imports the segmenter and with it spaCy (seconds of start-up)
because it also imports transcripts. A front end that only reads, like the
TUI, uses these instead: same signatures, same results (a test compares them).
"""

from __future__ import annotations

from collections.abc import Iterable

from coder.attributes import values_for
from coder.cases import document_id
from coder.coding import Coding
from coder.model import Document, Segment
from coder.store import Project


def list_documents(
    project: Project, *, with_text: bool = False, name: str | None = None
) -> list[Document]:
    """Every document (or just `name`) with its case, attributes, speakers and segment counts."""
    text_column = "d.text" if with_text else "''"
    where, params = "", []
    if name is not None:
        where = " WHERE d.id = ?"
        params.append(document_id(project, name))
    rows = project.execute(
        f"SELECT d.id, d.name, d.filename, d.format, d.sha256, d.language, d.imported_at,"
        f" d.words, {text_column}, c.name,"
        " (SELECT COUNT(*) FROM segments s WHERE s.document_id = d.id AND s.kind != 'sentence'),"
        " (SELECT COUNT(*) FROM segments s WHERE s.document_id = d.id AND s.kind = 'sentence')"
        f" FROM documents d LEFT JOIN cases c ON c.id = d.case_id{where} ORDER BY d.name",
        params,
    ).fetchall()
    attributes = values_for(project, "document")
    speakers: dict[int, list[str]] = {}
    for doc_id, speaker in project.execute(
        "SELECT s.document_id, sp.name FROM segments s JOIN speakers sp ON sp.id = s.speaker_id"
        " WHERE s.kind = 'turn' GROUP BY s.document_id, sp.id ORDER BY s.document_id, MIN(s.seq)"
    ):
        speakers.setdefault(doc_id, []).append(speaker)
    return [
        Document(
            id=row[0],
            name=row[1],
            filename=row[2],
            format=row[3],
            sha256=row[4],
            language=row[5],
            imported_at=row[6],
            words=row[7],
            text=row[8],
            case=row[9],
            attributes=attributes.get(row[0], {}),
            speakers=speakers.get(row[0], []),
            turns=row[10],
            sentences=row[11],
        )
        for row in rows
    ]


def get_document(project: Project, name: str) -> Document:
    """One document with its text (reads only that document's text)."""
    return list_documents(project, with_text=True, name=name)[0]


def document_segments(
    project: Project,
    name: str,
    kinds: Iterable[str] = ("turn", "paragraph", "sentence"),
    *,
    lemmas: bool = True,
) -> list[Segment]:
    """A document's segments in text order, turns before the sentences they hold.

    With ``lemmas=False`` the lemmas are left out (None): a reader needs no
    lemmas, and they are a large share of what is read.
    """
    doc_id = document_id(project, name)
    kinds = list(kinds)
    marks = ", ".join("?" for _ in kinds)
    rows = project.execute(
        'SELECT s.id, s.kind, s.start, s."end", s.seq, sp.name, s.start_time, s.end_time,'
        f" {'s.lemmas' if lemmas else 'NULL'}, p.seq FROM segments s LEFT JOIN speakers sp ON sp.id = s.speaker_id"
        " LEFT JOIN segments p ON p.id = s.parent_id"
        f" WHERE s.document_id = ? AND s.kind IN ({marks})"
        " ORDER BY s.start, s.kind = 'sentence', s.seq",
        [doc_id, *kinds],
    ).fetchall()
    return [
        Segment(
            kind=row[1],
            start=row[2],
            end=row[3],
            seq=row[4],
            speaker=row[5],
            start_time=row[6],
            end_time=row[7],
            lemmas=row[8],
            parent_seq=row[9],
            id=row[0],
        )
        for row in rows
    ]


def document_codings(
    project: Project, name: str, *, coder: str | None = None
) -> list[Coding]:
    """A document's codings (of one coder, or everyone's) in text order, without their text.

    `coder.coding.list_codings` cuts each coding's text out of the document in
    SQL, which reads the whole text once per coding; a reader that holds the
    text already takes ``text[coding.start:coding.end]`` itself.
    """
    params: list[object] = [document_id(project, name)]
    sql = (
        'SELECT c.id, c.code_id, c.start, c."end", k.name, c.created_at, c.memo, c.source'
        " FROM codings c JOIN coders k ON k.id = c.coder_id WHERE c.document_id = ?"
    )
    if coder is not None:
        sql += " AND k.name = ?"
        params.append(coder)
    case = project.execute(
        "SELECT c.name FROM documents d LEFT JOIN cases c ON c.id = d.case_id WHERE d.id = ?",
        params[:1],
    ).fetchone()[0]
    return [
        Coding(
            id=row[0],
            document=name,
            code=row[1],
            start=row[2],
            end=row[3],
            coder=row[4],
            created_at=row[5],
            text="",
            memo=row[6],
            source=row[7],
            case=case,
        )
        for row in project.execute(sql + ' ORDER BY c.start, c."end", c.id', params)
    ]
