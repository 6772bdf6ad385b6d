"""Likes and boosts of a member's post notify its author ("favourite", "reblog"), once, never
for one's own, not for a chapter relaying a post addressed to it, and are taken back on Undo —
for members here and for actors on other servers (through the real inbox)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx

from actors.chapters import create_chapter
from actors.follows import follow_actor
from actors.models import Actor
from actors.urls import LocalUrls
from content.models import Notification
from content.posts import create_post
from content.reactions import boost_post, like_post, unboost_post, unlike_post
from core.settings import Settings
from tests.content.test_visibility import member
from tests.inbox.content_support import send
from tests.inbox.fediverse import FakeFediverse, Local

Drain = Callable[[], Awaitable[int]]


async def kinds_for(actor_id: int) -> list[tuple[str, int | None]]:
    rows = await Notification.filter(recipient_id=actor_id).order_by("id")
    return [(n.kind, n.actor_id) for n in rows]  # type: ignore[attr-defined]


async def test_local_likes_and_boosts_notify_once_and_undo_removes(
        database: str, settings: Settings) -> None:
    urls = LocalUrls(settings.server.base_url)
    ana, bea = await member(settings, "ana"), await member(settings, "bea")
    post = await create_post(urls, ana, "like me")
    await like_post(urls, bea, post)
    await like_post(urls, bea, post)  # twice: one like, one notification
    await boost_post(urls, bea, post)
    await like_post(urls, ana, post)  # her own: nothing
    await boost_post(urls, ana, post)
    assert await kinds_for(ana.id) == [("favourite", bea.id), ("reblog", bea.id)]
    await unlike_post(bea, post)
    assert await kinds_for(ana.id) == [("reblog", bea.id)]
    await unboost_post(bea, post)
    assert await kinds_for(ana.id) == []
    assert await kinds_for(bea.id) == []


async def test_a_chapter_sharing_a_post_in_it_is_no_boost_notice(
        database: str, settings: Settings) -> None:
    urls = LocalUrls(settings.server.base_url)
    ana = await member(settings, "ana")
    lyon = await Actor.get(id=(await create_chapter("Lyon", "lyon")).actor_id)  # type: ignore[attr-defined]
    assert (await follow_actor(urls, ana, lyon)).state == "accepted"
    await create_post(urls, ana, "in Lyon", chapter=lyon)
    assert await kinds_for(ana.id) == []


async def test_remote_likes_and_boosts_notify_and_undo_removes(
        fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local,
        settings: Settings, drain_jobs: Drain) -> None:
    ours = await create_post(LocalUrls(settings.server.base_url), local.member, "hello world")
    bob = fediverse.person("mastodon.test", "bob")
    like = {"id": f"{bob.uri}#likes/1", "type": "Like", "actor": bob.uri, "object": ours.uri}
    announce = {"id": f"{bob.uri}/statuses/9/activity", "type": "Announce", "actor": bob.uri,
                "object": ours.uri, "to": ["https://www.w3.org/ns/activitystreams#Public"]}
    assert await send(fed_client, settings, like, bob) == 202
    assert await send(fed_client, settings, dict(like, id=f"{bob.uri}#likes/2"), bob) == 202
    assert await send(fed_client, settings, announce, bob) == 202
    await drain_jobs()
    # The inbox processes the three at once (no order promised): one of each kind.
    kinds = sorted(k for k, _ in await kinds_for(local.member.id))
    assert kinds == ["favourite", "reblog"]
    undo_like = {"id": f"{bob.uri}#likes/1/undo", "type": "Undo", "actor": bob.uri,
                 "object": like}
    undo_boost = {"id": f"{bob.uri}/statuses/9/undo", "type": "Undo", "actor": bob.uri,
                  "object": announce["id"]}
    assert await send(fed_client, settings, undo_like, bob) == 202
    assert await send(fed_client, settings, undo_boost, bob) == 202
    await drain_jobs()
    assert await kinds_for(local.member.id) == []
