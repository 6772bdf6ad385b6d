"""The life of a formal ballot after it opens: its phase by the dates, the PHASE_JOB that
records each change (the eligibility snapshot when voting opens, the count when it closes),
and the mirror of another server's ballot, whose phases its own server records."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from actors.models import Account, Actor, Follow
from actors.urls import LocalUrls
from content.ballot_models import METHODS, Ballot, BallotEligible, BallotProposal, BallotVote
from content.ballot_results import PROPOSALS_MAX, SEATS_MAX, TITLE_MAX, count
from content.html import sanitize_html, sanitize_text
from content.models import Post
from content.notifications import notify
from content.publishing import publish
from core import clock
from core.db import in_transaction
from core.messages import N_

UPDATE_KIND = "ballot_update"
PHASE_JOB = "ballot.phase"
#: The job runs at each boundary; a failure is retried soon, many times (a ballot must close).
PHASE_JOB_OPTIONS: dict[str, Any] = {"max_attempts": 50, "base_delay": 15.0,
                                     "max_delay": 600.0}
OPENED, CLOSED = "ballot_opened", "ballot_closed"
_ORDER = ("proposals", "amendments", "voting", "closed")
#: The phases' names inside a sentence ("the voting phase").
PHASE_NAMES = {"proposals": N_("proposals"), "amendments": N_("amendments"),
               "voting": N_("voting"), "closed": N_("closed")}


def phase_at(ballot: Ballot, now: datetime | None = None) -> str:
    """"proposals" | "amendments" | "voting" | "closed", from the ballot's dates."""
    now = clock.now() if now is None else now
    if now >= ballot.ends_at:
        return "closed"
    if now >= ballot.voting_at:
        return "voting"
    if ballot.amendments_at is not None and now >= ballot.amendments_at:
        return "amendments"
    return "proposals"


# --- the phase job -----------------------------------------------------------------------

async def run_phase_job(urls: LocalUrls, payload: dict[str, Any]) -> None:
    """PHASE_JOB: bring the ballot named in the payload to its current phase."""
    ballot = await Ballot.get_or_none(id=int(payload["ballot_id"]))
    if ballot is not None:
        await advance(urls, ballot)


def _is_ours(post: Post) -> bool:
    return bool(post.author.is_local)


async def advance(urls: LocalUrls, ballot: Ballot) -> str:
    """Record ballot.phase = phase_at(now) (idempotent, safe to run twice or at once in two
    workers: each step is claimed by a conditional UPDATE of the recorded phase).
    Entering voting snapshots the eligible members and tells ours; entering closed counts
    and stores the result and tells ours. Every recorded change publishes UPDATE_KIND."""
    post = await Post.get(id=ballot.post_id).prefetch_related("author")  # type: ignore[attr-defined]
    target = phase_at(ballot)
    if not _is_ours(post):
        return target  # a remote ballot's phase is what its server says (save_remote_ballot)
    while _ORDER.index(ballot.phase) < _ORDER.index(target):
        current = ballot.phase
        step = "voting" if _ORDER.index(current) < 2 <= _ORDER.index(target) else target
        async with in_transaction():
            claimed = await Ballot.filter(id=ballot.id, phase=current).update(phase=step)
            if claimed:
                if step == "voting":
                    await _snapshot(ballot, post)
                elif step == "closed":
                    await _close(ballot, post)
                await publish(UPDATE_KIND, post_id=post.id)
        await ballot.refresh_from_db()
        if not claimed and ballot.phase == current:
            break  # cannot happen unless the row vanished; never loop for ever
    return str(ballot.phase)


async def electorate(ballot: Ballot) -> list[int]:
    """Ids of who may vote now: the chapter's members (accepted Follows, here and elsewhere,
    people only) or, for the organization, every approved local member."""
    if ballot.chapter_id is None:  # type: ignore[attr-defined]
        ids = await Account.filter(approved=True, actor__kind="Person").values_list(
            "actor_id", flat=True)
    else:
        ids = await Follow.filter(followed_id=ballot.chapter_id,  # type: ignore[attr-defined]
                                  state="accepted", follower__kind="Person"
                                  ).values_list("follower_id", flat=True)
    return sorted({int(str(i)) for i in ids})


async def _snapshot(ballot: Ballot, post: Post) -> None:
    ids = await electorate(ballot)
    await BallotEligible.filter(ballot_id=ballot.id).delete()
    await BallotEligible.bulk_create([BallotEligible(ballot_id=ballot.id, actor_id=i)
                                      for i in ids])
    ballot.eligible_count = len(ids)
    await Ballot.filter(id=ballot.id).update(eligible_count=len(ids))
    await _tell(ballot, post, ids, OPENED, f"Voting has opened: {post.title}")


async def _tell(ballot: Ballot, post: Post, ids: Sequence[int], kind: str, text: str) -> None:
    sender = await Actor.get_or_none(id=ballot.chapter_id) if ballot.chapter_id else None  # type: ignore[attr-defined]
    for actor in await Actor.filter(id__in=list(ids), domain__isnull=True, kind="Person"):
        await notify(actor, kind, actor=sender or post.author, post=post, text=text)


async def _close(ballot: Ballot, post: Post) -> None:
    now = clock.now()
    proposals = list(await BallotProposal.filter(ballot_id=ballot.id, state="open")
                     .order_by("position"))
    papers = [v.choice for v in await BallotVote.filter(ballot_id=ballot.id)]
    result = count(ballot, [str(p.id) for p in proposals], papers)
    await Ballot.filter(id=ballot.id).update(result=result, closed_at=now)
    ballot.result, ballot.closed_at = result, now
    ids = await BallotEligible.filter(ballot_id=ballot.id).values_list("actor_id", flat=True)
    await _tell(ballot, post, [int(str(i)) for i in ids], CLOSED,
                f"The ballot has closed: {post.title}")


# --- other servers' ballots -------------------------------------------------------------------

@dataclass(frozen=True)
class RemoteBallot:
    """What a remote Chapterhouse Question with our extension says about its ballot."""

    method: str
    secret: bool
    phase: str
    proposals_at: datetime
    amendments_at: datetime | None
    voting_at: datetime
    ends_at: datetime
    quorum: str
    threshold: str
    seats: int
    eligible_count: int
    voters_count: int
    proposals: tuple[tuple[str, str, str], ...]  # (uri, title, text_html)
    result: dict[str, Any] | None


async def save_remote_ballot(post: Post, state: RemoteBallot) -> Ballot:
    """Create or refresh our mirror of a remote ballot; its proposals are matched by uri
    (those no longer listed are kept as withdrawn)."""
    author = await Actor.get(id=post.author_id)  # type: ignore[attr-defined]
    chapter_id = post.chapter_id or (author.id if author.kind == "Group" else None)  # type: ignore[attr-defined]
    phase = state.phase if state.phase in ("proposals", "amendments", "voting",
                                            "closed") else "proposals"
    values: dict[str, Any] = {
        "method": state.method if state.method in METHODS else "approval",
        "secret": state.secret, "quorum": state.quorum[:20], "threshold": state.threshold[:20],
        "seats": max(1, min(state.seats, SEATS_MAX)), "proposals_at": state.proposals_at,
        "amendments_at": state.amendments_at, "voting_at": state.voting_at,
        "ends_at": state.ends_at, "phase": phase, "eligible_count": max(0, state.eligible_count),
        "voters_count": max(0, state.voters_count),
        "result": state.result if isinstance(state.result, dict) else None}
    async with in_transaction():
        ballot = await Ballot.get_or_none(post_id=post.id)
        if ballot is None:
            ballot = await Ballot.create(post=post, chapter_id=chapter_id, **values)
        else:
            if ballot.phase == "closed" and ballot.closed_at is not None:
                values["closed_at"] = ballot.closed_at
            await Ballot.filter(id=ballot.id).update(**values)
            await ballot.refresh_from_db()
        if phase == "closed" and ballot.closed_at is None:
            ballot.closed_at = clock.now()
            await ballot.save(update_fields=["closed_at"])
        await _mirror_proposals(ballot, state.proposals[:PROPOSALS_MAX * 2])
    return ballot


async def _mirror_proposals(ballot: Ballot, listed: Sequence[tuple[str, str, str]]) -> None:
    rows = {r.uri: r for r in await BallotProposal.filter(ballot_id=ballot.id)}
    for n, row in enumerate(rows.values()):  # free the positions first (they are unique)
        await BallotProposal.filter(id=row.id).update(position=-(n + 1))
    seen: set[str] = set()
    for position, (uri, title, html) in enumerate(listed):
        if uri in seen:
            continue
        seen.add(uri)
        fields = {"title": sanitize_text(title, TITLE_MAX) or "—", "position": position,
                  "text_html": sanitize_html(html), "state": "open"}
        row = rows.get(uri)
        if row is None:
            await BallotProposal.create(ballot=ballot, uri=uri[:2048], **fields)
        else:
            await BallotProposal.filter(id=row.id).update(**fields)
    for uri, row in rows.items():
        if uri not in seen:
            await BallotProposal.filter(id=row.id).update(state="withdrawn")
