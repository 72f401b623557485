"""Commands that bring transcripts in and show them: import, docs, show."""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table
from rich.text import Text

from coder.cli.base import (
    cli,
    clock,
    err,
    handle_errors,
    json_option,
    open_existing,
    out,
    print_json,
    project_option,
)
from coder.cli.maintenance import snapshot_first


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
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    help="Processes that parse and segment (default: one per core for large imports).",
)
@click.option(
    "--create",
    is_flag=True,
    help="Create the project if it does not exist (otherwise a missing one is refused).",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="For a .qdpx or .qde: print what would come in and what not; change nothing.",
)
@handle_errors
def import_(
    paths, project_path, case, fmt, lang, model, replace, force, jobs, create, dry_run
) -> None:
    """Import transcript files and folders into the project.

    A missing project is refused, as by every other command (a typo in -p
    would otherwise start a new, empty one); --create makes it.

    Example:

        coder import interviews/ --case "Pars Oil & Gas Services"

    A REFI-QDA project (.qdpx, or a .qde with its sources/ beside it) brings
    in codes, coders, codings, memos, cases and attributes too:

        coder import study.qdpx --create
    """
    from coder.cli.refi import import_package, is_refi

    if is_refi(paths):
        unused = {"--case": case, "--format": fmt, "--model": model, "--jobs": jobs}
        unused |= {"--replace": replace, "--force": force}
        import_package(paths, project_path, lang, create, dry_run, unused)
        return
    if dry_run:
        raise click.UsageError("--dry-run is for a .qdpx or .qde project")
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    from coder.documents import import_transcripts
    from coder.importers import check_format
    from coder.store import open_project
    from coder.store.project import inspect_project

    check_format(fmt)
    if not create:
        # Refuse before parsing anything, with the same message as elsewhere.
        inspect_project(project_path)
    created = not project_path.exists()
    # Folders made for a new project go too if the import fails (deepest first).
    new_folders = [folder for folder in project_path.parents if not folder.exists()]
    # Parse everything before creating a project, so a bad file leaves nothing behind.
    from coder.documents import expand_paths

    expand_paths(paths)
    project = open_project(project_path, create=create)
    try:
        # Refreshed as documents are stored rather than by a thread of its
        # own: the import forks workers only from a single-threaded process.
        with (
            snapshot_first(project, "import-replace", when=replace and not created),
            Progress(
                TextColumn("importing"),
                BarColumn(),
                DownloadColumn(),
                TimeRemainingColumn(),
                console=err,
                transient=True,
                auto_refresh=False,
                disable=not err.is_terminal,
            ) as bar,
        ):
            task = bar.add_task("import", total=None)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total, refresh=True)

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
                jobs=jobs,
            )
    except BaseException:
        project.close()
        if created:
            project_path.unlink(missing_ok=True)
            for folder in new_folders:
                # Not empty (someone else wrote there): leave it and its parents.
                if any(folder.iterdir()):
                    break
                folder.rmdir()
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
    from coder.reading import list_documents

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
    """Show a document segmented into numbered turns and sentences, with times.

    Example:

        coder show pe-01-farahani --json
    """
    from coder.reading import document_segments, get_document

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
    lines = [title]
    # The last time printed: a sentence shows its own only where a cue inside
    # a long paragraph moves it on, so a speakerless .vtt (one paragraph for
    # twenty minutes) can still be followed against the recording.
    shown = ""
    for segment in segments:
        if segment.kind == "sentence":
            line = Text(f"  {segment.seq + 1:>4}  ", style="dim")
            stamp = clock(segment.start_time)
            if stamp and stamp != shown:
                line.append(f"[{stamp}] ", style="cyan")
                shown = stamp
            line.append(doc.text[segment.start : segment.end])
        else:
            line = Text("\n")
            shown = clock(segment.start_time)
            if segment.start_time is not None:
                line.append(f"[{clock(segment.start_time)}] ", style="cyan")
            line.append(segment.speaker or "¶", style="bold magenta")
            # Numbered as quotes and exports name them ("turn 12, 00:14:03").
            line.append(f"  (turn {segment.seq + 1})", style="dim")
        lines.append(line)
    # One print: rich's per-call work, a few hundred times, was a third of
    # the command's time.
    out.print(Text("\n").join(lines))
