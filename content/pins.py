"""Featured (pinned) posts: a chapter's featured collection, ours (published with Add/Remove)
or a remote group's (recorded from its Add/Remove)."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError
from tortoise.queryset import QuerySet

from actors.models import Actor
from content.models import Pin, Post
from content.publishing import publish
from core.db import in_transaction

#: Pins kept per actor: a remote group cannot grow our tables without bound.
MAX_PINS = 50


def _publishes(actor: Actor) -> bool:
    return actor.is_local and actor.kind == "Group"


async def feature_post(actor: Actor, post: Post) -> bool:
    """`actor` features `post`; one of our chapters then sends Add (target: its featured
    collection) to its followers. False when it was featured already, the post is deleted,
    or the actor has MAX_PINS already."""
    if post.is_deleted:
        return False
    try:
        async with in_transaction():
            if await Pin.filter(actor_id=actor.id, post_id=post.id).exists():
                return False
            if await Pin.filter(actor_id=actor.id).count() >= MAX_PINS:
                return False
            await Pin.create(actor=actor, post=post)
            if _publishes(actor):
                await publish("add_featured", group_id=actor.id, post_id=post.id)
    except IntegrityError:  # the same pin twice at once
        return False
    return True


async def unfeature_post(actor: Actor, post: Post) -> bool:
    """`actor` no longer features `post` (Remove sent by our chapters); False if it did not."""
    async with in_transaction():
        removed = await Pin.filter(actor_id=actor.id, post_id=post.id).delete()
        if removed and _publishes(actor):
            await publish("remove_featured", group_id=actor.id, post_id=post.id)
    return removed > 0


def _live_pins(actor: Actor) -> QuerySet[Pin]:
    return Pin.filter(actor_id=actor.id, post__deleted_at__isnull=True,
                      post__visibility__in=("public", "unlisted"))


async def count_featured(actor: Actor) -> int:
    return await _live_pins(actor).count()


async def featured_posts(actor: Actor, offset: int = 0, limit: int = MAX_PINS) -> list[Post]:
    """The public posts `actor` features, newest pin first, with their authors."""
    pins = await _live_pins(actor).order_by("-id").offset(offset).limit(limit).prefetch_related(
        "post__author")
    return [pin.post for pin in pins]


async def is_featured(actor: Actor, post: Post) -> bool:
    return await Pin.filter(actor_id=actor.id, post_id=post.id).exists()
