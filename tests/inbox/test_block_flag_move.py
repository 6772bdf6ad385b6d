"""Block (and Undo Block), Flag and Move arriving in the inbox, and their refusals."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx

from actors.follows import follow_actor
from actors.models import Actor, Block, Follow
from actors.urls import LocalUrls
from content.models import Report
from content.posts import create_post
from core.settings import Settings
from inbox.models import InboundActivity
from tests.inbox.content_support import send
from tests.inbox.fediverse import FakeActor, FakeFediverse, Local

Drain = Callable[[], Awaitable[int]]


def _alice(settings: Settings) -> str:
    return f"{settings.server.base_url}/users/alice"


async def _state(uri: str) -> tuple[str, str | None]:
    row = await InboundActivity.get(activity_id=uri)
    return row.state, row.error


async def _follow_us(fed_client: httpx.AsyncClient, settings: Settings, actor: FakeActor,
                     drain_jobs: Drain) -> None:
    follow = {"id": f"{actor.uri}#follows/1", "type": "Follow", "actor": actor.uri,
              "object": _alice(settings)}
    assert await send(fed_client, settings, follow, actor) == 202
    await drain_jobs()


def _block(actor: FakeActor, settings: Settings, n: int = 1) -> dict[str, object]:
    return {"id": f"{actor.uri}#blocks/{n}", "type": "Block", "actor": actor.uri,
            "object": _alice(settings)}


async def test_a_block_removes_follows_both_ways_and_its_undo_removes_it(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    bob = fediverse.person("mastodon.test", "bob")
    await _follow_us(fed_client, settings, bob, drain_jobs)
    bob_row = await Actor.get(uri=bob.uri)
    await follow_actor(LocalUrls(settings.server.base_url), local.member, bob_row)
    await drain_jobs()
    assert await Follow.filter(follower_id=bob_row.id).count() == 1
    assert await Follow.filter(followed_id=bob_row.id).count() == 1
    block = _block(bob, settings)
    assert await send(fed_client, settings, block, bob) == 202
    await drain_jobs()
    stored = await Block.get(uri=block["id"])
    assert (stored.blocker_id, stored.blocked_id) == (  # type: ignore[attr-defined]
        bob_row.id, local.member.id)
    assert not await Follow.filter(follower_id=bob_row.id).exists()
    assert not await Follow.filter(followed_id=bob_row.id).exists()
    # Blocking again under a new id keeps one row per pair.
    again = _block(bob, settings, 2)
    assert await send(fed_client, settings, again, bob) == 202
    await drain_jobs()
    assert await Block.all().count() == 1
    undo = {"id": f"{bob.uri}#blocks/2/undo", "type": "Undo", "actor": bob.uri,
            "object": again["id"]}
    assert await send(fed_client, settings, undo, bob) == 202
    await drain_jobs()
    assert not await Block.all().exists()
    assert (await _state(undo["id"]))[0] == "processed"


async def test_an_embedded_undo_block_by_the_blocker_removes_it(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    bob = fediverse.person("mastodon.test", "bob")
    block = _block(bob, settings)
    assert await send(fed_client, settings, block, bob) == 202
    await drain_jobs()
    assert await Block.filter(uri=block["id"]).exists()
    undo = {"id": f"{bob.uri}#blocks/1/undo", "type": "Undo", "actor": bob.uri,
            "object": block}
    assert await send(fed_client, settings, undo, bob) == 202
    await drain_jobs()
    assert not await Block.all().exists()


async def test_only_the_blocker_may_undo_a_block(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    bob = fediverse.person("mastodon.test", "bob")
    mallory = fediverse.person("mastodon.test", "mallory")
    block = _block(bob, settings)
    assert await send(fed_client, settings, block, bob) == 202
    await drain_jobs()
    undo = {"id": f"{mallory.uri}#undo/1", "type": "Undo", "actor": mallory.uri,
            "object": block["id"]}
    assert await send(fed_client, settings, undo, mallory) == 202
    await drain_jobs()
    assert await Block.filter(uri=block["id"]).exists()
    assert await _state(undo["id"]) == ("ignored", "only the blocker may undo a block")


async def test_a_block_of_someone_not_ours_is_ignored(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    bob = fediverse.person("mastodon.test", "bob")
    carol = fediverse.person("pleroma.test", "carol")
    block = {"id": f"{bob.uri}#blocks/9", "type": "Block", "actor": bob.uri,
             "object": carol.uri}
    assert await send(fed_client, settings, block, bob) == 202
    await drain_jobs()
    assert not await Block.all().exists()
    assert (await _state(block["id"]))[0] == "ignored"


async def test_a_flag_is_stored_with_only_our_actor_and_posts(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    urls = LocalUrls(settings.server.base_url)
    post = await create_post(urls, local.member, "reported")
    instance = fediverse.person("mastodon.test", "actor", uri="https://mastodon.test/actor")
    flag = {"@context": "https://www.w3.org/ns/activitystreams",
            "id": "https://mastodon.test/ccb4f39a-506a-490e-9a8c-71831c7713a4",
            "type": "Flag", "actor": instance.uri,
            "content": "Please take a look " + "x" * 6000,
            "object": [_alice(settings), post.uri, f"{settings.server.base_url}/posts/1",
                       "https://elsewhere.test/posts/2"],
            "to": _alice(settings)}
    assert await send(fed_client, settings, flag, instance) == 202
    await drain_jobs()
    report = await Report.get(uri=flag["id"])
    assert report.target_id == local.member.id  # type: ignore[attr-defined]
    assert report.post_uris == [post.uri]
    assert report.comment.startswith("Please take a look") and len(report.comment) <= 5000
    assert report.resolved_at is None
    reporter = await Actor.get(uri=instance.uri)
    assert report.reporter_id == reporter.id  # type: ignore[attr-defined]


async def test_a_flag_of_only_a_post_targets_its_author(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    post = await create_post(LocalUrls(settings.server.base_url), local.member, "reported")
    instance = fediverse.person("gotosocial.test", "instance",
                                uri="https://gotosocial.test/instance")
    flag = {"id": "https://gotosocial.test/reports/1", "type": "Flag", "actor": instance.uri,
            "object": post.uri}
    assert await send(fed_client, settings, flag, instance) == 202
    await drain_jobs()
    report = await Report.get(uri=flag["id"])
    assert report.target_id == local.member.id  # type: ignore[attr-defined]
    assert report.post_uris == [post.uri] and report.comment == ""


async def test_a_flag_about_unknown_things_is_ignored(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    instance = fediverse.person("mastodon.test", "actor", uri="https://mastodon.test/actor")
    flag = {"id": "https://mastodon.test/flags/2", "type": "Flag", "actor": instance.uri,
            "content": "spam",
            "object": ["https://example.com/users/1", "https://example.com/posts/380590",
                       f"{settings.server.base_url}/users/nobody",
                       f"{settings.server.base_url}/posts/12345"]}
    assert await send(fed_client, settings, flag, instance) == 202
    await drain_jobs()
    assert not await Report.all().exists()
    assert await _state(flag["id"]) == ("ignored", "the report names nothing of ours")


def _move(old: FakeActor, new: FakeActor, n: int = 1) -> dict[str, object]:
    return {"id": f"{old.uri}#moves/{n}", "type": "Move", "actor": old.uri,
            "object": old.uri, "target": new.uri}


async def _followed_by_alice(settings: Settings, local: Local, fake: FakeActor) -> Actor:
    """Alice follows `fake` (already cached, as after its signed request), accepted."""
    old = await Actor.get(uri=fake.uri)
    follow = await follow_actor(LocalUrls(settings.server.base_url), local.member, old)
    await Follow.filter(id=follow.id).update(state="accepted")
    return old


async def test_a_move_to_an_account_naming_the_old_one_moves_our_followers(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    old = fediverse.person("mastodon.test", "bob")
    new = fediverse.person("gotosocial.test", "bob")
    new.doc["alsoKnownAs"] = [old.uri]
    move = _move(old, new)
    assert await send(fed_client, settings, move, old) == 202  # caches old's actor
    old_row = await _followed_by_alice(settings, local, old)
    fediverse.requests.clear()
    await drain_jobs()
    assert await _state(move["id"]) == ("processed", None)
    assert new.uri in fediverse.gets()
    [get] = [r for r in fediverse.requests if r.method == "GET" and str(r.url) == new.uri]
    assert "signature" in get.headers
    assert not await Follow.filter(followed_id=old_row.id).exists()
    new_row = await Actor.get(uri=new.uri)
    follow = await Follow.get(follower_id=local.member.id, followed_id=new_row.id)
    assert follow.state == "pending"
    [sent] = fediverse.posts("https://gotosocial.test/inbox")
    assert sent["type"] == "Follow" and sent["object"] == new.uri
    assert sent["actor"] == _alice(settings) and sent["id"] == follow.uri


async def test_a_move_without_also_known_as_is_ignored(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    old = fediverse.person("mastodon.test", "bob")
    new = fediverse.person("gotosocial.test", "thief")
    move = _move(old, new)
    assert await send(fed_client, settings, move, old) == 202
    old_row = await _followed_by_alice(settings, local, old)
    await drain_jobs()
    state, reason = await _state(move["id"])
    assert state == "ignored" and "alsoKnownAs" in (reason or "")
    assert await Follow.filter(follower_id=local.member.id, followed_id=old_row.id).exists()
    assert not fediverse.posts("https://gotosocial.test/inbox")


async def test_a_move_of_someone_else_or_to_an_unreachable_target_is_ignored(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    old = fediverse.person("mastodon.test", "bob")
    mallory = fediverse.person("mastodon.test", "mallory")
    new = fediverse.person("gotosocial.test", "bob")
    new.doc["alsoKnownAs"] = [old.uri]
    other = dict(_move(old, new), id=f"{mallory.uri}#moves/1", actor=mallory.uri)
    assert await send(fed_client, settings, other, mallory) == 202
    gone = dict(_move(old, new, 2), target="https://gone.test/users/bob")
    assert await send(fed_client, settings, gone, old) == 202
    old_row = await _followed_by_alice(settings, local, old)
    await drain_jobs()
    assert await _state(other["id"]) == ("ignored", "a Move of another actor than its sender")
    state, reason = await _state(gone["id"])
    assert state == "ignored" and "unavailable" in (reason or "")
    assert await Follow.filter(follower_id=local.member.id, followed_id=old_row.id).exists()
