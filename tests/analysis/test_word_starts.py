"""The vectorised word starts are exactly the starts of the WORD regex's matches."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from coder.analysis.passes import word_starts
from coder.analysis.scope import WORD

ALPHABET = st.sampled_from(
    list("ab Z9_'’-. \n\u00e9\u0645\u06f1\U0001d400\U0001f600\u2019")
)


def regex_starts(text: str) -> list[int]:
    return [m.start() for m in WORD.finditer(text)]


@given(st.text(ALPHABET, max_size=60))
@settings(max_examples=400)
def test_same_as_the_regex(text):
    assert word_starts(text).tolist() == regex_starts(text)


def test_examples():
    assert word_starts("").tolist() == []
    assert word_starts("don't stop").tolist() == [0, 6]
    assert word_starts("a''b 'tis rock'n'roll").tolist() == [0, 3, 6, 10]
    assert word_starts("IEC 62271, 3.5").tolist() == [0, 4, 11, 13]


def test_the_demo_texts(demo_path):
    from coder.store import open_project

    with open_project(demo_path) as project:
        for (text,) in project.db.execute("SELECT text FROM documents"):
            assert word_starts(text).tolist() == regex_starts(text)
