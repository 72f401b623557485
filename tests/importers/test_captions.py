"""Caption and podcast transcripts: lines that open with a bare timestamp."""

from __future__ import annotations

import dataclasses

import pytest

from coder.errors import InputError
from coder.importers import plaintext, read_transcript
from coder.model import Transcript, Turn
from coder.segmenting import Segmenter

from .helpers import DATA, assert_well_formed, marked, spoken

CAPTIONS = Transcript(
    text=(
        "comments and a bonus episode this week. I'm Leila, and today I'm talking"
        " to Babak Rahimi, who ran the export desk at a valve maker in Tabriz for"
        " eleven years. Babak, welcome. Thank you, it's a pleasure to be here. So"
        " let's start at the beginning. How did a family firm that made valves for"
        " the local market end up selling to Iraq and Armenia?"
        "\n\n"
        "Honestly? By accident. A trader from Erbil came to the fair in 2009, saw"
        " our stand and ordered forty valves on the spot. We had no export licence,"
        " no price list in dollars, nothing. And how did you deal with that? We"
        " asked the cluster office. They had a lawyer who did the paperwork for"
        " three firms at once, so it cost us almost nothing."
        "\n\n"
        "That's the part I find interesting, the sharing. Was it normal for firms"
        " that compete with each other to share a lawyer? Not at first. The first"
        " meetings were very quiet. Everybody drank tea and nobody said a price. It"
        " took, I would say, two years before people trusted each other enough to"
        " talk numbers."
        "\n\n"
        "What changed after those two years? The manager. She was a woman from"
        " outside the industry, and she made everyone put one small problem on the"
        " table at each meeting. Small things: a late payment, a customs form."
        "\n\n"
        "So trust came from small problems. Exactly. You cannot trust a stranger"
        " with a big secret, but you can ask him about a customs form. And next"
        " time you ask him something bigger. We'll take a short break, and after"
        " that, Babak tells us what went wrong in 2013."
    ),
    turns=[
        # 0:28 -> 0:34: six seconds for "Iraq and Armenia?" is a pause.
        Turn(0, 342, None, 6.0, 34.0),
        # A blank line.
        Turn(344, 681, None, 34.0, 62.0),
        # 1:22 -> 1:31: a pause.
        Turn(683, 987, None, 62.0, 91.0),
        # A blank line.
        Turn(989, 1200, None, 91.0, 109.0),
        Turn(1202, 1460, None, 109.0, None),
    ],
    format="text",
)

# Each line's time stands at its first word.
CAPTION_MARKS = [
    (6.0, "comments"), (8.0, "week."), (11.0, "to"), (13.0, "desk"),
    (16.0, "eleven"), (18.0, "Thank"), (21.0, "So"), (23.0, "did"), (26.0, "the"),
    (28.0, "Iraq"), (34.0, "Honestly?"), (37.0, "Erbil"), (40.0, "stand"),
    (42.0, "spot."), (45.0, "price"), (47.0, "And"), (50.0, "We"), (52.0, "a"),
    (55.0, "three"), (57.0, "almost"), (62.0, "That's"), (64.0, "the"),
    (67.0, "that"), (69.0, "a"), (71.0, "Not"), (74.0, "very"), (76.0, "nobody"),
    (79.0, "say,"), (82.0, "each"), (91.0, "What"), (93.0, "The"), (96.0, "outside"),
    (98.0, "everyone"), (101.0, "table"), (104.0, "a"), (109.0, "So"),
    (111.0, "Exactly."), (114.0, "with"), (116.0, "about"), (119.0, "you"),
    (123.0, "We'll"), (125.0, "that,"), (128.0, "in"),
]  # fmt: skip


def test_caption_lines_join_into_timed_paragraphs():
    # 45 hard-wrapped lines, each with a bare hh:mm:ss timestamp; paragraphs
    # end at blank lines and at long pauses.
    transcript, _ = read_transcript(DATA / "captions.txt")

    assert dataclasses.replace(transcript, time_marks=[]) == CAPTIONS
    assert marked(transcript) == CAPTION_MARKS
    assert_well_formed(transcript)
    assert ":" not in transcript.text.replace("Small things:", "")


def test_sentences_run_over_caption_line_ends():
    transcript, _ = read_transcript(DATA / "captions.txt")

    sentences = [
        (transcript.text[s.start : s.end], s.start_time, s.end_time)
        for s in Segmenter().segment(transcript).segments
        if s.kind == "sentence" and s.end <= CAPTIONS.turns[0].end
    ]

    # Times come from the caption lines each sentence starts and ends in.
    assert sentences == [
        ("comments and a bonus episode this week.", 6.0, 11.0),
        (
            "I'm Leila, and today I'm talking to Babak Rahimi, who ran the export"
            " desk at a valve maker in Tabriz for eleven years.",
            8.0,
            18.0,
        ),
        ("Babak, welcome.", 16.0, 18.0),
        ("Thank you, it's a pleasure to be here.", 18.0, 21.0),
        ("So let's start at the beginning.", 21.0, 23.0),
        (
            "How did a family firm that made valves for the local market end up"
            " selling to Iraq and Armenia?",
            21.0,
            34.0,
        ),
    ]


@pytest.mark.parametrize(
    "lines",
    [
        pytest.param(["00:00:06", "00:00:08", "00:00:11.500"], id="hh:mm:ss"),
        pytest.param(["[00:00:06]", "[00:00:08]", "[00:00:11,500]"], id="brackets"),
        pytest.param(["(0:06)", "(0:08)", "(0:11.5)"], id="parentheses"),
        pytest.param(["0:06", "00:08", "0:00:11.500"], id="m:ss-and-mm:ss"),
    ],
)
def test_every_timestamp_style(lines):
    data = (
        f"{lines[0]} comments and a bonus episode\n"
        f"{lines[1]} this week, on export\n"
        f"{lines[2]} clusters.\n"
    ).encode()

    transcript = plaintext.parse(data, "episode.txt")

    assert transcript == Transcript(
        text="comments and a bonus episode this week, on export clusters.",
        turns=[Turn(0, 59, None, 6.0, None)],
        format="text",
        time_marks=[(0, 6.0), (29, 8.0), (50, 11.5)],
    )


def test_past_the_hour_and_a_timestamp_alone_on_its_line():
    # Copied from a video site's transcript panel: the time above its line.
    data = b"59:58\nwe are nearly\n59:59\nat the hour\n1:00:09\nand so\n1:02:03\ngoodbye.\n"

    transcript = plaintext.parse(data, "panel.txt")

    assert spoken(transcript) == [
        (None, "we are nearly at the hour"),
        (None, "and so"),
        (None, "goodbye."),
    ]
    assert [(t.start_time, t.end_time) for t in transcript.turns] == [
        (3598.0, 3609.0),
        (3609.0, 3723.0),
        (3723.0, None),
    ]


def test_speaker_labels_and_speaker_change_marks():
    # A name after the timestamp is a speaker when it speaks at least twice
    # (or is a standard label), as for untimed ``Name: text`` lines.
    data = (
        b"[00:00:01] Host: Welcome back. Today\n"
        b"[00:00:03] we talk about tariffs\n"
        b"[00:00:05] with a guest.\n"
        b"[00:00:07] Guest: Thanks. Tariffs\n"
        b"[00:00:09] are my whole job.\n"
        b"[00:00:11] Host: Let's hear it.\n"
        b"[00:00:13] >> and a caller, who\n"
        b"[00:00:15] has no name.\n"
        b"[00:00:17] Guest: Hello, caller.\n"
    )

    transcript = plaintext.parse(data, "show.txt")

    assert spoken(transcript) == [
        ("Host", "Welcome back. Today we talk about tariffs with a guest."),
        ("Guest", "Thanks. Tariffs are my whole job."),
        ("Host", "Let's hear it."),
        (None, "and a caller, who has no name."),
        ("Guest", "Hello, caller."),
    ]
    assert [t.start_time for t in transcript.turns] == [1.0, 7.0, 11.0, 13.0, 17.0]
    assert_well_formed(transcript)


def test_a_pause_in_a_speakers_turn_starts_a_paragraph():
    data = (
        b"00:00:01 Host: Welcome back to the\n"
        b"00:00:03 show about small firms.\n"
        b"00:00:30 Now, the news. A new\n"
        b"00:00:32 tariff on valves.\n"
        b"00:00:34 Guest: Which hurts.\n"
        b"00:00:36 Host: Why?\n"
        b"00:00:38 Guest: Steel.\n"
    )

    transcript = plaintext.parse(data, "news.txt")

    assert spoken(transcript) == [
        (
            "Host",
            "Welcome back to the show about small firms.\n"
            "Now, the news. A new tariff on valves.",
        ),
        ("Guest", "Which hurts."),
        ("Host", "Why?"),
        ("Guest", "Steel."),
    ]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(
            b"We met at the station.\n10:30 was far too early for him.\n"
            b"He had come from Tabriz.\n",
            [
                (
                    None,
                    "We met at the station. 10:30 was far too early for him."
                    " He had come from Tabriz.",
                )
            ],
            id="one-line-opens-with-a-time",
        ),
        pytest.param(
            b"The day went like this:\n\n09:00 registration\n09:30 keynote\n"
            b"10:30 coffee\n\nThen we talked, for hours, about nothing but the\n"
            b"price of steel and who would pay for the trucks.\nNobody knew.\n"
            b"Not even the manager, who had been there since 2011.\n",
            [
                (None, "The day went like this:"),
                (None, "09:00 registration 09:30 keynote 10:30 coffee"),
                (
                    None,
                    "Then we talked, for hours, about nothing but the price of"
                    " steel and who would pay for the trucks. Nobody knew. Not"
                    " even the manager, who had been there since 2011.",
                ),
            ],
            id="an-agenda-inside-text",
        ),
        pytest.param(
            b"00:00:06 comes first\n00:00:04 then earlier\n00:00:09 then later\n",
            [(None, "00:00:06 comes first 00:00:04 then earlier 00:00:09 then later")],
            id="times-go-back",
        ),
        pytest.param(
            b"[00:00:04] Interviewer: Hello.\n[00:00:06] Tom\xc3\xa1s: Hi.\n"
            b"[00:00:09] Interviewer: Shall we?\n",
            # Read as timed turns: Tomás speaks once, and is a speaker.
            [("Interviewer", "Hello."), ("Tomás", "Hi."), ("Interviewer", "Shall we?")],
            id="timed-labels",
        ),
    ],
)
def test_ordinary_text_is_not_read_as_captions(data, expected):
    assert spoken(plaintext.parse(data, "notes.txt")) == expected


def test_an_impossible_caption_time_names_its_line(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text("00:00:06 one\n00:00:08 two\n00:00:61 three\n", encoding="utf-8")

    with pytest.raises(InputError) as caught:
        read_transcript(path)

    assert str(caught.value) == f"{path}:3: malformed timestamp '00:00:61'"
