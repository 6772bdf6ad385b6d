"""Mastodon 4.x poll payloads through our real inbox (signed, on the fake fediverse): its vote
(a Create of a Note with `name`, `inReplyTo` and bare-string `to`, no content) counted in our
poll, and its Question kept with its options and counts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

import httpx

from actors.urls import LocalUrls
from content.models import Poll, PollVote, Post
from content.polls import create_poll_post, options_of
from core import clock
from core.settings import Settings
from tests.inbox.content_support import create_of, moved, send
from tests.inbox.fediverse import (
    FakeFediverse,
    Local,
    fed_client,
    fediverse,
    local,
    registry,
)

__all__ = ["fed_client", "fediverse", "local", "registry"]  # the fake fediverse fixtures

Drain = Callable[[], Awaitable[int]]



async def test_mastodons_vote_is_counted_in_our_poll(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    urls = LocalUrls(settings.server.base_url)
    post = await create_poll_post(urls, local.member, "Where next?", ["Berlin", "Lyon"],
                                  False, clock.now() + timedelta(days=1), False, "public")
    vote = moved("mastodon/vote.json", {
        "https://chapters.example.org/posts/POLL": post.uri,
        "https://chapters.example.org/users/alice": urls.actor(local.member),
        "https://mastodon.social": "https://mastodon.test"})
    gargron = fediverse.person("mastodon.test", "Gargron")
    assert await send(fed_client, settings, vote, gargron) == 202
    await drain_jobs()
    poll = await Poll.get(post_id=post.id)
    assert [(o.title, o.votes_count) for o in await options_of(poll)] == [("Berlin", 0),
                                                                          ("Lyon", 1)]
    assert (await PollVote.get(poll_id=poll.id)).uri == (
        "https://mastodon.test/users/Gargron#votes/58214")
    assert await Post.all().count() == 1


async def test_mastodons_question_is_kept_as_a_poll(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    question = moved("mastodon/question.json",
                      {"https://mastodon.social": "https://mastodon.test"})
    gargron = fediverse.person("mastodon.test", "Gargron")
    assert await send(fed_client, settings, create_of(question, gargron.uri), gargron) == 202
    await drain_jobs()
    post = await Post.get(uri=question["id"])
    poll = await Poll.get(post_id=post.id)
    assert post.content_html == "<p>Where should the next meetup be?</p>"
    assert poll.ends_at is not None and poll.ends_at.year == 2024 and poll.voters_count == 12
    assert [(o.title, o.votes_count) for o in await options_of(poll)] == [
        ("Berlin", 7), ("Lyon", 4), ("Online", 1)]
