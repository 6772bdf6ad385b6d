"""Straw polls (ActivityStreams Questions): creating one with a post, votes from members
here and from other servers, results, closing, and the copies of other servers' polls."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F

from actors.models import Actor
from actors.urls import LocalUrls
from content.errors import NotAllowed, ValidationFailed
from content.html import sanitize_text
from content.models import Poll, PollOption, PollVote, Post
from content.notifications import notify
from content.posts import create_post
from content.publishing import PUBLISH_JOB, publish
from content.visibility import can_see
from core import clock
from core.db import in_transaction
from core.ids import new_id
from core.jobs import enqueue
from core.messages import N_

OPTIONS_MIN, OPTIONS_MAX = 2, 20
OPTION_MAX = 100  # characters per option (Mastodon allows 50; a chapter's options run longer)
DURATION_MIN = timedelta(minutes=5)
DURATION_MAX = timedelta(days=30)
#: Results are sent batched: at most one Update(Question) per poll per this many seconds.
RESULTS_DELAY = 60.0
#: The outbox.publish kinds of polls (docs/FEDERATION.md, "Polls").
RESULTS_KIND, CLOSE_KIND, VOTE_KIND = "poll_results", "poll_close", "poll_vote"


def check_poll(options: Sequence[str], ends_at: datetime | None) -> dict[str, str]:
    """Errors of a poll a member writes: 2 to 20 distinct non-empty options of at most
    OPTION_MAX characters, closing between 5 minutes and 30 days from now."""
    errors: dict[str, str] = {}
    cleaned = [o.strip() for o in options if o.strip()]
    if len(cleaned) < OPTIONS_MIN:
        errors["options"] = N_("Give at least %(min)s options.", min=OPTIONS_MIN)
    elif len(cleaned) > OPTIONS_MAX:
        errors["options"] = N_("Give at most %(max)s options.", max=OPTIONS_MAX)
    elif any(len(o) > OPTION_MAX for o in cleaned):
        errors["options"] = N_("Keep each option to at most %(max)s characters.", max=OPTION_MAX)
    elif len({o.casefold() for o in cleaned}) != len(cleaned):
        errors["options"] = N_("Give each option once.")
    if ends_at is None:
        errors["ends_at"] = N_("Say when the poll closes.")
    else:
        duration = ends_at - clock.now()
        if duration < DURATION_MIN - timedelta(seconds=5):
            errors["ends_at"] = N_("Keep the poll open at least 5 minutes.")
        elif duration > DURATION_MAX + timedelta(seconds=5):
            errors["ends_at"] = N_("Close the poll within 30 days.")
    return errors


async def create_poll_post(urls: LocalUrls, author: Actor, text: str, options: Sequence[str],
                           multiple: bool, ends_at: datetime | None, hide_totals: bool,
                           visibility: str, chapter: Actor | None = None, *,
                           summary: str = "", sensitive: bool = False,
                           in_reply_to: Post | None = None,
                           mentions: Sequence[Actor] = ()) -> Post:
    """A member writes a post with a poll: the Post (kind "question") and its Poll in one
    transaction, the Create published, and the close scheduled at `ends_at`. The post's
    other fields (a content warning as `summary`, a reply, mentions) are create_post's."""
    errors = check_poll(options, ends_at)
    if errors:
        raise ValidationFailed(errors)
    assert ends_at is not None
    titles = [o.strip() for o in options if o.strip()]
    async with in_transaction():
        post = await create_post(urls, author, text, visibility=visibility, chapter=chapter,
                                 summary=summary, sensitive=sensitive,
                                 in_reply_to=in_reply_to, mentions=mentions)
        post.kind = "question"
        await post.save(update_fields=["kind"])
        poll = await Poll.create(post=post, multiple=multiple, hide_totals=hide_totals,
                                 ends_at=ends_at)
        for position, title in enumerate(titles):
            await PollOption.create(poll=poll, position=position, title=title)
        delay = max(0.0, (ends_at - clock.now()).total_seconds())
        await enqueue(PUBLISH_JOB, {"kind": CLOSE_KIND, "ident": new_id(),
                                    "post_id": post.id}, delay=delay)
    return post


def is_closed(poll: Poll) -> bool:
    """Closed when the close was recorded or its end time has passed."""
    if poll.closed_at is not None:
        return True
    return poll.ends_at is not None and poll.ends_at <= clock.now()


async def poll_of(post: Post) -> Poll | None:
    return await Poll.get_or_none(post_id=post.id)


async def options_of(poll: Poll) -> list[PollOption]:
    return list(await PollOption.filter(poll_id=poll.id).order_by("position"))


async def recount(poll: Poll) -> None:
    """Tally one of our polls again from its votes (inside the caller's transaction)."""
    for option in await options_of(poll):
        option.votes_count = await PollVote.filter(option_id=option.id).count()
        await option.save(update_fields=["votes_count"])
    voters = await PollVote.filter(poll_id=poll.id).distinct().values_list("voter_id",
                                                                            flat=True)
    poll.voters_count = len(set(voters))
    await poll.save(update_fields=["voters_count"])


async def schedule_results(poll: Poll) -> bool:
    """Enqueue the Update(Question) with fresh counts in RESULTS_DELAY seconds, unless one
    is pending already (batching: one Update per poll per window). Inside a transaction."""
    claimed = await Poll.filter(id=poll.id, update_pending=False).update(update_pending=True)
    if not claimed:
        return False
    await enqueue(PUBLISH_JOB, {"kind": RESULTS_KIND, "ident": new_id(),
                                "post_id": poll.post_id},  # type: ignore[attr-defined]
                  delay=RESULTS_DELAY)
    return True


async def take_results_turn(poll: Poll) -> None:
    """The scheduled results Update is being sent: the next vote schedules another."""
    await Poll.filter(id=poll.id).update(update_pending=False)
    poll.update_pending = False


async def close_poll(poll: Poll) -> bool:
    """Record the close of one of our polls (the job scheduled at `ends_at`) and tell its
    author and the members here who voted ("poll" notifications, as Mastodon's); False
    when it was closed already."""
    if poll.closed_at is not None:
        return False
    now = clock.now()
    async with in_transaction():
        changed = await Poll.filter(id=poll.id, closed_at__isnull=True).update(closed_at=now)
        poll.closed_at = now
        if changed:
            post = await Post.get(id=poll.post_id)  # type: ignore[attr-defined]
            ids = {post.author_id,  # type: ignore[attr-defined]
                   *await PollVote.filter(poll_id=poll.id).values_list("voter_id", flat=True)}
            for actor in await Actor.filter(id__in=ids, domain__isnull=True):
                await notify(actor, "poll", post=post, text="The poll has ended")
    return bool(changed)


async def _lock(poll: Poll) -> None:
    """Take the poll's row lock for the rest of the transaction (a write: PostgreSQL locks
    the row, SQLite the database), so two votes of one voter arriving at once are checked
    one after the other and a single-choice poll never counts two of their options."""
    await Poll.filter(id=poll.id).update(voters_count=F("voters_count"))


async def vote(urls: LocalUrls, voter: Actor, post: Post, option_ids: Sequence[int]) -> None:
    """A member here votes: one or (multiple choice) several options, once per poll.

    The author may vote in their own poll once, as Mastodon allows. In one of our polls the
    tally changes now and the results Update is scheduled; in another server's poll one
    Note per chosen option goes to its author (Mastodon's vote shape), and our copy's counts
    change when the author's Update(Question) arrives."""
    poll = await poll_of(post)
    if poll is None or post.is_deleted:
        raise NotAllowed(N_("this post has no poll"))
    if not voter.is_local:
        raise NotAllowed(N_("only members of this server vote here"))
    if is_closed(poll):
        raise NotAllowed(N_("the poll is closed"))
    options = {o.id: o for o in await options_of(poll)}
    chosen = list(dict.fromkeys(option_ids))
    if not chosen or any(i not in options for i in chosen):
        raise ValidationFailed({"choices": N_("Choose one of the options.")})
    if len(chosen) > 1 and not poll.multiple:
        raise ValidationFailed({"choices": N_("Choose only one option.")})
    author = await Actor.get(id=post.author_id)  # type: ignore[attr-defined]
    try:
        async with in_transaction():
            await _lock(poll)
            if await PollVote.filter(poll_id=poll.id, voter_id=voter.id).exists():
                raise NotAllowed(N_("you have voted in this poll already"))
            for option_id in chosen:
                ident = new_id()
                row = await PollVote.create(id=ident, poll=poll, option=options[option_id],
                                            voter=voter,
                                            uri=f"{urls.actor(voter)}#votes/{ident}")
                if not author.is_local:
                    await publish(VOTE_KIND, ident=ident, vote_id=row.id)
            if author.is_local:
                await recount(poll)
                await schedule_results(poll)
    except IntegrityError as exc:  # the same member voting twice at once
        raise NotAllowed(N_("you have voted in this poll already")) from exc


async def receive_vote(voter: Actor, post: Post, name: str, uri: str) -> str | None:
    """A vote from another server (a Note naming an option, in reply to our poll); None when
    recorded, else why it was not. Recorded once per (voter, option); a single-choice poll
    keeps the voter's first choice only; none after the close."""
    poll = await poll_of(post)
    if poll is None or post.is_deleted:
        return "not a poll"
    author = await Actor.get(id=post.author_id)  # type: ignore[attr-defined]
    if not author.is_local:
        return "a vote in a poll of another server"
    if is_closed(poll):
        return "the poll is closed"
    if not await can_see(post, voter):
        return "the voter may not see this poll"  # followers-only, blocked …
    option = await PollOption.get_or_none(poll_id=poll.id, title=name.strip()[:200])
    if option is None:
        return f"no option named {name[:80]!r}"
    try:
        async with in_transaction():
            await _lock(poll)
            if await PollVote.filter(uri=uri).exists():
                return "this vote was recorded already"
            mine = PollVote.filter(poll_id=poll.id, voter_id=voter.id)
            if await mine.filter(option_id=option.id).exists():
                return "already voted for this option"
            if not poll.multiple and await mine.exists():
                return "already voted in this single-choice poll"
            await PollVote.create(poll=poll, option=option, voter=voter, uri=uri[:2048])
            await recount(poll)
            await schedule_results(poll)
    except IntegrityError:
        return "already voted for this option"
    return None


# --- copies of other servers' polls ------------------------------------------------------

@dataclass(frozen=True)
class RemotePoll:
    """A remote Question's poll, as its author's server states it now."""

    multiple: bool
    options: tuple[tuple[str, int], ...]  # (title, votes)
    ends_at: datetime | None
    closed_at: datetime | None
    voters_count: int | None


async def save_remote_poll(post: Post, state: RemotePoll) -> Poll:
    """Store or refresh the poll of a remote Question: options and their counts, end and
    close times. Options that changed (an edited poll) replace the old ones and their votes,
    as Mastodon resets votes when a poll's options are edited."""
    async with in_transaction():
        poll = await Poll.get_or_none(post_id=post.id)
        if poll is None:
            poll = await Poll.create(post=post, multiple=state.multiple)
        poll.multiple = state.multiple
        poll.ends_at = state.ends_at
        poll.closed_at = state.closed_at
        total = sum(votes for _, votes in state.options)
        poll.voters_count = state.voters_count if state.voters_count is not None else total
        await poll.save()
        current = await options_of(poll)
        titles = [sanitize_text(t, OPTION_MAX * 2) for t, _ in state.options]
        if [o.title for o in current] != titles:
            await PollOption.filter(poll_id=poll.id).delete()
            current = [await PollOption.create(poll=poll, position=i, title=t)
                       for i, t in enumerate(titles)]
        for option, (_, votes) in zip(current, state.options, strict=True):
            if option.votes_count != max(0, votes):
                option.votes_count = max(0, votes)
                await option.save(update_fields=["votes_count"])
    return poll


# --- what a page shows -------------------------------------------------------------------

@dataclass(frozen=True)
class OptionResult:
    id: int
    title: str
    votes: int
    percent: int
    mine: bool


@dataclass(frozen=True)
class PollResults:
    """A poll as a viewer sees it: counts only when totals are shown (hidden until the
    close when the author asked), the viewer's own choices, and whether they may vote."""

    poll: Poll
    options: tuple[OptionResult, ...]
    closed: bool
    show_totals: bool
    voters: int
    voted: bool
    can_vote: bool
    closes_in: str


def time_left(until: datetime | None) -> str:
    """"3 days", "5 hours", "12 minutes": how long until `until`, roughly."""
    if until is None:
        return ""
    seconds = max(0, int((until - clock.now()).total_seconds()))
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            n = seconds // size
            return f"{n} {unit}{'s' if n != 1 else ''}"
    return "less than a minute"


async def results_for(poll: Poll, viewer_id: int | None) -> PollResults:
    """The poll as the local member `viewer_id` (or an anonymous visitor) sees it."""
    closed = is_closed(poll)
    options = await options_of(poll)
    mine: set[int] = set()
    if viewer_id is not None:
        chosen = await PollVote.filter(poll_id=poll.id, voter_id=viewer_id).values_list(
            "option_id", flat=True)
        mine = {int(str(i)) for i in chosen}
    show = closed or not poll.hide_totals
    total = sum(o.votes_count for o in options)
    rows = tuple(OptionResult(
        o.id, o.title, o.votes_count if show else 0,
        round(100 * o.votes_count / total) if show and total else 0, o.id in mine)
        for o in options)
    return PollResults(poll, rows, closed, show, poll.voters_count, bool(mine),
                       viewer_id is not None and not closed and not mine,
                       "" if closed else time_left(poll.ends_at))


async def results_of_post(post: Post, viewer_id: int | None) -> PollResults | None:
    """The results of the post's poll for a page, or None when it has no poll."""
    poll = await poll_of(post)
    return None if poll is None else await results_for(poll, viewer_id)


def question_fields(poll: Poll, options: Sequence[PollOption]) -> dict[str, Any]:
    """The Question properties of one of our polls, as Mastodon writes them: `oneOf` or
    `anyOf` (each option a Note with `replies.totalItems`, 0 while totals are hidden),
    `endTime`, `closed` once closed, and `votersCount`."""
    closed = is_closed(poll)
    show = closed or not poll.hide_totals
    items = [{"type": "Note", "name": o.title,
              "replies": {"type": "Collection", "totalItems": o.votes_count if show else 0}}
             for o in options]
    fields: dict[str, Any] = {"anyOf" if poll.multiple else "oneOf": items,
                              "votersCount": poll.voters_count}
    if poll.ends_at is not None:
        fields["endTime"] = _iso(poll.ends_at)
    if closed:
        fields["closed"] = _iso(poll.closed_at or poll.ends_at or clock.now())
    return fields


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
