"""`coder help`: the user guide's pages, listed and read in the terminal."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import click

from coder.bundled import bundled_dir
from coder.cli.base import cli, handle_errors, print_json
from coder.errors import CoderError

# One entry of docs/README.md: "1. [Title](page.md): what the page is about."
_ENTRY = re.compile(
    r"^\s*(?:\d+\.|[-*])\s+\[(?P<title>[^\]]+)\]\((?P<file>[\w.-]+\.md)\)\s*[:—–-]?\s*(?P<line>.*)$"
)


@dataclass(frozen=True)
class Topic:
    """One page of the guide: its name (the file's stem), title and summary."""

    name: str
    title: str
    summary: str
    path: Path


def guide_topics(folder: Path | None = None) -> list[Topic]:
    """The guide's pages in reading order, as docs/README.md lists them.

    A page the index forgets still counts; it comes last, by name.
    """
    folder = folder or bundled_dir("docs")
    index = folder / "README.md"
    topics: list[Topic] = []
    if index.is_file():
        for line in index.read_text(encoding="utf-8").splitlines():
            match = _ENTRY.match(line)
            if match and (folder / match["file"]).is_file():
                topics.append(
                    Topic(
                        Path(match["file"]).stem,
                        match["title"],
                        match["line"].strip(),
                        folder / match["file"],
                    )
                )
    listed = {topic.name for topic in topics}
    for page in sorted(folder.glob("*.md")):
        if page.stem not in listed and page.name != "README.md":
            topics.append(Topic(page.stem, page.stem, "", page))
    return topics


def find_topic(topics: list[Topic], name: str) -> Topic:
    """The topic called `name`, or the one topic whose name starts with it."""
    wanted = name.lower().removesuffix(".md")
    for topic in topics:
        if topic.name == wanted:
            return topic
    matches = [topic for topic in topics if topic.name.startswith(wanted)]
    if len(matches) == 1:
        return matches[0]
    names = ", ".join(topic.name for topic in topics)
    if matches:
        raise CoderError(
            f"help topic '{name}' is ambiguous: "
            + ", ".join(topic.name for topic in matches)
        )
    raise CoderError(f"no help topic '{name}'; the topics are: {names}")


@cli.command(name="help")
@click.argument("topic", required=False)
@click.option(
    "--raw", is_flag=True, help="Print the page's Markdown source, unformatted."
)
@click.option(
    "--json", "as_json", is_flag=True, help="List the topics as JSON (without TOPIC)."
)
@handle_errors
def help_command(topic: str | None, raw: bool, as_json: bool) -> None:
    """Read the user guide: list its topics, or show one page (TOPIC).

    A topic is a page's name (`coder help importing`) or the start of one
    (`coder help refi`). The pages are the Markdown files in docs/, shipped
    with coder.

    Example:

        coder help importing
    """
    topics = guide_topics()
    if topic is None:
        if as_json:
            print_json(
                [
                    {"topic": t.name, "title": t.title, "summary": t.summary}
                    for t in topics
                ]
            )
            return
        width = max(len(t.name) for t in topics)
        for t in topics:
            summary = (t.summary or t.title).replace("`", "")
            click.echo(f"{t.name:<{width}}  {summary}".rstrip())
        click.echo("\nRead one with: coder help TOPIC", err=True)
        return
    page = find_topic(topics, topic)
    text = page.path.read_text(encoding="utf-8")
    if raw:
        click.echo(text, nl=False)
        return
    # Imported here only: Markdown pulls in a syntax highlighter that the
    # other commands should not pay for at start-up.
    from rich.console import Console
    from rich.markdown import Markdown

    # Not the shared console: its soft wrap would crop wide code blocks.
    Console(highlight=False).print(Markdown(text, hyperlinks=True))
