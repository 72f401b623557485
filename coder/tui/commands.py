"""The command palette's provider: every action of the current screen and app, every code, every document."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode
from textual.screen import Screen

from coder.tui.keys import key_rows


@dataclass
class Command:
    title: str
    help: str
    run: Callable[[], object]


async def _run(node: DOMNode, action: str) -> None:
    await node.run_action(action)


def commands_for(screen: Screen) -> list[Command]:
    """What the palette offers on `screen`, made from the bindings of the screen and app."""
    app = screen.app
    commands: list[Command] = []
    for node in (screen, app):
        for row in key_rows(node._bindings):
            if (
                len(row.actions) != 1
                or row.actions[0] == "command_palette"
                or row.actions[0].startswith("apply_code(")
            ):
                continue  # digits and code keys: every code is listed by name below
            action = row.actions[0]
            commands.append(
                Command(
                    row.description,
                    f"keys: {row.keys_text}",
                    partial(_run, node, action),
                )
            )
    if hasattr(screen, "action_apply_code"):
        for entry in app.codes.entries:
            key = f" (key {entry.code.key})" if entry.code.key else ""
            commands.append(
                Command(
                    f"Apply code: {entry.name}",
                    f"no. {entry.number}{key}: code the selection",
                    partial(_run, screen, f"apply_code('{entry.id}')"),
                )
            )
    for name in app.document_names():
        commands.append(
            Command(
                f"Open document: {name}",
                "read and code it",
                partial(app.open_document, name),
            )
        )
    return commands


class CoderCommands(Provider):
    """Every coder action by name."""

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in commands_for(self.screen):
            score = matcher.match(command.title)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(command.title),
                    command.run,
                    help=command.help,
                )

    async def discover(self) -> Hits:
        for command in commands_for(self.screen):
            yield DiscoveryHit(command.title, command.run, help=command.help)
