"""Decoding transcript bytes: UTF-8, UTF-16 with a BOM, the cp1252 fallback, and garbage."""

from __future__ import annotations

import pytest

from coder.errors import InputError
from coder.importers import read_transcript
from coder.importers._text import decode
from coder.model import Transcript, Turn

from .helpers import DATA

WORD = Transcript(
    text=(
        "Did the cluster help with the tender?"
        "\n\n"
        "Yes — the bank guarantee, mostly."
        "\n\n"
        "Who signed it?"
        "\n\n"
        "Bank Melli, after the ministry’s letter."
    ),
    turns=[
        Turn(0, 37, "Interviewer"),
        Turn(39, 72, "Neda Jafari"),
        Turn(74, 88, "Interviewer"),
        Turn(90, 130, "Neda Jafari"),
    ],
    format="text",
)


@pytest.mark.parametrize(
    ("name", "bom"),
    [("word-utf16-le.txt", b"\xff\xfe"), ("word-utf16-be.txt", b"\xfe\xff")],
)
def test_utf16_with_bom_from_word_save_as_text(name, bom):
    assert (DATA / name).read_bytes().startswith(bom)

    transcript, _ = read_transcript(DATA / name)

    assert transcript == WORD


def test_utf8_with_and_without_bom():
    plain = "Interviewer: Grüß Gott.\r\n"

    assert decode(plain.encode(), "a.txt") == (
        "Interviewer: Grüß Gott.\n",
        "utf-8",
        [],
    )
    assert decode(b"\xef\xbb\xbf" + plain.encode(), "a.txt") == (
        "Interviewer: Grüß Gott.\n",
        "utf-8-sig",
        [],
    )


def test_cp1252_fallback_with_a_note():
    transcript, _ = read_transcript(DATA / "cp1252.txt")

    assert transcript == Transcript(
        text=(
            "Was the fair worth it?"
            "\n\n"
            "Yes – we met our café buyer, “the Dane”. It cost €4,000."
        ),
        turns=[Turn(0, 22, "Interviewer"), Turn(24, 80, "Respondent")],
        format="text",
        notes=["not valid UTF-8; decoded as cp1252 (Windows-1252)"],
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(
            # U+010A ("Ċ") is 0A 01 in UTF-16 LE: its 0x0A byte is no line end.
            b"\xff\xfe" + "Ċ\nĊ\nĊ".encode("utf-16-le") + b"\x00\xd8A\x00",
            "bad.txt:3: cannot decode as UTF-16: illegal UTF-16 surrogate",
            id="lone-surrogate-le",
        ),
        pytest.param(
            b"\xfe\xff" + "Hi\nthere\n".encode("utf-16-be") + b"\xdc\x00\x00A",
            "bad.txt:3: cannot decode as UTF-16: illegal encoding",
            id="lone-surrogate-be",
        ),
        pytest.param(
            b"\xff\xfe" + "Hi\nthere".encode("utf-16-le") + b"A",
            "bad.txt:2: cannot decode as UTF-16: truncated data",
            id="odd-byte-count",
        ),
        pytest.param(
            b"\xef\xbb\xbfInterviewer: Hi.\n\x81\x8d\n",
            "bad.txt:2: cannot decode as UTF-8: invalid start byte",
            id="utf8-bom-then-bytes",
        ),
    ],
)
def test_undecodable_text_names_its_line(tmp_path, data, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(data)

    with pytest.raises(InputError) as caught:
        read_transcript(path)

    assert str(caught.value) == f"{tmp_path}/{message}"


@pytest.mark.parametrize("suffix", [".txt", ".vtt", ".srt", ".md"])
def test_binary_garbage_with_a_transcript_extension(tmp_path, suffix):
    # Every byte value: not UTF-8 from 0x80, not cp1252 at 0x81; line 2
    # because 0x0A comes first.
    path = tmp_path / f"garbage{suffix}"
    path.write_bytes(bytes(range(256)) * 4)

    with pytest.raises(InputError) as caught:
        read_transcript(path)

    assert str(caught.value) == (
        f"{path}:2: not text: bytes are neither UTF-8, UTF-16 nor cp1252"
    )


def test_binary_that_decodes_as_cp1252_is_still_binary(tmp_path):
    path = tmp_path / "scan.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x02\x00" * 20)

    with pytest.raises(InputError) as caught:
        read_transcript(path)

    assert str(caught.value) == f"{path}: not a text transcript (binary data)"


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b" \r\n\t\n", id="whitespace"),
        pytest.param(b"\xef\xbb\xbf", id="utf8-bom-only"),
        pytest.param(b"\xff\xfe", id="utf16-bom-only"),
        pytest.param(b"\xff\xfe" + " \n ".encode("utf-16-le"), id="utf16-whitespace"),
    ],
)
def test_empty_files(tmp_path, data):
    path = tmp_path / "empty.txt"
    path.write_bytes(data)

    with pytest.raises(InputError) as caught:
        read_transcript(path)

    assert str(caught.value) == f"{path}: file is empty"
