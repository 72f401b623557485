"""Keys typed faster than focus moves: give them to the text box that now has focus.

Textual hands each key to the widget focused when the app reads it. Type
``/kav`` in one burst and ``k``, ``a`` and ``v`` reach the table before ``/``
has moved focus to the filter box; they bubble up unhandled, and ``k`` would
even move the cursor. A screen calls `redirect_typing` from its ``on_key``
to send such keys on to the box that has focus by then.
"""

from __future__ import annotations

from textual import events
from textual.screen import Screen
from textual.widgets import Input, TextArea


def redirect_typing(screen: Screen, event: events.Key) -> None:
    """Send a printable key that bubbled up to `screen` to the focused text box."""
    focused = screen.app.focused
    if (
        isinstance(focused, Input | TextArea)
        and event.is_printable
        and event.character
        and not getattr(focused, "read_only", False)
    ):
        # A box that got the key itself would have stopped it: this one went astray.
        event.stop()
        event.prevent_default()
        focused.post_message(events.Key(event.key, event.character))
