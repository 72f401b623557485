"""Exact values of the theme matrix for each cell, roll-up, attribute and speaker rows."""

from __future__ import annotations

import random

import pytest

from coder.analysis.scope import CELLS, parse_rows
from coder.analysis.theme import theme_matrix
from coder.coding import apply_coding
from coder.errors import CoderError, NotFoundError

from .fixed import KAVEH, PARS, SEPEHR, Reference, each

CODES = [
    "needs_identification",
    "export_risks",
    "payment_risk",
    "currency_risk",
    "input_cost_risk",
    "trust_between_members",
    "government_support",
]
# Words per case (three interviews each), counted as the matrices count them.
WORDS = {KAVEH: 6031, PARS: 5829, SEPEHR: 5886}


def nonzero(matrix, digits: int | None = None) -> dict:
    """{row label: {code: value}} for the cells that are not zero."""
    found = {}
    for row, line in zip(matrix.rows, matrix.cells, strict=True):
        cells = {
            column.id: (round(value, digits) if digits else value)
            for column, value in zip(matrix.columns, line, strict=True)
            if value
        }
        if cells:
            found[row.label] = cells
    return found


def test_codings_per_case(fixed):
    matrix = theme_matrix(fixed, whose=each(fixed))
    assert [row.label for row in matrix.rows] == [KAVEH, PARS, SEPEHR]
    assert len(matrix.columns) == 27
    assert matrix.coders == ["ana", "ben"]
    assert nonzero(matrix) == {
        KAVEH: {
            "needs_identification": 1,
            "export_risks": 1,
            "payment_risk": 3,  # ana twice, ben once on the same passage
            "currency_risk": 1,
            "input_cost_risk": 1,
        },
        PARS: {"needs_identification": 2, "payment_risk": 1, "government_support": 1},
        SEPEHR: {"trust_between_members": 1},
    }
    assert matrix.row_documents == [3, 3, 3]


def test_segments_count_distinct_sentences(fixed):
    assert nonzero(theme_matrix(fixed, cell="segments", whose=each(fixed))) == {
        KAVEH: {
            "needs_identification": 1,
            "export_risks": 1,
            "payment_risk": 3,  # two passages: two sentences and one
            "currency_risk": 2,
            "input_cost_risk": 2,
        },
        PARS: {"needs_identification": 1, "payment_risk": 1, "government_support": 2},
        SEPEHR: {"trust_between_members": 2},
    }


def test_segments_by_turn(fixed):
    matrix = theme_matrix(
        fixed, cell="segments", segment_kind="turn", whose=each(fixed)
    )
    assert nonzero(matrix) == {
        KAVEH: {
            "needs_identification": 1,
            "export_risks": 1,
            "payment_risk": 2,  # two answers of Leila Farahani
            "currency_risk": 1,
            "input_cost_risk": 1,
        },
        PARS: {"needs_identification": 1, "payment_risk": 1, "government_support": 1},
        SEPEHR: {"trust_between_members": 1},
    }


@pytest.mark.parametrize("cell", ["documents", "speakers"])
def test_documents_and_speakers(fixed, cell):
    assert nonzero(theme_matrix(fixed, cell=cell, whose=each(fixed))) == {
        KAVEH: {
            "needs_identification": 1,
            "export_risks": 1,
            "payment_risk": 1,
            "currency_risk": 1,
            "input_cost_risk": 1,
        },
        PARS: {"needs_identification": 1, "payment_risk": 1, "government_support": 1},
        SEPEHR: {"trust_between_members": 1},
    }


def test_words_are_shares_of_the_rows_words(fixed):
    matrix = theme_matrix(fixed, cell="words", whose=each(fixed))
    assert matrix.row_words == [WORDS[KAVEH], WORDS[PARS], WORDS[SEPEHR]]
    assert nonzero(matrix) == {
        KAVEH: {
            "needs_identification": 17 / 6031,
            "export_risks": 5 / 6031,
            "payment_risk": (18 + 17) / 6031,  # the shared passage counts once
            "currency_risk": 25 / 6031,
            "input_cost_risk": 25 / 6031,
        },
        PARS: {
            "needs_identification": 13 / 5829,
            "payment_risk": 1 / 5829,
            "government_support": 32 / 5829,
        },
        SEPEHR: {"trust_between_members": 12 / 5886},
    }


def test_rollup_into_top_level_codes(fixed):
    codings = theme_matrix(fixed, cols="level:1", rollup=True, whose=each(fixed))
    assert [c.id for c in codings.columns][:3] == [
        "needs_identification",
        "export_risks",
        "trust",
    ]
    assert nonzero(codings) == {
        KAVEH: {"needs_identification": 1, "export_risks": 6},
        PARS: {"needs_identification": 2, "export_risks": 1, "government_support": 1},
        SEPEHR: {"trust": 1},
    }
    segments = theme_matrix(
        fixed, cols="level:1", rollup=True, cell="segments", whose=each(fixed)
    )
    # export_risks in Kaveh: the interviewer's sentence, three payment sentences and
    # the two currency sentences (coded twice, counted once).
    assert nonzero(segments)[KAVEH] == {"needs_identification": 1, "export_risks": 6}
    words = theme_matrix(
        fixed, cols="level:1", rollup=True, cell="words", whose=each(fixed)
    )
    assert nonzero(words)[KAVEH] == {
        "needs_identification": 17 / 6031,
        "export_risks": (5 + 18 + 17 + 25) / 6031,
    }


def test_without_rollup_parents_hold_only_their_own(fixed):
    plain = theme_matrix(fixed, cols="level:1", whose=each(fixed))
    assert nonzero(plain) == {
        KAVEH: {"needs_identification": 1, "export_risks": 1},
        PARS: {"needs_identification": 2, "government_support": 1},
    }


def test_rollup_with_every_code(fixed):
    matrix = theme_matrix(fixed, rollup=True, cell="documents", whose=each(fixed))
    kaveh = nonzero(matrix)[KAVEH]
    assert kaveh["export_risks"] == 1 and kaveh["payment_risk"] == 1
    assert nonzero(matrix)[SEPEHR] == {"trust": 1, "trust_between_members": 1}


def test_two_attributes_case_by_role(fixed):
    matrix = theme_matrix(
        fixed, rows="case,attr:role", cols="level:1", rollup=True, whose=each(fixed)
    )
    assert [row.values for row in matrix.rows] == [
        (KAVEH, "manager"),
        (KAVEH, "member"),
        (PARS, "manager"),
        (PARS, "member"),
        (SEPEHR, "manager"),
        (SEPEHR, "member"),
    ]
    assert matrix.rows[0].key == f"case:{KAVEH}|attr:role=manager"
    assert matrix.row_documents == [1, 2, 1, 2, 1, 2]
    assert nonzero(matrix) == {
        f"{KAVEH} / manager": {"needs_identification": 1, "export_risks": 6},
        f"{PARS} / manager": {
            "needs_identification": 2,
            "export_risks": 1,
            "government_support": 1,
        },
        f"{SEPEHR} / member": {"trust": 1},
    }


def test_one_attribute_of_the_case(fixed):
    matrix = theme_matrix(
        fixed, rows="attr:sector", cols="level:1", rollup=True, whose=each(fixed)
    )
    assert [row.label for row in matrix.rows] == [
        "oil and gas services",
        "power equipment",
        "renewables",
    ]
    assert matrix.cells[1][1] == 6


def test_numbers_sort_as_numbers(fixed):
    matrix = theme_matrix(fixed, rows="attr:employees", whose=each(fixed))
    assert [row.label for row in matrix.rows] == [
        "2", "3", "4", "22", "35", "48", "60", "85", "140",
    ]  # fmt: skip


def test_speaker_rows(fixed):
    matrix = theme_matrix(fixed, rows="speaker", whose=each(fixed))
    found = nonzero(matrix)
    assert found == {
        "Hamid Karimi": {
            "needs_identification": 2,
            "payment_risk": 1,
            "government_support": 1,
        },
        "Interviewer": {"export_risks": 1},
        "Leila Farahani": {
            "needs_identification": 1,
            "payment_risk": 3,
            "currency_risk": 1,
            "input_cost_risk": 1,
        },
        "Omid Hosseini": {"trust_between_members": 1},
    }
    labels = [row.label for row in matrix.rows]
    assert labels[-1] == "(no speaker)"  # paragraphs without a speaker come last
    assert matrix.row_documents[labels.index("Interviewer")] == 6


def test_speaker_words_use_the_speakers_own_words(fixed):
    matrix = theme_matrix(fixed, rows="speaker", cell="words", whose=each(fixed))
    labels = [row.label for row in matrix.rows]
    leila = labels.index("Leila Farahani")
    ids = [c.id for c in matrix.columns]
    own = matrix.row_words[leila]
    assert 0 < own < 2093  # her words, not the whole interview's
    assert matrix.cells[leila][ids.index("payment_risk")] == pytest.approx(35 / own)


def test_one_coder(fixed):
    matrix = theme_matrix(fixed, coder="ben")
    assert matrix.coders == ["ben"]
    assert nonzero(matrix) == {
        KAVEH: {"payment_risk": 1},
        PARS: {"needs_identification": 1, "payment_risk": 1},
    }


def test_where_filters_documents(fixed):
    matrix = theme_matrix(fixed, where=["attr:role=member"], whose=each(fixed))
    assert nonzero(matrix) == {SEPEHR: {"trust_between_members": 1}}
    assert matrix.row_documents == [2, 2, 2]
    only = theme_matrix(
        fixed,
        rows="document",
        where=[f"case={PARS}", "attr:employees=4"],
        whose=each(fixed),
    )
    assert [row.label for row in only.rows] == ["og-01-karimi"]


def test_errors_name_the_valid_choices(fixed):
    with pytest.raises(
        CoderError, match=r"unknown cell 'lines' \(cells: codings, segments"
    ):
        theme_matrix(fixed, cell="lines", whose=each(fixed))
    with pytest.raises(CoderError, match="unknown rows 'place'"):
        theme_matrix(fixed, rows="place", whose=each(fixed))
    with pytest.raises(CoderError, match="one or two dimensions"):
        theme_matrix(fixed, rows="case,document,speaker", whose=each(fixed))
    with pytest.raises(
        NotFoundError,
        match=r"no attribute 'age' \(11 attributes: coder attributes lists",
    ):
        theme_matrix(fixed, rows="attr:age", whose=each(fixed))
    with pytest.raises(NotFoundError, match=r"no coder 'cy' \(coders: ana, ben"):
        theme_matrix(fixed, coder="cy")
    with pytest.raises(CoderError, match="no codes at level 4"):
        theme_matrix(fixed, cols="level:4", whose=each(fixed))
    with pytest.raises(CoderError, match="unknown columns 'level:0'"):
        theme_matrix(fixed, cols="level:0", whose=each(fixed))
    with pytest.raises(CoderError, match="cannot read filter 'role'"):
        theme_matrix(fixed, where=["role"], whose=each(fixed))
    with pytest.raises(NotFoundError, match="no case 'Nowhere'"):
        theme_matrix(fixed, where=["case=Nowhere"], whose=each(fixed))


def test_json_shape(fixed):
    data = theme_matrix(fixed, cols="level:1", rollup=True, whose=each(fixed)).to_dict()
    assert list(data) == ["counted", "rows", "columns", "cells"]
    assert data["rows"] == [KAVEH, PARS, SEPEHR]
    assert data["columns"][0] == "needs_identification"
    assert data["cells"][0][:2] == [1, 6]


def test_parse_rows():
    assert [d.spec for d in parse_rows("case, attr:role")] == ["case", "attr:role"]


# Against the reference ----------------------------------------------------------------

ROWS = [
    "case",
    "document",
    "speaker",
    "attr:role",
    "case,attr:role",
    "speaker,attr:sector",
]


def _as_dict(matrix) -> dict:
    return {
        (row.values, column.id): value
        for row, line in zip(matrix.rows, matrix.cells, strict=True)
        for column, value in zip(matrix.columns, line, strict=True)
        if value
    }


def _check_against_reference(project, reference, rows, cell, rollup, cols="codes"):
    matrix = theme_matrix(
        project, rows=rows, cell=cell, rollup=rollup, cols=cols, whose=each(project)
    )
    expected = reference.theme(
        [d.spec for d in matrix.dimensions],
        [c.id for c in matrix.columns],
        cell,
        rollup,
    )
    found = _as_dict(matrix)
    assert found.keys() == expected.keys(), (rows, cell, rollup)
    for key, value in expected.items():
        assert found[key] == pytest.approx(value), (rows, cell, rollup, key)


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("rollup", [False, True])
def test_fixed_codings_match_the_reference(fixed, cell, rollup):
    reference = Reference(fixed)
    for rows in ROWS:
        _check_against_reference(fixed, reference, rows, cell, rollup)


@pytest.fixture
def scattered(demo_path):
    """300 codings at random offsets (not on sentence edges) by three coders."""
    from coder.store import open_project

    rng = random.Random(7)
    with open_project(demo_path, actor="tester") as project:
        docs = project.db.execute("SELECT name, length(text) FROM documents").fetchall()
        codes = [r[0] for r in project.db.execute("SELECT id FROM codes")]
        with project.atomic():
            for _ in range(300):
                name, length = rng.choice(docs)
                start = rng.randrange(length - 1)
                end = min(length, start + rng.randint(1, 900))
                apply_coding(
                    project,
                    name,
                    start,
                    end,
                    rng.choice(codes),
                    coder=rng.choice("xyz"),
                )
        yield project


@pytest.mark.parametrize("cell", CELLS)
def test_scattered_codings_match_the_reference(scattered, cell):
    reference = Reference(scattered)
    for rows in ROWS:
        for rollup in (False, True):
            _check_against_reference(scattered, reference, rows, cell, rollup)
    _check_against_reference(scattered, reference, "case", cell, True, cols="level:2")
