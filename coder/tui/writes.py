"""Writes from the TUI that never freeze the keyboard when another process holds the lock.

A coding, memo or decision is written at once with a short wait for the
project's write lock. When another coder or an import holds it longer, the
write is kept as pending, shown on the status line, and tried again in the
background, in the order it was asked for; later writes queue behind it, so
an undo never overtakes the coding it undoes. A write that still cannot land
after the project's full lock wait is reported, and nothing else is lost.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from textual.app import App
from textual.timer import Timer

from coder.errors import BusyError, CoderError
from coder.tui.messages import PendingWritesChanged

# The keyboard waits at most this long for the lock at a key press (ms) ...
FIRST_WAIT_MS = 60
# ... and a retry in the background this long, every RETRY_SECONDS.
RETRY_WAIT_MS = 25
RETRY_SECONDS = 0.25


@dataclass
class PendingWrite:
    """A write asked for and not yet stored."""

    label: str
    write: Callable[[], Any]
    done: Callable[[Any], None] | None = None
    failed: Callable[[CoderError], None] | None = None
    since: float = field(default_factory=time.monotonic)


class WriteQueue:
    """The app's writes, stored in order, waiting their turn without blocking.

    Args:
        app: The app, for timers, notifications and the current screen.
        give_up_after: Seconds a write may stay pending before it is reported
            as not saved (the project's own lock wait).
    """

    def __init__(self, app: App, give_up_after: float) -> None:
        self.app = app
        self.give_up_after = give_up_after
        self._queue: deque[PendingWrite] = deque()
        self._timer: Timer | None = None

    @property
    def pending(self) -> list[str]:
        """What is waiting, oldest first."""
        return [item.label for item in self._queue]

    def submit(
        self,
        label: str,
        write: Callable[[], Any],
        done: Callable[[Any], None] | None = None,
        failed: Callable[[CoderError], None] | None = None,
    ) -> None:
        """Store `write()` now if the lock is free soon, else as soon as it is.

        Args:
            label: What the write is, for the status line ("trust on a03").
            write: Calls one service; its result goes to `done`.
            done: Called with the result once stored.
            failed: Called with the error when the service refuses the write
                (default: a notification).
        """
        self._queue.append(PendingWrite(label, write, done, failed))
        self._drain(FIRST_WAIT_MS)
        if self._queue:
            self._changed()
            self._schedule()

    def flush(self, wait_ms: int) -> bool:
        """Try to store everything pending now, waiting up to `wait_ms` each."""
        self._drain(wait_ms)
        self._changed()
        return not self._queue

    def _schedule(self) -> None:
        if self._timer is None:
            self._timer = self.app.set_interval(RETRY_SECONDS, self._retry)

    def _retry(self) -> None:
        before = len(self._queue)
        self._drain(RETRY_WAIT_MS)
        if self._queue and time.monotonic() - self._queue[0].since > self.give_up_after:
            lost = [item.label for item in self._queue]
            self._queue.clear()
            self.app.notify(
                f"Not saved: {', '.join(lost)}. The project stayed busy for over"
                f" {self.give_up_after:g} s (another coder process is writing);"
                " your selection is kept, try again.",
                severity="error",
                timeout=30,
            )
        if not self._queue and self._timer is not None:
            self._timer.stop()
            self._timer = None
        if len(self._queue) != before:
            self._changed()

    def _drain(self, wait_ms: int) -> None:
        project = self.app.project
        while self._queue:
            item = self._queue[0]
            try:
                with project.lock_wait(wait_ms):
                    result = item.write()
            except BusyError:
                return
            except CoderError as error:
                self._queue.popleft()
                if item.failed is not None:
                    item.failed(error)
                else:
                    self.app.notify(str(error), severity="error")
                continue
            self._queue.popleft()
            if item.done is not None:
                item.done(result)

    def _changed(self) -> None:
        self.app.screen.post_message(PendingWritesChanged(len(self._queue)))
