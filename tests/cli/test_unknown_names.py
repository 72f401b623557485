"""Mistyped names on the command line: one line with the closest names, nothing written."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["code", "pe-01-farahani", "--segment", "1", "--code", "trsut"],
            "no code 'trsut'; did you mean 'trust'?",
        ),
        (
            ["code", "pe-01-farahani", "--segment", "1", "--code", "Trust"],
            "no code 'Trust'; did you mean 'trust'?",
        ),
        (
            ["code", "pe-01-farahani", "--segment", "1", "--code", "zzz"],
            "no code 'zzz' (27 codes: coder codebook show lists them)",
        ),
        (
            ["show", "pe-01-farahni"],
            "no document 'pe-01-farahni'; did you mean 'pe-01-farahani'?",
        ),
        (
            ["show", "interview"],
            "no document 'interview' (9 documents: coder docs lists them)",
        ),
        (
            ["agreement", "--coders", "alice,bob"],
            "no coder 'alice' (no coders yet)",
        ),
        (["matrix", "--rows", "attr:rol"], "no attribute 'rol'; did you mean 'role'?"),
        (
            ["matrix", "--where", "case=Kaveh Power"],
            "no case 'Kaveh Power'; did you mean 'Kaveh Power Equipment'?",
        ),
    ],
    ids=[
        "typo",
        "case",
        "no close code",
        "document typo",
        "no close document",
        "coder",
        "attribute",
        "case filter",
    ],
)
def test_unknown_names_suggest_the_closest(coder, state, demo_path, args, message):
    before = state(demo_path)
    result = coder(*args, "-p", demo_path)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == f"coder: error: {message}\n"
    assert state(demo_path) == before
