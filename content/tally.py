"""The daily tally of the campaign: counting members, new and active members (of the
organization and of each of our chapters), recording them per UTC day, and the hourly job.

It lives in `content` because an active member is one who logged in *or posted*.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from tortoise.expressions import Q, Subquery
from tortoise.functions import Count

from actors.models import Account, Chapter, DailyTally, Follow
from content.models import Post
from core import clock
from core.db import connection, in_transaction
from core.jobs import engine_of_connection, enqueue
from core.models import Job

log = logging.getLogger(__name__)

TALLY_JOB = "campaign.tally"
# A failed run is retried within the hour; the chain of hourly runs survives a long outage.
TALLY_JOB_OPTIONS: dict[str, Any] = {"max_attempts": 200, "base_delay": 60.0,
                                     "max_delay": 3600.0}
ORGANIZATION = 0  # the scope of the organization's own rows
ACTIVE_DAYS = 30
ACCEPTED = "accepted"
# Serializes the tally job's write-and-reschedule across worker processes on PostgreSQL.
_PG_LOCK_KEY = 0x7A11_7A11


@dataclass(frozen=True)
class Figures:
    """The three counts of one scope on one day."""

    members: int
    new_members: int
    active_members: int


def today() -> date:
    """The current UTC day, by the project's clock."""
    return clock.now().astimezone(UTC).date()


def _bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=UTC)
    return start, start + timedelta(days=1)


def _posters(since: datetime, until: datetime) -> Subquery:
    """Actors with a post published in [since, until)."""
    return Subquery(Post.filter(published__gte=since, published__lt=until).values("author_id"))


def _logged_in(since: datetime, until: datetime) -> Subquery:
    return Subquery(Account.filter(last_login_at__gte=since, last_login_at__lt=until)
                    .values("actor_id"))


# --- the organization: approved local accounts ------------------------------------------------
# A member joins when their account is made, or, when an admin reviewed their application,
# when it was approved; counting as of a moment makes a day's figures the same whenever
# they are computed (activity aside: only the last log-in is kept).

def _joined_before(end: datetime) -> Q:
    return Q(Q(reviewed_at__isnull=True, created_at__lt=end), Q(reviewed_at__lt=end),
             join_type="OR")


def _joined_between(start: datetime, end: datetime) -> Q:
    return Q(Q(reviewed_at__isnull=True, created_at__gte=start, created_at__lt=end),
             Q(reviewed_at__gte=start, reviewed_at__lt=end), join_type="OR")


async def _organization(day: date) -> Figures:
    start, end = _bounds(day)
    since = end - timedelta(days=ACTIVE_DAYS)
    members = Account.filter(_joined_before(end), approved=True)
    active = members.filter(Q(Q(last_login_at__gte=since, last_login_at__lt=end),
                              Q(actor_id__in=_posters(since, end)), join_type="OR"))
    return Figures(
        members=await members.count(),
        new_members=await Account.filter(_joined_between(start, end), approved=True).count(),
        active_members=await active.count(),
    )


# --- a chapter: accepted followers of its Group actor, remote ones included -------------------

def _accepted_before(end: datetime) -> Q:
    # Follows accepted before accepted_at was recorded count from their creation.
    return Q(Q(accepted_at__lt=end), Q(accepted_at__isnull=True, created_at__lt=end),
             join_type="OR")


async def _chapter(group_actor_id: int, day: date) -> Figures:
    start, end = _bounds(day)
    since = end - timedelta(days=ACTIVE_DAYS)
    follows = Follow.filter(_accepted_before(end), followed_id=group_actor_id, state=ACCEPTED)
    active = follows.filter(Q(Q(follower_id__in=_posters(since, end)),
                              Q(follower_id__in=_logged_in(since, end)), join_type="OR"))
    new = Follow.filter(followed_id=group_actor_id, state=ACCEPTED, accepted_at__gte=start,
                        accepted_at__lt=end)
    return Figures(members=await follows.count(), new_members=await new.count(),
                   active_members=await active.count())


async def tally_figures(scope: int, day: date) -> Figures:
    """The figures of `scope` (ORGANIZATION or a chapter's id) as of the end of `day` (UTC);
    for today: as of now. Nothing is written."""
    if scope == ORGANIZATION:
        return await _organization(day)
    chapter = await Chapter.get_or_none(id=scope)
    if chapter is None:
        return Figures(0, 0, 0)
    return await _chapter(chapter.actor_id, day)  # type: ignore[attr-defined]


async def _all_figures(day: date) -> dict[int, Figures]:
    out = {ORGANIZATION: await _organization(day)}
    for chapter_id, actor_id in await Chapter.all().values_list("id", "actor_id"):
        out[int(chapter_id)] = await _chapter(int(actor_id), day)
    return out


async def _write(day: date, figures: dict[int, Figures], *, keep_active: bool = False) -> None:
    """Upsert one row per scope; call inside a transaction. The first statement is a write,
    so on SQLite a concurrent writer waits for our commit instead of racing our insert."""
    now = clock.now()
    for scope, f in figures.items():
        values: dict[str, Any] = {"members": f.members, "new_members": f.new_members,
                                  "active_members": f.active_members, "recorded_at": now}
        updated = await DailyTally.filter(scope=scope, day=day).update(**values)
        if updated and keep_active:
            row = await DailyTally.get(scope=scope, day=day)
            if row.active_members < f.active_members:
                await DailyTally.filter(id=row.id).update(active_members=f.active_members)
        if not updated:
            await DailyTally.create(scope=scope, day=day, **values)


async def _lock() -> None:
    """Inside a transaction on PostgreSQL: one tally writer at a time (released at commit)."""
    if engine_of_connection() == "postgres":
        await connection().execute_query("SELECT pg_advisory_xact_lock($1)", [_PG_LOCK_KEY])


async def record_tally(day: date) -> None:
    """Record (or refresh) the figures of `day` for the organization and each of our
    chapters: one row per scope and day, however often it runs."""
    figures = await _all_figures(day)
    async with in_transaction():
        await _lock()
        await _write(day, figures)


async def tally_series(scope: int, start: date, end: date) -> list[DailyTally]:
    """The recorded days of `scope` from `start` to `end` (both included), oldest first.
    Days without a row (the server was down) are simply absent."""
    return await DailyTally.filter(scope=scope, day__gte=start, day__lte=end).order_by("day")


# --- NodeInfo and the JSON endpoint ---------------------------------------------------------

async def active_member_count(days: int) -> int:
    """Approved members who logged in or posted in the last `days` days."""
    now = clock.now()
    since = now - timedelta(days=days)
    return await Account.filter(
        Q(Q(last_login_at__gte=since), Q(actor_id__in=_posters(since, now)), join_type="OR"),
        approved=True,
    ).count()


async def chapter_member_counts() -> dict[int, int]:
    """Members of each of our chapters now (accepted followers, remote ones included), by
    chapter id; a chapter without members is absent."""
    actor_to_chapter = dict(await Chapter.all().values_list("actor_id", "id"))
    rows = await (Follow.filter(state=ACCEPTED, followed_id__in=list(actor_to_chapter))
                  .annotate(n=Count("id")).group_by("followed_id").values_list("followed_id", "n"))
    return {int(actor_to_chapter[actor_id]): int(n) for actor_id, n in rows}


async def local_post_count() -> int:
    """Posts written on this server and not deleted."""
    return await Post.filter(author__domain__isnull=True, deleted_at__isnull=True).count()


# --- the hourly job ---------------------------------------------------------------------------

def _until_next_hour() -> float:
    now = clock.now()
    following = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    return max(1.0, (following - now).total_seconds())


async def run_tally_job(payload: dict[str, Any]) -> None:
    """`campaign.tally`: record today (and, at the first run of a day, yesterday's final
    figures), then schedule the next run at the top of the next hour unless another process
    has already scheduled one."""
    day = today()
    yesterday = day - timedelta(days=1)
    refresh_yesterday = (
        not await DailyTally.filter(scope=ORGANIZATION, day=day).exists()
        and await DailyTally.filter(scope=ORGANIZATION, day=yesterday).exists()
    )
    previous = await _all_figures(yesterday) if refresh_yesterday else None
    figures = await _all_figures(day)
    async with in_transaction():
        await _lock()
        if previous is not None:
            # Only the last log-in of a member is kept, so a later count can only lose
            # activity: keep the higher figure.
            await _write(yesterday, previous, keep_active=True)
        await _write(day, figures)
        if not await Job.filter(name=TALLY_JOB, state="pending").exists():
            await enqueue(TALLY_JOB, {}, delay=_until_next_hour())


async def ensure_tally_scheduled() -> bool:
    """Schedule a tally run now unless one is waiting or running; True when it did.
    Called where job workers start (the web process with workers, `chapterhouse worker`)."""
    async with in_transaction():
        await _lock()
        if await Job.filter(name=TALLY_JOB, state__in=("pending", "running")).exists():
            return False
        await enqueue(TALLY_JOB, {})
    log.info("scheduled the campaign tally")
    return True
