"""The `coder` command line: parse options, open the project, call one service, print.

Data goes to stdout (tables, or one JSON document with ``--json``);
progress and diagnostics go to stderr.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from coder import __version__
from coder.errors import CoderError
from coder.store import DEFAULT_PROJECT

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


class CoderClickError(click.ClickException):
    """Prints ``coder: error: <message>`` on one line and exits with 1."""

    def show(self, file=None) -> None:
        click.echo(f"coder: error: {self.format_message()}", err=True, file=file)


def handle_errors(func: Callable) -> Callable:
    """Turn coder's errors into one-line messages; the one place that does."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except CoderError as exc:
            raise CoderClickError(str(exc)) from exc

    return wrapper


def project_option(func: Callable) -> Callable:
    return click.option(
        "-p",
        "--project",
        "project_path",
        envvar="CODER_PROJECT",
        default=DEFAULT_PROJECT,
        show_default=True,
        type=click.Path(dir_okay=False, path_type=Path),
        help="Project file (also from CODER_PROJECT).",
    )(func)


json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print one JSON document."
)


def open_existing(path: Path):
    from coder.store import open_project

    return open_project(path)


def print_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def clock(seconds: float | None) -> str:
    if seconds is None:
        return ""
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="coder")
def cli() -> None:
    """Qualitative interview coding from the terminal.

    Example:

        coder import transcripts/ --case "Kaveh Power Equipment"
    """


@cli.command()
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@project_option
@handle_errors
def init(path: Path | None, project_path: Path) -> None:
    """Create an empty project file.

    Example:

        coder init study.db
    """
    from coder.store import create_project

    target = path or project_path
    with create_project(target):
        pass
    click.echo(f"created project {target}")


@cli.command(name="import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@project_option
@click.option("--case", help="Put every imported document in this case.")
@click.option(
    "--format",
    "fmt",
    help="Importer to use instead of detecting it (text, otter, vtt, srt, docx, md).",
)
@click.option(
    "--lang", default="en", show_default=True, help="Language of the transcripts."
)
@click.option(
    "--model",
    help="An installed spaCy pipeline to segment with (default: blank + lookup lemmas).",
)
@click.option("--replace", is_flag=True, help="Re-import files whose content changed.")
@click.option(
    "--force",
    is_flag=True,
    help="With --replace: replace even if codings would be lost.",
)
@handle_errors
def import_(paths, project_path, case, fmt, lang, model, replace, force) -> None:
    """Import transcript files and folders into the project (created if missing).

    Example:

        coder import interviews/ --case "Pars Oil & Gas Services"
    """
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from coder.documents import import_transcripts
    from coder.importers import IMPORTERS, format_names
    from coder.store import open_project

    if fmt and fmt not in IMPORTERS:
        raise CoderError(f"unknown format '{fmt}' (known: {format_names()})")
    created = not project_path.exists()
    # Parse everything before creating a project, so a bad file leaves nothing behind.
    from coder.documents import expand_paths

    expand_paths(paths)
    project = open_project(project_path, create=True)
    try:
        with Progress(
            TextColumn("segmenting"),
            BarColumn(),
            TextColumn("{task.completed:,}/{task.total:,} words"),
            TimeRemainingColumn(),
            console=err,
            transient=True,
            disable=not err.is_terminal,
        ) as bar:
            task = bar.add_task("import", total=None)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            report = import_transcripts(
                project,
                paths,
                case=case,
                fmt=fmt,
                lang=lang,
                model=model,
                replace=replace,
                force=force,
                progress=progress,
            )
    except BaseException:
        project.close()
        if created:
            project_path.unlink(missing_ok=True)
        raise
    project.close()
    for note in report.notes:
        err.print(note, markup=False)
    if created:
        click.echo(f"created project {project_path}")
    done = len(report.imported) + len(report.replaced)
    click.echo(
        f"imported {done} document{'s' if done != 1 else ''}"
        f" ({report.words:,} words, {report.segments:,} segments)"
        + (f", replaced {len(report.replaced)}" if report.replaced else "")
        + (
            f", skipped {len(report.skipped)} already imported"
            if report.skipped
            else ""
        )
    )


@cli.command()
@project_option
@json_option
@click.option("--case", help="Only documents of this case.")
@handle_errors
def docs(project_path, as_json, case) -> None:
    """List documents with case, attributes, speakers, segments and words.

    Example:

        coder docs --case "Sepehr Renewables" --json
    """
    from coder.attributes import list_attributes
    from coder.documents import list_documents

    with open_existing(project_path) as project:
        documents = [
            d for d in list_documents(project) if case is None or d.case == case
        ]
        # The table shows the grouping attributes; --json has them all.
        groupings = [a.name for a in list_attributes(project) if a.type == "category"]
    if as_json:
        print_json(
            [
                {
                    "name": d.name,
                    "file": d.filename,
                    "format": d.format,
                    "case": d.case,
                    "attributes": d.attributes,
                    "speakers": d.speakers,
                    "turns": d.turns,
                    "sentences": d.sentences,
                    "words": d.words,
                    "language": d.language,
                    "sha256": d.sha256,
                    "imported_at": d.imported_at,
                }
                for d in documents
            ]
        )
        return
    table = Table(box=None, header_style="bold")
    table.add_column("document", no_wrap=True)
    table.add_column("case")
    for name in groupings:
        table.add_column(name)
    for column in ("speakers", "turns", "sentences", "words"):
        table.add_column(column, justify="right")
    for d in documents:
        table.add_row(
            d.name,
            d.case or "",
            *(str(d.attributes.get(k, "")) for k in groupings),
            str(len(d.speakers)),
            str(d.turns),
            str(d.sentences),
            f"{d.words:,}",
        )
    out.print(table)


@cli.command()
@click.argument("document")
@project_option
@json_option
@handle_errors
def show(document, project_path, as_json) -> None:
    """Show a document segmented into turns and sentences.

    Example:

        coder show pe-01-farahani --json
    """
    from coder.documents import document_segments, get_document

    with open_existing(project_path) as project:
        doc = get_document(project, document)
        segments = document_segments(project, document)
    if as_json:
        print_json(
            {
                "document": doc.name,
                "case": doc.case,
                "attributes": doc.attributes,
                "segments": [
                    {
                        "id": s.id,
                        "kind": s.kind,
                        "start": s.start,
                        "end": s.end,
                        "speaker": s.speaker,
                        "start_time": s.start_time,
                        "end_time": s.end_time,
                        "text": doc.text[s.start : s.end],
                    }
                    for s in segments
                ],
            }
        )
        return
    title = Text(doc.name, style="bold")
    if doc.case:
        title.append(f"  ({doc.case})", style="dim")
    out.print(title)
    for segment in segments:
        if segment.kind == "sentence":
            line = Text(f"  {segment.seq + 1:>4}  ", style="dim")
            line.append(doc.text[segment.start : segment.end])
            out.print(line)
        else:
            header = Text("\n")
            if segment.start_time is not None:
                header.append(f"[{clock(segment.start_time)}] ", style="cyan")
            header.append(segment.speaker or "¶", style="bold magenta")
            out.print(header)


@cli.command()
@project_option
@json_option
@handle_errors
def cases(project_path, as_json) -> None:
    """List cases with their documents.

    Example:

        coder cases --json
    """
    from coder.cases import list_cases

    with open_existing(project_path) as project:
        found = list_cases(project)
    if as_json:
        print_json(
            [
                {"name": c.name, "documents": c.documents, "attributes": c.attributes}
                for c in found
            ]
        )
        return
    table = Table(box=None, header_style="bold")
    table.add_column("case")
    table.add_column("documents", justify="right")
    table.add_column("names")
    for c in found:
        table.add_row(c.name, str(len(c.documents)), ", ".join(c.documents))
    out.print(table)


@cli.group()
def case() -> None:
    """Put documents into cases."""


@case.command(name="set")
@click.argument("document")
@click.argument("case_name", metavar="CASE")
@project_option
@handle_errors
def case_set(document, case_name, project_path) -> None:
    """Put DOCUMENT in CASE (created if new).

    Example:

        coder case set og-02-tehrani "Pars Oil & Gas Services"
    """
    from coder.cases import set_case

    with open_existing(project_path) as project:
        set_case(project, document, case_name)
    click.echo(f"{document} is in case '{case_name}'")


def parse_types(values: tuple[str, ...]) -> dict[str, str]:
    types = {}
    for value in values:
        name, sep, kind = value.partition("=")
        if not sep or not name or not kind:
            raise CoderError(f"--type wants NAME=TYPE, got '{value}'")
        types[name.strip()] = kind.strip()
    return types


@cli.group(invoke_without_command=True)
@project_option
@json_option
@click.pass_context
@handle_errors
def attributes(ctx, project_path, as_json) -> None:
    """List attributes (or import them with `coder attributes import`).

    Example:

        coder attributes --json
    """
    if ctx.invoked_subcommand is not None:
        return
    from coder.attributes import list_attributes

    with open_existing(project_path) as project:
        found = list_attributes(project)
    if as_json:
        print_json([dataclasses.asdict(a) for a in found])
        return
    table = Table(box=None, header_style="bold")
    for column in ("attribute", "type", "documents", "cases", "values"):
        table.add_column(
            column, justify="right" if column in {"documents", "cases"} else "left"
        )
    for a in found:
        shown = a.values if len(a.values) <= 8 else [*a.values[:8], "..."]
        table.add_row(a.name, a.type, str(a.documents), str(a.cases), ", ".join(shown))
    out.print(table)


@attributes.command(name="import")
@click.argument("csv_file", type=click.Path(path_type=Path))
@project_option
@click.option(
    "--type",
    "types",
    multiple=True,
    metavar="NAME=TYPE",
    help="Override an inferred type (text, number, date, category).",
)
@handle_errors
def attributes_import(csv_file, project_path, types) -> None:
    """Set attributes from a CSV: first column a document or case name.

    A column named `case` puts each document in that case.

    Example:

        coder attributes import transcripts/attributes.csv --type employees=number
    """
    from coder.attributes import import_csv

    with open_existing(project_path) as project:
        result = import_csv(project, csv_file, parse_types(types))
    click.echo(
        f"set {len(result.attributes)} attribute{'s' if len(result.attributes) != 1 else ''}"
        f" on {result.documents} documents and {result.cases} cases"
        + (
            f"; {result.case_assignments} documents put in cases"
            if result.case_assignments
            else ""
        )
    )


@cli.command()
@project_option
@json_option
@handle_errors
def info(project_path, as_json) -> None:
    """Summarise the project: counts, schema version, size.

    Example:

        coder info -p study.db
    """
    from coder.summary import summarize

    with open_existing(project_path) as project:
        summary = summarize(project)
    if as_json:
        print_json(summary)
        return
    print_summary(summary)


def print_summary(summary: dict[str, Any]) -> None:
    table = Table(box=None, show_header=False)
    table.add_column(style="bold")
    table.add_column(justify="right")
    for key, value in summary.items():
        table.add_row(
            key.replace("_", " "),
            f"{value:,}" if isinstance(value, int) else str(value),
        )
    out.print(table)


@cli.command()
@click.option(
    "--dir",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the demo project (default: a fresh ./coder-demo).",
)
@click.option("--no-open", is_flag=True, help="Build the project but do not open it.")
@handle_errors
def demo(folder: Path | None, no_open: bool) -> None:
    """Build a project from the bundled demo study and open it.

    Example:

        coder demo --dir /tmp/study
    """
    from coder.demo import build_demo, fresh_folder
    from coder.summary import summarize

    folder = folder or fresh_folder(Path.cwd() / "coder-demo")
    if (folder / "demo.db").exists():
        raise CoderError(f"{folder / 'demo.db'}: already exists; choose another --dir")
    with err.status(
        "building the demo project (importing and segmenting 9 interviews)"
    ):
        built = build_demo(folder)
    with built.project as project:
        summary = summarize(project)
    click.echo(f"demo project: {folder / 'demo.db'}")
    print_summary(summary)
    click.echo(f"\nnext: coder docs -p {folder / 'demo.db'}")
    _ = no_open  # the coding TUI opens here once it exists


def main() -> None:
    cli(prog_name="coder")


if __name__ == "__main__":
    main()
