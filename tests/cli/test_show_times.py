"""`coder show` marks the times of sentences inside a long paragraph."""

from __future__ import annotations

from pathlib import Path

from coder.codebook import read_codebook
from coder.codes import load_codebook
from coder.coding import apply_coding
from coder.store import open_project

IMPORTERS = Path(__file__).parents[1] / "data" / "importers"


def test_show_marks_new_cue_times_inside_speakerless_paragraphs(coder, tmp_path):
    project = tmp_path / "study.db"
    assert (
        coder("import", IMPORTERS / "whisper.vtt", "--create", "-p", project).exit_code
        == 0
    )
    result = coder("show", "whisper", "-p", project)
    assert result.exit_code == 0
    # A sentence at its paragraph's start time carries no mark of its own.
    assert result.stdout == (
        "whisper\n"
        "\n"
        "[00:00:00] ¶  (turn 1)\n"
        "     1  So the first thing we did was the certificate.\n"
        "     2  [00:00:03] It took eleven months.\n"
        "\n"
        "[00:00:09] ¶  (turn 2)\n"
        "     3  After that, the fair in Hannover.\n"
        "     4  [00:00:12] Café talk mostly — naïve, but useful.\n"
    )


def test_show_marks_a_time_once_per_cue(coder, tmp_path):
    source = tmp_path / "long.vtt"
    source.write_text(
        "WEBVTT\n\n"
        "00:00.000 --> 00:04.000\nFirst we waited. Then we asked.\n\n"
        "00:04.000 --> 00:09.000\nNobody answered.\n\n"
        "01:02.500 --> 01:09.000\nA year later. The letter came.\n",
        encoding="utf-8",
    )
    project = tmp_path / "study.db"
    assert coder("import", source, "--create", "-p", project).exit_code == 0
    result = coder("show", "long", "-p", project)
    assert result.exit_code == 0
    # Sentences of one cue share its time; a long pause starts a paragraph.
    assert result.stdout == (
        "long\n"
        "\n"
        "[00:00:00] ¶  (turn 1)\n"
        "     1  First we waited.\n"
        "     2  Then we asked.\n"
        "     3  [00:00:04] Nobody answered.\n"
        "\n"
        "[00:01:02] ¶  (turn 2)\n"
        "     4  A year later.\n"
        "     5  The letter came.\n"
    )


def test_a_quote_names_the_turn_and_time_coder_show_prints(coder, tmp_path):
    project_path = tmp_path / "study.db"
    assert (
        coder(
            "import", IMPORTERS / "whisper.vtt", "-p", project_path, "--create"
        ).exit_code
        == 0
    )
    codebook = IMPORTERS.parent / "codebooks" / "mini.yaml"
    with open_project(project_path, actor="tester") as project:
        load_codebook(project, read_codebook(codebook), source="mini.yaml")
        text = project.db.execute("SELECT text FROM documents").fetchone()[0]
        start = text.index("Café talk")
        apply_coding(project, "whisper", start, start + len("Café talk"), "trust")
    result = coder("quotes", "--code", "trust", "-p", project_path)
    assert result.exit_code == 0
    # Sentence 4 is in turn 2 and starts at 00:00:12, as `coder show` prints it.
    assert result.stdout == "whisper, turn 2, 00:00:12 tester\n  Café talk\n"
    shown = coder("show", "whisper", "-p", project_path).stdout
    assert "¶  (turn 2)\n" in shown
    assert "     4  [00:00:12] Café talk" in shown
    csv = coder("quotes", "--code", "trust", "--format", "csv", "-p", project_path)
    assert csv.stdout.splitlines() == [
        "document,case,speaker,turn,time,seconds,start,end,coders,codes,text",
        f"whisper,,,2,00:00:12,12.0000,{start},{start + 9},tester,trust,Café talk",
    ]
