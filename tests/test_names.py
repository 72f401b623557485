"""Unknown names: the closest known names, else the few there are, else how many."""

from __future__ import annotations

import pytest

from coder.names import closest, unknown_name

CODES = ["social_power", "trust", "trust_members", "expert_power", "informal_network"]
MANY = [f"code_{i:02d}" for i in range(42)]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("trsut", ["trust"]),
        ("Trust", ["trust"]),  # only the case differs: nothing else
        ("TRUST_MEMBERS", ["trust_members"]),
        ("soc", ["social_power"]),  # a prefix
        ("trust_membr", ["trust_members", "trust"]),
        ("trust_all", ["trust"]),  # starts with a known name
        ("xyz", []),
        ("", []),
    ],
)
def test_closest_ranks_case_then_prefix_then_similar(name, expected):
    assert closest(name, CODES) == expected


def test_closest_returns_at_most_three():
    assert closest("code_0", MANY) == ["code_00", "code_01", "code_02"]


def test_a_close_name_is_suggested():
    assert (
        unknown_name("code", "trsut", CODES) == "no code 'trsut'; did you mean 'trust'?"
    )


def test_several_close_names_are_suggested_best_first():
    assert unknown_name("code", "trust_membr", CODES) == (
        "no code 'trust_membr'; did you mean 'trust_members' or 'trust'?"
    )
    assert unknown_name("code", "code_4", MANY) == (
        "no code 'code_4'; did you mean 'code_40', 'code_41' or 'code_34'?"
    )


def test_a_few_names_are_listed_when_none_is_close():
    assert unknown_name("coder", "zoe", ["ben", "ana"]) == (
        "no coder 'zoe' (coders: ana, ben)"
    )


def test_many_names_are_counted_with_the_command_that_lists_them():
    assert unknown_name("code", "xyz", MANY) == (
        "no code 'xyz' (42 codes: coder codebook show lists them)"
    )
    assert unknown_name("coder", "xyz", [f"c{i}" for i in range(10)]) == (
        "no coder 'xyz' (10 coders)"
    )


def test_no_names_at_all():
    assert unknown_name("code", "trust", []) == "no code 'trust' (no codes yet)"
    assert unknown_name("code", "trust", [], none="no codes; load a codebook") == (
        "no code 'trust' (no codes; load a codebook)"
    )


def test_plural_and_duplicates():
    assert unknown_name(
        "document or case", "x", ["a", "a", "b"], plural="documents and cases"
    ) == ("no document or case 'x' (documents and cases: a, b)")


def test_messages_are_one_line_however_many_names():
    names = [f"name with words {i}" for i in range(500)]
    assert "\n" not in unknown_name("document", "zzz", names)
    assert len(unknown_name("document", "zzz", names)) < 80
