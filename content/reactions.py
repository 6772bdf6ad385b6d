"""Likes and boosts: ours (published) and other servers' (recorded), and the notifications
they give the post's local author ("favourite" and "reblog", as Mastodon names them): one
per like or boost, none for one's own, taken away again when the like or boost is undone
(as Mastodon does)."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError

from actors.models import Actor
from actors.urls import LocalUrls
from content.errors import NotAllowed, NotFound
from content.models import Boost, Like, Notification, Post
from content.notifications import notify
from content.publishing import publish
from core.db import in_transaction
from core.ids import new_id
from core.messages import N_

SHAREABLE = ("public", "unlisted")
FAVOURITE, REBLOG = "favourite", "reblog"


def _live(post: Post) -> None:
    if post.is_deleted:
        raise NotFound(post.uri)


async def _tell_author(kind: str, actor: Actor, post: Post) -> None:
    """The post's author hears of a new like or boost — not of their own, and only when the
    author is a member here (content.notifications.notify skips everyone else). A chapter
    relaying a post addressed to it (FEP-1b12) is distribution, not a reaction: no notice."""
    author_id: int = post.author_id  # type: ignore[attr-defined]
    if author_id == actor.id or post.chapter_id == actor.id:  # type: ignore[attr-defined]
        return
    author = await Actor.get_or_none(id=author_id)
    if author is not None:
        await notify(author, kind, actor=actor, post=post)


async def _untell_author(kind: str, actor_id: int, post_ids: list[int]) -> None:
    """An undone like or boost takes its notification away again."""
    if post_ids:
        await Notification.filter(kind=kind, actor_id=actor_id, post_id__in=post_ids).delete()


async def like_post(urls: LocalUrls, actor: Actor, post: Post) -> Like:
    """One of ours likes a post (once); Like is sent to its author."""
    _live(post)
    try:
        async with in_transaction():
            like = await Like.get_or_none(actor_id=actor.id, post_id=post.id)
            if like is not None:
                return like
            ident = new_id()
            like = await Like.create(actor=actor, post=post, uri=urls.activity("Like", ident))
            await publish("like", ident=ident, actor_id=actor.id, post_id=post.id,
                          like_uri=like.uri)
            await _tell_author(FAVOURITE, actor, post)
    except IntegrityError:  # the same like twice at once (a double click): keep the first
        return await Like.get(actor_id=actor.id, post_id=post.id)
    return like


async def unlike_post(actor: Actor, post: Post) -> bool:
    """One of ours takes a like back; Undo is sent to the post's author."""
    async with in_transaction():
        like = await Like.get_or_none(actor_id=actor.id, post_id=post.id)
        if like is None:
            return False
        await like.delete()
        await publish("undo_like", actor_id=actor.id, post_id=post.id, like_uri=like.uri)
        await _untell_author(FAVOURITE, actor.id, [post.id])
    return True


async def boost_post(urls: LocalUrls, actor: Actor, post: Post) -> Boost:
    """One of ours shares a public or unlisted post (once); Announce goes to the sharer's
    followers and the post's author."""
    _live(post)
    if post.visibility not in SHAREABLE:
        raise NotAllowed(N_("only public and unlisted posts can be shared"))
    try:
        async with in_transaction():
            boost = await Boost.get_or_none(actor_id=actor.id, post_id=post.id)
            if boost is not None:
                return boost
            ident = new_id()
            boost = await Boost.create(actor=actor, post=post,
                                       uri=urls.activity("Announce", ident))
            await publish("announce", ident=ident, actor_id=actor.id, post_id=post.id,
                          announce_uri=boost.uri)
            await _tell_author(REBLOG, actor, post)
    except IntegrityError:  # the same boost twice at once: keep the first
        return await Boost.get(actor_id=actor.id, post_id=post.id)
    return boost


async def unboost_post(actor: Actor, post: Post) -> bool:
    """One of ours stops sharing a post; Undo goes where the Announce went."""
    async with in_transaction():
        boost = await Boost.get_or_none(actor_id=actor.id, post_id=post.id)
        if boost is None:
            return False
        await boost.delete()
        await publish("undo_announce", actor_id=actor.id, post_id=post.id,
                      announce_uri=boost.uri)
        await _untell_author(REBLOG, actor.id, [post.id])
    return True


async def receive_like(actor: Actor, post: Post, uri: str) -> bool:
    """A remote actor likes a post; False when it did already (or the id is taken)."""
    if post.is_deleted:
        return False
    try:
        async with in_transaction():
            await Like.create(actor=actor, post=post, uri=uri)
            await _tell_author(FAVOURITE, actor, post)
    except IntegrityError:
        return False
    return True


async def receive_boost(actor: Actor, post: Post, uri: str) -> bool:
    """A remote actor shares a post; False when it did already (or the id is taken)."""
    if post.is_deleted or post.visibility not in SHAREABLE:
        return False
    try:
        async with in_transaction():
            await Boost.create(actor=actor, post=post, uri=uri)
            await _tell_author(REBLOG, actor, post)
    except IntegrityError:
        return False
    return True


async def remove_like(actor: Actor, *, uri: str | None = None,
                      post: Post | None = None) -> int:
    """Undo Like: the actor's like named by its activity id, or of the post."""
    if uri is not None:
        query = Like.filter(actor_id=actor.id, uri=uri)
    elif post is not None:
        query = Like.filter(actor_id=actor.id, post_id=post.id)
    else:
        return 0
    async with in_transaction():
        post_ids = list(await query.values_list("post_id", flat=True))
        removed = await query.delete()
        await _untell_author(FAVOURITE, actor.id, post_ids)  # type: ignore[arg-type]
    return removed


async def remove_boost(actor: Actor, *, uri: str | None = None,
                       post: Post | None = None) -> int:
    """Undo Announce: the actor's boost named by its activity id, or of the post."""
    if uri is not None:
        query = Boost.filter(actor_id=actor.id, uri=uri)
    elif post is not None:
        query = Boost.filter(actor_id=actor.id, post_id=post.id)
    else:
        return 0
    async with in_transaction():
        post_ids = list(await query.values_list("post_id", flat=True))
        removed = await query.delete()
        await _untell_author(REBLOG, actor.id, post_ids)  # type: ignore[arg-type]
    return removed


async def reaction_kind(uri: str) -> str | None:
    """"Like" or "Announce" when `uri` names a like or boost stored here, else None."""
    if await Like.filter(uri=uri).exists():
        return "Like"
    if await Boost.filter(uri=uri).exists():
        return "Announce"
    return None
