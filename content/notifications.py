"""Notifications for local members: what happened that concerns them (a chapter accepted
them, someone followed them, an admin answered their application …)."""

from __future__ import annotations

from actors.models import Actor
from content.models import Mention, Notification, Post
from core import clock

TEXT_MAX = 500
PAGE = 40


async def notify(recipient: Actor, kind: str, *, actor: Actor | None = None,
                 post: Post | None = None, text: str = "") -> Notification | None:
    """Record a notification for one of our actors (remote ones get none: their own server
    tells them). Members only: chapters and the instance actor have no one to read them."""
    if not recipient.is_local or recipient.kind != "Person":
        return None
    return await Notification.create(recipient=recipient, kind=kind, actor=actor, post=post,
                                      text=text[:TEXT_MAX])


async def notifications_for(recipient: Actor, *, before: int | None = None,
                            limit: int = PAGE) -> list[Notification]:
    """Newest first, `limit` at most, older than the id `before` when given."""
    query = Notification.filter(recipient_id=recipient.id)
    if before is not None:
        query = query.filter(id__lt=before)
    return await query.order_by("-id").limit(limit).prefetch_related("actor", "post")


async def unread_count(recipient: Actor) -> int:
    return await Notification.filter(recipient_id=recipient.id, read_at__isnull=True).count()


async def mark_all_read(recipient: Actor) -> int:
    return await Notification.filter(recipient_id=recipient.id, read_at__isnull=True).update(
        read_at=clock.now())


async def notify_about_post(post: Post) -> int:
    """A post was published (here or received): the local author of the post it answers
    is told of the reply, and every local member it mentions of the mention — each once,
    never about their own post. Returns how many were told."""
    author_id = post.author_id  # type: ignore[attr-defined]
    author = await Actor.get_or_none(id=author_id)
    told: set[int] = {author_id}
    count = 0
    if post.in_reply_to_id is not None:  # type: ignore[attr-defined]
        parent = await Post.get_or_none(id=post.in_reply_to_id).prefetch_related("author")  # type: ignore[attr-defined]
        if parent is not None and parent.author.id not in told:
            told.add(parent.author.id)
            if await notify(parent.author, "reply", actor=author, post=post):
                count += 1
    for mention in await Mention.filter(post_id=post.id).prefetch_related("actor"):
        if mention.actor.id not in told:
            told.add(mention.actor.id)
            if await notify(mention.actor, "mention", actor=author, post=post):
                count += 1
    return count
