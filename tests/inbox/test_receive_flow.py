"""The inbox end to end: size and JSON limits, dedupe, key rotation, and Follows from real
servers' payloads processed into follows and answered with a delivered Accept."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest

from actors.follows import follow_actor, unfollow_actor
from actors.models import Actor, Follow
from actors.urls import LocalUrls
from core import clock
from core.models import Job
from core.settings import Settings
from federation import FederationClient, build_jrd, generate_rsa_key, public_key_to_pem
from inbox.models import InboundActivity
from inbox.remote import resolve_actor, resolve_handle
from tests.inbox.fediverse import (
    FakeActor,
    FakeFediverse,
    Local,
    load_interop,
    nothing_stored,
    signed_headers,
)

Drain = Callable[[], Awaitable[int]]


async def post(client: httpx.AsyncClient, settings: Settings, path: str, doc: Any,
               actor: FakeActor, **options: Any) -> httpx.Response:
    body = json.dumps(doc).encode()
    headers = signed_headers(settings, path, body, actor.signer, **options)
    return await client.post(path, content=body, headers=headers)


def follow(actor: FakeActor, target: str, n: int = 1) -> dict[str, Any]:
    return {"@context": "https://www.w3.org/ns/activitystreams", "id": f"{actor.uri}#follows/{n}",
            "type": "Follow", "actor": actor.uri, "object": target}


async def test_a_body_over_one_mebibyte_is_413_unread(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
) -> None:
    alice = fediverse.person("mastodon.test", "alice")
    doc = follow(alice, f"{settings.server.base_url}/users/alice")
    doc["padding"] = "x" * (1024 * 1024)
    response = await post(fed_client, settings, "/inbox", doc, alice)
    assert response.status_code == 413
    assert await nothing_stored() and fediverse.gets() == []


async def test_a_chunked_body_over_the_cap_is_413(
    fed_client: httpx.AsyncClient, local: Local,
) -> None:
    async def chunks():  # no Content-Length: the cap is enforced while reading
        for _ in range(20):
            yield b"x" * 65536

    response = await fed_client.post("/inbox", content=chunks(),
                                     headers={"content-type": "application/activity+json"})
    assert response.status_code == 413
    assert await nothing_stored()


@pytest.mark.parametrize("body", [b"{not json", b"[]", b'"Follow"', b"\xff\xfe",
                                  b'{"type": "Follow"}', b'{"id": 5, "type": "Follow"}'])
async def test_a_body_that_is_not_an_activity_is_400(
    body: bytes, fed_client: httpx.AsyncClient, local: Local,
) -> None:
    response = await fed_client.post("/inbox", content=body)
    assert response.status_code == 400
    assert await nothing_stored()


async def test_an_inbox_of_nobody_is_404(fed_client: httpx.AsyncClient, local: Local) -> None:
    response = await fed_client.post("/users/nobody/inbox", content=b"{}")
    assert response.status_code == 404
    assert (await fed_client.get("/inbox")).status_code == 405


async def test_a_duplicate_is_answered_202_and_stored_once(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
) -> None:
    alice = fediverse.person("mastodon.test", "alice")
    doc = follow(alice, f"{settings.server.base_url}/users/alice")
    first = await post(fed_client, settings, "/inbox", doc, alice)
    again = await post(fed_client, settings, "/users/alice/inbox", doc, alice)
    assert (first.status_code, again.status_code) == (202, 202)
    assert again.json()["status"] == "duplicate"
    assert await InboundActivity.all().count() == 1
    assert await Job.filter(name="inbox.process").count() == 1
    assert len(fediverse.gets()) == 1  # the key was fetched once and then cached


async def test_a_rotated_key_is_refetched_once_then_refused_for_a_while(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
) -> None:
    alice = fediverse.person("mastodon.test", "alice")
    target = f"{settings.server.base_url}/users/alice"
    assert (await post(fed_client, settings, "/inbox", follow(alice, target, 1),
                       alice)).status_code == 202
    # Alice's server rotates her key: the cached one fails, one re-fetch finds the new one.
    new_key = generate_rsa_key()
    alice.key = new_key
    alice.doc["publicKey"]["publicKeyPem"] = public_key_to_pem(new_key)
    fediverse.publish(alice)
    assert (await post(fed_client, settings, "/inbox", follow(alice, target, 2),
                       alice)).status_code == 202
    assert len(fediverse.gets()) == 2
    # A forger naming Alice's key gets 401; the re-fetch of the rotation used this window's
    # one, so a storm of forgeries costs no fetch until the window has passed.
    forger = FakeActor(alice.uri, alice.key_id, generate_rsa_key(), alice.doc)
    for n in range(3, 8):
        response = await post(fed_client, settings, "/inbox", follow(alice, target, n), forger)
        assert response.status_code == 401
    assert len(fediverse.gets()) == 2
    later = clock.now() + timedelta(minutes=6)
    clock.set_clock(lambda: later)
    try:
        response = await post(fed_client, settings, "/inbox", follow(alice, target, 9), forger)
    finally:
        clock.set_clock(None)
    assert response.status_code == 401
    assert len(fediverse.gets()) == 3
    assert await InboundActivity.all().count() == 2


async def test_the_delete_of_a_gone_actor_is_acknowledged_without_a_trace(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
) -> None:
    ghost = fediverse.person("mastodon.test", "ghost")
    fediverse.serve(ghost.uri, {"type": "Tombstone", "id": ghost.uri}, status=410)
    doc = {"id": f"{ghost.uri}#delete", "type": "Delete", "actor": ghost.uri,
           "object": ghost.uri}
    response = await post(fed_client, settings, "/inbox", doc, ghost)
    assert response.status_code == 202
    assert await nothing_stored()


FOLLOWERS = [
    ("mastodon", "mastodon/person.json", "mastodon/follow.json"),
    ("gotosocial", "gotosocial/person.json", "mastodon/follow.json"),
    ("misskey", "misskey/person.json", "pleroma/follow.json"),
    ("pleroma", "pleroma/person.json", "pleroma/follow.json"),
    ("lemmy", "lemmy/group.json", "lemmy/follow.json"),
]


def follow_like(fixture: str, actor: FakeActor, target: str) -> dict[str, Any]:
    """The software's own Follow shape, re-pointed at `actor` and `target`."""
    doc = load_interop(fixture)
    origin = "/".join(actor.uri.split("/")[:3])
    doc["id"] = f"{origin}/activities/follow/{abs(hash(actor.uri)) % 10**8}"
    doc["actor"], doc["object"] = actor.uri, target
    if "to" in doc:
        doc["to"] = [target]
    return doc


@pytest.mark.parametrize(("software", "person", "follow_fixture"), FOLLOWERS,
                         ids=[f[0] for f in FOLLOWERS])
async def test_a_follow_of_an_open_chapter_is_accepted_and_the_accept_delivered(
    software: str, person: str, follow_fixture: str, fed_client: httpx.AsyncClient,
    fediverse: FakeFediverse, local: Local, settings: Settings, drain_jobs: Drain,
) -> None:
    remote = fediverse.rehost(person, f"{software}.test")
    target = f"{settings.server.base_url}/chapters/greens_lyon"
    doc = follow_like(follow_fixture, remote, target)
    response = await post(fed_client, settings, "/chapters/greens_lyon/inbox", doc, remote)
    assert response.status_code == 202, response.text
    row = await InboundActivity.get(activity_id=doc["id"])
    assert (row.state, row.actor_uri, row.signer_key_id) == ("received", remote.uri,
                                                             remote.key_id)
    assert await Job.filter(name="inbox.process").count() == 1

    assert await drain_jobs() == 3  # inbox.process, outbox.publish, outbox.deliver
    await row.refresh_from_db()
    assert row.state == "processed"
    stored = await Follow.get(uri=doc["id"]).prefetch_related("follower", "followed")
    assert stored.state == "accepted"
    assert (stored.follower.uri, stored.followed.id) == (remote.uri, local.chapter.id)
    inbox = remote.doc.get("endpoints", {}).get("sharedInbox") or remote.doc["inbox"]
    [accept] = fediverse.posts(inbox)
    assert accept["type"] == "Accept"
    assert accept["actor"] == target
    assert accept["object"]["id"] == doc["id"]
    assert accept["object"]["actor"] == remote.uri
    delivered = next(r for r in fediverse.requests if r.method == "POST")
    assert delivered.headers["signature"].startswith(
        f'keyId="{target}#main-key"')


async def test_a_follow_of_an_approval_chapter_waits(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    remote = fediverse.person("mastodon.test", "carol")
    doc = follow(remote, f"{settings.server.base_url}/chapters/greens_paris")
    assert (await post(fed_client, settings, "/inbox", doc, remote)).status_code == 202
    await drain_jobs()
    assert (await Follow.get(uri=doc["id"])).state == "pending"
    assert fediverse.posts() == []


async def test_a_follow_of_a_closed_chapter_is_rejected(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    remote = fediverse.person("mastodon.test", "dave")
    doc = follow(remote, f"{settings.server.base_url}/chapters/greens_nice")
    assert (await post(fed_client, settings, "/inbox", doc, remote)).status_code == 202
    await drain_jobs()
    assert await Follow.all().count() == 0
    [reject] = fediverse.posts("https://mastodon.test/inbox")
    assert reject["type"] == "Reject" and reject["object"]["id"] == doc["id"]


async def test_undo_follow_removes_the_follow(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    remote = fediverse.person("mastodon.test", "erin")
    target = f"{settings.server.base_url}/users/alice"
    doc = follow(remote, target)
    assert (await post(fed_client, settings, "/inbox", doc, remote)).status_code == 202
    await drain_jobs()
    assert await Follow.filter(state="accepted").count() == 1
    undo = {"id": f"{remote.uri}#follows/1/undo", "type": "Undo", "actor": remote.uri,
            "object": {"id": doc["id"], "type": "Follow", "actor": remote.uri, "object": target}}
    assert (await post(fed_client, settings, "/inbox", undo, remote)).status_code == 202
    await drain_jobs()
    assert await Follow.all().count() == 0
    assert (await InboundActivity.get(activity_id=undo["id"])).state == "processed"


async def test_a_member_follows_by_handle_and_the_accept_lands(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    urls = LocalUrls(settings.server.base_url)
    group = fediverse.rehost("lemmy/group.json", "lemmy.test")
    fediverse.serve("https://lemmy.test/.well-known/webfinger?resource=acct%3Atenforward%40lemmy.test",
                    build_jrd("tenforward@lemmy.test", group.uri), content_type="application/jrd+json")
    async with FederationClient(transport=fediverse.transport) as client:
        remote = await resolve_handle(urls, client, "@tenforward@lemmy.test")
    assert remote.uri == group.uri and remote.kind == "Group"
    follow = await follow_actor(urls, local.member, remote)
    await drain_jobs()
    [sent] = fediverse.posts("https://lemmy.test/inbox")
    alice = f"{settings.server.base_url}/users/alice"
    assert sent == {"@context": sent["@context"], "id": follow.uri, "type": "Follow",
                    "actor": alice, "object": group.uri, "to": [group.uri]}
    # Lemmy's own Accept shape, embedding our Follow.
    accept = load_interop("lemmy/accept.json")
    accept.update(id=f"{group.uri}/accept/1", actor=group.uri, to=[alice])
    accept["object"].update(id=follow.uri, actor=alice, object=group.uri, to=[group.uri])
    assert (await post(fed_client, settings, "/users/alice/inbox", accept, group)
            ).status_code == 202
    await drain_jobs()
    assert (await Follow.get(uri=follow.uri)).state == "accepted"
    following = (await fed_client.get("/users/alice/following?page=1")).json()
    assert following["orderedItems"] == [group.uri]

    assert await unfollow_actor(local.member, remote)
    await drain_jobs()
    undo = fediverse.posts("https://lemmy.test/inbox")[-1]
    assert undo["type"] == "Undo" and undo["actor"] == alice
    assert undo["object"] == {"id": follow.uri, "type": "Follow", "actor": alice,
                              "object": group.uri}
    assert await Follow.all().count() == 0


async def test_a_reject_by_id_ends_our_pending_follow(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    urls = LocalUrls(settings.server.base_url)
    bob = fediverse.person("mastodon.test", "bob")
    async with FederationClient(transport=fediverse.transport) as client:
        remote = await resolve_actor(urls, client, bob.uri)
    follow = await follow_actor(urls, local.member, remote)
    reject = {"id": f"{bob.uri}#rejects/1", "type": "Reject", "actor": bob.uri,
              "object": follow.uri}
    assert (await post(fed_client, settings, "/inbox", reject, bob)).status_code == 202
    await drain_jobs()
    assert await Follow.all().count() == 0


async def test_unknown_activity_types_are_stored_and_ignored(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    remote = fediverse.person("mastodon.test", "frank")
    doc = {"id": f"{remote.uri}#x", "type": "Wobble", "actor": remote.uri, "object": remote.uri}
    assert (await post(fed_client, settings, "/inbox", doc, remote)).status_code == 202
    await drain_jobs()
    assert (await InboundActivity.get(activity_id=doc["id"])).state == "ignored"
    assert await Actor.filter(uri=remote.uri).exists()


async def test_a_storm_of_forgeries_on_a_cached_key_costs_one_refetch(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
) -> None:
    alice = fediverse.person("mastodon.test", "alice")
    target = f"{settings.server.base_url}/users/alice"
    assert (await post(fed_client, settings, "/inbox", follow(alice, target, 1),
                       alice)).status_code == 202
    forger = FakeActor(alice.uri, alice.key_id, generate_rsa_key(), alice.doc)
    for n in range(2, 12):
        response = await post(fed_client, settings, "/inbox", follow(alice, target, n), forger)
        assert response.status_code == 401
    assert len(fediverse.gets()) == 2  # the first fetch, and one re-fetch in the window
    assert await InboundActivity.all().count() == 1
