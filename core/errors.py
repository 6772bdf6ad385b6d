"""The exception tree of the core layer."""

from __future__ import annotations


class CoreError(Exception):
    """Base of every error raised by `core`."""


class ConfigError(CoreError):
    """A configuration file is missing, unreadable or holds a wrong value.

    The message is one line naming the file and the key, fit to print as is.
    """


class DatabaseError(CoreError):
    """The database cannot be reached or is not at the expected schema."""


class JobError(CoreError):
    """Base of the job-queue errors a handler may raise on purpose."""


class RetryLater(JobError):
    """Raised by a job handler: try again after `delay` seconds (e.g. a Retry-After)."""

    def __init__(self, reason: str, delay: float | None = None) -> None:
        super().__init__(reason)
        self.delay = delay


class PermanentFailure(JobError):
    """Raised by a job handler: retrying cannot help; the job goes dead at once."""
