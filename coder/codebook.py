"""Codebooks: the YAML format researchers edit by hand, read with every error at once.

A codebook is a tree of codes. Each code has a stable ``id`` (codings hang on
it, so a code's name can change freely), rules for using it, examples, a
colour, an optional TUI key and patterns for the suggestion engine. Errors
are reported as ``file:line:col: message``, all of them, and nothing is
loaded when there is one.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coder.errors import CoderError
from coder.limits import MAX_YAML_BYTES, excerpt, load_yaml, read_limited

if TYPE_CHECKING:  # both cost start-up; only reading or writing a codebook uses them
    import jsonschema
    import yaml

# Keys the coding TUI keeps for itself (moving, selecting, undo, memo, search,
# filter, help, quit); digits apply codes by their number in the panel.
RESERVED_KEYS = frozenset("jkJKwbuUmnNfqg")

EXAMPLE_KINDS = ("typical", "borderline", "counter")


@dataclass
class Example:
    text: str
    kind: str = "typical"
    source: str = ""
    note: str = ""


@dataclass
class Patterns:
    """What the suggestion engine looks for: lemmas, phrases and token patterns."""

    lemmas: list[str] = field(default_factory=list)
    phrases: list[str] = field(default_factory=list)
    tokens: list[list[dict[str, Any]]] = field(default_factory=list)
    scope: str = "sentence"

    def __bool__(self) -> bool:
        return bool(self.lemmas or self.phrases or self.tokens)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if self.lemmas:
            data["lemmas"] = list(self.lemmas)
        if self.phrases:
            data["phrases"] = list(self.phrases)
        if self.tokens:
            data["tokens"] = [list(pattern) for pattern in self.tokens]
        if data and self.scope != "sentence":
            data["scope"] = self.scope
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Patterns:
        data = data or {}
        return cls(
            lemmas=list(data.get("lemmas", [])),
            phrases=list(data.get("phrases", [])),
            tokens=[list(p) for p in data.get("tokens", [])],
            scope=data.get("scope", "sentence"),
        )


@dataclass
class Code:
    id: str
    name: str
    definition: str = ""
    include: str = ""
    exclude: str = ""
    examples: list[Example] = field(default_factory=list)
    colour: str | None = None
    key: str | None = None
    memo: str = ""
    patterns: Patterns = field(default_factory=Patterns)
    children: list[Code] = field(default_factory=list)


@dataclass
class Codebook:
    name: str
    codes: list[Code]
    version: str = ""
    description: str = ""
    language: str = "en"
    authors: list[str] = field(default_factory=list)

    def walk(self) -> Iterator[tuple[Code, Code | None, int]]:
        """Every code depth-first with its parent and depth (0 at the top)."""

        def visit(codes: list[Code], parent: Code | None, depth: int):
            for code in codes:
                yield code, parent, depth
                yield from visit(code.children, code, depth + 1)

        yield from visit(self.codes, None, 0)

    def by_id(self) -> dict[str, Code]:
        return {code.id: code for code, _, _ in self.walk()}

    def parents(self) -> dict[str, str | None]:
        return {
            code.id: parent.id if parent else None for code, parent, _ in self.walk()
        }


class CodebookError(CoderError):
    """Every problem found in a codebook file, one ``file:line:col: message`` per line."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def slugify(name: str) -> str:
    """A code id from a name: ``Training / consultation`` -> ``training_consultation``."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^0-9a-z]+", "_", ascii_name.lower()).strip("_")
    if not slug or not slug[0].isalpha():
        slug = f"code_{slug}" if slug else "code"
    return slug


def normalise_colour(colour: str | None) -> str | None:
    """``#ABC`` -> ``#aabbcc``; None stays None."""
    if not colour:
        return None
    value = colour.lstrip("#").lower()
    if len(value) == 3:
        value = "".join(ch * 2 for ch in value)
    return f"#{value}"


def schema() -> dict[str, Any]:
    """The JSON Schema of the YAML format (shipped for editors to validate with)."""
    text = (
        resources.files("coder.schemas")
        .joinpath("codebook.schema.json")
        .read_text("utf-8")
    )
    return json.loads(text)


# Reading --------------------------------------------------------------------


def yaml_node(root: yaml.Node, path: list[Any]) -> yaml.Node:
    """The composed YAML node at a path of keys and indexes (or its nearest ancestor)."""
    import yaml

    node = root
    for step in path:
        if isinstance(node, yaml.MappingNode):
            found = next((v for k, v in node.value if k.value == step), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
            found = node.value[step] if step < len(node.value) else None
        else:
            found = None
        if found is None:
            break
        node = found
    return node


class _Located:
    """Positions of YAML nodes by their path, for error messages."""

    def __init__(self, root: yaml.Node) -> None:
        self.root = root

    def node(self, path: list[Any]) -> yaml.Node:
        return yaml_node(self.root, path)

    def key_node(self, path: list[Any], key: str) -> yaml.Node:
        import yaml

        node = self.node(path)
        if isinstance(node, yaml.MappingNode):
            for k, _ in node.value:
                if k.value == key:
                    return k
        return node


def _where(path: str, node: yaml.Node) -> str:
    mark = node.start_mark
    return f"{path}:{mark.line + 1}:{mark.column + 1}"


def _describe(error: jsonschema.ValidationError) -> tuple[list[Any], str, str | None]:
    """(path, message, key) for a schema error, in words a researcher can act on."""
    path = list(error.absolute_path)
    field_name = next(
        (str(p) for p in reversed(path) if isinstance(p, str)), "codebook"
    )
    if error.validator == "additionalProperties":
        # YAML keys need not be strings (0:, 2024-05-06:): sorted as text.
        unexpected = sorted(
            set(error.instance) - set(error.schema.get("properties", {})), key=str
        )
        known = ", ".join(error.schema.get("properties", {}))
        shown = excerpt(str(unexpected[0]))
        return path, f"unknown key '{shown}' (known: {known})", str(unexpected[0])
    if error.validator == "required":
        missing = error.message.split("'")[1]
        return path, f"missing '{missing}'", None
    if field_name == "colour" and error.validator == "pattern":
        return path, f"colour '{_shown(error.instance)}' is not #rrggbb or #rgb", None
    if field_name == "key" and error.validator in ("pattern", "type"):
        return path, f"key '{_shown(error.instance)}' must be a single letter", None
    if field_name == "id" and error.validator == "pattern":
        return (
            path,
            f"id '{_shown(error.instance)}' must be a slug: lower-case letters, digits and _,"
            " starting with a letter",
            None,
        )
    if field_name in ("name",) and error.validator in ("minLength", "pattern"):
        return path, "name is empty", None
    if error.validator == "type":
        expected = error.validator_value
        expected = " or ".join(expected) if isinstance(expected, list) else expected
        article = "an" if str(expected)[0] in "aeiou" else "a"
        return path, f"'{_shown(field_name)}' must be {article} {expected}", None
    if error.validator == "enum":
        options = ", ".join(map(str, error.validator_value))
        return path, f"'{_shown(field_name)}' must be one of: {options}", None
    if error.validator == "oneOf" and path and "examples" in path:
        return (
            path,
            "an example is a quote, or a mapping with 'text' (and kind, source, note)",
            None,
        )
    if "lemmas" in path and error.validator in ("minLength", "pattern"):
        return (
            path,
            f"a lemma is one word, not '{_shown(error.instance)}' (put phrases under"
            " 'phrases')",
            None,
        )
    if error.validator in ("minLength", "pattern") and isinstance(error.instance, str):
        return (
            path,
            f"'{_shown(field_name)}' value '{_shown(error.instance)}' is not allowed here",
            None,
        )
    return path, _shown(error.message, 200), None


def _shown(value: Any, limit: int = 80) -> str:
    """A value from the file, fit for a one-line message."""
    return excerpt(str(value), limit)


def code_from_dict(data: dict[str, Any]) -> Code:
    """A code (and its children) from its YAML mapping, already validated."""
    examples = []
    for item in data.get("examples", []):
        if isinstance(item, str):
            examples.append(Example(text=item))
        else:
            examples.append(
                Example(
                    text=item["text"],
                    kind=item.get("kind", "typical"),
                    source=item.get("source", ""),
                    note=item.get("note", ""),
                )
            )
    return Code(
        id=data["id"],
        name=data["name"].strip(),
        definition=data.get("definition", "").strip(),
        include=data.get("include", "").strip(),
        exclude=data.get("exclude", "").strip(),
        examples=examples,
        colour=normalise_colour(data.get("colour")),
        key=data.get("key"),
        memo=data.get("memo", "").strip(),
        patterns=Patterns.from_dict(data.get("patterns")),
        children=[code_from_dict(child) for child in data.get("children", [])],
    )


def _check_patterns(
    codebook_data: dict[str, Any], located: _Located, path: str, problems: list[str]
) -> None:
    """Token patterns must be valid spaCy Matcher patterns."""
    pending = []

    def visit(codes: list[dict[str, Any]], trail: list[Any]) -> None:
        for index, code in enumerate(codes):
            if not isinstance(code, dict):
                continue
            here = [*trail, index]
            patterns = code.get("patterns")
            tokens = patterns.get("tokens") if isinstance(patterns, dict) else None
            for number, pattern in enumerate(
                tokens if isinstance(tokens, list) else []
            ):
                # Shape errors are the schema's to report; spaCy checks the rest.
                if isinstance(pattern, list) and all(
                    isinstance(t, dict) for t in pattern
                ):
                    pending.append(([*here, "patterns", "tokens", number], pattern))
            children = code.get("children")
            visit(children if isinstance(children, list) else [], [*here, "children"])

    codes = codebook_data.get("codes")
    visit(codes if isinstance(codes, list) else [], ["codes"])
    if not pending:
        return
    import spacy
    from spacy.errors import MatchPatternError
    from spacy.matcher import Matcher

    language = codebook_data.get("language")
    vocab = spacy.blank(language if isinstance(language, str) else "en").vocab
    for trail, pattern in pending:
        matcher = Matcher(vocab, validate=True)
        try:
            matcher.add("check", [pattern])
        except (MatchPatternError, ValueError, TypeError) as exc:
            detail = " ".join(str(exc).split())
            first = re.search(
                r"\[pattern -> (\d+) -> (\w+).*?\] (?=[A-Z])(.+?)(?= - \[|$)", detail
            )
            if first:
                detail = f"token {int(first[1]) + 1}, {first[2]}: {first[3].strip()}"
            problems.append(
                f"{_where(path, located.node(trail))}: bad token pattern: {detail}"
            )


def _check_semantics(
    data: dict[str, Any], located: _Located, path: str, problems: list[str]
) -> None:
    ids: dict[str, list[Any]] = {}
    names: dict[str, list[Any]] = {}
    keys: dict[str, tuple[str, list[Any]]] = {}

    def visit(codes: list[Any], trail: list[Any]) -> None:
        for index, code in enumerate(codes):
            if not isinstance(code, dict):
                continue  # the schema reports it
            here = [*trail, index]
            # Wrong types are the schema's to report; only strings are compared.
            code_id = code.get("id") if isinstance(code.get("id"), str) else None
            if code_id in ids:
                first = located.node([*ids[code_id], "id"]).start_mark.line + 1
                problems.append(
                    f"{_where(path, located.node([*here, 'id']))}: duplicate id"
                    f" '{_shown(code_id)}'"
                    f" (first used on line {first})"
                )
            elif code_id:
                ids[code_id] = here
            name = code.get("name")
            name = name.strip() if isinstance(name, str) else ""
            if name:
                folded = name.casefold()
                if folded in names:
                    first = located.node([*names[folded], "name"]).start_mark.line + 1
                    problems.append(
                        f"{_where(path, located.node([*here, 'name']))}: duplicate name"
                        f" '{_shown(name)}' (first used on line {first})"
                    )
                else:
                    names[folded] = here
            key = code.get("key")
            if isinstance(key, str) and len(key) == 1:
                if key in RESERVED_KEYS:
                    problems.append(
                        f"{_where(path, located.node([*here, 'key']))}: key '{key}' is"
                        " reserved by the coding screen; choose another letter"
                    )
                elif key in keys:
                    other, _ = keys[key]
                    problems.append(
                        f"{_where(path, located.node([*here, 'key']))}: key '{key}' is"
                        f" already bound to '{_shown(other)}'"
                    )
                else:
                    keys[key] = (code_id or name, here)
            children = code.get("children")
            if isinstance(children, list):
                visit(children, [*here, "children"])

    codes = data.get("codes")
    if isinstance(codes, list):
        visit(codes, ["codes"])


def parse_codebook(text: str, path: str) -> Codebook:
    """Read a codebook from YAML text, reporting every problem at once.

    Raises:
        CodebookError: one ``path:line:col: message`` per problem.
        LimitError: the YAML nests too deep or its aliases expand too far.
    """
    import yaml

    try:
        root, data = load_yaml(text, path)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else path
        problem = getattr(exc, "problem", None) or str(exc)
        raise CodebookError([f"{where}: invalid YAML: {problem}"]) from exc
    if root is None or not isinstance(data, dict):
        raise CodebookError(
            [f"{path}:1:1: a codebook is a mapping with 'name' and 'codes'"]
        )
    located = _Located(root)
    problems: list[str] = []
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema())
    errors = sorted(
        validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path))
    )
    seen: set[tuple[str, ...]] = set()
    for error in errors:
        trail, message, key = _describe(error)
        node = located.key_node(trail, key) if key else located.node(trail)
        marker = (_where(path, node), message)
        if marker in seen:
            continue
        seen.add(marker)
        problems.append(f"{marker[0]}: {message}")
    _check_semantics(data, located, path, problems)
    _check_patterns(data, located, path, problems)
    if problems:
        problems.sort(key=_position)
        raise CodebookError(problems)
    version = data.get("version", "")
    return Codebook(
        name=data["name"].strip(),
        version=str(version) if version is not None else "",
        description=(data.get("description") or "").strip(),
        language=data.get("language", "en"),
        authors=list(data.get("authors", [])),
        codes=[code_from_dict(code) for code in data["codes"]],
    )


def _position(problem: str) -> tuple[int, int]:
    match = re.search(r":(\d+):(\d+): ", problem)
    return (int(match[1]), int(match[2])) if match else (0, 0)


def read_codebook(path: str | Path) -> Codebook:
    """Read a YAML codebook file."""
    path = Path(path)
    if not path.is_file():
        raise CodebookError([f"{path}: no such file"])
    data = read_limited(path, MAX_YAML_BYTES, "codebooks")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CodebookError([f"{path}: not UTF-8 text ({exc.reason})"]) from exc
    return parse_codebook(text, str(path))


# Writing --------------------------------------------------------------------


def code_to_dict(code: Code) -> dict[str, Any]:
    """A code as its YAML mapping: empty fields left out."""
    data: dict[str, Any] = {"id": code.id, "name": code.name}
    for attribute in ("definition", "include", "exclude"):
        if getattr(code, attribute):
            data[attribute] = getattr(code, attribute)
    if code.examples:
        data["examples"] = [
            {
                k: v
                for k, v in (
                    ("text", e.text),
                    ("kind", e.kind),
                    ("source", e.source),
                    ("note", e.note),
                )
                if v and not (k == "kind" and v == "typical")
            }
            for e in code.examples
        ]
    if code.colour:
        data["colour"] = code.colour
    if code.key:
        data["key"] = code.key
    if code.memo:
        data["memo"] = code.memo
    if code.patterns:
        data["patterns"] = code.patterns.to_dict()
    if code.children:
        data["children"] = [code_to_dict(child) for child in code.children]
    return data


def codebook_to_dict(codebook: Codebook) -> dict[str, Any]:
    data: dict[str, Any] = {"name": codebook.name}
    if codebook.version:
        data["version"] = codebook.version
    if codebook.description:
        data["description"] = codebook.description
    if codebook.authors:
        data["authors"] = list(codebook.authors)
    if codebook.language and codebook.language != "en":
        data["language"] = codebook.language
    data["codes"] = [code_to_dict(code) for code in codebook.codes]
    return data


@functools.cache
def _block_dumper() -> type:
    """A dumper writing multi-line strings as ``|`` blocks and indented lists, as people write them.

    Made on first use: PyYAML is imported only by the commands that read or
    write a codebook.
    """
    import yaml

    class BlockDumper(yaml.SafeDumper):
        def increase_indent(self, flow: bool = False, indentless: bool = False):
            return super().increase_indent(flow, False)

    def present_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
        style = "|" if "\n" in value else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    BlockDumper.add_representer(str, present_str)
    return BlockDumper


def codebook_to_yaml(codebook: Codebook) -> str:
    import yaml

    return yaml.dump(
        codebook_to_dict(codebook),
        Dumper=_block_dumper(),
        sort_keys=False,
        allow_unicode=True,
        width=88,
    )
