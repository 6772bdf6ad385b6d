"""A member blocking another server's actor: the follows between them end (Undo Follow of
ours, Reject of theirs), and the actor's server receives a signed Block — and, when it is
lifted, Undo of that Block — as Mastodon expects them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx

from actors.blocks import block_actor, unblock_actor
from actors.models import Actor, Block, Follow
from actors.urls import LocalUrls
from core.settings import Settings
from federation import load_public_key_pem, parse_signature, verify
from tests.api.test_api_auth import token_for
from tests.inbox.fediverse import FakeFediverse, Local

Drain = Callable[[], Awaitable[int]]
SHARED = "https://mastodon.test/inbox"


async def _remote(fediverse: FakeFediverse) -> Actor:
    fake = fediverse.person("mastodon.test", "bob")
    return await Actor.create(username="bob", domain="mastodon.test",
                              acct_key=Actor.key_for("bob", "mastodon.test"), uri=fake.uri,
                              inbox=f"{fake.uri}/inbox", shared_inbox=SHARED)


def _verified(fediverse: FakeFediverse, local: Local) -> list[dict[str, object]]:
    """The bodies POSTed to the remote server, each signature checked with alice's key."""
    key = load_public_key_pem(local.member.public_key_pem or "")
    bodies = []
    for request in [r for r in fediverse.requests if r.method == "POST"]:
        sig = parse_signature(request.headers.multi_items())
        verify(sig, key, "POST", str(request.url), request.headers.multi_items(),
               request.content)
        bodies.append(httpx.Response(200, content=request.content).json())
    return bodies


async def test_a_remote_actor_receives_a_signed_block_and_its_undo(
        fediverse: FakeFediverse, local: Local, settings: Settings, drain_jobs: Drain) -> None:
    urls = LocalUrls(settings.server.base_url)
    bob = await _remote(fediverse)
    alice = local.member
    await Follow.create(follower=alice, followed=bob, state="accepted",
                        uri=urls.activity("Follow", 1))
    await Follow.create(follower=bob, followed=alice, state="accepted",
                        uri="https://mastodon.test/follows/7")
    block = await block_actor(urls, alice, bob)
    assert await block_actor(urls, alice, bob) == block  # twice: one block, nothing more
    assert await Follow.all().count() == 0
    await drain_jobs()
    bodies = _verified(fediverse, local)
    alice_uri = f"{settings.server.base_url.rstrip('/')}/users/alice"
    by_type = {str(b["type"]): b for b in bodies}
    assert sorted(by_type) == ["Block", "Reject", "Undo"] and len(bodies) == 3
    sent = by_type["Block"]
    assert sent["id"] == block.uri and sent["actor"] == alice_uri
    assert sent["object"] == bob.uri and sent["to"] == [bob.uri]
    assert by_type["Undo"]["object"]["type"] == "Follow"  # type: ignore[index]
    assert by_type["Reject"]["object"]["id"] == "https://mastodon.test/follows/7"  # type: ignore[index]

    fediverse.requests.clear()
    assert await unblock_actor(alice, bob) is True
    assert await unblock_actor(alice, bob) is False
    await drain_jobs()
    [undo] = _verified(fediverse, local)
    assert undo["type"] == "Undo" and undo["actor"] == alice_uri
    inner = undo["object"]
    assert isinstance(inner, dict)
    assert inner["type"] == "Block" and inner["id"] == block.uri and inner["object"] == bob.uri
    assert not await Block.exists()


async def test_blocking_through_the_api_sends_the_block(
        fediverse: FakeFediverse, settings: Settings, drain_jobs: Drain,
        fed_client: httpx.AsyncClient) -> None:
    token = await token_for(fed_client, settings, "follow")
    bob = await _remote(fediverse)
    answer = await fed_client.post(f"/api/v1/accounts/{bob.id}/block",
                                   headers={"authorization": f"Bearer {token}"})
    assert answer.status_code == 200 and answer.json()["blocking"] is True
    await drain_jobs()
    assert [b["type"] for b in fediverse.posts(SHARED)] == ["Block"]


async def test_blocking_an_actor_of_ours_sends_nothing(
        fediverse: FakeFediverse, local: Local, settings: Settings, drain_jobs: Drain) -> None:
    urls = LocalUrls(settings.server.base_url)
    await block_actor(urls, local.member, local.chapter)
    await unblock_actor(local.member, local.chapter)
    await drain_jobs()
    assert fediverse.requests == []
