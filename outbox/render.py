"""Models → ActivityStreams: actors, collections and the follow activities we send."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from actors.models import Actor, Chapter
from actors.urls import LocalUrls
from federation import Activity, Collection, PublicKey
from federation import Actor as APActor

PAGE_SIZE = 20


def _summary_html(text: str) -> str | None:
    """Our summaries are plain text; ActivityStreams wants HTML: escaped paragraphs."""
    paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
    if not paragraphs:
        return None
    return "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)


def to_ap_actor(urls: LocalUrls, actor: Actor, *, chapter: Chapter | None = None,
                moderators: Sequence[str] = ()) -> dict[str, Any]:
    """One of our actors as an ActivityPub document.

    A chapter (Group, FEP-1b12) lists its moderators in `attributedTo` and asks for manual
    approval unless anyone may join. The instance actor (Application) signs our fetches.
    """
    actor_url = urls.actor(actor)
    manual = actor.manually_approves_followers
    if chapter is not None:
        manual = chapter.join_policy != "open"
    if actor.kind == "Application":
        manual = True
    name = actor.display_name or None
    if actor.kind == "Application":
        name = urls.base.split("://", 1)[-1]
    doc = APActor(
        id=actor_url,
        type=actor.kind,
        inbox=urls.collection(actor, "inbox"),
        outbox=urls.collection(actor, "outbox"),
        followers=urls.collection(actor, "followers"),
        following=urls.collection(actor, "following"),
        featured=urls.collection(actor, "featured") if actor.kind != "Application" else None,
        shared_inbox=urls.shared_inbox,
        preferred_username=actor.username,
        name=name,
        summary=_summary_html(actor.summary),
        url=actor_url,
        manually_approves_followers=manual,
        discoverable=actor.kind != "Application",
        public_keys=(PublicKey(urls.key_id(actor), actor_url, actor.public_key_pem or ""),)
        if actor.public_key_pem else (),
        attributed_to=tuple(moderators) if actor.kind == "Group" else (),
        published=actor.created_at,
    )
    return doc.to_ap()


def to_ap_collection(collection_id: str, total: int, *, paged: bool = True) -> dict[str, Any]:
    """An OrderedCollection whose items are on pages `?page=1`, `?page=2`…

    `paged=False` gives the count without the pages (a chapter whose member list is private,
    as Mastodon does for hidden follower lists)."""
    return Collection(id=collection_id, type="OrderedCollection", total_items=total,
                      first=f"{collection_id}?page=1" if paged else None).to_ap()


def to_ap_collection_page(collection_id: str, page: int, items: Sequence[str], *,
                          total: int, has_next: bool) -> dict[str, Any]:
    """One OrderedCollectionPage of a collection."""
    return Collection(
        id=f"{collection_id}?page={page}",
        type="OrderedCollectionPage",
        total_items=total,
        part_of=collection_id,
        next=f"{collection_id}?page={page + 1}" if has_next else None,
        prev=f"{collection_id}?page={page - 1}" if page > 1 else None,
        items=tuple(items),
    ).to_ap()


def to_ap_follow(follow_uri: str, follower_uri: str, followed_uri: str) -> dict[str, Any]:
    """Our actor asks to follow a remote one."""
    return Activity(id=follow_uri, type="Follow", actor=follower_uri, object_id=followed_uri,
                    to=(followed_uri,)).to_ap()


def to_ap_undo_follow(undo_uri: str, follow_uri: str, follower_uri: str,
                      followed_uri: str) -> dict[str, Any]:
    """Our actor takes its Follow back, embedding it (Mastodon matches the Follow's id)."""
    follow = Activity(id=follow_uri, type="Follow", actor=follower_uri, object_id=followed_uri)
    return Activity(id=undo_uri, type="Undo", actor=follower_uri, object=follow,
                    object_id=follow_uri, to=(followed_uri,)).to_ap()


def to_ap_follow_answer(kind: str, answer_uri: str, follow_uri: str | None,
                        follower_uri: str, followed_uri: str) -> dict[str, Any]:
    """Accept or Reject of a remote actor's Follow, embedding the Follow as Mastodon,
    Lemmy and GoToSocial expect (some of them look the follow up by its id)."""
    follow = Activity(id=follow_uri, type="Follow", actor=follower_uri, object_id=followed_uri)
    return Activity(id=answer_uri, type=kind, actor=followed_uri, object=follow,
                    object_id=follow_uri, to=(follower_uri,)).to_ap()
