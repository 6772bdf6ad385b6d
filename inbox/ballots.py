"""Inbox handlers for formal ballots: ballot papers from other servers on our ballots
(counted, or refused with a Reject), ballots of other Chapterhouse servers (a Question
carrying `chapterhouse:ballot`), and the Reject of one of our members' papers."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from actors.models import Actor
from content.ballot_models import METHODS, PHASES, Ballot, BallotProposal, BallotReceipt
from content.ballot_results import rename_proposals
from content.ballots import (
    AlreadyVoted,
    NotEligible,
    RemoteBallot,
    WrongPhase,
    cast_vote,
    refuse_vote,
    save_remote_ballot,
)
from content.errors import ContentError, ValidationFailed
from content.html import sanitize_html, sanitize_text
from content.models import Poll, Post
from content.notifications import notify
from content.posts import find_post_by_uri
from core.db import in_transaction
from federation import Activity, APObject, same_origin
from federation.vocab.base import as_list, bool_of, datetime_of, int_of, text_of
from inbox.context import InboxContext
from inbox.moderation import Outcome, ignored

PROCESSED, IGNORED = "processed", "ignored"
NS = "https://chapterhouse.social/ns#"
#: Caps on what a remote ballot may say (the UI shows all of it).
PROPOSALS_MAX = 100
TITLE_MAX = 200
RESULT_MAX = 65_536  # characters of JSON
CONSENT = ("agree", "abstain", "disagree", "block")


def _term(doc: Mapping[str, Any], name: str) -> Any:
    """One of our extension terms, written compact (`chapterhouse:x`) or as the full IRI."""
    value = doc.get(f"chapterhouse:{name}")
    return doc.get(NS + name) if value is None else value


def ballot_extension(raw: Any) -> Mapping[str, Any] | None:
    """The `chapterhouse:ballot` object of a Question document, or None."""
    if not isinstance(raw, Mapping):
        return None
    ext = _term(raw, "ballot")
    return ext if isinstance(ext, Mapping) else None


def _when(value: Any) -> datetime | None:
    return datetime_of(value)


def from_ap_ballot(raw: Mapping[str, Any]) -> RemoteBallot | None:
    """What a remote Chapterhouse Question says of its ballot; None when the extension is
    missing or unusable (unknown method or phase, dates missing or out of order). Proposal
    ids must be on the Question's own origin; titles are plain text, texts sanitized."""
    ext = ballot_extension(raw)
    question_id = raw.get("id")
    if ext is None or not isinstance(question_id, str):
        return None
    method, phase = ext.get("method"), ext.get("phase")
    proposals_at, voting_at = _when(ext.get("proposalsAt")), _when(ext.get("votingAt"))
    amendments_at = _when(ext.get("amendmentsAt"))
    ends_at = _when(ext.get("endTime"))
    if method not in METHODS or phase not in PHASES:
        return None
    if proposals_at is None or voting_at is None or ends_at is None:
        return None
    if not proposals_at <= voting_at < ends_at:
        return None
    proposals: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    for item in as_list(ext.get("proposals"))[:PROPOSALS_MAX]:
        if not isinstance(item, Mapping):
            continue
        uri, title = item.get("id"), text_of(item.get("name"), TITLE_MAX * 5)
        if not isinstance(uri, str) or uri in seen or not title:
            continue
        if not same_origin(uri, question_id):
            continue
        seen.add(uri)
        proposals.append((uri[:2048], sanitize_text(title, TITLE_MAX),
                          sanitize_html(text_of(item.get("content"), 100_000) or "")))
    result = ext.get("result")
    if not isinstance(result, dict) or len(json.dumps(result)) > RESULT_MAX:
        result = None
    return RemoteBallot(
        method=str(method), secret=bool_of(ext.get("secret")), phase=str(phase),
        proposals_at=proposals_at, amendments_at=amendments_at, voting_at=voting_at,
        ends_at=ends_at, quorum=str(text_of(ext.get("quorum"), 20) or ""),
        threshold=str(text_of(ext.get("threshold"), 20) or ""),
        seats=max(1, int_of(ext.get("seats")) or 1),
        eligible_count=max(0, int_of(ext.get("eligibleCount")) or 0),
        voters_count=max(0, int_of(ext.get("votersCount")) or 0),
        proposals=tuple(proposals), result=result)


async def save_ballot_question(activity: Activity, actor: Actor) -> bool:
    """A remote Chapterhouse Question with its ballot (Create or Update, by its author):
    the ballot's copy is made or refreshed. The plain-poll copy our post storage made of
    the `anyOf` fallback is dropped: one cannot vote in a ballot as in a straw poll."""
    obj, raw = activity.object, activity.raw.get("object")
    if not isinstance(obj, APObject) or obj.id is None or obj.author != actor.uri:
        return False
    if not isinstance(raw, Mapping):
        return False
    return await save_ballot_document(raw, actor)


async def save_ballot_document(raw: Mapping[str, Any], actor: Actor) -> bool:
    """The same for a Question document whose author `actor` is checked already (also one
    fetched by id from its origin): our stored post of it gets its ballot."""
    state = from_ap_ballot(raw)
    post = await find_post_by_uri(str(raw.get("id") or ""))
    if state is None or post is None or post.is_deleted:
        return False
    if post.author_id != actor.id or post.kind != "question":  # type: ignore[attr-defined]
        return False
    async with in_transaction():
        await Poll.filter(post_id=post.id).delete()
        ballot = await save_remote_ballot(post, state)
        if isinstance(ballot.result, dict):
            rows = await BallotProposal.filter(ballot_id=ballot.id)
            ids = {r.uri: str(r.id) for r in rows if r.uri}
            ballot.result = rename_proposals(ballot.result, ids)
            await ballot.save(update_fields=["result"])
    return True


# --- ballot papers on our ballots --------------------------------------------------------

def _proposal_by_uri(proposals: Sequence[BallotProposal], post: Post,
                     ) -> dict[str, BallotProposal]:
    return {p.uri or f"{post.uri}#proposal-{p.id}": p for p in proposals}


def paper_of(note: Mapping[str, Any], method: str, proposals: Sequence[BallotProposal],
             post: Post) -> list[int] | dict[int, str] | str:
    """The paper a vote Note carries, by proposal id, or why it cannot be read (a str).

    `chapterhouse:choice` when present: a list of proposal uris (single, approval, ranked
    best first), a map uri → position number (ranked) or uri → agree/abstain/disagree/block
    (consent). Otherwise a Mastodon vote: `name` is one proposal's title — a single choice,
    an approval of that one proposal, or a ranking of it alone."""
    by_uri = _proposal_by_uri(proposals, post)
    raw = _term(note, "choice")
    if raw is None:
        name = note.get("name")
        matches = [p for p in proposals if isinstance(name, str) and p.title == name.strip()]
        if not matches:
            return f"no proposal named {str(name)[:80]!r}"
        if method == "consent":
            return "a consent paper needs a position on every proposal (chapterhouse:choice)"
        return [matches[0].id]
    if isinstance(raw, list):
        if len(raw) > PROPOSALS_MAX or not all(isinstance(u, str) for u in raw):
            return "chapterhouse:choice is not a list of proposal ids"
        unknown = [u for u in raw if u not in by_uri]
        if unknown:
            return f"no proposal {unknown[0][:120]!r}"
        if method == "consent":
            return "a consent paper is a map of proposal to position"
        return [by_uri[u].id for u in raw]
    if isinstance(raw, Mapping) and len(raw) <= PROPOSALS_MAX:
        unknown = [u for u in raw if u not in by_uri]
        if unknown:
            return f"no proposal {str(unknown[0])[:120]!r}"
        if method == "consent":
            if not all(v in CONSENT for v in raw.values()):
                return "a consent position is agree, abstain, disagree or block"
            return {by_uri[u].id: str(v) for u, v in raw.items()}
        if method == "ranked":
            if not all(isinstance(v, int) and not isinstance(v, bool) for v in raw.values()):
                return "a ranking map gives each proposal a position number"
            return [by_uri[u].id for u, _ in sorted(raw.items(), key=lambda kv: kv[1])]
    return "chapterhouse:choice cannot be read"


async def on_ballot_vote(ctx: InboxContext, activity: Activity, actor: Actor, post: Post,
                         ballot: Ballot) -> Outcome:
    """A remote actor's paper on one of our ballots: counted (the receipt's uri is the
    activity's id), or refused with a Reject when the actor is not eligible, has voted, or
    voting is not open — nothing else is kept of a refused paper. An unreadable or invalid
    paper is dropped with the reason in the inbox log."""
    obj, raw = activity.object, activity.raw.get("object")
    if not isinstance(obj, APObject) or obj.author != actor.uri or obj.id is None:
        return ignored("a vote must be the sender's own")
    if not isinstance(raw, Mapping):
        return ignored("the vote is not embedded")
    author = await Actor.get(id=post.author_id)  # type: ignore[attr-defined]
    if not author.is_local:
        return ignored("a vote on a ballot of another server")
    proposals = list(await BallotProposal.filter(ballot_id=ballot.id, state="open")
                     .order_by("position"))
    paper = paper_of(raw, ballot.method, proposals, post)
    if isinstance(paper, str):
        return ignored(f"ballot paper: {paper}")
    uri = activity.id or obj.id
    try:
        await cast_vote(ctx.urls, ballot, actor, paper, uri=uri)
    except (NotEligible, WrongPhase, AlreadyVoted):
        await refuse_vote(ballot, actor, uri)
        return PROCESSED
    except ValidationFailed as exc:
        return ignored(f"ballot paper: {'; '.join(exc.errors.values()) or exc}"[:500])
    except ContentError as exc:
        return ignored(f"ballot paper: {exc}"[:500])
    return PROCESSED


# --- the answer to one of our members' papers --------------------------------------------

async def on_reject_vote(ctx: InboxContext, activity: Activity, actor: Actor) -> Outcome:
    """The author of a remote ballot refuses our member's paper: the member's receipt goes
    (the vote is not counted there, so it is not counted here) and they are told. Only the
    ballot's author may refuse; a Reject of anything else is ignored."""
    activity_uri = activity.object_id or ""
    if not activity_uri or not ctx.urls.is_ours(activity_uri):
        return IGNORED
    candidates = {activity_uri, activity_uri.removesuffix("/activity")}
    receipt = await BallotReceipt.filter(uri__in=list(candidates)).prefetch_related(
        "voter", "ballot__post").first()
    if receipt is None:
        return ignored("not one of our ballot papers")
    post: Post = receipt.ballot.post
    if post.author_id != actor.id:  # type: ignore[attr-defined]
        return ignored("only the ballot's author may refuse a paper")
    reason = text_of(activity.raw.get("summary"), 300) if activity.raw else None
    async with in_transaction():
        deleted = await BallotReceipt.filter(id=receipt.id).delete()
        if deleted:
            text = "Your vote was not counted"
            await notify(receipt.voter, "ballot_vote_refused", actor=actor, post=post,
                         text=f"{text}: {sanitize_text(reason, 300)}" if reason else text)
    return PROCESSED
