"""Posts from other servers: stored once, updated by their author only, deleted for good."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tortoise.exceptions import IntegrityError

from actors.models import Actor
from content.audience import no_wider
from content.history import remember_version, will_change
from content.models import Mention, Post, Tombstone
from content.notifications import notify_about_post
from content.posts import erase, thread_root_id, touch_thread
from core import clock
from core.db import in_transaction

#: Columns an Update may change (visibility separately, never wider).
_UPDATABLE = ("title", "summary", "content_html", "sensitive", "url", "source", "source_type")


async def store_remote_post(fields: dict[str, Any], author: Actor, *,
                            mentions: Sequence[Actor] = (),
                            chapter: Actor | None = None) -> tuple[Post | None, bool]:
    """Store a post received from `author`'s server; (post, created).

    A uri with a Tombstone is refused (post None): a Create after its Delete, or delivered
    again after it, never brings the object back. A uri stored already is kept as it is
    (an Update changes it, not a second Create). A reply is linked to its parent and its
    thread when the parent is here (the thread's last activity moves), and replies that
    arrived before their parent are linked to it now. Local members it answers or mentions
    are notified.
    """
    uri = str(fields["uri"])
    if await Tombstone.filter(uri=uri).exists():
        return None, False
    existing = await Post.get_or_none(uri=uri)
    if existing is not None:
        return existing, False
    parent_uri = fields.get("in_reply_to_uri")
    parent = await Post.get_or_none(uri=parent_uri) if parent_uri else None
    root_id = thread_root_id(parent) if parent is not None else None
    try:
        async with in_transaction():
            post = await Post.create(
                author=author, in_reply_to=parent, chapter=chapter, root_id=root_id,
                last_activity_at=None if parent_uri else fields.get("published"), **fields)
            for actor in {a.id: a for a in mentions}.values():
                await Mention.create(post=post, actor=actor)
            await _adopt_orphans(post)
            await touch_thread(post)
            await notify_about_post(post)
    except IntegrityError:  # the same object arriving twice at once
        return await Post.get_or_none(uri=uri), False
    if parent_uri and parent is None:
        await _link_late_parent(post, parent_uri)
    return post, True


async def _link_late_parent(post: Post, parent_uri: str) -> None:
    """A reply and its parent stored at the same moment (two workers): neither saw the
    other, so the reply looks for its parent once more after both are written."""
    parent = await Post.get_or_none(uri=parent_uri)
    if parent is None:
        return
    async with in_transaction():
        linked = await Post.filter(id=post.id, in_reply_to_id__isnull=True).update(
            in_reply_to_id=parent.id, root_id=thread_root_id(parent), last_activity_at=None)
        if linked:
            post.in_reply_to_id = parent.id  # type: ignore[attr-defined]
            post.root_id = thread_root_id(parent)  # type: ignore[attr-defined]
            await _adopt_orphans(post)
            await touch_thread(post)


#: How deep a subtree that arrived before its parent is linked in one go.
_ADOPT_DEPTH = 50


async def _adopt_orphans(post: Post) -> None:
    """Replies to `post` that arrived before it are linked to it, and their whole subtree
    (as far as _ADOPT_DEPTH levels) joins `post`'s thread."""
    await Post.filter(in_reply_to_uri=post.uri, in_reply_to_id__isnull=True).update(
        in_reply_to_id=post.id)
    root_id = thread_root_id(post) if post.in_reply_to_id else post.id  # type: ignore[attr-defined]
    level = [post.id]
    for _ in range(_ADOPT_DEPTH):
        children = await Post.filter(in_reply_to_id__in=level).values_list("id", flat=True)
        if not children:
            return
        await Post.filter(id__in=children).update(root_id=root_id, last_activity_at=None)
        level = list(children)


async def update_remote_post(post: Post, author: Actor, fields: dict[str, Any]) -> bool:
    """Apply a remote author's edit: new text and `updated`; visibility only narrower.

    Only the post's author may edit it; a deleted post stays deleted. Returns whether the
    post changed. A change of the text first keeps the previous version (content.history)."""
    if post.author_id != author.id or post.is_deleted:  # type: ignore[attr-defined]
        return False
    async with in_transaction():
        if will_change(post, fields):
            await remember_version(post)
        for name in _UPDATABLE:
            if name in fields:
                setattr(post, name, fields[name])
        post.visibility = no_wider(post.visibility,
                                   str(fields.get("visibility", post.visibility)))
        post.updated = fields.get("updated") or clock.now()
        await post.save()
    return True


async def delete_remote_object(uri: str, actor: Actor) -> bool:
    """A remote actor deletes an object of its own: the post (if here) is emptied and a
    Tombstone remembers the uri either way, so a Create arriving later is dropped.

    A post by another author is left alone (False). The origin check of the inbox has made
    sure `uri` is on the actor's own server."""
    async with in_transaction():
        post = await Post.get_or_none(uri=uri)
        if post is not None:
            if post.author_id != actor.id:  # type: ignore[attr-defined]
                return False
            if not post.is_deleted:
                await erase(post)
                return True
        if await Tombstone.filter(uri=uri).exists():
            return False
        try:
            await Tombstone.create(uri=uri, deleted_at=clock.now())
        except IntegrityError:
            return False
    return True
