"""Mutes: a member hiding an actor from their timelines (and, if they choose, from their
notifications), for good or for a while. Private to the member: nothing is sent."""

from __future__ import annotations

from datetime import timedelta

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from actors.errors import ValidationFailed
from actors.models import Actor, Mute
from core import clock
from core.messages import N_

#: The longest timed mute (Mastodon's apps offer up to a week; a year is plenty).
DURATION_MAX = 366 * 86400


def live_mutes(owner: Actor) -> QuerySet[Mute]:
    """The owner's mutes still in force (timed ones not yet expired)."""
    return Mute.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=clock.now()),
                       owner_id=owner.id)


async def mute_actor(owner: Actor, target: Actor, *, notifications: bool = True,
                     duration: int | None = None) -> Mute:
    """`owner` mutes `target` (again: the choice of notifications and the end are replaced).
    `duration` in seconds; None or 0 mutes until undone."""
    if owner.id == target.id:
        raise ValidationFailed({"account": N_("You cannot mute yourself.")})
    if duration is not None and not 0 <= duration <= DURATION_MAX:
        raise ValidationFailed({"duration": N_("Use 0 to %(max)s seconds.", max=DURATION_MAX)})
    expires = clock.now() + timedelta(seconds=duration) if duration else None
    mute, created = await Mute.get_or_create(
        owner_id=owner.id, target_id=target.id,
        defaults={"notifications": notifications, "expires_at": expires})
    if not created:
        mute.notifications, mute.expires_at = notifications, expires
        await mute.save(update_fields=["notifications", "expires_at"])
    return mute


async def unmute_actor(owner: Actor, target: Actor) -> bool:
    """`owner` no longer mutes `target`; False when there was no mute."""
    return await Mute.filter(owner_id=owner.id, target_id=target.id).delete() > 0


async def muted_ids(owner: Actor) -> set[int]:
    """The ids of the actors `owner` mutes now (expired mutes left out)."""
    return set(await live_mutes(owner).values_list(  # type: ignore[arg-type]
        "target_id", flat=True))
