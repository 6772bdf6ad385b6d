"""Accounts through the Mastodon API as an app reads them: an account (member, chapter,
another server's), its statuses with Mastodon's filters, followers and following (a chapter
hiding its members), lookup by handle, relationships and editing one's profile."""

from __future__ import annotations

import re

import httpx
import pytest

from actors.chapters import create_chapter
from actors.models import Account, Actor, Follow
from actors.roles import add_coordinator
from content.models import Media, Post
from content.pins import feature_post
from content.tags import set_tags
from core.jobs import drain
from core.models import Job
from core.settings import Settings
from tests.api.test_api_auth import token_for
from tests.api.test_entity_schemas import assert_matches
from tests.api.test_statuses_api import auth, post

A = "/api/v1/accounts"


def links(answer: httpx.Response) -> dict[str, str]:
    return {rel: url for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"',
                                                answer.headers.get("link", ""))}


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


async def actor(username: str) -> Actor:
    return await Actor.get(username=username, domain=None)


async def remote(name: str = "bob", host: str = "remote.test") -> Actor:
    return await Actor.create(username=name, domain=host, acct_key=Actor.key_for(name, host),
                              uri=f"https://{host}/users/{name}",
                              inbox=f"https://{host}/users/{name}/inbox")


async def chapter(slug: str, **options: object) -> Actor:
    made = await create_chapter(slug.title(), slug, **options)  # type: ignore[arg-type]
    return await Actor.get(id=made.actor_id)  # type: ignore[attr-defined]


async def test_an_account_member_chapter_and_remote_without_a_token(
        client: httpx.AsyncClient, settings: Settings) -> None:
    await token_for(client, settings, "read")
    alice, greens, bob = await actor("alice"), await chapter("greens"), await remote()
    shown = []
    for who in (alice, greens, bob):
        answer = await client.get(f"{A}/{who.id}")
        assert answer.status_code == 200, answer.text
        assert "private" not in answer.headers.get("cache-control", "")
        shown.append(answer.json())
    assert [s["acct"] for s in shown] == ["alice", "greens", "bob@remote.test"]
    assert [s["group"] for s in shown] == [False, True, False]
    assert shown[0]["id"] == str(alice.id)
    assert_matches("account", shown)
    slash = await client.get(f"{A}/{alice.id}/")
    assert slash.json()["id"] == str(alice.id)


async def test_an_account_that_may_not_be_seen_answers_like_a_missing_one(
        client: httpx.AsyncClient, settings: Settings) -> None:
    read = await token_for(client, settings, "read")
    await token_for(client, settings, "read", "waiting")
    waiting = await actor("waiting")
    await Account.filter(actor_id=waiting.id).update(approved=False)
    instance = await Actor.create(kind="Application", username="actor",
                                  acct_key=Actor.key_for("actor", None))
    for ident in (waiting.id, instance.id, 12345, "nope", "9" * 25):
        answer = await client.get(f"{A}/{ident}", headers=auth(read))
        assert answer.status_code == 404, ident
        assert answer.json() == {"error": "Record not found"}
    alice = await actor("alice")
    assert (await client.get(f"{A}/{alice.id}", headers=auth("bad"))).status_code == 401
    write = await token_for(client, settings, "write")
    assert (await client.get(f"{A}/{alice.id}", headers=auth(write))).status_code == 403
    seen = await client.get(f"{A}/{alice.id}", headers=auth(read))
    assert seen.status_code == 200 and "private" in seen.headers["cache-control"]


async def test_statuses_of_an_account_with_filters_and_boosts(
        client: httpx.AsyncClient, settings: Settings) -> None:
    alice = await token_for(client, settings, "read write")
    bob = await token_for(client, settings, "read write", "bob")
    by_bob = await post(client, bob, status="bob's")
    first = await post(client, alice, status="first #Climate")
    thread = await post(client, alice, status="more", in_reply_to_id=first["id"])
    reply = await post(client, alice, status="@bob yes", in_reply_to_id=by_bob["id"])
    hidden = await post(client, alice, status="followers only", visibility="private")
    boost = (await client.post(f"/api/v1/statuses/{by_bob['id']}/reblog",
                               headers=auth(alice))).json()
    pictured = await post(client, alice, status="picture")
    await Media.create(content_type="image/jpeg", post_id=int(str(pictured["id"])),
                       remote_url="https://remote.test/m.jpg")
    me = await actor("alice")
    await feature_post(me, await Post.get(id=int(str(first["id"]))))
    await set_tags(await Post.get(id=int(str(first["id"]))), ["Climate"])

    url = f"{A}/{me.id}/statuses"

    async def ids(token: str | None = None, **params: str) -> list[str]:
        answer = await client.get(url, params=params, headers=auth(token) if token else {})
        assert answer.status_code == 200, answer.text
        return [s["id"] for s in answer.json()]

    everything = [pictured["id"], boost["id"], reply["id"], thread["id"], first["id"]]
    assert await ids() == everything  # anonymous: no followers-only post
    assert await ids(alice) == [pictured["id"], boost["id"], hidden["id"], reply["id"],
                                thread["id"], first["id"]]
    assert await ids(exclude_reblogs="true") == [pictured["id"], reply["id"], thread["id"],
                                                 first["id"]]
    assert await ids(exclude_replies="true") == [pictured["id"], boost["id"], thread["id"],
                                                 first["id"]]
    assert await ids(pinned="true") == [first["id"]]
    assert await ids(only_media="true") == [pictured["id"]]
    assert await ids(tagged="climate") == [first["id"]]
    assert await ids(tagged="unknown") == []
    answer = await client.get(url)
    assert answer.json()[1]["reblog"]["id"] == by_bob["id"]
    assert_matches("status", answer.json())

    page = await client.get(url, params={"limit": "2"})
    assert [s["id"] for s in page.json()] == everything[:2]
    rel = links(page)
    second = await client.get(path_of(rel["next"]))
    assert [s["id"] for s in second.json()] == everything[2:4]
    back = await client.get(path_of(links(second)["prev"]))
    assert [s["id"] for s in back.json()] == everything[:2]
    above = await client.get(url, params={"min_id": first["id"], "limit": "2"})
    assert [s["id"] for s in above.json()] == [reply["id"], thread["id"]]

    for bad in ({"pinned": "maybe"}, {"max_id": "x"}, {"limit": "-1"}):
        answer = await client.get(url, params=bad)
        assert answer.status_code == 422 and "error" in answer.json(), bad
    write = await token_for(client, settings, "write", "carol")
    assert (await client.get(url, headers=auth(write))).status_code == 403
    assert (await client.get(f"{A}/123/statuses")).status_code == 404


async def test_followers_and_following_paged_and_a_chapter_hiding_its_members(
        client: httpx.AsyncClient, settings: Settings) -> None:
    names = ["m0", "m1", "m2"]
    tokens = [await token_for(client, settings, "read write follow", n) for n in names]
    members = [await actor(n) for n in names]
    quiet = await chapter("quiet", members_visible=False)
    target = members[0]
    for m in members[1:]:
        await Follow.create(follower=m, followed=target, state="accepted",
                            uri=f"https://x.test/f/{m.id}")
        await Follow.create(follower=m, followed=quiet, state="accepted",
                            uri=f"https://x.test/q/{m.id}")
    await Follow.create(follower=target, followed=members[1], state="pending",
                        uri="https://x.test/pending")
    first = await client.get(f"{A}/{target.id}/followers", params={"limit": "1"})
    assert [a["acct"] for a in first.json()] == ["m2"]
    second = await client.get(path_of(links(first)["next"]))
    assert [a["acct"] for a in second.json()] == ["m1"]
    assert_matches("account", second.json())
    none = await client.get(f"{A}/{target.id}/following")
    assert none.status_code == 200 and none.json() == []  # a pending follow is not listed
    following = await client.get(f"{A}/{members[1].id}/following", headers=auth(tokens[0]))
    assert sorted(a["acct"] for a in following.json()) == ["m0", "quiet"]

    hidden = await client.get(f"{A}/{quiet.id}/followers", headers=auth(tokens[1]))
    assert hidden.status_code == 200 and hidden.json() == []
    assert (await client.get(f"{A}/{quiet.id}/followers")).json() == []
    await add_coordinator(quiet, target)
    shown = await client.get(f"{A}/{quiet.id}/followers", headers=auth(tokens[0]))
    assert sorted(a["acct"] for a in shown.json()) == ["m1", "m2"]
    assert (await client.get(f"{A}/1/followers")).status_code == 404
    assert (await client.get(f"{A}/{target.id}/followers",
                             params={"since_id": "abc"})).status_code == 422
    assert (await client.get(f"{A}/{target.id}/followers",
                             headers=auth("nope"))).status_code == 401


async def test_lookup_by_handle(client: httpx.AsyncClient, settings: Settings) -> None:
    token = await token_for(client, settings, "read")
    await chapter("greens")
    await remote()
    host = settings.server.public_host
    for acct, expected in (("alice", "alice"), (f"alice@{host}", "alice"), ("@greens", "greens"),
                           ("bob@remote.test", "bob@remote.test")):
        answer = await client.get(f"{A}/lookup", params={"acct": acct})
        assert answer.status_code == 200, acct
        assert answer.json()["acct"] == expected
    for acct in ("nobody", "bob@elsewhere.test", "actor"):
        answer = await client.get(f"{A}/lookup", params={"acct": acct}, headers=auth(token))
        assert answer.status_code == 404, acct
    assert (await client.get(f"{A}/lookup")).status_code == 422
    assert (await client.get(f"{A}/lookup/", params={"acct": "alice"})).status_code == 200
    write = await token_for(client, settings, "write")
    assert (await client.get(f"{A}/lookup", params={"acct": "alice"},
                             headers=auth(write))).status_code == 403


async def test_relationships(client: httpx.AsyncClient, settings: Settings) -> None:
    alice = await token_for(client, settings, "read follow")
    await token_for(client, settings, "read", "bob")
    me, bob, greens = await actor("alice"), await actor("bob"), await chapter(
        "greens", join_policy="approval")
    await Follow.create(follower=me, followed=bob, state="accepted", uri="https://x.test/1")
    await Follow.create(follower=bob, followed=me, state="pending", uri="https://x.test/2")
    await Follow.create(follower=me, followed=greens, state="pending", uri="https://x.test/3")
    answer = await client.get(f"{A}/relationships",
                              params=[("id[]", str(bob.id)), ("id[]", "404"),
                                      ("id[]", str(greens.id))], headers=auth(alice))
    assert answer.status_code == 200
    rows = answer.json()
    assert [r["id"] for r in rows] == [str(bob.id), str(greens.id)]
    assert rows[0]["following"] and rows[0]["requested_by"] and not rows[0]["followed_by"]
    assert rows[1]["requested"] and not rows[1]["following"]
    assert_matches("relationship", rows)
    single = await client.get(f"{A}/relationships", params={"id": str(bob.id)},
                              headers=auth(alice))
    assert [r["id"] for r in single.json()] == [str(bob.id)]
    assert (await client.get(f"{A}/relationships", params={"id[]": "x"},
                             headers=auth(alice))).status_code == 422
    assert (await client.get(f"{A}/relationships", params={"id[]": str(bob.id)}
                             )).status_code == 401
    accounts_only = await token_for(client, settings, "read:accounts", "carol")
    assert (await client.get(f"{A}/relationships", params={"id[]": str(bob.id)},
                             headers=auth(accounts_only))).status_code == 403


async def test_update_credentials(client: httpx.AsyncClient, settings: Settings) -> None:
    token = await token_for(client, settings, "read write")
    await token_for(client, settings, "read", "bob")
    me, bob = await actor("alice"), await actor("bob")
    answer = await client.patch(f"{A}/update_credentials", headers=auth(token), data={
        "display_name": "Alice A.", "note": "Hello <b>there</b>\n\nsecond", "locked": "true"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["display_name"] == "Alice A." and body["locked"] is True
    assert body["note"] == "<p>Hello &lt;b&gt;there&lt;/b&gt;</p><p>second</p>"
    assert body["source"]["note"] == "Hello <b>there</b>\n\nsecond"
    assert_matches("credential_account", [body])
    assert await Job.filter(name="outbox.publish").exists()  # followers hear of it
    shown = (await client.get(f"{A}/{me.id}")).json()
    assert shown["display_name"] == "Alice A." and shown["locked"] is True

    waiting = await Follow.create(follower=bob, followed=me, state="pending",
                                  uri="https://x.test/w")
    unlocked = await client.patch(f"{A}/update_credentials/", headers=auth(token),
                                  json={"locked": False})
    assert unlocked.json()["locked"] is False and unlocked.json()["display_name"] == "Alice A."
    assert (await Follow.get(id=waiting.id)).state == "accepted"  # unlocking accepts them

    for bad in ({"display_name": "x" * 101}, {"note": "y" * 501}, {"locked": "perhaps"},
                {"display_name": ["a"]}):
        refused = await client.patch(f"{A}/update_credentials", headers=auth(token), json=bad)
        assert refused.status_code == 422 and refused.json()["error"], bad
    reader = await token_for(client, settings, "read", "bob")
    assert (await client.patch(f"{A}/update_credentials", headers=auth(reader),
                               json={"note": "x"})).status_code == 403
    assert (await client.patch(f"{A}/update_credentials", json={})).status_code == 401


@pytest.mark.parametrize("path", ["relationships", "lookup", "update_credentials",
                                  "verify_credentials"])
async def test_static_paths_are_not_taken_for_an_account_id(
        client: httpx.AsyncClient, settings: Settings, path: str) -> None:
    token = await token_for(client, settings, "read write")
    method = "PATCH" if path == "update_credentials" else "GET"
    answer = await client.request(method, f"{A}/{path}", headers=auth(token),
                                  params={"acct": "alice"})
    assert answer.status_code == 200, answer.text


async def test_jobs_left_by_a_profile_change_run(client: httpx.AsyncClient, settings: Settings,
                                                 registry: object) -> None:
    token = await token_for(client, settings, "write")
    await client.patch(f"{A}/update_credentials", headers=auth(token), json={"note": "n"})
    await drain(registry)  # type: ignore[arg-type]
    assert await Job.filter(state="dead").count() == 0
