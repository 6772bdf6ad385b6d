"""The exception tree of the content layer."""

from __future__ import annotations


class ContentError(Exception):
    """Base of every error raised by `content`."""


class ValidationFailed(ContentError):
    """Input a person typed is not acceptable; `errors` maps a field name to a message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class NotAllowed(ContentError):
    """The actor may not do this to this post (not its author, not a chapter member …)."""


class NotFound(ContentError):
    """The post asked for does not exist (or was deleted)."""
