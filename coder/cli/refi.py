"""`coder export qdpx` and the REFI-QDA branch of `coder import`: whole projects with other tools."""

from __future__ import annotations

from pathlib import Path

import click

from coder.cli.base import err, handle_errors, open_existing, project_option
from coder.cli.export import export

REFI_SUFFIXES = (".qdpx", ".qde")


@export.command(name="qdpx")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The .qdpx file to write.",
)
@click.option(
    "--for",
    "target",
    type=click.Choice(["standard", "nvivo", "atlasti", "maxqda", "qualcoder", "qc"]),
    default="standard",
    show_default=True,
    help="Line ends and position counting the receiving tool expects (docs/refi-qda.md).",
)
@project_option
@handle_errors
def export_qdpx(output, target, project_path) -> None:
    """The whole project as a REFI-QDA package for NVivo, ATLAS.ti, MAXQDA, QualCoder, qc.

    Coders, codebook, documents, codings, memos, cases and attributes.

    Example:

        coder export qdpx -o study.qdpx --for nvivo
    """
    from coder.refi.project_export import export_qdpx as write

    with open_existing(project_path) as project:
        report = write(project, output, target)
    click.echo(
        f"wrote {output}: {report.sources} documents, {report.codes} codes,"
        f" {report.users} coders, {report.codings} codings, {report.notes} memos,"
        f" {report.cases} cases, {report.variables} attributes, {report.sets} sets"
        + (f" (conventions for {target})" if target != "standard" else "")
    )


def is_refi(paths) -> bool:
    """Whether `coder import` was given a REFI-QDA project."""
    return any(Path(path).suffix.lower() in REFI_SUFFIXES for path in paths)


def import_package(
    paths, project_path: Path, lang: str, create: bool, dry_run: bool, unused=None
) -> None:
    """`coder import study.qdpx`: one package into a new or the current project.

    Args:
        unused: Options of `coder import` given that a package has no use
            for (name: value); any set is a usage error.
    """
    from coder.errors import CoderError

    given = [name for name, value in (unused or {}).items() if value]
    if given:
        raise click.UsageError(
            f"{', '.join(given)} {'does' if len(given) == 1 else 'do'} not apply to a"
            " .qdpx or .qde: its cases and codes come with it"
        )
    from coder.refi.project_import import import_refi
    from coder.store import open_project
    from coder.store.project import inspect_project

    if len(paths) != 1:
        raise CoderError("import one .qdpx or .qde at a time, without other files")
    path = Path(paths[0])
    if not path.is_file():
        raise CoderError(f"{path}: no such file")
    if dry_run:
        if project_path.exists():
            with open_existing(project_path) as project:
                result = import_refi(project, path, lang=lang, dry_run=True)
        else:
            # Nothing to compare against: read the file with a throwaway project.
            import tempfile

            from coder.store import create_project

            with (
                tempfile.TemporaryDirectory() as folder,
                create_project(Path(folder) / "dry.db") as project,
            ):
                result = import_refi(project, path, lang=lang, dry_run=True)
        for line in result.lines():
            click.echo(line)
        return
    if not create:
        inspect_project(project_path)
    created = not project_path.exists()
    # Folders made for a new project go too if the import fails (deepest first).
    new_folders = [folder for folder in project_path.parents if not folder.exists()]
    project = open_project(project_path, create=create)
    try:
        result = import_refi(project, path, lang=lang)
    except BaseException:
        project.close()
        if created:
            project_path.unlink(missing_ok=True)
            for folder in new_folders:
                if any(folder.iterdir()):
                    break
                folder.rmdir()
        raise
    project.close()
    lines = result.lines()
    click.echo(lines[0])
    for line in lines[1:]:
        err.print(line, markup=False)
