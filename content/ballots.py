"""Formal ballots, the service: opening one (a Question post of the chapter or the
organization), proposals and amendments before the vote, casting votes (one per eligible
member, secret or open), refusing votes, results, and the mirrors of other servers' ballots.

Phases, the eligibility snapshot and the count live in content.ballot_phases; the names of
the contract (docs/ARCHITECTURE.md, "Formal ballots") are all importable from here.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F

from actors.models import Account, Actor, Chapter, Follow
from actors.roles import can_coordinate, is_admin
from actors.urls import LocalUrls
from content.ballot_models import (
    METHODS,
    Amendment,
    Ballot,
    BallotEligible,
    BallotProposal,
    BallotReceipt,
    BallotVote,
)
from content.ballot_phases import (
    PHASE_JOB,
    PHASE_JOB_OPTIONS,
    PHASE_NAMES,
    UPDATE_KIND,
    RemoteBallot,
    advance,
    phase_at,
    run_phase_job,
    save_remote_ballot,
)
from content.ballot_results import (
    PROPOSALS_MAX,
    SEATS_MAX,
    TITLE_MAX,
    check_paper,
    parse_quorum,
    parse_threshold,
)
from content.errors import ContentError, NotAllowed, ValidationFailed
from content.html import markdown_to_html, sanitize_text
from content.models import Post
from content.publishing import publish
from core import clock
from core.db import in_transaction
from core.ids import new_id
from core.jobs import enqueue
from core.messages import N_, message_of

__all__ = [
    "METHODS", "PHASE_JOB", "PHASE_JOB_OPTIONS", "REJECT_KIND", "UPDATE_KIND", "VOTE_KIND",
    "AlreadyVoted", "BallotError", "NotEligible", "RemoteBallot", "WrongPhase",
    "add_proposal", "advance", "ballot_of", "cast_vote", "check_paper", "decide_amendment",
    "has_voted", "is_eligible", "may_take_part", "open_ballot", "phase_at",
    "proposals_of", "propose_amendment", "refuse_vote", "results", "run_phase_job",
    "save_remote_ballot", "withdraw_proposal",
]

VOTE_KIND = "ballot_vote"
REJECT_KIND = "ballot_reject"
DESCRIPTION_MAX = 50_000
PROPOSAL_TEXT_MAX = 20_000
REASON_MAX = 2_000
LONGEST = timedelta(days=366)
CONSENT_ANSWERS = ("agree", "abstain", "disagree", "block")


class BallotError(ContentError):
    """Something a member tried that the ballot does not allow; str(exc) says why."""


class WrongPhase(BallotError):
    """Not possible in the ballot's current phase."""


class NotEligible(NotAllowed):
    """The actor is not on the ballot's eligibility list."""


class AlreadyVoted(BallotError):
    """The voter has voted in this ballot already."""


# --- opening -----------------------------------------------------------------------------

def _check_rules(method: str, quorum: str, threshold: str, seats: int,
                 errors: dict[str, str]) -> None:
    if method not in METHODS:
        errors["method"] = N_("Choose single choice, approval, ranked choice or consent.")
    try:
        parse_quorum(quorum)
    except ValueError as exc:
        errors["quorum"] = message_of(exc)
    try:
        parsed = parse_threshold(threshold)
    except ValueError as exc:
        errors["threshold"] = message_of(exc)
    else:
        if parsed is not None and method == "ranked":
            errors["threshold"] = N_("Ranked choice takes no threshold: its winner needs a "
                                     "majority of continuing ballots or to beat every rival.")
    if not 1 <= seats <= SEATS_MAX:
        errors["seats"] = N_("Elect between 1 and %(max)s.", max=SEATS_MAX)
    elif seats > 1 and method != "approval":
        errors["seats"] = N_("Only an approval ballot elects several.")


def _check_dates(proposals_at: datetime, amendments_at: datetime | None, voting_at: datetime,
                 ends_at: datetime, errors: dict[str, str]) -> None:
    if amendments_at is not None and not proposals_at <= amendments_at <= voting_at:
        errors["amendments_at"] = N_("Amendments come after proposals open and before voting.")
    if voting_at < proposals_at:
        errors["voting_at"] = N_("Voting opens after proposals.")
    if ends_at <= voting_at:
        errors["ends_at"] = N_("The ballot ends after voting opens.")
    elif ends_at <= clock.now():
        errors["ends_at"] = N_("The ballot must end in the future.")
    elif ends_at - proposals_at > LONGEST:
        errors["ends_at"] = N_("A ballot runs for a year at most.")


def _check_proposal(title: str, text: str) -> str | None:
    if not title.strip():
        return N_("Give each proposal a title.")
    if len(title) > TITLE_MAX:
        return N_("Keep proposal titles to %(max)s characters.", max=TITLE_MAX)
    if len(text) > PROPOSAL_TEXT_MAX:
        return N_("Keep proposal texts to %(max)s characters.", max=PROPOSAL_TEXT_MAX)
    return None


async def open_ballot(urls: LocalUrls, opener: Actor, *, chapter: Actor | None, title: str,
                      description: str, method: str, secret: bool = False, quorum: str = "",
                      threshold: str = "", seats: int = 1, proposals_at: datetime,
                      amendments_at: datetime | None, voting_at: datetime, ends_at: datetime,
                      proposals: Sequence[tuple[str, str]] = ()) -> Ballot:
    """A coordinator of one of our chapters (or an admin) opens a chapter ballot; an admin
    opens an organization ballot (chapter None). Creates the Question post and the ballot
    with its first proposals, publishes the Create, and schedules PHASE_JOB at each phase
    boundary."""
    if chapter is not None:
        if chapter.kind != "Group" or not chapter.is_local:
            raise ValidationFailed({"chapter": N_("Open ballots in chapters of this server.")})
        if not await can_coordinate(opener, chapter):
            raise NotAllowed(N_("only the chapter's coordinators may open a ballot in it"))
    elif not await is_admin(opener):
        raise NotAllowed(N_("only admins may open a ballot of the whole organization"))
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = N_("Give the ballot a title.")
    elif len(title) > TITLE_MAX:
        errors["title"] = N_("Use at most %(max)s characters.", max=TITLE_MAX)
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = N_("Use at most %(max)s characters.", max=DESCRIPTION_MAX)
    _check_rules(method, quorum, threshold, seats, errors)
    _check_dates(proposals_at, amendments_at, voting_at, ends_at, errors)
    if len(proposals) > PROPOSALS_MAX:
        errors["proposals"] = N_("Give at most %(max)s proposals.", max=PROPOSALS_MAX)
    else:
        problem = next((p for p in (_check_proposal(t, x) for t, x in proposals) if p), None)
        if problem:
            errors["proposals"] = problem
        elif len({t.strip().casefold() for t, _ in proposals}) != len(proposals):
            errors["proposals"] = N_("Give each proposal a different title.")
    if errors:
        raise ValidationFailed(errors)
    visibility = "public"
    if chapter is not None:
        row = await Chapter.get_or_none(actor_id=chapter.id)
        visibility = "public" if row is None or row.join_policy == "open" else "followers"
    ident, now = new_id(), clock.now()
    async with in_transaction():
        post = await Post.create(
            id=ident, uri=urls.post(ident), url=urls.post(ident), kind="question",
            author=chapter or opener, chapter=chapter, title=sanitize_text(title, TITLE_MAX),
            source=description, source_type="text/markdown",
            content_html=markdown_to_html(description), visibility=visibility,
            published=now, last_activity_at=now)
        ballot = await Ballot.create(
            post=post, chapter=chapter, opened_by=opener, method=method, secret=secret,
            quorum=quorum.strip(), threshold=threshold.strip(), seats=seats,
            proposals_at=proposals_at, amendments_at=amendments_at, voting_at=voting_at,
            ends_at=ends_at, phase="proposals")
        for position, (p_title, text) in enumerate(proposals):
            await _new_proposal(ballot, post, opener, position, p_title, text)
        await publish("create", post_id=post.id)
        for moment in (amendments_at, voting_at, ends_at):
            if moment is not None:
                delay = max(0.0, (moment - now).total_seconds())
                await enqueue(PHASE_JOB, {"ballot_id": ballot.id}, delay=delay)
    return ballot


async def _new_proposal(ballot: Ballot, post: Post, author: Actor, position: int, title: str,
                        text: str) -> BallotProposal:
    ident = new_id()
    return await BallotProposal.create(
        id=ident, ballot=ballot, author=author, position=position,
        title=sanitize_text(title, TITLE_MAX), text=text, original=text,
        text_html=markdown_to_html(text), uri=f"{post.uri}#proposal-{ident}")


# --- reading -----------------------------------------------------------------------------

async def ballot_of(post: Post) -> Ballot | None:
    return await Ballot.get_or_none(post_id=post.id)


async def proposals_of(ballot: Ballot) -> list[BallotProposal]:
    """The open proposals (the options), by position."""
    return list(await BallotProposal.filter(ballot_id=ballot.id, state="open")
                .order_by("position"))


async def may_take_part(ballot: Ballot, actor: Actor) -> bool:
    """Before voting: a current member of the chapter (an accepted Follow, people only) or,
    for the organization, an approved member of this server."""
    if actor.kind != "Person":
        return False
    if ballot.chapter_id is None:  # type: ignore[attr-defined]
        return actor.is_local and await Account.filter(actor_id=actor.id,
                                                       approved=True).exists()
    return await Follow.filter(follower_id=actor.id, followed_id=ballot.chapter_id,  # type: ignore[attr-defined]
                               state="accepted").exists()


async def is_eligible(ballot: Ballot, actor: Actor) -> bool:
    """On the list taken when voting opened."""
    return await BallotEligible.filter(ballot_id=ballot.id, actor_id=actor.id).exists()


async def has_voted(ballot: Ballot, actor: Actor) -> bool:
    return await BallotReceipt.filter(ballot_id=ballot.id, voter_id=actor.id).exists()


async def results(ballot: Ballot) -> dict[str, Any] | None:
    """The stored result once closed (see content.ballot_phases.count); None before."""
    if ballot.result is None or ballot.phase != "closed":
        return None
    return dict(ballot.result)


# --- proposals and amendments ------------------------------------------------------------

async def _post_of(ballot: Ballot) -> Post:
    return await Post.get(id=ballot.post_id).prefetch_related("author")  # type: ignore[attr-defined]


def _require(ballot: Ballot, *phases: str) -> None:
    phase = phase_at(ballot)
    if phase not in phases:
        if len(phases) == 1:
            raise WrongPhase(N_("This is possible in the %(phases)s phase only; the ballot is "
                                "in the %(phase)s phase.", phases=PHASE_NAMES[phases[0]],
                                phase=PHASE_NAMES[phase]))
        raise WrongPhase(N_("This is possible in the %(first)s or %(second)s phase only; the "
                            "ballot is in the %(phase)s phase.", first=PHASE_NAMES[phases[0]],
                            second=PHASE_NAMES[phases[-1]], phase=PHASE_NAMES[phase]))


async def add_proposal(urls: LocalUrls, ballot: Ballot, author: Actor, title: str,
                       text: str) -> BallotProposal:
    """A member adds a proposal, in the proposals phase only."""
    _require(ballot, "proposals")
    if clock.now() < ballot.proposals_at:
        raise WrongPhase(N_("Proposals are not open yet."))
    if not await may_take_part(ballot, author):
        raise NotAllowed(N_("only members may make proposals in this ballot"))
    problem = _check_proposal(title, text)
    if problem:
        raise ValidationFailed({"title" if "title" in problem else "text": problem})
    post = await _post_of(ballot)
    async with in_transaction():
        await Ballot.filter(id=ballot.id).update(voters_count=F("voters_count"))  # lock
        rows = await BallotProposal.filter(ballot_id=ballot.id).order_by("-position")
        if sum(1 for r in rows if r.state == "open") >= PROPOSALS_MAX:
            raise ValidationFailed({"title": N_("This ballot has %(max)s proposals.", max=PROPOSALS_MAX)})
        if any(r.state == "open" and r.title.casefold() == title.strip().casefold()
               for r in rows):
            raise ValidationFailed({"title": N_("A proposal with this title exists.")})
        position = rows[0].position + 1 if rows else 0
        proposal = await _new_proposal(ballot, post, author, position, title, text)
        await publish(UPDATE_KIND, post_id=post.id)
    return proposal


async def withdraw_proposal(author: Actor, proposal: BallotProposal) -> None:
    """Its author withdraws a proposal before voting: it is no longer an option."""
    ballot = await Ballot.get(id=proposal.ballot_id)  # type: ignore[attr-defined]
    if proposal.author_id != author.id:  # type: ignore[attr-defined]
        raise NotAllowed(N_("only its author may withdraw a proposal"))
    _require(ballot, "proposals", "amendments")
    if proposal.state != "open":
        return
    async with in_transaction():
        proposal.state, proposal.updated_at = "withdrawn", clock.now()
        await proposal.save(update_fields=["state", "updated_at"])
        await Amendment.filter(proposal_id=proposal.id, state="pending").update(
            state="rejected", decided_at=clock.now())
        await publish(UPDATE_KIND, post_id=ballot.post_id)  # type: ignore[attr-defined]


async def propose_amendment(author: Actor, proposal: BallotProposal, text: str,
                            reason: str = "") -> Amendment:
    """A member proposes a new text for a proposal, in the amendments phase."""
    ballot = await Ballot.get(id=proposal.ballot_id)  # type: ignore[attr-defined]
    _require(ballot, "amendments")
    if proposal.state != "open":
        raise WrongPhase(N_("This proposal was withdrawn."))
    if not await may_take_part(ballot, author):
        raise NotAllowed(N_("only members may propose amendments in this ballot"))
    errors: dict[str, str] = {}
    if not text.strip():
        errors["text"] = N_("Write the amended text.")
    elif len(text) > PROPOSAL_TEXT_MAX:
        errors["text"] = N_("Use at most %(max)s characters.", max=PROPOSAL_TEXT_MAX)
    elif text.strip() == proposal.text.strip():
        errors["text"] = N_("The amendment does not change the text.")
    if len(reason) > REASON_MAX:
        errors["reason"] = N_("Use at most %(max)s characters.", max=REASON_MAX)
    if errors:
        raise ValidationFailed(errors)
    return await Amendment.create(proposal=proposal, author=author, text=text,
                                  text_html=markdown_to_html(text), reason=reason.strip())


async def decide_amendment(actor: Actor, amendment: Amendment, accept: bool) -> Amendment:
    """The proposal's author accepts (the text folds in) or rejects an amendment."""
    proposal = await BallotProposal.get(id=amendment.proposal_id)  # type: ignore[attr-defined]
    ballot = await Ballot.get(id=proposal.ballot_id)  # type: ignore[attr-defined]
    if proposal.author_id != actor.id:  # type: ignore[attr-defined]
        raise NotAllowed(N_("only the proposal's author decides on its amendments"))
    _require(ballot, "amendments")
    if amendment.state != "pending":
        raise BallotError(N_("This amendment was decided already."))
    if proposal.state != "open":
        raise WrongPhase(N_("This proposal was withdrawn."))
    now = clock.now()
    async with in_transaction():
        changed = await Amendment.filter(id=amendment.id, state="pending").update(
            state="accepted" if accept else "rejected", decided_at=now)
        if not changed:
            raise BallotError(N_("This amendment was decided already."))
        amendment.state = "accepted" if accept else "rejected"
        amendment.decided_at = now
        if accept:
            proposal.text, proposal.updated_at = amendment.text, now
            proposal.text_html = markdown_to_html(amendment.text)
            await proposal.save(update_fields=["text", "text_html", "updated_at"])
            await publish(UPDATE_KIND, post_id=ballot.post_id)  # type: ignore[attr-defined]
    return amendment


# --- votes -------------------------------------------------------------------------------

async def cast_vote(urls: LocalUrls, ballot: Ballot, voter: Actor,
                    choice: list[int] | dict[int, str], *,
                    uri: str | None = None) -> BallotReceipt:
    """A vote: in our ballot, counted here (one per eligible voter, the paper apart from the
    voter when secret); in another server's ballot, a receipt here and VOTE_KIND sent."""
    post = await _post_of(ballot)
    if phase_at(ballot) != "voting":
        raise WrongPhase(N_("Voting is not open."))
    ours = post.author.is_local
    if ours and ballot.phase != "voting":
        await advance(urls, ballot)  # the phase job is late: take the snapshot now
    if ours and not await is_eligible(ballot, voter):
        raise NotEligible(N_("you are not eligible to vote in this ballot"))
    if not ours and not voter.is_local:
        raise NotAllowed(N_("only our members vote from here in another server's ballot"))
    paper = check_paper(ballot.method, await proposals_of(ballot), choice)
    ident = new_id()
    receipt_uri = uri or urls.activity("Vote", ident)
    try:
        async with in_transaction():
            await Ballot.filter(id=ballot.id).update(voters_count=F("voters_count"))  # lock
            if await has_voted(ballot, voter):
                raise AlreadyVoted(N_("You have voted in this ballot already."))
            receipt = await BallotReceipt.create(id=ident, ballot=ballot, voter=voter,
                                                 uri=receipt_uri[:2048])
            if ours:
                await _store_paper(ballot, voter, paper)
                await Ballot.filter(id=ballot.id).update(voters_count=F("voters_count") + 1)
            else:
                await publish(VOTE_KIND, ident=ident, ballot_id=ballot.id, voter_id=voter.id,
                              choice=paper, vote_uri=receipt.uri)
    except IntegrityError as exc:  # the same voter (or activity) twice at once
        raise AlreadyVoted(N_("You have voted in this ballot already.")) from exc
    await ballot.refresh_from_db(fields=["voters_count", "phase", "eligible_count"])
    return receipt


async def _store_paper(ballot: Ballot, voter: Actor, paper: Any) -> None:
    """Store a paper. In a secret ballot the row has no voter, a random id and no time, and
    it swaps its content with a randomly chosen earlier paper (the inside-out Fisher-Yates
    shuffle), so not even the order rows were written in follows the receipts."""
    if not ballot.secret:
        await BallotVote.create(ballot=ballot, voter=voter, choice=paper)
        return
    row = await BallotVote.create(ballot=ballot, voter=None, choice=paper)
    others = list(await BallotVote.filter(ballot_id=ballot.id).exclude(id=row.id)
                  .values_list("id", flat=True))
    pick = secrets.randbelow(len(others) + 1)
    if pick < len(others):
        other = await BallotVote.get(id=others[pick])
        await BallotVote.filter(id=row.id).update(choice=other.choice)
        await BallotVote.filter(id=other.id).update(choice=paper)


async def refuse_vote(ballot: Ballot, voter: Actor, activity_uri: str) -> None:
    """Another server's actor voted and may not: the ballot's author answers Reject."""
    post = await _post_of(ballot)
    async with in_transaction():
        await publish(REJECT_KIND, actor_id=post.author.id, recipient_id=voter.id,
                      activity_uri=activity_uri, object_uri=post.uri)
