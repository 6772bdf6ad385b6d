"""Request rate limits kept in the process: fixed windows aligned on the clock (as Mastodon's
Rack::Attack counts them), one counter per key and window.

One process counts its own requests; several web processes behind a proxy each allow the
limit (a shared counter in the database is for the scale-out issue)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from core import clock


@dataclass(frozen=True)
class Limit:
    """At most `requests` in each window of `period` seconds."""

    requests: int
    period: int

    def __post_init__(self) -> None:
        if self.requests < 1 or self.period < 1:
            raise ValueError("a rate limit needs at least one request and one second")


@dataclass(frozen=True)
class Decision:
    """The outcome for one request: allowed or not, and the numbers for the headers."""

    allowed: bool
    limit: int
    remaining: int
    reset_at: datetime

    @property
    def retry_after(self) -> int:
        """Whole seconds until the window ends (at least 1)."""
        return max(1, int((self.reset_at - clock.now()).total_seconds() + 0.999))


class RateLimiter:
    """Counts requests per key in fixed windows of one Limit; forgets past windows."""

    def __init__(self, limit: Limit) -> None:
        self.limit = limit
        self._window = -1
        self._counts: dict[str, int] = {}

    def hit(self, key: str) -> Decision:
        """Count one request of `key` and say whether it is within the limit (a refused
        request is counted too, so hammering does not help)."""
        now = clock.now().timestamp()
        window = int(now // self.limit.period)
        if window != self._window:  # a new window: every past counter is void
            self._window, self._counts = window, {}
        count = self._counts.get(key, 0) + 1
        self._counts[key] = count
        reset_at = datetime.fromtimestamp((window + 1) * self.limit.period, UTC)
        return Decision(allowed=count <= self.limit.requests, limit=self.limit.requests,
                        remaining=max(0, self.limit.requests - count), reset_at=reset_at)
