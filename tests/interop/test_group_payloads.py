"""Real payloads of Mastodon and Lemmy about groups, through our real inbox (signed, on the
fake fediverse): a Mastodon Follow of a chapter, a Lemmy 0.19 community relaying a post, and
Lemmy's Add of a moderator and of a featured (stickied) post."""

from __future__ import annotations

import httpx

from actors.models import Actor, Follow
from actors.roles import add_coordinator, is_coordinator
from content.models import Boost, Pin, Post
from core.settings import Settings
from tests.inbox.content_support import moved, send
from tests.inbox.fediverse import (
    FakeFediverse,
    Local,
    fed_client,
    fediverse,
    local,
    registry,
)
from tests.inbox.group_support import PUBLIC, Drain, known, remote_group

__all__ = ["fed_client", "fediverse", "local", "registry"]  # the fake fediverse fixtures

LEMMY = {"http://enterprise.lemmy.ml": "https://enterprise.test",
         "https://enterprise.lemmy.ml": "https://enterprise.test",
         "http://ds9.lemmy.ml": "https://ds9.test", "https://ds9.lemmy.ml": "https://ds9.test"}



async def test_a_mastodon_follow_of_a_chapter_is_recorded_and_accepted(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    follow = moved("mastodon/follow_group.json",
                   {"https://mastodon.social": "https://mastodon.test",
                    "https://chapters.example.org": settings.server.base_url})
    gargron = fediverse.person("mastodon.test", "Gargron")
    assert await send(fed_client, settings, follow, gargron) == 202
    await drain_jobs()
    row = await Follow.get(uri=follow["id"])
    assert row.state == "accepted" and row.followed_id == local.chapter.id  # type: ignore[attr-defined]
    [accept] = fediverse.posts("https://mastodon.test/inbox")
    assert accept["type"] == "Accept" and accept["actor"] == follow["object"]
    assert accept["object"]["id"] == follow["id"]  # Mastodon matches the Follow by its id


async def test_a_lemmy_0_19_community_relaying_a_page_stores_it_in_the_community(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    relay = moved("lemmy/announce_create_page_0_19.json", LEMMY)
    community = remote_group(fediverse, "enterprise.test", "main")
    fediverse.person("ds9.test", "lemmy_alpha", uri="https://ds9.test/u/lemmy_alpha")
    page = relay["object"]["object"]
    # The origin serves the page; the relay's embedded copy is not what is stored.
    fediverse.serve(page["id"], page)
    relay["object"]["object"] = dict(page, content="<p>not what ds9 says</p>")
    assert await send(fed_client, settings, relay, community) == 202
    await drain_jobs()
    post = await Post.get(uri=page["id"])
    assert (post.kind, post.title) == ("page", "test post")
    assert post.content_html.strip() == "<p>test body</p>"
    group = await Actor.get(uri=community.uri)
    assert post.chapter_id == group.id  # type: ignore[attr-defined]  # audience: the community
    assert await Boost.filter(uri=relay["id"], actor_id=group.id).exists()


async def test_a_lemmy_moderator_add_is_recorded_for_the_community(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    add = moved("lemmy/add_mod.json", LEMMY)
    community = remote_group(fediverse, "enterprise.test", "main")
    beta = fediverse.person("enterprise.test", "lemmy_beta",
                            uri="https://enterprise.test/u/lemmy_beta")
    fediverse.person("ds9.test", "lemmy_alpha", uri="https://ds9.test/u/lemmy_alpha")
    group = await known(settings, fediverse, community.uri)
    await add_coordinator(group, await known(settings, fediverse, beta.uri))
    assert await send(fed_client, settings, add, beta) == 202
    # Lemmy also relays it to the community's followers: the same change, vouched by it.
    relayed = {"id": "https://enterprise.test/activities/announce/1", "type": "Announce",
               "actor": community.uri, "object": add, "to": [PUBLIC],
               "cc": [f"{community.uri}/followers"]}
    assert await send(fed_client, settings, relayed, community) == 202
    await drain_jobs()
    alpha = await Actor.get(uri="https://ds9.test/u/lemmy_alpha")
    assert await is_coordinator(alpha, group)
    remove = moved("lemmy/remove_mod.json", LEMMY)
    assert await send(fed_client, settings, remove, beta) == 202
    await drain_jobs()
    assert not await is_coordinator(alpha, group)


async def test_a_lemmy_featured_post_is_pinned_in_the_community(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    add = moved("lemmy/add_featured_post.json", LEMMY)
    community = remote_group(fediverse, "ds9.test", "main")
    alpha = fediverse.person("ds9.test", "lemmy_alpha", uri="https://ds9.test/u/lemmy_alpha")
    group = await known(settings, fediverse, community.uri)
    await add_coordinator(group, await known(settings, fediverse, alpha.uri))
    page = {"id": add["object"], "type": "Page", "attributedTo": alpha.uri, "name": "Rules",
            "content": "<p>Be kind</p>", "to": [community.uri, PUBLIC],
            "audience": community.uri, "published": "2024-01-01T00:00:00Z"}
    create = {"id": "https://ds9.test/activities/create/1", "type": "Create",
              "actor": alpha.uri, "object": page, "to": [PUBLIC], "cc": [community.uri]}
    assert await send(fed_client, settings, create, alpha) == 202
    await drain_jobs()  # the post first: a featured post we do not have is not recorded
    assert await send(fed_client, settings, add, alpha) == 202
    await drain_jobs()
    post = await Post.get(uri=page["id"])
    assert await Pin.filter(actor_id=group.id, post_id=post.id).exists()
    remove = moved("lemmy/remove_featured_post.json", LEMMY)
    remove["id"] += "-remove"  # Lemmy's test asset reuses the Add's id
    assert await send(fed_client, settings, remove, alpha) == 202
    await drain_jobs()
    assert not await Pin.exists()
