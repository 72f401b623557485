"""Fixtures for the TUI tests: the demo project opened as coder "ana"."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from coder.store import open_project
from coder.tui.app import CoderApp

CODER = "ana"
SIZE = (100, 32)


@pytest.fixture
def project(demo_path):
    """A private copy of the demo project, open as ana."""
    with open_project(demo_path, actor=CODER) as opened:
        yield opened


@pytest.fixture
def app(project) -> CoderApp:
    return CoderApp(project, coder=CODER)


@pytest.fixture
def drive(app) -> Callable[[Callable[..., Awaitable[None]]], None]:
    """Run `scenario(pilot)` in the app, headless at a fixed size."""

    def run(scenario: Callable[..., Awaitable[None]], size=SIZE) -> None:
        async def main() -> None:
            async with app.run_test(size=size) as pilot:
                await pilot.pause()
                await scenario(pilot)

        asyncio.run(main())

    return run
