"""The YAML file a codebook came from, written back with the project's changes.

The YAML stays the researcher's source of truth: the project remembers which
file its codebook was loaded from and the file's sha256 then, and
`write_codebook_file` writes the project's codebook back into that file with
ruamel.yaml's round trip, so comments, key order, quoting and the codes that
did not change stay exactly as they were written. Only the fields that
differ are touched; a new code goes last among its siblings, as in the
project. Writing refuses when the file changed on disk since it was last
loaded or written, so nobody's hand edits are overwritten unseen.
"""

from __future__ import annotations

import difflib
import hashlib
import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coder.codebook import (
    Code,
    Codebook,
    code_from_dict,
    code_to_dict,
    codebook_to_yaml,
    normalise_colour,
    parse_codebook,
)
from coder.codes import current_codebook, plan_load
from coder.errors import CoderError, ConflictError
from coder.store import Project

# Project keys: the file the codebook came from, and its sha256 at the last
# load or write.
FILE_KEY = "codebook_file"
SHA256_KEY = "codebook_file_sha256"
# The order of a code's keys in the YAML, for placing a key the file lacks.
CODE_KEY_ORDER = (
    "id",
    "name",
    "definition",
    "include",
    "exclude",
    "examples",
    "colour",
    "key",
    "memo",
    "patterns",
    "children",
)
TEXT_FIELDS = ("definition", "include", "exclude", "memo")


@dataclass
class WriteResult:
    """What `write_codebook_file` did: the file, the unified diff, whether it changed."""

    path: Path
    diff: str
    changed: bool


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def remember_file(project: Project, path: Path | None) -> None:
    """Note the YAML file the codebook now comes from (None: from no YAML file)."""
    with project.atomic():
        if path is None:
            project.execute(
                "DELETE FROM project WHERE key IN (?, ?)", [FILE_KEY, SHA256_KEY]
            )
            return
        project.set_meta(FILE_KEY, str(path.resolve()))
        project.set_meta(SHA256_KEY, sha256_of(path))


def remembered_file(project: Project) -> Path | None:
    value = project.meta(FILE_KEY)
    return Path(value) if value else None


# Round trip ------------------------------------------------------------------------


def _yaml(mapping: int, sequence: int, offset: int):
    from ruamel.yaml import YAML

    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    # Never re-wrap a long line of the file.
    yaml.width = 4096
    # [{"LOWER": "x"}] stays so; ruamel would drop the braces of a one-key map.
    yaml.brace_single_entry_mapping_in_flow_sequence = True
    return yaml


def _dump(yaml, data: Any) -> str:
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _layout_of(text: str):
    """A round-trip YAML set up with the file's own indentation.

    ruamel guesses the sequence indentation; the candidates are tried until
    one writes the unchanged file back byte for byte.
    """
    from ruamel.yaml.util import load_yaml_guess_indent

    _, indent, dash = load_yaml_guess_indent(text)
    indent = indent or 2
    dash = dash or 0
    candidates = [(2, indent, dash), (indent, indent, dash), (2, 4, 2), (2, 2, 0)]
    for mapping, sequence, offset in dict.fromkeys(candidates):
        yaml = _yaml(mapping, sequence, offset)
        if _dump(yaml, yaml.load(text)) == text:
            return yaml
    return _yaml(*candidates[0])


def _styled(old: Any, value: str) -> Any:
    """`value` in the style `old` was written in (a | block, quotes), else plain."""
    from ruamel.yaml.scalarstring import (
        FoldedScalarString,
        LiteralScalarString,
        ScalarString,
    )

    if isinstance(old, LiteralScalarString | FoldedScalarString) or "\n" in value:
        block = type(old) if isinstance(old, FoldedScalarString) else None
        return (block or LiteralScalarString)(value + "\n")
    if isinstance(old, ScalarString):
        return type(old)(value)
    return value


def _place(node: Any, key: str, value: Any) -> None:
    """Set `key`, putting a key the map lacks where CODE_KEY_ORDER has it."""
    if key in node:
        node[key] = value
        return
    rank = CODE_KEY_ORDER.index(key)
    position = next(
        (
            n
            for n, existing in enumerate(node)
            if existing in CODE_KEY_ORDER and CODE_KEY_ORDER.index(existing) > rank
        ),
        len(node),
    )
    node.insert(position, key, value)


def _plain(data: Any) -> Any:
    """Round-trip YAML data as plain dicts and lists, to compare with a Code."""
    if isinstance(data, dict):
        return {str(k): _plain(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_plain(v) for v in data]
    return data


def _update_code(node: Any, code: Code) -> None:
    """Bring one code's map in line with `code`, touching only what differs."""
    before = code_from_dict({**_plain(node), "children": []})
    if before.name != code.name:
        node["name"] = _styled(node.get("name"), code.name)
    for field in TEXT_FIELDS:
        value = getattr(code, field)
        if getattr(before, field) == value:
            continue
        if value:
            _place(node, field, _styled(node.get(field), value))
        else:
            node.pop(field, None)
    if normalise_colour(node.get("colour")) != code.colour:
        if code.colour:
            _place(node, "colour", _styled(node.get("colour"), code.colour))
        else:
            node.pop("colour", None)
    if (node.get("key") or None) != code.key:
        if code.key:
            _place(node, "key", code.key)
        else:
            node.pop("key", None)
    for field in ("examples", "patterns"):
        if getattr(before, field) != getattr(code, field):
            fresh = code_to_dict(code)
            if field in fresh:
                _place(node, field, fresh[field])
            else:
                node.pop(field, None)


def _new_code_map(code: Code, like: Any) -> Any:
    """A map for a code the file lacks, its values quoted as in the code map `like`."""
    from ruamel.yaml.comments import CommentedMap

    node = CommentedMap()
    for key, value in code_to_dict(code).items():
        if key != "children":
            node[key] = (
                _styled(like.get(key) if like else None, value)
                if isinstance(value, str)
                else value
            )
    return node


# Comments between codes ----------------------------------------------------------
#
# ruamel keeps a comment between two codes in one of three places: after the
# last value of the first code (a "post" comment on its deepest last key), at
# the end of a nested list, or before the second code's dash. `_normalise`
# moves all of them to the third place, so a comment belongs to the code it
# precedes and moving codes in a list never strands or drops one.


def _tokens(text: str, *, block: bool) -> list[Any]:
    """A post comment's text as comment tokens that go before an item.

    A post comment starts with the end of its value's line, except after a
    `|` or `>` block, whose own last line break is part of the value.
    """
    from ruamel.yaml.error import CommentMark
    from ruamel.yaml.tokens import CommentToken

    found = []
    for line in (text if block else text[1:]).splitlines(keepends=True):
        stripped = line.lstrip(" ")
        found.append(
            CommentToken(stripped, CommentMark(len(line) - len(stripped)), None)
        )
    return found


def _is_block(value: Any) -> bool:
    from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString

    return isinstance(value, LiteralScalarString | FoldedScalarString)


def _pull_tail(node: Any) -> list[Any]:
    """Remove and return the comments after a node (after its deepest last value)."""
    if isinstance(node, dict) and node:
        key = list(node)[-1]
        entry = node.ca.items.get(key)
        if entry and len(entry) > 2 and entry[2] is not None:
            token, entry[2] = entry[2], None
            return _tokens(token.value, block=_is_block(node[key]))
        value = node[key]
        return _pull_tail(value) if isinstance(value, dict | list) else []
    if isinstance(node, list) and node:
        found = _pull_tail(node[-1]) if isinstance(node[-1], dict | list) else []
        entry = node.ca.items.get(len(node) - 1)
        if entry and entry[0] is not None:
            found += _tokens(entry[0].value, block=False)
            entry[0] = None
        end = getattr(node.ca, "end", None)
        if end:
            found += list(end)
            node.ca.end = []
        return found
    return []


def _give_tail(node: Any, tokens: list[Any]) -> None:
    """Put comments after a code's map, as a post comment on its deepest last value."""
    if not tokens:
        return
    from ruamel.yaml.error import CommentMark
    from ruamel.yaml.tokens import CommentToken

    key = list(node)[-1]
    value = node[key]
    if isinstance(value, dict) and value:
        _give_tail(value, tokens)
        return
    if (
        isinstance(value, list)
        and value
        and not value.fa.flow_style()
        and isinstance(value[-1], dict)
    ):
        _give_tail(value[-1], tokens)
        return
    text = "".join(" " * t.start_mark.column + t.value for t in tokens)
    token = CommentToken(
        text if _is_block(value) else "\n" + text, CommentMark(0), None
    )
    node.ca.items.setdefault(key, [None, None, None, None])[2] = token


def _before(items: Any, index: int) -> list[Any]:
    entry = items.ca.items.get(index)
    return list(entry[1] or []) if entry and len(entry) > 1 else []


def _set_before(items: Any, index: int, tokens: list[Any]) -> None:
    entry = items.ca.items.setdefault(index, [None, None, None, None])
    entry[1] = tokens or None


def _spaced(items: Any) -> bool:
    """Whether the file puts a blank line between the codes of this list."""
    gaps = [
        bool(before) and before[0].value == "\n"
        for before in (_before(items, index) for index in range(1, len(items)))
    ]
    return bool(gaps) and all(gaps)


def _blank_line() -> Any:
    from ruamel.yaml.error import CommentMark
    from ruamel.yaml.tokens import CommentToken

    return CommentToken("\n", CommentMark(0), None)


def _normalise(items: Any) -> None:
    """Every comment between two codes of the list before the second (and so down the tree)."""
    for index in range(len(items) - 1):
        tokens = _pull_tail(items[index])
        if tokens:
            _set_before(items, index + 1, tokens + _before(items, index + 1))
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("children"), list):
            _normalise(item["children"])


def _sync_list(
    container: Any, key: str, codes: list[Code], nodes: dict[str, Any]
) -> None:
    """Make `container[key]` the list of `codes`' maps, in place.

    Maps of codes no longer here (moved or merged away) are taken out; the
    comments before them stay where they were, before the next code. Maps of
    codes new here are appended after the last one (after a blank line where
    the list has one between every two codes), and the comment that followed
    the list still follows it.
    """
    from ruamel.yaml.comments import CommentedSeq

    wanted = [code.id for code in codes]
    items = container.get(key)
    if items is None:
        if not codes:
            return
        items = CommentedSeq()
        _place(container, key, items)
    for index in range(len(items) - 1, -1, -1):
        item = items[index]
        if isinstance(item, dict) and item.get("id") in wanted:
            continue
        before = _before(items, index)
        last = index == len(items) - 1
        after = _pull_tail(item) if last else []
        del items[index]
        if index < len(items):
            _set_before(items, index, before + _before(items, index))
        elif items:
            _give_tail(items[-1], _pull_tail(items[-1]) + before + after)
        else:
            # The list is empty now: its comments go after the map holding it.
            _give_tail(container, before + after)
    present = [item.get("id") for item in items]
    spaced = _spaced(items)
    for code in codes:
        if code.id in present:
            continue
        node = nodes.get(code.id) or _new_code_map(code, _model(nodes))
        tail = _pull_tail(items[-1]) if items else []
        items.append(node)
        if spaced:
            _set_before(items, len(items) - 1, [_blank_line()])
        _give_tail(node, tail)
        present.append(code.id)
    # Codes that stayed keep their order; the project's order wins if it differs.
    if present != wanted:
        by_id = {item.get("id"): item for item in items}
        items[:] = [by_id[code_id] for code_id in wanted]
    if not items:
        container.pop(key, None)


def _model(nodes: dict[str, Any]) -> Any:
    """A code map of the file with a colour, whose quoting new codes copy."""
    return next((node for node in nodes.values() if node.get("colour")), None)


def _index(items: Any, found: dict[str, Any]) -> dict[str, Any]:
    for item in items or []:
        if isinstance(item, dict):
            found[str(item.get("id"))] = item
            _index(item.get("children"), found)
    return found


def update_yaml(text: str, codebook: Codebook) -> str:
    """`text` (a codebook's YAML) changed to hold `codebook`, its layout and comments kept."""
    yaml = _layout_of(text)
    data = yaml.load(text)
    nodes = _index(data.get("codes"), {})
    if isinstance(data.get("codes"), list):
        _normalise(data["codes"])
    for field in ("name", "version", "description"):
        value = getattr(codebook, field)
        old = data.get(field)
        if (str(old).strip() if old is not None else "") != value:
            if value:
                data[field] = _styled(old, value)
            else:
                data.pop(field, None)
    if (data.get("language") or "en") != codebook.language:
        data["language"] = codebook.language

    def visit(container: Any, key: str, codes: list[Code]) -> None:
        _sync_list(container, key, codes, nodes)
        for code in codes:
            node = next(n for n in container[key] if n.get("id") == code.id)
            _update_code(node, code)
            visit(node, "children", code.children)

    visit(data, "codes", codebook.codes)
    return _dump(yaml, data)


# Writing ---------------------------------------------------------------------------


def _atomic_write(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.coder-tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def write_codebook_file(
    project: Project,
    path: Path | None = None,
    *,
    force: bool = False,
    dry_run: bool = False,
) -> WriteResult:
    """Write the project's codebook into its YAML file (or into `path`).

    The file's comments, key order, quoting and unchanged codes are kept.
    Writing to another file makes that the codebook's file from now on; when
    it does not exist yet it starts as a copy of the old one.

    Raises:
        CoderError: no file given and the project knows none.
        ConflictError: the file changed on disk since it was last loaded or
            written (or, for another existing file, it is not the codebook's
            file) and `force` is not set.
    """
    source = remembered_file(project)
    target = path or source
    if target is None:
        raise CoderError(
            "the project does not know the YAML file of its codebook (it was not"
            " loaded from one): give FILE, e.g. coder codebook write codebook.yaml"
        )
    same = source is not None and target.resolve() == source
    if target.exists() and not force:
        if same and sha256_of(target) != project.meta(SHA256_KEY):
            raise ConflictError(
                f"{target} changed on disk since the codebook was last loaded or"
                f" written: load it first (coder codebook load {target}) to take its"
                " changes, then write again; or --force to overwrite them"
            )
        if not same:
            raise ConflictError(
                f"{target} exists and is not the file the codebook came from"
                f" ({source or 'none'}): --force to write into it"
            )
    codebook = current_codebook(project)
    if not codebook.codes:
        raise CoderError(
            "the project has no codebook yet; load one with `coder codebook load FILE`"
        )
    old = target.read_text(encoding="utf-8-sig") if target.exists() else ""
    base = old or (
        source.read_text(encoding="utf-8-sig") if source and source.exists() else ""
    )
    new = update_yaml(base, codebook) if base else codebook_to_yaml(codebook)
    # The file must load back as exactly the project's codebook.
    if plan_load(project, parse_codebook(new, str(target))).changes:
        raise CoderError(
            f"{target}: the written codebook would not load back unchanged;"
            " nothing written (coder codebook export --format yaml writes a fresh one)"
        )
    diff = "".join(
        difflib.unified_diff(
            old.splitlines(keepends=True),
            new.splitlines(keepends=True),
            fromfile=f"{target} (on disk)",
            tofile=f"{target} (project)",
        )
    )
    if not dry_run:
        if new != old:
            _atomic_write(target, new)
        with project.atomic():
            remember_file(project, target)
            if new != old:
                project.log("write", "codebook", None, file=str(target))
    return WriteResult(target, diff, new != old)
