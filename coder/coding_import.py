"""Importing codings from a YAML file that quotes the coded text.

The format (a gold standard, or another tool's codings)::

    coder: gold                      # whose codings (``--coder`` overrides)
    codebook: export-clusters.yaml   # informative: the codebook coded with
    codings:
      - document: pe-01-farahani     # a document name in the project
        code: payment_risk           # a code id in the project's codebook
        quote: "Payment comes first."  # text of the document, as stored
        occurrence: 2                # which one, when the quote occurs more than once
        note: "why"                  # optional; becomes the coding's memo

A quote is found in the document's stored text exactly; failing that,
allowing any run of whitespace for a space and straight for typographic
quote marks. Every problem is reported (``file:line: entry N: ...``) and
nothing is imported unless all entries resolve; all are written in one
transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from coder.codebook import yaml_node
from coder.codes import latest_version
from coder.coding import insert_codings
from coder.errors import CoderError, ConflictError
from coder.events import ADD, log_codings
from coder.limits import MAX_YAML_BYTES, load_yaml, read_limited
from coder.names import unknown_name
from coder.store import Project

ENTRY_KEYS = ("document", "code", "quote", "occurrence", "note")
TOP_KEYS = ("coder", "codebook", "codings")
SOURCE = "import"
# Characters a hand-typed quote may have in another form than the transcript.
_VARIANTS = {
    "'": "'\u2018\u2019\u02bc",
    "\u2018": "'\u2018\u2019\u02bc",
    "\u2019": "'\u2018\u2019\u02bc",
    '"': '"\u201c\u201d\u201e',
    "\u201c": '"\u201c\u201d\u201e',
    "\u201d": '"\u201c\u201d\u201e',
}


class CodingsFileError(CoderError):
    """Every problem of a codings file, one ``file:line: message`` per line."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class QuotedCoding:
    """One entry of a codings file, with where it is in the file."""

    number: int
    line: int
    document: str
    code: str
    quote: str
    occurrence: int | None = None
    note: str | None = None


@dataclass
class CodingsFile:
    path: str
    coder: str | None
    codebook: str | None
    entries: list[QuotedCoding]


@dataclass
class ImportedCodings:
    """What an import did."""

    coder: str
    added: int = 0
    existing: int = 0
    # Entries found only by allowing for whitespace and quote marks.
    loose: int = 0
    warnings: list[str] = field(default_factory=list)


def read_codings_file(path: str | Path) -> CodingsFile:
    """Read and check the shape of a codings file (documents and codes are not checked)."""
    path = Path(path)
    if not path.is_file():
        raise CodingsFileError([f"{path}: no such file"])
    try:
        text = read_limited(path, MAX_YAML_BYTES, "codings files").decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CodingsFileError([f"{path}: not UTF-8 text ({exc.reason})"]) from exc
    try:
        root, data = load_yaml(text, str(path))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        problem = getattr(exc, "problem", None) or str(exc)
        raise CodingsFileError([f"{where}: invalid YAML: {problem}"]) from exc
    if not isinstance(data, dict) or not isinstance(data.get("codings"), list):
        raise CodingsFileError(
            [f"{path}:1: a codings file is a mapping with a 'codings' list"]
        )
    problems = [
        f"{path}:{_line(root, [key])}: unknown key '{key}' (known: {', '.join(TOP_KEYS)})"
        for key in data
        if key not in TOP_KEYS
    ]
    for key in ("coder", "codebook"):
        if data.get(key) is not None and not isinstance(data[key], str):
            problems.append(f"{path}:{_line(root, [key])}: '{key}' must be a string")
    entries = []
    for index, item in enumerate(data["codings"]):
        number, line = index + 1, _line(root, ["codings", index])
        where = f"{path}:{line}: entry {number}"
        if not isinstance(item, dict):
            problems.append(
                f"{where}: an entry is a mapping with document, code, quote"
            )
            continue
        unknown = [key for key in item if key not in ENTRY_KEYS]
        if unknown:
            problems.append(
                f"{where}: unknown key '{unknown[0]}' (known: {', '.join(ENTRY_KEYS)})"
            )
        missing = [
            key
            for key in ("document", "code", "quote")
            if not isinstance(item.get(key), str) or not item[key].strip()
        ]
        if missing:
            problems.append(f"{where}: missing or empty '{missing[0]}'")
            continue
        occurrence = item.get("occurrence")
        if occurrence is not None and (
            not isinstance(occurrence, int)
            or isinstance(occurrence, bool)
            or occurrence < 1
        ):
            problems.append(f"{where}: 'occurrence' must be a whole number from 1")
            continue
        note = item.get("note")
        entries.append(
            QuotedCoding(
                number,
                line,
                item["document"].strip(),
                item["code"].strip(),
                item["quote"],
                occurrence,
                None if note is None else str(note).strip() or None,
            )
        )
    if problems:
        raise CodingsFileError(problems)
    return CodingsFile(str(path), data.get("coder"), data.get("codebook"), entries)


def _line(root: yaml.Node, path: list[Any]) -> int:
    """1-based line of the node at `path` (or of the nearest ancestor)."""
    return yaml_node(root, path).start_mark.line + 1


def _loose_pattern(quote: str) -> re.Pattern[str]:
    """The quote with any whitespace run for a space and any quote mark for a quote mark."""
    parts = []
    for word in quote.split():
        parts.append(
            "".join(
                f"[{re.escape(_VARIANTS[ch])}]" if ch in _VARIANTS else re.escape(ch)
                for ch in word
            )
        )
    return re.compile(r"\s+".join(parts))


def find_quote(text: str, quote: str) -> tuple[list[tuple[int, int]], bool]:
    """Every (start, end) where the quote occurs, left to right without overlaps,
    and whether it took the loose match to find them."""
    quote = quote.strip()
    spans = []
    start = text.find(quote)
    while start >= 0:
        spans.append((start, start + len(quote)))
        start = text.find(quote, start + len(quote))
    if spans:
        return spans, False
    return [m.span() for m in _loose_pattern(quote).finditer(text)], True


def import_codings(
    project: Project, path: str | Path, *, coder: str | None = None
) -> ImportedCodings:
    """Import a codings file into the project: all entries or, on any problem, none.

    Args:
        project: The open project.
        path: The YAML file.
        coder: Whose codings they become (default: the file's ``coder``, else the actor).

    Raises:
        CodingsFileError: every entry that does not resolve, one line each.
    """
    parsed = read_codings_file(path)
    who = coder or parsed.coder or project.actor
    rows = project.execute("SELECT name, id, text FROM documents").fetchall()
    texts = {name: text for name, _, text in rows}
    # A document's text never changes in place (re-importing gives it a new
    # id), so its id says whether the text matched against is still there.
    doc_ids = {name: doc_id for name, doc_id, _ in rows}
    codes = [row[0] for row in project.execute("SELECT id FROM codes ORDER BY id")]
    code_set = set(codes)
    problems: list[str] = []
    resolved: list[tuple[QuotedCoding, int, int]] = []
    result = ImportedCodings(who)
    for entry in parsed.entries:
        where = f"{parsed.path}:{entry.line}: entry {entry.number}"
        if entry.document not in texts:
            problems.append(
                f"{where}: {unknown_name('document', entry.document, texts)}"
            )
            continue
        if entry.code not in code_set:
            problems.append(f"{where}: {unknown_name('code', entry.code, codes)}")
            continue
        spans, loose = find_quote(texts[entry.document], entry.quote)
        shown = " ".join(entry.quote.split())
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        if not spans:
            problems.append(f'{where}: quote not found in {entry.document}: "{shown}"')
            continue
        if entry.occurrence is None and len(spans) > 1:
            problems.append(
                f'{where}: quote occurs {len(spans)} times in {entry.document}: "{shown}";'
                f" add 'occurrence' (1 to {len(spans)}) to say which"
            )
            continue
        if entry.occurrence is not None and entry.occurrence > len(spans):
            problems.append(
                f"{where}: occurrence {entry.occurrence} asked, but the quote occurs"
                f" {len(spans)} time{'s' if len(spans) != 1 else ''} in {entry.document}:"
                f' "{shown}"'
            )
            continue
        start, end = spans[(entry.occurrence or 1) - 1]
        result.loose += loose
        resolved.append((entry, start, end))
    if problems:
        raise CodingsFileError(problems)
    latest = latest_version(project)
    if (
        parsed.codebook
        and latest
        and Path(parsed.codebook).name != Path(latest.source).name
    ):
        result.warnings.append(
            f"{parsed.path}: coded with codebook {parsed.codebook}; the project's"
            f" codebook came from {latest.source}"
        )
    items = [
        {
            "document": entry.document,
            "code": entry.code,
            "start": start,
            "end": end,
            "coder": who,
            "memo": entry.note,
            "source": SOURCE,
        }
        for entry, start, end in resolved
    ]
    with project.atomic():
        # The quotes were matched without the write lock: make sure the texts
        # and codes they were matched against are still there, unchanged.
        used = {entry.document for entry, _, _ in resolved}
        now_ids = dict(project.execute("SELECT name, id FROM documents"))
        now_codes = {row[0] for row in project.execute("SELECT id FROM codes")}
        if (
            any(now_ids.get(name) != doc_ids[name] for name in used)
            or not {entry.code for entry, _, _ in resolved} <= now_codes
        ):
            raise ConflictError(
                f"{parsed.path}: documents or codes changed while the file was read;"
                " nothing imported, run the import again"
            )
        _, added = insert_codings(project, items)
        result.added = len(added)
        result.existing = len(resolved) - result.added
        summary = project.log(
            "import",
            "codings",
            None,
            file=Path(parsed.path).name,
            coder=who,
            added=result.added,
        )
        log_codings(project, ADD, added, batch=summary)
    return result
