"""Polls through the Mastodon API: reading a poll, voting (JSON and form), the refusals a
poll gives (closed, twice, not an option, two in a single-choice poll) as 422, polls on
posts the member may not see as 404; formal ballots shown as polls, single-choice ones voted
here with their eligibility and phase checks, ranked ones sent to their page."""

from __future__ import annotations

from datetime import timedelta

import httpx

from actors.models import Actor
from actors.urls import LocalUrls
from content.ballot_models import Ballot, BallotReceipt
from content.ballots import open_ballot
from content.models import Poll, PollVote
from content.polls import create_poll_post
from core import clock
from core.settings import Settings
from tests.api.test_api_auth import token_for
from tests.api.test_entity_schemas import assert_matches
from tests.support.members import new_member

P = "/api/v1/polls"
H = timedelta(hours=1)


def auth(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


async def _poll(settings: Settings, author: str, *, multiple: bool = False,
                visibility: str = "public") -> Poll:
    urls = LocalUrls(settings.server.base_url)
    actor = await Actor.get(username=author, domain=None)
    post = await create_poll_post(urls, actor, "Which day?", ["Mon", "Tue", "Wed"], multiple,
                                  clock.now() + H, False, visibility)
    return await Poll.get(post_id=post.id)


async def test_read_and_vote(client: httpx.AsyncClient, settings: Settings) -> None:
    await token_for(client, settings, "read", "alice")
    bob = await token_for(client, settings, "read write", "bob")
    poll = await _poll(settings, "alice", multiple=True)
    anonymous = await client.get(f"{P}/{poll.id}")
    assert anonymous.status_code == 200, anonymous.text
    assert anonymous.json()["id"] == str(poll.id) and "voted" not in anonymous.json()
    mine = await client.get(f"{P}/{poll.id}/", headers=auth(bob))
    assert mine.json()["voted"] is False and mine.json()["own_votes"] == []
    assert_matches("poll", [anonymous.json(), mine.json()])
    voted = await client.post(f"{P}/{poll.id}/votes", json={"choices": [0, "2"]},
                              headers=auth(bob))
    assert voted.status_code == 200, voted.text
    body = voted.json()
    assert body["voted"] is True and body["own_votes"] == [0, 2]
    assert [o["votes_count"] for o in body["options"]] == [1, 0, 1]
    assert body["voters_count"] == 1
    assert_matches("poll", [body])
    twice = await client.post(f"{P}/{poll.id}/votes", json={"choices": [1]}, headers=auth(bob))
    assert twice.status_code == 422 and "already" in twice.json()["error"]
    assert await PollVote.filter(poll_id=poll.id).count() == 2


async def test_form_vote_and_refusals(client: httpx.AsyncClient, settings: Settings) -> None:
    await token_for(client, settings, "read", "alice")
    bob = await token_for(client, settings, "write:statuses", "bob")
    poll = await _poll(settings, "alice")
    two = await client.post(f"{P}/{poll.id}/votes", data={"choices[]": ["0", "1"]},
                            headers=auth(bob))
    assert two.status_code == 422 and "only one" in two.json()["error"]
    beyond = await client.post(f"{P}/{poll.id}/votes", data={"choices[]": "3"},
                               headers=auth(bob))
    assert beyond.status_code == 422
    assert beyond.json()["error"] == "Validation failed: choice 3 is not an option of this poll"
    for body in ({"choices": []}, {"choices": ["first"]}, {"choices": [-1]}, {"choices": {}},
                 {}):
        bad = await client.post(f"{P}/{poll.id}/votes", json=body, headers=auth(bob))
        assert bad.status_code == 422, body
        assert bad.json()["error"].startswith("Validation failed")
    form = await client.post(f"{P}/{poll.id}/votes", data={"choices[]": "1"}, headers=auth(bob))
    assert form.status_code == 200 and form.json()["own_votes"] == [1]
    closed = await _poll(settings, "alice")
    await Poll.filter(id=closed.id).update(closed_at=clock.now())
    late = await client.post(f"{P}/{closed.id}/votes", json={"choices": [0]}, headers=auth(bob))
    assert late.status_code == 422 and "closed" in late.json()["error"]
    assert not await PollVote.filter(poll_id=closed.id).exists()


async def test_tokens_scopes_and_hidden_polls(client: httpx.AsyncClient,
                                              settings: Settings) -> None:
    await token_for(client, settings, "read", "alice")
    reader = await token_for(client, settings, "read", "bob")
    poll = await _poll(settings, "alice")
    hidden = await _poll(settings, "alice", visibility="followers")
    assert (await client.post(f"{P}/{poll.id}/votes", json={"choices": [0]})).status_code == 401
    assert (await client.get(f"{P}/{poll.id}",
                             headers=auth("nope"))).status_code == 401
    refused = await client.post(f"{P}/{poll.id}/votes", json={"choices": [0]},
                                headers=auth(reader))
    assert refused.status_code == 403
    follows_only = await token_for(client, settings, "follow", "carol")
    assert (await client.get(f"{P}/{poll.id}", headers=auth(follows_only))).status_code == 403
    voter = await token_for(client, settings, "read write", "dave")
    for answer in (await client.get(f"{P}/{hidden.id}", headers=auth(voter)),
                   await client.get(f"{P}/{hidden.id}"),
                   await client.post(f"{P}/{hidden.id}/votes", json={"choices": [0]},
                                     headers=auth(voter)),
                   await client.get(f"{P}/123456789", headers=auth(voter)),
                   await client.get(f"{P}/abc", headers=auth(voter))):
        assert answer.status_code == 404 and answer.json() == {"error": "Record not found"}
    assert not await PollVote.filter(poll_id=hidden.id).exists()


async def _ballot(settings: Settings, method: str) -> Ballot:
    """An organization ballot of `method` whose voting is open now."""
    urls = LocalUrls(settings.server.base_url)
    root = await Actor.get(username="root", domain=None)
    now = clock.now()
    ballot = await open_ballot(urls, root, chapter=None, title="Our logo", description="d",
                               method=method, proposals_at=now - H, amendments_at=None,
                               voting_at=now + H, ends_at=now + 2 * H,
                               proposals=[("Green", "x"), ("Blue", "y")])
    await Ballot.filter(id=ballot.id).update(voting_at=now - timedelta(minutes=1))
    return await Ballot.get(id=ballot.id)


async def test_ballots_as_polls(client: httpx.AsyncClient, settings: Settings) -> None:
    await new_member(settings, "root", role="admin")
    alice = await token_for(client, settings, "read write", "alice")
    single = await _ballot(settings, "single")
    ranked = await _ballot(settings, "ranked")
    shown = await client.get(f"{P}/{single.id}", headers=auth(alice))
    assert shown.status_code == 200, shown.text
    assert shown.json()["id"] == str(single.id) and shown.json()["multiple"] is False
    assert [o["title"] for o in shown.json()["options"]] == ["Green", "Blue"]
    assert_matches("poll", [shown.json()])
    voted = await client.post(f"{P}/{single.id}/votes", json={"choices": [1]},
                              headers=auth(alice))
    assert voted.status_code == 200, voted.text
    assert voted.json()["voted"] is True and voted.json()["voters_count"] == 1
    assert await BallotReceipt.filter(ballot_id=single.id).count() == 1
    twice = await client.post(f"{P}/{single.id}/votes", json={"choices": [0]},
                              headers=auth(alice))
    assert twice.status_code == 422 and "already" in twice.json()["error"]
    page = await client.post(f"{P}/{ranked.id}/votes", json={"choices": [0, 1]},
                             headers=auth(alice))
    assert page.status_code == 422
    assert f"{settings.server.base_url.rstrip('/')}/ballots/{ranked.id}" in page.json()["error"]
    # a member who joined after voting opened is not on the list
    late = await token_for(client, settings, "read write", "latecomer")
    refused = await client.post(f"{P}/{single.id}/votes", json={"choices": [0]},
                                headers=auth(late))
    assert refused.status_code == 422 and "eligible" in refused.json()["error"]
    await Ballot.filter(id=single.id).update(ends_at=clock.now() - timedelta(seconds=1))
    closed = await client.post(f"{P}/{single.id}/votes", json={"choices": [0]},
                               headers=auth(await token_for(client, settings, "write", "bob")))
    assert closed.status_code == 422 and "not open" in closed.json()["error"]
    assert await BallotReceipt.filter(ballot_id=single.id).count() == 1
