"""Inbox handlers for follows: Follow, Undo Follow, Accept and Reject of our Follow."""

from __future__ import annotations

from actors.follows import end_follow, find_follow_by_uri, mark_follow_answered, receive_follow
from actors.models import Actor
from actors.urls import find_local_actor
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
    await receive_follow(actor, followed, activity.id)
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
    found = await mark_follow_answered(follower, actor, accepted=accepted, uri=uri)
    return PROCESSED if found else IGNORED


async def on_accept_follow(ctx: InboxContext, activity: Activity, actor: Actor) -> str:
    """The actor one of ours asked to follow accepts."""
    return await _answer(ctx, activity, actor, accepted=True)


async def on_reject_follow(ctx: InboxContext, activity: Activity, actor: Actor) -> str:
    """The actor one of ours asked to follow refuses (or ends the follow)."""
    return await _answer(ctx, activity, actor, accepted=False)
