"""Hypothesis strategies for hostile and broken input, and the checks every reader must pass.

Inputs are built from structure, not only noise: the real samples in
``tests/data`` mutated line by line and byte by byte, fragments that mean
something to a reader (timestamps, labels, YAML anchors and tags, XML
entities and table merges), re-encodings, truncated and rebuilt zips.

Settings: ``FUZZ_PROFILE=ci`` (the default, a few dozen examples a test,
for CI) or ``FUZZ_PROFILE=deep`` (thousands, for a local run), e.g.
``FUZZ_PROFILE=deep python -m pytest tests/fuzz -q``.
"""

from __future__ import annotations

import io
import os
import warnings
import zipfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from coder.errors import CoderError

DATA = Path(__file__).parents[1] / "data"
SAMPLES = DATA / "importers"

PROFILE = os.environ.get("FUZZ_PROFILE", "ci")
_EXAMPLES = {"ci": 40, "deep": 2500}
_CLI_EXAMPLES = {"ci": 12, "deep": 400}
if PROFILE not in _EXAMPLES:
    raise RuntimeError(f"FUZZ_PROFILE={PROFILE}: expected one of {sorted(_EXAMPLES)}")

# Every example is bounded in time; generous, since CI machines are shared.
DEADLINE = timedelta(seconds=5)
_QUIET = [
    HealthCheck.too_slow,
    HealthCheck.data_too_large,
    HealthCheck.filter_too_much,
    HealthCheck.function_scoped_fixture,
]


def fuzz(examples: int | None = None) -> settings:
    """Settings for one fuzz test under the chosen profile."""
    return settings(
        max_examples=examples or _EXAMPLES[PROFILE],
        deadline=DEADLINE,
        suppress_health_check=_QUIET,
    )


def fuzz_cli() -> settings:
    """Fewer examples for tests that run the command line and copy a project."""
    return fuzz(_CLI_EXAMPLES[PROFILE])


# The only outcomes allowed ------------------------------------------------------


def outcome(call: Callable[[], object], path: str | Path) -> CoderError | None:
    """Run a reader: it succeeds, or fails with CoderError lines that each name the file.

    A codebook or codings file reports every problem, one line each; every
    other reader reports one line. Any other exception fails the test.

    Returns:
        The error, or None on success.
    """
    try:
        call()
    except CoderError as exc:
        message = str(exc)
        assert message, "an empty message"
        for line in message.splitlines():
            assert line.startswith(str(path)), f"does not name the file: {line!r}"
        return exc
    return None


def one_line(exc: CoderError | None) -> None:
    if exc is not None:
        assert "\n" not in str(exc), str(exc)


# Text ---------------------------------------------------------------------------

# Pieces that mean something to one reader or another.
TEXT_FRAGMENTS = [
    "\n",
    "\r\n",
    "\r",
    "\n\n",
    "\x00",
    "\ufeff",
    "\u2028",
    "\x85",
    "\x0c",
    ":",
    ": ",
    "  ",
    "\t",
    "-->",
    " --> ",
    "00:00:01.000 --> 00:00:02.000",
    "00:00:02,500 --> 00:00:01,000",
    "99:99:99.999",
    "00:61:00.000",
    "1:02",
    "0:03",
    "12:34:56",
    "WEBVTT",
    "WEBVTT - header",
    "NOTE",
    "STYLE",
    "<v Jane Doe>",
    "</v>",
    "<v>",
    "<b>",
    "&amp;",
    "&lt;",
    "**",
    "**Jane:**",
    "**Emma** 0:00",
    "__x__",
    "*",
    "[00:01:23]",
    "[00:01:23] Jane: ",
    "Jane (00:01:23): ",
    "Jane  0:03  ",
    "Unknown Speaker  1:00:00",
    "Transcribed by https://otter.ai",
    "---",
    "---\n",
    "...",
    "# Heading",
    "Q:",
    "A:",
    "I:",
    "R:",
    "Interviewer:",
    "Respondent:",
    "[id1]",
    "user avatar",
    "1\n",
    "12345678901234567890",
    "é",
    "ß",
    "\u0301",
    "\U0001f600",
    "\ud7ff",
    "\\",
    '"',
    "'",
    "&a ",
    "*a",
    "[",
    "{",
    "}",
    "]",
    "<<: ",
    "!!binary ",
]

ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1252"]


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def samples(*suffixes: str) -> list[bytes]:
    return [
        path.read_bytes()
        for path in sorted(SAMPLES.iterdir())
        if path.suffix.lower() in suffixes
    ]


@st.composite
def text_edits(draw, text: str) -> str:
    """Line-level and character-level edits of a text, a few at a time."""
    for _ in range(draw(st.integers(0, 5))):
        lines = text.split("\n")
        edit = draw(
            st.sampled_from(
                [
                    "insert",
                    "delete",
                    "replace",
                    "drop line",
                    "repeat line",
                    "swap lines",
                    "truncate",
                    "indent",
                ]
            )
        )
        at = draw(st.integers(0, len(text)))
        piece = draw(st.one_of(st.sampled_from(TEXT_FRAGMENTS), st.text(max_size=12)))
        if edit == "insert":
            text = text[:at] + piece + text[at:]
        elif edit == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 40)) :]
        elif edit == "replace":
            text = text[:at] + piece + text[at + len(piece) :]
        elif edit == "truncate":
            text = text[:at]
        elif lines:
            index = draw(st.integers(0, len(lines) - 1))
            if edit == "drop line":
                del lines[index]
            elif edit == "repeat line":
                lines[index:index] = [lines[index]] * draw(st.integers(1, 30))
            elif edit == "swap lines":
                other = draw(st.integers(0, len(lines) - 1))
                lines[index], lines[other] = lines[other], lines[index]
            else:
                lines[index] = " " * draw(st.integers(1, 9)) + lines[index]
            text = "\n".join(lines)
    return text


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "utf-16"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("cp1252", errors="replace")


@st.composite
def byte_edits(draw, data: bytes) -> bytes:
    """Byte-level damage: flips, cuts, junk, a stray BOM or a lone surrogate half."""
    data = bytearray(data)
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(data)))
        edit = draw(st.sampled_from(["flip", "cut", "junk", "bom", "truncate"]))
        if edit == "flip" and at < len(data):
            data[at] ^= draw(st.integers(1, 255))
        elif edit == "cut":
            del data[at : at + draw(st.integers(1, 16))]
        elif edit == "junk":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif edit == "bom":
            data[at:at] = draw(
                st.sampled_from(
                    [b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xed\xa0\x80"]
                )
            )
        else:
            del data[at:]
    return bytes(data)


@st.composite
def mutated_text_file(draw, bases: list[bytes]) -> bytes:
    """A sample, edited as text, written in some encoding, then damaged as bytes."""
    text = draw(text_edits(_decode(draw(st.sampled_from(bases)))))
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    encoding = draw(st.sampled_from(ENCODINGS))
    data = text.encode(
        encoding, errors="replace" if encoding == "cp1252" else "surrogatepass"
    )
    return draw(byte_edits(data)) if draw(st.booleans()) else data


def any_text_file(bases: list[bytes]) -> st.SearchStrategy[bytes]:
    """Mutated samples mostly; sometimes random bytes or random text."""
    return st.one_of(
        mutated_text_file(bases),
        mutated_text_file(bases),
        mutated_text_file(bases),
        st.binary(max_size=400),
        st.text(max_size=400).map(lambda text: text.encode("utf-8", "surrogatepass")),
        st.lists(st.sampled_from(TEXT_FRAGMENTS), max_size=40).map(
            lambda parts: "".join(parts).encode("utf-8", "surrogatepass")
        ),
    )


# YAML ----------------------------------------------------------------------------

YAML_SCALARS = [
    "~",
    "null",
    "yes",
    "true",
    "2024-05-06",
    "2024-02-30",
    "2024-13-01",
    "2024-05-06T25:00:00",
    "2001-12-14t21:59:43.10-99:00",
    "1e999",
    "-.inf",
    ".nan",
    "0x1F",
    "0o17",
    "0b101",
    "1:20:30",
    "190:20:30.15",
    "9" * 5000,
    "!!binary AAAA",
    "!!binary ###",
    "!!python/object/apply:os.system ['true']",
    "!!str 1",
    "!!int x",
    "!!float x",
    "!!timestamp nope",
    "!!set {a, b}",
    "!!omap [a: 1]",
    "!!pairs [a: 1]",
    "!foo bar",
    "'quoted ''inner'''",
    '"escape \\x00 \\u0000 \\U0001F600 \\q"',
    "|\n  block\n  text",
    ">-\n  folded",
    "*undefined",
    "&anchor value",
    "[a, *a]",
    "{a: 1, a: 2}",
    "{? [1, 2] : x}",
    "{? {k: v} : x}",
    "? complex\n: key",
    "<<: *a",
    "[" * 120 + "]" * 120,
    "{a: " * 60 + "1" + "}" * 60,
    "",
    "%YAML 1.1",
    "--- a\n--- b",
    "\t",
]

YAML_FRAGMENTS = [
    "&a ",
    "*a",
    "&b ",
    "*b",
    "<<: *a\n",
    "- ",
    ": ",
    "? ",
    "[",
    "]",
    "{",
    "}",
    ",",
    "\n  ",
    "\n- ",
    "#",
    "---\n",
    "...\n",
    "%TAG ! tag:x,2000:\n",
    "!!map ",
    "!!seq ",
    "!!str ",
    "\t",
    '"',
    "'",
    "|",
    ">",
    "\x00",
    "\ufeff",
    *YAML_SCALARS[:30],
]


@st.composite
def laughs(draw) -> str:
    """An alias chain: small ones expand within the limit, large ones past it."""
    width = draw(st.integers(1, 10))
    depth = draw(st.integers(1, 9))
    lines = ["l0: &l0 [" + ", ".join(["lol"] * width) + "]"]
    for level in range(1, depth + 1):
        aliases = ", ".join([f"*l{level - 1}"] * width)
        lines.append(f"l{level}: &l{level} [{aliases}]")
    return "\n".join(lines) + "\n"


@st.composite
def yaml_edits(draw, text: str) -> str:
    """Edits that keep much of the YAML's shape: values replaced, anchors and aliases added."""
    lines = text.split("\n")
    for _ in range(draw(st.integers(0, 4))):
        index = draw(st.integers(0, max(len(lines) - 1, 0)))
        line = lines[index] if lines else ""
        edit = draw(st.sampled_from(["value", "anchor", "alias", "fragment", "merge"]))
        if edit == "value" and ": " in line:
            key = line.split(": ", 1)[0]
            lines[index] = f"{key}: {draw(st.sampled_from(YAML_SCALARS))}"
        elif edit == "anchor" and ": " in line:
            key, value = line.split(": ", 1)
            lines[index] = f"{key}: &{draw(st.sampled_from('ab'))} {value}"
        elif edit == "alias" and ": " in line:
            key = line.split(": ", 1)[0]
            lines[index] = f"{key}: *{draw(st.sampled_from('ab'))}"
        elif edit == "merge":
            indent = len(line) - len(line.lstrip(" -"))
            lines.insert(index, " " * indent + "<<: *a")
        else:
            at = draw(st.integers(0, len(line)))
            lines[index] = line[:at] + draw(st.sampled_from(YAML_FRAGMENTS)) + line[at:]
    return "\n".join(lines)


def yaml_documents(base: str) -> st.SearchStrategy[str]:
    """YAML for a reader whose real files look like ``base``."""
    return st.one_of(
        yaml_edits(base),
        yaml_edits(base).flatmap(text_edits),
        laughs().map(lambda bomb: bomb + base),
        laughs(),
        st.lists(st.sampled_from(YAML_FRAGMENTS), max_size=30).map("".join),
        st.sampled_from(YAML_SCALARS),
        st.text(max_size=200),
    )


# XML ----------------------------------------------------------------------------

XML_FRAGMENTS = [
    "<",
    ">",
    "</x>",
    "<x/>",
    "&amp;",
    "&undefined;",
    "&#0;",
    "&#x110000;",
    "&#65;",
    "<![CDATA[x]]>",
    "]]>",
    "<!-- c -->",
    "<?pi x?>",
    '<?xml version="1.0"?>',
    "<!DOCTYPE x>",
    '<!DOCTYPE x [<!ENTITY e "y">]>',
    '<!ENTITY e "y">',
    '<!DOCTYPE x SYSTEM "file:///etc/passwd">',
    'xmlns="urn:other"',
    "\x00",
    "\x01",
    "\ufffe",
    '"',
    "'",
    "=",
    ' a="1"',
]


@st.composite
def xml_edits(draw, xml: str, extra: list[str] = ()) -> str:
    """Fragments inserted mostly at tag boundaries, so much of the tree survives."""
    fragments = [*XML_FRAGMENTS, *extra]
    for _ in range(draw(st.integers(1, 5))):
        boundaries = [i + 1 for i, char in enumerate(xml) if char == ">"] or [0]
        edit = draw(
            st.sampled_from(["at tag", "at tag", "anywhere", "cut", "truncate"])
        )
        if edit == "at tag":
            at = draw(st.sampled_from(boundaries))
            xml = xml[:at] + draw(st.sampled_from(fragments)) + xml[at:]
        elif edit == "anywhere":
            at = draw(st.integers(0, len(xml)))
            xml = xml[:at] + draw(st.sampled_from(fragments)) + xml[at:]
        elif edit == "cut":
            at = draw(st.integers(0, len(xml)))
            xml = xml[:at] + xml[at + draw(st.integers(1, 60)) :]
        else:
            xml = xml[: draw(st.integers(0, len(xml)))]
    return xml


# Zip ----------------------------------------------------------------------------


def zip_members(data: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(info.filename, archive.read(info)) for info in archive.infolist()]


def build_zip(
    members: list[tuple[str, bytes]], compression=zipfile.ZIP_DEFLATED
) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # a name twice, on purpose
        with zipfile.ZipFile(buffer, "w", compression) as archive:
            for name, data in members:
                archive.writestr(zipfile.ZipInfo(name), data, compress_type=compression)
    return buffer.getvalue()


@st.composite
def zip_edits(
    draw, members: list[tuple[str, bytes]], part_edit: Callable | None = None
) -> bytes:
    """A package rebuilt with members edited, dropped, repeated or added, or damaged as bytes."""
    members = list(members)
    for _ in range(draw(st.integers(0, 3))):
        index = draw(st.integers(0, len(members) - 1))
        name, data = members[index]
        edit = draw(
            st.sampled_from(
                ["part", "part", "drop", "twice", "junk", "rename", "empty"]
            )
        )
        if edit == "part" and part_edit is not None:
            members[index] = (name, draw(part_edit(name, data)))
        elif edit == "drop":
            del members[index]
        elif edit == "twice":
            members.append((name, data))
        elif edit == "junk":
            members.append(
                (
                    draw(st.sampled_from(["x.xml", "word/x.bin", "a/../b"])),
                    draw(st.binary(max_size=64)),
                )
            )
        elif edit == "rename":
            members[index] = (name.upper(), data)
        elif edit == "empty":
            members[index] = (name, b"")
        if not members:
            break
    compression = draw(st.sampled_from([zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED]))
    packed = build_zip(members, compression)
    if draw(st.integers(0, 4)) == 0:
        packed = draw(byte_edits(packed))
    return packed
