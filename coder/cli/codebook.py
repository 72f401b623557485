"""Commands for the codebook: load, show, export, write back, history, and code maintenance."""

from __future__ import annotations

from pathlib import Path

import click
from rich.text import Text
from rich.tree import Tree

from coder.cli.base import (
    cli,
    handle_errors,
    json_option,
    open_existing,
    out,
    print_json,
    project_option,
)
from coder.cli.maintenance import snapshot_first
from coder.errors import CoderError

REFI_SUFFIXES = {".qdc", ".qdpx", ".qde"}


def read_any_codebook(path: Path):
    """A codebook from YAML, or from a REFI-QDA .qdc/.qdpx; returns (codebook, notes)."""
    if path.suffix.lower() in REFI_SUFFIXES:
        from coder.refi.codebook import read_qdc

        return read_qdc(path)
    from coder.codebook import read_codebook

    return read_codebook(path), []


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def print_diff(diff) -> None:
    def codings(n: int) -> str:
        return f" ({_plural(n, 'coding')})" if n else ""

    for c in diff.added:
        click.echo(f"  + added    {c.id}  '{c.name}'")
    for c in diff.renamed:
        click.echo(f"  ~ renamed  {c.id}  '{c.old}' -> '{c.new}'{codings(c.codings)}")
    for c in diff.moved:
        click.echo(
            f"  > moved    {c.id}  under {c.old or '(top)'} -> under {c.new or '(top)'}{codings(c.codings)}"
        )
    for c in diff.edited:
        click.echo(f"  * edited   {c.id}  {c.new}{codings(c.codings)}")
    for c in diff.removed:
        click.echo(f"  - removed  {c.id}  '{c.name}'{codings(c.codings)}")


@cli.group()
def codebook() -> None:
    """Load, show, export and write back the project's codebook.

    Example:

        coder codebook load codebooks/export-clusters.yaml
    """


@codebook.command(name="load")
@click.argument("file", type=click.Path(path_type=Path))
@project_option
@click.option(
    "--force",
    is_flag=True,
    help="Remove codes even when they have codings (the codings are deleted, logged).",
)
@click.option("--dry-run", is_flag=True, help="Only print what would change.")
@handle_errors
def codebook_load(file: Path, project_path: Path, force: bool, dry_run: bool) -> None:
    """Load or update the codebook from a YAML file (or a REFI-QDA .qdc/.qdpx).

    Prints what changes first: codes added, removed, renamed, moved and edited,
    with how many codings each touches.

    Example:

        coder codebook load codebooks/export-clusters.yaml
    """
    from coder.codebook_file import remember_file
    from coder.codes import load_codebook, plan_load

    book, notes = read_any_codebook(file)
    for note in notes:
        click.echo(f"{file}: {note}", err=True)
    with open_existing(project_path) as project:
        diff = plan_load(project, book)
        label = f"'{book.name}'" + (f" version {book.version}" if book.version else "")
        click.echo(f"codebook {label} from {file}")
        print_diff(diff)
        if not diff.changes:
            click.echo("  no changes")
        if dry_run:
            click.echo("dry run: nothing changed")
            return
        with (
            snapshot_first(project, "codebook-load", when=bool(diff.removed)),
            project.atomic(),
        ):
            diff = load_codebook(project, book, source=str(file), force=force)
            # `coder codebook write` writes back into a YAML file, not a REFI one.
            remember_file(
                project, None if file.suffix.lower() in REFI_SUFFIXES else file
            )
    total = len(book.by_id())
    click.echo(
        f"loaded {_plural(total, 'code')}: {len(diff.added)} added, {len(diff.renamed)} renamed,"
        f" {len(diff.moved)} moved, {len(diff.edited)} edited, {len(diff.removed)} removed"
        + (
            f" ({_plural(diff.codings_lost, 'coding')} deleted)"
            if diff.codings_lost
            else ""
        )
    )


def _tree_json(codes, counts):
    return [
        {
            "id": code.id,
            "name": code.name,
            "colour": code.colour,
            "key": code.key,
            "codings": counts.get(code.id, 0),
            "children": _tree_json(code.children, counts),
        }
        for code in codes
    ]


@codebook.command(name="show")
@project_option
@json_option
@click.option("--coder", help="Count only this coder's codings.")
@handle_errors
def codebook_show(project_path: Path, as_json: bool, coder: str | None) -> None:
    """Print the code tree with coding counts.

    Example:

        coder codebook show --coder maryam
    """
    from coder.codes import coding_counts, current_codebook, latest_version

    with open_existing(project_path) as project:
        book = current_codebook(project)
        counts = coding_counts(project, coder)
        latest = latest_version(project)
    if as_json:
        print_json(
            {
                "name": book.name,
                "version": book.version,
                "revision": latest.revision if latest else None,
                "codes": _tree_json(book.codes, counts),
            }
        )
        return
    if not book.codes:
        raise CoderError(
            "the project has no codebook yet; load one with `coder codebook load FILE`"
        )
    title = Text(book.name, style="bold")
    if book.version:
        title.append(f"  version {book.version}", style="dim")
    if latest:
        title.append(f"  revision {latest.revision}", style="dim")
    tree = Tree(title)

    def add(branch, codes):
        for code in codes:
            label = Text()
            label.append("■ ", style=code.colour or "default")
            label.append(code.name)
            label.append(f"  {code.id}", style="dim")
            if code.key:
                label.append(f"  [{code.key}]", style="cyan")
            label.append(f"  {counts.get(code.id, 0)}", style="bold")
            add(branch.add(label), code.children)

    add(tree, book.codes)
    out.print(tree)


@codebook.command(name="export")
@project_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["yaml", "qdc", "md", "html"]),
    default="yaml",
    show_default=True,
    help="yaml (coder's own), qdc (REFI-QDA, for other tools), md or html (an"
    " appendix).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write (default: stdout; qdc needs a file).",
)
@handle_errors
def codebook_export(project_path: Path, fmt: str, output: Path | None) -> None:
    """Export the codebook as YAML, REFI-QDA .qdc, or a paper's appendix (md, html).

    Example:

        coder codebook export --format md -o appendix.md
    """
    from coder.codebook import codebook_to_yaml
    from coder.codes import coding_counts, current_codebook, latest_version

    with open_existing(project_path) as project:
        book = current_codebook(project)
        counts = coding_counts(project)
        latest = latest_version(project)
    if not book.codes:
        raise CoderError(
            "the project has no codebook yet; load one with `coder codebook load FILE`"
        )
    revision = latest.revision if latest else None
    if fmt == "yaml":
        data: str | bytes = codebook_to_yaml(book)
    elif fmt == "qdc":
        from coder.refi.codebook import codebook_to_qdc

        data = codebook_to_qdc(book)
    elif fmt == "md":
        from coder.exporters.codebook import codebook_markdown

        data = codebook_markdown(book, counts, revision)
    else:
        from coder.exporters.codebook import codebook_html

        data = codebook_html(book, counts, revision)
    if output is None:
        if isinstance(data, bytes):
            raise CoderError("--format qdc writes a file: give -o FILE.qdc")
        click.echo(data, nl=False)
        return
    output.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    click.echo(f"wrote {output}", err=True)


@codebook.command(name="write")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@project_option
@click.option(
    "--force",
    is_flag=True,
    help="Write even when the file changed on disk since it was loaded (its changes are lost).",
)
@click.option("--dry-run", is_flag=True, help="Only print the diff.")
@handle_errors
def codebook_write(
    file: Path | None, project_path: Path, force: bool, dry_run: bool
) -> None:
    """Write the codebook back into the YAML file it was loaded from (or FILE).

    Comments, key order, quoting and unchanged codes stay as they were written;
    prints the diff it applies. Refuses when the file changed on disk since it
    was loaded: load it first, or --force.

    Example:

        coder codebook write
    """
    from coder.codebook_file import write_codebook_file

    with open_existing(project_path) as project:
        result = write_codebook_file(project, file, force=force, dry_run=dry_run)
    click.echo(result.diff, nl=False)
    if not result.changed:
        click.echo(f"{result.path}: already up to date", err=True)
    elif dry_run:
        click.echo(f"dry run: {result.path} not written", err=True)
    else:
        click.echo(f"wrote {result.path}", err=True)


@codebook.command(name="history")
@project_option
@json_option
@handle_errors
def codebook_history_cmd(project_path: Path, as_json: bool) -> None:
    """List the codebook versions the project has had.

    Example:

        coder codebook history --json
    """
    import dataclasses

    from coder.codes import codebook_history

    with open_existing(project_path) as project:
        versions = codebook_history(project)
    if as_json:
        print_json([dataclasses.asdict(v) for v in versions])
        return
    for v in versions:
        click.echo(
            f"{v.revision:>4}  {v.loaded_at}  {v.actor:<12} {v.name} {v.version}  ({v.source})"
        )


@cli.group()
def codes() -> None:
    """Add, edit, rename, merge, split and move codes without losing codings.

    Example:

        coder codes rename trust "Trust (all forms)"
    """


def _text_options(command):
    """--definition, --include, --exclude and --memo: a code's rules, as the YAML has them."""
    for name, help_text in reversed(
        [
            ("definition", "What the code means."),
            ("include", "When to use it."),
            ("exclude", "When not to use it (and what to use instead)."),
            ("memo", "The codebook's memo on the code."),
        ]
    ):
        command = click.option(f"--{name}", metavar="TEXT", help=help_text)(command)
    return command


@codes.command(name="add")
@click.argument("name")
@click.option("--id", "code_id", help="Its stable id (default: the slug of NAME).")
@click.option("--parent", metavar="ID", help="The code or theme it goes under.")
@_text_options
@click.option(
    "--colour", metavar="#RRGGBB", help="Default: the first palette colour not in use."
)
@click.option(
    "--key",
    metavar="LETTER",
    help="Its key in the coding screen (default: a free one).",
)
@click.option("--no-key", is_flag=True, help="Give it no key.")
@project_option
@handle_errors
def codes_add(
    name: str,
    code_id: str | None,
    parent: str | None,
    definition: str | None,
    include: str | None,
    exclude: str | None,
    memo: str | None,
    colour: str | None,
    key: str | None,
    no_key: bool,
    project_path: Path,
) -> None:
    """Create a code named NAME (inductive coding: codes born while reading).

    Example:

        coder codes add "Informal credit" --parent finance --definition "Money lent between firms without a bank"
    """
    from coder.code_editing import add_code

    if key and no_key:
        raise CoderError("give --key or --no-key, not both")
    with open_existing(project_path) as project:
        code = add_code(
            project,
            name,
            code_id=code_id,
            parent=parent,
            definition=definition or "",
            include=include or "",
            exclude=exclude or "",
            memo=memo or "",
            colour=colour,
            key=key,
            auto_key=not no_key,
        )
    where = f" under {parent}" if parent else ""
    key_text = f", key {code.key}" if code.key else ""
    click.echo(f"added {code.id} '{code.name}'{where} ({code.colour}{key_text})")


@codes.command(name="edit")
@click.argument("code_id")
@click.option("--name", help="A new name (the id and codings stay).")
@_text_options
@click.option("--colour", metavar="#RRGGBB", help="A new colour (#rrggbb or #rgb).")
@click.option("--key", metavar="LETTER", help="A new key ('' for none).")
@project_option
@handle_errors
def codes_edit(code_id: str, project_path: Path, **fields: str | None) -> None:
    """Change CODE_ID's name, rules, colour, key or memo; an empty value clears one.

    Example:

        coder codes edit trust --definition "Confidence that a partner will act in good faith" --key t
    """
    from coder.code_editing import edit_code

    given = {name: value for name, value in fields.items() if value is not None}
    if not given:
        raise CoderError(
            "nothing to change: give --name, --definition, --include, --exclude,"
            " --memo, --colour or --key"
        )
    with open_existing(project_path) as project:
        changed = edit_code(project, code_id, **given)
    if not changed:
        click.echo(f"{code_id}: nothing changed")
    for name, (old, new) in changed.items():
        click.echo(f"{code_id} {name}: {_short(old)} -> {_short(new)}")


def _short(value: str | None, limit: int = 60) -> str:
    if not value:
        return "(none)"
    text = " ".join(str(value).split())
    return f"'{text}'" if len(text) <= limit else f"'{text[: limit - 1]}…'"


@codes.command(name="rename")
@click.argument("code_id")
@click.argument("name")
@project_option
@handle_errors
def codes_rename(code_id: str, name: str, project_path: Path) -> None:
    """Give CODE_ID a new NAME (its id and codings stay).

    Example:

        coder codes rename trust "Trust (all forms)"
    """
    from coder.codes import rename_code

    with open_existing(project_path) as project:
        old = rename_code(project, code_id, name)
    click.echo(f"renamed {code_id}: '{old}' -> '{name}'")


@codes.command(name="move")
@click.argument("code_id")
@click.argument("parent", required=False)
@project_option
@click.option("--top", is_flag=True, help="Move to the top level.")
@handle_errors
def codes_move(code_id: str, parent: str | None, project_path: Path, top: bool) -> None:
    """Move CODE_ID under PARENT (or to the top with --top).

    Example:

        coder codes move informal_network social_power
    """
    from coder.codes import move_code

    if bool(parent) == top:
        raise CoderError("give a PARENT code id, or --top")
    with open_existing(project_path) as project:
        old = move_code(project, code_id, None if top else parent)
    click.echo(f"moved {code_id}: under {old or '(top)'} -> under {parent or '(top)'}")


@codes.command(name="merge")
@click.argument("source")
@click.argument("target")
@project_option
@handle_errors
def codes_merge(source: str, target: str, project_path: Path) -> None:
    """Move every coding of SOURCE to TARGET and remove SOURCE.

    Example:

        coder codes merge trust_in_manager trust
    """
    from coder.codes import merge_codes

    with (
        open_existing(project_path) as project,
        snapshot_first(project, "codes-merge"),
    ):
        moved = merge_codes(project, source, target)
    click.echo(f"merged {source} into {target}: {_plural(moved, 'coding')} moved")


@codes.command(name="split")
@click.argument("code_id")
@click.option(
    "--into",
    "into",
    multiple=True,
    required=True,
    metavar="ID:NAME",
    help="A new child code (repeat).",
)
@click.option(
    "--rule",
    "rules",
    multiple=True,
    metavar="ID=REGEX",
    help="Assign codings whose text matches REGEX to child ID.",
)
@project_option
@handle_errors
def codes_split(
    code_id: str, into: tuple[str, ...], rules: tuple[str, ...], project_path: Path
) -> None:
    """Split CODE_ID into new child codes, assigning its codings by rule.

    Codings that no rule matches stay on CODE_ID for review.

    Example:

        coder codes split export_risks --into currency_risk:"Currency risk" --rule currency_risk='currenc|exchange rate'
    """
    from coder.codes import split_code

    children = []
    for item in into:
        child_id, sep, name = item.partition(":")
        if not sep or not name.strip():
            raise CoderError(f"--into wants ID:NAME, got '{item}'")
        children.append((child_id.strip(), name.strip()))
    parsed = {}
    for rule in rules:
        child_id, sep, pattern = rule.partition("=")
        if not sep or not pattern:
            raise CoderError(f"--rule wants ID=REGEX, got '{rule}'")
        parsed[child_id.strip()] = pattern
    with (
        open_existing(project_path) as project,
        snapshot_first(project, "codes-split"),
    ):
        result = split_code(project, code_id, children, parsed)
    assigned = ", ".join(f"{cid}: {n}" for cid, n in result.assigned.items())
    click.echo(
        f"split {code_id} into {', '.join(result.created)} ({assigned});"
        f" {_plural(result.left_on_parent, 'coding')} left on {code_id} for review"
    )
