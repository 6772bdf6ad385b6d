"""Roles in chapters: coordinators (who admit members and moderate a chapter) and the
organization's admins, who may do everything a coordinator may in every chapter."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError

from actors.models import Account, Actor, ChapterRole

COORDINATOR = "coordinator"


async def coordinators_of(group: Actor) -> list[Actor]:
    """The coordinators of a group (ours or a remote one, as far as we know), oldest first."""
    rows = await ChapterRole.filter(group_id=group.id, role=COORDINATOR).order_by(
        "id").prefetch_related("actor")
    return [row.actor for row in rows]


async def is_coordinator(actor: Actor, group: Actor) -> bool:
    return await ChapterRole.filter(group_id=group.id, actor_id=actor.id,
                                    role=COORDINATOR).exists()


async def is_admin(actor: Actor) -> bool:
    """Whether `actor` is a local member with the organization's admin role."""
    return actor.is_local and await Account.filter(actor_id=actor.id, role="admin").exists()


async def can_coordinate(actor: Actor, group: Actor) -> bool:
    """May `actor` admit members to and moderate `group`? Its coordinators may, and for our
    own chapters the organization's admins too."""
    if await is_coordinator(actor, group):
        return True
    return group.is_local and await is_admin(actor)


async def coordinated_groups(actor: Actor) -> list[Actor]:
    """The groups `actor` coordinates (for an admin: every chapter of ours), by name."""
    if await is_admin(actor):
        return await Actor.filter(kind="Group", domain__isnull=True).order_by("display_name")
    ids = await ChapterRole.filter(actor_id=actor.id, role=COORDINATOR).values_list(
        "group_id", flat=True)
    return await Actor.filter(id__in=list(ids)).order_by("display_name")


async def add_coordinator(group: Actor, actor: Actor) -> bool:
    """Make `actor` a coordinator of `group`; False when it was one already.

    Only the record: announcing it (Add to the moderators collection) is the caller's."""
    if group.kind != "Group":
        raise ValueError("add_coordinator: only groups have coordinators")
    try:
        _, created = await ChapterRole.get_or_create(group_id=group.id, actor_id=actor.id,
                                                     defaults={"role": COORDINATOR})
    except IntegrityError:  # added at the same moment by another request
        return False
    return created


async def remove_coordinator(group: Actor, actor: Actor) -> bool:
    """`actor` is no longer a coordinator of `group`; False when it was not one."""
    return await ChapterRole.filter(group_id=group.id, actor_id=actor.id).delete() > 0
