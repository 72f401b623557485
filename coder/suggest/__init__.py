"""Suggested codings: proposals with a reason, accepted or rejected by a person."""
