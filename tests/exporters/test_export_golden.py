"""CSV and Markdown exports, compared byte for byte with tests/data/golden.

After a deliberate change of format, regenerate with
``CODER_UPDATE_GOLDEN=1 pytest tests/exporters/test_export_golden.py`` and
read the diff before committing it.
"""

from __future__ import annotations

import os

import pytest

from .conftest import GOLDEN

CASES = {
    "matrix-case-codes.csv": ["matrix"],
    "matrix-case-codes.md": ["matrix", "--format", "md"],
    "matrix-case-role-words.csv": [
        "matrix", "--rows", "case,attr:role", "--cols", "level:1", "--rollup",
        "--cell", "words",
    ],
    "matrix-case-role-words.md": [
        "matrix", "--rows", "case,attr:role", "--cols", "level:1", "--rollup",
        "--cell", "words", "--format", "md",
    ],
    "matrix-speaker-segments.md": [
        "matrix", "--rows", "speaker", "--cols", "level:1", "--rollup", "--cell",
        "segments", "--where", "attr:role=manager", "--format", "md",
    ],
    "cooccurrence-level1.csv": ["cooccurrence", "--cols", "level:1", "--rollup"],
    "cooccurrence-jaccard.md": [
        "cooccurrence", "--mode", "segment", "--jaccard", "--cols", "level:1",
        "--rollup", "--format", "md",
    ],
    "saturation.csv": ["saturation", "--order", "attr:interview_date"],
    "saturation.md": ["saturation", "--order", "attr:interview_date", "--format", "md"],
    "frequencies.md": ["frequencies", "--format", "md"],
    "crosstab-role.csv": ["crosstab", "role", "--cols", "level:1", "--rollup"],
    "crosstab-role.md": ["crosstab", "role", "--cols", "level:1", "--rollup", "--format", "md"],
    "quotes-payment.md": ["quotes", "--code", "payment_risk", "--format", "md"],
    "codings.csv": ["export", "codings"],
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(coder_cli, export_path, name):
    args = CASES[name]
    if name.endswith(".csv") and "--format" not in args:
        args = [*args, "--format", "csv"]
    if args[0] != "export":
        # The fixed codings are ana's and ben's: every analysis says whose count.
        args = [*args, "--coders", "ana,ben", "--count-each"]
    result = coder_cli(*args, "-p", export_path)
    assert result.exit_code == 0, result.stderr
    produced = result.stdout_bytes
    golden = GOLDEN / name
    if os.environ.get("CODER_UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(produced)
    assert produced == golden.read_bytes(), f"{name} differs from {golden}"


def test_csv_is_utf8_with_a_header(coder_cli, export_path):
    text = (GOLDEN / "matrix-case-codes.csv").read_bytes().decode("utf-8")
    header = text.splitlines()[0].split(",")
    assert header[:3] == ["case", "needs_identification", "export_risks"]
    assert "Pars Oil & Gas Services" in text
    result = coder_cli(
        "matrix",
        "-p",
        export_path,
        "--format",
        "csv",
        "--rows",
        "speaker",
        "--coder",
        "ana",
    )
    assert result.stdout.splitlines()[0].startswith("speaker,")
