"""Handing content activities to the outbox: the `outbox.publish` job, enqueued by name in
the caller's transaction, and a chapter's FEP-1b12 decision on a post addressed to it."""

from __future__ import annotations

from typing import Any

from actors.models import Actor, Chapter, Follow
from actors.urls import LocalUrls
from content.models import Boost, Post
from core.ids import new_id
from core.jobs import enqueue

PUBLISH_JOB = "outbox.publish"  # handled by the outbox; named here so we never import it

ANNOUNCE, KEEP, REJECT = "announce", "keep", "reject"


async def publish(kind: str, *, ident: int | None = None, **fields: Any) -> int:
    """Enqueue `outbox.publish` with `kind`, an `ident` (the number in the activity's id,
    fresh unless given) and `fields` (row ids and uris; the contract is in
    docs/FEDERATION.md). Must run inside the transaction that wrote the rows."""
    ident = new_id() if ident is None else ident
    await enqueue(PUBLISH_JOB, {"kind": kind, "ident": ident, **fields})
    return ident


async def chapter_decision(chapter: Actor, author: Actor) -> str:
    """What a local chapter does with a post addressed to it (FEP-1b12).

    ANNOUNCE: the author follows the chapter (an accepted Follow: a member) — the chapter
    shares the post with its followers. KEEP: an `open` chapter and an author who does not
    follow it — the post is kept, not shared. REJECT: a members-only chapter (join policy
    `approval` or `closed`) and a non-member — the chapter answers Reject.
    """
    if await Follow.filter(follower_id=author.id, followed_id=chapter.id,
                           state="accepted").exists():
        return ANNOUNCE
    row = await Chapter.get_or_none(actor_id=chapter.id)
    policy = row.join_policy if row else "open"
    return KEEP if policy == "open" else REJECT


async def share_in_chapter(urls: LocalUrls, chapter: Actor, post: Post, *,
                           original: dict[str, Any] | None = None) -> Boost | None:
    """A local chapter Announces a post to its followers (FEP-1b12), once: the Boost row
    (chapter, post) is unique, so a re-processed Create never announces twice. Call inside
    a transaction.

    Two Announces go out, as Lemmy's communities do: one of the post's id (Mastodon and most
    servers show it as a boost) and one embedding the Create itself, intact — `original`,
    the Create as its author's server sent it, or for a post written here our own Create —
    for group-aware software (see docs/FEDERATION.md)."""
    if await Boost.filter(actor_id=chapter.id, post_id=post.id).exists():
        return None
    ident = new_id()
    uri = urls.activity("Announce", ident)
    boost = await Boost.create(actor=chapter, post=post, uri=uri)
    await publish("announce", ident=ident, actor_id=chapter.id, post_id=post.id,
                  announce_uri=uri)
    relay = new_id()
    await publish("announce_activity", ident=relay, actor_id=chapter.id, post_id=post.id,
                  announce_uri=urls.activity("Announce", relay), original=original)
    return boost


async def refuse_in_chapter(chapter: Actor, author: Actor, activity_uri: str,
                            object_uri: str) -> None:
    """A members-only chapter refuses a non-member's post addressed to it: Reject of the
    Create is sent to the author (the post itself is kept, but not in the chapter)."""
    await publish("reject_create", actor_id=chapter.id, recipient_id=author.id,
                  activity_uri=activity_uri, object_uri=object_uri)
