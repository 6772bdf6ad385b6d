"""Timelines through the Mastodon API: home (followed members, boosts, one's own), public
(?local, ?remote), a hashtag's; paging by max_id/since_id/min_id with the Link header an app
follows; tokens, scopes and malformed cursors."""

from __future__ import annotations

import re

import httpx

from actors.models import Actor, Follow
from content.models import Post
from content.tags import set_tags
from core.settings import Settings
from tests.api.test_api_auth import token_for
from tests.api.test_statuses_api import auth, post

HOME, PUBLIC = "/api/v1/timelines/home", "/api/v1/timelines/public"


def links(answer: httpx.Response) -> dict[str, str]:
    return {rel: url for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"',
                                                answer.headers.get("link", ""))}


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


async def test_public_timeline_pages_with_link_headers(client: httpx.AsyncClient,
                                                       settings: Settings) -> None:
    alice = await token_for(client, settings, "read write")
    ids = [str((await post(client, alice, status=f"n{i}"))["id"]) for i in range(5)]
    await post(client, alice, status="quiet", visibility="unlisted")
    await post(client, alice, status="reply", in_reply_to_id=ids[0])
    first = await client.get(PUBLIC, params={"limit": "2", "local": "true"})
    assert first.status_code == 200
    assert [s["id"] for s in first.json()] == [ids[4], ids[3]]
    rel = links(first)
    assert "max_id=" + ids[3] in rel["next"] and "min_id=" + ids[4] in rel["prev"]
    assert "local=true" in rel["next"] and "limit=2" in rel["next"]
    second = await client.get(path_of(rel["next"]))
    assert [s["id"] for s in second.json()] == [ids[2], ids[1]]
    back = await client.get(path_of(links(second)["prev"]))
    assert [s["id"] for s in back.json()] == [ids[4], ids[3]]
    since = await client.get(PUBLIC, params={"since_id": ids[1], "limit": "2"})
    assert [s["id"] for s in since.json()] == [ids[4], ids[3]]  # newest first
    above = await client.get(PUBLIC, params={"min_id": ids[1], "limit": "2"})
    assert [s["id"] for s in above.json()] == [ids[3], ids[2]]  # just above the cursor
    end = await client.get(PUBLIC, params={"max_id": ids[0]})
    assert end.json() == [] and "link" not in end.headers
    remote = await client.get(PUBLIC, params={"remote": "true"})
    assert remote.json() == []


async def test_home_timeline(client: httpx.AsyncClient, settings: Settings) -> None:
    alice = await token_for(client, settings, "read write")
    bob = await token_for(client, settings, "read write", "bob")
    carol = await token_for(client, settings, "read write", "carol")
    await Follow.create(follower=await Actor.get(username="alice"),
                        followed=await Actor.get(username="bob"), state="accepted",
                        uri="https://x.test/follows/1")
    by_bob = await post(client, bob, status="for followers", visibility="private")
    by_carol = await post(client, carol, status="carol's")
    mine = await post(client, alice, status="my own")
    boosted = await client.post(f"/api/v1/statuses/{by_carol['id']}/reblog",
                                headers=auth(bob))
    answer = await client.get(HOME, headers=auth(alice))
    assert answer.status_code == 200
    items = answer.json()
    assert [s["id"] for s in items] == [boosted.json()["id"], mine["id"], by_bob["id"]]
    assert items[0]["reblog"]["id"] == by_carol["id"]
    older = await client.get(HOME, headers=auth(alice), params={"limit": "1",
                                                                "max_id": mine["id"]})
    assert [s["id"] for s in older.json()] == [by_bob["id"]]
    newer = await client.get(HOME, headers=auth(alice), params={"min_id": by_bob["id"],
                                                                "limit": "1"})
    assert [s["id"] for s in newer.json()] == [mine["id"]]
    since = await client.get(HOME, headers=auth(alice), params={"since_id": by_bob["id"]})
    assert [s["id"] for s in since.json()] == [boosted.json()["id"], mine["id"]]
    # carol follows nobody: her home has her own post only, never bob's followers-only one
    theirs = await client.get(HOME, headers=auth(carol))
    assert [s["id"] for s in theirs.json()] == [by_carol["id"]]


async def test_hashtag_timeline(client: httpx.AsyncClient, settings: Settings) -> None:
    alice = await token_for(client, settings, "read write")
    tagged = await post(client, alice, status="about #Climate")
    hidden = await post(client, alice, status="also #Climate", visibility="private")
    for status in (tagged, hidden):
        await set_tags(await Post.get(id=int(str(status["id"]))), ["Climate"])
    answer = await client.get("/api/v1/timelines/tag/climate/")
    assert [s["id"] for s in answer.json()] == [tagged["id"]]
    assert (await client.get("/api/v1/timelines/tag/unknown")).json() == []


async def test_tokens_scopes_and_bad_params(client: httpx.AsyncClient,
                                            settings: Settings) -> None:
    assert (await client.get(HOME)).status_code == 401
    profile = await token_for(client, settings, "profile")
    assert (await client.get(HOME, headers=auth(profile))).status_code == 403
    assert (await client.get(PUBLIC, headers=auth(profile))).status_code == 403
    assert (await client.get(PUBLIC, headers=auth("nope"))).status_code == 401
    reader = await token_for(client, settings, "read:statuses")
    for params in ({"limit": "many"}, {"max_id": "x"}, {"since_id": "-1"},
                   {"min_id": "1" * 25}):
        answer = await client.get(HOME, headers=auth(reader), params=params)
        assert answer.status_code == 422, params
        assert answer.json()["error"].startswith("Validation failed: ")
    assert (await client.get(PUBLIC, params={"limit": "500"})).status_code == 200
