"""Remote hosts' delivery health: failure days, unavailability, the signature scheme they take."""

from __future__ import annotations

from typing import Literal

from tortoise.exceptions import IntegrityError

from actors.models import HostHealth
from core import clock

#: Distinct days of failed deliveries after which a host is skipped (Mastodon: 7).
UNAVAILABLE_AFTER_DAYS = 7
Scheme = Literal["cavage", "rfc9421"]


async def _row(host: str) -> HostHealth:
    row = await HostHealth.get_or_none(host=host)
    if row is None:
        try:
            row = await HostHealth.create(host=host)
        except IntegrityError:  # made by a concurrent delivery
            row = await HostHealth.get(host=host)
    return row


async def is_host_unavailable(host: str) -> bool:
    return await HostHealth.filter(host=host, unavailable_since__isnull=False).exists()


async def preferred_scheme(host: str) -> Scheme:
    """The signature scheme that last worked with `host` (draft-cavage until we know)."""
    row = await HostHealth.get_or_none(host=host)
    return "rfc9421" if row is not None and row.signature_scheme == "rfc9421" else "cavage"


async def record_delivery_success(host: str, scheme: Scheme) -> None:
    """A delivery got 2xx: the failure record is cleared and the scheme remembered."""
    row = await HostHealth.get_or_none(host=host)
    if (row is not None and not row.failure_days and row.unavailable_since is None
            and row.signature_scheme == scheme):
        return  # nothing to change: no write on the common path
    row = row or await _row(host)
    row.failure_days, row.unavailable_since = [], None
    row.signature_scheme, row.last_success_at = scheme, clock.now()
    await row.save()


async def record_delivery_failure(host: str) -> bool:
    """A delivery failed in a way worth retrying; returns True when the host just became
    unavailable (its 7th distinct day of failures)."""
    row = await _row(host)
    now = clock.now()
    day = now.date().isoformat()
    days = list(row.failure_days or [])
    if day not in days:
        days.append(day)
    row.failure_days, row.last_failure_at = days[-UNAVAILABLE_AFTER_DAYS * 2:], now
    became = row.unavailable_since is None and len(days) >= UNAVAILABLE_AFTER_DAYS
    if became:
        row.unavailable_since = now
    await row.save()
    return became


async def mark_host_alive(host: str) -> None:
    """The host sent us a valid signed request: deliver to it again."""
    if await HostHealth.filter(host=host, unavailable_since__isnull=False).exists():
        await HostHealth.filter(host=host).update(unavailable_since=None, failure_days=[])
