"""The YAML codebook format: reading, every validation error at once, writing."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest
import yaml

from coder.codebook import (
    CodebookError,
    Example,
    codebook_to_yaml,
    parse_codebook,
    read_codebook,
    schema,
    slugify,
)

DATA = Path(__file__).parent / "data" / "codebooks"
BUNDLED = Path(__file__).parent.parent / "codebooks"


def test_reads_codes_rules_examples_hierarchy_and_patterns():
    book = read_codebook(DATA / "mini.yaml")
    assert book.name == "Mini"
    assert book.version == "1"
    assert [c.id for c, _, _ in book.walk()] == [
        "trust",
        "trust_members",
        "social_power",
        "expert_power",
        "informal_network",
    ]
    assert book.parents()["expert_power"] == "social_power"
    trust = book.by_id()["trust"]
    assert trust.definition == "Willingness to be vulnerable to another party."
    assert trust.exclude == "Friendship without reliance -> informal_network."
    assert trust.examples == [
        Example("We trust the cluster manager.", "typical", "pe-01-farahani", ""),
        Example(
            "We share, but we lock the drawings.",
            "borderline",
            "",
            "Trust and caution at once.",
        ),
    ]
    assert trust.patterns.lemmas == ["trust", "rely"]
    assert trust.patterns.phrases == ["rely on"]
    assert trust.key == "t"
    # Short colours are normalised to #rrggbb.
    assert book.by_id()["trust_members"].colour == "#aaeecc"


def test_every_problem_is_reported_with_file_line_and_column():
    path = DATA / "broken.yaml"
    with pytest.raises(CodebookError) as caught:
        read_codebook(path)
    p = str(path)
    assert caught.value.problems == [
        f"{p}:6:13: colour '#12' is not #rrggbb or #rgb",
        f"{p}:8:5: unknown key 'defintion' (known: id, name, definition, include, exclude,"
        " examples, colour, key, memo, patterns, children)",
        f"{p}:11:11: bad token pattern: token 1, OP: Input should be '+', '*', '?' or '!'",
        f"{p}:14:15: duplicate name 'trust' (first used on line 5)",
        f"{p}:15:14: key 't' is already bound to 'trust'",
        f"{p}:16:9: id 'Bad-Id' must be a slug: lower-case letters, digits and _,"
        " starting with a letter",
        f"{p}:17:11: name is empty",
        f"{p}:18:10: key 'j' is reserved by the coding screen; choose another letter",
        f"{p}:19:9: duplicate id 'trust' (first used on line 4)",
        f"{p}:22:16: a lemma is one word, not 'two words' (put phrases under 'phrases')",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name: X\ncodes:\n  - id: a\n    name: [A\n", "x.yaml:5:1: invalid YAML:"),
        (
            "- just\n- a list\n",
            "x.yaml:1:1: a codebook is a mapping with 'name' and 'codes'",
        ),
        ("name: X\n", "x.yaml:1:1: missing 'codes'"),
        ("name: X\ncodes:\n  - name: A\n", "x.yaml:3:5: missing 'id'"),
        (
            "name: X\ncodes:\n  - id: a\n    name: A\n    key: ab\n",
            "x.yaml:5:10: key 'ab' must be a single letter",
        ),
        (
            "name: X\ncodes:\n  - id: a\n    name: A\n    examples: [{kind: typical}]\n",
            "x.yaml:5:16: an example is a quote, or a mapping with 'text'",
        ),
    ],
)
def test_structural_errors(text, message):
    with pytest.raises(CodebookError) as caught:
        parse_codebook(text, "x.yaml")
    assert str(caught.value).startswith(message)


def test_yaml_round_trip_keeps_every_field():
    book = read_codebook(DATA / "mini.yaml")
    again = parse_codebook(codebook_to_yaml(book), "again.yaml")
    assert again == book


def test_multiline_text_is_written_as_a_block():
    book = read_codebook(DATA / "mini.yaml")
    book.codes[0].definition = "First line.\nSecond line."
    assert "definition: |-\n      First line.\n      Second line." in codebook_to_yaml(
        book
    )


def test_json_schema_is_valid_and_accepts_the_bundled_codebooks():
    jsonschema.Draft202012Validator.check_schema(schema())
    for path in sorted(BUNDLED.glob("*.yaml")):
        jsonschema.validate(yaml.safe_load(path.read_text("utf-8")), schema())
        read_codebook(path)


def test_bundled_study_codebook_keeps_the_ids_scripts_rely_on():
    book = read_codebook(BUNDLED / "export-clusters.yaml")
    ids = set(book.by_id())
    assert {
        "trust",
        "social_power",
        "informal_network",
        "public_relations",
        "training_consultation",
    } <= ids
    power = book.by_id()["social_power"]
    assert len(power.children) == 5  # French & Raven's five bases
    for code, _parent, depth in book.walk():
        assert code.definition, code.id
        if depth == 0:
            assert code.include and code.exclude and code.examples and code.patterns, (
                code.id
            )


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Training / consultation", "training_consultation"),
        ("Social power", "social_power"),
        ("  Öffentlichkeit & PR ", "offentlichkeit_pr"),
        ("2nd order", "code_2nd_order"),
        ("", "code"),
    ],
)
def test_slugify(name, slug):
    assert slugify(name) == slug
