"""Applying, removing and listing codings."""

from __future__ import annotations

from pathlib import Path

import pytest

from coder.codebook import read_codebook
from coder.codes import load_codebook
from coder.coding import apply_coding, list_codings, remove_coding, segment_span
from coder.documents import import_transcripts
from coder.errors import CoderError, NotFoundError

DATA = Path(__file__).parent / "data" / "codebooks"


@pytest.fixture
def ready(project, tmp_path):
    source = tmp_path / "a.txt"
    source.write_text(
        "Q: Who do you trust?\n\nA: The manager. Not the bank.\n", encoding="utf-8"
    )
    import_transcripts(project, [source])
    load_codebook(project, read_codebook(DATA / "mini.yaml"), source="mini.yaml")
    return project


def test_apply_stores_span_coder_memo_and_logs(ready):
    start, end = segment_span(ready, "a", 2)
    coding_id = apply_coding(
        ready, "a", start, end, "trust", coder="ana", memo="clear case"
    )
    [coding] = list_codings(ready)
    assert (
        coding.id,
        coding.document,
        coding.code,
        coding.text,
        coding.coder,
        coding.memo,
    ) == (
        coding_id,
        "a",
        "trust",
        "The manager.",
        "ana",
        "clear case",
    )
    assert coding.source == "manual"
    event = ready.db.execute(
        "SELECT action, entity, entity_id, json_extract(data, '$.start') FROM events ORDER BY id DESC LIMIT 1"
    ).fetchone()
    assert event == ("code", "coding", str(coding_id), start)


def test_same_coding_twice_is_not_doubled(ready):
    first = apply_coding(ready, "a", 0, 5, "trust")
    assert apply_coding(ready, "a", 0, 5, "trust") == first
    assert len(list_codings(ready)) == 1


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (5, 5, "empty span 5-5: start must be before end"),
        (-1, 4, "span -1-4 is outside a"),
        (0, 999, "span 0-999 is outside a (offsets 0 to 45)"),
    ],
)
def test_bad_spans_are_refused_and_nothing_is_written(ready, start, end, message):
    events = ready.db.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    with pytest.raises(
        CoderError, match=message.replace("(", r"\(").replace(")", r"\)")
    ):
        apply_coding(ready, "a", start, end, "trust")
    assert list_codings(ready) == []
    assert ready.db.execute("SELECT COUNT(*) FROM events").fetchone()[0] == events


def test_unknown_document_code_and_segment(ready):
    with pytest.raises(NotFoundError, match="no document 'b' \\(documents: a\\)"):
        apply_coding(ready, "b", 0, 4, "trust")
    with pytest.raises(NotFoundError, match="no code 'trsut'"):
        apply_coding(ready, "a", 0, 4, "trsut")
    with pytest.raises(NotFoundError, match="a has no sentence 9 \\(it has 1 to 3\\)"):
        segment_span(ready, "a", 9)


def test_remove_logs_the_whole_coding(ready):
    coding_id = apply_coding(ready, "a", 0, 5, "trust", memo="m")
    removed = remove_coding(ready, coding_id)
    assert (
        removed.text
        == ready.db.execute("SELECT substr(text, 1, 5) FROM documents").fetchone()[0]
    )
    assert list_codings(ready) == []
    data = ready.db.execute(
        "SELECT json_extract(data, '$.code'), json_extract(data, '$.memo') FROM events WHERE action = 'uncode'"
    ).fetchone()
    assert data == ("trust", "m")
    with pytest.raises(NotFoundError, match=f"no coding with id {coding_id}"):
        remove_coding(ready, coding_id)
