"""Rendering polls for outbox.publish: the Question properties of our poll posts, the
batched and final Update(Question) with the counts, and a member's votes in remote polls.
Formal ballots, also Questions, are rendered by outbox.ballots through the same entry
points."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, cast

from actors.models import Actor
from actors.urls import LocalUrls
from content.models import Poll, PollVote, Post
from content.polls import (
    CLOSE_KIND,
    RESULTS_KIND,
    VOTE_KIND,
    close_poll,
    options_of,
    question_fields,
    take_results_turn,
)
from federation.vocab import default_context
from outbox.ballots import BALLOT_KINDS, add_ballot, render_ballot
from outbox.render import Addressing, to_ap_update

POLL_KINDS = frozenset({RESULTS_KIND, CLOSE_KIND, VOTE_KIND}) | BALLOT_KINDS
Rendered = tuple[Actor, list[Actor], dict[str, Any]]
AudienceOf = Callable[[LocalUrls, Post, Actor], Awaitable[tuple[Addressing, list[Actor]]]]


async def add_question(doc: dict[str, Any], post: Post) -> dict[str, Any]:
    """Give the Question of one of our poll posts its poll — or of a ballot, its ballot
    (outbox.ballots): `doc` is the post's document or an activity embedding it (Create,
    Update, a chapter's Announce of the Create)."""
    if post.kind != "question":
        return doc
    target = doc.get("object") if isinstance(doc.get("object"), dict) else doc
    assert isinstance(target, dict)
    if target.get("id") != post.uri:
        return doc
    poll = await Poll.get_or_none(post_id=post.id)
    if poll is not None:
        target.update(question_fields(poll, await options_of(poll)))
    else:
        await add_ballot(target, post)
    return doc


async def _voters(poll: Poll) -> list[Actor]:
    ids = set(await PollVote.filter(poll_id=poll.id).values_list("voter_id", flat=True))
    return list(await Actor.filter(id__in=ids)) if ids else []


async def render_poll(urls: LocalUrls, payload: dict[str, Any], post: Post | None,
                      audience_of: AudienceOf) -> Rendered | None:
    """(sender, recipients, activity) of a poll payload; None when nothing is left to say."""
    kind, ident = payload["kind"], int(payload["ident"])
    if kind in BALLOT_KINDS:
        return await render_ballot(urls, payload, post, audience_of)
    if kind == VOTE_KIND:
        return await _render_vote(urls, int(payload["vote_id"]))
    if post is None or post.is_deleted:
        return None
    poll = await Poll.get_or_none(post_id=post.id)
    author = cast(Actor, post.author)
    if poll is None or not author.is_local:
        return None
    if kind == RESULTS_KIND:
        await take_results_turn(poll)
    else:
        await close_poll(poll)
    addressing, recipients = await audience_of(urls, post, author)
    recipients += await _voters(poll)
    body = to_ap_update(urls.activity("Update", ident), post, urls.actor(author), addressing)
    body["object"].update(question_fields(poll, await options_of(poll)))
    return author, recipients, body


async def _render_vote(urls: LocalUrls, vote_id: int) -> Rendered | None:
    """A member's vote in another server's poll, as Mastodon sends votes: a Create of a
    Note named after the option, in reply to the Question, addressed to its author only."""
    vote = await PollVote.get_or_none(id=vote_id).prefetch_related(
        "voter", "option", "poll__post__author")
    if vote is None:
        return None
    post: Post = vote.poll.post
    author, voter = cast(Actor, post.author), cast(Actor, vote.voter)
    voter_uri, author_uri = urls.actor(voter), author.uri
    note = {"id": vote.uri, "type": "Note", "name": vote.option.title,
            "attributedTo": voter_uri, "inReplyTo": post.uri, "to": [author_uri]}
    body: dict[str, Any] = {"@context": default_context(), "id": f"{vote.uri}/activity", "type": "Create",
            "actor": voter_uri, "to": [author_uri], "object": note}
    return voter, [author], body
