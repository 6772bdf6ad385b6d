"""Inbox handlers for polls: votes from other servers (Mastodon's vote Notes), and the
Create and Update of remote Questions, whose options and counts we keep. Papers on our
formal ballots and other servers' ballots (a Question with `chapterhouse:ballot`) are
passed on to inbox.ballots."""

from __future__ import annotations

from actors.models import Actor
from content.ballots import ballot_of
from content.polls import receive_vote, save_remote_poll
from content.posts import find_post_by_uri
from federation import Activity, APObject
from inbox.ballots import ballot_extension, on_ballot_vote, save_ballot_question
from inbox.context import InboxContext
from inbox.convert import from_ap_poll
from inbox.moderation import Outcome, ignored
from inbox.posts import IGNORED, PROCESSED, on_create_post, on_update_post


def is_vote(obj: object) -> bool:
    """Mastodon's vote: a Note with `name` (the option's title) and `inReplyTo` (the
    Question), without content."""
    return (isinstance(obj, APObject) and obj.type == "Note" and bool(obj.name)
            and bool(obj.in_reply_to) and not (obj.content or "").strip())


async def on_create_vote(ctx: InboxContext, activity: Activity, actor: Actor) -> Outcome:
    """A remote actor votes in one of our polls: recorded once per (voter, option), never
    stored or shown as a reply. A vote-shaped Note answering a post without a poll is an
    ordinary reply (some software writes titled replies without content)."""
    obj = activity.object
    assert isinstance(obj, APObject)
    post = await find_post_by_uri(obj.in_reply_to or "")
    if post is None or post.kind != "question":
        return await on_create_post(ctx, activity, actor)
    ballot = await ballot_of(post)
    if ballot is not None:
        return await on_ballot_vote(ctx, activity, actor, post, ballot)
    if obj.author != actor.uri or obj.id is None:
        return ignored("a vote must be the sender's own")
    reason = await receive_vote(actor, post, obj.name or "", obj.id)
    return PROCESSED if reason is None else ignored(reason)


async def on_create_question(ctx: InboxContext, activity: Activity, actor: Actor) -> Outcome:
    """A remote poll: stored as a post (as every Create), with its options and counts; a
    remote ballot with its rules, phases and proposals instead."""
    outcome = await on_create_post(ctx, activity, actor)
    if ballot_extension(activity.raw.get("object")) is not None:
        await save_ballot_question(activity, actor)
    else:
        await _refresh_poll(activity, actor)
    return outcome


async def on_update_question(ctx: InboxContext, activity: Activity, actor: Actor,
                             ) -> Outcome:
    """The author of a remote poll tells new counts or the close (Mastodon sends Update
    without `updated` for those) or edits the post (with `updated`): the poll's options,
    counts and closed state are refreshed; the text only on an edit, so fresh counts do
    not mark the post edited."""
    obj = activity.object
    if not isinstance(obj, APObject) or obj.author != actor.uri:
        return IGNORED
    if obj.updated is not None:
        await on_update_post(ctx, activity, actor)
    if ballot_extension(activity.raw.get("object")) is not None:
        return PROCESSED if await save_ballot_question(activity, actor) else IGNORED
    return PROCESSED if await _refresh_poll(activity, actor) else IGNORED


async def _refresh_poll(activity: Activity, actor: Actor) -> bool:
    obj = activity.object
    if not isinstance(obj, APObject) or obj.id is None or obj.author != actor.uri:
        return False
    post = await find_post_by_uri(obj.id)
    state = from_ap_poll(obj)
    if post is None or state is None or post.is_deleted:
        return False
    if post.author_id != actor.id or post.kind != "question":  # type: ignore[attr-defined]
        return False
    await save_remote_poll(post, state)
    return True
