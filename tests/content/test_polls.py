"""Straw polls written here: their invariants (2 to 20 options, one vote per account, none
after the close, several choices only in a multiple-choice poll, hidden totals), the batched
results Update and the final Update at the close."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest

from actors.follows import receive_follow
from actors.models import Actor
from actors.urls import LocalUrls
from content.errors import NotAllowed, ValidationFailed
from content.models import Notification, Poll, PollOption, PollVote, Post
from content.polls import (
    CLOSE_KIND,
    OPTION_MAX,
    RESULTS_KIND,
    create_poll_post,
    options_of,
    receive_vote,
    results_for,
    vote,
)
from core import clock
from core.models import Job
from core.settings import Settings
from federation import FederationClient
from inbox.remote import resolve_actor
from tests.inbox.fediverse import FakeFediverse, Local
from tests.support.members import new_member

Drain = Callable[[], Awaitable[int]]




async def _remote(settings: Settings, fediverse: FakeFediverse, host: str, name: str,
                  ) -> Actor:
    fake = fediverse.person(host, name)
    async with FederationClient(transport=fediverse.transport) as client:
        return await resolve_actor(LocalUrls(settings.server.base_url), client, fake.uri)


async def _poll(settings: Settings, author: Actor, options: list[str] | None = None, *,
                multiple: bool = False, hide_totals: bool = False, hours: float = 24) -> Post:
    return await create_poll_post(
        LocalUrls(settings.server.base_url), author, "Where do we meet?",
        options or ["Berlin", "Lyon", "Online"], multiple,
        clock.now() + timedelta(hours=hours), hide_totals, "public")


async def _jobs(kind: str) -> list[Job]:
    return [j for j in await Job.filter(name="outbox.publish") if j.payload["kind"] == kind]


async def _make_due(kind: str) -> None:
    """Move the scheduled jobs of `kind` to now, as time passing would (no sleeping)."""
    for job in await _jobs(kind):
        job.run_at = int(clock.now().timestamp() * 1000) - 1
        await job.save(update_fields=["run_at"])


async def test_options_must_be_2_to_20_distinct_and_short(
    local: Local, settings: Settings,
) -> None:
    for options, field in ((["Only one"], "options"), ([f"o{i}" for i in range(21)], "options"),
                           (["a", "A"], "options"), (["a", "b" * (OPTION_MAX + 1)], "options")):
        with pytest.raises(ValidationFailed) as exc:
            await _poll(settings, local.member, options)
        assert field in exc.value.errors
    with pytest.raises(ValidationFailed) as exc:
        await _poll(settings, local.member, hours=0.01)
    assert "ends_at" in exc.value.errors
    with pytest.raises(ValidationFailed):
        await _poll(settings, local.member, hours=24 * 31)
    assert await Post.all().count() == 0 and await Poll.all().count() == 0
    post = await _poll(settings, local.member, [f"o{i}" for i in range(20)])
    assert post.kind == "question"
    assert [o.title for o in await options_of(await Poll.get(post_id=post.id))] == [
        f"o{i}" for i in range(20)]


async def test_one_vote_per_account_and_the_author_once_too(
    local: Local, settings: Settings,
) -> None:
    urls = LocalUrls(settings.server.base_url)
    post = await _poll(settings, local.member)
    poll = await Poll.get(post_id=post.id)
    berlin, lyon, _ = await options_of(poll)
    bea = await new_member(settings, "bea")
    await vote(urls, bea, post, [berlin.id])
    with pytest.raises(NotAllowed):
        await vote(urls, bea, post, [lyon.id])
    with pytest.raises(ValidationFailed):  # single choice: one option only
        await vote(urls, local.member, post, [berlin.id, lyon.id])
    await vote(urls, local.member, post, [lyon.id])  # the author votes, as on Mastodon…
    with pytest.raises(NotAllowed):
        await vote(urls, local.member, post, [lyon.id])  # …but not twice
    results = await results_for(await Poll.get(id=poll.id), bea.id)
    assert [(o.title, o.votes, o.percent, o.mine) for o in results.options] == [
        ("Berlin", 1, 50, True), ("Lyon", 1, 50, False), ("Online", 0, 0, False)]
    assert results.voters == 2 and results.voted and not results.can_vote


async def test_several_choices_in_a_multiple_choice_poll_count_one_voter(
    local: Local, settings: Settings,
) -> None:
    urls = LocalUrls(settings.server.base_url)
    post = await _poll(settings, local.member, multiple=True)
    poll = await Poll.get(post_id=post.id)
    berlin, lyon, online = await options_of(poll)
    await vote(urls, await new_member(settings, "bea"), post, [berlin.id, online.id])
    await vote(urls, await new_member(settings, "cem"), post, [online.id])
    poll = await Poll.get(id=poll.id)
    assert poll.voters_count == 2
    assert [o.votes_count for o in await options_of(poll)] == [1, 0, 2]
    with pytest.raises(ValidationFailed):  # an option of no poll of this post
        await vote(urls, local.member, post, [lyon.id + 12345])


async def test_no_vote_after_the_close_and_the_final_update_goes_out(
    fediverse: FakeFediverse, local: Local, settings: Settings, drain_jobs: Drain,
) -> None:
    urls = LocalUrls(settings.server.base_url)
    bob = await _remote(settings, fediverse, "mastodon.test", "bob")
    await receive_follow(bob, local.member, f"{bob.uri}#follow")
    post = await _poll(settings, local.member, hide_totals=True)
    await drain_jobs()
    [create] = [b for b in fediverse.posts("https://mastodon.test/inbox")
                if b["type"] == "Create"]
    assert create["object"]["type"] == "Question" and "closed" not in create["object"]
    poll = await Poll.get(post_id=post.id)
    berlin, *_ = await options_of(poll)
    bea = await new_member(settings, "bea")
    await vote(urls, bea, post, [berlin.id])
    # Hidden totals: neither the page nor a results Update shows the counts yet.
    assert [o.votes for o in (await results_for(await Poll.get(id=poll.id), None)).options
            ] == [0, 0, 0]
    assert len(await _jobs(CLOSE_KIND)) == 1
    await _make_due(CLOSE_KIND)
    await drain_jobs()
    poll = await Poll.get(id=poll.id)
    assert poll.closed_at is not None
    with pytest.raises(NotAllowed):
        await vote(urls, local.member, post, [berlin.id])
    assert await receive_vote(bob, post, "Berlin", f"{bob.uri}#votes/1") == "the poll is closed"
    assert await PollVote.filter(poll_id=poll.id).count() == 1
    final = [b for b in fediverse.posts("https://mastodon.test/inbox") if b["type"] == "Update"]
    assert len(final) == 1
    question = final[0]["object"]
    assert question["type"] == "Question" and question["closed"] and question["votersCount"] == 1
    assert [o["replies"]["totalItems"] for o in question["oneOf"]] == [1, 0, 0]
    assert (await results_for(poll, None)).options[0].votes == 1  # shown once closed
    # The author and the member who voted are told, once.
    told = await Notification.filter(kind="poll", post_id=post.id).values_list(
        "recipient_id", flat=True)
    assert sorted(told) == sorted([local.member.id, bea.id])


async def test_several_votes_make_one_batched_update(
    fediverse: FakeFediverse, local: Local, settings: Settings, drain_jobs: Drain,
) -> None:
    bob = await _remote(settings, fediverse, "mastodon.test", "bob")
    ann = await _remote(settings, fediverse, "gotosocial.test", "ann")
    await receive_follow(ann, local.member, f"{ann.uri}#follow")
    post = await _poll(settings, local.member)
    await drain_jobs()
    assert await receive_vote(bob, post, "Lyon", f"{bob.uri}#votes/1") is None
    assert await receive_vote(bob, post, "Lyon", f"{bob.uri}#votes/2") is not None  # again
    assert await receive_vote(bob, post, "Online", f"{bob.uri}#votes/3") is not None  # single
    await vote(LocalUrls(settings.server.base_url), await new_member(settings, "bea"), post,
               [(await PollOption.get(title="Berlin")).id])
    assert len(await _jobs(RESULTS_KIND)) == 1  # one Update scheduled for all three votes
    assert await drain_jobs() == 0  # not due yet: the batch window is open
    await _make_due(RESULTS_KIND)
    await drain_jobs()
    updates = [b for b in fediverse.posts() if b["type"] == "Update"]
    # One Update, delivered to the follower's server and to the voter's.
    assert len({u["id"] for u in updates}) == 1 and len(updates) == 2
    question = updates[0]["object"]
    assert [(o["name"], o["replies"]["totalItems"]) for o in question["oneOf"]] == [
        ("Berlin", 1), ("Lyon", 1), ("Online", 0)]
    assert question["votersCount"] == 2 and "updated" not in question
    # The next vote opens a new window.
    await receive_vote(ann, post, "Online", f"{ann.uri}#votes/1")
    assert len(await _jobs(RESULTS_KIND)) == 1


async def test_two_votes_of_one_voter_at_once_count_one_option(
    fediverse: FakeFediverse, local: Local, settings: Settings,
) -> None:
    bob = await _remote(settings, fediverse, "mastodon.test", "bob")
    post = await _poll(settings, local.member)
    reasons = await asyncio.gather(
        receive_vote(bob, post, "Berlin", f"{bob.uri}#votes/1"),
        receive_vote(bob, post, "Lyon", f"{bob.uri}#votes/2"))
    assert sorted(r is None for r in reasons) == [False, True]
    assert await PollVote.filter(voter_id=bob.id).count() == 1
