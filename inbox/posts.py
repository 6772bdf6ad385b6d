"""Inbox handlers for posts: Create, Update and Delete of Notes, Articles, Pages, Questions,
and the chapter's FEP-1b12 answer to a post addressed to it."""

from __future__ import annotations

from actors.models import Actor
from content.posts import find_post_by_uri
from content.publishing import (
    ANNOUNCE,
    REJECT,
    chapter_decision,
    refuse_in_chapter,
    share_in_chapter,
)
from content.received import delete_remote_object, update_remote_post
from core.db import in_transaction
from federation import Activity, APObject
from inbox.context import InboxContext
from inbox.convert import POST_TYPES, from_ap_post
from inbox.errors import ObjectUnavailable
from inbox.objects import fetch_post, save_post, save_tags_and_cover

PROCESSED, IGNORED, FAILED = "processed", "ignored", "failed"


async def on_create_post(ctx: InboxContext, activity: Activity, actor: Actor) -> str:
    """A remote actor posts: the post is stored once (never after its Delete), linked to
    the post it answers; a chapter it addresses shares it with its members or refuses it."""
    obj = activity.object
    try:
        if isinstance(obj, APObject) and obj.type in POST_TYPES and obj.author == actor.uri:
            post, created = await save_post(ctx, obj, actor)
        elif activity.object_id and await find_post_by_uri(activity.object_id) is None:
            post = await fetch_post(ctx, activity.object_id)
            created = post is not None
        else:
            return IGNORED
    except ObjectUnavailable:
        return FAILED
    if post is None or not created:
        return IGNORED
    if post.author_id != actor.id:  # type: ignore[attr-defined]
        return IGNORED  # a Create of someone else's post, fetched: stored, nothing more
    chapter_id = post.chapter_id  # type: ignore[attr-defined]
    chapter = await Actor.get_or_none(id=chapter_id) if chapter_id else None
    if chapter is not None:
        decision = await chapter_decision(chapter, actor)
        async with in_transaction():
            if decision == ANNOUNCE and post.visibility in ("public", "unlisted"):
                await share_in_chapter(ctx.urls, chapter, post,
                                       original=dict(activity.raw) or None)
            elif decision == REJECT:
                post.chapter_id = None  # type: ignore[attr-defined]
                await post.save(update_fields=["chapter_id"])
                await refuse_in_chapter(chapter, actor, activity.id or "", post.uri)
    return PROCESSED


async def on_update_post(ctx: InboxContext, activity: Activity, actor: Actor) -> str:
    """The author edits a post we have: new text and edit time; visibility never wider.
    An Update by anyone else, or of a post we do not have, changes nothing."""
    obj = activity.object
    if not isinstance(obj, APObject) or obj.id is None or obj.author != actor.uri:
        return IGNORED
    post = await find_post_by_uri(obj.id)
    if post is None:
        return IGNORED
    changed = await update_remote_post(post, actor, from_ap_post(obj, actor))
    if changed:  # an edit may change the categories and the cover too
        await save_tags_and_cover(post, obj, actor)
    return PROCESSED if changed else IGNORED


async def on_delete_post(ctx: InboxContext, activity: Activity, actor: Actor) -> str:
    """The author deletes an object: the post is emptied and a Tombstone kept, also when
    the Delete comes first, so the Create that follows is dropped."""
    uri = activity.object_id
    if not uri or uri == actor.uri:
        return IGNORED
    return PROCESSED if await delete_remote_object(uri, actor) else IGNORED
