"""Relationships through the Mastodon API as a member's app makes them: follow and unfollow
(members and chapters), block and mute (with what they hide from the home timeline), the
blocks and mutes lists, and follow requests — to a locked member, and to join a chapter,
answered by its coordinator."""

from __future__ import annotations

from datetime import timedelta

import httpx

from actors.models import Actor, Block, Follow
from actors.roles import add_coordinator
from content.models import Notification
from core import clock
from core.settings import Settings
from tests.api.test_accounts_api import A, actor, chapter, links, path_of
from tests.api.test_api_auth import token_for
from tests.api.test_entity_schemas import assert_matches
from tests.api.test_statuses_api import auth, post

HOME = "/api/v1/timelines/home"


async def act(client: httpx.AsyncClient, token: str, who: Actor, what: str,
              **body: object) -> httpx.Response:
    return await client.post(f"{A}/{who.id}/{what}", headers=auth(token), json=body)


async def test_follow_and_unfollow_a_member_and_an_approval_chapter(
        client: httpx.AsyncClient, settings: Settings) -> None:
    alice = await token_for(client, settings, "read write follow")
    await token_for(client, settings, "read", "bob")
    bob, club = await actor("bob"), await chapter("club", join_policy="approval")
    followed = await act(client, alice, bob, "follow")
    assert followed.status_code == 200, followed.text
    assert followed.json()["following"] is True and followed.json()["id"] == str(bob.id)
    assert_matches("relationship", [followed.json()])
    asked = await act(client, alice, club, "follow")
    assert asked.json()["requested"] is True and asked.json()["following"] is False
    gone = await act(client, alice, bob, "unfollow")
    assert gone.json()["following"] is False
    withdrawn = await act(client, alice, club, "unfollow")
    assert withdrawn.json()["requested"] is False
    assert await Follow.all().count() == 0
    me = await actor("alice")
    assert (await act(client, alice, me, "follow")).status_code == 422
    assert (await client.post(f"{A}/999/follow", headers=auth(alice))).status_code == 404
    assert (await client.post(f"{A}/{bob.id}/follow")).status_code == 401
    reader = await token_for(client, settings, "read", "carol")
    assert (await act(client, reader, bob, "follow")).status_code == 403
    scoped = await token_for(client, settings, "write:follows", "carol")
    assert (await act(client, scoped, bob, "follow")).status_code == 200


async def test_block_ends_follows_hides_posts_and_lists(client: httpx.AsyncClient,
                                                        settings: Settings) -> None:
    alice = await token_for(client, settings, "read write follow")
    bob_token = await token_for(client, settings, "read write follow", "bob")
    await token_for(client, settings, "read", "carol")
    bob, carol = await actor("bob"), await actor("carol")
    await act(client, alice, bob, "follow")
    await act(client, bob_token, await actor("alice"), "follow")
    said = await post(client, bob_token, status="bob speaks")
    home = await client.get(HOME, headers=auth(alice))
    assert [s["id"] for s in home.json()] == [said["id"]]

    blocked = await act(client, alice, bob, "block")
    assert blocked.status_code == 200
    rel = blocked.json()
    assert rel["blocking"] and not rel["following"] and not rel["followed_by"]
    assert await Follow.all().count() == 0
    assert (await client.get(HOME, headers=auth(alice))).json() == []
    seen = await client.get(f"{A}/relationships", params={"id[]": rel["id"]},
                                   headers=auth(alice))
    assert seen.json()[0]["blocking"] is True
    refused = await act(client, bob_token, await actor("alice"), "follow")
    assert refused.status_code == 403

    await act(client, alice, carol, "block")
    listed = await client.get("/api/v1/blocks", headers=auth(alice), params={"limit": "1"})
    assert [a["acct"] for a in listed.json()] == ["carol"]
    rest = await client.get(path_of(links(listed)["next"]), headers=auth(alice))
    assert [a["acct"] for a in rest.json()] == ["bob"]
    assert_matches("account", rest.json())

    lifted = await act(client, alice, bob, "unblock")
    assert lifted.json()["blocking"] is False
    assert await Block.filter(blocker_id=(await actor("alice")).id).count() == 1
    assert (await act(client, alice, await actor("alice"), "block")).status_code == 422
    reader = await token_for(client, settings, "read")
    assert (await act(client, reader, carol, "block")).status_code == 403
    assert (await client.get("/api/v1/blocks", headers=auth(
        await token_for(client, settings, "write")))).status_code == 403
    assert (await client.get("/api/v1/blocks")).status_code == 401
    assert (await client.get("/api/v1/blocks", headers=auth(alice),
                             params={"max_id": "z"})).status_code == 422


async def test_mute_hides_posts_and_boosts_from_home_until_it_ends(
        client: httpx.AsyncClient, settings: Settings) -> None:
    alice = await token_for(client, settings, "read write follow")
    bob_token = await token_for(client, settings, "read write", "bob")
    carol_token = await token_for(client, settings, "read write", "carol")
    bob, carol = await actor("bob"), await actor("carol")
    await act(client, alice, bob, "follow")
    await act(client, alice, carol, "follow")
    by_bob = await post(client, bob_token, status="bob")
    by_carol = await post(client, carol_token, status="carol")
    boost = (await client.post(f"/api/v1/statuses/{by_bob['id']}/reblog",
                               headers=auth(carol_token))).json()

    async def home() -> list[str]:
        return [s["id"] for s in (await client.get(HOME, headers=auth(alice))).json()]

    assert await home() == [boost["id"], by_carol["id"]]  # bob's post shown once, boosted
    muted = await act(client, alice, bob, "mute", notifications=False, duration=3600)
    assert muted.status_code == 200, muted.text
    assert muted.json()["muting"] is True and muted.json()["muting_notifications"] is False
    assert muted.json()["following"] is True  # a mute is private: the follow stays
    assert await home() == [by_carol["id"]]  # neither bob's post nor its boost
    listed = await client.get("/api/v1/mutes", headers=auth(alice))
    assert [a["acct"] for a in listed.json()] == ["bob"]

    later = clock.now() + timedelta(hours=2)
    clock.set_clock(lambda: later)
    try:
        assert await home() == [boost["id"], by_carol["id"]]  # the mute ran out
        assert (await client.get("/api/v1/mutes", headers=auth(alice))).json() == []
    finally:
        clock.set_clock(None)

    again = await act(client, alice, carol, "mute")
    assert again.json()["muting_notifications"] is True
    assert await home() == []  # carol's post and carol's boost of bob both hidden
    assert (await act(client, alice, carol, "unmute")).json()["muting"] is False
    for bad in ({"duration": -5}, {"duration": "soon"}, {"notifications": "sometimes"}):
        refused = await act(client, alice, carol, "mute", **bad)
        assert refused.status_code == 422 and refused.json()["error"], bad
    assert (await client.post(f"{A}/1/mute", headers=auth(alice))).status_code == 404
    assert (await act(client, bob_token, carol, "mute")).status_code == 200  # write covers
    reader = await token_for(client, settings, "read", "dave")
    assert (await act(client, reader, carol, "mute")).status_code == 403
    assert (await client.get("/api/v1/mutes", headers=auth(
        await token_for(client, settings, "write:mutes", "dave")))).status_code == 403


async def test_follow_requests_to_a_locked_member(client: httpx.AsyncClient,
                                                  settings: Settings) -> None:
    alice = await token_for(client, settings, "read write follow")
    await client.patch(f"{A}/update_credentials", headers=auth(alice), json={"locked": True})
    me = await actor("alice")
    askers = []
    for name in ("bob", "carol", "dave"):
        token = await token_for(client, settings, "read write follow", name)
        answer = await act(client, token, me, "follow")
        assert answer.json()["requested"] is True
        askers.append(await actor(name))
    first = await client.get("/api/v1/follow_requests", headers=auth(alice),
                             params={"limit": "2"})
    assert first.status_code == 200
    assert [a["acct"] for a in first.json()] == ["dave", "carol"]
    rest = await client.get(path_of(links(first)["next"]), headers=auth(alice))
    assert [a["acct"] for a in rest.json()] == ["bob"]
    assert_matches("account", first.json())

    accepted = await client.post(f"/api/v1/follow_requests/{askers[0].id}/authorize",
                                 headers=auth(alice))
    assert accepted.status_code == 200 and accepted.json()["followed_by"] is True
    rejected = await client.post(f"/api/v1/follow_requests/{askers[1].id}/reject/",
                                 headers=auth(alice))
    assert rejected.json()["requested_by"] is False and rejected.json()["followed_by"] is False
    assert await Follow.filter(follower_id=askers[1].id).count() == 0
    # Bob's request was answered: it is no longer one; Dave cannot answer Alice's requests.
    again = await client.post(f"/api/v1/follow_requests/{askers[0].id}/authorize",
                              headers=auth(alice))
    assert again.status_code == 404 and again.json() == {"error": "Record not found"}
    dave = await token_for(client, settings, "read write follow", "dave")
    assert (await client.post(f"/api/v1/follow_requests/{askers[2].id}/authorize",
                              headers=auth(dave))).status_code == 404
    assert (await client.post("/api/v1/follow_requests/x/authorize",
                              headers=auth(alice))).status_code == 404
    reader = await token_for(client, settings, "read", "erin")
    assert (await client.post(f"/api/v1/follow_requests/{askers[2].id}/authorize",
                              headers=auth(reader))).status_code == 403
    writer = await token_for(client, settings, "write", "erin")
    assert (await client.get("/api/v1/follow_requests",
                             headers=auth(writer))).status_code == 403
    assert (await client.get("/api/v1/follow_requests")).status_code == 401
    assert (await client.get("/api/v1/follow_requests", headers=auth(alice),
                             params={"limit": "lots"})).status_code == 422


async def test_a_coordinator_answers_requests_to_join_their_chapter(
        client: httpx.AsyncClient, settings: Settings) -> None:
    coordinator = await token_for(client, settings, "read write follow", "cora")
    other = await token_for(client, settings, "read write follow", "olga")
    club = await chapter("club", join_policy="approval")
    await add_coordinator(club, await actor("cora"))
    joiners = []
    for name in ("jo", "kim"):
        token = await token_for(client, settings, "read write follow", name)
        assert (await act(client, token, club, "follow")).json()["requested"] is True
        joiners.append(await actor(name))
    queue = await client.get("/api/v1/follow_requests", headers=auth(coordinator))
    assert [a["acct"] for a in queue.json()] == ["kim", "jo"]
    assert (await client.get("/api/v1/follow_requests", headers=auth(other))).json() == []
    assert (await client.post(f"/api/v1/follow_requests/{joiners[0].id}/authorize",
                              headers=auth(other))).status_code == 404

    admitted = await client.post(f"/api/v1/follow_requests/{joiners[0].id}/authorize",
                                 headers=auth(coordinator))
    assert admitted.status_code == 200
    assert (await Follow.get(follower_id=joiners[0].id)).state == "accepted"
    assert await Notification.filter(recipient_id=joiners[0].id, kind="join_accepted").exists()
    refused = await client.post(f"/api/v1/follow_requests/{joiners[1].id}/reject",
                                headers=auth(coordinator))
    assert refused.status_code == 200
    assert not await Follow.filter(follower_id=joiners[1].id).exists()
    assert (await client.get("/api/v1/follow_requests", headers=auth(coordinator))).json() == []
