"""Inbox handlers for activities a group relays (FEP-1b12, Lemmy style): Announce of a Create,
Update, Delete, Add or Remove by someone else. The inner activity is not signed by its own
actor, so nothing embedded in it is trusted: objects are fetched from their origin, and a
group speaks only for its own collections."""

from __future__ import annotations

from actors.models import Actor
from content.posts import find_post_by_uri
from content.reactions import receive_boost
from content.received import delete_remote_object, update_remote_post
from federation import Activity, BadStatus, same_origin
from federation.vocab.actors import ACTOR_TYPES
from inbox.context import InboxContext
from inbox.convert import from_ap_post
from inbox.errors import ActorUnavailable, ObjectUnavailable
from inbox.follows import PROCESSED
from inbox.groups import collection_change
from inbox.moderation import Outcome, ignored
from inbox.objects import deleted_at_origin, fetch_post, fetch_post_document
from inbox.remote import resolve_actor

FAILED = "failed"


def _inner(activity: Activity) -> Activity | None:
    return activity.object if isinstance(activity.object, Activity) else None


async def on_announce_create(ctx: InboxContext, activity: Activity, actor: Actor) -> Outcome:
    """A group relays a member's Create (Lemmy): the post is taken from here, or fetched from
    its own origin by the inner object's id — never from the embedded copy — and kept in the
    group when it addresses the group; the group's boost is recorded."""
    inner = _inner(activity)
    if inner is None or not inner.object_id or activity.id is None:
        return ignored("an Announce without a usable Create")
    uri = inner.object_id
    if inner.actor and not same_origin(uri, inner.actor):
        return ignored("the relayed Create carries an object of another origin")
    group = actor if actor.kind == "Group" and not actor.is_local else None
    try:
        post = await fetch_post(ctx, uri, group=group)
    except ObjectUnavailable:
        return FAILED
    if post is None:
        return ignored("the relayed post is deleted or not a post")
    await receive_boost(actor, post, activity.id)
    return PROCESSED


async def on_announce_update(ctx: InboxContext, activity: Activity, actor: Actor) -> Outcome:
    """A group relays an Update: of itself (Lemmy: a moderator edited the community) → its
    document is fetched again; of a post → the post as its origin serves it now."""
    inner = _inner(activity)
    if inner is None or not inner.object_id:
        return ignored("an Announce without a usable Update")
    uri = inner.object_id
    kind = getattr(inner.object, "type", None)
    if kind in ACTOR_TYPES or uri == actor.uri:
        if uri != actor.uri:
            return ignored("a group relays only updates of itself")
        try:
            await resolve_actor(ctx.urls, ctx.client(), uri, refresh=True)
        except ActorUnavailable as exc:
            return ignored(f"the group is unavailable: {exc.reason}")
        return PROCESSED
    post = await find_post_by_uri(uri)
    if post is None:
        return await on_announce_create(ctx, activity, actor)  # new to us: as if created
    if post.is_deleted:
        return ignored("the post is deleted")
    try:
        obj = await fetch_post_document(ctx, uri)
    except (BadStatus, ObjectUnavailable) as exc:
        return ignored(f"the post is unavailable at its origin: {exc}")
    author = await Actor.get(id=post.author_id)  # type: ignore[attr-defined]
    if obj.author != author.uri:
        return ignored("the origin attributes the post to someone else")
    changed = await update_remote_post(post, author, from_ap_post(obj, author))
    return PROCESSED if changed else ignored("nothing changed")


async def on_announce_delete(ctx: InboxContext, activity: Activity, actor: Actor) -> Outcome:
    """A group relays a Delete (by the author, or a moderator's removal): applied only when
    the post's origin confirms it — 404/410, or a Tombstone in its place."""
    inner = _inner(activity)
    if inner is None or not inner.object_id:
        return ignored("an Announce without a usable Delete")
    uri = inner.object_id
    post = await find_post_by_uri(uri)
    if post is None or post.is_deleted:
        return ignored("nothing here to delete")
    if ctx.urls.is_ours(uri):
        return ignored("our own posts are deleted here, not by a relay")
    gone = await deleted_at_origin(ctx, uri)
    if gone is None:
        return ignored("the post's origin cannot confirm the deletion")
    if not gone:
        return ignored("the origin still serves the post")
    author = await Actor.get(id=post.author_id)  # type: ignore[attr-defined]
    return PROCESSED if await delete_remote_object(uri, author) else ignored(
        "nothing changed")


async def on_announce_add(ctx: InboxContext, activity: Activity, actor: Actor) -> Outcome:
    """A group relays an Add to one of its own collections (a moderator, a featured post)."""
    return await _relayed_change(ctx, activity, actor, add=True)


async def on_announce_remove(ctx: InboxContext, activity: Activity, actor: Actor) -> Outcome:
    """A group relays a Remove from one of its own collections."""
    return await _relayed_change(ctx, activity, actor, add=False)


async def _relayed_change(ctx: InboxContext, activity: Activity, actor: Actor, *,
                          add: bool) -> Outcome:
    inner = _inner(activity)
    if inner is None:
        return ignored("an Announce without a usable activity")
    if actor.kind != "Group" or actor.is_local:
        return ignored("only a group relays changes of its collections")
    return await collection_change(ctx, inner, actor, add=add, vouched_by=actor)


async def on_announce_other(ctx: InboxContext, activity: Activity, actor: Actor) -> Outcome:
    """Relayed votes, follows and the like: not verifiable without their signature."""
    inner = _inner(activity)
    return ignored(f"a relayed {inner.type if inner else 'activity'} is not used here")
