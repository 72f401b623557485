"""From codings to units: segment, character and document units, missing coders."""

from __future__ import annotations

import numpy as np
import pytest

from coder.agreement.units import reliability_data
from coder.codebook import Code, Codebook
from coder.codes import load_codebook
from coder.coding import apply_coding, segment_span
from coder.documents import import_transcripts
from coder.errors import CoderError, NotFoundError

TEXT_A = "Q: First question?\n\nA: One two. Three four. Five six.\n"
TEXT_B = "Q: Second?\n\nA: Seven eight. Nine ten.\n"


@pytest.fixture
def two(project, tmp_path):
    for name, text in (("a", TEXT_A), ("b", TEXT_B)):
        (tmp_path / f"{name}.txt").write_text(text, encoding="utf-8")
    import_transcripts(project, [tmp_path / "a.txt", tmp_path / "b.txt"])
    load_codebook(project, Codebook("T", [Code("x", "X"), Code("y", "Y")]), source="t")
    return project


def test_segment_units_with_overlap_threshold(two):
    s2 = segment_span(two, "a", 2)  # "One two."
    s3 = segment_span(two, "a", 3)  # "Three four."
    apply_coding(
        two, "a", s2[0], s3[0] + 2, "x", coder="ann"
    )  # all of s2, 2 chars of s3
    apply_coding(two, "a", *s2, "x", coder="ben")
    data = reliability_data(two, ["ann", "ben"])
    # b was coded by neither: its units are missing for both, so only a's 4 sentences count.
    assert data.codes == ["x"]
    assert [(u.document, u.start, u.end) for u in data.units][:4] == [
        ("a", *segment_span(two, "a", n)) for n in (1, 2, 3, 4)
    ]
    a_rows = data.values[0, :4, :]
    assert a_rows.tolist() == [[0, 0], [1, 1], [1, 0], [0, 0]]
    assert np.isnan(data.values[0, 4:, :]).all()
    strict = reliability_data(two, ["ann", "ben"], min_overlap=50)
    assert strict.values[0, :4, :].tolist() == [[0, 0], [1, 1], [0, 0], [0, 0]]


def test_a_coder_who_did_not_code_a_document_is_missing_there(two):
    apply_coding(two, "a", *segment_span(two, "a", 2), "x", coder="ann")
    apply_coding(two, "b", *segment_span(two, "b", 2), "y", coder="ben")
    apply_coding(two, "b", *segment_span(two, "b", 2), "y", coder="ann")
    data = reliability_data(two, ["ann", "ben"])
    assert data.codes == ["x", "y"]
    a_units = [i for i, u in enumerate(data.units) if u.document == "a"]
    assert np.isnan(data.values[:, a_units, 1]).all()  # ben never coded a
    assert not np.isnan(data.values[:, a_units, 0]).any()


def test_character_and_document_units(two):
    start, end = segment_span(two, "a", 2)
    apply_coding(two, "a", start, end, "x", coder="ann")
    apply_coding(two, "a", start + 4, end, "x", coder="ben")
    chars = reliability_data(two, ["ann", "ben"], unit="character", codes=["x"])
    text_a = two.db.execute("SELECT text FROM documents WHERE name = 'a'").fetchone()[0]
    a_units = [u for u in chars.units if u.document == "a"]
    assert (
        len(a_units) == len(text_a) - 2
    )  # every spoken character; not the blank line between turns
    coded = chars.values[0, : len(a_units), :]
    assert int(coded[:, 0].sum()) == end - start
    assert int(coded[:, 1].sum()) == end - start - 4
    docs = reliability_data(two, ["ann", "ben"], unit="document")
    assert [u.document for u in docs.units] == ["a", "b"]
    assert docs.values[0].tolist()[0] == [1, 1]
    assert np.isnan(docs.values[0, 1]).all()


def test_errors_name_what_is_wrong(two):
    apply_coding(two, "a", 0, 3, "x", coder="ann")
    with pytest.raises(CoderError, match="at least two coders"):
        reliability_data(two, ["ann"])
    with pytest.raises(NotFoundError, match=r"no coder 'zoe' \(coders: ann\)"):
        reliability_data(two, ["ann", "zoe"])
    with pytest.raises(CoderError, match="unknown unit 'word'"):
        reliability_data(two, ["ann", "ben"], unit="word")
