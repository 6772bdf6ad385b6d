"""Member lists as a service: lists are private to their owner, only followed accounts go on
them, and a list's timeline shows its accounts' posts and boosts the owner may see, with
the replies its policy lets through, newest first and paged."""

from __future__ import annotations

import pytest

from actors.models import Actor, Follow
from actors.urls import LocalUrls
from content.errors import NotFound, ValidationFailed
from content.lists import (
    Window,
    add_to_list,
    create_list,
    delete_list,
    forget_unfollowed,
    list_entries,
    list_timeline,
    lists_of,
    lists_with,
    remove_from_list,
    update_list,
)
from content.models import MemberList
from content.posts import create_post
from content.reactions import boost_post
from core.settings import Settings
from tests.content.test_visibility import member, remote


async def follow(follower: Actor, followed: Actor, state: str = "accepted") -> None:
    await Follow.create(follower=follower, followed=followed, state=state,
                        uri=f"https://x.test/follows/{follower.id}-{followed.id}")


async def test_lists_belong_to_their_owner(database: str, settings: Settings) -> None:
    ana, bea = await member(settings, "ana"), await member(settings, "bea")
    work = await create_list(ana, "  Work   people ", exclusive=True)
    assert (work.title, work.replies_policy, work.exclusive) == ("Work people", "list", True)
    await create_list(ana, "Art", replies_policy="none")
    assert [x.title for x in await lists_of(ana)] == ["Art", "Work people"]
    assert await lists_of(bea) == []
    with pytest.raises(NotFound):
        await update_list(bea, work.id, title="Mine now")
    with pytest.raises(NotFound):
        await delete_list(bea, work.id)
    for bad in ({"title": " "}, {"title": "x" * 201}, {"replies_policy": "all"}):
        with pytest.raises(ValidationFailed):
            await update_list(ana, work.id, **bad)  # type: ignore[arg-type]
    changed = await update_list(ana, work.id, replies_policy="followed", exclusive=False)
    assert (changed.title, changed.replies_policy, changed.exclusive) == (
        "Work people", "followed", False)
    await delete_list(ana, work.id)
    assert not await MemberList.exists(id=work.id)


async def test_only_followed_accounts_go_on_a_list(database: str, settings: Settings) -> None:
    ana, bea, cai = [await member(settings, n) for n in ("ana", "bea", "cai")]
    rex = await remote("rex")
    await follow(ana, bea)
    await follow(ana, rex, state="pending")  # asked to follow: may be listed, as Mastodon
    friends = await create_list(ana, "Friends")
    with pytest.raises(NotFound):
        await add_to_list(ana, friends.id, [bea.id, cai.id])  # cai is not followed
    assert await list_entries(friends, Window()) == []
    await add_to_list(ana, friends.id, [bea.id, rex.id])
    with pytest.raises(ValidationFailed):
        await add_to_list(ana, friends.id, [bea.id])
    await follow(bea, cai)
    with pytest.raises(NotFound):  # bea may not add to ana's list, even whom she follows
        await add_to_list(bea, friends.id, [cai.id])
    entries = await list_entries(friends, Window())
    assert [e.actor.id for e in entries] == [rex.id, bea.id]  # newest added first
    page = await list_entries(friends, Window(limit=1))
    assert [e.actor.id for e in page] == [rex.id]
    older = await list_entries(friends, Window(max_id=page[0].id, limit=1))
    assert [e.actor.id for e in older] == [bea.id]
    assert [x.id for x in await lists_with(ana, bea)] == [friends.id]
    assert await lists_with(ana, cai) == []
    await remove_from_list(ana, friends.id, [bea.id, cai.id])
    assert [e.actor.id for e in await list_entries(friends, Window())] == [rex.id]
    assert await forget_unfollowed(ana, rex) == 1
    assert await list_entries(friends, Window()) == []


async def test_list_timeline_with_replies_policies(database: str, settings: Settings) -> None:
    urls = LocalUrls(settings.server.base_url)
    ana, bea, cai, dan = [await member(settings, n) for n in ("ana", "bea", "cai", "dan")]
    for other in (bea, cai, dan):
        await follow(ana, other)
    mates = await create_list(ana, "Mates")
    await add_to_list(ana, mates.id, [bea.id, cai.id])
    start = await create_post(urls, dan, "dan starts")
    by_bea = await create_post(urls, bea, "bea says")
    to_cai = await create_post(urls, bea, "to cai", in_reply_to=await create_post(
        urls, cai, "cai asks"))
    to_dan = await create_post(urls, bea, "to dan", in_reply_to=start)
    to_ana = await create_post(urls, cai, "to ana", in_reply_to=await create_post(
        urls, ana, "ana asks"))
    hidden = await create_post(urls, cai, "followers of dan only", visibility="direct")
    boost = await boost_post(urls, cai, start)
    cai_asks = to_cai.in_reply_to_id  # type: ignore[attr-defined]

    async def shown(policy: str) -> list[int]:
        await update_list(ana, mates.id, replies_policy=policy)
        return [e.id for e in await list_timeline(ana, mates.id, Window())]

    assert await shown("list") == [boost.id, to_ana.id, to_cai.id, cai_asks, by_bea.id]
    assert await shown("followed") == [boost.id, to_ana.id, to_dan.id, to_cai.id, cai_asks,
                                       by_bea.id]
    assert await shown("none") == [boost.id, to_ana.id, cai_asks, by_bea.id]
    assert hidden.id not in await shown("followed")
    first = await list_timeline(ana, mates.id, Window(limit=2))
    assert [e.id for e in first] == [boost.id, to_ana.id]
    assert first[0].boosted_by is not None and first[0].post.id == start.id
    older = await list_timeline(ana, mates.id, Window(max_id=to_ana.id, limit=2))
    assert [e.id for e in older] == [to_dan.id, to_cai.id]
    above = await list_timeline(ana, mates.id, Window(min_id=cai_asks, limit=2))
    assert [e.id for e in above] == [to_dan.id, to_cai.id]  # just above, newest first
    since = await list_timeline(ana, mates.id, Window(since_id=to_dan.id))
    assert [e.id for e in since] == [boost.id, to_ana.id]
    with pytest.raises(NotFound):
        await list_timeline(bea, mates.id, Window())
