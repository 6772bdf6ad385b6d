"""Notifications for local members: what happened that concerns them (a chapter accepted
them, someone followed them, an admin answered their application …)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from actors.models import Actor, Block, Mute
from content.models import Mention, Notification, Post
from core import clock

TEXT_MAX = 500
PAGE = 40


async def _silenced(recipient: Actor, actor: Actor) -> bool:
    """Whether `recipient` blocked `actor`, or muted them with their notifications (a mute
    that has not expired): Mastodon sends no notification then."""
    if await Block.filter(blocker_id=recipient.id, blocked_id=actor.id).exists():
        return True
    return await Mute.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=clock.now()),
                             owner_id=recipient.id, target_id=actor.id,
                             notifications=True).exists()


async def notify(recipient: Actor, kind: str, *, actor: Actor | None = None,
                 post: Post | None = None, text: str = "") -> Notification | None:
    """Record a notification for one of our actors (remote ones get none: their own server
    tells them). Members only: chapters and the instance actor have no one to read them.
    None, too, when the recipient blocked `actor` or muted them with notifications."""
    if not recipient.is_local or recipient.kind != "Person":
        return None
    if actor is not None and actor.id != recipient.id and await _silenced(recipient, actor):
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


# --- for the client API: filtered pages, one notification, dismissing ----------------------

@dataclass(frozen=True)
class NotificationQuery:
    """Which of a member's notifications a listing wants: only the `kinds` given (None: all),
    none of `excluded`, only those caused by the actor `from_actor_id` when given."""

    kinds: Sequence[str] | None = None
    excluded: Sequence[str] = ()
    from_actor_id: int | None = None


def _filtered(recipient: Actor, query: NotificationQuery) -> QuerySet[Notification]:
    rows = Notification.filter(recipient_id=recipient.id)
    if query.kinds is not None:
        rows = rows.filter(kind__in=list(query.kinds) or [""])
    if query.excluded:
        rows = rows.exclude(kind__in=list(query.excluded))
    if query.from_actor_id is not None:
        rows = rows.filter(actor_id=query.from_actor_id)
    return rows


async def notification_page(recipient: Actor, query: NotificationQuery, *,
                            max_id: int | None = None, since_id: int | None = None,
                            min_id: int | None = None, limit: int = PAGE) -> list[Notification]:
    """A page of the member's notifications, newest first: below `max_id`, above `since_id`
    (the newest ones) or just above `min_id` (the page right after that id)."""
    rows = _filtered(recipient, query)
    if max_id is not None:
        rows = rows.filter(id__lt=max_id)
    if since_id is not None:
        rows = rows.filter(id__gt=since_id)
    if min_id is not None:
        found = await rows.filter(id__gt=min_id).order_by("id").limit(limit)
        return list(reversed(found))
    return list(await rows.order_by("-id").limit(limit))


async def notification_of(recipient: Actor, ident: int) -> Notification | None:
    """One of the member's notifications by id; None when missing or someone else's."""
    return await Notification.get_or_none(id=ident, recipient_id=recipient.id)


async def count_after(recipient: Actor, query: NotificationQuery, after_id: int | None,
                      limit: int) -> int:
    """How many of the member's notifications are newer than `after_id` (all when None),
    counting at most `limit` of them."""
    rows = _filtered(recipient, query)
    if after_id is not None:
        rows = rows.filter(id__gt=after_id)
    return len(await rows.order_by("-id").limit(limit).values_list("id", flat=True))


async def mark_read_until(recipient: Actor, last_read_id: int) -> int:
    """The member read their notifications up to `last_read_id` (an app's marker): those are
    read on the web page too."""
    return await Notification.filter(recipient_id=recipient.id, id__lte=last_read_id,
                                     read_at__isnull=True).update(read_at=clock.now())


async def dismiss(recipient: Actor, ident: int) -> bool:
    """Delete one of the member's notifications; False when there is no such one."""
    return bool(await Notification.filter(id=ident, recipient_id=recipient.id).delete())


async def clear(recipient: Actor) -> int:
    """Delete all the member's notifications; how many there were."""
    return await Notification.filter(recipient_id=recipient.id).delete()
