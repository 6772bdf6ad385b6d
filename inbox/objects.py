"""Remote posts by id: known here, or fetched from their own origin (signed by the instance
actor) and stored — never taken from a copy another server embedded."""

from __future__ import annotations

from typing import Any

from actors.keys import get_instance_actor, signer_for
from actors.models import Actor
from actors.urls import find_local_actor
from content.media import remember_remote_image
from content.models import Post
from content.polls import save_remote_poll
from content.posts import find_post_by_uri, is_tombstoned
from content.received import store_remote_post
from content.tags import set_tags
from core.db import in_transaction
from federation import APObject, BadStatus, FederationError, same_origin
from inbox.ballots import ballot_extension, save_ballot_document
from inbox.context import InboxContext
from inbox.convert import POST_TYPES, cover_from_ap, from_ap_poll, from_ap_post, hashtags_from_ap
from inbox.errors import ActorUnavailable, ObjectUnavailable
from inbox.remote import resolve_actor

#: Mentions resolved per post: only actors known here (no fetch storm from one post).
_MENTIONS_MAX = 50


async def fetch_post_document(ctx: InboxContext, uri: str) -> APObject:
    """The post `uri` as its own origin serves it now (signed by the instance actor): it must
    carry that id and be attributed to an actor of the same origin. Raises BadStatus (the
    origin's answer, e.g. 404/410 for a deleted post) or ObjectUnavailable."""
    return (await _fetch_checked(ctx, uri))[1]


async def _fetch_checked(ctx: InboxContext, uri: str) -> tuple[dict[str, Any], APObject]:
    """fetch_post_document, with the raw document as served (for extension terms)."""
    signer = signer_for(ctx.urls, await get_instance_actor())
    try:
        doc = await ctx.client().get_ap(uri, signer=signer)
        obj = APObject.from_ap(doc)
    except BadStatus:
        raise
    except FederationError as exc:
        raise ObjectUnavailable(f"cannot fetch {uri}: {exc}") from exc
    if obj.type not in POST_TYPES or obj.id != uri:
        raise ObjectUnavailable(f"{uri} is not a post")
    if obj.author is None or not same_origin(obj.author, uri):
        raise ObjectUnavailable(f"{uri} is attributed to an actor of another origin")
    return doc, obj


async def fetch_post(ctx: InboxContext, uri: str, *, group: Actor | None = None) -> Post | None:
    """The post `uri`: stored already, or fetched from its origin and stored.

    None for a deleted (tombstoned) object or an unknown one on this server. The fetched
    document must carry the id asked for (the client checks) and be attributed to an actor
    on the same origin. A remote `group` relaying it (Announce) becomes its chapter when the
    post addresses it. Raises ObjectUnavailable when it cannot be fetched or used."""
    post = await find_post_by_uri(uri)
    if post is not None:
        return None if post.is_deleted else post
    if ctx.urls.is_ours(uri) or await is_tombstoned(uri):
        return None
    try:
        doc, obj = await _fetch_checked(ctx, uri)
    except BadStatus as exc:
        raise ObjectUnavailable(f"cannot fetch {uri}: {exc}") from exc
    try:
        author = await resolve_actor(ctx.urls, ctx.client(), obj.author or "")
    except ActorUnavailable as exc:
        raise ObjectUnavailable(f"author of {uri}: {exc.reason}") from exc
    post, _ = await save_post(ctx, obj, author, group=group)
    if post is not None and ballot_extension(doc) is not None:
        await save_ballot_document(doc, author)  # a formal ballot reached by its id
    return post


async def save_post(ctx: InboxContext, obj: APObject, author: Actor, *,
                    group: Actor | None = None) -> tuple[Post | None, bool]:
    """Store a post whose origin and author have been checked; (post, created). Mentions
    of actors known here are recorded; the chapter is the first local Group addressed, else
    the remote `group` that relayed it if the post addresses it (to, cc or audience)."""
    mentions: list[Actor] = []
    for tag in obj.mentions[:_MENTIONS_MAX]:
        if tag.href:
            found = await _known_actor(ctx, tag.href)
            if found is not None:
                mentions.append(found)
    chapter = await addressed_chapter(ctx, obj)
    if chapter is None and group is not None and group.uri in (*obj.audience, *obj.to,
                                                               *obj.cc):
        chapter = group
    post, created = await store_remote_post(from_ap_post(obj, author), author,
                                            mentions=mentions, chapter=chapter)
    if post is not None and created and obj.type == "Question":
        state = from_ap_poll(obj)
        if state is not None:  # a poll that reached us by id keeps its options
            await save_remote_poll(post, state)
    if post is not None and created:
        await save_tags_and_cover(post, obj, author)
    return post, created


async def save_tags_and_cover(post: Post, obj: APObject, author: Actor) -> None:
    """A remote post's hashtags become its tags (its categories, listed on our tag pages);
    the picture of an Article or Page becomes its cover (remembered by address only)."""
    names = hashtags_from_ap(obj)
    picture = cover_from_ap(obj) if post.kind in ("article", "page") else None
    if not names and picture is None:
        return
    async with in_transaction():
        if names:
            await set_tags(post, names)
        if picture is not None:
            media = await remember_remote_image(author, picture.url, picture.media_type,
                                                picture.name)
            if media is not None:
                post.cover = media
                await post.save(update_fields=["cover_id"])


async def addressed_chapter(ctx: InboxContext, obj: APObject) -> Actor | None:
    """The first of our chapters named in to, cc or audience."""
    for uri in (*obj.audience, *obj.to, *obj.cc):
        if ctx.urls.is_ours(uri):
            actor = await find_local_actor(ctx.urls, uri)
            if actor is not None and actor.kind == "Group":
                return actor
    return None


async def _known_actor(ctx: InboxContext, uri: str) -> Actor | None:
    if ctx.urls.is_ours(uri):
        return await find_local_actor(ctx.urls, uri)
    return await Actor.get_or_none(uri=uri)



async def deleted_at_origin(ctx: InboxContext, uri: str) -> bool | None:
    """Does the origin of `uri` say the object is gone? True for 404/410 or a Tombstone with
    that id, False when it still serves it, None when it cannot tell (down, refused …)."""
    signer = signer_for(ctx.urls, await get_instance_actor())
    try:
        doc = await ctx.client().get_ap(uri, signer=signer)
    except BadStatus as exc:
        return True if exc.status in (404, 410) else None
    except FederationError:
        return None
    return doc.get("type") == "Tombstone"  # the client made sure it carries that id
