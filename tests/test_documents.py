"""The import service: parse everything, then write it all in one transaction."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import coder.documents
import coder.parallel
from coder.attribute_table import import_csv
from coder.cases import set_case
from coder.documents import (
    document_segments,
    expand_paths,
    get_document,
    import_transcripts,
    list_documents,
)
from coder.errors import ConflictError, InputError, NotFoundError

DATA = Path(__file__).parent / "data"
SMALL = DATA / "projects" / "small"
BAD = DATA / "bad"
CHANGED = BAD / "changed" / "alpha.txt"


def _count(project, table: str) -> int:
    return project.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def _events(project, action: str) -> list[tuple[str, str, dict]]:
    return [
        (actor, entity_id, json.loads(data))
        for actor, entity_id, data in project.db.execute(
            "SELECT actor, entity_id, data FROM events WHERE action = ? ORDER BY id",
            [action],
        )
    ]


def _add_codings(project, document: str, count: int) -> None:
    doc_id = project.db.execute(
        "SELECT id FROM documents WHERE name = ?", [document]
    ).fetchone()[0]
    with project.atomic():
        project.db.execute("INSERT INTO codes (id, name) VALUES ('need', 'Need')")
        coder_id = project.coder_id()
        for end in range(5, 5 + count):
            project.db.execute(
                'INSERT INTO codings (code_id, document_id, start, "end", coder_id,'
                " created_at) VALUES ('need', ?, 0, ?, ?, 'now')",
                [doc_id, end, coder_id],
            )


def test_import_stores_documents_and_segments(project):
    report = import_transcripts(project, [SMALL])
    assert report.imported == ["alpha", "beta", "gamma"]
    assert report.replaced == report.skipped == report.notes == []
    assert report.words == sum(d.words for d in list_documents(project))
    assert report.segments == _count(project, "segments")
    alpha = get_document(project, "alpha")
    assert alpha.filename == "alpha.txt"
    assert alpha.format == "text"
    assert alpha.text.startswith("Thank you for joining.")
    assert alpha.speakers == ["Interviewer", "Anna Berg"]
    assert alpha.turns == 4


def test_every_import_logs_one_event_per_document(project):
    import_transcripts(project, [SMALL])
    ids = {d.name: str(d.id) for d in list_documents(project)}
    events = _events(project, "import")
    assert [(actor, entity_id) for actor, entity_id, _ in events] == [
        ("tester", ids["alpha"]),
        ("tester", ids["beta"]),
        ("tester", ids["gamma"]),
    ]
    assert [(e["name"], e["file"], e["format"], e["replaced"]) for *_, e in events] == [
        ("alpha", "alpha.txt", "text", False),
        ("beta", "beta.vtt", "vtt", False),
        ("gamma", "gamma.srt", "srt", False),
    ]
    assert events[0][2]["sha256"] == get_document(project, "alpha").sha256


def test_same_file_again_is_skipped_with_a_note(project):
    import_transcripts(project, [SMALL / "alpha.txt"])
    events = _count(project, "events")
    report = import_transcripts(project, [SMALL / "alpha.txt"])
    assert report.imported == []
    assert report.skipped == ["alpha"]
    assert report.notes == [
        f"{SMALL / 'alpha.txt'}: already imported as 'alpha' (same content); skipped"
    ]
    assert _count(project, "documents") == 1
    assert _count(project, "events") == events


def test_changed_file_needs_replace(project):
    import_transcripts(project, [SMALL / "alpha.txt"])
    with pytest.raises(ConflictError, match="use --replace to re-import it"):
        import_transcripts(project, [CHANGED])
    assert "two years" not in get_document(project, "alpha").text


def test_replace_keeps_case_and_attributes(project):
    import_transcripts(project, [SMALL])
    import_csv(project, SMALL / "attributes.csv")
    set_case(project, "alpha", "Pilot")
    old = get_document(project, "alpha")
    report = import_transcripts(project, [CHANGED], replace=True)
    assert report.replaced == ["alpha"]
    assert report.imported == []
    new = get_document(project, "alpha")
    assert new.id != old.id
    assert "saved us two years" in new.text
    assert new.case == "Pilot"
    assert new.attributes == old.attributes
    assert new.attributes == {
        "employees": 12,
        "firm": "Berg Cables",
        "interviewed": "2024-05-06",
        "role": "manager",
    }
    assert _events(project, "delete")[-1][2] == {"codings_lost": 0, "name": "alpha"}
    assert _events(project, "import")[-1][2]["replaced"] is True


def test_replace_with_codings_needs_force(project):
    import_transcripts(project, [SMALL / "alpha.txt"])
    _add_codings(project, "alpha", 2)
    with pytest.raises(ConflictError) as caught:
        import_transcripts(project, [CHANGED], replace=True)
    assert str(caught.value) == (
        f"{CHANGED}: replacing 'alpha' would lose 2 codings;"
        " use --force to replace it anyway"
    )
    assert _count(project, "codings") == 2


def test_replace_force_drops_codings_and_logs_the_loss(project):
    import_transcripts(project, [SMALL / "alpha.txt"])
    _add_codings(project, "alpha", 2)
    old_id = get_document(project, "alpha").id
    import_transcripts(project, [CHANGED], replace=True, force=True)
    assert _count(project, "codings") == 0
    assert _events(project, "delete") == [
        ("tester", str(old_id), {"codings_lost": 2, "name": "alpha"})
    ]


def test_a_bad_file_stops_the_whole_batch(project):
    import_transcripts(project, [SMALL / "alpha.txt"])
    counts = {t: _count(project, t) for t in ("documents", "segments", "events")}
    with pytest.raises(InputError) as caught:
        import_transcripts(
            project, [SMALL / "beta.vtt", BAD / "bad_timing.vtt", SMALL / "gamma.srt"]
        )
    assert (caught.value.path, caught.value.line) == (str(BAD / "bad_timing.vtt"), 6)
    assert {t: _count(project, t) for t in counts} == counts


def test_a_failed_write_rolls_back_every_document(project, monkeypatch):
    store = coder.documents._store
    calls = []

    def failing_store(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        store(*args, **kwargs)

    monkeypatch.setattr(coder.documents, "_store", failing_store)
    with pytest.raises(RuntimeError):
        import_transcripts(project, [SMALL], case="North")
    for table in ("documents", "segments", "speakers", "cases"):
        assert _count(project, table) == 0, table
    assert _events(project, "import") == []


def test_two_files_for_one_document_name(project):
    with pytest.raises(InputError) as caught:
        import_transcripts(project, [SMALL / "alpha.txt", CHANGED])
    assert str(caught.value) == (
        f"{CHANGED}: two files would both be document 'alpha' (also {SMALL / 'alpha.txt'})"
    )
    assert _count(project, "documents") == 0


def test_case_option_creates_the_case(project):
    import_transcripts(project, [SMALL / "alpha.txt", SMALL / "beta.vtt"], case="North")
    assert [d.case for d in list_documents(project)] == ["North", "North"]
    assert _count(project, "cases") == 1


def test_expand_paths_takes_transcripts_of_folders_in_order(tmp_path):
    assert expand_paths([SMALL]) == [
        SMALL / "alpha.txt",
        SMALL / "beta.vtt",
        SMALL / "gamma.srt",
    ]
    with pytest.raises(InputError, match="no such file or folder"):
        expand_paths([tmp_path / "nope"])


def test_segments_come_back_in_text_order_with_speakers_and_times(project):
    import_transcripts(project, [SMALL / "beta.vtt"])
    text = get_document(project, "beta").text
    segments = document_segments(project, "beta")
    turns = [s for s in segments if s.kind == "turn"]
    assert [(s.speaker, s.start_time, s.end_time) for s in turns] == [
        ("Interviewer", 1.0, 4.5),
        ("Omid Rad", 5.0, 9.0),
        ("Interviewer", 70.0, 74.0),
        ("Omid Rad", 75.0, 80.25),
    ]
    assert text[turns[1].start : turns[1].end] == (
        "Contacts abroad. We wanted buyers in Iraq."
    )
    assert [s.start for s in segments] == sorted(s.start for s in segments)
    for sentence in (s for s in segments if s.kind == "sentence"):
        parent = turns[sentence.parent_seq]
        assert parent.start <= sentence.start < sentence.end <= parent.end
        assert sentence.speaker == parent.speaker
    assert [s.kind for s in segments[:3]] == ["turn", "sentence", "turn"]


def test_unknown_document_lists_the_known_ones(project):
    import_transcripts(project, [SMALL / "alpha.txt", SMALL / "beta.vtt"])
    with pytest.raises(NotFoundError) as caught:
        get_document(project, "gama")
    assert str(caught.value) == "no document 'gama' (documents: alpha, beta)"


def _stored(project) -> dict[str, list[tuple]]:
    """Everything an import writes, without the times it was written at."""
    return {
        "documents": project.db.execute(
            "SELECT id, name, filename, format, sha256, text, language, words,"
            " case_id, meta FROM documents ORDER BY id"
        ).fetchall(),
        "segments": project.db.execute("SELECT * FROM segments ORDER BY id").fetchall(),
        "speakers": project.db.execute("SELECT * FROM speakers ORDER BY id").fetchall(),
    }


@pytest.mark.skipif(
    not coder.parallel.can_fork(), reason="worker processes are forked only on Linux"
)
def test_worker_processes_store_exactly_what_one_process_stores(tmp_path):
    from coder.store import create_project

    # One file per document name, of every format.
    files = list(
        {path.stem: path for path in expand_paths([SMALL, DATA / "importers"])}.values()
    )
    stored = {}
    for jobs in (1, 2):
        with create_project(tmp_path / f"jobs{jobs}.db", actor="tester") as project:
            report = import_transcripts(project, files, jobs=jobs)
            stored[jobs] = (report.imported, report.words, _stored(project))
    assert len(stored[1][0]) > 10
    assert stored[2] == stored[1]


@pytest.mark.skipif(
    not coder.parallel.can_fork(), reason="worker processes are forked only on Linux"
)
@pytest.mark.parametrize("share", [1, 2, 10**9], ids=["all", "half", "none"])
def test_files_segmented_here_to_warm_the_workers_store_the_same(
    tmp_path, monkeypatch, share
):
    from coder.store import create_project

    files = list(
        {path.stem: path for path in expand_paths([SMALL, DATA / "importers"])}.values()
    )
    with create_project(tmp_path / "one.db", actor="tester") as project:
        import_transcripts(project, files, jobs=1)
        expected = _stored(project)
    # This process segments all, half or none of the files before the
    # segmenting workers start (as if the parsing went on meanwhile, which
    # on files this small it hardly does).
    monkeypatch.setattr(coder.parallel._FromWorkers, "running", lambda self: True)
    monkeypatch.setattr(coder.documents, "WARM_UP_SHARE", share)
    with create_project(tmp_path / "two.db", actor="tester") as project:
        import_transcripts(project, files, jobs=2)
        assert _stored(project) == expected


@pytest.mark.skipif(
    not coder.parallel.can_fork(), reason="worker processes are forked only on Linux"
)
def test_a_bad_file_found_by_a_worker_stops_the_whole_batch(project):
    import_transcripts(project, [SMALL / "alpha.txt"])
    counts = {t: _count(project, t) for t in ("documents", "segments", "events")}
    with pytest.raises(InputError) as caught:
        import_transcripts(
            project,
            [SMALL / "beta.vtt", SMALL / "gamma.srt", BAD / "bad_timing.vtt"],
            jobs=2,
        )
    assert (
        str(caught.value)
        == f"{BAD / 'bad_timing.vtt'}:6: malformed timestamp '00:61:00.000'"
    )
    assert {t: _count(project, t) for t in counts} == counts


def test_a_note_repeated_in_a_file_is_reported_once_with_a_count(project, tmp_path):
    # A meeting tool's web viewer leaves "user avatar" above every turn; an
    # old Windows tool saved it as cp1252 (a note that comes once).
    turns = [
        f"user avatar\n{('Zoë', 'Omid')[n % 2]}\n00:{n:02d}\nTurn number {n}.\n"
        for n in range(50)
    ]
    path = tmp_path / "viewer.txt"
    path.write_text("\n".join(turns) + "\nuser avatar\n", encoding="cp1252")
    once = tmp_path / "once.txt"
    once.write_text("user avatar\nJane Doe\n00:03\nHello.\n", encoding="utf-8")

    report = import_transcripts(project, [path, once])

    assert report.notes == [
        f"{path}:1: dropped 'user avatar' (interface text, not speech)"
        " and 50 more like it (lines 6, 11, 16, 21, 26, ...)",
        f"{path}: not valid UTF-8; decoded as cp1252 (Windows-1252)",
        f"{once}:1: dropped 'user avatar' (interface text, not speech)",
    ]
