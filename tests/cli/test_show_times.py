"""`coder show` marks the times of sentences inside a long paragraph."""

from __future__ import annotations

from pathlib import Path

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
