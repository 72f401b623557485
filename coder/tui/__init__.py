"""The coding TUI (Textual); the core never imports it."""
