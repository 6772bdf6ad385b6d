"""The exception tree of the actors layer."""

from __future__ import annotations


class ActorsError(Exception):
    """Base of every error raised by `actors`."""


class ValidationFailed(ActorsError):
    """Input a person typed is not acceptable; `errors` maps a field name to a message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class NotFound(ActorsError):
    """The actor, chapter or account asked for does not exist."""


class LoginFailed(ActorsError):
    """Wrong email/username or password, or an account that may not log in yet."""


class LinkRefused(ActorsError):
    """An emailed link that cannot be used: `reason` is unknown, used, expired or taken."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"link refused: {reason}")
        self.reason = reason
