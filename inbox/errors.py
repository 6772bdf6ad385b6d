"""The exception tree of the inbox layer."""

from __future__ import annotations


class InboxError(Exception):
    """Base of every error raised by `inbox`."""


class Rejected(InboxError):
    """An inbound request refused with an HTTP status (400, 401, 403, 404, 413)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(f"{status}: {reason}")
        self.status = status
        self.reason = reason


class ActorUnavailable(InboxError):
    """A remote actor (or its key) could not be fetched or did not make sense."""

    def __init__(self, reason: str, *, gone: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.gone = gone


class ObjectUnavailable(InboxError):
    """A remote object could not be fetched, or is not what it should be."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
