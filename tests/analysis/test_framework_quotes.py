"""The framework matrix: quotes with document and time, passage counts, cell summaries."""

from __future__ import annotations

import pytest

from coder.analysis.framework import (
    case_row_key,
    framework_matrix,
    get_cell_summary,
    quotes,
    set_cell_summary,
    summary_key,
)
from coder.analysis.records import coding_records
from coder.errors import NotFoundError
from coder.memos import get_memo, list_memos

from .fixed import KAVEH, PARS, Q_CURRENCY, Q_OFFICIAL, Q_PAYMENT, Q_TODAY, Q_WELL, each


def _cell(framework, row: str, code: str):
    r = [row_.label for row_ in framework.rows].index(row)
    c = [column.id for column in framework.columns].index(code)
    return framework.quotes[r][c], framework.counts[r][c], framework.summaries[r][c]


def test_quotes_are_distinct_passages_in_document_order(fixed):
    framework = framework_matrix(fixed, limit=None, whose=each(fixed))
    found, count, summaries = _cell(framework, KAVEH, "payment_risk")
    assert count == 2  # ana and ben coded the first passage alike: one quote
    assert [q.text for q in found] == [Q_TODAY, Q_PAYMENT]
    assert found[1].coders == ["ana", "ben"]
    assert found[0].speaker == "Leila Farahani"
    assert found[0].time is None and found[0].clock == ""  # a plain-text interview
    # No times: the turn (as `coder show` and the reader count them) locates it.
    assert (found[0].turn, found[1].turn) == (7, 9)
    assert found[0].source == "pe-01-farahani, turn 7"
    assert summaries == []


def test_timestamps_come_from_the_sentence(fixed):
    framework = framework_matrix(fixed, whose=each(fixed))
    found, count, _ = _cell(framework, PARS, "needs_identification")
    assert count == 1
    (quote,) = found
    assert quote.text == Q_OFFICIAL
    assert quote.coders == ["ana", "ben"]
    assert quote.speaker == "Hamid Karimi"
    assert quote.clock == "00:00:44"
    assert quote.turn == 6
    assert quote.source == "og-01-karimi, turn 6, 00:00:44"
    assert (quote.to_dict()["start"], quote.to_dict()["turn"]) == (quote.start, 6)


def test_limit_keeps_the_first_quotes_and_the_full_count(fixed):
    framework = framework_matrix(
        fixed, cols="level:1", rollup=True, limit=1, whose=each(fixed)
    )
    found, count, _ = _cell(framework, KAVEH, "export_risks")
    # The interviewer's question, the two payment passages, the currency passage.
    assert count == 4
    assert [q.text for q in found] == [Q_TODAY]
    assert found[0].codes == ["payment_risk"]
    full = framework_matrix(
        fixed, cols="level:1", rollup=True, limit=None, whose=each(fixed)
    )
    texts = [q.text for q in _cell(full, KAVEH, "export_risks")[0]]
    assert texts == [Q_TODAY, "That takes us to risk.", Q_PAYMENT, Q_CURRENCY]
    assert _cell(full, KAVEH, "export_risks")[0][3].codes == [
        "currency_risk",
        "input_cost_risk",
    ]


def test_speaker_rows_take_the_speakers_passages(fixed):
    framework = framework_matrix(
        fixed, rows="speaker", cols="level:1", rollup=True, whose=each(fixed)
    )
    found, count, _ = _cell(framework, "Interviewer", "export_risks")
    assert count == 1 and [q.speaker for q in found] == ["Interviewer"]
    found, count, _ = _cell(framework, "Hamid Karimi", "government_support")
    assert count == 1 and found[0].text == Q_WELL


def test_cell_summaries_are_memos_on_the_code(fixed):
    key = case_row_key(KAVEH)
    assert key == "case:Kaveh Power Equipment"
    set_cell_summary(fixed, "payment_risk", key, "Payment first; LCs rarely confirmed.")
    set_cell_summary(fixed, "payment_risk", key, "Ben's view.", coder="ben")
    assert get_memo(fixed, "code", summary_key("payment_risk", key)) == (
        "Payment first; LCs rarely confirmed."
    )
    assert get_cell_summary(fixed, "payment_risk", key, coder="ben") == "Ben's view."
    # The code's own memo is a different target.
    assert get_memo(fixed, "code", "payment_risk") == ""
    assert {m.target_id for m in list_memos(fixed, "code")} == {
        "payment_risk|case:Kaveh Power Equipment"
    }
    framework = framework_matrix(fixed, whose=each(fixed))
    _, _, summaries = _cell(framework, KAVEH, "payment_risk")
    assert [(s.coder, s.text) for s in summaries] == [
        ("ben", "Ben's view."),
        ("tester", "Payment first; LCs rarely confirmed."),
    ]
    data = framework.to_dict()
    assert data["cells"][0][2]["summary"][0]["text"] == "Ben's view."
    set_cell_summary(fixed, "payment_risk", key, "")
    assert get_cell_summary(fixed, "payment_risk", key) == ""
    with pytest.raises(NotFoundError, match="no code 'nothing'"):
        set_cell_summary(fixed, "nothing", key, "x")


def test_summaries_on_two_dimension_rows(fixed):
    framework = framework_matrix(
        fixed, rows="case,attr:role", cols="level:1", rollup=True, whose=each(fixed)
    )
    key = framework.rows[0].key
    set_cell_summary(fixed, "export_risks", key, "The manager's account of risk.")
    framework = framework_matrix(
        fixed, rows="case,attr:role", cols="level:1", rollup=True, whose=each(fixed)
    )
    assert framework.summaries[0][1][0].text == "The manager's account of risk."
    assert framework.summaries[1][1] == []


def test_quotes_of_one_code(fixed):
    found = quotes(fixed, "payment_risk", whose=each(fixed))
    assert [(q.document, q.text) for q in found] == [
        ("og-01-karimi", "Payment."),
        ("pe-01-farahani", Q_TODAY),
        ("pe-01-farahani", Q_PAYMENT),
    ]
    assert [q.text for q in quotes(fixed, "payment_risk", case=KAVEH, coder="ben")] == [
        Q_PAYMENT
    ]
    rolled = quotes(
        fixed, "export_risks", rollup=True, document="og-01-karimi", whose=each(fixed)
    )
    assert [q.text for q in rolled] == ["Payment."]
    assert (
        quotes(fixed, "export_risks", document="og-01-karimi", whose=each(fixed)) == []
    )
    with pytest.raises(NotFoundError, match="no code 'nothing'"):
        quotes(fixed, "nothing", whose=each(fixed))


def test_coding_records_carry_their_context(fixed):
    records, attributes = coding_records(fixed)
    assert len(records) == 12
    assert "role" in attributes and "sector" in attributes
    first = records[0]
    assert (first.document, first.case, first.speaker, first.code, first.coder) == (
        "og-01-karimi",
        PARS,
        "Hamid Karimi",
        "government_support",
        "ana",
    )
    assert first.attributes["role"] == "manager"
    assert first.attributes["sector"] == "oil and gas services"  # the case's attribute
    assert first.attributes["employees"] == 4
    assert first.time == pytest.approx(39.794)
    assert first.text == Q_WELL
    assert [(r.code, r.coder, r.time) for r in records[1:3]] == [
        ("needs_identification", "ana", pytest.approx(44.199)),
        ("needs_identification", "ben", pytest.approx(44.199)),
    ]
    assert len(coding_records(fixed, coder="ben")[0]) == 3


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"rows": "speaker", "cols": "level:1", "rollup": True, "cell": "words"},
        {"rows": "case,attr:role", "mode": "segment", "coder": "ana", "limit": None},
        {
            "where": ["attr:role=manager"],
            "order": "attr:interview_date",
            "cell": "segments",
        },
    ],
)
def test_analyse_equals_the_separate_calls(fixed, options):
    from coder.analysis.cooccurrence import cooccurrence
    from coder.analysis.frequencies import frequencies
    from coder.analysis.overview import analyse
    from coder.analysis.saturation import saturation
    from coder.analysis.theme import theme_matrix

    if "coder" not in options:
        options = {**options, "whose": each(fixed)}
    found = analyse(fixed, **options)
    common = {
        k: options[k]
        for k in ("cols", "coder", "whose", "rollup", "where")
        if k in options
    }
    rows = {"rows": options["rows"]} if "rows" in options else {}
    assert found.theme == theme_matrix(
        fixed, **rows, **common, cell=options.get("cell", "codings")
    )
    assert found.framework == framework_matrix(
        fixed, **rows, **common, limit=options.get("limit", 3)
    )
    assert found.cooccurrence == cooccurrence(
        fixed, **common, mode=options.get("mode", "overlap"), jaccard=True
    )
    assert found.saturation == saturation(
        fixed, **common, order=options.get("order", "import")
    )
    assert found.frequencies == frequencies(
        fixed,
        coder=options.get("coder"),
        whose=options.get("whose"),
        where=options.get("where", ()),
    )
