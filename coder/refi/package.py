"""Reading a REFI-QDA project package safely: a .qdpx archive, or a .qde with its files beside it.

Every entry name is checked before it is used (no absolute names, no ``..``,
no symlinks), sizes are capped by :class:`coder.limits.LimitedZip`, and the
XML is parsed without DTDs, entities or network access (:func:`parse_xml`).
Errors are one line naming the file and the entry.
"""

from __future__ import annotations

import re
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from lxml import etree

from coder.errors import InputError, LimitError
from coder.limits import (
    MB,
    LimitedZip,
    ZipLimits,
    check_xml,
    excerpt,
    read_limited,
)

# The project.qde itself; sources are read one at a time below their own cap.
MAX_QDE_BYTES = 500 * MB
# One source or note file inside a package (a long interview is 0.3 MB).
MAX_SOURCE_BYTES = 100 * MB
# Everything unpacked from one archive, whatever its headers say.
MAX_PACKAGE_BYTES = 2_000 * MB
# A member that unpacks to more than this many times its packed size is a bomb.
MAX_RATIO = 200
# Below this, a high ratio is harmless (an empty file, a run of spaces).
RATIO_FLOOR_BYTES = 1 * MB

PACKAGE_LIMITS = ZipLimits(member_bytes=MAX_QDE_BYTES, total_bytes=MAX_PACKAGE_BYTES)

_GUIDISH = re.compile(r"\{?[0-9a-fA-F-]{32,38}\}?")


def input_error(
    path: str, entry: str | None, line: int | None, message: str
) -> InputError:
    """An error at a place: ``file:line: ...`` for a bare .qde, else
    ``file: entry line N: ...`` naming the archive's entry."""
    if entry is None:
        return InputError(path, message, line)
    where = f"{entry} line {line}" if line else entry
    return InputError(path, f"{where}: {message}")


def parse_xml(data: bytes, path: str, entry: str | None) -> etree._Element:
    """Parse a REFI-QDA XML part: no DTD, no entities, no network.

    Args:
        entry: The part's name in its archive; None for a file of its own.

    Raises:
        LimitError: the part declares a DTD or entities.
        InputError: it is not well-formed XML (naming the entry and line).
    """
    check_xml(data, path, entry or Path(path).name)
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        message = re.sub(r", line \d+, column \d+$", "", exc.msg or "").strip()
        if "Excessive depth" in message:
            message = "elements nested more than 256 deep, more than coder reads"
        raise input_error(
            path, entry, exc.lineno or 1, f"not well-formed XML: {excerpt(message)}"
        ) from None


def safe_name(name: str) -> str | None:
    """A member or file name as a relative POSIX path, or None when it escapes.

    Refused: absolute names (``/x``, ``C:\\x``), ``..`` parts, NUL bytes.
    """
    if "\x00" in name:
        return None
    posix = name.replace("\\", "/")
    if posix.startswith("/") or re.match(r"^[A-Za-z]:", posix):
        return None
    parts = [part for part in PurePosixPath(posix).parts if part not in ("", ".")]
    if not parts or ".." in parts:
        return None
    return "/".join(parts)


def internal_name(reference: str) -> str:
    """The file a ``plainTextPath`` names: ``internal://x.txt``, ``x.txt``, ``sources/x.txt``."""
    text = reference.strip()
    for prefix in ("internal://", "relative://", "file://"):
        if text.lower().startswith(prefix):
            text = text[len(prefix) :]
            break
    return text


@dataclass
class Package:
    """A project's XML and a way to read the files it names.

    Attributes:
        path: The .qdpx or .qde given.
        entry: The project XML's name in the archive (``project.qde``), None
            for a bare .qde.
        root: The parsed ``<Project>``.
        missing: Files named by the project that are not in the package.
    """

    path: Path
    entry: str | None
    root: etree._Element
    archive: LimitedZip | None = None
    members: dict[str, zipfile.ZipInfo] = field(default_factory=dict)
    folder: Path | None = None
    missing: list[str] = field(default_factory=list)

    def read(self, reference: str) -> bytes | None:
        """A file the project names (``internal://guid.txt``), or None when absent.

        Looked up as ``sources/NAME`` (any case) and then as ``NAME``, in the
        archive or beside the .qde.

        Raises:
            InputError: the name escapes the package.
            LimitError: the file is larger than coder reads.
        """
        name = internal_name(reference)
        if "://" in name:
            return None  # an external (absolute://) file: never fetched
        safe = safe_name(name)
        if safe is None:
            raise input_error(
                str(self.path),
                self.entry,
                None,
                f"file name '{excerpt(reference)}' points outside the project; refused",
            )
        candidates = [f"sources/{safe}", safe]
        if self.archive is not None:
            for candidate in candidates:
                info = self.members.get(candidate.lower())
                if info is not None:
                    return self.archive.read(info)
            return None
        assert self.folder is not None
        for candidate in candidates:
            for variant in (candidate, _capitalised(candidate)):
                file = self.folder / variant
                if file.is_symlink():
                    raise InputError(
                        str(file), "is a symbolic link; coder does not follow them"
                    )
                if file.is_file():
                    return read_limited(file, MAX_SOURCE_BYTES, "REFI-QDA source files")
        return None

    def close(self) -> None:
        if self.archive is not None:
            self.archive.close()

    def __enter__(self) -> Package:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _capitalised(name: str) -> str:
    return "Sources/" + name[len("sources/") :] if name.startswith("sources/") else name


def _check_member(info: zipfile.ZipInfo, path: str) -> str:
    """The member's safe lower-case key, or an error naming it."""
    safe = safe_name(info.filename)
    if safe is None:
        raise InputError(
            path,
            f"entry '{excerpt(info.filename)}' has an absolute or '..' name"
            " (a zip slip); refused",
        )
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise InputError(
            path,
            f"entry '{excerpt(info.filename)}' is a symbolic link; coder does not"
            " follow links in an archive",
        )
    if info.file_size > RATIO_FLOOR_BYTES and info.file_size > MAX_RATIO * max(
        info.compress_size, 1
    ):
        raise LimitError(
            path,
            f"entry '{excerpt(info.filename)}' unpacks {info.file_size // max(info.compress_size, 1):,}"
            f" times its packed size (a zip bomb); coder allows {MAX_RATIO}",
        )
    return safe.lower()


def open_package(path: str | Path) -> Package:
    """Open a .qdpx (a ZIP, by content or suffix) or a bare .qde.

    Raises:
        InputError: no such file, not a readable archive, a hostile entry,
            no project.qde, or XML that is not well-formed.
        LimitError: past a size or count limit.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(str(path), "no such file")
    with path.open("rb") as handle:
        magic = handle.read(4)
    if not magic.startswith(b"PK") and path.suffix.lower() != ".qdpx":
        data = read_limited(path, MAX_QDE_BYTES, "REFI-QDA project files")
        root = parse_xml(data, str(path), None)
        return Package(
            path, None, _project_root(root, str(path), None), folder=path.parent
        )
    archive = LimitedZip(
        path, str(path), PACKAGE_LIMITS, "not a readable .qdpx (ZIP) file: {}"
    )
    try:
        members: dict[str, zipfile.ZipInfo] = {}
        for info in archive.members:
            key = _check_member(info, str(path))
            if not info.is_dir():
                members.setdefault(key, info)
        qde = members.get("project.qde")
        if qde is None:
            found = [info.filename for info in archive.members][:5]
            listed = ", ".join(found) if found else "nothing"
            raise InputError(
                str(path), f"no project.qde in this .qdpx archive (it holds {listed})"
            )
        root = parse_xml(archive.read(qde), str(path), qde.filename)
        root = _project_root(root, str(path), qde.filename)
    except BaseException:
        archive.close()
        raise
    return Package(path, qde.filename, root, archive=archive, members=members)


def _project_root(root: etree._Element, path: str, entry: str | None) -> etree._Element:
    if local(root) != "Project":
        raise input_error(
            path,
            entry,
            root.sourceline or 1,
            f"the root element is <{local(root)}>, not a REFI-QDA <Project>",
        )
    return root


def local(element: etree._Element) -> str:
    """An element's name without its namespace ('' for comments)."""
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def children(element: etree._Element, name: str) -> list[etree._Element]:
    """Direct children with this local name, in any namespace."""
    return [child for child in element if local(child) == name]


def child(element: etree._Element, name: str) -> etree._Element | None:
    found = children(element, name)
    return found[0] if found else None


def normalise_guid(guid: str | None) -> str:
    """A GUID as a lookup key: no braces, lower case ('' for none)."""
    return (guid or "").strip().strip("{}").lower()


def looks_like_guid(text: str) -> bool:
    return bool(_GUIDISH.fullmatch(text.strip()))
