"""Opening the coding TUI: `coder open`."""

from __future__ import annotations

from pathlib import Path

import click

from coder.cli.base import cli, handle_errors, project_option


def run_tui(
    project_path: Path,
    coder: str | None = None,
    document: str | None = None,
    resolve: list[str] | None = None,
    consensus: str = "consensus",
) -> None:
    """Open a project in the TUI as `coder` (default: CODER_USER or the login name)."""
    from coder.store import open_project
    from coder.tui.app import CoderApp

    with open_project(project_path, actor=coder) as project:
        if document is not None:
            from coder.cases import document_id

            document_id(
                project, document
            )  # an unknown name fails here, listing the known ones
        app = CoderApp(
            project,
            coder=coder,
            document=document,
            resolve=resolve,
            consensus=consensus,
        )
        app.run()
    if app.return_code:
        # Textual has shown what failed; the exit code says it failed.
        raise SystemExit(3)


@cli.command(name="open")
@project_option
@click.option(
    "--coder",
    help="Who is coding (default: CODER_USER or the login name).",
)
@click.option("--doc", "document", help="Open this document's transcript at once.")
@click.option(
    "--resolve",
    "resolve",
    metavar="CODERS",
    help="Open on resolving the disagreements between these coders (alice,bob).",
)
@click.option(
    "--consensus",
    default="consensus",
    show_default=True,
    help="Name of the consensus coder that --resolve writes to.",
)
@handle_errors
def open_(
    project_path: Path,
    coder: str | None,
    document: str | None,
    resolve: str | None,
    consensus: str,
) -> None:
    """Read and code transcripts in the terminal, from the keyboard.

    Every coding is saved the moment it is made, as yours (--coder); press ?
    on any screen for its keys.

    Example:

        coder open -p study.db --coder ana

        coder open -p study.db --resolve alice,bob
    """
    coders = None
    if resolve is not None:
        coders = [name.strip() for name in resolve.split(",") if name.strip()]
        if len(coders) < 2:
            raise click.UsageError("--resolve needs two or more coders: alice,bob")
        if consensus in coders:
            raise click.UsageError(
                f"'{consensus}' is one of the coders; name the consensus differently"
            )
    run_tui(project_path, coder, document, coders, consensus)
