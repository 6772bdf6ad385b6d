"""Inbox handlers for follows: Follow, Undo Follow, Accept and Reject of our Follow."""

from __future__ import annotations

from actors.chapters import drop_roles_of_former_members
from actors.follows import (
    ACCEPTED,
    end_follow,
    find_follow_by_uri,
    follow_between,
    mark_follow_answered,
    receive_follow,
)
from actors.models import Actor
from actors.urls import find_local_actor
from content.membership import notify_join_request
from content.notifications import notify
from core.db import in_transaction
from federation import Activity
from inbox.context import InboxContext

PROCESSED, IGNORED = "processed", "ignored"


def _inner(activity: Activity) -> Activity | None:
    return activity.object if isinstance(activity.object, Activity) else None


async def on_follow_actor(ctx: InboxContext, activity: Activity, actor: Actor) -> str:
    """Someone follows one of our actors: recorded, and answered as the actor's policy says."""
    followed = await find_local_actor(ctx.urls, activity.object_id or "")
    if followed is None or activity.id is None:
        return IGNORED
    follow = await receive_follow(actor, followed, activity.id)
    if follow is not None and follow.state != ACCEPTED and followed.kind == "Group":
        await notify_join_request(follow)  # the chapter's coordinators have to decide
    return PROCESSED


async def on_undo_follow(ctx: InboxContext, activity: Activity, actor: Actor) -> str:
    """The follower takes its follow back (named by the Follow's id, or embedded)."""
    inner = _inner(activity)
    if inner is not None:
        followed = await find_local_actor(ctx.urls, inner.object_id or "")
        if followed is not None:
            removed = await end_follow(actor, followed)
        else:
            removed = await end_follow(actor, uri=inner.id) if inner.id else 0
    else:
        removed = await end_follow(actor, uri=activity.object_id)
    if removed:
        await drop_roles_of_former_members(actor)  # a coordinator who left is one no more
    return PROCESSED if removed else IGNORED


async def _answer(ctx: InboxContext, activity: Activity, actor: Actor, *, accepted: bool) -> str:
    inner = _inner(activity)
    if inner is not None:
        follower = await find_local_actor(ctx.urls, inner.actor)
        uri = inner.id if inner.id and ctx.urls.is_ours(inner.id) else None
    else:
        follow = await find_follow_by_uri(activity.object_id or "")
        if follow is None:
            return IGNORED
        follower = await Actor.get_or_none(id=follow.follower_id)  # type: ignore[attr-defined]
        uri = follow.uri
    if follower is None or not follower.is_local:
        return IGNORED
    async with in_transaction():
        before = await follow_between(follower, actor)
        found = await mark_follow_answered(follower, actor, accepted=accepted, uri=uri)
        if found and before is not None and actor.kind == "Group":
            # A chapter elsewhere answered a member's request to join: tell the member, once
            # (a repeated Accept of an accepted follow changes nothing).
            if not accepted:
                await notify(follower, "join_rejected", actor=actor)
            elif before.state != ACCEPTED:
                await notify(follower, "join_accepted", actor=actor)
    return PROCESSED if found else IGNORED


async def on_accept_follow(ctx: InboxContext, activity: Activity, actor: Actor) -> str:
    """The actor one of ours asked to follow accepts."""
    return await _answer(ctx, activity, actor, accepted=True)


async def on_reject_follow(ctx: InboxContext, activity: Activity, actor: Actor) -> str:
    """The actor one of ours asked to follow refuses (or ends the follow)."""
    return await _answer(ctx, activity, actor, accepted=False)
