"""The TUI's screens, one per task."""
