"""Posts written here: create, edit, delete, like and boost reach the right inboxes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
import pytest

from actors.follows import receive_follow
from actors.urls import LocalUrls
from content.errors import NotAllowed, ValidationFailed
from content.models import Boost, Post, Tombstone
from content.posts import create_post, delete_post, edit_post
from content.reactions import boost_post, like_post, unboost_post, unlike_post
from core.settings import Settings
from federation import FederationClient
from inbox.remote import resolve_actor
from tests.inbox.content_support import create_of, note, send
from tests.inbox.fediverse import FakeFediverse, Local

Drain = Callable[[], Awaitable[int]]
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


async def _remote(settings: Settings, fediverse: FakeFediverse, host: str, name: str):  # type: ignore[no-untyped-def]
    fake = fediverse.person(host, name)
    async with FederationClient(transport=fediverse.transport) as client:
        return await resolve_actor(LocalUrls(settings.server.base_url), client, fake.uri)


async def test_a_public_post_goes_to_followers_once_per_shared_inbox_and_mentions(
    fediverse: FakeFediverse, local: Local, settings: Settings, drain_jobs: Drain,
) -> None:
    urls = LocalUrls(settings.server.base_url)
    bob = await _remote(settings, fediverse, "mastodon.test", "bob")
    ann = await _remote(settings, fediverse, "mastodon.test", "ann")
    gil = await _remote(settings, fediverse, "gotosocial.test", "gil")
    for follower in (bob, ann):
        await receive_follow(follower, local.member, f"{follower.uri}#f")
    await drain_jobs()
    fediverse.requests.clear()
    post = await create_post(urls, local.member, "Hello **world** <script>x</script>",
                             mentions=[gil])
    await drain_jobs()
    [create] = fediverse.posts("https://mastodon.test/inbox")
    assert fediverse.posts("https://gotosocial.test/inbox") == [create]
    alice = f"{settings.server.base_url}/users/alice"
    assert create["type"] == "Create" and create["actor"] == alice
    assert create["to"] == [PUBLIC] and create["cc"] == [f"{alice}/followers", gil.uri]
    obj = create["object"]
    assert obj["id"] == post.uri and obj["attributedTo"] == alice
    assert "<strong>world</strong>" in obj["content"] and "<script" not in obj["content"]
    assert obj["source"] == {"content": post.source, "mediaType": "text/markdown"}
    assert obj["tag"] == [{"type": "Mention", "name": "@gil@gotosocial.test", "href": gil.uri}]


async def test_followers_only_and_direct_posts_are_addressed_narrowly(
    fediverse: FakeFediverse, local: Local, settings: Settings, drain_jobs: Drain,
) -> None:
    urls = LocalUrls(settings.server.base_url)
    bob = await _remote(settings, fediverse, "mastodon.test", "bob")
    gil = await _remote(settings, fediverse, "gotosocial.test", "gil")
    await receive_follow(bob, local.member, f"{bob.uri}#f")
    await drain_jobs()
    fediverse.requests.clear()
    await create_post(urls, local.member, "for followers", visibility="followers")
    await create_post(urls, local.member, "for gil", visibility="direct", mentions=[gil])
    await drain_jobs()
    [followers_only] = fediverse.posts("https://mastodon.test/inbox")
    assert followers_only["to"] == [f"{urls.actor(local.member)}/followers"]
    assert PUBLIC not in followers_only.get("cc", [])
    [direct] = fediverse.posts("https://gotosocial.test/inbox")
    assert direct["to"] == [gil.uri] and direct.get("cc", []) == []


async def test_a_reply_reaches_the_replied_to_author_and_edit_and_delete_follow(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    urls = LocalUrls(settings.server.base_url)
    carol = fediverse.person("pleroma.test", "carol")
    obj = note(carol, 1)
    assert await send(fed_client, settings, create_of(obj, carol.uri), carol) == 202
    await drain_jobs()
    theirs = await Post.get(uri=obj["id"])
    reply = await create_post(urls, local.member, "I agree", in_reply_to=theirs)
    await drain_jobs()
    [create] = fediverse.posts("https://pleroma.test/inbox")
    assert create["object"]["inReplyTo"] == obj["id"] and carol.uri in create["cc"]
    await edit_post(local.member, reply, "I agree, mostly")
    await drain_jobs()
    update = fediverse.posts("https://pleroma.test/inbox")[-1]
    assert update["type"] == "Update" and update["object"]["updated"]
    assert "mostly" in update["object"]["content"]
    await delete_post(local.member, reply)
    await drain_jobs()
    delete = fediverse.posts("https://pleroma.test/inbox")[-1]
    assert delete["type"] == "Delete" and delete["object"]["type"] == "Tombstone"
    assert delete["object"]["id"] == reply.uri
    assert await Tombstone.filter(uri=reply.uri).exists()
    with pytest.raises(Exception):  # noqa: B017 - NotFound: a deleted post cannot be edited
        await edit_post(local.member, reply, "again")


async def test_like_and_boost_and_their_undo(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    urls = LocalUrls(settings.server.base_url)
    carol = fediverse.person("pleroma.test", "carol")
    bob = await _remote(settings, fediverse, "mastodon.test", "bob")
    await receive_follow(bob, local.member, f"{bob.uri}#f")
    obj = note(carol, 2)
    assert await send(fed_client, settings, create_of(obj, carol.uri), carol) == 202
    await drain_jobs()
    theirs = await Post.get(uri=obj["id"])
    like = await like_post(urls, local.member, theirs)
    assert await like_post(urls, local.member, theirs) == like
    await drain_jobs()  # the queue promises no order between jobs: one step at a time
    await unlike_post(local.member, theirs)
    await drain_jobs()
    await boost_post(urls, local.member, theirs)
    await drain_jobs()
    sent = fediverse.posts("https://pleroma.test/inbox")
    assert [a["type"] for a in sent] == ["Like", "Undo", "Announce"]
    assert sent[0]["object"] == obj["id"] and sent[1]["object"]["id"] == like.uri
    [announce] = [a for a in fediverse.posts("https://mastodon.test/inbox")
                  if a["type"] == "Announce"]
    assert announce["object"] == obj["id"] and announce["to"] == [PUBLIC]
    assert await unboost_post(local.member, theirs)
    await drain_jobs()
    undo = fediverse.posts("https://mastodon.test/inbox")[-1]
    assert undo["type"] == "Undo" and undo["object"]["id"] == announce["id"]


async def test_a_local_chapter_shares_a_members_post_and_refuses_others(
    fediverse: FakeFediverse, local: Local, settings: Settings, drain_jobs: Drain,
) -> None:
    urls = LocalUrls(settings.server.base_url)
    bob = await _remote(settings, fediverse, "mastodon.test", "bob")
    await receive_follow(bob, local.chapter, f"{bob.uri}#f")
    await receive_follow(local.member, local.chapter, f"{urls.actor(local.member)}#f")
    await drain_jobs()
    fediverse.requests.clear()
    post = await create_post(urls, local.member, "Meeting on Friday", chapter=local.chapter)
    await drain_jobs()
    [announce, relayed] = sorted(fediverse.posts("https://mastodon.test/inbox"),
                                 key=lambda a: isinstance(a["object"], dict))
    assert announce["actor"] == urls.actor(local.chapter) and announce["object"] == post.uri
    # and the Create itself, for group-aware software (Lemmy style)
    assert relayed["actor"] == urls.actor(local.chapter)
    assert relayed["object"]["type"] == "Create"
    assert relayed["object"]["object"]["id"] == post.uri
    assert await Boost.filter(actor_id=local.chapter.id, post_id=post.id).exists()
    with pytest.raises(NotAllowed):
        await create_post(urls, local.member, "let me in", chapter=local.approval_chapter)


async def test_bad_input_is_refused_before_anything_is_written(
    local: Local, settings: Settings,
) -> None:
    urls = LocalUrls(settings.server.base_url)
    with pytest.raises(ValidationFailed) as info:
        await create_post(urls, local.member, "  ", visibility="everyone", kind="poem")
    assert set(info.value.errors) == {"kind", "visibility"}
    assert await Post.all().count() == 0


async def test_a_double_click_likes_and_boosts_once(local: Local, settings: Settings) -> None:
    import asyncio

    from content.models import Like

    urls = LocalUrls(settings.server.base_url)
    post = await create_post(urls, local.member, "click twice")
    likes = await asyncio.gather(*(like_post(urls, local.chapter, post) for _ in range(3)))
    boosts = await asyncio.gather(*(boost_post(urls, local.chapter, post) for _ in range(3)))
    assert len({like.id for like in likes}) == 1 and len({b.id for b in boosts}) == 1
    assert await Like.filter(post_id=post.id).count() == 1
    assert await Boost.filter(post_id=post.id).count() == 1
