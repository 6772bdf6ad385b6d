"""Search through the Mastodon API: accounts (members, chapters, known remote actors; never
one awaiting approval), statuses through the visibility policy, hashtags by prefix, offset
paging; `resolve=true` finds a remote account by handle and a remote post by address over
federation, and a failed look-up is an empty answer; tokens, scopes, malformed params."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from actors.accounts import Registration, register_member
from actors.chapters import create_chapter
from actors.models import Account, Actor, Follow
from content.models import Post
from content.received import store_remote_post
from content.tags import set_tags
from core.settings import Settings
from tests.api.test_api_auth import token_for
from tests.api.test_entity_schemas import assert_matches
from tests.api.test_statuses_api import auth, post
from tests.content.test_visibility import remote
from tests.inbox.content_support import note
from tests.inbox.fediverse import FakeFediverse, fed_client, fediverse, registry
from tests.web.test_follow_pages import serve_webfinger

__all__ = ["fed_client", "fediverse", "registry"]

V2, ACCOUNTS = "/api/v2/search", "/api/v1/accounts/search"


async def test_accounts_statuses_and_hashtags(client: httpx.AsyncClient,
                                              settings: Settings) -> None:
    alice = await token_for(client, settings, "read write")
    await token_for(client, settings, "read", "garance")
    await create_chapter("Garden club", "gardeners")
    await remote("garfield", "remote.test")
    await register_member(Registration("garry", "garry@example.org", "a long password ok",
                                       True), settings.registration)
    await Actor.filter(username="garry").update(display_name="Garry")

    await Account.filter(email="garry@example.org").update(approved=False)
    found = await client.get(V2, params={"q": "gar", "type": "accounts"},
                             headers=auth(alice))
    assert found.status_code == 200 and found.headers["cache-control"] == "private, no-store"
    body = found.json()
    assert sorted(a["acct"] for a in body["accounts"]) == [
        "garance", "gardeners", "garfield@remote.test"]
    assert body["statuses"] == [] and body["hashtags"] == []
    assert_matches("account", body["accounts"])
    group = next(a for a in body["accounts"] if a["acct"] == "gardeners")
    assert group["group"] is True
    by_name = await client.get(ACCOUNTS, params={"q": "Garden"}, headers=auth(alice))
    assert [a["acct"] for a in by_name.json()] == ["gardeners"]
    remote_only = await client.get(ACCOUNTS, params={"q": "@gar@remote"}, headers=auth(alice))
    assert [a["acct"] for a in remote_only.json()] == ["garfield@remote.test"]

    mine = await post(client, alice, status="Compost workshop on Saturday")
    await post(client, alice, status="Compost for my followers", visibility="private")
    tagged = await Post.get(id=int(str(mine["id"])))
    await set_tags(tagged, ["Compost", "CompostToilets", "Climate"])
    everything = (await client.get(V2, params={"q": "compost"}, headers=auth(alice))).json()
    assert len(everything["statuses"]) == 2
    assert_matches("status", everything["statuses"])
    assert [t["name"] for t in everything["hashtags"]] == ["Compost", "CompostToilets"]
    assert_matches("tag", everything["hashtags"])
    anonymous = (await client.get(V2, params={"q": "compost", "type": "statuses"})).json()
    assert [s["id"] for s in anonymous["statuses"]] == [mine["id"]]
    tags = (await client.get(V2, params={"q": "#comp", "type": "hashtags"})).json()
    assert [t["name"] for t in tags["hashtags"]] == ["Compost", "CompostToilets"]
    second = (await client.get(V2, params={"q": "comp", "type": "hashtags", "limit": "1",
                                           "offset": "1"}, headers=auth(alice))).json()
    assert [t["name"] for t in second["hashtags"]] == ["CompostToilets"]
    page = (await client.get(V2, params={"q": "compost", "type": "statuses", "limit": "1",
                                         "offset": "1"}, headers=auth(alice))).json()
    assert len(page["statuses"]) == 1 and page["statuses"][0]["id"] not in [
        s["id"] for s in (await client.get(V2, params={
            "q": "compost", "type": "statuses", "limit": "1"}, headers=auth(alice))).json()[
                "statuses"]]
    by_url = (await client.get(V2, params={"q": mine["uri"], "type": "statuses"},
                               headers=auth(alice))).json()
    assert [s["id"] for s in by_url["statuses"]] == [mine["id"]]


async def test_following_and_other_members_private_posts(client: httpx.AsyncClient,
                                                         settings: Settings) -> None:
    alice = await token_for(client, settings, "read write")
    bob = await token_for(client, settings, "read write", "bob")
    await token_for(client, settings, "read", "bobby")
    hidden = await post(client, bob, status="secret budget", visibility="private")
    found = (await client.get(V2, params={"q": "budget"}, headers=auth(alice))).json()
    assert found["statuses"] == []
    by_url = (await client.get(V2, params={"q": hidden["uri"]}, headers=auth(alice))).json()
    assert by_url["statuses"] == []
    assert (await client.get(V2, params={"q": "budget"}, headers=auth(bob))).json()[
        "statuses"][0]["id"] == hidden["id"]
    await Follow.create(follower=await Actor.get(username="alice"),
                        followed=await Actor.get(username="bobby"), state="accepted",
                        uri="https://x.test/f/1")
    followed = await client.get(ACCOUNTS, params={"q": "bob", "following": "true"},
                                headers=auth(alice))
    assert [a["acct"] for a in followed.json()] == ["bobby"]
    both = await client.get(ACCOUNTS, params={"q": "bob"}, headers=auth(alice))
    assert [a["acct"] for a in both.json()] == ["bob", "bobby"]  # the exact name first


async def test_resolve_a_remote_handle_and_post(fed_client: httpx.AsyncClient,
                                                fediverse: FakeFediverse,
                                                settings: Settings) -> None:
    alice = await token_for(fed_client, settings, "read")
    bob = fediverse.person("mastodon.test", "bob")
    serve_webfinger(fediverse, "bob", "mastodon.test", bob.uri)
    unresolved = await fed_client.get(V2, params={"q": "@bob@mastodon.test"},
                                      headers=auth(alice))
    assert unresolved.json()["accounts"] == [] and fediverse.gets() == []
    resolved = await fed_client.get(V2, params={"q": "@bob@mastodon.test", "resolve": "true"},
                                    headers=auth(alice))
    assert [a["acct"] for a in resolved.json()["accounts"]] == ["bob@mastodon.test"]
    assert_matches("account", resolved.json()["accounts"])
    doc = note(bob, 7, "<p>Hello from afar</p>")
    fediverse.serve(doc["id"], {"@context": "https://www.w3.org/ns/activitystreams", **doc})
    fetched = await fed_client.get(V2, params={"q": doc["id"], "resolve": "true",
                                               "type": "statuses"}, headers=auth(alice))
    [status] = fetched.json()["statuses"]
    assert status["uri"] == doc["id"] and "Hello from afar" in status["content"]
    assert await Post.exists(uri=doc["id"])
    by_account = await fed_client.get(ACCOUNTS, params={"q": "bob@mastodon.test"},
                                      headers=auth(alice))
    assert [a["acct"] for a in by_account.json()] == ["bob@mastodon.test"]
    for q in ("@nobody@mastodon.test", "https://mastodon.test/users/bob/statuses/404",
              "@x@down.test", "https://10.0.0.1/users/x"):
        failed = await fed_client.get(V2, params={"q": q, "resolve": "true"},
                                      headers=auth(alice))
        assert failed.status_code == 200, q
        assert failed.json() == {"accounts": [], "statuses": [], "hashtags": []}, q


async def test_known_remote_post_without_resolve(client: httpx.AsyncClient,
                                                 settings: Settings) -> None:
    alice = await token_for(client, settings, "read")
    rex = await remote("rex")
    uri = f"{rex.uri}/statuses/1"
    await store_remote_post({"uri": uri, "kind": "note", "visibility": "public",
                             "content_html": "<p>far</p>",
                             "published": datetime(2024, 5, 1, tzinfo=UTC)}, rex)
    found = (await client.get(V2, params={"q": uri}, headers=auth(alice))).json()
    assert [s["uri"] for s in found["statuses"]] == [uri]


async def test_tokens_scopes_and_bad_params(client: httpx.AsyncClient,
                                            settings: Settings) -> None:
    assert (await client.get(V2, params={"q": "x"})).status_code == 200
    for params in ({"q": "x", "resolve": "true"}, {"q": "x", "offset": "5"}):
        assert (await client.get(V2, params=params)).status_code == 401
        assert (await client.get(ACCOUNTS, params=params)).status_code == 401
    assert (await client.get(V2, params={"q": "x"}, headers=auth("nope"))).status_code == 401
    other = await token_for(client, settings, "read:statuses write")
    assert (await client.get(V2, params={"q": "x"}, headers=auth(other))).status_code == 403
    assert (await client.get(ACCOUNTS, params={"q": "x"},
                             headers=auth(other))).status_code == 403
    searcher = await token_for(client, settings, "read:search read:accounts")
    assert (await client.get(V2, params={"q": "x"}, headers=auth(searcher))).status_code == 200
    for params in ({}, {"q": " "}, {"q": "x", "type": "people"}, {"q": "x", "limit": "a"},
                   {"q": "x", "offset": "-1"}, {"q": "x", "resolve": "maybe"},
                   {"q": "x", "account_id": "me"}, {"q": "x" * 600},
                   {"q": "x", "offset": "99999999"}):
        answer = await client.get(V2, params=params, headers=auth(searcher))
        assert answer.status_code == 422, params
        assert answer.json()["error"].startswith("Validation failed: ")
    for q in ['"', "NEAR(", "*", "%", "_", "@", "@@", "#", "https://", "' OR 1=1 --"]:
        answer = await client.get(V2, params={"q": q}, headers=auth(searcher))
        assert answer.status_code == 200, q
