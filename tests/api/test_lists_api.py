"""Lists through the Mastodon API: create, read, change and delete one's lists; put followed
accounts on them; the lists an account is on; a list's timeline with Link paging. Another
member's list answers like a missing one; tokens, scopes and malformed parameters."""

from __future__ import annotations

from typing import Any

import httpx

from actors.models import Actor, Follow
from core.settings import Settings
from tests.api.test_api_auth import token_for
from tests.api.test_entity_schemas import assert_matches, check
from tests.api.test_statuses_api import auth, post
from tests.api.test_timelines_api import links, path_of

LISTS = "/api/v1/lists"
#: Mastodon's List entity as its documentation shows it (4.2 added `exclusive`).
LIST_REFERENCE = {"id": "12249", "title": "Friends", "replies_policy": "followed",
                  "exclusive": False}


async def follows(follower: str, *followed: str) -> None:
    me = await Actor.get(username=follower, domain__isnull=True)
    for name in followed:
        await Follow.create(follower=me, followed=await Actor.get(username=name, domain__isnull=True),
                            state="accepted", uri=f"https://x.test/f/{follower}/{name}")


async def account_id(name: str) -> str:
    return str((await Actor.get(username=name, domain__isnull=True)).id)


def matches_list(entity: Any) -> None:
    problems: list[str] = []
    check(entity, LIST_REFERENCE, None, "list", problems)
    assert not problems, problems


async def test_lists_crud(client: httpx.AsyncClient, settings: Settings) -> None:
    ana = await token_for(client, settings, "read write", "ana")
    made = await client.post(LISTS, data={"title": "Friends"}, headers=auth(ana))
    assert made.status_code == 200 and made.headers["cache-control"] == "private, no-store"
    friends = made.json()
    matches_list(friends)
    assert friends["title"] == "Friends" and friends["replies_policy"] == "list"
    assert friends["exclusive"] is False
    other = (await client.post(f"{LISTS}/", json={"title": "Art", "replies_policy": "none",
                                                  "exclusive": True},
                               headers=auth(ana))).json()
    assert (other["replies_policy"], other["exclusive"]) == ("none", True)
    listed = await client.get(LISTS, headers=auth(ana))
    assert [x["title"] for x in listed.json()] == ["Art", "Friends"]
    shown = await client.get(f"{LISTS}/{friends['id']}", headers=auth(ana))
    assert shown.json() == friends
    changed = await client.put(f"{LISTS}/{friends['id']}", json={
        "title": "Close friends", "replies_policy": "followed"}, headers=auth(ana))
    assert changed.json()["title"] == "Close friends"
    assert changed.json()["replies_policy"] == "followed"
    gone = await client.delete(f"{LISTS}/{other['id']}", headers=auth(ana))
    assert gone.status_code == 200 and gone.json() == {}
    assert [x["id"] for x in (await client.get(LISTS, headers=auth(ana))).json()] == [
        friends["id"]]


async def test_another_members_list_is_not_found(client: httpx.AsyncClient,
                                                 settings: Settings) -> None:
    ana = await token_for(client, settings, "read write", "ana")
    bea = await token_for(client, settings, "read write", "bea")
    theirs = (await client.post(LISTS, data={"title": "Secret"}, headers=auth(ana))).json()
    await follows("bea", "ana")
    path = f"{LISTS}/{theirs['id']}"
    missing = await client.get(f"{LISTS}/1234", headers=auth(bea))
    assert missing.status_code == 404 and missing.json() == {"error": "Record not found"}
    for method, url, body in (("GET", path, None), ("PUT", path, {"title": "x"}),
                              ("DELETE", path, None), ("GET", f"{path}/accounts", None),
                              ("POST", f"{path}/accounts",
                               {"account_ids": [await account_id("ana")]}),
                              ("DELETE", f"{path}/accounts", {"account_ids": ["1"]}),
                              ("GET", f"/api/v1/timelines/list/{theirs['id']}", None)):
        answer = await client.request(method, url, json=body, headers=auth(bea))
        assert (answer.status_code, answer.json()) == (404, missing.json()), (method, url)
    assert (await client.get(path, headers=auth(ana))).json()["title"] == "Secret"


async def test_accounts_on_a_list(client: httpx.AsyncClient, settings: Settings) -> None:
    ana = await token_for(client, settings, "read write", "ana")
    for name in ("bea", "cai", "dan", "eve"):
        await token_for(client, settings, "read", name)
    await follows("ana", "bea", "cai", "dan")
    friends = (await client.post(LISTS, data={"title": "Friends"}, headers=auth(ana))).json()
    path = f"{LISTS}/{friends['id']}/accounts"
    ids = [await account_id(n) for n in ("bea", "cai", "dan")]
    added = await client.post(path, data={"account_ids[]": ids[:2]}, headers=auth(ana))
    assert added.status_code == 200 and added.json() == {}
    assert (await client.post(path, json={"account_ids": [int(ids[2])]},
                              headers=auth(ana))).status_code == 200
    not_followed = await client.post(path, data={"account_ids[]": [await account_id("eve")]},
                                     headers=auth(ana))
    assert not_followed.status_code == 404
    again = await client.post(path, data={"account_ids[]": ids[0]}, headers=auth(ana))
    assert again.status_code == 422
    assert again.json() == {"error": "Validation failed: Account has already been taken"}
    first = await client.get(path, params={"limit": "2"}, headers=auth(ana))
    assert [a["id"] for a in first.json()] == [ids[2], ids[1]]
    assert_matches("account", first.json())
    rest = await client.get(path_of(links(first)["next"]), headers=auth(ana))
    assert [a["id"] for a in rest.json()] == [ids[0]]
    everyone = await client.get(path, params={"limit": "0"}, headers=auth(ana))
    assert len(everyone.json()) == 3 and "link" not in everyone.headers
    of_bea = await client.get(f"/api/v1/accounts/{ids[0]}/lists", headers=auth(ana))
    assert [x["id"] for x in of_bea.json()] == [friends["id"]]
    removed = await client.request("DELETE", path, data={"account_ids[]": [ids[0]]},  # type: ignore[call-arg]
                                   headers=auth(ana))
    assert removed.status_code == 200
    assert (await client.get(f"/api/v1/accounts/{ids[0]}/lists", headers=auth(ana))).json() == []
    assert (await client.get("/api/v1/accounts/999/lists", headers=auth(ana))).status_code == 404


async def test_list_timeline(client: httpx.AsyncClient, settings: Settings) -> None:
    ana = await token_for(client, settings, "read write", "ana")
    bea = await token_for(client, settings, "read write", "bea")
    cai = await token_for(client, settings, "read write", "cai")
    await follows("ana", "bea", "cai")
    friends = (await client.post(LISTS, data={"title": "Friends"}, headers=auth(ana))).json()
    await client.post(f"{LISTS}/{friends['id']}/accounts",
                      data={"account_ids[]": [await account_id("bea")]}, headers=auth(ana))
    by_cai = await post(client, cai, status="cai's")
    posts = [await post(client, bea, status=f"bea {n}") for n in range(3)]
    boost = (await client.post(f"/api/v1/statuses/{by_cai['id']}/reblog",
                               headers=auth(bea))).json()
    await post(client, bea, status="private to nobody", visibility="direct")
    url = f"/api/v1/timelines/list/{friends['id']}"
    first = await client.get(url, params={"limit": "2"}, headers=auth(ana))
    assert first.status_code == 200
    assert [s["id"] for s in first.json()] == [boost["id"], posts[2]["id"]]
    assert first.json()[0]["reblog"]["id"] == by_cai["id"]
    assert_matches("status", first.json())
    second = await client.get(path_of(links(first)["next"]), headers=auth(ana))
    assert [s["id"] for s in second.json()] == [posts[1]["id"], posts[0]["id"]]
    back = await client.get(path_of(links(second)["prev"]), headers=auth(ana))
    assert [s["id"] for s in back.json()] == [boost["id"], posts[2]["id"]]
    assert (await client.get(f"{url}/", headers=auth(ana))).status_code == 200


async def test_tokens_scopes_and_bad_params(client: httpx.AsyncClient,
                                            settings: Settings) -> None:
    assert (await client.get(LISTS)).status_code == 401
    assert (await client.post(LISTS, data={"title": "x"},
                              headers=auth("nope"))).status_code == 401
    reader = await token_for(client, settings, "read:lists")
    writer = await token_for(client, settings, "write:lists")
    statuses = await token_for(client, settings, "read:statuses write:statuses")
    assert (await client.get(LISTS, headers=auth(reader))).status_code == 200
    assert (await client.get(LISTS, headers=auth(statuses))).status_code == 403
    assert (await client.post(LISTS, data={"title": "x"},
                              headers=auth(reader))).status_code == 403
    made = (await client.post(LISTS, data={"title": "x"}, headers=auth(writer))).json()
    assert (await client.get(f"/api/v1/timelines/list/{made['id']}",
                             headers=auth(statuses))).status_code == 403
    assert (await client.delete(f"{LISTS}/{made['id']}",
                                headers=auth(reader))).status_code == 403
    for body in ({}, {"title": "  "}, {"title": "x", "replies_policy": "all"},
                 {"title": "x", "exclusive": "perhaps"}, {"title": "x" * 300}):
        answer = await client.post(LISTS, json=body, headers=auth(writer))
        assert answer.status_code == 422, body
        assert answer.json()["error"].startswith("Validation failed: ")
    path = f"{LISTS}/{made['id']}/accounts"
    for body in ({}, {"account_ids": ["abc"]}, {"account_ids": [True]},
                 {"account_ids": [{"id": "1"}]}):
        answer = await client.post(path, json=body, headers=auth(writer))
        assert answer.status_code == 422, body
    for params in ({"limit": "many"}, {"max_id": "x"}):
        answer = await client.get(f"/api/v1/timelines/list/{made['id']}", params=params,
                                  headers=auth(reader))
        assert answer.status_code == 422, params
        assert (await client.get(path, params=params, headers=auth(reader))).status_code == 422
    assert (await client.get(f"{LISTS}/abc", headers=auth(reader))).status_code == 404


async def test_exclusive_list_keeps_its_accounts_off_home_and_unfollow_takes_them_off(
        client: httpx.AsyncClient, settings: Settings) -> None:
    ana = await token_for(client, settings, "read write follow", "ana")
    bea = await token_for(client, settings, "read write", "bea")
    cid = await token_for(client, settings, "read write", "cid")
    await follows("ana", "bea", "cid")
    from_bea = await post(client, bea, status="Bea writes")
    from_cid = await post(client, cid, status="Cid writes")
    art = (await client.post(LISTS, json={"title": "Art", "exclusive": True},
                             headers=auth(ana))).json()
    added = await client.post(f"{LISTS}/{art['id']}/accounts",
                              data={"account_ids[]": [await account_id("bea")]},
                              headers=auth(ana))
    assert added.status_code == 200, added.text
    home = (await client.get("/api/v1/timelines/home", headers=auth(ana))).json()
    assert [s["id"] for s in home] == [from_cid["id"]]  # Bea is read on the list only
    listed = (await client.get(f"/api/v1/timelines/list/{art['id']}", headers=auth(ana))).json()
    assert [s["id"] for s in listed] == [from_bea["id"]]
    # Unfollowing Bea takes her off the list, as Mastodon does.
    gone = await client.post(f"/api/v1/accounts/{await account_id('bea')}/unfollow",
                             headers=auth(ana))
    assert gone.status_code == 200 and gone.json()["following"] is False
    members = (await client.get(f"{LISTS}/{art['id']}/accounts", headers=auth(ana))).json()
    assert members == []
