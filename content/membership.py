"""Membership decisions in our chapters and who hears of them: coordinators admit or refuse
requests to join, appoint members, and are told of new requests; members are told the
answer (notifications)."""

from __future__ import annotations

from actors.chapters import appoint_member
from actors.directory import admin_actors
from actors.follows import ACCEPTED, PENDING, accept_follow, follow_actor, reject_follow
from actors.models import Actor, Follow
from actors.roles import can_coordinate, coordinators_of
from actors.urls import LocalUrls
from content.errors import NotAllowed, NotFound
from content.models import Notification
from content.notifications import notify
from core.messages import N_

JOIN_REQUEST, JOIN_ACCEPTED, JOIN_REJECTED = "join_request", "join_accepted", "join_rejected"


async def _chapter_request(follow: Follow, by: Actor) -> tuple[Actor, Actor]:
    """(member, chapter) of a pending request to join one of our chapters that `by` may
    answer; NotFound / NotAllowed otherwise."""
    chapter = await Actor.get(id=follow.followed_id)  # type: ignore[attr-defined]
    if chapter.kind != "Group" or not chapter.is_local or follow.state != PENDING:
        raise NotFound("no such request to join a chapter")
    if not await can_coordinate(by, chapter):
        raise NotAllowed(N_("only the chapter's coordinators may answer requests to join it"))
    member = await Actor.get(id=follow.follower_id)  # type: ignore[attr-defined]
    return member, chapter


async def admit(follow: Follow, by: Actor) -> Follow:
    """A coordinator (or an admin) accepts a request to join: Accept is sent to the member's
    server, and a member of ours is notified."""
    member, chapter = await _chapter_request(follow, by)
    await accept_follow(follow)
    await notify(member, JOIN_ACCEPTED, actor=chapter)
    return follow


async def refuse(follow: Follow, by: Actor) -> None:
    """A coordinator (or an admin) refuses a request to join: Reject is sent, the request
    goes, and a member of ours is notified."""
    member, chapter = await _chapter_request(follow, by)
    await reject_follow(follow)
    await notify(member, JOIN_REJECTED, actor=chapter)


async def notify_join_request(follow: Follow) -> int:
    """Tell the chapter's local coordinators (the admins, when it has none) that someone asks
    to join; returns how many were told. The web calls it for members of ours; the inbox
    calls it for a Follow from another server that waits for a coordinator."""
    if follow.state != PENDING:
        return 0
    chapter = await Actor.get(id=follow.followed_id)  # type: ignore[attr-defined]
    if chapter.kind != "Group" or not chapter.is_local:
        return 0
    member = await Actor.get(id=follow.follower_id)  # type: ignore[attr-defined]
    recipients = [a for a in await coordinators_of(chapter) if a.is_local]
    if not recipients:
        recipients = await admin_actors()
    told = 0
    for recipient in recipients:
        if await Notification.filter(recipient_id=recipient.id, kind=JOIN_REQUEST,
                                     actor_id=member.id, read_at__isnull=True).exists():
            continue  # asked again (Mastodon re-sends Follows): told once is enough
        if recipient.id != member.id and await notify(
                recipient, JOIN_REQUEST, actor=member,
                text=chapter.display_name or chapter.username) is not None:
            told += 1
    return told


async def join(urls: LocalUrls, member: Actor, target: Actor) -> Follow:
    """A member of ours follows an actor; asking to join one of our approval chapters tells
    its coordinators."""
    before = await Follow.get_or_none(follower_id=member.id, followed_id=target.id)
    follow = await follow_actor(urls, member, target)
    if target.kind == "Group" and target.is_local and follow.state == PENDING and before is None:
        await notify_join_request(follow)
    return follow


async def appoint(urls: LocalUrls, chapter: Actor, member: Actor, by: Actor) -> Follow:
    """A coordinator appoints a member of ours to the chapter (closed chapters take members
    only this way); the member is notified unless they were a member already."""
    if not await can_coordinate(by, chapter):
        raise NotAllowed(N_("only the chapter's coordinators may appoint members"))
    was = await Follow.filter(follower_id=member.id, followed_id=chapter.id,
                              state=ACCEPTED).exists()
    follow = await appoint_member(chapter, member, urls=urls)
    if not was:
        await notify(member, JOIN_ACCEPTED, actor=chapter)
    return follow
