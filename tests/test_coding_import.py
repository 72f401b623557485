"""Importing codings from a YAML file of quotes."""

from __future__ import annotations

import pytest

from coder.coding import list_codings
from coder.coding_import import CodingsFileError, find_quote, import_codings
from coder.store import open_project

GOOD = """\
coder: gold
codebook: export-clusters.yaml
codings:
  - document: pe-01-farahani
    code: payment_risk
    quote: "Payment comes first."
    note: "Ranks payment first."
  - document: og-01-karimi
    code: payment_risk
    quote: "Payment, payment, and then payment."
"""


def _write(tmp_path, text, name="codings.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_quotes_resolve_to_offsets_in_one_transaction(demo_path, tmp_path):
    path = _write(tmp_path, GOOD)
    with open_project(demo_path, actor="tester") as project:
        result = import_codings(project, path)
        codings = list_codings(project, coder="gold")
        again = import_codings(project, path)
    assert (result.coder, result.added, result.existing) == ("gold", 2, 0)
    assert [(c.document, c.code, c.text, c.memo, c.source) for c in codings] == [
        ("og-01-karimi", "payment_risk", "Payment, payment, and then payment.", None, "import"),
        ("pe-01-farahani", "payment_risk", "Payment comes first.", "Ranks payment first.", "import"),
    ]  # fmt: skip
    assert (again.added, again.existing) == (0, 2)


def test_coder_option_overrides_the_file(demo_path, tmp_path):
    with open_project(demo_path) as project:
        result = import_codings(project, _write(tmp_path, GOOD), coder="second")
        assert {c.coder for c in list_codings(project)} == {"second"}
    assert result.coder == "second"


def test_every_problem_is_reported_and_nothing_imported(demo_path, tmp_path):
    path = _write(
        tmp_path,
        GOOD
        + """\
  - document: pe-09-nobody
    code: payment_risk
    quote: "Payment comes first."
  - document: pe-01-farahani
    code: payment_rsk
    quote: "Payment comes first."
  - document: pe-01-farahani
    code: payment_risk
    quote: "Words nobody said."
  - document: og-01-karimi
    code: payment_risk
    quote: "payment"
    occurrence: 40
""",
    )
    with open_project(demo_path) as project:
        with pytest.raises(CodingsFileError) as caught:
            import_codings(project, path)
        assert list_codings(project) == []
    assert caught.value.problems == [
        f"{path}:11: entry 3: no document 'pe-09-nobody'"
        " (9 documents: coder docs lists them)",
        f"{path}:14: entry 4: no code 'payment_rsk'; did you mean 'payment_risk'?",
        f'{path}:17: entry 5: quote not found in pe-01-farahani: "Words nobody said."',
        f'{path}:20: entry 6: occurrence 40 asked, but the quote occurs 5 times in og-01-karimi: "payment"',
    ]


def test_a_repeated_quote_needs_its_occurrence(demo_path, tmp_path):
    ambiguous = _write(
        tmp_path,
        "codings:\n  - {document: og-01-karimi, code: payment_risk, quote: payment}\n",
    )
    with open_project(demo_path) as project:
        with pytest.raises(CodingsFileError, match="occurs 5 times") as caught:
            import_codings(project, ambiguous, coder="x")
        text = project.db.execute(
            "SELECT text FROM documents WHERE name = 'og-01-karimi'"
        ).fetchone()[0]
        second = _write(
            tmp_path,
            "codings:\n  - {document: og-01-karimi, code: payment_risk, quote: payment,"
            " occurrence: 2}\n",
            "second.yaml",
        )
        import_codings(project, second, coder="x")
        (coding,) = list_codings(project)
    assert "add 'occurrence' (1 to 5) to say which" in str(caught.value)
    first = text.find("payment")
    assert coding.start == text.find("payment", first + 1)


def test_spaces_and_quote_marks_may_differ():
    text = "He said \u201cyes\u201d and\nthen it\u2019s done."
    spans, loose = find_quote(text, 'said "yes" and then it\'s done.')
    assert loose and spans == [(3, len(text))]
    assert find_quote(text, "then") == (
        [(text.index("then"), text.index("then") + 4)],
        False,
    )


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("codings: 3\n", ":1: a codings file is a mapping with a 'codings' list"),
        ("coder: x\ncodings:\n  - {document: a, quote: b}\n", ":3: entry 1: missing or empty 'code'"),
        ("codings:\n  - {document: a, code: b, quote: c, occurence: 2}\n", ":2: entry 1: unknown key 'occurence'"),
        ("codings:\n  - {document: a, code: b, quote: c, occurrence: 0}\n", ":2: entry 1: 'occurrence' must be a whole number from 1"),
        ("codings: [\n", ": invalid YAML"),
        ("coders: x\ncodings: []\n", ":1: unknown key 'coders' (known: coder, codebook, codings)"),
    ],
)  # fmt: skip
def test_malformed_files_name_file_and_line(demo_path, tmp_path, text, problem):
    path = _write(tmp_path, text)
    with open_project(demo_path) as project, pytest.raises(CodingsFileError) as caught:
        import_codings(project, path)
    assert str(caught.value).startswith(str(path))
    assert problem in str(caught.value)


def test_the_demo_gold_coding_imports(demo_path):
    from pathlib import Path

    gold = (
        Path(__file__).parents[1] / "transcripts" / "gold" / "export-clusters-gold.yaml"
    )
    if not gold.exists():
        pytest.skip("the gold coding is not written yet")
    with open_project(demo_path) as project:
        result = import_codings(project, gold)
    assert result.coder == "gold"
    assert result.added > 100


def test_a_change_while_the_file_was_matched_stops_the_import(
    demo_path, tmp_path, monkeypatch
):
    """Quotes are matched without the write lock; a code removed meanwhile stores nothing."""
    import coder.coding_import
    from coder.codes import merge_codes
    from coder.errors import ConflictError

    real_latest = coder.coding_import.latest_version

    def latest_while_someone_edits(project):
        with open_project(demo_path, actor="carol") as other:
            merge_codes(other, "payment_risk", "currency_risk")
        return real_latest(project)

    monkeypatch.setattr(
        coder.coding_import, "latest_version", latest_while_someone_edits
    )
    path = _write(tmp_path, GOOD)
    with open_project(demo_path, actor="tester") as project:
        with pytest.raises(ConflictError) as caught:
            import_codings(project, path)
        assert "changed while the file was read; nothing imported" in str(caught.value)
        assert list_codings(project, coder="gold") == []
