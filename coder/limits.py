"""Safety limits on what coder reads, and the readers that keep to them.

Every file coder reads comes from somewhere else: a transcription service, a
colleague, another tool. These helpers refuse input that would take unbounded
time or memory (a YAML "billion laughs", a zip bomb, an XML entity bomb, a
file far larger than any interview) with one :class:`~coder.errors.LimitError`
line that names the file and the limit, before the expensive work starts.
docs/limits.md lists the limits and why each has its value.
"""

from __future__ import annotations

import functools
import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coder.errors import InputError, LimitError

MB = 1_000_000

# Transcripts -----------------------------------------------------------------

# One text transcript (.txt, .md, .vtt, .srt). A 20 MB text is about 3.4
# million words, some 300 hours of speech; a long interview is 0.1-0.3 MB.
# Importing costs about 35 bytes of memory per byte of text (1.7 GB peak for
# 50 MB), so this also keeps an import within about 700 MB.
MAX_TRANSCRIPT_BYTES = 20 * MB

# A .docx file as stored (zipped, pictures included).
MAX_DOCX_BYTES = 100 * MB
# All parts of a .docx unpacked: python-docx holds every part in memory.
MAX_DOCX_UNPACKED_BYTES = 250 * MB
# One XML part of a .docx unpacked (word/document.xml holds the text): about
# 800 pages of Word's markup. A 20 MB document.xml imports in about 30 s at
# a peak of 600 MB, in line with the text limit.
MAX_DOCX_XML_BYTES = 25 * MB

# Zip archives (.docx, .qdpx) -------------------------------------------------

# Members of one archive: a .docx has 10-50, a .qdpx one per source file.
MAX_ZIP_MEMBERS = 10_000
# A central directory entry is 46 bytes plus the name and extra fields; a
# directory larger than this per member allowed is refused before zipfile
# turns all of it into objects (the member count in the end record can lie).
ZIP_DIRECTORY_BYTES_PER_MEMBER = 1024
# Unpacked in chunks this size, counting, whatever the headers say.
ZIP_CHUNK_BYTES = 1024 * 1024

# YAML (codebooks, codings files, Markdown front matter) ---------------------

# A codebook or codings file. PyYAML reads about 0.4 MB a second, so this
# bounds a read at about 25 s; 10 MB is some 60,000 quoted codings.
MAX_YAML_BYTES = 10 * MB
# Front matter of a Markdown transcript: a few attributes, never a document.
MAX_FRONT_MATTER_CHARS = 256_000
# Nesting of YAML collections: a codebook's codes nest two levels each, so
# this allows codes nested about 48 deep, and keeps the recursive parser, the
# schema check and the codebook tree within Python's recursion limit.
MAX_YAML_DEPTH = 100
# Nodes that aliases (``*name``) may add when expanded, in all. Aliases in a
# hand-written file repeat a few lines; a "billion laughs" adds 10**9.
MAX_YAML_ALIAS_NODES = 100_000

# Attribute tables ------------------------------------------------------------

MAX_CSV_BYTES = 20 * MB


def format_size(size: int) -> str:
    """``20 MB``, ``1.5 MB``, ``812 bytes``: decimal units, as file managers show."""
    if size < 1000:
        return f"{size} bytes"
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("KB", 10**3)):
        if size >= scale:
            return f"{size / scale:.1f}".removesuffix(".0") + f" {unit}"
    raise AssertionError("unreachable")


# Longest piece of a file quoted in a message.
MAX_EXCERPT_CHARS = 80


def excerpt(text: str, limit: int = MAX_EXCERPT_CHARS) -> str:
    """Text from a file made fit to quote in a one-line message.

    Characters that break or hide a line (newlines, vertical tab, U+2028,
    controls) are shown escaped, and long text is cut with an ellipsis.
    """
    shown = "".join(
        char if char.isprintable() else char.encode("unicode_escape").decode("ascii")
        for char in text[: limit + 1]
    )
    return shown if len(shown) <= limit else shown[: limit - 3] + "..."


# Files -----------------------------------------------------------------------


def read_limited(path: str | Path, limit: int, what: str) -> bytes:
    """A file's bytes, refused when it holds more than ``limit``.

    The size is checked before reading and again while reading (a file can
    grow, and some report no size), so no more than ``limit`` + 1 bytes are
    ever held.

    Args:
        path: The file.
        limit: The most bytes accepted.
        what: What the file is, for the message ("a transcript").

    Raises:
        LimitError: the file is larger than ``limit``.
        InputError: it cannot be read.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > limit:
            raise too_large(str(path), size, limit, what)
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise InputError(str(path), f"cannot read: {exc.strerror or exc}") from exc
    if len(data) > limit:
        raise too_large(str(path), None, limit, what)
    return data


def too_large(path: str, size: int | None, limit: int, what: str) -> LimitError:
    """The error for a file over a size limit, with both sizes when known."""
    shown = format_size(size) if size is not None else "more than that"
    return LimitError(
        path,
        f"{shown}; coder reads {what} of up to {format_size(limit)}"
        " (see docs/limits.md)",
    )


def check_size(data: bytes | str, path: str, limit: int, what: str) -> None:
    """Refuse data already in memory that is longer than ``limit``."""
    if len(data) > limit:
        raise too_large(path, len(data), limit, what)


# YAML ------------------------------------------------------------------------


@functools.cache
def _yaml_loader() -> type:
    import yaml
    from yaml.constructor import ConstructorError

    class Loader(yaml.SafeLoader):
        """PyYAML's safe loader that counts nesting and aliases as it composes."""

        def __init__(self, stream: str) -> None:
            super().__init__(stream)
            self.depth = 0
            self.nodes = 0
            self.first_alias = None

        def compose_node(self, parent, index):
            if self.check_event(yaml.AliasEvent):
                if self.first_alias is None:
                    self.first_alias = self.peek_event().start_mark
                return super().compose_node(parent, index)
            if self.depth >= MAX_YAML_DEPTH:
                raise _YamlLimit(
                    f"YAML nested more than {MAX_YAML_DEPTH} levels deep,"
                    " more than coder reads",
                    self.peek_event().start_mark,
                )
            self.depth += 1
            self.nodes += 1
            try:
                return super().compose_node(parent, index)
            finally:
                self.depth -= 1

        def construct_object(self, node, deep=False):
            # A date that does not exist (2024-02-30), an integer of more than
            # 4,300 digits or "!!timestamp" on a word fail in PyYAML with
            # Python's errors: report them as YAML, where they are.
            try:
                return super().construct_object(node, deep)
            except (ValueError, OverflowError, AttributeError, TypeError) as exc:
                tag = str(node.tag).replace("tag:yaml.org,2002:", "!!")
                why = f" ({exc})" if isinstance(exc, ValueError | OverflowError) else ""
                raise ConstructorError(
                    None, None, f"cannot read this value as {tag}{why}", node.start_mark
                ) from None

    return Loader


class _YamlLimit(Exception):
    def __init__(self, message: str, mark) -> None:
        super().__init__(message)
        self.message = message
        self.mark = mark


def _children(node) -> list:
    import yaml

    if isinstance(node, yaml.SequenceNode):
        return node.value
    if isinstance(node, yaml.MappingNode):
        return [item for pair in node.value for item in pair]
    return []


def _check_expansion(root, distinct: int, first_alias) -> None:
    """Refuse aliases that would expand the document too far, too deep or forever.

    Walks the composed graph (an alias is the very node it names) once,
    without recursion, giving each node its expanded size and depth.
    """
    done: dict[int, tuple[int, int]] = {}
    open_: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    limit = distinct + MAX_YAML_ALIAS_NODES
    while stack:
        node, finishing = stack.pop()
        key = id(node)
        if finishing:
            children = [done[id(child)] for child in _children(node)]
            size = 1 + sum(size for size, _ in children)
            depth = 1 + max((depth for _, depth in children), default=0)
            open_.discard(key)
            done[key] = (size, depth)
            if size > limit:
                raise _YamlLimit(
                    f"YAML aliases (*name) expand it by more than"
                    f" {MAX_YAML_ALIAS_NODES:,} nodes, more than coder reads",
                    first_alias or node.start_mark,
                )
            if depth > MAX_YAML_DEPTH:
                raise _YamlLimit(
                    f"YAML aliases (*name) nest it more than {MAX_YAML_DEPTH}"
                    " levels deep, more than coder reads",
                    first_alias or node.start_mark,
                )
            continue
        if key in done:
            continue
        if key in open_:
            raise _YamlLimit(
                "a YAML alias (*name) refers to a collection it is inside of;"
                " coder does not read recursive YAML",
                first_alias or node.start_mark,
            )
        open_.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(_children(node)))


def load_yaml(text: str, path: str, first_line: int = 1) -> tuple[Any, Any]:
    """Compose and construct one YAML document within the limits, in one pass.

    Safe tags only; nesting, and the expansion of aliases, are bounded.

    Args:
        text: The YAML.
        path: The file, for messages.
        first_line: The file's line number of the text's first line (front
            matter starts on line 2).

    Returns:
        (the composed root node, for positions in messages; the data), both
        None for an empty document.

    Raises:
        LimitError: past a limit, naming the line.
        yaml.YAMLError: not YAML; callers word it for their kind of file.
    """
    import yaml

    try:
        loader = _yaml_loader()(text)
    except yaml.reader.ReaderError as exc:
        raise _marked(exc, text) from None
    try:
        try:
            root = loader.get_single_node()
            if root is None:
                return None, None
            _check_expansion(root, loader.nodes, loader.first_alias)
        except _YamlLimit as exc:
            line = exc.mark.line + first_line if exc.mark is not None else None
            raise LimitError(path, exc.message, line) from None
        except yaml.reader.ReaderError as exc:
            raise _marked(exc, text) from None
        return root, loader.construct_document(root)
    finally:
        loader.dispose()


def _marked(exc, text: str):
    """A ReaderError (a control character) as a scanner error with a line and column.

    PyYAML reports it by character position over several lines; callers
    report ``problem`` at ``problem_mark`` like every other YAML error.
    """
    import yaml

    position = min(max(exc.position, 0), len(text))
    line = text.count("\n", 0, position)
    column = position - (text.rfind("\n", 0, position) + 1)
    mark = yaml.Mark(exc.name, position, line, column, None, None)
    character = exc.character
    shown = f"#x{character:04x}" if isinstance(character, int) else repr(character)
    return yaml.scanner.ScannerError(
        None, None, f"unacceptable character {shown}: {exc.reason}", mark
    )


# XML ---------------------------------------------------------------------------

# Encodings Word and other tools write XML in (OPC allows UTF-8 and UTF-16),
# plus the ASCII-compatible ones a tool might name: a DTD cannot hide in them
# from a byte search in UTF-8 and UTF-16.
_XML_ENCODINGS = {
    "utf-8",
    "utf8",
    "utf-16",
    "utf-16le",
    "utf-16be",
    "ascii",
    "us-ascii",
    "iso-8859-1",
    "latin-1",
    "latin1",
    "windows-1252",
    "cp1252",
}
_DECLARED_ENCODING = re.compile(
    r"""<\?xml[^>]*?encoding\s*=\s*["']([^"']*)["']""", re.IGNORECASE
)
# First bytes of XML in an encoding other than UTF-8 and UTF-16 (UCS-4 in
# every byte order, EBCDIC), where "<!DOCTYPE" is none of the searched bytes.
_FOREIGN_STARTS = (
    b"\x00\x00\x00\x3c",
    b"\x3c\x00\x00\x00",
    b"\x00\x00\x3c\x00",
    b"\x00\x3c\x00\x00",
    b"\x00\x00\xfe\xff",
    b"\xff\xfe\x00\x00",
    b"\x4c\x6f\xa7\x94",
)


def find_markup(data: bytes, marker: str) -> int | None:
    """The line of the first ``marker`` in the bytes, read as UTF-8 or UTF-16."""
    for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
        index = data.find(marker.encode(encoding))
        if index >= 0:
            return data.count("\n".encode(encoding), 0, index) + 1
    return None


def _head(data: bytes) -> str:
    for bom, encoding in (
        (b"\xef\xbb\xbf", "utf-8"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
        (b"<\x00", "utf-16-le"),
        (b"\x00<", "utf-16-be"),
    ):
        if data.startswith(bom):
            return data[:400].decode(encoding, errors="ignore")
    return data[:200].decode("utf-8", errors="ignore")


def check_xml(data: bytes, path: str, part: str, strict: bool = True) -> None:
    """Refuse an XML part with a DTD, or in an encoding that could hide one.

    Word never writes a DTD (OPC forbids them), and a DTD is where entity
    bombs and external entities live, so any ``<!DOCTYPE`` or ``<!ENTITY``
    is refused before a parser sees the part.

    Args:
        data: The part's bytes.
        path: The file the part is in, for the message.
        part: The part's name in its package (``word/document.xml``).
        strict: Also refuse parts that start as UCS-4 or EBCDIC XML; off for
            a part that only looks like XML (a video's first bytes can pass
            for UCS-4).

    Raises:
        LimitError: naming the part and the line of the declaration.
    """
    if strict and data.startswith(_FOREIGN_STARTS):
        raise LimitError(
            path, f"{part} is XML in UCS-4 or EBCDIC; coder reads UTF-8 and UTF-16"
        )
    declared = _DECLARED_ENCODING.search(_head(data))
    if declared and declared[1].strip().lower() not in _XML_ENCODINGS:
        raise LimitError(
            path,
            f"{part} declares encoding '{excerpt(declared[1], 40)}'; coder reads XML"
            " in UTF-8 and UTF-16",
        )
    for marker in ("<!DOCTYPE", "<!ENTITY"):
        line = find_markup(data, marker)
        if line is not None:
            raise LimitError(
                path,
                f"{part} line {line} declares a DTD ({marker}); coder does not"
                " read DTDs or expand entities",
            )


# Zip archives ------------------------------------------------------------------

_ZIP_ERRORS: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    ValueError,
    OSError,
    struct.error,
    NotImplementedError,
)


def _zip_errors() -> tuple[type[BaseException], ...]:
    # Members compressed with LZMA or bzip2 fail with these modules' errors.
    import lzma

    return (*_ZIP_ERRORS, lzma.LZMAError)


@dataclass
class ZipLimits:
    """What one kind of archive may hold; None means no limit.

    ``total_bytes`` counts every member (declared sizes on opening, then what
    is unpacked); ``member_bytes`` each member that is read.
    """

    members: int = MAX_ZIP_MEMBERS
    member_bytes: int | None = None
    total_bytes: int | None = None


class LimitedZip:
    """A zip archive whose members are read within limits.

    Opening checks the member count (from the end record, before zipfile
    builds its directory, then again) and the sizes the directory declares;
    reading unpacks in chunks and counts, since a header can lie.

    Args:
        source: The archive's bytes, or its path.
        path: The file, for messages.
        limits: The limits for this kind of archive.
        describe: The message for a broken archive, ``{}`` standing for
            zipfile's words ("not a readable .docx (broken zip: {})").
    """

    def __init__(
        self,
        source: bytes | Path,
        path: str,
        limits: ZipLimits,
        describe: str = "not a readable zip archive ({})",
    ) -> None:
        self.path = path
        self.limits = limits
        self.describe = describe
        self.unpacked = 0
        stream = io.BytesIO(source) if isinstance(source, bytes) else None
        try:
            if stream is not None:
                self._check_directory(stream)
                self.archive = zipfile.ZipFile(stream)
            else:
                with Path(source).open("rb") as handle:
                    self._check_directory(handle)
                self.archive = zipfile.ZipFile(source)
        except LimitError:
            raise
        except _zip_errors() as exc:
            raise self.broken(exc) from None
        self.members = self.archive.infolist()
        self._check_members()

    def broken(self, exc: BaseException) -> InputError:
        detail = excerpt(str(exc) or type(exc).__name__, 200)
        return InputError(self.path, self.describe.format(detail))

    def _check_directory(self, handle) -> None:
        try:
            end = zipfile._EndRecData(handle)  # type: ignore[attr-defined]
            count = end[zipfile._ECD_ENTRIES_TOTAL] if end else None  # type: ignore[attr-defined]
            size = end[zipfile._ECD_SIZE] if end else None  # type: ignore[attr-defined]
        except AttributeError:  # a Python without these internals: zipfile checks
            return
        if count is not None and count > self.limits.members:
            raise self._too_many(count)
        if (
            size is not None
            and size > self.limits.members * ZIP_DIRECTORY_BYTES_PER_MEMBER
        ):
            raise LimitError(
                self.path,
                f"the zip directory is {format_size(size)}, too large for the"
                f" {self.limits.members:,} members coder reads",
            )

    def _too_many(self, count: int) -> LimitError:
        return LimitError(
            self.path,
            f"the zip archive has {count:,} members; coder reads at most"
            f" {self.limits.members:,}",
        )

    def _check_members(self) -> None:
        if len(self.members) > self.limits.members:
            raise self._too_many(len(self.members))
        self._check_total(sum(info.file_size for info in self.members))

    def _check_member_size(self, info: zipfile.ZipInfo, size: int) -> None:
        limit = self.limits.member_bytes
        if limit is not None and size > limit:
            raise LimitError(
                self.path,
                f"{excerpt(info.filename)} unpacks to {format_size(size)}; coder unpacks"
                f" at most {format_size(limit)}",
            )

    def _check_total(self, total: int) -> None:
        limit = self.limits.total_bytes
        if limit is not None and total > limit:
            raise LimitError(
                self.path,
                f"the archive unpacks to {format_size(total)}; coder unpacks"
                f" at most {format_size(limit)}",
            )

    def chunks(self, info: zipfile.ZipInfo) -> Iterator[bytes]:
        """A member's bytes in chunks, refused as soon as a limit is passed."""
        self._check_member_size(info, info.file_size)
        size = 0
        try:
            with self.archive.open(info) as member:
                while chunk := member.read(ZIP_CHUNK_BYTES):
                    size += len(chunk)
                    self.unpacked += len(chunk)
                    self._check_member_size(info, size)
                    self._check_total(self.unpacked)
                    yield chunk
        except LimitError:
            raise
        except (RuntimeError, NotImplementedError) as exc:
            # Encrypted members, and compression methods zipfile lacks.
            raise InputError(
                self.path,
                f"cannot unpack {excerpt(info.filename)}: {excerpt(str(exc))}",
            ) from None
        except _zip_errors() as exc:
            raise self.broken(exc) from None

    def read(self, info: zipfile.ZipInfo) -> bytes:
        """A member's bytes, within the limits."""
        return b"".join(self.chunks(info))

    def close(self) -> None:
        self.archive.close()

    def __enter__(self) -> LimitedZip:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


DOCX_LIMITS = ZipLimits(total_bytes=MAX_DOCX_UNPACKED_BYTES)
_MARKERS = [
    marker.encode(encoding)
    for marker in ("<!DOCTYPE", "<!ENTITY")
    for encoding in ("utf-8", "utf-16-le", "utf-16-be")
]
_OVERLAP = max(map(len, _MARKERS))


def check_docx(data: bytes, path: str) -> dict[str, bytes]:
    """Refuse a .docx that is too large, unpacks too far, or holds a DTD.

    Every member is unpacked once, in chunks, so that no part of a hostile
    file is left unchecked. Parts named ``.xml`` or ``.rels``, or starting
    like XML, are held to :data:`MAX_DOCX_XML_BYTES` each and checked by
    :func:`check_xml`; in the rest (pictures) a DTD is searched for as the
    chunks pass, since a part's content type, not its name, tells a reader
    to parse it.

    Returns:
        The XML parts' bytes by member name, so that the reader need not
        unpack them again.

    Raises:
        LimitError: a limit is passed, or a part declares a DTD.
        InputError: the zip cannot be read.
    """
    check_size(data, path, MAX_DOCX_BYTES, "Word documents")
    describe = "not a readable .docx (broken or truncated zip: {})"
    parts: dict[str, bytes] = {}
    with LimitedZip(data, path, DOCX_LIMITS, describe) as archive:
        for info in archive.members:
            if not info.is_dir():
                xml = _check_docx_part(archive, info, path)
                if xml is not None:
                    # A name zipped twice: the last one, as zipfile reads it.
                    parts[info.filename] = xml
                else:
                    parts.pop(info.filename, None)
    return parts


def _check_docx_part(
    archive: LimitedZip, info: zipfile.ZipInfo, path: str
) -> bytes | None:
    """Check one member; its bytes if it is XML, else None (checked and dropped)."""
    named = info.filename.lower().endswith((".xml", ".rels"))
    xml: bool | None = None
    held: list[bytes] = []
    size = 0
    tail = b""
    for chunk in archive.chunks(info):
        if xml is None:
            xml = named or _starts_like_xml(chunk)
        size += len(chunk)
        if xml:
            if size > MAX_DOCX_XML_BYTES:
                raise LimitError(
                    path,
                    f"{excerpt(info.filename)} unpacks to more than"
                    f" {format_size(MAX_DOCX_XML_BYTES)}, the most XML coder reads"
                    " from one part of a Word document",
                )
            held.append(chunk)
            continue
        window = tail + chunk
        if any(marker in window for marker in _MARKERS):
            raise LimitError(
                path,
                f"{excerpt(info.filename)} holds a DTD (<!DOCTYPE or <!ENTITY); coder does"
                " not read DTDs or expand entities",
            )
        tail = window[-_OVERLAP:]
    if xml is None:
        # An empty member: XML if named so (an empty document.xml is damaged XML).
        return b"" if named else None
    if not xml:
        return None
    whole = b"".join(held)
    check_xml(whole, path, excerpt(info.filename), strict=named)
    return whole


def _starts_like_xml(first: bytes) -> bool:
    head = first[:4096]
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        head = head.removeprefix(bom)
    # NULs: the other half of UTF-16 (and UCS-4) characters.
    return head.lstrip(b" \t\r\n\x00").startswith(b"<")
