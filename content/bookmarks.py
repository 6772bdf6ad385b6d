"""Bookmarks (posts a member saved for later, private: nothing is sent) and the lists a
member reads of their own saved and liked posts, and of who liked or shared a post."""

from __future__ import annotations

from collections.abc import Sequence

from tortoise.exceptions import IntegrityError
from tortoise.queryset import QuerySet

from actors.models import Actor
from content.errors import NotFound
from content.models import Bookmark, Boost, Like, Post


async def bookmark_post(actor: Actor, post: Post) -> bool:
    """`actor` bookmarks `post`; False when it was bookmarked already. A deleted post is
    NotFound."""
    if post.is_deleted:
        raise NotFound(post.uri)
    if await Bookmark.filter(actor_id=actor.id, post_id=post.id).exists():
        return False
    try:
        await Bookmark.create(actor=actor, post=post)
    except IntegrityError:  # the same bookmark twice at once
        return False
    return True


async def unbookmark_post(actor: Actor, post: Post) -> bool:
    """`actor` removes the bookmark; False when there was none."""
    return await Bookmark.filter(actor_id=actor.id, post_id=post.id).delete() > 0


async def bookmarked_ids(actor: Actor, post_ids: Sequence[int]) -> set[int]:
    """Which of `post_ids` `actor` bookmarked."""
    if not post_ids:
        return set()
    return set(await Bookmark.filter(actor_id=actor.id, post_id__in=list(post_ids))
               .values_list("post_id", flat=True))  # type: ignore[arg-type]


def bookmarks_of(actor: Actor) -> QuerySet[Bookmark]:
    """`actor`'s bookmarks of live posts (to be ordered and paged by the row id)."""
    return Bookmark.filter(actor_id=actor.id, post__deleted_at__isnull=True)


def favourites_of(actor: Actor) -> QuerySet[Like]:
    """`actor`'s likes of live posts (to be ordered and paged by the row id)."""
    return Like.filter(actor_id=actor.id, post__deleted_at__isnull=True)


def likes_of(post: Post) -> QuerySet[Like]:
    """Who liked `post` (to be ordered and paged by the row id)."""
    return Like.filter(post_id=post.id)


def boosts_of(post: Post) -> QuerySet[Boost]:
    """Who shared `post` (to be ordered and paged by the row id)."""
    return Boost.filter(post_id=post.id)
