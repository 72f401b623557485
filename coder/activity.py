"""How far coding has got, and whether someone else has changed the project since we looked."""

from __future__ import annotations

from dataclasses import dataclass

from coder.store import Project


@dataclass(frozen=True)
class Progress:
    """Sentences of one document, and how many of them a coder has coded."""

    coded: int
    sentences: int

    @property
    def share(self) -> float:
        return self.coded / self.sentences if self.sentences else 0.0


def coding_progress(project: Project, coder: str | None = None) -> dict[str, Progress]:
    """Per document name: sentences overlapped by a coding of `coder` (everyone's when None).

    A sentence counts as coded when any coding overlaps it by at least one
    character. One pass over sentences and codings in text order per document.
    """
    names = dict(project.execute("SELECT id, name FROM documents ORDER BY name"))
    sentences: dict[int, list[tuple[int, int]]] = {doc_id: [] for doc_id in names}
    for doc_id, start, end in project.execute(
        "SELECT document_id, start, \"end\" FROM segments WHERE kind = 'sentence'"
        " ORDER BY document_id, start"
    ):
        sentences[doc_id].append((start, end))
    sql = 'SELECT c.document_id, c.start, c."end" FROM codings c'
    params: list[str] = []
    if coder is not None:
        sql += " JOIN coders k ON k.id = c.coder_id WHERE k.name = ?"
        params.append(coder)
    codings: dict[int, list[tuple[int, int]]] = {}
    for doc_id, start, end in project.execute(
        sql + " ORDER BY c.document_id, c.start", params
    ):
        codings.setdefault(doc_id, []).append((start, end))
    result = {}
    for doc_id, name in names.items():
        spans = codings.get(doc_id, [])
        coded = 0
        index = 0
        reach = -1  # the furthest end among codings starting before this sentence ends
        for start, end in sentences[doc_id]:
            while index < len(spans) and spans[index][0] < end:
                reach = max(reach, spans[index][1])
                index += 1
            if reach > start:
                coded += 1
        result[name] = Progress(coded, len(sentences[doc_id]))
    return dict(sorted(result.items()))


def data_version(project: Project) -> int:
    """SQLite's data version: it changes when another connection commits to the file.

    Cheap enough to poll; a front end compares it with the last value it saw to
    know when to reload what another coder may have changed.
    """
    return project.execute("PRAGMA data_version").fetchone()[0]
