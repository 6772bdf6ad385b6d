"""Formal ballots through time: the phase by the dates, the phase job scheduled at every
boundary and safe to run twice, the eligibility snapshot taken when voting opens (chapter
members here and elsewhere, people only; the organization's approved members)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

from actors.models import Actor, Follow
from content.ballot_models import Ballot, BallotEligible
from content.ballots import (
    PHASE_JOB,
    UPDATE_KIND,
    advance,
    cast_vote,
    is_eligible,
    open_ballot,
    phase_at,
)
from content.models import Notification
from core import clock
from core.models import Job
from core.settings import Settings
from tests.content.test_ballots import (
    coordinator,
    ids,
    join,
    move_to,
    new_ballot,
    person,
    published,
    urls_of,
)
from tests.inbox.fediverse import Local

H = timedelta(hours=1)
Drain = Callable[[], Awaitable[int]]


def test_the_phase_follows_the_dates() -> None:
    now = clock.now()
    ballot = Ballot(proposals_at=now, amendments_at=now + H, voting_at=now + 2 * H,
                    ends_at=now + 3 * H)
    moments = [now - H, now, now + H - timedelta(seconds=1), now + H, now + 2 * H,
               now + 3 * H - timedelta(seconds=1), now + 3 * H, now + 9 * H]
    assert [phase_at(ballot, m) for m in moments] == [
        "proposals", "proposals", "proposals", "amendments", "voting", "voting", "closed",
        "closed"]
    ballot.amendments_at = None  # no amendment phase
    assert phase_at(ballot, now + H) == "proposals"


async def test_the_phase_job_is_scheduled_at_each_boundary(
    local: Local, settings: Settings,
) -> None:
    cora = await coordinator(local.chapter)
    now = clock.now()
    ballot = await open_ballot(
        urls_of(settings), cora, chapter=local.chapter, title="T", description="",
        method="single", proposals_at=now, amendments_at=now + H, voting_at=now + 2 * H,
        ends_at=now + 3 * H)
    jobs = await Job.filter(name=PHASE_JOB).order_by("run_at")
    assert [j.payload for j in jobs] == [{"ballot_id": ballot.id}] * 3
    expected = [int((now + n * H).timestamp() * 1000) for n in (1, 2, 3)]
    # enqueue counts from its own "now", a few milliseconds after ours
    assert all(0 <= j.run_at - e < 5_000 for j, e in zip(jobs, expected, strict=True))


async def test_the_job_records_phases_once_and_snapshots_when_voting_opens(
    local: Local, settings: Settings, drain_jobs: Drain,
) -> None:
    cora = await coordinator(local.chapter)
    bea, late = await person("bea"), await person("late")
    rex = await person("rex", "remote.test")
    other_group = await Actor.create(kind="Group", username="club", domain="remote.test",
                                     acct_key=Actor.key_for("club", "remote.test"),
                                     uri="https://remote.test/groups/club")
    pending = await person("pending")
    await join(local.chapter, bea, rex, other_group)
    # a request waiting for a coordinator is no membership
    await Follow.create(follower=pending, followed=local.chapter, state="pending")
    ballot = await new_ballot(settings, cora, local.chapter)
    await drain_jobs()
    assert (await Ballot.get(id=ballot.id)).phase == "proposals"  # nothing was due

    await move_to(ballot, "amendments")
    for job in await Job.filter(name=PHASE_JOB):
        job.run_at = int(clock.now().timestamp() * 1000) - 1
        await job.save(update_fields=["run_at"])
    await drain_jobs()  # three due jobs (they also ran the outbox's publish jobs)
    assert (await Ballot.get(id=ballot.id)).phase == "amendments"
    before = len(await published(UPDATE_KIND))

    await move_to(ballot, "voting")
    urls = urls_of(settings)
    assert await advance(urls, ballot) == "voting"
    assert await advance(urls, ballot) == "voting"  # again: nothing more
    await join(local.chapter, late)
    assert await advance(urls, await Ballot.get(id=ballot.id)) == "voting"
    eligible = set(await BallotEligible.filter(ballot_id=ballot.id).values_list(
        "actor_id", flat=True))
    assert eligible == {cora.id, bea.id, rex.id}  # no group, no pending request, not late
    assert (await Ballot.get(id=ballot.id)).eligible_count == 3
    assert await Notification.filter(kind="ballot_opened").count() == 2  # cora and bea
    assert len(await published(UPDATE_KIND)) == before + 1  # one change, one Update
    assert not await is_eligible(ballot, late)


async def test_a_late_job_goes_through_voting_before_closing(
    local: Local, settings: Settings,
) -> None:
    cora = await coordinator(local.chapter)
    ballot = await new_ballot(settings, cora, local.chapter)
    await move_to(ballot, "closed")
    assert await advance(urls_of(settings), ballot) == "closed"
    ballot = await Ballot.get(id=ballot.id)
    assert ballot.eligible_count == 1 and ballot.closed_at is not None
    assert ballot.result is not None and ballot.result["eligible"] == 1
    assert sorted(n.kind for n in await Notification.filter(recipient_id=cora.id)) == [
        "ballot_closed", "ballot_opened"]
    assert len(await published(UPDATE_KIND)) == 2
    assert await advance(urls_of(settings), ballot) == "closed"
    assert len(await published(UPDATE_KIND)) == 2
    assert await Notification.filter(recipient_id=cora.id).count() == 2


async def test_a_vote_before_the_job_ran_takes_the_snapshot(
    local: Local, settings: Settings,
) -> None:
    cora = await coordinator(local.chapter)
    ballot = await new_ballot(settings, cora, local.chapter)
    await move_to(ballot, "voting")  # the job has not run yet
    await cast_vote(urls_of(settings), ballot, cora, [(await ids(ballot))["A"]])
    ballot = await Ballot.get(id=ballot.id)
    assert (ballot.phase, ballot.eligible_count, ballot.voters_count) == ("voting", 1, 1)


async def test_organization_ballots_are_for_approved_local_members(
    local: Local, settings: Settings,
) -> None:
    admin = await person("ada", role="admin")
    waiting = await person("waiting", approved=False)
    rex = await person("rex", "remote.test")
    await join(local.chapter, rex)
    ballot = await new_ballot(settings, admin, None)
    await move_to(ballot, "voting")
    await advance(urls_of(settings), ballot)
    eligible = set(await BallotEligible.filter(ballot_id=ballot.id).values_list(
        "actor_id", flat=True))
    assert eligible == {admin.id, local.member.id}
    assert waiting.id not in eligible and rex.id not in eligible
