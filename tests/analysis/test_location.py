"""How a passage is located for a reader: turn and time, else offsets."""

from __future__ import annotations

import pytest

from coder.analysis.framework import Quote
from coder.analysis.passes import clock, location


@pytest.mark.parametrize(
    ("turn", "time", "expected"),
    [
        (12, 843.9, "turn 12, 00:14:03"),
        (12, None, "turn 12"),
        (None, 3723.0, "01:02:03"),
        (None, None, "chars 40-52"),  # neither: the offsets are all there is
    ],
)
def test_location(turn, time, expected):
    assert location(turn, time, 40, 52) == expected


def test_clock_is_whole_seconds():
    assert (clock(None), clock(0.0), clock(59.999), clock(36000.5)) == (
        "",
        "00:00:00",
        "00:00:59",
        "10:00:00",
    )


def test_a_quote_keeps_its_offsets_beside_turn_and_time():
    quote = Quote("a03", None, 40, 52, "the bank", "Ana", 843.9, ["ana"], ["t"], 12)
    assert quote.source == "a03, turn 12, 00:14:03"
    data = quote.to_dict()
    assert (data["start"], data["end"], data["turn"], data["time"], data["clock"]) == (
        40,
        52,
        12,
        843.9,
        "00:14:03",
    )
