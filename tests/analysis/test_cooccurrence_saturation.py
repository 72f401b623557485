"""Co-occurrence (overlap and segment modes, Jaccard), saturation, frequencies, crosstabs."""

from __future__ import annotations

import random

import pytest

from coder.analysis.cooccurrence import cooccurrence
from coder.analysis.frequencies import crosstab, frequencies
from coder.analysis.saturation import saturation
from coder.coding import apply_coding
from coder.errors import CoderError, NotFoundError

from .fixed import Q_OFFICIAL, Q_PAID, Q_PAYMENT, Q_TODAY, Q_WELL, Reference, each


def pairs(result) -> dict:
    """{(a, b): count} off the diagonal, a before b in codebook order."""
    ids = [c.id for c in result.codes]
    return {
        (ids[i], ids[j]): result.counts[i][j]
        for i in range(len(ids))
        for j in range(i + 1, len(ids))
        if result.counts[i][j]
    }


def diagonal(result) -> dict:
    return {
        c.id: result.counts[i][i]
        for i, c in enumerate(result.codes)
        if result.counts[i][i]
    }


def cell(result, a: str, b: str, table=None):
    ids = [c.id for c in result.codes]
    return (table or result.counts)[ids.index(a)][ids.index(b)]


def test_overlap_counts_pairs_of_codings(fixed):
    result = cooccurrence(fixed, jaccard=True, whose=each(fixed))
    assert pairs(result) == {
        # ana's "today" passage carries both codes
        ("needs_identification", "payment_risk"): 1,
        # ana's official answer inside her government_support passage; ben
        # coded the answer too, but codings of two coders are never paired
        ("needs_identification", "government_support"): 1,
        ("currency_risk", "input_cost_risk"): 1,
    }
    assert diagonal(result) == {
        "needs_identification": 3,
        "export_risks": 1,
        "payment_risk": 4,
        "currency_risk": 1,
        "input_cost_risk": 1,
        "trust_between_members": 1,
        "government_support": 1,
    }
    assert result.counts == [list(line) for line in zip(*result.counts, strict=True)]
    # Jaccard over characters, each coder's added up: the official answer lies
    # inside ana's longer passage; ben coded it too (no government_support).
    needs = len(Q_TODAY) + 2 * len(Q_OFFICIAL)
    assert cell(
        result, "needs_identification", "government_support", result.jaccard
    ) == (pytest.approx(len(Q_OFFICIAL) / (needs + len(Q_WELL) - len(Q_OFFICIAL))))
    payment = 2 * len(Q_PAYMENT) + len(Q_TODAY) + len(Q_PAID)
    assert cell(result, "payment_risk", "needs_identification", result.jaccard) == (
        pytest.approx(len(Q_TODAY) / (payment + needs - len(Q_TODAY)))
    )
    assert cell(result, "currency_risk", "input_cost_risk", result.jaccard) == 1.0
    assert cell(result, "trust", "trust", result.jaccard) == 0.0  # never used


def test_segment_mode_counts_sentences_with_both(fixed):
    result = cooccurrence(fixed, mode="segment", jaccard=True, whose=each(fixed))
    assert pairs(result) == {
        ("needs_identification", "payment_risk"): 1,
        ("needs_identification", "government_support"): 1,
        ("currency_risk", "input_cost_risk"): 2,
    }
    # Sentences, each coder's added up: ana's payment passage (2 sentences)
    # and today (1), ben's payment passage (2) and paid (1).
    assert diagonal(result)["payment_risk"] == 6
    assert diagonal(result)["government_support"] == 2
    assert diagonal(result)["needs_identification"] == 3
    assert cell(
        result, "needs_identification", "government_support", result.jaccard
    ) == (pytest.approx(1 / (3 + 2 - 1)))
    assert cell(result, "payment_risk", "needs_identification", result.jaccard) == (
        pytest.approx(1 / (6 + 3 - 1))
    )


def test_rollup_and_one_coder(fixed):
    rolled = cooccurrence(fixed, cols="level:1", rollup=True, whose=each(fixed))
    assert pairs(rolled) == {
        ("needs_identification", "export_risks"): 1,
        ("needs_identification", "government_support"): 1,
    }
    # Within export_risks, currency and input costs overlap: two codings, one column.
    assert diagonal(rolled)["export_risks"] == 7
    assert pairs(cooccurrence(fixed, coder="ben")) == {}


def test_where_and_errors(fixed):
    assert pairs(
        cooccurrence(fixed, where=["document=og-01-karimi"], whose=each(fixed))
    ) == {("needs_identification", "government_support"): 1}
    with pytest.raises(
        CoderError, match=r"unknown mode 'near' \(modes: overlap, segment\)"
    ):
        cooccurrence(fixed, mode="near", whose=each(fixed))


@pytest.mark.parametrize("mode", ["overlap", "segment"])
def test_scattered_codings_match_the_reference(demo_path, mode):
    from coder.store import open_project

    rng = random.Random(3)
    with open_project(demo_path, actor="tester") as project:
        docs = project.db.execute("SELECT name, length(text) FROM documents").fetchall()
        codes = [r[0] for r in project.db.execute("SELECT id FROM codes")]
        with project.atomic():
            for _ in range(250):
                name, length = rng.choice(docs[:3])
                start = rng.randrange(length - 1)
                end = min(length, start + rng.randint(1, 1500))
                apply_coding(
                    project, name, start, end, rng.choice(codes), coder=rng.choice("xy")
                )
        reference = Reference(project)
        for rollup, cols in ((False, "codes"), (True, "codes"), (True, "level:1")):
            result = cooccurrence(
                project,
                mode=mode,
                rollup=rollup,
                cols=cols,
                jaccard=True,
                whose=each(project),
            )
            ids = [c.id for c in result.codes]
            counts, jaccard = reference.cooccurrence(ids, mode, rollup)
            found = {
                (a, b): result.counts[i][j]
                for i, a in enumerate(ids)
                for j, b in enumerate(ids)
                if result.counts[i][j]
            }
            assert found == counts
            for i, a in enumerate(ids):
                for j, b in enumerate(ids):
                    assert result.jaccard[i][j] == pytest.approx(jaccard[(a, b)])


def test_saturation_by_interview_date(fixed):
    result = saturation(fixed, order="attr:interview_date", whose=each(fixed))
    steps = [
        (s.document, s.order_value, s.codes, s.new, s.cumulative) for s in result.steps
    ]
    assert steps == [
        (
            "pe-01-farahani",
            "2024-05-06",
            5,
            [
                "needs_identification",
                "export_risks",
                "payment_risk",
                "currency_risk",
                "input_cost_risk",
            ],
            5,
        ),
        ("pe-02-sadeghi", "2024-05-07", 0, [], 5),
        ("pe-03-rostami", "2024-05-09", 0, [], 5),
        ("og-01-karimi", "2024-06-02", 3, ["government_support"], 6),
        ("og-02-tehrani", "2024-06-03", 0, [], 6),
        ("og-03-nouri", "2024-06-05", 0, [], 6),
        ("re-01-jafari", "2024-07-14", 0, [], 6),
        ("re-02-hosseini", "2024-07-15", 1, ["trust_between_members"], 7),
        ("re-03-ahmadi", "2024-07-17", 0, [], 7),
    ]
    assert result.total_codes == 27


def test_saturation_in_import_order_and_by_name(fixed):
    imported = [
        r[0] for r in fixed.db.execute("SELECT name FROM documents ORDER BY id")
    ]
    assert [s.document for s in saturation(fixed, whose=each(fixed)).steps] == imported
    by_name = saturation(fixed, order="name", cols="level:1", rollup=True, coder="ben")
    assert [(s.document, s.new, s.cumulative) for s in by_name.steps if s.new] == [
        ("og-01-karimi", ["needs_identification", "export_risks"], 2),
    ]
    assert by_name.total_codes == 9


def test_saturation_errors(fixed):
    with pytest.raises(CoderError, match="unknown order 'date'"):
        saturation(fixed, order="date", whose=each(fixed))
    with pytest.raises(NotFoundError, match="no attribute 'when'"):
        saturation(fixed, order="attr:when", whose=each(fixed))


def test_frequencies(fixed):
    result = frequencies(fixed, whose=each(fixed))
    assert result.documents == 9
    assert result.words == 6031 + 5829 + 5886
    found = {f.code.id: f for f in result.codes}
    payment = found["payment_risk"]
    assert (payment.codings, payment.documents, payment.segments, payment.speakers) == (
        4,
        2,
        4,
        2,
    )
    assert payment.words == 18 + 17 + 1
    assert payment.coverage == pytest.approx(36 / result.words)
    assert payment.document_share == pytest.approx(2 / 9)
    assert found["trust"].codings == 0
    rolled = {
        f.code.id: f
        for f in frequencies(
            fixed, cols="level:1", rollup=True, whose=each(fixed)
        ).codes
    }
    assert rolled["export_risks"].codings == 7
    assert rolled["export_risks"].words == 5 + 18 + 17 + 25 + 1


def test_crosstab_by_role(fixed):
    result = crosstab(
        fixed, "role", cols="level:1", rollup=True, cell="codings", whose=each(fixed)
    )
    assert result.values == ["manager", "member"]
    assert result.documents == [3, 6]
    ids = [c.id for c in result.codes]
    assert result.counts[ids.index("export_risks")] == [7, 0]
    assert result.counts[ids.index("trust")] == [0, 1]
    assert result.totals[ids.index("needs_identification")] == 3
    assert result.percents[ids.index("export_risks")] == [100.0, 0.0]
    assert result.percents[ids.index("social_power")] == [0.0, 0.0]
    documents = crosstab(fixed, "attr:sector", whose=each(fixed))
    assert documents.values == ["oil and gas services", "power equipment", "renewables"]
    assert documents.counts[[c.id for c in documents.codes].index("payment_risk")] == [
        1,
        1,
        0,
    ]
    assert documents.percents[
        [c.id for c in documents.codes].index("payment_risk")
    ] == [
        50.0,
        50.0,
        0.0,
    ]
    with pytest.raises(CoderError, match="adds counts up"):
        crosstab(fixed, "role", cell="words", whose=each(fixed))
