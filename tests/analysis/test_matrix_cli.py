"""The matrix commands: output in the terminal and as data, errors, and cell summaries."""

from __future__ import annotations

import json

from coder.analysis.framework import get_cell_summary
from coder.store import open_project

from .fixed import KAVEH, PARS, SEPEHR


def test_matrix_in_the_terminal_puts_codes_down_the_side(coder_cli, fixed_path):
    result = coder_cli(
        "matrix", "-p", fixed_path, "--coders", "ana,ben", "--count-each", "--rows", "attr:role", "--cols", "level:1",
        "--rollup", "--cell", "documents",
    )  # fmt: skip
    assert result.exit_code == 0
    assert result.stdout == (
        " code                   manager  member \n"
        " needs_identification         2       0 \n"
        " export_risks                 2       0 \n"
        " trust                        0       1 \n"
        " social_power                 0       0 \n"
        " informal_network             0       0 \n"
        " public_relations             0       0 \n"
        " training_consultation        0       0 \n"
        " government_support           1       0 \n"
        " export_performance           0       0 \n"
        "Cells: documents that mention the code (children rolled up into parents);\n"
        "codings of ana and ben, each coder's counted; codebook Export clusters in the\n"
        "energy industry 1.0 (revision 1). Codes down, role across.\n"
    )
    assert result.stderr == ""


def test_matrix_json(coder_cli, fixed_path):
    result = coder_cli(
        "matrix", "-p", fixed_path, "--cols", "level:1", "--rollup", "--coder", "ben",
        "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0
    assert result.stderr == ""
    data = json.loads(result.stdout)
    assert data.pop("counted") == {
        "coders": ["ben"],
        "pooled": False,
        "count_each": False,
        "why": "",
        "codebook": "codebook Export clusters in the energy industry 1.0 (revision 1)",
        "text": "codings of ben; codebook Export clusters in the energy industry 1.0"
        " (revision 1)",
    }
    assert data == {
        "rows": [KAVEH, PARS, SEPEHR],
        "columns": [
            "needs_identification",
            "export_risks",
            "trust",
            "social_power",
            "informal_network",
            "public_relations",
            "training_consultation",
            "government_support",
            "export_performance",
        ],
        "cells": [
            [0, 1, 0, 0, 0, 0, 0, 0, 0],
            [1, 1, 0, 0, 0, 0, 0, 0, 0],
            [0, 0, 0, 0, 0, 0, 0, 0, 0],
        ],
    }


def test_words_in_json_are_shares(coder_cli, fixed_path):
    result = coder_cli(
        "matrix", "-p", fixed_path, "--coders", "ana,ben", "--count-each", "--cell", "words", "--where", f"case={SEPEHR}",
        "--format", "json",
    )  # fmt: skip
    data = json.loads(result.stdout)
    assert data["rows"] == [SEPEHR]
    assert round(12 / 5886, 4) in data["cells"][0]


def test_the_suffix_of_the_output_picks_the_format(coder_cli, fixed_path, tmp_path):
    target = tmp_path / "matrix.md"
    result = coder_cli(
        "matrix", "-p", fixed_path, "--coders", "ana,ben", "--count-each", "-o", target
    )
    assert result.exit_code == 0
    assert target.read_text(encoding="utf-8").startswith(
        "| case | Needs identification |"
    )


def test_errors(coder_cli, fixed_path, tmp_path):
    cases = [
        (
            ["matrix", "--rows", "town", "--coder", "ana"],
            "coder: error: unknown rows 'town' (rows: case, document, speaker,"
            " attr:NAME; two of them joined by a comma, e.g. case,attr:role)\n",
        ),
        (
            ["matrix", "--rows", "attr:age", "--coder", "ana"],
            "coder: error: no attribute 'age'"
            " (11 attributes: coder attributes lists them)\n",
        ),
        (
            ["matrix", "--format", "xlsx"],
            "coder: error: xlsx is a binary format; write it to a file with -o FILE\n",
        ),
        (
            ["matrix", "-o", tmp_path / "m.txt"],
            f"coder: error: {tmp_path / 'm.txt'}: cannot tell the format from '.txt';"
            " give --format (csv, xlsx, md, html, json)\n",
        ),
        (
            ["cooccurrence", "--coder", "zoe"],
            "coder: error: no coder 'zoe' (coders: ana, ben)\n",
        ),
        (
            ["saturation", "--order", "date", "--coder", "ana"],
            "coder: error: unknown order 'date' (orders: import, name, attr:NAME)\n",
        ),
        (
            ["quotes", "--code", "payment_risk", "--summary", "x"],
            "coder: error: a summary belongs to one cell of the framework matrix:"
            " give --case NAME or --doc NAME (one of them)\n",
        ),
        (
            ["matrix", "--where", "role=member", "--coder", "ana"],
            "coder: error: cannot read filter 'role=member' (use attr:NAME=VALUE,"
            " case=NAME or document=NAME)\n",
        ),
    ]
    cases.append(
        (
            ["frequencies"],
            "coder: error: 2 coders have codings (ana, ben) and none is"
            " 'consensus': choose one with --coder NAME, pool them on purpose with"
            " --coders ana,ben (a passage coded by several counts once), or split"
            " the table with --by-coder\n",
        )
    )
    for args, message in cases:
        result = coder_cli(*args, "-p", fixed_path)
        assert result.exit_code == 1, args
        assert result.stderr == message, args
        assert result.stdout == ""


def test_quotes_and_their_summary(coder_cli, fixed_path):
    result = coder_cli(
        "quotes",
        "-p",
        fixed_path,
        "--coders",
        "ana,ben",
        "--count-each",
        "--code",
        "payment_risk",
        "--case",
        KAVEH,
    )
    assert result.exit_code == 0
    assert result.stdout == (
        "Leila Farahani, pe-01-farahani, turn 7 ana\n"
        "  Today, with the certificates in hand, the question I hear every week is"
        " who guarantees the payment.\n"
        "Leila Farahani, pe-01-farahani, turn 9 ana, ben\n"
        "  Payment comes first. Iraq is our biggest market, and the private"
        " contractors there expect ninety days open account.\n"
    )
    assert result.stderr == (
        "2 passages; codings of ana and ben, each coder's counted; codebook Export"
        " clusters in the energy industry 1.0 (revision 1)\n"
    )
    saved = coder_cli(
        "quotes", "-p", fixed_path, "--coders", "ana,ben", "--count-each", "--code", "payment_risk", "--case", KAVEH,
        "--summary", "Payment is the first risk named.",
    )  # fmt: skip
    assert saved.exit_code == 0
    assert saved.stderr == (
        "saved the summary of payment_risk in case:Kaveh Power Equipment\n"
    )
    with open_project(fixed_path, actor="tester") as project:
        assert get_cell_summary(project, "payment_risk", f"case:{KAVEH}") == (
            "Payment is the first risk named."
        )
    shown = coder_cli(
        "quotes",
        "-p",
        fixed_path,
        "--coders",
        "ana,ben",
        "--count-each",
        "--code",
        "payment_risk",
        "--case",
        KAVEH,
    )
    assert shown.stdout.startswith("Summary: Payment is the first risk named.\n\n")
    data = json.loads(
        coder_cli(
            "quotes", "-p", fixed_path, "--coders", "ana,ben", "--count-each", "--code", "payment_risk", "--case", KAVEH,
            "--format", "json",
        ).stdout
    )  # fmt: skip
    assert data["summary"] == "Payment is the first risk named."
    assert [q["clock"] for q in data["quotes"]] == ["", ""]
    # Offsets stay for machines beside the turn.
    assert [(q["turn"], q["start"], q["end"]) for q in data["quotes"]] == [
        (7, 1725, 1824),
        (9, 1930, 2045),
    ]


def test_saturation_json(coder_cli, fixed_path):
    result = coder_cli(
        "saturation",
        "-p",
        fixed_path,
        "--coders",
        "ana,ben",
        "--count-each",
        "--order",
        "attr:interview_date",
        "--format",
        "json",
    )
    data = json.loads(result.stdout)
    assert data["order"] == "attr:interview_date"
    assert [d["new"] for d in data["documents"]] == [5, 0, 0, 1, 0, 0, 0, 1, 0]
    assert data["documents"][-1]["cumulative"] == 7


def test_export_codings_json(coder_cli, fixed_path):
    result = coder_cli(
        "export", "codings", "-p", fixed_path, "--format", "json", "--coder", "ben"
    )
    data = json.loads(result.stdout)
    assert [(c["document"], c["code"], c["coder"]) for c in data] == [
        ("og-01-karimi", "needs_identification", "ben"),
        ("og-01-karimi", "payment_risk", "ben"),
        ("pe-01-farahani", "payment_risk", "ben"),
    ]
    assert data[0]["case"] == PARS
    assert data[0]["role"] == "manager"
    assert (data[0]["turn"], data[0]["time"], data[0]["seconds"]) == (
        6,
        "00:00:44",
        44.199,
    )
