"""Creating and editing codes while coding, and undoing a code made with a coding."""

from __future__ import annotations

from pathlib import Path

import pytest

from coder.code_editing import (
    PALETTE,
    add_code,
    add_code_and_apply,
    edit_code,
    in_vivo_name,
)
from coder.codebook import read_codebook
from coder.codes import codebook_history, current_codebook, get_code, load_codebook
from coder.coding import apply_coding, list_codings
from coder.documents import import_transcripts
from coder.errors import CoderError, ConflictError, NotFoundError
from coder.events import find_events
from coder.history import redo, undo
from coder.memos import set_memo

DATA = Path(__file__).parent / "data" / "codebooks"
TEXT = "Respondent: We lend each other money, like a family bank. It is quicker.\n"


@pytest.fixture
def study(project, tmp_path):
    source = tmp_path / "interview.txt"
    source.write_text(TEXT, encoding="utf-8")
    import_transcripts(project, [source])
    load_codebook(project, read_codebook(DATA / "mini.yaml"), source="mini.yaml")
    return project


def _span(project, words):
    text = project.db.execute("SELECT text FROM documents").fetchone()[0]
    start = text.index(words)
    return start, start + len(words)


def test_a_new_code_gets_a_unique_slug_a_free_colour_and_a_free_key(study):
    used_colours = {c.colour for c, _, _ in current_codebook(study).walk()}
    used_keys = {c.key for c, _, _ in current_codebook(study).walk() if c.key}
    first = add_code(study, "Family bank", parent="trust")
    second = add_code(study, "family-bank!")
    assert (first.id, second.id) == ("family_bank", "family_bank_2")
    assert first.colour in PALETTE and first.colour not in used_colours
    assert first.key and first.key not in used_keys | set("jkJKwbuUmnNfqg")
    assert second.key != first.key
    book = current_codebook(study)
    assert book.parents()["family_bank"] == "trust"
    # Last among its siblings, and a new codebook version records it.
    trust = book.by_id()["trust"]
    assert trust.children[-1].id == "family_bank"
    assert codebook_history(study)[-1].source == "codes add family_bank_2"
    event = find_events(study, actions=["create"], entity="code")[-1]
    assert (event.entity, event.entity_id) == ("code", "family_bank")


def test_add_code_refuses_clashes_and_bad_values_and_changes_nothing(study):
    before = current_codebook(study)
    with pytest.raises(ConflictError, match="already named"):
        add_code(study, "TRUST")
    with pytest.raises(ConflictError, match="exists already"):
        add_code(study, "Other", code_id="trust")
    with pytest.raises(CoderError, match="must be a slug"):
        add_code(study, "Other", code_id="Other code")
    with pytest.raises(NotFoundError, match="no code 'nope'"):
        add_code(study, "Other", parent="nope")
    with pytest.raises(ConflictError, match="reserved"):
        add_code(study, "Other", key="j")
    with pytest.raises(CoderError, match="not #rrggbb"):
        add_code(study, "Other", colour="blue")
    with pytest.raises(CoderError, match="needs a name"):
        add_code(study, "   ")
    assert current_codebook(study) == before


def test_edit_code_changes_only_what_differs_and_logs_it(study):
    changed = edit_code(
        study, "trust", definition="Confidence in others", colour="#ABC", name="Trust"
    )
    assert changed == {
        "definition": (
            "Willingness to be vulnerable to another party.",
            "Confidence in others",
        ),
        "colour": ("#1f77b4", "#aabbcc"),
    }
    assert get_code(study, "trust")["colour"] == "#aabbcc"
    assert edit_code(study, "trust", colour="#aabbcc") == {}
    edit_code(study, "trust", key="")
    assert get_code(study, "trust")["key"] is None
    event = find_events(study, actions=["edit"])[0]
    assert event.data["changed"] == {"key": {"old": "t", "new": None}}
    with pytest.raises(CoderError, match="cannot edit 'examples'"):
        edit_code(study, "trust", examples="x")
    with pytest.raises(ConflictError, match="already named"):
        edit_code(study, "trust", name="Social power")


def test_undo_of_a_code_made_with_its_coding_removes_both_and_redo_brings_both(study):
    start, end = _span(study, "like a family bank")
    code, coding_id = add_code_and_apply(
        study, "interview", start, end, "Family bank", parent="trust"
    )
    assert [(c.code, c.start, c.end) for c in list_codings(study)] == [
        ("family_bank", start, end)
    ]
    undo(study)
    assert list_codings(study) == []
    assert "family_bank" not in current_codebook(study).by_id()
    redo(study)
    assert [c.id for c in list_codings(study)] == [coding_id]
    restored = current_codebook(study)
    assert restored.parents()["family_bank"] == "trust"
    assert restored.by_id()["family_bank"].colour == code.colour


def test_undo_keeps_a_new_code_that_something_else_uses(study):
    start, end = _span(study, "like a family bank")
    add_code_and_apply(study, "interview", start, end, "Family bank")
    # Ana codes with the new code too (her change, not in tester's history).
    study.actor = "ana"
    apply_coding(study, "interview", *_span(study, "It is quicker."), "family_bank")
    study.actor = "tester"
    undo(study)
    assert [c.coder for c in list_codings(study)] == ["ana"]
    assert "family_bank" in current_codebook(study).by_id()


def test_undo_keeps_a_new_code_with_a_memo(study):
    add_code_and_apply(study, "interview", *_span(study, "money"), "Money")
    set_memo(study, "code", "money", "Loans between firms, not banks.")
    undo(study)  # the memo
    undo(study)  # the coding; the code had a memo (now empty again) and goes
    assert "money" not in current_codebook(study).by_id()


@pytest.mark.parametrize(
    ("selected", "name"),
    [
        ("  like a family bank. ", "like a family bank"),
        ("“We lend each other money,", "We lend each other money"),
        ("a\n  family\tbank", "a family bank"),
        ("word " * 30, ("word " * 12).strip()),
    ],
)
def test_in_vivo_names_are_the_selected_words_trimmed(selected, name):
    assert in_vivo_name(selected) == name


def test_edits_renames_moves_and_new_codes_are_undone_and_redone(study):
    from coder.codes import move_code, rename_code

    before = current_codebook(study)
    add_code(study, "Family bank", parent="trust")
    edit_code(study, "trust", definition="Confidence", key="z")
    rename_code(study, "social_power", "Power")
    move_code(study, "informal_network", "trust")
    changed = current_codebook(study)
    for expected in ("move", "rename", "edit", "create"):
        assert undo(study).action == expected
    assert current_codebook(study) == before
    for expected in ("create", "edit", "rename", "move"):
        assert redo(study).action == expected
    assert current_codebook(study) == changed


def test_undo_of_a_new_code_refuses_while_it_is_in_use(study):
    add_code(study, "Family bank")
    study.actor = "ana"
    apply_coding(study, "interview", *_span(study, "money"), "family_bank")
    study.actor = "tester"
    with pytest.raises(ConflictError, match="'family_bank' is in use now"):
        undo(study)
    assert "family_bank" in current_codebook(study).by_id()


def test_a_code_made_with_a_coding_takes_one_undo(study):
    add_code_and_apply(study, "interview", *_span(study, "money"), "Money")
    assert undo(study).action == "code"
    assert "money" not in current_codebook(study).by_id()
    assert undo(study) is None


def test_redo_refuses_a_code_whose_name_was_taken_meanwhile(study):
    add_code_and_apply(study, "interview", *_span(study, "money"), "Money")
    undo(study)
    study.actor = "ana"
    add_code(study, "money", code_id="cash")
    study.actor = "tester"
    with pytest.raises(ConflictError, match="already named 'money'"):
        redo(study)
    assert list_codings(study) == []
