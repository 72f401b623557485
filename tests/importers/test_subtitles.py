"""WebVTT (Zoom, Teams, Whisper) and SubRip transcripts, and their broken timings."""

from __future__ import annotations

import pytest

from coder.errors import InputError
from coder.importers import read_transcript, subtitles
from coder.model import Transcript, Turn

from .helpers import DATA, assert_well_formed, marked, spoken


def test_zoom_vtt():
    data = (DATA / "zoom.vtt").read_bytes()
    assert b"\r\n" in data

    transcript, _ = read_transcript(DATA / "zoom.vtt")

    assert transcript == Transcript(
        text=(
            "Hello, Mr. Karimi? Can you hear me?"
            "\n\n"
            "Yes — sorry. The button moved again."
            "\n\n"
            "Perfectly. We are recording, and nothing published will carry your name."
            "\n\n"
            "Tea for the guest?"
            "\n\n"
            "Please, go ahead. I have until eleven."
        ),
        turns=[
            Turn(0, 35, "Maryam Kazemi", 2.34, 7.254),
            # Display names can be lower case.
            Turn(37, 73, "hamid karimi", 8.061, 12.767),
            # Two cues sharing the boundary 18.564 make one turn: first start,
            # last end.
            Turn(75, 147, "Maryam Kazemi", 13.926, 22.249),
            # Speaks once, and is an organisation.
            Turn(149, 167, "Pars Cluster Office", 22.75, 24.1),
            Turn(169, 207, "hamid karimi", 24.9, 29.52),
        ],
        format="vtt",
        time_marks=[
            (0, 2.34),
            (37, 8.061),
            (75, 13.926),
            (104, 18.564),
            (149, 22.75),
            (169, 24.9),
        ],
    )
    assert_well_formed(transcript)
    assert marked(transcript)[3] == (18.564, "and")


def test_teams_vtt_voice_spans():
    data = (DATA / "teams.vtt").read_bytes()
    assert data.startswith(b"\xef\xbb\xbfWEBVTT")

    transcript, _ = read_transcript(DATA / "teams.vtt")

    assert transcript == Transcript(
        text=(
            "Hello, Omid, can you hear me?"
            "\n\n"
            # A voice span over two lines; &amp; is an escaped "&".
            "Yes, I hear you. Wait, let me close the window & the door. Better?"
            "\n\n"
            "Much better. As I wrote, it's part of the study on the three clusters."
            "\n\n"
            "Sure. Go ahead."
        ),
        turns=[
            Turn(0, 29, "Jane Doe", 2.813, 5.002),
            Turn(31, 97, "Omid Hosseini", 6.605, 14.42),
            Turn(99, 169, "Jane Doe", 16.081, 26.203),
            Turn(171, 186, "Omid Hosseini", 27.574, 29.924),
        ],
        format="vtt",
        time_marks=[
            (0, 2.813),
            (31, 6.605),
            (99, 16.081),
            (141, 21.101),
            (171, 27.574),
        ],
    )
    assert "-0" not in transcript.text  # no cue ids


def test_whisper_vtt_without_speakers_makes_paragraphs_at_pauses():
    # Header text after WEBVTT, STYLE and NOTE blocks, cue settings, and
    # times without hours (mm:ss.mmm).
    transcript, _ = read_transcript(DATA / "whisper.vtt")

    assert transcript == Transcript(
        text=(
            "So the first thing we did was the certificate. It took eleven months."
            "\n\n"
            "After that, the fair in Hannover. Café talk mostly — naïve, but useful."
        ),
        turns=[
            Turn(0, 69, None, 0.0, 6.92),
            # 2.18 s of silence before this cue starts a new paragraph.
            Turn(71, 142, None, 9.1, 62.5),
        ],
        format="vtt",
        time_marks=[(0, 0.0), (47, 3.48), (71, 9.1), (105, 12.0)],
    )
    assert "color" not in transcript.text
    assert "NOTE" not in transcript.text


def test_srt_with_name_and_bracket_prefixes():
    data = (DATA / "interview.srt").read_bytes()
    assert b"\r\n" in data and b"00:00:01,238" in data

    transcript, _ = read_transcript(DATA / "interview.srt")

    assert transcript == Transcript(
        text=(
            "Okay, we're recording. Is the light alright for you?"
            "\n\n"
            "It's fine. Let me put my phone on silent."
            " [laughs] Production keeps calling me."
            "\n\n"
            "Why did the firm join the cluster?"
            "\n\n"
            "Certification. That was ninety percent of it."
        ),
        turns=[
            Turn(0, 52, "Interviewer", 1.238, 6.822),
            # "[laughs] ..." is a sound, not a speaker: Parisa goes on.
            Turn(54, 133, "Parisa Ahmadi", 8.06, 15.945),
            Turn(135, 169, "Interviewer", 16.0, 18.5),
            # The last cue has no label and continues the speaker.
            Turn(171, 216, "Parisa Ahmadi", 19.1, 25.0),
        ],
        format="srt",
        time_marks=[
            (0, 1.238),
            (54, 8.06),
            (96, 12.3),
            (135, 16.0),
            (171, 19.1),
            (186, 22.481),
        ],
    )
    assert transcript.speakers == ["Interviewer", "Parisa Ahmadi"]
    assert_well_formed(transcript)


def test_srt_without_speakers_starting_with_a_blank_line():
    data = (
        b"\r\n"
        b"1\r\n00:00:01,000 --> 00:00:02,500\r\nWe started in 2019.\r\n\r\n"
        b"2\r\n00:00:02,500 --> 00:00:04,000\r\nTwo people, one lathe.\r\n\r\n"
        b"3\r\n00:00:09,000 --> 00:00:11,000\r\nNow we are forty.\r\n"
    )

    transcript = subtitles.parse_srt(data, "plain.srt")

    assert transcript == Transcript(
        text="We started in 2019. Two people, one lathe.\n\nNow we are forty.",
        turns=[Turn(0, 42, None, 1.0, 4.0), Turn(44, 61, None, 9.0, 11.0)],
        format="srt",
        time_marks=[(0, 1.0), (20, 2.5), (44, 9.0)],
    )


def test_a_prefix_used_once_in_unlabelled_cues_is_not_a_speaker():
    data = (
        b"WEBVTT\n\n"
        b"00:01.000 --> 00:03.000\nWe had one rule.\n\n"
        b"00:03.000 --> 00:05.000\nThe rule: never sell on credit.\n\n"
        b"00:05.000 --> 00:07.000\nWe broke it twice.\n"
    )

    transcript = subtitles.parse_vtt(data, "rule.vtt")

    assert spoken(transcript) == [
        (None, "We had one rule. The rule: never sell on credit. We broke it twice.")
    ]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "minutes.vtt",
            "WEBVTT\n\n1\n00:00:01.000 --> 00:00:03.000\nHello.\n\n"
            "2\n00:00:03.000 --> 00:61:00.000\nHi.\n",
            "minutes.vtt:8: malformed timestamp '00:61:00.000'",
        ),
        (
            "letter.srt",
            "1\r\n00:00:01,000 --> 00:00:02,000\r\nHello.\r\n\r\n"
            "2\r\n00:00:0x,000 --> 00:00:04,000\r\nHi.\r\n",
            "letter.srt:6: malformed timestamp '00:00:0x,000'",
        ),
        (
            "end.srt",
            "1\n00:00:01,000 --> 00:00:0x,000\nHello.\n",
            "end.srt:2: malformed timestamp '00:00:0x,000'",
        ),
        (
            "seconds.vtt",
            "WEBVTT\n\n00:00:60.000 --> 00:01:02.000\nHello.\n",
            "seconds.vtt:3: malformed timestamp '00:00:60.000'",
        ),
        (
            "backwards.vtt",
            "WEBVTT\n\n00:00:05.000 --> 00:00:01.000\nHello.\n",
            "backwards.vtt:3: cue ends before it starts"
            " ('00:00:05.000' --> '00:00:01.000')",
        ),
        (
            "backwards.srt",
            "1\n00:01:00,000 --> 00:00:59,999\nHello.\n",
            "backwards.srt:2: cue ends before it starts"
            " ('00:01:00,000' --> '00:00:59,999')",
        ),
        (
            # SubRip content saved as .vtt.
            "subrip.vtt",
            "1\n00:00:01,000 --> 00:00:02,000\nHello.\n",
            "subrip.vtt:1: missing 'WEBVTT' header: not a WebVTT file",
        ),
        (
            "typo.vtt",
            "WEBVTTX\n\n00:00:01.000 --> 00:00:02.000\nHello.\n",
            "typo.vtt:1: missing 'WEBVTT' header: not a WebVTT file",
        ),
        (
            "notes.vtt",
            "WEBVTT\n\nNOTE nothing was said\n",
            "notes.vtt: no cues with timings found",
        ),
    ],
    ids=[
        "minutes-over-59",
        "letter-in-start",
        "letter-in-end",
        "seconds-over-59",
        "vtt-backwards",
        "srt-backwards",
        "no-header",
        "wrong-header",
        "no-cues",
    ],
)
def test_malformed_files_name_file_and_line(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content.encode())

    with pytest.raises(InputError) as caught:
        read_transcript(path)

    assert str(caught.value) == f"{tmp_path}/{message}"
