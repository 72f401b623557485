"""Reading and coding one transcript, from the keyboard (and the mouse).

The screen is made of parts, one module each:

- `selection`: moving by sentence, turn and page, and shaping the selection;
- `coding`: applying and removing codes, undo and redo, memos;
- `review`: reviewing suggested codings in the text;
- `search`: searching the text and filtering sentences by code or speaker;
- `base`: the state and status line they share;
- `screen`: `TranscriptScreen`, which combines them.
"""

from coder.tui.screens.transcript.screen import TranscriptScreen

__all__ = ["TranscriptScreen"]
