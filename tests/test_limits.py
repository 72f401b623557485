"""The safety limits one by one: YAML aliases and nesting, zips, XML DTDs, sizes, and damaged Word files."""

from __future__ import annotations

import io
import re
import struct
import time
import tracemalloc
import zipfile
from pathlib import Path

import docx
import pytest
import yaml

from coder.codebook import CodebookError, parse_codebook, read_codebook
from coder.coding_import import read_codings_file
from coder.errors import InputError, LimitError
from coder.importers import parse_transcript, read_transcript
from coder.limits import (
    MAX_TRANSCRIPT_BYTES,
    MAX_YAML_DEPTH,
    LimitedZip,
    ZipLimits,
    check_docx,
    check_xml,
    excerpt,
    format_size,
    load_yaml,
    read_limited,
)
from coder.model import DroppedLine

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def laughs(levels: int = 9, width: int = 10) -> str:
    lines = [f"lol0: &lol0 [{', '.join(['lol'] * width)}]"]
    for level in range(1, levels + 1):
        lines.append(
            f"lol{level}: &lol{level} [{', '.join([f'*lol{level - 1}'] * width)}]"
        )
    return "\n".join(lines) + "\n"


# Sizes and messages -------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "shown"),
    [(0, "0 bytes"), (999, "999 bytes"), (1000, "1 KB"), (1500, "1.5 KB"),
     (20_000_000, "20 MB"), (52_428_968, "52.4 MB"), (2 * 10**9, "2 GB")],
)  # fmt: skip
def test_format_size(size, shown):
    assert format_size(size) == shown


def test_excerpt_keeps_a_message_on_one_line():
    assert excerpt("0\x0b0:00\u2028x\n") == "0\\x0b0:00\\u2028x\\n"
    assert excerpt("a" * 100) == "a" * 77 + "..."
    assert excerpt("Zoë: ok") == "Zoë: ok"


def test_read_limited_refuses_by_the_size_on_disk_before_reading(tmp_path):
    path = tmp_path / "big.txt"
    with path.open("wb") as handle:
        handle.truncate(MAX_TRANSCRIPT_BYTES + 1)

    with pytest.raises(LimitError) as caught:
        read_limited(path, MAX_TRANSCRIPT_BYTES, "text transcripts")

    assert str(caught.value) == (
        f"{path}: 20 MB; coder reads text transcripts of up to 20 MB (see docs/limits.md)"
    )


def test_read_limited_reads_no_more_than_the_limit_when_the_size_is_unknown():
    # /proc files report size 0 and hold more.
    with pytest.raises(LimitError, match="more than that; coder reads"):
        read_limited("/proc/self/maps", 10, "tests")


def test_a_transcript_past_its_limit_is_refused_in_parse_and_read(tmp_path):
    data = b"Jane: hello\n" * (MAX_TRANSCRIPT_BYTES // 12 + 1)
    with pytest.raises(LimitError, match=r"^big\.txt: 20 MB; coder reads text"):
        parse_transcript(data, "big.txt")
    path = tmp_path / "big.vtt"
    path.write_bytes(b"WEBVTT\n\n" + data)
    with pytest.raises(LimitError, match=r"big\.vtt: 20 MB; coder reads text"):
        read_transcript(path)


# YAML -----------------------------------------------------------------------------


def test_aliases_that_repeat_a_little_are_read():
    root, data = load_yaml(laughs(levels=2, width=10), "f.yaml")
    assert data["lol1"] == [["lol"] * 10] * 10
    assert data["lol2"] == [[["lol"] * 10] * 10] * 10
    assert root is not None


def test_merge_keys_are_read():
    _, data = load_yaml("base: &b {k: 1}\nc: {<<: *b, j: 2}\n", "f.yaml")
    assert data["c"] == {"k": 1, "j": 2}


def test_billion_laughs_is_refused_at_its_first_alias_quickly():
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(LimitError) as caught:
        load_yaml(laughs(), "f.yaml")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    assert str(caught.value) == (
        "f.yaml:2: YAML aliases (*name) expand it by more than 100,000 nodes,"
        " more than coder reads"
    )
    assert time.perf_counter() - started < 1
    assert peak < 5 * 2**20


def test_aliases_nesting_past_the_depth_are_refused():
    chain = "a0: &a0 [x]\n" + "".join(
        f"a{n}: &a{n} [*a{n - 1}]\n" for n in range(1, MAX_YAML_DEPTH + 5)
    )
    with pytest.raises(LimitError, match=r"aliases .* nest it more than 100 levels"):
        load_yaml(chain, "f.yaml")


def test_recursive_aliases_are_refused():
    with pytest.raises(LimitError, match=r"^f\.yaml:1: a YAML alias .* recursive"):
        load_yaml("a: &x [1, *x]\n", "f.yaml")


def test_deep_nesting_is_refused_where_it_passes_the_limit():
    with pytest.raises(LimitError) as caught:
        load_yaml("x:\n  " + "[" * 50_000 + "]" * 50_000, "f.yaml")
    assert str(caught.value) == (
        "f.yaml:2: YAML nested more than 100 levels deep, more than coder reads"
    )


def test_front_matter_lines_count_from_the_file():
    with pytest.raises(LimitError, match=r"^a\.md:4: YAML aliases"):
        parse_transcript(
            ("---\ntitle: x\n" + laughs() + "---\nJane: hi\n").encode(), "a.md"
        )


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("d: 2024-02-30", "1:4: invalid YAML: cannot read this value as !!timestamp"
         " (day is out of range for month)"),
        ("d: !!timestamp nope", "1:4: invalid YAML: cannot read this value as !!timestamp"),
        ("n: " + "9" * 5000, "1:4: invalid YAML: cannot read this value as !!int"),
        ("name: \x07", "1:7: invalid YAML: unacceptable character #x0007:"
         " special characters are not allowed"),
    ],
)  # fmt: skip
def test_values_python_cannot_hold_are_yaml_errors_with_a_place(text, problem):
    with pytest.raises(CodebookError) as caught:
        parse_codebook(text, "c.yaml")
    assert str(caught.value).startswith(f"c.yaml:{problem}")
    assert "\n" not in str(caught.value)


def test_load_yaml_lets_syntax_errors_through_for_the_caller_to_word():
    with pytest.raises(yaml.YAMLError):
        load_yaml("a: [", "f.yaml")


def test_codebook_and_codings_files_are_size_limited(tmp_path):
    big = tmp_path / "big.yaml"
    with big.open("wb") as handle:
        handle.truncate(10_000_001)
    with pytest.raises(LimitError, match="coder reads codebooks of up to 10 MB"):
        read_codebook(big)
    with pytest.raises(LimitError, match="coder reads codings files of up to 10 MB"):
        read_codings_file(big)


def test_codebook_billion_laughs_names_file_and_line(tmp_path):
    path = tmp_path / "laughs.yaml"
    path.write_text("name: L\n" + laughs() + "codes: *lol9\n", "utf-8")
    with pytest.raises(LimitError, match=rf"^{re.escape(str(path))}:3: YAML aliases"):
        read_codebook(path)


# Zip ------------------------------------------------------------------------------


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_too_many_members_are_refused_from_the_end_record():
    data = zipped({f"m{n}": b"" for n in range(30)})
    with pytest.raises(LimitError, match="has 30 members; coder reads at most 20"):
        LimitedZip(data, "a.zip", ZipLimits(members=20))


def test_a_member_past_its_limit_is_refused_before_it_is_unpacked():
    data = zipped({"big": b"\0" * 5000})
    with (
        LimitedZip(data, "a.zip", ZipLimits(member_bytes=4000)) as archive,
        pytest.raises(LimitError, match="big unpacks to 5 KB; coder unpacks"),
    ):
        archive.read(archive.members[0])


def test_the_declared_total_is_refused_on_opening():
    data = zipped({"a": b"\0" * 3000, "b": b"\0" * 3000})
    with pytest.raises(LimitError, match="the archive unpacks to 6 KB"):
        LimitedZip(data, "a.zip", ZipLimits(total_bytes=5000))


def lie_about_size(data: bytes, size: int) -> bytes:
    """Rewrite the uncompressed size in the local and central headers."""
    data = bytearray(data)
    local = data.find(b"PK\x03\x04")
    struct.pack_into("<I", data, local + 22, size)
    central = data.find(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, size)
    return bytes(data)


def test_a_header_that_understates_the_size_does_not_let_more_through():
    data = lie_about_size(zipped({"bomb": b"\0" * 1_000_000}), 100)
    with LimitedZip(data, "a.zip", ZipLimits(member_bytes=1000)) as archive:
        try:
            unpacked = archive.read(archive.members[0])
        except InputError:
            return  # the CRC caught it
    assert len(unpacked) <= 1000


def test_a_broken_zip_is_one_line():
    with pytest.raises(InputError) as caught:
        LimitedZip(b"PK\x03\x04 not really", "a.zip", ZipLimits(), "broken: {}")
    assert str(caught.value) == "a.zip: broken: File is not a zip file"


# XML --------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-16-le", "utf-16-be"])
def test_a_dtd_is_refused_in_every_encoding_word_writes(encoding):
    xml = '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e "y">]>\n<x>&e;</x>'
    with pytest.raises(LimitError) as caught:
        check_xml(xml.encode(encoding), "a.docx", "word/document.xml")
    assert str(caught.value) == (
        "a.docx: word/document.xml line 2 declares a DTD (<!DOCTYPE); coder does not"
        " read DTDs or expand entities"
    )


def test_encodings_that_could_hide_a_dtd_are_refused():
    with pytest.raises(LimitError, match="is XML in UCS-4 or EBCDIC"):
        check_xml('<?xml version="1.0"?><x/>'.encode("utf-32-be"), "a.docx", "p.xml")
    with pytest.raises(LimitError, match="declares encoding 'UTF-7'"):
        check_xml(
            b'<?xml version="1.0" encoding="UTF-7"?>+ADw-x/+AD4-', "a.docx", "p.xml"
        )


def test_ordinary_xml_passes():
    check_xml(b'<?xml version="1.0" encoding="UTF-8"?><w:document/>', "a.docx", "p.xml")


# Word documents ---------------------------------------------------------------------


def members(document: docx.Document) -> dict[str, bytes]:
    buffer = io.BytesIO()
    document.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def labelled() -> docx.Document:
    document = docx.Document()
    document.add_heading("Interview 7", level=1)
    for label, text in [("Jane:", " Hello."), ("Max:", " Hi there.")]:
        paragraph = document.add_paragraph()
        paragraph.add_run(label).bold = True
        paragraph.add_run(text)
    return document


def test_a_docx_without_styles_imports_and_knows_its_headings():
    parts = members(labelled())
    del parts["word/styles.xml"], parts["word/stylesWithEffects.xml"]
    rels = parts["word/_rels/document.xml.rels"].decode()
    parts["word/_rels/document.xml.rels"] = re.sub(
        r'<Relationship Id="rId[34]"[^>]*/>', "", rels
    ).encode()

    transcript = parse_transcript(zipped(parts), "a.docx")

    assert transcript.text == "Hello.\n\nHi there."
    assert [turn.speaker for turn in transcript.turns] == ["Jane", "Max"]
    assert transcript.dropped == [DroppedLine(1, "Interview 7", "heading, not speech")]


def test_a_docx_whose_styles_part_lost_its_content_type_imports():
    parts = members(labelled())
    types = parts["[Content_Types].xml"].decode()
    parts["[Content_Types].xml"] = re.sub(
        r'<Override PartName="/word/styles.xml"[^>]*/>', "", types
    ).encode()

    transcript = parse_transcript(zipped(parts), "a.docx")

    assert transcript.text == "Hello.\n\nHi there."
    assert transcript.dropped == [DroppedLine(1, "Interview 7", "heading, not speech")]


def test_a_table_whose_first_row_continues_a_vertical_merge_imports():
    document = docx.Document()
    table = document.add_table(rows=4, cols=2)
    rows = [("Jane", "We began in 2019."), ("Jane", "With my cousin."),
            ("Max", "And today?"), ("Max", "Fourteen members.")]  # fmt: skip
    for row, (speaker, text) in zip(table.rows, rows, strict=True):
        row.cells[0].text = speaker
        row.cells[1].text = text
    parts = members(document)
    xml = parts["word/document.xml"].decode()
    # The first cell continues a merge from no row above (as some converters write).
    xml = xml.replace("<w:tc><w:tcPr>", "<w:tc><w:tcPr><w:vMerge/>", 1)
    parts["word/document.xml"] = xml.encode()

    transcript = parse_transcript(zipped(parts), "a.docx")

    # Its speaker cell is empty: the row's text is a turn without a speaker.
    assert [
        (turn.speaker, transcript.text[turn.start : turn.end])
        for turn in transcript.turns
    ] == [
        (None, "We began in 2019."),
        ("Jane", "With my cousin."),
        ("Max", "And today?\nFourteen members."),
    ]


def test_a_vertically_merged_speaker_column_repeats_the_speaker():
    document = docx.Document()
    table = document.add_table(rows=4, cols=2)
    texts = ["Hello.", "We began in 2019.", "And today?", "Fourteen."]
    for row, text in zip(table.rows, texts, strict=True):
        row.cells[1].text = text
    table.cell(0, 0).text = "Speaker"
    table.cell(0, 1).text = "Text"
    table.cell(1, 0).text = "Jane"
    table.cell(1, 0).merge(table.cell(2, 0))
    table.cell(3, 0).text = "Max"

    transcript = parse_transcript(zipped(members(document)), "a.docx")

    assert [
        (turn.speaker, transcript.text[turn.start : turn.end])
        for turn in transcript.turns
    ] == [
        ("Jane", "We began in 2019.\nAnd today?"),
        ("Max", "Fourteen."),
    ]


def test_a_docx_with_a_dtd_is_refused():
    parts = members(labelled())
    xml = parts["word/document.xml"].decode()
    head, rest = xml.split("?>", 1)
    parts["word/document.xml"] = (
        head + '?>\n<!DOCTYPE w:document [<!ENTITY e "x">]>' + rest
    ).encode()
    with pytest.raises(LimitError, match=r"word/document\.xml line 2 declares a DTD"):
        parse_transcript(zipped(parts), "a.docx")


def test_a_docx_part_past_the_xml_limit_is_refused_while_unpacking():
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("word/document.xml", "w", force_zip64=True) as member,
    ):
        for _ in range(30):
            member.write(b"<w:p/>" * 200_000)
    tracemalloc.start()
    with pytest.raises(
        LimitError, match=r"word/document\.xml unpacks to more than 25 MB"
    ):
        check_docx(buffer.getvalue(), "a.docx")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 60 * 2**20


def test_a_long_document_reads_styles_once(tmp_path: Path):
    # python-docx looks a paragraph's style up by scanning every style: this
    # took 20 s for 6,700 paragraphs before styles were read from the XML.
    document = docx.Document()
    for number in range(3000):
        paragraph = document.add_paragraph()
        paragraph.add_run("Jane:" if number % 2 else "Max:").bold = True
        paragraph.add_run(" words and more words")
    started = time.perf_counter()
    transcript = parse_transcript(zipped(members(document)), "long.docx")
    assert len(transcript.turns) == 3000
    assert time.perf_counter() - started < 10


def test_a_table_with_rows_of_different_widths_imports():
    document = docx.Document()
    table = document.add_table(rows=3, cols=2)
    for row, (speaker, text) in zip(
        table.rows,
        [("Speaker", "Text"), ("Jane", "Hello."), ("Max", "Hi.")],
        strict=True,
    ):
        row.cells[0].text = speaker
        row.cells[1].text = text
    parts = members(document)
    xml = parts["word/document.xml"].decode()
    # The header row loses its second cell, as a row that "ends early" does.
    xml = re.sub(r"(<w:tr>.*?</w:tc>)<w:tc>.*?</w:tc>(</w:tr>)", r"\1\2", xml, count=1)
    parts["word/document.xml"] = xml.encode()

    transcript = parse_transcript(zipped(parts), "a.docx")

    assert [
        (turn.speaker, transcript.text[turn.start : turn.end])
        for turn in transcript.turns
    ] == [
        ("Jane", "Hello."),
        ("Max", "Hi."),
    ]
