"""Notifications through the Mastodon API as an app sees them: the list with its filters
and paging, one notification, dismiss, clear, the unread count after a marker; tokens,
scopes, other members' ids and malformed parameters; and no notification from an account
the member blocked or muted with notifications."""

from __future__ import annotations

from datetime import timedelta

import httpx

from actors.models import Actor, Block, Mute
from actors.urls import LocalUrls
from content.models import Notification, Post
from content.notifications import notify
from content.posts import create_post
from content.reactions import boost_post, like_post
from core import clock
from core.settings import Settings
from tests.api.test_api_auth import token_for
from tests.api.test_entity_schemas import assert_matches

N = "/api/v1/notifications"


def auth(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


async def _alice_with_news(client: httpx.AsyncClient, settings: Settings,
                           scope: str = "read write") -> tuple[str, Actor, Actor, Post]:
    """Alice (a token of `scope`), whose post bob liked and boosted and carol mentioned her
    in; she was also told of a join (a kind the API leaves out)."""
    token = await token_for(client, settings, scope)
    urls = LocalUrls(settings.server.base_url)
    alice = await Actor.get(username="alice", domain=None)
    bob_token = await token_for(client, settings, "read", "bob")
    carol_token = await token_for(client, settings, "read", "carol")
    assert bob_token and carol_token
    bob = await Actor.get(username="bob", domain=None)
    carol = await Actor.get(username="carol", domain=None)
    post = await create_post(urls, alice, "Hello")
    await like_post(urls, bob, post)
    await boost_post(urls, bob, post)
    await create_post(urls, carol, "Hi @alice", mentions=[alice])
    await notify(alice, "join_accepted", actor=bob)
    return token, bob, carol, post


async def test_list_filters_and_schema(client: httpx.AsyncClient, settings: Settings) -> None:
    token, bob, carol, _ = await _alice_with_news(client, settings)
    answer = await client.get(N, headers=auth(token))
    assert answer.status_code == 200, answer.text
    assert "private" in answer.headers["cache-control"]
    listed = answer.json()
    assert [n["type"] for n in listed] == ["mention", "reblog", "favourite"]
    assert listed[2]["account"]["id"] == str(bob.id) and listed[2]["status"]["content"]
    assert_matches("notification", listed)
    only = await client.get(N, params={"types[]": ["favourite", "bogus"]}, headers=auth(token))
    assert [n["type"] for n in only.json()] == ["favourite"]
    nothing = await client.get(N, params={"types[]": "bogus"}, headers=auth(token))
    assert nothing.json() == []
    skipped = await client.get(N, params={"exclude_types[]": ["mention", "reblog", "bogus"]},
                               headers=auth(token))
    assert [n["type"] for n in skipped.json()] == ["favourite"]
    from_carol = await client.get(f"{N}/", params={"account_id": carol.id}, headers=auth(token))
    assert [n["type"] for n in from_carol.json()] == ["mention"]


async def test_paging_with_link_header(client: httpx.AsyncClient, settings: Settings) -> None:
    token, *_ = await _alice_with_news(client, settings)
    everything = [n["id"] for n in (await client.get(N, headers=auth(token))).json()]
    first = await client.get(N, params={"limit": 2}, headers=auth(token))
    assert [n["id"] for n in first.json()] == everything[:2]
    link = first.headers["link"]
    assert f"max_id={everything[1]}" in link and f"min_id={everything[0]}" in link
    assert 'rel="next"' in link and "limit=2" in link
    rest = await client.get(N, params={"limit": 2, "max_id": everything[1]}, headers=auth(token))
    assert [n["id"] for n in rest.json()] == everything[2:]
    newer = await client.get(N, params={"min_id": everything[2], "limit": 1},
                             headers=auth(token))
    assert [n["id"] for n in newer.json()] == [everything[1]]
    since = await client.get(N, params={"since_id": everything[1]}, headers=auth(token))
    assert [n["id"] for n in since.json()] == [everything[0]]
    empty = await client.get(N, params={"max_id": everything[-1]}, headers=auth(token))
    assert empty.json() == [] and "link" not in empty.headers


async def test_one_dismiss_and_clear(client: httpx.AsyncClient, settings: Settings) -> None:
    token, *_ = await _alice_with_news(client, settings)
    listed = (await client.get(N, headers=auth(token))).json()
    one = await client.get(f"{N}/{listed[0]['id']}", headers=auth(token))
    assert one.status_code == 200 and one.json() == listed[0]
    left_out = await Notification.get(kind="join_accepted")
    assert (await client.get(f"{N}/{left_out.id}", headers=auth(token))).status_code == 404
    gone = await client.post(f"{N}/{listed[0]['id']}/dismiss", headers=auth(token))
    assert gone.status_code == 200 and gone.json() == {}
    assert (await client.get(f"{N}/{listed[0]['id']}", headers=auth(token))).status_code == 404
    again = await client.post(f"{N}/{listed[0]['id']}/dismiss", headers=auth(token))
    assert again.status_code == 404 and again.json() == {"error": "Record not found"}
    cleared = await client.post(f"{N}/clear", headers=auth(token))
    assert cleared.status_code == 200 and cleared.json() == {}
    assert (await client.get(N, headers=auth(token))).json() == []
    assert not await Notification.filter(recipient__username="alice").exists()


async def test_another_members_notification_is_not_found(client: httpx.AsyncClient,
                                                         settings: Settings) -> None:
    await _alice_with_news(client, settings)
    hers = await Notification.filter(kind="favourite").first()
    assert hers is not None
    bob = await token_for(client, settings, "read write", "bob")
    for answer in (await client.get(f"{N}/{hers.id}", headers=auth(bob)),
                   await client.post(f"{N}/{hers.id}/dismiss", headers=auth(bob)),
                   await client.get(f"{N}/99999999999", headers=auth(bob)),
                   await client.get(f"{N}/nope", headers=auth(bob))):
        assert answer.status_code == 404 and answer.json() == {"error": "Record not found"}
    assert await Notification.exists(id=hers.id)
    await client.post(f"{N}/clear", headers=auth(bob))
    assert await Notification.exists(id=hers.id)  # bob's clear is bob's only


async def test_unread_count_after_the_marker(client: httpx.AsyncClient,
                                             settings: Settings) -> None:
    token, *_ = await _alice_with_news(client, settings)
    count = await client.get(f"{N}/unread_count", headers=auth(token))
    assert count.status_code == 200 and count.json() == {"count": 3}
    assert (await client.get(f"{N}/unread_count", params={"limit": 2},
                             headers=auth(token))).json() == {"count": 2}
    listed = (await client.get(N, headers=auth(token))).json()
    marked = await client.post("/api/v1/markers", headers=auth(token),
                               json={"notifications": {"last_read_id": listed[1]["id"]}})
    assert marked.status_code == 200, marked.text
    assert (await client.get(f"{N}/unread_count", headers=auth(token))).json() == {"count": 1}
    assert (await client.get(f"{N}/unread_count", params={"types[]": "favourite"},
                             headers=auth(token))).json() == {"count": 0}


async def test_tokens_scopes_and_malformed(client: httpx.AsyncClient,
                                           settings: Settings) -> None:
    token, *_ = await _alice_with_news(client, settings, "read:notifications")
    some = (await client.get(N, headers=auth(token))).json()[0]["id"]
    for path in (N, f"{N}/{some}", f"{N}/unread_count"):
        assert (await client.get(path)).status_code == 401
    for path in (f"{N}/clear", f"{N}/{some}/dismiss"):
        assert (await client.post(path)).status_code == 401
        refused = await client.post(path, headers=auth(token))
        assert refused.status_code == 403, refused.text
    statuses_only = await token_for(client, settings, "read:statuses write", "dave")
    assert (await client.get(N, headers=auth(statuses_only))).status_code == 403
    for params in ({"limit": "many"}, {"max_id": "x"}, {"min_id": "-1"}, {"since_id": "1e3"},
                   {"account_id": "bob"}):
        answer = await client.get(N, params=params, headers=auth(token))
        assert answer.status_code == 422, params
        assert answer.json()["error"].startswith("Validation failed")


async def test_no_notification_from_the_blocked_or_muted(client: httpx.AsyncClient,
                                                         settings: Settings) -> None:
    await token_for(client, settings, "read")
    await token_for(client, settings, "read", "bob")
    alice = await Actor.get(username="alice", domain=None)
    bob = await Actor.get(username="bob", domain=None)
    urls = LocalUrls(settings.server.base_url)
    posts = [await create_post(urls, alice, f"Post {i}") for i in range(4)]
    mute = await Mute.create(owner=alice, target=bob, notifications=True)
    await like_post(urls, bob, posts[0])
    assert not await Notification.filter(recipient_id=alice.id).exists()
    await Mute.filter(id=mute.id).update(notifications=False)  # muted, but notifications on
    await like_post(urls, bob, posts[1])
    await Mute.filter(id=mute.id).update(notifications=True,
                                         expires_at=clock.now() - timedelta(minutes=1))
    await like_post(urls, bob, posts[2])  # the mute has expired
    assert await Notification.filter(recipient_id=alice.id).count() == 2
    await Mute.filter(id=mute.id).delete()
    await Block.create(blocker=alice, blocked=bob, uri="https://example.test/blocks/1")
    await like_post(urls, bob, posts[3])
    assert await Notification.filter(recipient_id=alice.id).count() == 2
    # the other way round does not silence anyone: bob blocked by alice is still told
    await like_post(urls, alice, await create_post(urls, bob, "Mine"))
    assert await Notification.filter(recipient_id=bob.id).count() == 1
