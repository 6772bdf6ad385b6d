"""Bookmarks, favourites, pins and who favourited or reblogged a status, through the
Mastodon API: the lists page by their own rows with Link headers; another member's private
status answers 404 as a missing one."""

from __future__ import annotations

import httpx

from core.settings import Settings
from tests.api.test_api_auth import token_for
from tests.api.test_entity_schemas import assert_matches

S = "/api/v1/statuses"


def auth(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


async def post(client: httpx.AsyncClient, token: str, **body: object) -> dict[str, object]:
    answer = await client.post(S, json=body, headers=auth(token))
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def next_link(answer: httpx.Response) -> str:
    link = answer.headers["link"]
    return link.split(">; rel=\"next\"")[0].lstrip("<")


async def test_bookmark_list_and_page(client: httpx.AsyncClient, settings: Settings) -> None:
    alice = await token_for(client, settings, "read write")
    bob = await token_for(client, settings, "read write", "bob")
    posts = [await post(client, bob, status=f"keep {i}") for i in range(3)]
    for made in reversed(posts):  # bookmarked newest post first: listed by bookmark time
        marked = await client.post(f"{S}/{made['id']}/bookmark", headers=auth(alice))
        assert marked.status_code == 200 and marked.json()["bookmarked"] is True
    again = await client.post(f"{S}/{posts[0]['id']}/bookmark/", headers=auth(alice))
    assert again.status_code == 200
    seen = await client.get(f"{S}/{posts[0]['id']}", headers=auth(alice))
    assert seen.json()["bookmarked"] is True
    assert (await client.get(f"{S}/{posts[0]['id']}", headers=auth(bob))).json()[
        "bookmarked"] is False
    first = await client.get("/api/v1/bookmarks?limit=2", headers=auth(alice))
    assert first.status_code == 200 and first.headers["cache-control"] == "private, no-store"
    assert [s["id"] for s in first.json()] == [posts[0]["id"], posts[1]["id"]]
    assert_matches("status", first.json())
    rest = await client.get(next_link(first), headers=auth(alice))
    assert [s["id"] for s in rest.json()] == [posts[2]["id"]]
    gone = await client.post(f"{S}/{posts[1]['id']}/unbookmark", headers=auth(alice))
    assert gone.status_code == 200 and gone.json()["bookmarked"] is False
    listed = await client.get("/api/v1/bookmarks", headers=auth(alice))
    assert [s["id"] for s in listed.json()] == [posts[0]["id"], posts[2]["id"]]
    # a deleted post leaves the list
    await client.delete(f"{S}/{posts[0]['id']}", headers=auth(bob))
    listed = await client.get("/api/v1/bookmarks", headers=auth(alice))
    assert [s["id"] for s in listed.json()] == [posts[2]["id"]]
    assert (await client.get("/api/v1/bookmarks", headers=auth(bob))).json() == []


async def test_bookmark_refusals(client: httpx.AsyncClient, settings: Settings) -> None:
    alice = await token_for(client, settings, "read write")
    reader = await token_for(client, settings, "read")
    writer = await token_for(client, settings, "write")
    bob = await token_for(client, settings, "read write", "bob")
    secret = await post(client, bob, status="for @nobody", visibility="direct")
    public = await post(client, bob, status="public")
    assert (await client.post(f"{S}/{public['id']}/bookmark")).status_code == 401
    assert (await client.get("/api/v1/bookmarks")).status_code == 401
    assert (await client.post(f"{S}/{public['id']}/bookmark",
                              headers=auth(reader))).status_code == 403
    assert (await client.get("/api/v1/bookmarks", headers=auth(writer))).status_code == 403
    assert (await client.get("/api/v1/favourites", headers=auth(writer))).status_code == 403
    for target in (secret["id"], "987654321", "nope"):
        answer = await client.post(f"{S}/{target}/bookmark", headers=auth(alice))
        assert answer.status_code == 404 and answer.json() == {"error": "Record not found"}
    for query in ("max_id=abc", "limit=ten", "min_id=-1"):
        answer = await client.get(f"/api/v1/bookmarks?{query}", headers=auth(alice))
        assert answer.status_code == 422 and answer.json()["error"]


async def test_favourites_and_who_favourited_or_reblogged(client: httpx.AsyncClient,
                                                          settings: Settings) -> None:
    alice = await token_for(client, settings, "read write")
    bob = await token_for(client, settings, "read write", "bob")
    carol = await token_for(client, settings, "read write", "carol")
    one = await post(client, alice, status="one")
    two = await post(client, alice, status="two")
    for made in (two, one):
        assert (await client.post(f"{S}/{made['id']}/favourite",
                                  headers=auth(bob))).status_code == 200
    liked = await client.get("/api/v1/favourites?limit=1", headers=auth(bob))
    assert [s["id"] for s in liked.json()] == [one["id"]]
    assert liked.json()[0]["favourited"] is True
    older = await client.get(next_link(liked), headers=auth(bob))
    assert [s["id"] for s in older.json()] == [two["id"]]
    await client.post(f"{S}/{one['id']}/favourite", headers=auth(carol))
    await client.post(f"{S}/{one['id']}/reblog", headers=auth(carol))
    who = await client.get(f"{S}/{one['id']}/favourited_by?limit=1")
    assert [a["username"] for a in who.json()] == ["carol"]
    assert_matches("account", who.json())
    rest = await client.get(next_link(who))
    assert [a["username"] for a in rest.json()] == ["bob"]
    shared = await client.get(f"{S}/{one['id']}/reblogged_by", headers=auth(alice))
    assert [a["username"] for a in shared.json()] == ["carol"]
    assert (await client.get(f"{S}/{one['id']}/reblogged_by",
                             headers=auth("bad"))).status_code == 401
    secret = await post(client, alice, status="private", visibility="private")
    assert (await client.get(f"{S}/{secret['id']}/favourited_by",
                             headers=auth(carol))).status_code == 404
    assert (await client.get(f"{S}/{one['id']}/favourited_by?max_id=x")).status_code == 422


async def test_pin_and_unpin(client: httpx.AsyncClient, settings: Settings) -> None:
    alice = await token_for(client, settings, "read write")
    reader = await token_for(client, settings, "read")
    bob = await token_for(client, settings, "read write", "bob")
    mine = await post(client, alice, status="pin me")
    pinned = await client.post(f"{S}/{mine['id']}/pin", headers=auth(alice))
    assert pinned.status_code == 200 and pinned.json()["pinned"] is True
    assert (await client.post(f"{S}/{mine['id']}/pin", headers=auth(alice))).status_code == 200
    assert (await client.get(f"{S}/{mine['id']}", headers=auth(alice))).json()["pinned"] is True
    unpinned = await client.post(f"{S}/{mine['id']}/unpin", headers=auth(alice))
    assert unpinned.status_code == 200 and unpinned.json()["pinned"] is False
    assert (await client.post(f"{S}/{mine['id']}/pin")).status_code == 401
    assert (await client.post(f"{S}/{mine['id']}/pin", headers=auth(reader))).status_code == 403
    others = await client.post(f"{S}/{mine['id']}/pin", headers=auth(bob))
    assert others.status_code == 422 and others.json()["error"]
    private = await post(client, alice, status="followers only", visibility="private")
    assert (await client.post(f"{S}/{private['id']}/pin",
                              headers=auth(alice))).status_code == 422
    assert (await client.post(f"{S}/{private['id']}/pin",
                              headers=auth(bob))).status_code == 404
