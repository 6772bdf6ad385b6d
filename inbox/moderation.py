"""Inbox handlers for moderation between servers: Block (and its Undo), Flag, Move."""

from __future__ import annotations

from actors.blocks import end_block, find_block_by_uri, receive_block
from actors.follows import move_followers
from actors.models import Actor
from actors.remote import save_remote_actor
from actors.urls import find_local_actor
from content.reports import local_posts_named, receive_report
from federation import Activity, parse_url
from inbox.context import InboxContext
from inbox.convert import from_ap_actor
from inbox.errors import ActorUnavailable
from inbox.follows import IGNORED, PROCESSED
from inbox.remote import fetch_actor_document

#: What a handler returns: a final state, or (state, reason) when the reason is worth keeping.
Outcome = str | tuple[str, str]


def ignored(reason: str) -> tuple[str, str]:
    return IGNORED, reason


async def on_block(ctx: InboxContext, activity: Activity, actor: Actor) -> Outcome:
    """A remote actor blocks one of ours: recorded, and follows between them removed."""
    blocked = await find_local_actor(ctx.urls, activity.object_id or "")
    if blocked is None or activity.id is None:
        return ignored("the blocked actor is not one of ours")
    await receive_block(actor, blocked, activity.id)
    return PROCESSED


async def on_undo_block(ctx: InboxContext, activity: Activity, actor: Actor) -> Outcome:
    """The blocker lifts its block (named by the Block's id, or embedded); nobody else may."""
    inner = activity.object if isinstance(activity.object, Activity) else None
    if inner is not None:
        if inner.actor != actor.uri:
            return ignored("only the blocker may undo a block")
        blocked = await find_local_actor(ctx.urls, inner.object_id or "")
        if blocked is not None:
            removed = await end_block(actor, blocked)
        else:
            removed = await end_block(actor, uri=inner.id) if inner.id else 0
    else:
        block = await find_block_by_uri(activity.object_id or "")
        if block is None:
            return ignored("no such block")
        if block.blocker_id != actor.id:  # type: ignore[attr-defined]
            return ignored("only the blocker may undo a block")
        removed = await end_block(actor, uri=block.uri)
    return PROCESSED if removed else ignored("no such block")


async def on_flag(ctx: InboxContext, activity: Activity, actor: Actor) -> Outcome:
    """A report from another server: kept for the admins when it names one of our actors or
    posts; whatever else it names is dropped."""
    if activity.id is None:
        return ignored("a report without id")
    target: Actor | None = None
    post_uris: list[str] = []
    for uri in activity.object_ids:
        if not ctx.urls.is_ours(uri):
            continue
        named = await find_local_actor(ctx.urls, uri)
        if named is None:
            post_uris.append(uri)
        elif target is None:
            target = named
    posts = await local_posts_named(post_uris)
    if target is None and posts:
        target = await Actor.get_or_none(id=posts[0].author_id)  # type: ignore[attr-defined]
    if target is None and not posts:
        return ignored("the report names nothing of ours")
    report = await receive_report(actor, activity.id, target, posts, activity.content or "")
    return PROCESSED if report is not None else ignored("already reported")


async def on_move(ctx: InboxContext, activity: Activity, actor: Actor) -> Outcome:
    """An actor moves to a new account: only itself, only to an account that names it in
    `alsoKnownAs` (fetched from the new account's origin). Our followers of the old account
    then follow the new one."""
    if activity.object_id != actor.uri:
        return ignored("a Move of another actor than its sender")
    target = activity.target
    if not target:
        return ignored("a Move without target")
    if target == actor.uri:
        return ignored("a Move onto itself")
    if ctx.urls.is_ours(target):
        return ignored("moves to an account of this server are not supported")
    try:
        doc = await fetch_actor_document(ctx.urls, ctx.client(), target)
    except ActorUnavailable as exc:
        return ignored(f"the Move's target is unavailable: {exc}")
    if doc.id != target:
        return ignored("the Move's target document carries another id")
    if actor.uri not in doc.also_known_as:
        return ignored("the Move's target does not list the actor in alsoKnownAs")
    new = await save_remote_actor(doc.id, parse_url(doc.id).authority, from_ap_actor(doc))
    await move_followers(ctx.urls, actor, new)
    return PROCESSED
