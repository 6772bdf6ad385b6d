"""Membership decisions: joining, leaving, coordinators admitting and refusing (and who may),
admins over every chapter, appointments, and the notifications each side receives."""

from __future__ import annotations

import pytest

from actors.chapters import create_chapter, leave_chapter, member_count_of, set_coordinator
from actors.follows import receive_follow
from actors.models import Actor, Follow
from actors.urls import LocalUrls
from content.errors import NotAllowed, NotFound
from content.membership import admit, appoint, join, notify_join_request, refuse
from content.models import Notification
from core.settings import Settings
from tests.actors.test_chapters import group, member, published, remote


async def kinds_for(actor: Actor) -> list[tuple[str, int | None, str]]:
    rows = await Notification.filter(recipient_id=actor.id).order_by("id")
    return [(n.kind, n.actor_id, n.text) for n in rows]  # type: ignore[attr-defined]


async def test_joining_an_open_chapter_and_leaving_it(database: str, settings: Settings) -> None:
    chapter = await group(await create_chapter("Lyon", "lyon"))
    ana = await member(settings, "ana")
    follow = await join(LocalUrls(settings.server.base_url), ana, chapter)
    assert follow.state == "accepted" and await member_count_of(chapter) == 1
    assert await Notification.all().count() == 0  # nothing to decide
    assert await leave_chapter(chapter, ana) is True
    assert await member_count_of(chapter) == 0


async def test_a_request_is_announced_to_coordinators_then_admitted(
    database: str, settings: Settings,
) -> None:
    chapter = await group(await create_chapter("Paris", "paris", join_policy="approval"))
    coord, ana = await member(settings, "coord"), await member(settings, "ana")
    root = await member(settings, "root", role="admin")
    urls = LocalUrls(settings.server.base_url)
    await appoint(urls, chapter, coord, root)
    await set_coordinator(chapter, coord, True)

    follow = await join(urls, ana, chapter)
    assert follow.state == "pending" and await member_count_of(chapter) == 1
    assert await kinds_for(coord) == [("join_accepted", chapter.id, ""),  # appointed
                                      ("join_request", ana.id, "Paris")]
    assert await kinds_for(root) == []  # the chapter has a coordinator of its own
    await join(urls, ana, chapter)  # asking again does not ring twice
    assert len(await kinds_for(coord)) == 2

    await admit(follow, coord)
    assert (await Follow.get(id=follow.id)).state == "accepted"
    assert await kinds_for(ana) == [("join_accepted", chapter.id, "")]
    with pytest.raises(NotFound):  # answered already
        await admit(await Follow.get(id=follow.id), coord)


async def test_a_coordinator_refuses_and_the_member_hears_it(
    database: str, settings: Settings,
) -> None:
    chapter = await group(await create_chapter("Paris", "paris", join_policy="approval"))
    root = await member(settings, "root", role="admin")
    ana = await member(settings, "ana")
    follow = await join(LocalUrls(settings.server.base_url), ana, chapter)
    assert await kinds_for(root) == [("join_request", ana.id, "Paris")]  # no coordinator: admins
    await refuse(follow, root)
    assert await Follow.all().count() == 0
    assert await kinds_for(ana) == [("join_rejected", chapter.id, "")]


async def test_only_coordinators_of_that_chapter_and_admins_may_answer(
    database: str, settings: Settings,
) -> None:
    paris = await group(await create_chapter("Paris", "paris", join_policy="approval"))
    lyon = await group(await create_chapter("Lyon", "lyon"))
    urls = LocalUrls(settings.server.base_url)
    other, nobody = await member(settings, "other"), await member(settings, "nobody")
    root = await member(settings, "root", role="admin")
    await join(urls, other, lyon)
    await set_coordinator(lyon, other, True)  # coordinates Lyon, not Paris
    bob = await remote("bob")
    follow = await receive_follow(bob, paris, "https://mastodon.test/follows/1")
    assert follow is not None and follow.state == "pending"
    for outsider in (other, nobody):
        with pytest.raises(NotAllowed):
            await admit(follow, outsider)
        with pytest.raises(NotAllowed):
            await refuse(follow, outsider)
        with pytest.raises(NotAllowed):
            await appoint(urls, paris, nobody, outsider)
    assert (await Follow.get(id=follow.id)).state == "pending"

    await admit(follow, root)  # the admin may in every chapter
    assert (await Follow.get(id=follow.id)).state == "accepted"
    accept = (await published("accept_follow"))[-1]
    assert accept["follower_id"] == bob.id and accept["followed_id"] == paris.id
    assert accept["follow_uri"] == "https://mastodon.test/follows/1"
    assert await Notification.filter(recipient_id=bob.id).count() == 0  # remote: their server


async def test_a_remote_request_notifies_through_notify_join_request(
    database: str, settings: Settings,
) -> None:
    paris = await group(await create_chapter("Paris", "paris", join_policy="approval"))
    root = await member(settings, "root", role="admin")
    bob = await remote("bob")
    follow = await receive_follow(bob, paris, "https://mastodon.test/follows/1")
    assert follow is not None
    assert await notify_join_request(follow) == 1
    assert await kinds_for(root) == [("join_request", bob.id, "Paris")]
    open_ = await group(await create_chapter("Lyon", "lyon"))
    accepted = await receive_follow(bob, open_, "https://mastodon.test/follows/2")
    assert accepted is not None and await notify_join_request(accepted) == 0


async def test_appointing_to_a_closed_chapter_notifies_the_member(
    database: str, settings: Settings,
) -> None:
    board = await group(await create_chapter("Board", "board", join_policy="closed"))
    root = await member(settings, "root", role="admin")
    ana = await member(settings, "ana")
    urls = LocalUrls(settings.server.base_url)
    await appoint(urls, board, ana, root)
    await appoint(urls, board, ana, root)
    assert await kinds_for(ana) == [("join_accepted", board.id, "")]
    assert await member_count_of(board) == 1
