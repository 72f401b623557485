"""Loading codebook versions and maintaining codes without losing codings."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from coder.codebook import read_codebook
from coder.codes import (
    codebook_history,
    coding_counts,
    current_codebook,
    load_codebook,
    merge_codes,
    move_code,
    plan_load,
    rename_code,
    split_code,
)
from coder.coding import apply_coding, list_codings, segment_span
from coder.documents import import_transcripts
from coder.errors import ConflictError, NotFoundError

DATA = Path(__file__).parent / "data" / "codebooks"
TRANSCRIPT = (
    "Interviewer: Do you trust the other members?\n\n"
    "Respondent: We trust the manager. We rely on her advice about exports. "
    "Friends from university call me when customs block a truck.\n\n"
    "Interviewer: And the exchange rate?\n\n"
    "Respondent: Currency swings hurt us. Payment default is the other fear.\n"
)


@pytest.fixture
def coded(project, tmp_path):
    """A project with one interview, the mini codebook and four codings."""
    source = tmp_path / "interview.txt"
    source.write_text(TRANSCRIPT, encoding="utf-8")
    import_transcripts(project, [source])
    load_codebook(project, read_codebook(DATA / "mini.yaml"), source="mini.yaml")
    text = project.db.execute("SELECT text FROM documents").fetchone()[0]

    def span(words: str) -> tuple[int, int]:
        start = text.index(words)
        return start, start + len(words)

    apply_coding(project, "interview", *span("We trust the manager."), "trust")
    apply_coding(
        project,
        "interview",
        *span("We rely on her advice about exports."),
        "trust_members",
        coder="ana",
    )
    apply_coding(
        project, "interview", *span("Friends from university"), "informal_network"
    )
    apply_coding(
        project,
        "interview",
        *span("Currency swings hurt us."),
        "social_power",
        memo="wrong code, fix later",
    )
    return project


def snapshot(project):
    """Every coding as (code, document, start, end, coder, memo)."""
    return sorted(
        (c.code, c.document, c.start, c.end, c.coder, c.memo)
        for c in list_codings(project)
    )


def test_loading_an_edited_copy_reports_changes_and_keeps_codings(coded, tmp_path):
    before_rows = snapshot(coded)
    edited = tmp_path / "mini-edited.yaml"
    shutil.copyfile(DATA / "mini.yaml", edited)
    text = edited.read_text("utf-8")
    # Rename a code's name, move a code, delete one that has codings.
    text = text.replace("name: Trust between members", "name: Trust among members")
    text = text.replace(
        "      - id: expert_power\n        name: Expert power\n",
        "      - id: expert_power\n        name: Expert power\n"
        "      - id: trust_members\n        name: Trust among members\n",
    )
    text = text.replace(
        '    children:\n      - id: trust_members\n        name: Trust among members\n        colour: "#aec"\n',
        "",
    )
    text = text.replace(
        "  - id: informal_network\n    name: Informal network\n    key: i\n", ""
    )
    edited.write_text(text, encoding="utf-8")
    new = read_codebook(edited)

    diff = plan_load(coded, new)
    assert [(c.id, c.old, c.new, c.codings) for c in diff.renamed] == [
        ("trust_members", "Trust between members", "Trust among members", 1)
    ]
    assert [(c.id, c.old, c.new, c.codings) for c in diff.moved] == [
        ("trust_members", "trust", "social_power", 1)
    ]
    assert [(c.id, c.codings) for c in diff.removed] == [("informal_network", 1)]
    assert diff.added == []
    with pytest.raises(
        ConflictError, match=r"informal_network \(1\); 1 coding would be deleted"
    ):
        load_codebook(coded, new, source=str(edited))
    assert snapshot(coded) == before_rows  # nothing changed by the refusal

    load_codebook(coded, new, source=str(edited), force=True)
    after = snapshot(coded)
    # Every coding but the removed code's one survives with its exact span, coder and memo.
    kept = [row for row in before_rows if row[0] != "informal_network"]
    assert after == kept
    book = current_codebook(coded)
    assert book.parents()["trust_members"] == "social_power"
    assert book.by_id()["trust_members"].name == "Trust among members"
    assert "informal_network" not in book.by_id()
    deleted = coded.db.execute(
        "SELECT json_extract(data, '$.code'), json_extract(data, '$.reason') FROM events"
        " WHERE entity = 'coding' AND action = 'remove'"
    ).fetchall()
    assert deleted == [("informal_network", "code removed from codebook")]
    assert [v.source for v in codebook_history(coded)] == ["mini.yaml", str(edited)]


def test_loading_the_same_codebook_again_changes_nothing(coded):
    diff = plan_load(coded, read_codebook(DATA / "mini.yaml"))
    assert not diff.changes
    assert diff.unchanged == 5


def test_rename_keeps_id_and_codings(coded):
    before = snapshot(coded)
    assert rename_code(coded, "trust", "Trust (all forms)") == "Trust"
    assert current_codebook(coded).by_id()["trust"].name == "Trust (all forms)"
    assert snapshot(coded) == before
    with pytest.raises(ConflictError, match="already named 'Social power'"):
        rename_code(coded, "trust", "social POWER")


def test_move_refuses_cycles(coded):
    move_code(coded, "social_power", "trust")
    assert current_codebook(coded).parents()["social_power"] == "trust"
    with pytest.raises(ConflictError, match="own descendant"):
        move_code(coded, "trust", "expert_power")
    move_code(coded, "social_power", None)
    assert current_codebook(coded).parents()["social_power"] is None


def test_merge_moves_codings_and_drops_exact_duplicates(coded):
    text = coded.db.execute("SELECT text FROM documents").fetchone()[0]
    start = text.index("We trust the manager.")
    # The same span coded with both codes by the same coder: merging must not double it.
    apply_coding(
        coded, "interview", start, start + 21, "trust_members", coder=coded.actor
    )
    moved = merge_codes(coded, "trust_members", "trust")
    assert moved == 1
    counts = coding_counts(coded)
    assert counts == {"trust": 2, "informal_network": 1, "social_power": 1}
    assert "trust_members" not in current_codebook(coded).by_id()
    with pytest.raises(NotFoundError, match="no code 'trust_members'"):
        merge_codes(coded, "trust_members", "trust")


def test_split_assigns_by_rule_and_leaves_the_rest_for_review(coded):
    text = coded.db.execute("SELECT text FROM documents").fetchone()[0]
    start = text.index("Payment default is the other fear.")
    apply_coding(coded, "interview", start, start + 34, "social_power")
    result = split_code(
        coded,
        "social_power",
        [("currency_risk", "Currency risk"), ("", "Payment risk")],
        {"currency_risk": "currenc|exchange"},
    )
    assert result.created == ["currency_risk", "payment_risk"]
    assert result.assigned == {"currency_risk": 1, "payment_risk": 0}
    assert result.left_on_parent == 1
    assert current_codebook(coded).parents()["payment_risk"] == "social_power"
    assert [c.text for c in list_codings(coded, code="currency_risk")] == [
        "Currency swings hurt us."
    ]


def test_editing_a_copy_of_the_bundled_codebook_keeps_codings(project, tmp_path):
    """The study's own codebook: rename, move and delete, as a researcher edits it."""
    bundled = Path(__file__).parent.parent / "codebooks" / "export-clusters.yaml"
    source = tmp_path / "interview.txt"
    source.write_text(TRANSCRIPT, encoding="utf-8")
    import_transcripts(project, [source])
    load_codebook(project, read_codebook(bundled), source=str(bundled))
    for sentence, code in (
        (2, "trust_in_manager"),
        (3, "expert_power"),
        (4, "informal_network"),
        (6, "currency_risk"),
    ):
        apply_coding(
            project, "interview", *segment_span(project, "interview", sentence), code
        )
    before = snapshot(project)
    copy = tmp_path / "export-clusters.yaml"
    text = bundled.read_text("utf-8")
    text = text.replace(
        "name: Trust in the cluster manager", "name: Trust in the manager", 1
    )
    assert "name: Trust in the manager" in text
    # Delete political_risk (no codings) and informal_network (one coding) by renaming their ids away.
    text = text.replace("- id: informal_network\n", "- id: informal_ties\n", 1)
    copy.write_text(text, encoding="utf-8")
    diff = plan_load(project, read_codebook(copy))
    assert [(c.id, c.old, c.new, c.codings) for c in diff.renamed] == [
        ("trust_in_manager", "Trust in the cluster manager", "Trust in the manager", 1)
    ]
    assert [(c.id, c.codings) for c in diff.added] == [("informal_ties", 0)]
    assert [(c.id, c.codings) for c in diff.removed] == [("informal_network", 1)]
    with pytest.raises(ConflictError):
        load_codebook(project, read_codebook(copy), source=str(copy))
    # Refused without --force: nothing changed; reloading the original changes nothing either.
    assert snapshot(project) == before
    load_codebook(project, read_codebook(bundled), source=str(bundled))
    move_code(project, "expert_power", "trust")
    assert current_codebook(project).parents()["expert_power"] == "trust"
    assert snapshot(project) == before
