"""Every coding a command adds, removes or moves is in the event log, and the log reads back."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from coder.agreement.resolution import find_disagreements, resolve, seed_consensus
from coder.codebook import read_codebook
from coder.codes import load_codebook, merge_codes, split_code
from coder.coding import apply_coding, list_codings, remove_coding, segment_span
from coder.coding_import import import_codings
from coder.documents import import_transcripts
from coder.errors import CoderError, ConflictError
from coder.events import find_events, parse_time
from coder.history import undo
from coder.merge import merge_projects
from coder.store import create_project, open_project

DATA = Path(__file__).parent / "data"
MINI = DATA / "codebooks" / "mini.yaml"
ALPHA = DATA / "projects" / "small" / "alpha.txt"
CHANGED = DATA / "bad" / "changed" / "alpha.txt"
FIELDS = ("document", "code", "start", "end", "coder", "created_at", "memo", "source")


def codings(project) -> dict[int, dict]:
    """Every coding by id, as the fields a coding event carries."""
    return {
        c.id: {name: getattr(c, name) for name in FIELDS} for c in list_codings(project)
    }


def events(project, action: str) -> list[tuple[int, int, dict]]:
    """(event id, coding id, data) of each coding event with this action."""
    return [
        (event_id, int(entity_id), json.loads(data))
        for event_id, entity_id, data in project.db.execute(
            "SELECT id, entity_id, data FROM events WHERE entity = 'coding'"
            " AND action = ? ORDER BY id",
            [action],
        )
    ]


def summary_id(project, action: str, entity: str) -> int:
    return project.db.execute(
        "SELECT MAX(id) FROM events WHERE action = ? AND entity = ?", [action, entity]
    ).fetchone()[0]


def reconstructed(logged: list[tuple[int, int, dict]]) -> dict[int, dict]:
    """The codings the events describe, by coding id."""
    return {
        coding_id: {name: data[name] for name in FIELDS}
        for _, coding_id, data in logged
    }


def span(project, words: str, document: str = "alpha") -> tuple[int, int]:
    text = project.db.execute(
        "SELECT text FROM documents WHERE name = ?", [document]
    ).fetchone()[0]
    start = text.index(words)
    return start, start + len(words)


@pytest.fixture
def study(project):
    """alpha (from the small project) and the mini codebook."""
    import_transcripts(project, [ALPHA])
    load_codebook(project, read_codebook(MINI), source="mini.yaml")
    return project


def test_log_many_writes_every_row_in_the_callers_transaction(project):
    before = project.db.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    rows = [("add", "coding", n, {"n": n}) for n in range(3)]
    with pytest.raises(RuntimeError), project.atomic():
        assert project.log_many(rows) == 3
        raise RuntimeError("the change fails")
    assert project.db.execute("SELECT COUNT(*) FROM events").fetchone()[0] == before
    with project.atomic():
        project.log_many(rows)
    written = project.db.execute(
        "SELECT at, actor, entity_id, data FROM events WHERE action = 'add'"
    ).fetchall()
    assert [(actor, key, data) for _, actor, key, data in written] == [
        ("tester", "0", '{"n": 0}'),
        ("tester", "1", '{"n": 1}'),
        ("tester", "2", '{"n": 2}'),
    ]
    assert len({at for at, *_ in written}) == 1


def test_merge_logs_each_coding_added_under_its_merge(study, tmp_path):
    study.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    copies = {}
    plan = {
        "alice": [("We needed certification.", "trust"), ("It did.", "trust")],
        "bob": [("We needed certification.", "social_power")],
    }
    for coder, items in plan.items():
        copies[coder] = tmp_path / f"{coder}.db"
        shutil.copyfile(study.path, copies[coder])
        with open_project(copies[coder], actor=coder) as copy:
            for words, code in items:
                apply_coding(copy, "alpha", *span(copy, words), code, memo=coder)

    report = merge_projects(study, [copies["alice"], copies["bob"]])

    added = events(study, "add")
    assert report.codings_added == len(added) == 3
    assert reconstructed(added) == codings(study)
    merges = study.db.execute(
        "SELECT id, entity_id, data FROM events WHERE action = 'merge' ORDER BY id"
    ).fetchall()
    assert [(key, json.loads(data)) for _, key, data in merges] == [
        (str(copies["alice"]), {"codings_added": 2, "codings_present": 0, "memos_added": 0}),
        (str(copies["bob"]), {"codings_added": 1, "codings_present": 0, "memos_added": 0}),
    ]  # fmt: skip
    assert [data["batch"] for *_, data in added] == [merges[0][0]] * 2 + [merges[1][0]]
    # The copies' own created_at and memo travel with each coding.
    assert {data["memo"] for *_, data in added} == {"alice", "bob"}

    merge_projects(study, [copies["alice"]])
    assert len(events(study, "add")) == 3


def test_codings_import_logs_each_coding(study, tmp_path):
    path = tmp_path / "gold.yaml"
    path.write_text(
        "coder: gold\ncodings:\n"
        "  - {document: alpha, code: trust, quote: We needed certification.}\n"
        "  - {document: alpha, code: social_power, quote: It did., note: short}\n"
        "  - {document: alpha, code: trust, quote: We needed certification.}\n",
        encoding="utf-8",
    )
    result = import_codings(study, path)
    added = events(study, "add")
    assert result.added == len(added) == 2
    assert result.existing == 1  # the third entry repeats the first
    assert reconstructed(added) == codings(study)
    batch = summary_id(study, "import", "codings")
    assert {data["batch"] for *_, data in added} == {batch}
    assert [data["source"] for *_, data in added] == ["import", "import"]

    again = import_codings(study, path)
    assert (again.added, len(events(study, "add"))) == (0, 2)


def test_replacing_a_document_logs_each_coding_lost(study):
    apply_coding(study, "alpha", *span(study, "We needed certification."), "trust")
    apply_coding(
        study, "alpha", *span(study, "It did."), "social_power", coder="ana", memo="m"
    )
    before = codings(study)

    import_transcripts(study, [CHANGED], replace=True, force=True)

    removed = events(study, "remove")
    assert len(removed) == 2 and codings(study) == {}
    assert reconstructed(removed) == before
    batch = summary_id(study, "delete", "document")
    assert {(data["batch"], data["reason"]) for *_, data in removed} == {
        (batch, "document replaced")
    }


def test_codebook_load_that_drops_a_code_logs_each_coding_removed(study, tmp_path):
    apply_coding(study, "alpha", *span(study, "It did."), "informal_network")
    apply_coding(study, "alpha", *span(study, "It did."), "informal_network", coder="x")
    apply_coding(study, "alpha", *span(study, "We needed certification."), "trust")
    before = codings(study)
    edited = tmp_path / "mini.yaml"
    edited.write_text(
        MINI.read_text("utf-8").replace(
            "  - id: informal_network\n    name: Informal network\n    key: i\n", ""
        ),
        encoding="utf-8",
    )

    load_codebook(study, read_codebook(edited), source="mini.yaml", force=True)

    removed = events(study, "remove")
    assert len(removed) == 2
    assert reconstructed(removed) == {
        k: v for k, v in before.items() if v["code"] == "informal_network"
    }
    assert {data["batch"] for *_, data in removed} == {
        summary_id(study, "load", "codebook")
    }


def test_code_merge_logs_each_coding_moved_and_each_duplicate_dropped(study):
    certification = span(study, "We needed certification.")
    apply_coding(study, "alpha", *certification, "trust")
    apply_coding(study, "alpha", *certification, "trust_members")  # a duplicate
    apply_coding(study, "alpha", *span(study, "It did."), "trust_members")
    before = codings(study)

    assert merge_codes(study, "trust_members", "trust") == 1

    batch = summary_id(study, "merge", "code")
    removed, recoded = events(study, "remove"), events(study, "recode")
    assert reconstructed(removed) == {
        k: v
        for k, v in before.items()
        if v["code"] == "trust_members" and (v["start"], v["end"]) == certification
    }
    after = codings(study)
    assert reconstructed(recoded) == {
        k: v for k, v in after.items() if before[k]["code"] == "trust_members"
    }
    assert [data["old_code"] for *_, data in recoded] == ["trust_members"]
    assert {data["batch"] for *_, data in removed + recoded} == {batch}


def test_code_split_logs_each_coding_moved(study):
    apply_coding(study, "alpha", *span(study, "We needed certification."), "trust")
    apply_coding(study, "alpha", *span(study, "Nobody would buy without it."), "trust")
    apply_coding(study, "alpha", *span(study, "It did."), "trust")

    split_code(
        study,
        "trust",
        [("need", "Need"), ("doubt", "Doubt")],
        {"need": "needed", "doubt": "nobody"},
    )

    recoded = events(study, "recode")
    assert reconstructed(recoded) == {
        k: v for k, v in codings(study).items() if v["code"] != "trust"
    }
    assert [(data["old_code"], data["code"]) for *_, data in recoded] == [
        ("trust", "need"),
        ("trust", "doubt"),
    ]
    assert {data["batch"] for *_, data in recoded} == {
        summary_id(study, "split", "code")
    }


def test_consensus_logs_each_coding_written_and_taken_back(study):
    for coder, sentences in {"alice": (2, 3), "bob": (2,)}.items():
        for sentence in sentences:
            apply_coding(
                study,
                "alpha",
                *segment_span(study, "alpha", sentence),
                "trust",
                coder=coder,
            )
    assert seed_consensus(study, ["alice", "bob"]) == 1
    seeded = events(study, "add")
    assert reconstructed(seeded) == {
        k: v for k, v in codings(study).items() if v["coder"] == "consensus"
    }
    assert {data["batch"] for *_, data in seeded} == {
        summary_id(study, "seed", "consensus")
    }

    [open_one] = find_disagreements(study, ["alice", "bob"])
    [taken] = resolve(study, open_one, "alice", memo="she is right")
    first = summary_id(study, "resolve", "disagreement")
    added = events(study, "add")[len(seeded) :]
    assert [(coding_id, data["batch"]) for _, coding_id, data in added] == [
        (taken, first)
    ]
    assert reconstructed(added) == {taken: codings(study)[taken]}
    before = codings(study)
    resolve(study, open_one, "neither", memo="on second thought")
    removed = events(study, "remove")
    assert reconstructed(removed) == {taken: before[taken]}
    assert removed[0][2]["batch"] == summary_id(study, "resolve", "disagreement")
    assert taken not in codings(study)


def test_undo_skips_bulk_changes_and_refuses_what_they_overtook(study, tmp_path):
    mine = apply_coding(study, "alpha", *span(study, "It did."), "trust")
    path = tmp_path / "gold.yaml"
    path.write_text(
        "codings:\n  - {document: alpha, code: trust, quote: We needed certification.}\n",
        encoding="utf-8",
    )
    import_codings(study, path, coder="gold")
    # Undo takes back the person's own coding, not the imported one.
    assert undo(study).entity_id == str(mine)
    assert [c.coder for c in list_codings(study)] == ["gold"]

    # A coding removed by hand, then its document replaced: putting it back
    # would land its offsets on the new text.
    theirs = apply_coding(study, "alpha", *span(study, "It did."), "social_power")
    remove_coding(study, theirs)
    import_transcripts(study, [CHANGED], replace=True, force=True)
    with pytest.raises(ConflictError, match="its document was replaced since"):
        undo(study)
    assert list_codings(study) == []


def test_undo_refuses_a_coding_a_code_merge_moved(study):
    apply_coding(study, "alpha", *span(study, "It did."), "trust_members")
    merge_codes(study, "trust_members", "trust")
    with pytest.raises(ConflictError, match=r"a bulk change since .*recode by tester"):
        undo(study)
    assert [c.code for c in list_codings(study)] == ["trust"]


@pytest.fixture
def logged(study, tmp_path):
    """Codings by two people, an import, and a code merge, at known times."""
    ana = open_project(study.path, actor="ana")
    apply_coding(ana, "alpha", *span(ana, "It did."), "trust")
    apply_coding(ana, "alpha", *span(ana, "We needed certification."), "trust_members")
    ana.close()
    apply_coding(study, "alpha", *span(study, "It did."), "informal_network")
    merge_codes(study, "trust_members", "trust")
    return study


def _rows(found):
    return [(e.actor, e.action, e.entity, e.describe()) for e in found]


def test_find_events_newest_first_with_a_bulk_change_folded(logged):
    found = find_events(logged, limit=4)
    assert _rows(found) == [
        ("tester", "merge", "code", "trust_members into trust (+1)"),
        ("tester", "code", "coding", "informal_network on alpha 142-149"),
        ("ana", "code", "coding", "trust_members on alpha 60-84"),
        ("ana", "code", "coding", "trust on alpha 142-149"),
    ]
    expanded = find_events(logged, limit=2, expand=True)
    assert _rows(expanded) == [
        ("tester", "recode", "coding", "trust_members → trust on alpha 60-84 by ana"),
        ("tester", "merge", "code", "trust_members into trust"),
    ]
    assert expanded[0].data["batch"] == expanded[1].id


def test_find_events_filters(logged):
    assert [e.actor for e in find_events(logged, actor="ana")] == ["ana", "ana"]
    assert _rows(find_events(logged, actions=["code"], code="trust")) == [
        ("ana", "code", "coding", "trust on alpha 142-149")
    ]
    # The summary does not name the code's codings: its recode shows on its own.
    assert _rows(
        find_events(logged, document="alpha", actions=["recode", "merge"])
    ) == [("tester", "recode", "coding", "trust_members → trust on alpha 60-84 by ana")]
    by_code = find_events(logged, code="trust_members")
    assert [(e.action, e.folded) for e in by_code] == [
        ("merge", 1),
        ("code", 0),
    ]
    on_doc = find_events(logged, document="alpha", entity="document")
    assert [(e.action, e.data["name"]) for e in on_doc] == [("import", "alpha")]
    assert [e.action for e in find_events(logged, entity="codebook")] == ["load"]


def test_find_events_between_times(logged):
    found = find_events(logged, limit=None, expand=True)
    today = datetime.now().date()
    assert find_events(logged, since=str(today), limit=None, expand=True) == found
    assert find_events(logged, until=str(today), limit=None, expand=True) == found
    assert find_events(logged, until=str(today - timedelta(days=1))) == []
    assert find_events(logged, since=str(today + timedelta(days=1))) == []
    middle = found[len(found) // 2].at
    newer = find_events(logged, since=middle, limit=None, expand=True)
    older = find_events(logged, until=middle, limit=None, expand=True)
    assert newer[-1].at == middle and older[0].at == middle
    assert {e.id for e in newer} | {e.id for e in older} == {e.id for e in found}


def test_find_events_names_what_it_does_not_know(logged):
    with pytest.raises(CoderError, match=r"unknown action 'cod' \(known: accept, add,"):
        find_events(logged, actions=["code", "cod"])
    with pytest.raises(CoderError, match="unknown entity 'codes'"):
        find_events(logged, entity="codes")
    with pytest.raises(CoderError, match="'last week' is not an ISO date"):
        find_events(logged, since="last week")


def test_parse_time_reads_days_as_local_and_times_with_offsets():
    midnight = datetime(2024, 5, 6).astimezone()
    assert parse_time("2024-05-06") == midnight.astimezone(UTC).isoformat(
        timespec="milliseconds"
    )
    assert parse_time("2024-05-06", end=True) == (
        midnight + timedelta(days=1)
    ).astimezone(UTC).isoformat(timespec="milliseconds")
    assert parse_time("2024-05-06T14:30:00+02:00") == "2024-05-06T12:30:00.000+00:00"
    assert parse_time("2024-05-06T12:30Z") == "2024-05-06T12:30:00.000+00:00"


def test_an_empty_project_has_only_its_creation(tmp_path):
    with create_project(tmp_path / "new.db", actor="ana") as project:
        assert _rows(find_events(project)) == [("ana", "create", "project", "new.db")]
