"""Rendering formal ballots for outbox.publish: the Question of our ballots with
Chapterhouse's `chapterhouse:ballot` extension and a plain poll fallback, the Update(Question)
on every phase change, a member's vote in another server's ballot, and the Reject of a
refused vote (docs/FEDERATION.md, "Formal ballots")."""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, cast

from actors.models import Actor
from actors.urls import LocalUrls
from content.ballot_models import Ballot, BallotEligible, BallotProposal, BallotReceipt
from content.ballot_results import rename_proposals
from content.ballots import REJECT_KIND, UPDATE_KIND, VOTE_KIND
from content.models import Post
from federation.vocab import default_context
from outbox.render import Addressing, to_ap_update

BALLOT_KINDS = frozenset({UPDATE_KIND, VOTE_KIND, REJECT_KIND})
#: The extension property on a Question and the vote property on a Note; the prefix
#: `chapterhouse` is https://chapterhouse.social/ns# in our @context.
EXTENSION = "chapterhouse:ballot"
CHOICE = "chapterhouse:choice"
Rendered = tuple[Actor, list[Actor], dict[str, Any]]
AudienceOf = Callable[[LocalUrls, Post, Actor], Awaitable[tuple[Addressing, list[Actor]]]]


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def proposal_uri(post: Post, proposal: BallotProposal) -> str:
    """A proposal's name in federation: its stored uri, else a fragment of the ballot's."""
    return proposal.uri or f"{post.uri}#proposal-{proposal.id}"


def shown_counts(ballot: Ballot, proposals: Sequence[BallotProposal]) -> list[int]:
    """What `replies.totalItems` says per proposal to software that only sees a poll:
    nothing (0) until the ballot is closed, so running totals never sway the vote and a
    secret ballot reveals nothing while open; then the final count — votes (single,
    approval), first preferences of the first instant-runoff round (ranked), agreements
    (consent). Totals, never who chose what."""
    result = ballot.result if isinstance(ballot.result, dict) else None
    if ballot.phase != "closed" or result is None:
        return [0 for _ in proposals]
    counts: Mapping[str, Any] = {}
    if isinstance(result.get("counts"), dict):
        counts = result["counts"]
    elif isinstance(result.get("irv"), dict) and result["irv"].get("rounds"):
        first = result["irv"]["rounds"][0]
        counts = first.get("counts", {}) if isinstance(first, dict) else {}
    elif isinstance(result.get("consent"), dict):
        counts = {k: v.get("agree", 0) for k, v in result["consent"].items()
                  if isinstance(v, dict)}
    out = []
    for p in proposals:
        n = counts.get(str(p.id), 0)
        out.append(n if isinstance(n, int) and n >= 0 else 0)
    return out


def ballot_fields(ballot: Ballot, post: Post, proposals: Sequence[BallotProposal],
                  ) -> dict[str, Any]:
    """The Question properties of one of our ballots.

    For software that knows only polls (Mastodon): `oneOf` (single choice) or `anyOf` with
    one Note per open proposal, `endTime`, `votersCount`, `closed` once closed, and a
    content paragraph pointing to the ballot's page. For Chapterhouse: the whole ballot
    under `chapterhouse:ballot` — rules, phase dates, proposals by uri and, once closed,
    the result with proposal uris."""
    uris = {str(p.id): proposal_uri(post, p) for p in proposals}
    counts = shown_counts(ballot, proposals)
    options = [{"type": "Note", "name": p.title,
                "replies": {"type": "Collection", "totalItems": n}}
               for p, n in zip(proposals, counts, strict=True)]
    page = html.escape(post.url or post.uri, quote=True)
    link = f'<a href="{page}">{page}</a>'
    content = (post.content_html or "") + f"<p>This is a formal ballot: vote on {link}</p>"
    closed = ballot.phase == "closed"
    extension: dict[str, Any] = {
        "method": ballot.method,
        "secret": ballot.secret,
        "phase": ballot.phase,
        "proposalsAt": iso(ballot.proposals_at),
        "amendmentsAt": iso(ballot.amendments_at),
        "votingAt": iso(ballot.voting_at),
        "endTime": iso(ballot.ends_at),
        "quorum": ballot.quorum,
        "threshold": ballot.threshold,
        "seats": ballot.seats,
        "eligibleCount": ballot.eligible_count,
        "votersCount": ballot.voters_count,
        "proposals": [{"id": uris[str(p.id)], "type": "Note", "name": p.title,
                       "content": p.text_html} for p in proposals],
    }
    if closed and isinstance(ballot.result, dict):
        extension["result"] = rename_proposals(ballot.result, uris)
    fields: dict[str, Any] = {
        "oneOf" if ballot.method == "single" else "anyOf": options,
        "votersCount": ballot.voters_count,
        "endTime": iso(ballot.ends_at),
        "content": content,
        EXTENSION: extension,
    }
    if closed:
        fields["closed"] = iso(ballot.closed_at or ballot.ends_at)
    return fields


async def open_proposals(ballot: Ballot) -> list[BallotProposal]:
    return list(await BallotProposal.filter(ballot_id=ballot.id, state="open")
                .order_by("position"))


async def add_ballot(target: dict[str, Any], post: Post) -> bool:
    """Put a ballot's Question properties into `target` (the post's document); False when
    the post has no ballot. The @context of the document must define `chapterhouse`."""
    ballot = await Ballot.get_or_none(post_id=post.id)
    if ballot is None:
        return False
    target.update(ballot_fields(ballot, post, await open_proposals(ballot)))
    return True


async def render_ballot(urls: LocalUrls, payload: dict[str, Any], post: Post | None,
                        audience_of: AudienceOf) -> Rendered | None:
    """(sender, recipients, activity) of a ballot payload; None when nothing is left."""
    kind, ident = payload["kind"], int(payload["ident"])
    if kind == VOTE_KIND:
        return await _render_vote(urls, payload)
    if kind == REJECT_KIND:
        return await _render_reject(urls, payload, ident)
    if post is None or post.is_deleted:
        return None
    ballot = await Ballot.get_or_none(post_id=post.id)
    author = cast(Actor, post.author)
    if ballot is None or not author.is_local:
        return None
    addressing, recipients = await audience_of(urls, post, author)
    recipients += await _remote_voters(ballot)
    body = to_ap_update(urls.activity("Update", ident), post, urls.actor(author), addressing)
    body["object"].update(ballot_fields(ballot, post, await open_proposals(ballot)))
    return author, recipients, body


async def _remote_voters(ballot: Ballot) -> list[Actor]:
    """Remote actors on the eligibility list or with a receipt: they hear of the result
    even if they have stopped following the chapter since."""
    ids = set(await BallotReceipt.filter(ballot_id=ballot.id).values_list("voter_id",
                                                                          flat=True))
    ids |= set(await BallotEligible.filter(ballot_id=ballot.id).values_list("actor_id",
                                                                             flat=True))
    if not ids:
        return []
    return list(await Actor.filter(id__in=ids, domain__isnull=False))


def vote_note(vote_uri: str, voter_uri: str, ballot_uri: str, author_uri: str,
              method: str, choice: list[str] | dict[str, str], titles: Mapping[str, str],
              ballot_title: str) -> dict[str, Any]:
    """A member's ballot paper for another server's ballot: one Create of one Note in
    reply to the ballot, to its author only. `choice` names proposals by uri: a list
    (single, approval, ranked best first) or a map uri → consent position.

    `name` is the chosen proposal's title when the paper names exactly one (a Mastodon
    vote, which any poll software counts); otherwise the ballot's title, which names no
    option, so software that does not know `chapterhouse:choice` ignores the paper rather
    than counting part of it."""
    chosen = choice if isinstance(choice, list) else []
    name = titles.get(chosen[0], ballot_title) if len(chosen) == 1 and method in (
        "single", "approval") else ballot_title
    note = {"id": vote_uri, "type": "Note", "name": name, "attributedTo": voter_uri,
            "inReplyTo": ballot_uri, "to": [author_uri], CHOICE: choice}
    return {"@context": default_context(), "id": f"{vote_uri}/activity", "type": "Create",
            "actor": voter_uri, "to": [author_uri], "object": note}


async def _render_vote(urls: LocalUrls, payload: dict[str, Any]) -> Rendered | None:
    ballot = await Ballot.get_or_none(id=payload["ballot_id"]).prefetch_related(
        "post__author")
    voter = await Actor.get_or_none(id=payload["voter_id"])
    if ballot is None or voter is None:
        return None
    post: Post = ballot.post
    author = cast(Actor, post.author)
    if author.is_local:
        return None
    proposals = await BallotProposal.filter(ballot_id=ballot.id)
    uris = {str(p.id): proposal_uri(post, p) for p in proposals}
    titles = {proposal_uri(post, p): p.title for p in proposals}
    raw = payload.get("choice")
    choice: list[str] | dict[str, str]
    if isinstance(raw, dict):
        choice = {uris[str(k)]: str(v) for k, v in raw.items() if str(k) in uris}
    else:
        choice = [uris[str(i)] for i in (raw or []) if str(i) in uris]
    body = vote_note(payload["vote_uri"], urls.actor(voter), post.uri, author.uri,
                     ballot.method, choice, titles, post.title)
    return voter, [author], body


def reject_vote(reject_uri: str, author_uri: str, activity_uri: str, voter_uri: str,
                ballot_uri: str, reason: str | None = None) -> dict[str, Any]:
    """The ballot's author refuses a vote: Reject embedding the vote's Create (its id, its
    actor, and the Note by what it answered), to the voter."""
    create: dict[str, Any] = {"id": activity_uri, "type": "Create", "actor": voter_uri,
                              "object": {"type": "Note", "attributedTo": voter_uri,
                                         "inReplyTo": ballot_uri}}
    body: dict[str, Any] = {"@context": default_context(), "id": reject_uri,
                            "type": "Reject", "actor": author_uri, "object": create,
                            "to": [voter_uri]}
    if reason:
        body["summary"] = html.escape(reason)
    return body


async def _render_reject(urls: LocalUrls, payload: dict[str, Any], ident: int,
                         ) -> Rendered | None:
    author = await Actor.get_or_none(id=payload["actor_id"])
    voter = await Actor.get_or_none(id=payload["recipient_id"])
    if author is None or voter is None or voter.is_local:
        return None
    body = reject_vote(urls.activity("Reject", ident), urls.actor(author),
                       payload["activity_uri"], voter.uri, payload["object_uri"],
                       payload.get("reason"))
    return author, [voter], body
