"""The daily tally: what a day's figures count, recording them once per day, and the hourly
`campaign.tally` job that keeps itself scheduled exactly once."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from actors.chapters import create_chapter
from actors.models import Account, Actor, DailyTally, Follow
from content.models import Post
from content.tally import (
    ORGANIZATION,
    TALLY_JOB,
    Figures,
    active_member_count,
    ensure_tally_scheduled,
    local_post_count,
    record_tally,
    tally_figures,
    tally_series,
)
from core import clock
from core.ids import new_id
from core.models import Job

pytestmark = pytest.mark.usefixtures("database")

# In the past: the clock never runs ahead of real time, or every id made after the
# test (core.ids keeps them increasing) would carry a future time.
DAY0 = datetime.now(UTC).date() - timedelta(days=300)


def at(day: date, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


@pytest.fixture
def set_now() -> Iterator[Callable[[datetime], None]]:
    """Move the project's clock; the real one is back after the test."""

    def move(moment: datetime) -> None:
        clock.set_clock(lambda: moment)

    yield move
    clock.set_clock(None)


async def member(name: str, joined: datetime, *, approved: bool = True,
                 reviewed_at: datetime | None = None, last_login: datetime | None = None,
                 domain: str | None = None) -> Actor:
    """A local member (an Actor and its Account) who joined at `joined`, or a remote actor."""
    actor = await Actor.create(kind="Person", username=name, domain=domain,
                               acct_key=Actor.key_for(name, domain),
                               uri=f"https://{domain}/users/{name}" if domain else None)
    if domain is None:
        account = await Account.create(
            actor=actor, email=f"{name}@example.org", password_hash="x", approved=approved,
            commitments_version="1", commitments_accepted_at=joined, reviewed_at=reviewed_at,
            last_login_at=last_login)
        # created_at is the database's own time of insertion: put it where the story says
        await Account.filter(id=account.id).update(created_at=joined)
    return actor


async def post_by(author: Actor, published: datetime, *, deleted: bool = False) -> Post:
    ident = new_id()
    host = author.domain or "local.test"
    return await Post.create(id=ident, uri=f"https://{host}/posts/{ident}", author=author,
                             published=published, content_html="<p>hi</p>",
                             deleted_at=published if deleted else None)


async def join(follower: Actor, group: Actor, accepted: datetime | None,
               state: str = "accepted") -> Follow:
    follow = await Follow.create(follower=follower, followed=group, state=state,
                                 accepted_at=accepted)
    await Follow.filter(id=follow.id).update(created_at=accepted or at(DAY0))
    return follow


async def test_a_day_counts_approved_members_new_and_active_ones() -> None:
    day = DAY0 + timedelta(days=40)
    await member("old", at(DAY0), last_login=at(day - timedelta(days=3)))
    await member("poster", at(DAY0))  # active by posting, not by logging in
    await member("idle", at(DAY0), last_login=at(day - timedelta(days=31)))
    await member("today1", at(day, 9))
    await member("today2", at(day, 23, 59))
    await member("tomorrow", at(day + timedelta(days=1), 0, 1))
    # applied before, approved today: a new member today; rejected / pending: not members
    await member("applicant", at(day - timedelta(days=5)), reviewed_at=at(day, 10))
    await member("pending", at(day - timedelta(days=2)), approved=False)
    await member("rejected", at(day - timedelta(days=2)), approved=False,
                 reviewed_at=at(day - timedelta(days=1)))
    poster = await Actor.get(username="poster")
    await post_by(poster, at(day - timedelta(days=29)))

    assert await tally_figures(ORGANIZATION, day) == Figures(
        members=6, new_members=3, active_members=2)
    # the day before: the late applicant was still waiting, today's members not there yet
    assert await tally_figures(ORGANIZATION, day - timedelta(days=1)) == Figures(
        members=3, new_members=0, active_members=2)


async def test_a_chapter_counts_its_accepted_followers_remote_ones_included() -> None:
    day = DAY0 + timedelta(days=10)
    chapter = await create_chapter("Lyon", "lyon", join_policy="approval")
    group = await Actor.get(id=chapter.actor_id)  # type: ignore[attr-defined]
    ana = await member("ana", at(DAY0), last_login=at(day - timedelta(days=1)))
    bob = await member("bob", at(DAY0))
    remote = await member("zoe", at(DAY0), domain="remote.test")
    quiet_remote = await member("max", at(DAY0), domain="remote.test")
    waiting = await member("lea", at(DAY0))
    await join(ana, group, at(DAY0 + timedelta(days=2)))
    await join(bob, group, at(day, 8))
    await join(remote, group, at(day, 9))
    await join(quiet_remote, group, None)  # accepted before accepted_at was kept
    await join(waiting, group, None, state="pending")
    await post_by(remote, at(day, 10))  # a remote member is active by posting

    assert await tally_figures(chapter.id, day) == Figures(
        members=4, new_members=2, active_members=2)
    assert await tally_figures(chapter.id, day - timedelta(days=1)) == Figures(
        members=2, new_members=0, active_members=1)


async def test_recording_twice_keeps_one_row_per_scope_with_the_latest_figures() -> None:
    chapter = await create_chapter("Lyon", "lyon")
    group = await Actor.get(id=chapter.actor_id)  # type: ignore[attr-defined]
    day = DAY0
    ana = await member("ana", at(day, 8))
    await record_tally(day)
    await member("bob", at(day, 9))
    await join(ana, group, at(day, 9))
    await record_tally(day)

    rows = await DailyTally.filter(day=day).order_by("scope")
    assert [(r.scope, r.members, r.new_members) for r in rows] == [
        (ORGANIZATION, 2, 2), (chapter.id, 1, 1)]
    assert [r.members for r in await tally_series(ORGANIZATION, day, day)] == [2]


async def test_the_series_has_the_recorded_days_only_oldest_first() -> None:
    await member("ana", at(DAY0))
    for offset in (3, 0, 1, 5):  # days 2 and 4: the server was down
        await record_tally(DAY0 + timedelta(days=offset))
    series = await tally_series(ORGANIZATION, DAY0, DAY0 + timedelta(days=4))
    assert [r.day for r in series] == [DAY0, DAY0 + timedelta(days=1),
                                       DAY0 + timedelta(days=3)]


async def test_active_members_and_local_posts_for_nodeinfo(
    set_now: Callable[[datetime], None],
) -> None:
    now = at(DAY0 + timedelta(days=200))
    set_now(now)
    await member("login", at(DAY0), last_login=now - timedelta(days=10))
    poster = await member("poster", at(DAY0), last_login=now - timedelta(days=190))
    await member("halfyear", at(DAY0), last_login=now - timedelta(days=100))
    await member("gone", at(DAY0), last_login=now - timedelta(days=181))
    await member("pending", at(DAY0), approved=False, last_login=now - timedelta(days=1))
    await post_by(poster, now - timedelta(days=2))
    await post_by(poster, now - timedelta(days=3), deleted=True)
    remote = await member("zoe", at(DAY0), domain="remote.test")
    await post_by(remote, now - timedelta(days=1))

    assert await active_member_count(30) == 2
    assert await active_member_count(180) == 3
    assert await local_post_count() == 1


async def _tally_jobs() -> list[Job]:
    return await Job.filter(name=TALLY_JOB).order_by("run_at")


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


async def test_the_job_records_today_and_schedules_itself_once_for_the_next_hour(
    set_now: Callable[[datetime], None], drain_jobs: Callable[[], Awaitable[int]],
) -> None:
    day = DAY0 + timedelta(days=3)
    set_now(at(day, 14, 25))
    await member("ana", at(DAY0))
    assert await ensure_tally_scheduled() is True
    assert await ensure_tally_scheduled() is False  # one is waiting already
    assert await drain_jobs() == 1

    jobs = await _tally_jobs()
    assert [(j.state, j.run_at) for j in jobs] == [("pending", _ms(at(day, 15)))]
    assert await ensure_tally_scheduled() is False
    row = await DailyTally.get(scope=ORGANIZATION, day=day)
    assert (row.members, row.new_members) == (1, 0)

    # an hour later the next run records the newcomer and schedules the one after
    await member("bob", at(day, 15, 10))
    set_now(at(day, 15, 0))
    assert await drain_jobs() == 1
    assert [j.run_at for j in await _tally_jobs()] == [_ms(at(day, 16))]
    row = await DailyTally.get(scope=ORGANIZATION, day=day)
    assert (row.members, row.new_members) == (2, 1)
    assert await DailyTally.filter(scope=ORGANIZATION).count() == 1


async def test_two_processes_scheduling_at_once_leave_one_job(
    set_now: Callable[[datetime], None], drain_jobs: Callable[[], Awaitable[int]],
) -> None:
    set_now(at(DAY0, 9, 30))
    # two web processes started at the same moment, each found no job and added one
    for _ in range(2):
        await Job.create(id=new_id(), name=TALLY_JOB, payload={}, run_at=_ms(at(DAY0, 9)))
    assert await drain_jobs() == 2  # both run (the same worker batch)…
    jobs = await _tally_jobs()  # …and only the first schedules the next
    assert [(j.state, j.run_at) for j in jobs] == [("pending", _ms(at(DAY0, 10)))]
    assert await DailyTally.filter(day=DAY0).count() == 1


async def test_the_first_run_of_a_day_completes_the_day_before(
    set_now: Callable[[datetime], None], drain_jobs: Callable[[], Awaitable[int]],
) -> None:
    set_now(at(DAY0, 23, 0))
    await member("ana", at(DAY0, 8), last_login=at(DAY0, 22))
    await ensure_tally_scheduled()
    await drain_jobs()
    await member("late", at(DAY0, 23, 30))  # joined after the last run of the day
    set_now(at(DAY0 + timedelta(days=1), 0, 0))
    assert await drain_jobs() == 1
    rows = await DailyTally.filter(scope=ORGANIZATION).order_by("day")
    assert [(r.day, r.members, r.new_members, r.active_members) for r in rows] == [
        (DAY0, 2, 2, 1),
        (DAY0 + timedelta(days=1), 2, 0, 1),
    ]
