"""Position conventions: exports and imports agree for any text; the evidence picks the right one."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from coder.refi.positions import (
    CODEPOINTS_CRLF,
    CONVENTIONS,
    STANDARD,
    UTF16,
    UTF16_CRLF,
    Evidence,
    SourceText,
    choose_convention,
    origin_hint,
)

# Letters, spaces, line ends, accents and characters beyond U+FFFF.
TEXTS = st.text(
    alphabet=st.sampled_from(
        ["a", "b", " ", "\n", "\u00e9", "\U0001f600", "\U00010348"]
    ),
    max_size=60,
)


@given(TEXTS)
def test_every_offset_survives_a_trip_through_every_convention(text):
    source = SourceText(text)
    for convention in CONVENTIONS:
        for offset in range(len(text) + 1):
            position = source.to_position(offset, convention)
            # The file a tool of this convention holds, read back.
            written = SourceText(
                text.replace("\n", "\r\n") if convention.crlf else text
            )
            assert written.to_offset(position, convention) == offset


@given(TEXTS)
def test_positions_count_what_each_tool_counts(text):
    source = SourceText(text)
    for offset in range(len(text) + 1):
        before = text[:offset]
        assert source.to_position(offset, STANDARD) == offset
        assert source.to_position(offset, CODEPOINTS_CRLF) == len(
            before.replace("\n", "\r\n")
        )
        assert (
            source.to_position(offset, UTF16)
            == len(text[:offset].encode("utf-16-le")) // 2
        )
        assert (
            source.to_position(offset, UTF16_CRLF)
            == len(text[:offset].replace("\n", "\r\n").encode("utf-16-le")) // 2
        )


def test_a_position_inside_a_surrogate_pair_or_past_the_end_is_none():
    source = SourceText("a\U0001f600b")
    assert source.to_offset(2, UTF16) is None  # between the two halves
    assert source.to_offset(3, UTF16) == 2
    assert source.to_offset(4, STANDARD) is None
    assert source.to_offset(-1, STANDARD) is None


def test_a_position_between_cr_and_lf_lands_on_the_line_end():
    source = SourceText("ab\r\ncd")
    assert source.text == "ab\ncd"
    assert source.to_offset(2, CODEPOINTS_CRLF) == 2
    assert source.to_offset(3, CODEPOINTS_CRLF) == 2
    assert source.to_offset(4, CODEPOINTS_CRLF) == 3


def test_text_evidence_outweighs_boundaries():
    raw = "One \U0001f600 two three\r\nfour five six\r\n"
    source = SourceText(raw)
    # "five" as NVivo for Windows counts it.
    start = len(raw[: raw.index("five")].encode("utf-16-le")) // 2
    verdict = choose_convention([(source, [Evidence(start, start + 4, text="five")])])
    assert verdict.convention == UTF16_CRLF
    assert verdict.describe().endswith(
        "1 of 1 selections confirmed by the text they carry"
    )


def test_without_text_the_boundaries_decide():
    raw = "Alpha \U0001f600 beta gamma\r\ndelta epsilon\r\n"
    source = SourceText(raw)
    lf = raw.replace("\r\n", "\n")
    evidence = []
    for word in ("beta", "gamma", "delta", "epsilon"):
        start = lf.index(word)
        evidence.append(Evidence(start, start + len(word)))
    verdict = choose_convention([(source, evidence)])
    assert verdict.convention == STANDARD
    assert verdict.basis == "boundaries"
    assert "8 of 8 selection edges on word or line boundaries" in verdict.describe()


def test_the_origin_only_breaks_ties():
    assert origin_hint("NVivo 14 (Windows)") == UTF16_CRLF
    assert origin_hint("NVivo for Mac 15.0.0") is None
    assert origin_hint("MAXQDA 24") is None
