"""Inbox handlers for reactions: Like and Announce of posts, and their Undo."""

from __future__ import annotations

from actors.models import Actor
from content.posts import find_post_by_uri
from content.reactions import receive_boost, receive_like, remove_boost, remove_like
from federation import Activity
from inbox.context import InboxContext
from inbox.errors import ObjectUnavailable
from inbox.objects import fetch_post

PROCESSED, IGNORED, FAILED = "processed", "ignored", "failed"


async def on_like_post(ctx: InboxContext, activity: Activity, actor: Actor) -> str:
    """A remote actor likes a post we have (a like of anything else is of no use here)."""
    post = await find_post_by_uri(activity.object_id or "")
    if post is None or activity.id is None:
        return IGNORED
    return PROCESSED if await receive_like(actor, post, activity.id) else IGNORED


async def on_announce_post(ctx: InboxContext, activity: Activity, actor: Actor) -> str:
    """A remote actor shares a post: known here, or fetched from its own origin — the copy
    the Announce may embed is never trusted, since it may come from another server."""
    if not activity.object_id or activity.id is None:
        return IGNORED
    try:
        post = await fetch_post(ctx, activity.object_id)
    except ObjectUnavailable:
        return FAILED
    if post is None:
        return IGNORED
    return PROCESSED if await receive_boost(actor, post, activity.id) else IGNORED


def _inner(activity: Activity) -> Activity | None:
    return activity.object if isinstance(activity.object, Activity) else None


async def on_undo_like(ctx: InboxContext, activity: Activity, actor: Actor) -> str:
    """The actor takes its like back (the Like embedded, or named by its id)."""
    inner = _inner(activity)
    removed = await remove_like(actor, uri=inner.id if inner else activity.object_id)
    if not removed and inner is not None and inner.object_id:
        post = await find_post_by_uri(inner.object_id)
        removed = await remove_like(actor, post=post) if post else 0
    return PROCESSED if removed else IGNORED


async def on_undo_announce(ctx: InboxContext, activity: Activity, actor: Actor) -> str:
    """The actor stops sharing a post (the Announce embedded, or named by its id)."""
    inner = _inner(activity)
    removed = await remove_boost(actor, uri=inner.id if inner else activity.object_id)
    if not removed and inner is not None and inner.object_id:
        post = await find_post_by_uri(inner.object_id)
        removed = await remove_boost(actor, post=post) if post else 0
    return PROCESSED if removed else IGNORED
