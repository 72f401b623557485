"""Markdown transcripts: front matter, bold labels, Otter's tidied form, Descript markers."""

from __future__ import annotations

import pytest

from coder.errors import InputError
from coder.importers import markdown, read_transcript
from coder.model import DroppedLine, Transcript, Turn

from .helpers import DATA, assert_well_formed, marked, spoken


def test_front_matter_and_bold_labels():
    transcript, _ = read_transcript(DATA / "front-matter.md")

    assert transcript == Transcript(
        text=(
            "Mr. Tehrani, thank you for having me. May I record?"
            "\n\n"
            # *tea* loses its emphasis marks.
            "Of course. But first, tea — it's from Lahijan."
            "\n"
            "Record whatever you like."
            "\n\n"
            "Why did you join the cluster?"
            "\n\n"
            "Sorry, Baba, the customer from Basra is on the phone."
        ),
        turns=[
            Turn(0, 51, "Interviewer"),
            Turn(53, 125, "Reza Tehrani"),
            Turn(127, 156, "Interviewer"),
            # One bold label is enough to be a speaker, whatever the name holds.
            Turn(158, 211, "Mehdi (son)"),
        ],
        format="md",
        attributes={
            "title": "Interview OG-02 — Reza Tehrani",
            "interview_date": "2024-06-03",
            "recorded_at": "2024-06-03T10:30:00",
            "employees": 42,
            "topics": "valves, export",
        },
        dropped=[DroppedLine(9, "# Interview OG-02", "heading, not speech")],
        language="fa",
    )
    assert_well_formed(transcript)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda data: data.replace(b"\n", b"\r\n"), id="crlf"),
        pytest.param(lambda data: b"\xef\xbb\xbf" + data, id="bom"),
        pytest.param(lambda data: data.decode().encode("utf-16"), id="utf-16"),
    ],
)
def test_line_ends_bom_and_encoding_change_nothing(change):
    data = (DATA / "front-matter.md").read_bytes()

    assert markdown.parse(change(data), "a.md") == markdown.parse(data, "b.md")
    assert markdown.parse(change(data), "a.md").language == "fa"


def test_otter_markdown_with_headerless_continuation():
    transcript, _ = read_transcript(DATA / "otter.md")

    assert transcript == Transcript(
        text=(
            "Hi, and thanks for joining. Can you say your name for the tape?"
            "\n\n"
            "Li Wei. I run the export desk."
            "\n"
            # No header: Li Wei goes on, in a new paragraph.
            "We are four people."
            "\n\n"
            "Thank you, that was great."
        ),
        turns=[
            Turn(0, 63, "Emma", 0.0, 6.0),
            Turn(65, 115, "Li Wei", 6.0, 3723.0),
            Turn(117, 143, "Emma", 3723.0, None),
        ],
        format="md",
    )


def test_descript_markers_become_time_marks():
    transcript, _ = read_transcript(DATA / "descript.md")

    assert transcript == Transcript(
        text=(
            "Let's start with the market. How did you find your first buyer?"
            "\n\n"
            "Through my uncle, honestly. He knew a trader in Erbil who needed"
            " panels fast, and we had stock."
            "\n\n"
            "And after that?"
        ),
        turns=[
            # A marker at the start of a turn is its start time ...
            Turn(0, 63, "Interviewer", 0.0, None),
            # ... and one after its last words is its end time.
            Turn(65, 160, "Neda Jafari", None, 90.0),
            Turn(162, 177, "Interviewer"),
        ],
        format="md",
        time_marks=[(0, 0.0), (46, 4.0), (123, 60.0)],
    )
    assert marked(transcript) == [(0.0, "Let's"), (4.0, "your"), (60.0, "needed")]
    assert "[" not in transcript.text


def test_bold_name_with_the_colon_outside():
    data = b"**Interviewer**: Ready?\n\n**Sara Nouri**: Ready.\n"

    transcript = markdown.parse(data, "colon.md")

    assert spoken(transcript) == [("Interviewer", "Ready?"), ("Sara Nouri", "Ready.")]


def test_front_matter_language_is_not_an_attribute():
    data = b"---\nlanguage: de\nrole: manager\n---\nInterviewer: Guten Tag.\n"

    transcript = markdown.parse(data, "de.md")

    assert transcript.language == "de"
    assert transcript.attributes == {"role": "manager"}
    assert spoken(transcript) == [("Interviewer", "Guten Tag.")]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "---\ntitle: Interview\nrole: [manager\n---\nInterviewer: Hi.\n",
            "bad.md:3: invalid YAML front matter:"
            " expected ',' or ']', but got '<stream end>'",
        ),
        (
            "---\ntitle: Interview\n  date: 2024-06-03\n---\nInterviewer: Hi.\n",
            "bad.md:3: invalid YAML front matter: mapping values are not allowed here",
        ),
        (
            "---\n- just\n- a list\n---\nInterviewer: Hi.\n",
            "bad.md:2: front matter must be a mapping of keys to values",
        ),
        (
            "**Interviewer:** So [00:00:10] how was it?\n\n"
            "**Neda Jafari:** Good [00:61:00] mostly.\n",
            "bad.md:3: malformed timestamp '00:61:00'",
        ),
    ],
    ids=["unclosed-list", "bad-indent", "not-a-mapping", "bad-marker"],
)
def test_bad_markdown_names_its_line(tmp_path, content, message):
    path = tmp_path / "bad.md"
    path.write_text(content, encoding="utf-8")

    with pytest.raises(InputError) as caught:
        read_transcript(path)

    assert str(caught.value) == f"{tmp_path}/{message}"
