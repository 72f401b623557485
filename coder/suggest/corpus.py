"""The stored sentences as arrays, and which of them a coder's codings cover.

Both suggestion methods read what import stored (offsets and lemmas per
sentence) and never parse a transcript again.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from coder.cases import document_id
from coder.errors import PipelineError
from coder.pipeline import Pipeline, load_pipeline
from coder.store import Project


@dataclass
class Sentences:
    """Sentences in document order: one array entry (or list item) per sentence."""

    ids: np.ndarray
    document_ids: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    # The turn (or paragraph) each sentence is in; -1 when it has none.
    parents: np.ndarray
    lemmas: list[str]
    # Document id -> name, for every document with sentences here.
    names: dict[int, str]

    def __len__(self) -> int:
        return len(self.lemmas)

    def take(self, index: np.ndarray) -> Sentences:
        """The sentences at these positions (an index array or a boolean mask)."""
        index = np.asarray(index)
        if index.dtype == bool:
            index = np.flatnonzero(index)
        return Sentences(
            self.ids[index],
            self.document_ids[index],
            self.starts[index],
            self.ends[index],
            self.parents[index],
            [self.lemmas[i] for i in index.tolist()],
            self.names,
        )


def load_sentences(
    project: Project, documents: Iterable[str] | None = None
) -> Sentences:
    """Every sentence of the project (or of the named documents), as stored."""
    sql = (
        'SELECT id, document_id, start, "end", COALESCE(parent_id, -1),'
        " COALESCE(lemmas, '') FROM segments WHERE kind = 'sentence'"
    )
    params: list[object] = []
    if documents is not None:
        ids = [document_id(project, name) for name in documents]
        sql += f" AND document_id IN ({', '.join('?' for _ in ids)})"
        params.extend(ids)
    cursor = project.execute(sql + " ORDER BY document_id, start", params)
    # One flat list, then strided slices: much faster than unpacking each row.
    flat = list(itertools.chain.from_iterable(cursor))
    names = dict(project.execute("SELECT id, name FROM documents").fetchall())
    if not flat:
        empty = np.zeros(0, dtype=np.int64)
        return Sentences(empty, empty, empty, empty, empty, [], {})

    def column(index: int) -> np.ndarray:
        return np.fromiter(flat[index::6], np.int64, len(flat) // 6)

    doc_ids = column(1)
    return Sentences(
        column(0),
        doc_ids,
        column(2),
        column(3),
        column(4),
        flat[5::6],
        {doc: names[doc] for doc in np.unique(doc_ids).tolist()},
    )


def corpus_fingerprint(project: Project) -> str:
    """Changes whenever a sentence is added, removed or re-lemmatised."""
    row = project.execute(
        "SELECT COUNT(*), TOTAL(id), MAX(id), TOTAL(start), TOTAL(length(lemmas))"
        " FROM segments WHERE kind = 'sentence'"
    ).fetchone()
    return hashlib.sha256(json.dumps(list(row)).encode()).hexdigest()[:16]


def turn_spans(project: Project) -> dict[int, tuple[int, int]]:
    """Turn (or paragraph) id -> (start, end)."""
    return {
        row[0]: (row[1], row[2])
        for row in project.execute(
            "SELECT id, start, \"end\" FROM segments WHERE kind IN ('turn', 'paragraph')"
        )
    }


def document_pipelines(project: Project) -> dict[int, Pipeline]:
    """The pipeline each document was segmented with (its lemmas came from it)."""
    found: dict[int, Pipeline] = {}
    for doc_id, language, name in project.execute(
        "SELECT id, language, json_extract(meta, '$.pipeline') FROM documents"
    ):
        found[doc_id] = pipeline_named(name or f"blank:{language}", language)
    return found


def pipeline_named(name: str, language: str = "en") -> Pipeline:
    """``blank:de`` -> the blank German pipeline; anything else is a trained one."""
    if name.startswith("blank:"):
        return load_pipeline(name.split(":", 1)[1] or language)
    try:
        return load_pipeline(model=name)
    except PipelineError:
        # The trained pipeline the documents were segmented with is gone; the
        # blank pipeline's lookup lemmas are the nearest match for patterns.
        return load_pipeline(language)


def coder_codings(
    project: Project, coder: str, codes: Sequence[str] | None = None
) -> list[tuple[int, str, int, int]]:
    """A coder's codings as (document id, code, start, end)."""
    sql = (
        'SELECT c.document_id, c.code_id, c.start, c."end" FROM codings c'
        " JOIN coders k ON k.id = c.coder_id WHERE k.name = ?"
    )
    params: list[object] = [coder]
    if codes is not None:
        sql += f" AND c.code_id IN ({', '.join('?' for _ in codes)})"
        params.extend(codes)
    return project.execute(sql + " ORDER BY c.id", params).fetchall()


def covered(
    sentences: Sentences,
    spans: Iterable[tuple[int, str, int, int]],
) -> dict[str, np.ndarray]:
    """Which sentences each code covers: code -> boolean array over `sentences`.

    A sentence counts as coded with a code when that code's spans (their
    union, so overlapping codings are not counted twice) cover more than half
    of its characters.

    Args:
        sentences: The sentences, in document order (as `load_sentences` gives).
        spans: (document id, code, start, end) of codings or suggestions.
    """
    merged: dict[tuple[int, str], list[tuple[int, int]]] = defaultdict(list)
    for doc, code, start, end in spans:
        merged[(doc, code)].append((start, end))
    result: dict[str, np.ndarray] = {}
    if not merged:
        return result
    # Each document's sentences are a contiguous, start-ordered run.
    doc_ids = sentences.document_ids
    bounds = {}
    if len(doc_ids):
        changes = np.flatnonzero(np.diff(doc_ids)) + 1
        firsts = np.concatenate(([0], changes))
        lasts = np.concatenate((changes, [len(doc_ids)]))
        bounds = dict(
            zip(doc_ids[firsts].tolist(), zip(firsts, lasts, strict=True), strict=True)
        )
    lengths = (sentences.ends - sentences.starts).astype(np.int64)
    for (doc, code), intervals in merged.items():
        where = bounds.get(doc)
        if where is None:
            continue
        first, last = where
        starts = sentences.starts[first:last]
        ends = sentences.ends[first:last]
        overlap = np.zeros(last - first, dtype=np.int64)
        for start, end in _union(intervals):
            # Sentences that overlap [start, end): they end after it starts
            # and start before it ends (sentences do not overlap each other).
            lo = int(np.searchsorted(ends, start, "right"))
            hi = int(np.searchsorted(starts, end, "left"))
            if lo < hi:
                overlap[lo:hi] += np.minimum(ends[lo:hi], end) - np.maximum(
                    starts[lo:hi], start
                )
        hits = overlap * 2 > lengths[first:last]
        if hits.any():
            mask = result.get(code)
            if mask is None:
                mask = result[code] = np.zeros(len(sentences), dtype=bool)
            mask[first:last] |= hits
    return result


def _union(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[list[int]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]
