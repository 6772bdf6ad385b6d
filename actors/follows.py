"""Follows: requests from and to remote actors, acceptance, undo, and follower lists."""

from __future__ import annotations

import logging

from tortoise.exceptions import IntegrityError

from actors.errors import ValidationFailed
from actors.models import Actor, Chapter, Follow
from actors.urls import LocalUrls
from core import clock
from core.db import in_transaction
from core.ids import new_id
from core.jobs import enqueue
from core.messages import N_

log = logging.getLogger(__name__)

PUBLISH_JOB = "outbox.publish"  # handled by the outbox; named here so we never import it
PENDING, ACCEPTED = "pending", "accepted"


async def _publish(kind: str, follow: Follow, follower: Actor, followed: Actor) -> None:
    """Enqueue the outbound answer to (or request of) a follow, in the caller's transaction.

    The payload carries everything needed to render it, so an Undo that deletes the follow
    before the job runs cannot lose the answer.
    """
    await enqueue(PUBLISH_JOB, {
        "kind": kind,
        "ident": new_id(),
        "follow_uri": follow.uri,
        "follower_id": follower.id,
        "followed_id": followed.id,
    })


async def auto_accepts(followed: Actor) -> bool | None:
    """True: accept at once; False: wait for a coordinator; None: refuse (a closed chapter,
    or the instance actor, which only signs fetches and has no followers)."""
    if followed.kind == "Application":
        return None
    if followed.kind == "Group":
        chapter = await Chapter.get_or_none(actor_id=followed.id)
        policy = chapter.join_policy if chapter else "open"
        if policy == "closed":
            return None
        return policy == "open"
    return not followed.manually_approves_followers


async def receive_follow(follower: Actor, followed: Actor, activity_uri: str) -> Follow | None:
    """A remote actor asks to follow one of ours: record it, and answer Accept (open
    chapters, members) or Reject (closed chapters), or leave it pending (approval chapters).

    A repeated Follow of an existing follow is answered again (Mastodon re-sends Follows
    when it lost track of the state), with the new activity id remembered.
    """
    decision = await auto_accepts(followed)
    async with in_transaction():
        follow = await Follow.get_or_none(follower_id=follower.id, followed_id=followed.id)
        if decision is None:
            if follow is not None:
                await follow.delete()
            rejected = Follow(follower=follower, followed=followed, uri=activity_uri)
            await _publish("reject_follow", rejected, follower, followed)
            return None
        if follow is None:
            try:
                follow = await Follow.create(follower=follower, followed=followed,
                                             uri=activity_uri, state=PENDING)
            except IntegrityError:  # the same activity id already names another follow
                return None
        elif follow.uri != activity_uri:
            await Follow.filter(uri=activity_uri).exclude(id=follow.id).delete()
            follow.uri = activity_uri
            await follow.save(update_fields=["uri"])
        if decision or follow.state == ACCEPTED:
            await _accept(follow, follower, followed)
        return follow


async def _accept(follow: Follow, follower: Actor, followed: Actor) -> None:
    if follow.state != ACCEPTED:
        follow.state, follow.accepted_at = ACCEPTED, clock.now()
        await follow.save(update_fields=["state", "accepted_at"])
    await _publish("accept_follow", follow, follower, followed)


async def accept_follow(follow: Follow) -> Follow:
    """A coordinator (or the member) accepts a pending follow request; Accept is sent."""
    async with in_transaction():
        follower = await Actor.get(id=follow.follower_id)  # type: ignore[attr-defined]
        followed = await Actor.get(id=follow.followed_id)  # type: ignore[attr-defined]
        await _accept(follow, follower, followed)
    return follow


async def reject_follow(follow: Follow) -> None:
    """Refuse a pending request (or end an accepted one): the follow goes, Reject is sent."""
    async with in_transaction():
        follower = await Actor.get(id=follow.follower_id)  # type: ignore[attr-defined]
        followed = await Actor.get(id=follow.followed_id)  # type: ignore[attr-defined]
        await follow.delete()
        await _publish("reject_follow", follow, follower, followed)


async def follow_actor(urls: LocalUrls, follower: Actor, followed: Actor) -> Follow:
    """One of ours follows an actor. A remote one: pending until its Accept arrives (asking
    again when a request is pending already, as Mastodon does). A local one: decided at
    once by its policy (accepted, or pending for a coordinator); nothing is sent."""
    if not follower.is_local:
        raise ValueError("follow_actor: the follower must be one of ours")
    if followed.is_local:
        return await _follow_local(urls, follower, followed)
    async with in_transaction():
        follow = await Follow.get_or_none(follower_id=follower.id, followed_id=followed.id)
        if follow is None:
            follow = await Follow.create(follower=follower, followed=followed,
                                         uri=urls.activity("Follow", new_id()), state=PENDING)
        if follow.state == PENDING:
            await _publish("follow", follow, follower, followed)
    return follow


async def _follow_local(urls: LocalUrls, follower: Actor, followed: Actor) -> Follow:
    if follower.id == followed.id:
        raise ValidationFailed({"handle": N_("You cannot follow yourself.")})
    decision = await auto_accepts(followed)
    if decision is None:
        raise ValidationFailed({"handle": N_("This account does not take followers.")})
    async with in_transaction():
        follow = await Follow.get_or_none(follower_id=follower.id, followed_id=followed.id)
        if follow is None:
            follow = await Follow.create(follower=follower, followed=followed,
                                         uri=urls.activity("Follow", new_id()), state=PENDING)
        if decision and follow.state != ACCEPTED:
            follow.state, follow.accepted_at = ACCEPTED, clock.now()
            await follow.save(update_fields=["state", "accepted_at"])
    return follow


async def unfollow_actor(follower: Actor, followed: Actor) -> bool:
    """One of ours stops following a remote actor: the follow goes and Undo is sent."""
    async with in_transaction():
        follow = await Follow.get_or_none(follower_id=follower.id, followed_id=followed.id)
        if follow is None:
            return False
        await follow.delete()
        await _publish("undo_follow", follow, follower, followed)
    return True


async def end_follow(follower: Actor, followed: Actor | None = None, *,
                     uri: str | None = None) -> int:
    """Remove a follow named by its pair or by its activity id (Undo Follow); return count."""
    query = Follow.filter(follower_id=follower.id)
    if followed is not None:
        query = query.filter(followed_id=followed.id)
    elif uri is not None:
        query = query.filter(uri=uri)
    else:
        return 0
    return await query.delete()


async def mark_follow_answered(follower: Actor, followed: Actor, *, accepted: bool,
                               uri: str | None = None) -> bool:
    """The remote actor we follow answered: accepted, or rejected (the follow goes).

    Only the followed actor may answer for its own follows; `uri`, when given, must be the
    id of our Follow. Returns whether a follow was found.
    """
    query = Follow.filter(follower_id=follower.id, followed_id=followed.id)
    if uri is not None:
        query = query.filter(uri=uri)
    follow = await query.first()
    if follow is None:
        return False
    if accepted:
        if follow.state != ACCEPTED:
            follow.state, follow.accepted_at = ACCEPTED, clock.now()
            await follow.save(update_fields=["state", "accepted_at"])
    else:
        await follow.delete()
    return True


async def count_followers(actor: Actor) -> int:
    return await Follow.filter(followed_id=actor.id, state=ACCEPTED).count()


async def count_following(actor: Actor) -> int:
    return await Follow.filter(follower_id=actor.id, state=ACCEPTED).count()


async def list_followers(actor: Actor, offset: int, limit: int) -> list[Actor]:
    """Accepted followers, newest first."""
    rows = await Follow.filter(followed_id=actor.id, state=ACCEPTED).order_by("-id").offset(
        offset).limit(limit).prefetch_related("follower")
    return [row.follower for row in rows]


async def list_following(actor: Actor, offset: int, limit: int) -> list[Actor]:
    """Accepted followings, newest first."""
    rows = await Follow.filter(follower_id=actor.id, state=ACCEPTED).order_by("-id").offset(
        offset).limit(limit).prefetch_related("followed")
    return [row.followed for row in rows]


async def find_follow_by_uri(uri: str) -> Follow | None:
    return await Follow.get_or_none(uri=uri)


async def follows_of(actor: Actor) -> list[Follow]:
    """Everyone `actor` follows or asked to follow, newest first, with the followed actor."""
    return await Follow.filter(follower_id=actor.id).order_by("-id").prefetch_related(
        "followed")


async def follow_between(follower: Actor, followed: Actor) -> Follow | None:
    return await Follow.get_or_none(follower_id=follower.id, followed_id=followed.id)


async def pending_chapter_requests() -> list[Follow]:
    """Requests to join (follow) our chapters that wait for a coordinator, oldest first."""
    return await Follow.filter(
        state=PENDING, followed__kind="Group", followed__domain__isnull=True
    ).order_by("id").prefetch_related("follower", "followed")


async def find_pending_chapter_request(follow_id: int) -> Follow | None:
    follow = await Follow.get_or_none(id=follow_id, state=PENDING).prefetch_related("followed")
    if follow is None or follow.followed.kind != "Group" or not follow.followed.is_local:
        return None
    return follow


async def move_followers(urls: LocalUrls, old: Actor, new: Actor) -> int:
    """`old` moved to `new`: each of our actors following (or asking to follow) `old` follows
    `new` instead (a Follow is sent when `new` is remote) and the old follow goes. Returns
    how many follows moved; a follower `new` refuses keeps nothing."""
    follows = await Follow.filter(followed_id=old.id, follower__domain__isnull=True
                                  ).prefetch_related("follower")
    moved = 0
    for follow in follows:
        follower = follow.follower
        if follower.id != new.id:
            try:
                await follow_actor(urls, follower, new)
                moved += 1
            except ValidationFailed as exc:  # the new account takes no followers
                log.info("move of %s: %s not moved: %s", old.uri, follower.acct_key, exc)
        await follow.delete()
    return moved
