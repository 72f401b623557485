"""Plain-text transcripts: every labelling style, wrapping, paragraphs, and bad clocks."""

from __future__ import annotations

import pytest

from coder.errors import InputError
from coder.importers import plaintext, read_transcript
from coder.model import DroppedLine, Transcript, Turn

from .helpers import DATA, assert_well_formed, marked, spoken

PADDED = Transcript(
    text=(
        "Thank you for taking the time, Ms. Ångström. Could you start by telling"
        " me how the workshop came to join the network?"
        "\n\n"
        "Of course. It was 2019, and honestly we joined because everybody else in"
        " Gävle had. There was no grand plan."
        "\n"
        "Later, of course, it became something else: a place where we could talk"
        " about prices without lawyers in the room."
        "\n\n"
        "What do you mean by “without lawyers”?"
        "\n\n"
        "Informal. Coffee, cinnamon buns, and the numbers on a napkin."
    ),
    turns=[
        Turn(0, 117, "Interviewer"),
        Turn(119, 341, "Zoë Ångström"),
        Turn(343, 381, "Interviewer"),
        Turn(383, 444, "Zoë Ångström"),
    ],
    format="text",
)


def test_padded_hard_wrapped_multi_paragraph_turns():
    # Text padded to a column, wrapped at 80 columns, a blank line between
    # two paragraphs of one turn, and no newline at the end of the file.
    data = (DATA / "padded-wrapped.txt").read_bytes()
    assert not data.endswith(b"\n")

    transcript, original = read_transcript(DATA / "padded-wrapped.txt")

    assert original == data
    assert transcript == PADDED
    assert_well_formed(transcript)
    assert transcript.speakers == ["Interviewer", "Zoë Ångström"]


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda data: data.replace(b"\n", b"\r\n"), id="crlf"),
        pytest.param(lambda data: data.replace(b"\n", b"\r"), id="cr"),
        pytest.param(lambda data: b"\xef\xbb\xbf" + data, id="bom"),
        pytest.param(lambda data: data + b"\n\n\n", id="final-newlines"),
        pytest.param(lambda data: data.decode().encode("utf-16"), id="utf-16-with-bom"),
    ],
)
def test_line_ends_bom_and_encoding_change_nothing(change):
    data = change((DATA / "padded-wrapped.txt").read_bytes())

    assert plaintext.parse(data, "padded.txt") == PADDED


def test_timestamp_in_brackets_before_the_name():
    # UTF-8 with a BOM and CRLF line ends; the last turn is past the hour.
    data = (DATA / "timestamped-brackets.txt").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data

    transcript, _ = read_transcript(DATA / "timestamped-brackets.txt")

    assert transcript == Transcript(
        text=(
            "Good morning. Shall we begin with your role at the firm?"
            "\n\n"
            "I run quality and certification. Twelve people, soon thirteen."
            "\n\n"
            "We are nearly at the hour. One last question?"
            "\n\n"
            "Go ahead — I have until half past."
        ),
        turns=[
            # A turn without an end time ends where the next one starts.
            Turn(0, 56, "Interviewer", 4.0, 11.0),
            Turn(58, 120, "Sara Nouri", 11.0, 3598.0),
            Turn(122, 167, "Interviewer", 3598.0, 3603.0),
            Turn(169, 203, "Sara Nouri", 3603.0, None),
        ],
        format="text",
    )
    assert_well_formed(transcript)


def test_timestamp_in_parentheses_after_the_name():
    # Tomás and Yuki speak once: the timestamp shows they are speakers.
    transcript, _ = read_transcript(DATA / "timestamped-parens.txt")

    assert transcript == Transcript(
        text=(
            "Welcome, everyone. Let's go round the table."
            "\n\n"
            "I'm Tomás, I make the valves."
            "\n\n"
            "And you?"
            "\n\n"
            "Yuki. Logistics, mostly."
        ),
        turns=[
            Turn(0, 44, "Moderator", 2.0, 7.0),
            Turn(46, 75, "Tomás", 7.0, 12.0),
            Turn(77, 85, "Moderator", 12.0, 15.0),
            Turn(87, 111, "Yuki", 15.0, None),
        ],
        format="text",
    )


def test_name_and_time_header_lines():
    # Read as plain text (detection would pick the Otter reader, which reads
    # such headers the same way).
    data = (DATA / "header-lines.txt").read_bytes()

    transcript = plaintext.parse(data, "header-lines.txt")

    assert transcript == Transcript(
        text=(
            "How did the firm start exporting?"
            "\n\n"
            "By accident. A trader from Erbil saw our stand and ordered forty"
            " inverters on the spot."
            "\n\n"
            "And then?"
        ),
        turns=[
            Turn(0, 33, "Interviewer", 5.0, 9.0),
            # Parisa Ahmadi has one header, standing on its own line like the others.
            Turn(35, 122, "Parisa Ahmadi", 9.0, 70.0),
            Turn(124, 133, "Interviewer", 70.0, None),
        ],
        format="text",
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "q-a.txt",
            [
                ("Q", "How long have you worked here?"),
                ("A", "Since 2016. Before that: the grid company."),
                ("Q", "Why did you leave?"),
                ("A", "Money, mostly."),
            ],
        ),
        (
            "i-r.txt",
            [
                ("I", "Tell me about the first order."),
                ("R", "It was small. Two pallets."),
                ("I", "And the payment?"),
                ("R", "Late, of course."),
            ],
        ),
        (
            "interviewer-respondent.txt",
            [
                ("Interviewer", "What did the cluster give you?"),
                ("Respondent", "Certificates. And a stand in Hannover."),
                ("Interviewer", "Anything else?"),
                ("Respondent", "A chat group."),
            ],
        ),
    ],
)
def test_standard_interview_labels(name, expected):
    transcript, _ = read_transcript(DATA / name)

    assert transcript.format == "text"
    assert spoken(transcript) == expected
    assert [turn.start_time for turn in transcript.turns] == [None] * 4
    assert_well_formed(transcript)


def test_q_a_offsets_with_crlf():
    transcript, _ = read_transcript(DATA / "q-a.txt")

    assert transcript.turns == [
        Turn(0, 30, "Q"),
        Turn(32, 74, "A"),
        Turn(76, 94, "Q"),
        Turn(96, 110, "A"),
    ]
    assert "\r" not in transcript.text


def test_focus_group_tags_are_speakers_and_sounds_are_not():
    transcript, _ = read_transcript(DATA / "focus-group.txt")

    assert transcript == Transcript(
        text=(
            "I think the subsidy helped the small firms most."
            "\n\n"
            "Not for us. [laughs] We never saw a rial of it. [laughs] Okay, okay."
            "\n\n"
            "That's fair. [crosstalk] no, no"
            "\n\n"
            "Can I add one thing?"
        ),
        turns=[
            Turn(0, 48, "id1"),
            # "[laughs] Okay, okay." starts a line but is not a speaker.
            Turn(50, 118, "id2"),
            Turn(120, 151, "id1"),
            # id3 speaks once; it is numbered like id1 and id2.
            Turn(153, 173, "id3"),
        ],
        format="text",
    )
    assert "laughs" not in transcript.speakers
    assert "crosstalk" not in transcript.speakers


def test_meeting_web_viewer_copy():
    transcript, _ = read_transcript(DATA / "web-viewer.txt")

    assert transcript == Transcript(
        text=(
            "Can everyone hear me? Good, then let's start."
            "\n\n"
            "Yes, loud and clear. Sorry, the camera is off."
            "\n\n"
            "No problem."
        ),
        turns=[
            Turn(0, 45, "Maryam Kazemi", 2.0, 9.0),
            Turn(47, 93, "hamid.k", 9.0, 75.0),
            Turn(95, 106, "Maryam Kazemi", 75.0, None),
        ],
        format="text",
        dropped=[
            DroppedLine(1, "user avatar", "interface text, not speech"),
            DroppedLine(6, "user avatar", "interface text, not speech"),
            DroppedLine(12, "user avatar", "interface text, not speech"),
        ],
    )


def test_text_without_speakers_is_paragraphs():
    transcript, _ = read_transcript(DATA / "paragraphs.txt")

    assert transcript == Transcript(
        text=(
            "The cluster office was founded in 2021 with four staff. Its manager"
            ' describes the first year as "mostly paperwork".'
            "\n\n"
            "Members joined for certification first, market information second."
            "\n\n"
            "Tea is served at every meeting."
        ),
        turns=[Turn(0, 115), Turn(117, 183), Turn(185, 216)],
        format="text",
    )
    assert transcript.speakers == []


def test_a_colon_inside_speech_is_not_a_speaker():
    data = (
        b"Interviewer: What did you need?\n"
        b"Leila Farahani: Three things. The first was simple.\n"
        b"Note: nobody believed it at first.\n"
        b"Interviewer: And the second?\n"
        b"Leila Farahani: Test reports.\n"
    )

    transcript = plaintext.parse(data, "note.txt")

    assert spoken(transcript) == [
        ("Interviewer", "What did you need?"),
        (
            "Leila Farahani",
            "Three things. The first was simple. Note: nobody believed it at first.",
        ),
        ("Interviewer", "And the second?"),
        ("Leila Farahani", "Test reports."),
    ]


def test_inline_clock_marker_becomes_a_time_mark():
    data = (
        b"Interviewer: Tell me about the fair.\n"
        b"\n"
        b"Respondent: It was April [00:02:00] and cold.\n"
        b"\n"
        b"[00:02:30]\n"
        b"Interviewer: Cold?\n"
    )

    transcript = plaintext.parse(data, "marks.txt")

    assert transcript.text == (
        "Tell me about the fair.\n\nIt was April and cold.\n\nCold?"
    )
    assert marked(transcript) == [(120.0, "and")]
    # A marker after a turn's last words is the time the turn ends.
    assert transcript.turns == [
        Turn(0, 23, "Interviewer"),
        Turn(25, 47, "Respondent", None, 150.0),
        Turn(49, 54, "Interviewer"),
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "[00:00:04] Interviewer: Hello.\n\n[00:61:00] Respondent: Hi.\n",
            "bad.txt:3: malformed timestamp '00:61:00'",
        ),
        (
            "Interviewer (0:04): Hello.\nRespondent (0:75): Hi.\n",
            "bad.txt:2: malformed timestamp '0:75'",
        ),
        (
            # The web viewer's time stands on the line after the name.
            "user avatar\nJane Doe\n00:03\nHello.\n\nuser avatar\nOmid\n00:99\nHi.\n",
            "bad.txt:8: malformed timestamp '00:99'",
        ),
    ],
    ids=["brackets", "parentheses", "web-viewer"],
)
def test_impossible_clock_times_name_their_line(tmp_path, content, message):
    path = tmp_path / "bad.txt"
    path.write_text(content, encoding="utf-8")

    with pytest.raises(InputError) as caught:
        read_transcript(path)

    assert str(caught.value) == f"{tmp_path}/{message}"
