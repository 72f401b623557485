"""Word transcripts: bold and plain labels, speaker tables, Otter's docx, broken files.

The documents are built with python-docx in each test (see `helpers.build_docx`),
so what they hold is visible next to what the importer should make of it.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from coder.errors import InputError
from coder.importers import read_transcript
from coder.model import DroppedLine, Transcript, Turn

from .helpers import (
    Block,
    assert_well_formed,
    bold,
    build_docx,
    heading,
    para,
    spoken,
    table,
    title,
)


@pytest.fixture
def make_docx(tmp_path) -> Callable[..., Path]:
    """Write a .docx made of the given blocks; returns its path."""

    def make(blocks: list[Block], name: str = "interview.docx") -> Path:
        path = tmp_path / name
        path.write_bytes(build_docx(blocks))
        return path

    return make


def test_bold_labels_headings_and_continuation_paragraphs(make_docx):
    path = make_docx(
        [
            title("Interview A-07"),
            heading("Part one: joining"),
            bold("Interviewer:", " Welcome. How did you join?"),
            bold("Zoë Ångström", ": Through my cousin, in 2019."),
            para("It was not planned at all."),
            bold("Interviewer", " And today?"),
            bold("Zoë Ångström: ", "Fourteen members."),
            # Speaks once: the bold label still makes her a speaker.
            bold("Guest:", " More tea?"),
        ]
    )

    transcript, _ = read_transcript(path)

    assert transcript == Transcript(
        text=(
            "Welcome. How did you join?"
            "\n\n"
            "Through my cousin, in 2019."
            "\n"
            "It was not planned at all."
            "\n\n"
            "And today?"
            "\n\n"
            "Fourteen members."
            "\n\n"
            "More tea?"
        ),
        turns=[
            Turn(0, 26, "Interviewer"),
            Turn(28, 82, "Zoë Ångström"),
            Turn(84, 94, "Interviewer"),
            Turn(96, 113, "Zoë Ångström"),
            Turn(115, 124, "Guest"),
        ],
        format="docx",
        dropped=[
            DroppedLine(1, "Interview A-07", "heading, not speech"),
            DroppedLine(2, "Part one: joining", "heading, not speech"),
        ],
    )
    assert_well_formed(transcript)


def test_bold_words_that_are_not_labels(make_docx):
    path = make_docx(
        [
            bold("Interviewer:", " Two questions."),
            bold("What did you need?", " Certification, mostly."),
            bold("Really", " important was the fair."),
            bold("Interviewer:", " Thanks."),
        ]
    )

    transcript, _ = read_transcript(path)

    assert spoken(transcript) == [
        (
            "Interviewer",
            "Two questions.\nWhat did you need? Certification, mostly."
            # A bold first word is not a label; no colon is added.
            "\nReally important was the fair.",
        ),
        ("Interviewer", "Thanks."),
    ]


def test_plain_name_colon_labels(make_docx):
    path = make_docx(
        [
            para("Interviewer: Why did the firm join?"),
            para("Mina Rostami: Certification, first of all."),
            para("Interviewer: And second?"),
            para("Mina Rostami: Weight. Nobody in Almaty knew us."),
        ]
    )

    transcript, _ = read_transcript(path)

    assert spoken(transcript) == [
        ("Interviewer", "Why did the firm join?"),
        ("Mina Rostami", "Certification, first of all."),
        ("Interviewer", "And second?"),
        ("Mina Rostami", "Weight. Nobody in Almaty knew us."),
    ]
    assert transcript.turns[1] == Turn(24, 52, "Mina Rostami")


def test_two_column_speaker_table(make_docx):
    path = make_docx(
        [
            table(
                ("Interviewer", "What did the cluster give you?"),
                ("Neda Jafari", "A stand in Hannover."),
                # An empty speaker cell continues the speaker, as a new paragraph.
                ("", "And a lawyer for the contracts."),
                ("Interviewer", "Anything else?"),
                ("Neda Jafari:", "No."),
            )
        ]
    )

    transcript, _ = read_transcript(path)

    assert transcript == Transcript(
        text=(
            "What did the cluster give you?"
            "\n\n"
            "A stand in Hannover.\nAnd a lawyer for the contracts."
            "\n\n"
            "Anything else?"
            "\n\n"
            "No."
        ),
        turns=[
            Turn(0, 30, "Interviewer"),
            Turn(32, 84, "Neda Jafari"),
            Turn(86, 100, "Interviewer"),
            Turn(102, 105, "Neda Jafari"),
        ],
        format="docx",
    )


def test_three_column_table_with_times_and_a_header_row(make_docx):
    path = make_docx(
        [
            para("Interview RE-01 — fictional, names invented."),
            table(
                ("Time", "Speaker", "Text"),
                ("00:00:05", "Interviewer", "Okay, it's recording."),
                ("00:00:11", "Neda Jafari", "Neda is fine, please."),
                ("", "Neda Jafari", "Sorry about the noise."),
                ("1:02:03", "Interviewer", "Thank you."),
            ),
        ]
    )

    transcript, _ = read_transcript(path)

    assert transcript == Transcript(
        text=(
            "Okay, it's recording."
            "\n\n"
            "Neda is fine, please.\nSorry about the noise."
            "\n\n"
            "Thank you."
        ),
        turns=[
            Turn(0, 21, "Interviewer", 5.0, 11.0),
            Turn(23, 67, "Neda Jafari", 11.0, 3723.0),
            Turn(69, 79, "Interviewer", 3723.0, None),
        ],
        format="docx",
        # Paragraphs count from 1, a table row counting as one.
        dropped=[
            DroppedLine(
                1,
                "Interview RE-01 — fictional, names invented.",
                "outside the speaker table",
            )
        ],
    )


def test_a_table_of_facts_is_not_the_transcript(make_docx):
    path = make_docx(
        [
            title("Interview PE-04"),
            table(("Date", "2024-05-01"), ("Place", "Tabriz")),
            bold("Interviewer:", " Shall we start?"),
            bold("Ali Sadr:", " Yes."),
        ]
    )

    transcript, _ = read_transcript(path)

    assert spoken(transcript) == [
        ("Interviewer", "Shall we start?"),
        ("Ali Sadr", "Yes."),
    ]
    assert transcript.dropped == [
        DroppedLine(1, "Interview PE-04", "heading, not speech"),
        DroppedLine(2, "Date | 2024-05-01", "table row, not a speaker table"),
        DroppedLine(3, "Place | Tabriz", "table row, not a speaker table"),
    ]


def test_unlabelled_single_respondent_text(make_docx):
    path = make_docx(
        [
            heading("Written answers"),
            para("We joined in 2021, mainly for the certificates."),
            para("The fair subsidy was useful; the workshops less so."),
        ]
    )

    transcript, _ = read_transcript(path)

    assert transcript == Transcript(
        text=(
            "We joined in 2021, mainly for the certificates."
            "\n\n"
            "The fair subsidy was useful; the workshops less so."
        ),
        turns=[Turn(0, 47), Turn(49, 100)],
        format="docx",
        dropped=[DroppedLine(1, "Written answers", "heading, not speech")],
    )


def test_otter_style_docx(make_docx):
    path = make_docx(
        [
            para("Emma Lee  0:03"),
            para("Hello, and thanks for joining."),
            # Otter may set the name in bold.
            bold("Unknown Speaker", "  0:09"),
            para("See you at 5:30"),
            para("Emma Lee  1:02:03"),
            para("That was all."),
            para("One more thing, though."),
            para("Transcribed by https://otter.ai"),
        ]
    )

    transcript, _ = read_transcript(path)

    assert transcript == Transcript(
        text=(
            "Hello, and thanks for joining."
            "\n\n"
            "See you at 5:30"
            "\n\n"
            "That was all.\nOne more thing, though."
        ),
        turns=[
            Turn(0, 30, "Emma Lee", 3.0, 9.0),
            Turn(32, 47, "Unknown Speaker", 9.0, 3723.0),
            Turn(49, 86, "Emma Lee", 3723.0, None),
        ],
        format="docx",
        dropped=[
            DroppedLine(
                8, "Transcribed by https://otter.ai", "Otter footer, not speech"
            )
        ],
    )


def test_bad_time_in_a_table_names_its_row(make_docx):
    path = make_docx(
        [
            table(
                ("Time", "Speaker", "Text"),
                ("00:00:05", "Interviewer", "Hello."),
                ("00:00:61", "Neda Jafari", "Hi."),
            )
        ],
        name="bad-time.docx",
    )

    with pytest.raises(InputError) as caught:
        read_transcript(path)

    assert str(caught.value) == f"{path}:3: malformed timestamp '00:00:61'"


def test_bad_time_in_otter_paragraphs_names_its_paragraph(make_docx):
    path = make_docx(
        [
            title("Interview"),
            para("Emma Lee  0:03"),
            para("Hello."),
            para("Li Wei  0:75"),
            para("Hi."),
        ],
        name="bad-otter.docx",
    )

    with pytest.raises(InputError) as caught:
        read_transcript(path)

    assert str(caught.value) == f"{path}:4: malformed timestamp '0:75'"


def test_truncated_docx(tmp_path):
    data = build_docx([para("Interviewer: Hello.")])
    path = tmp_path / "truncated.docx"
    path.write_bytes(data[: len(data) // 2])

    with pytest.raises(InputError) as caught:
        read_transcript(path)

    assert str(caught.value) == (
        f"{path}: not a readable .docx (broken or truncated zip: File is not a zip file)"
    )


def test_zip_that_is_not_a_word_document(tmp_path):
    path = tmp_path / "photos.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("photo.txt", "not a picture")

    with pytest.raises(InputError) as caught:
        read_transcript(path)

    assert str(caught.value) == (
        f"{path}: not a Word document (it has no [Content_Types].xml)"
    )


def test_damaged_document_xml(tmp_path):
    original = zipfile.ZipFile(io.BytesIO(build_docx([para("Interviewer: Hi.")])))
    path = tmp_path / "damaged.docx"
    with zipfile.ZipFile(path, "w") as archive:
        for item in original.infolist():
            content = original.read(item.filename)
            if item.filename == "word/document.xml":
                content = content[: len(content) // 2]
            archive.writestr(item, content)

    with pytest.raises(InputError) as caught:
        read_transcript(path)

    assert re.fullmatch(
        rf"{re.escape(str(path))}: not a readable \.docx"
        r" \(damaged XML in word/document\.xml: .+\)",
        str(caught.value),
    )


def test_document_without_text(make_docx):
    path = make_docx([title("Interview"), para("   ")], name="blank.docx")

    with pytest.raises(InputError) as caught:
        read_transcript(path)

    assert str(caught.value) == f"{path}: no transcript text found in the document"
