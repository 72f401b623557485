"""Otter.ai text exports: header lines, the footer, long recordings."""

from __future__ import annotations

import pytest

from coder.errors import InputError
from coder.importers import otter, read_transcript
from coder.model import DroppedLine, Transcript, Turn

from .helpers import DATA, assert_well_formed, spoken

OTTER = Transcript(
    text=(
        "Mr. Sadeghi, thanks for inviting me to the plant."
        "\n\n"
        "Welcome, welcome. Sit, please, the tea is coming."
        "\n\n"
        "Sorry — the car is here."
        "\n\n"
        "When shall we finish?"
        "\n\n"
        "See you at 5:30"
        "\n\n"
        "Almost an hour. One last thing: the fees?"
        "\n\n"
        "I will pay. Bahrami will pay. The small ones, I don't know."
    ),
    turns=[
        Turn(0, 49, "Maryam Kazemi", 1.0, 7.0),
        Turn(51, 100, "Arman Sadeghi", 7.0, 15.0),
        Turn(102, 126, "Unknown Speaker", 15.0, 18.0),
        Turn(128, 149, "Maryam Kazemi", 18.0, 21.0),
        # A one-line turn that looks like a header ("See you at 5:30") is text.
        Turn(151, 166, "Arman Sadeghi", 21.0, 3598.0),
        Turn(168, 209, "Maryam Kazemi", 3598.0, 3604.0),
        # 1:00:04 is h:mm:ss, past the hour.
        Turn(211, 270, "Arman Sadeghi", 3604.0, None),
    ],
    format="otter",
    dropped=[
        DroppedLine(22, "Transcribed by https://otter.ai", "Otter footer, not speech")
    ],
)


def test_otter_text_export():
    data = (DATA / "otter.txt").read_bytes()
    # Two spaces before the time and two trailing spaces, as Otter writes them.
    assert b"Maryam Kazemi  0:01  \n" in data

    transcript, _ = read_transcript(DATA / "otter.txt")

    assert transcript == OTTER
    assert_well_formed(transcript)
    assert transcript.speakers == ["Maryam Kazemi", "Arman Sadeghi", "Unknown Speaker"]
    assert "otter.ai" not in transcript.text


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda data: data.replace(b"\n", b"\r\n"), id="crlf"),
        pytest.param(lambda data: b"\xef\xbb\xbf" + data, id="bom"),
        pytest.param(lambda data: data.rstrip(b"\n"), id="no-final-newline"),
    ],
)
def test_line_ends_and_bom_change_nothing(change):
    data = change((DATA / "otter.txt").read_bytes())

    assert otter.parse(data, "otter.txt") == OTTER


def test_numbered_speakers_and_text_before_the_first_header():
    data = (
        b"Fictional interview; names are invented.\n"
        b"\n"
        b"Speaker 1  0:03  \n"
        b"So, shall we start?\n"
        b"\n"
        b"Speaker 2  0:06  \n"
        b"Yes. First the tea.\n"
        b"More tea, actually.\n"
    )

    transcript = otter.parse(data, "speakers.txt")

    assert spoken(transcript) == [
        (None, "Fictional interview; names are invented."),
        ("Speaker 1", "So, shall we start?"),
        ("Speaker 2", "Yes. First the tea. More tea, actually."),
    ]
    assert [(t.start_time, t.end_time) for t in transcript.turns] == [
        (None, None),
        (3.0, 6.0),
        (6.0, None),
    ]


def test_impossible_header_time_names_its_line():
    data = b"Maryam Kazemi  0:01\nHello.\n\nArman Sadeghi  0:75\nHi.\n"

    with pytest.raises(InputError) as caught:
        otter.parse(data, "otter.txt")

    assert str(caught.value) == "otter.txt:4: malformed timestamp '0:75'"
