"""Statuses through the Mastodon API as an app sees them: posting (JSON and form, replies,
polls, content warnings), reading through the visibility policy (404 for what the member
may not see), deleting one's own, context, source, favourites and reblogs; tokens and
scopes; malformed input answered 422."""

from __future__ import annotations

import httpx
import pytest

from actors.models import Actor, Follow
from content.models import Like, Post
from core.settings import Settings
from tests.api.test_api_auth import token_for

S = "/api/v1/statuses"


def auth(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


async def post(client: httpx.AsyncClient, token: str, **body: object) -> dict[str, object]:
    answer = await client.post(S, json=body, headers=auth(token))
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


async def test_post_read_and_delete_a_status(client: httpx.AsyncClient,
                                             settings: Settings) -> None:
    alice = await token_for(client, settings, "read write")
    made = await post(client, alice, status="Hello *world*", spoiler_text="greeting",
                      visibility="unlisted")
    assert made["visibility"] == "unlisted" and made["spoiler_text"] == "greeting"
    assert made["sensitive"] is True and "<em>world</em>" in str(made["content"])
    assert made["account"]["username"] == "alice"  # type: ignore[index]
    # anyone may read an unlisted status, with or without a token
    anonymous = await client.get(f"{S}/{made['id']}")
    assert anonymous.status_code == 200 and anonymous.json()["id"] == made["id"]
    source = await client.get(f"{S}/{made['id']}/source/", headers=auth(alice))
    assert source.json() == {"id": made["id"], "text": "Hello *world*",
                             "spoiler_text": "greeting"}
    gone = await client.delete(f"{S}/{made['id']}", headers=auth(alice))
    assert gone.status_code == 200 and gone.json()["text"] == "Hello *world*"
    assert (await client.get(f"{S}/{made['id']}")).status_code == 404
    assert (await Post.get(id=int(str(made["id"])))).is_deleted


async def test_form_post_with_a_poll_and_a_reply_with_context(
        client: httpx.AsyncClient, settings: Settings) -> None:
    alice = await token_for(client, settings, "read write")
    answer = await client.post(S, headers=auth(alice), data={
        "status": "Which day?", "poll[options][]": ["Monday", "Friday"],
        "poll[expires_in]": "3600", "poll[multiple]": "true"})
    assert answer.status_code == 200, answer.text
    poll = answer.json()["poll"]
    assert [o["title"] for o in poll["options"]] == ["Monday", "Friday"]
    assert poll["multiple"] is True
    root = answer.json()["id"]
    bob = await token_for(client, settings, "read write", "bob")
    reply = await post(client, bob, status="Friday!", in_reply_to_id=root)
    assert reply["in_reply_to_id"] == root
    again = await post(client, alice, status="Agreed", in_reply_to_id=reply["id"])
    context = (await client.get(f"{S}/{reply['id']}/context")).json()
    assert [s["id"] for s in context["ancestors"]] == [root]
    assert [s["id"] for s in context["descendants"]] == [again["id"]]


async def test_json_poll(client: httpx.AsyncClient, settings: Settings) -> None:
    alice = await token_for(client, settings, "write:statuses")
    made = await post(client, alice, status="Colour?", poll={
        "options": ["red", "blue", "green"], "expires_in": 600, "hide_totals": True})
    assert len(made["poll"]["options"]) == 3  # type: ignore[index]
    assert made["poll"]["options"][0]["votes_count"] is None  # type: ignore[index]


async def test_a_poll_may_answer_a_status_behind_a_content_warning(
        client: httpx.AsyncClient, settings: Settings) -> None:
    alice = await token_for(client, settings, "read write")
    asked = await post(client, alice, status="We need a date for the assembly")
    bob = await token_for(client, settings, "read write", "bob")
    made = await post(client, bob, status="@alice which one?", in_reply_to_id=asked["id"],
                      spoiler_text="dates <b>inside</b>",
                      poll={"options": ["Monday", "Friday"], "expires_in": 3600})
    assert made["in_reply_to_id"] == asked["id"]
    assert [o["title"] for o in made["poll"]["options"]] == ["Monday", "Friday"]  # type: ignore[index]
    # The warning is plain text, as any summary: markup in it is dropped.
    assert made["spoiler_text"] == "dates inside" and made["sensitive"] is True
    assert [m["username"] for m in made["mentions"]] == ["alice"]  # type: ignore[union-attr]
    stored = await Post.get(id=int(str(made["id"])))
    assert stored.kind == "question" and stored.root_id == int(str(asked["id"]))  # type: ignore[attr-defined]


async def test_followers_only_and_direct_statuses_stay_hidden(
        client: httpx.AsyncClient, settings: Settings) -> None:
    alice = await token_for(client, settings, "read write")
    bob = await token_for(client, settings, "read write", "bob")
    carol = await token_for(client, settings, "read write", "carol")
    private = await post(client, alice, status="followers only", visibility="private")
    direct = await post(client, alice, status="hi @bob", visibility="direct")
    assert private["visibility"] == "private" and direct["visibility"] == "direct"
    assert [m["username"] for m in direct["mentions"]] == ["bob"]  # type: ignore[attr-defined]
    # carol neither follows alice nor is mentioned: both are 404, like a missing id
    for status in (private, direct):
        for path in ("", "/context", "/source"):
            answer = await client.get(f"{S}/{status['id']}{path}", headers=auth(carol))
            assert answer.status_code == 404, path
            assert answer.json() == {"error": "Record not found"}
        assert (await client.get(f"{S}/{status['id']}")).status_code == 404
        replied = await client.post(S, headers=auth(carol),
                                    json={"status": "x", "in_reply_to_id": status["id"]})
        assert replied.status_code == 404
        faved = await client.post(f"{S}/{status['id']}/favourite", headers=auth(carol))
        assert faved.status_code == 404
    # bob is mentioned in the direct one; once he follows alice he sees the private one
    assert (await client.get(f"{S}/{direct['id']}", headers=auth(bob))).status_code == 200
    assert (await client.get(f"{S}/{private['id']}", headers=auth(bob))).status_code == 404
    await Follow.create(follower=await Actor.get(username="bob"),
                        followed=await Actor.get(username="alice"), state="accepted",
                        uri="https://x.test/follows/1")
    assert (await client.get(f"{S}/{private['id']}", headers=auth(bob))).status_code == 200
    # nobody deletes another member's status; it is not even admitted to exist
    assert (await client.delete(f"{S}/{private['id']}", headers=auth(bob))).status_code == 404
    assert not (await Post.get(id=int(str(private["id"])))).is_deleted


async def test_favourite_and_reblog(client: httpx.AsyncClient, settings: Settings) -> None:
    alice = await token_for(client, settings, "read write")
    bob = await token_for(client, settings, "read write", "bob")
    made = await post(client, alice, status="share me")
    faved = await client.post(f"{S}/{made['id']}/favourite", headers=auth(bob))
    assert faved.status_code == 200 and faved.json()["favourited"] is True
    assert faved.json()["favourites_count"] == 1
    unfaved = await client.post(f"{S}/{made['id']}/unfavourite/", headers=auth(bob))
    assert unfaved.json()["favourited"] is False and not await Like.exists()
    boosted = await client.post(f"{S}/{made['id']}/reblog", headers=auth(bob))
    assert boosted.status_code == 200, boosted.text
    assert boosted.json()["reblog"]["id"] == made["id"]
    assert boosted.json()["account"]["username"] == "bob"
    unboosted = await client.post(f"{S}/{made['id']}/unreblog", headers=auth(bob))
    assert unboosted.json()["id"] == made["id"] and unboosted.json()["reblogged"] is False
    private = await post(client, alice, status="mine", visibility="private")
    refused = await client.post(f"{S}/{private['id']}/reblog", headers=auth(alice))
    assert refused.status_code == 422


async def test_tokens_and_scopes(client: httpx.AsyncClient, settings: Settings) -> None:
    assert (await client.post(S, json={"status": "x"})).status_code == 401
    reader = await token_for(client, settings, "read")
    refused = await client.post(S, json={"status": "x"}, headers=auth(reader))
    assert refused.status_code == 403
    assert refused.json() == {"error": "This action is outside the authorized scopes"}
    assert not await Post.exists()
    writer = await token_for(client, settings, "write:statuses")
    made = await post(client, writer, status="ok")
    # a token sent to a public read must hold read:statuses; a bad one is 401
    assert (await client.get(f"{S}/{made['id']}", headers=auth(writer))).status_code == 403
    bad = await client.get(f"{S}/{made['id']}", headers=auth("nope"))
    assert bad.status_code == 401
    faved = await client.post(f"{S}/{made['id']}/favourite", headers=auth(writer))
    assert faved.status_code == 403


@pytest.mark.parametrize("body", [
    {"status": ""},
    {"status": "x" * 5001},
    {"status": "x", "visibility": "everyone"},
    {"status": "x", "sensitive": "maybe"},
    {"status": "x", "media_ids": ["123"]},
    {"status": "x", "poll": {"options": ["one"], "expires_in": 600}},
    {"status": "x", "poll": {"options": ["a", "b"], "expires_in": "soon"}},
    {"status": "x", "poll": {"options": ["a", "b"], "expires_in": 60}},
    {"status": "x", "poll": "yes"},
    {"status": ["x"]},
])
async def test_malformed_statuses_are_422(client: httpx.AsyncClient, settings: Settings,
                                          body: dict[str, object]) -> None:
    alice = await token_for(client, settings, "write")
    answer = await client.post(S, json=body, headers=auth(alice))
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"].startswith("Validation failed: ")
    assert not await Post.exists()


async def test_unknown_or_malformed_ids_are_404(client: httpx.AsyncClient,
                                                settings: Settings) -> None:
    alice = await token_for(client, settings, "read write")
    for ident in ("123", "abc", "9" * 30):
        assert (await client.get(f"{S}/{ident}")).status_code == 404
        assert (await client.delete(f"{S}/{ident}", headers=auth(alice))).status_code == 404
