"""Polls through the real inbox: votes from other servers (Mastodon's vote Notes), remote
Questions and the Updates that bring their counts, and our members' votes in them."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import timedelta

import httpx

from actors.urls import LocalUrls
from content.models import Poll, PollVote, Post
from content.polls import create_poll_post, options_of, vote
from core import clock
from core.settings import Settings
from inbox.models import InboundActivity
from tests.inbox.content_support import create_of, moved, send
from tests.inbox.fediverse import FakeFediverse, Local

Drain = Callable[[], Awaitable[int]]
MASTODON = {"https://mastodon.social": "https://mastodon.test"}


def _vote(settings: Settings, voter: str, poll: Post, author: str, name: str, n: int,
          ) -> dict[str, object]:
    """Mastodon's vote fixture, re-aimed at our poll and voter."""
    doc = moved("mastodon/vote.json", MASTODON)
    text = (json.dumps(doc).replace("https://chapters.example.org/posts/POLL", poll.uri)
            .replace("https://chapters.example.org/users/alice", author)
            .replace("https://mastodon.test/users/Gargron", voter)
            .replace("#votes/58214", f"#votes/{n}"))
    result: dict[str, object] = json.loads(text)
    assert isinstance(result["object"], dict)
    result["object"]["name"] = name
    return result


async def _our_poll(settings: Settings, local: Local, *, hours: float = 24) -> Post:
    return await create_poll_post(
        LocalUrls(settings.server.base_url), local.member, "Where do we meet?",
        ["Berlin", "Lyon", "Online"], False, clock.now() + timedelta(hours=hours), False,
        "public")


async def _states() -> list[tuple[str, str | None]]:
    rows = await InboundActivity.all().order_by("id")
    return [(r.state, r.error) for r in rows]


async def test_a_mastodon_vote_is_counted_once_and_never_shown_as_a_reply(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    poll_post = await _our_poll(settings, local)
    await drain_jobs()
    gargron = fediverse.person("mastodon.test", "Gargron")
    author = LocalUrls(settings.server.base_url).actor(local.member)
    first = _vote(settings, gargron.uri, poll_post, author, "Lyon", 1)
    assert await send(fed_client, settings, first, gargron) == 202
    await drain_jobs()  # one after the other, as they would arrive
    again = _vote(settings, gargron.uri, poll_post, author, "Lyon", 2)
    assert await send(fed_client, settings, again, gargron) == 202
    await drain_jobs()
    other = _vote(settings, gargron.uri, poll_post, author, "Berlin", 3)
    assert await send(fed_client, settings, other, gargron) == 202
    await drain_jobs()
    unknown = _vote(settings, gargron.uri, poll_post, author, "Paris", 4)
    assert await send(fed_client, settings, unknown, gargron) == 202
    await drain_jobs()
    states = await _states()
    assert states[0] == ("processed", None)
    assert states[1] == ("ignored", "already voted for this option")
    assert states[2] == ("ignored", "already voted in this single-choice poll")
    assert states[3] == ("ignored", "no option named 'Paris'")
    poll = await Poll.get(post_id=poll_post.id)
    assert [o.votes_count for o in await options_of(poll)] == [0, 1, 0]
    assert poll.voters_count == 1
    vote_row = await PollVote.get(poll_id=poll.id)
    assert vote_row.uri == f"{gargron.uri}#votes/1"
    assert await Post.all().count() == 1  # the poll itself: no vote became a reply
    page = await fed_client.get(f"/posts/{poll_post.id}")
    assert "Lyon" in page.text and "#votes/" not in page.text


async def test_a_vote_after_the_close_is_refused(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    poll_post = await _our_poll(settings, local)
    poll = await Poll.get(post_id=poll_post.id)
    poll.closed_at = clock.now()
    await poll.save()
    gargron = fediverse.person("mastodon.test", "Gargron")
    author = LocalUrls(settings.server.base_url).actor(local.member)
    doc = _vote(settings, gargron.uri, poll_post, author, "Lyon", 1)
    assert await send(fed_client, settings, doc, gargron) == 202
    await drain_jobs()
    assert (await _states())[-1] == ("ignored", "the poll is closed")
    assert await PollVote.all().count() == 0


async def test_a_mastodon_question_is_kept_with_its_counts_and_refreshed_by_its_update(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    question = moved("mastodon/question.json", MASTODON)
    gargron = fediverse.person("mastodon.test", "Gargron")
    assert await send(fed_client, settings, create_of(question, gargron.uri), gargron) == 202
    await drain_jobs()
    post = await Post.get(uri=question["id"])
    poll = await Poll.get(post_id=post.id)
    assert post.kind == "question" and not poll.multiple and poll.voters_count == 12
    assert [(o.title, o.votes_count) for o in await options_of(poll)] == [
        ("Berlin", 7), ("Lyon", 4), ("Online", 1)]
    # Our member votes: the Note goes to the poll's author, our copy waits for its Update.
    lyon = (await options_of(poll))[1]
    poll.ends_at = clock.now() + timedelta(hours=1)  # the fixture's poll ended long ago
    await poll.save()
    await vote(LocalUrls(settings.server.base_url), local.member, post, [lyon.id])
    await drain_jobs()
    [create] = fediverse.posts("https://mastodon.test/inbox")
    assert create["type"] == "Create" and create["to"] == [gargron.uri]
    note = create["object"]
    assert (note["type"], note["name"], note["inReplyTo"]) == ("Note", "Lyon", question["id"])
    assert "content" not in note and note["attributedTo"] == create["actor"]
    assert [o.votes_count for o in await options_of(poll)] == [7, 4, 1]
    # Mastodon's Update(Question) with the new counts (no `updated`: not an edit), closed.
    fresh = dict(question, votersCount=13, closed="2024-11-08T14:02:11Z",
                 oneOf=[dict(o, replies={"type": "Collection", "totalItems": n})
                        for o, n in zip(question["oneOf"], (7, 5, 1), strict=True)])
    update = {"id": f"{question['id']}#updates/1", "type": "Update", "actor": gargron.uri,
              "object": fresh, "to": question["to"], "cc": question["cc"]}
    assert await send(fed_client, settings, update, gargron) == 202
    await drain_jobs()
    poll = await Poll.get(id=poll.id)
    assert poll.voters_count == 13 and poll.closed_at is not None
    assert [o.votes_count for o in await options_of(poll)] == [7, 5, 1]
    assert (await Post.get(id=post.id)).updated is None  # counts are not an edit
    # Someone else's Update of that poll changes nothing.
    mallory = fediverse.person("mastodon.test", "mallory")
    forged = dict(update, id=f"{mallory.uri}#updates/1", actor=mallory.uri,
                  object=dict(fresh, attributedTo=mallory.uri, votersCount=999))
    assert await send(fed_client, settings, forged, mallory) in (202, 403)
    await drain_jobs()
    assert (await Poll.get(id=poll.id)).voters_count == 13


async def test_a_mastodon_question_reaching_us_by_id_keeps_its_options(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    question = moved("mastodon/question.json", MASTODON)
    gargron = fediverse.person("mastodon.test", "Gargron")
    fediverse.serve(question["id"], question)
    boost = {"id": f"{gargron.uri}/statuses/2/activity", "type": "Announce",
             "actor": gargron.uri, "object": question["id"],
             "to": ["https://www.w3.org/ns/activitystreams#Public"]}
    assert await send(fed_client, settings, boost, gargron) == 202
    await drain_jobs()
    post = await Post.get(uri=question["id"])
    poll = await Poll.get(post_id=post.id)
    assert [(o.title, o.votes_count) for o in await options_of(poll)] == [
        ("Berlin", 7), ("Lyon", 4), ("Online", 1)]


async def test_a_vote_from_someone_who_may_not_see_a_followers_only_poll_is_refused(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    poll_post = await create_poll_post(
        LocalUrls(settings.server.base_url), local.member, "Members: which date?",
        ["May", "June"], False, clock.now() + timedelta(hours=24), False, "followers")
    gargron = fediverse.person("mastodon.test", "Gargron")  # follows nobody here
    author = LocalUrls(settings.server.base_url).actor(local.member)
    doc = _vote(settings, gargron.uri, poll_post, author, "May", 1)
    assert await send(fed_client, settings, doc, gargron) == 202
    await drain_jobs()
    assert (await _states())[-1] == ("ignored", "the voter may not see this poll")
    assert await PollVote.all().count() == 0
