"""Rendering content activities for outbox.publish: who sends, who receives, what JSON.

The `outbox.publish` payload of content services (content.publishing) carries `kind`,
`ident` and row ids/uris; docs/FEDERATION.md lists the fields of each kind."""

from __future__ import annotations

from typing import Any

from actors.models import Actor, Follow
from actors.urls import LocalUrls
from content.media import media_src
from content.models import Boost, Media, Mention, Post
from content.visibility import OPEN, visible_to
from outbox.polls import POLL_KINDS, add_question, render_poll
from outbox.render import (
    Addressing,
    post_extras,
    to_ap_announce,
    to_ap_create,
    to_ap_delete,
    to_ap_like,
    to_ap_note,
    to_ap_reject_create,
    to_ap_undo,
    to_ap_update,
)
from outbox.threads import THREAD_KINDS, add_thread_fields, render_remove_comment

CONTENT_KINDS = frozenset({"create", "update", "delete", "like", "undo_like", "announce",
                           "announce_activity", "undo_announce", "reject_create"}) | POLL_KINDS \
    | THREAD_KINDS
Rendered = tuple[Actor, list[Actor], dict[str, Any]]


async def followers_of(actor: Actor) -> list[Actor]:
    rows = await Follow.filter(followed_id=actor.id, state="accepted").prefetch_related(
        "follower")
    return [row.follower for row in rows]


def handle_of(urls: LocalUrls, actor: Actor) -> str:
    host = actor.domain or urls.base.split("://", 1)[-1]
    return f"@{actor.username}@{host}"


async def _audience(urls: LocalUrls, post: Post, author: Actor,
                    ) -> tuple[Addressing, list[Actor]]:
    """The post's addressing and the actors it is delivered to: followers (unless direct),
    mentioned actors, the replied-to author, a remote chapter; for an edit or a deletion
    also the followers of our chapters that shared it."""
    mentioned = [m.actor for m in await Mention.filter(post_id=post.id).prefetch_related(
        "actor")]
    recipients = list(mentioned)
    reply_author = None
    if post.in_reply_to_id is not None:  # type: ignore[attr-defined]
        parent = await Post.get_or_none(id=post.in_reply_to_id).prefetch_related("author")  # type: ignore[attr-defined]
        if parent is not None:
            reply_author = parent.author
            recipients.append(parent.author)
        root_id = post.root_id  # type: ignore[attr-defined]
        if root_id is not None and root_id != post.in_reply_to_id:  # type: ignore[attr-defined]
            # The thread's first post keeps the whole tree (its page, its `replies`), so a
            # reply deep in the thread goes to that post's author too.
            root = await Post.get_or_none(id=root_id).prefetch_related("author")
            if root is not None:
                recipients.append(root.author)
    chapter = await Actor.get_or_none(id=post.chapter_id) if post.chapter_id else None  # type: ignore[attr-defined]
    if chapter is not None:
        recipients.append(chapter)
    if post.visibility != "direct":
        recipients += await followers_of(author)
    addressing = Addressing(
        followers=urls.collection(author, "followers"),
        mentions=tuple((urls.actor(a), handle_of(urls, a)) for a in mentioned),
        reply_to_author=urls.actor(reply_author) if reply_author else None,
        chapter=urls.actor(chapter) if chapter else None,
        extras=await post_extras(urls, post),
    )
    return addressing, recipients


async def with_attachments(urls: LocalUrls, doc: dict[str, Any], post: Post) -> dict[str, Any]:
    """Add the images attached to `post` to its rendered document (or to the object of
    its Create/Update), after its cover if it has one: `Document`s whose `name` is the
    alt text, as Mastodon sends and reads them."""
    media = await Media.filter(post_id=post.id).order_by("position", "id")
    if not media:
        return doc
    target = doc.get("object") if doc.get("type") in ("Create", "Update") else doc
    if not isinstance(target, dict):
        return doc
    found = target.get("attachment")
    attachments = list(found) if isinstance(found, list) else ([found] if found else [])
    for item in media:
        document: dict[str, Any] = {"type": "Document", "mediaType": item.content_type,
                                    "url": media_src(item, urls.base)}
        if item.description:
            document["name"] = item.description
        if item.width and item.height:
            document["width"], document["height"] = item.width, item.height
        attachments.append(document)
    target["attachment"] = attachments
    return doc


async def _sharing_chapters(post: Post) -> list[Actor]:
    boosts = await Boost.filter(post_id=post.id).prefetch_related("actor")
    return [b.actor for b in boosts if b.actor.is_local and b.actor.kind == "Group"]


async def render_content(urls: LocalUrls, payload: dict[str, Any]) -> Rendered | None:
    """(sender, recipients, activity) for a content payload; None when there is nothing
    left to say (a row deleted meanwhile, a post deleted before its Create went out)."""
    kind, ident = payload["kind"], int(payload["ident"])
    post = await Post.get_or_none(id=payload.get("post_id", 0)).prefetch_related("author")
    if kind == "reject_create":
        return await _reject(urls, payload, ident)
    if kind in POLL_KINDS:
        return await render_poll(urls, payload, post, _audience)
    if kind in THREAD_KINDS:
        return await render_remove_comment(urls, payload, post)
    if post is None:
        return None
    author: Actor = post.author
    author_uri = urls.actor(author)
    if kind in ("create", "update", "delete"):
        if (kind == "delete") != post.is_deleted:
            return None
        addressing, recipients = await _audience(urls, post, author)
        if kind == "create":
            return author, recipients, await with_attachments(urls, add_thread_fields(
                await add_question(to_ap_create(post, author_uri, addressing), post), post), post)
        for chapter in await _sharing_chapters(post):
            recipients += await followers_of(chapter)
        if kind == "update":
            body = await with_attachments(urls, add_thread_fields(await add_question(
                to_ap_update(urls.activity("Update", ident), post, author_uri, addressing),
                post), post), post)
        else:
            body = to_ap_delete(urls.activity("Delete", ident), post, author_uri, addressing)
        return author, recipients, body
    actor = await Actor.get_or_none(id=payload["actor_id"])
    if actor is None:
        return None
    actor_uri = urls.actor(actor)
    if kind in ("like", "undo_like"):
        body = to_ap_like(payload["like_uri"], actor_uri, post.uri, author_uri)
        recipients = [author]
    elif kind == "announce_activity":  # a chapter relays the Create itself (FEP-1b12)
        if post.is_deleted:
            return None
        original = payload.get("original")
        if not original:
            addressing, _ = await _audience(urls, post, author)
            original = await with_attachments(urls, add_thread_fields(await add_question(
                to_ap_create(post, author_uri, addressing), post), post), post)
        body = to_ap_announce(payload["announce_uri"], actor_uri,
                              urls.collection(actor, "followers"), post.uri, author_uri)
        body["object"] = original
        return actor, [f for f in await followers_of(actor) if f.id != author.id], body
    else:
        body = to_ap_announce(payload["announce_uri"], actor_uri,
                              urls.collection(actor, "followers"), post.uri, author_uri)
        recipients = [author, *await followers_of(actor)]
    if kind.startswith("undo_"):
        body = to_ap_undo(urls.activity("Undo", ident), body)
    return actor, recipients, body


async def _reject(urls: LocalUrls, payload: dict[str, Any], ident: int) -> Rendered | None:
    chapter = await Actor.get_or_none(id=payload["actor_id"])
    author = await Actor.get_or_none(id=payload["recipient_id"])
    if chapter is None or author is None:
        return None
    body = to_ap_reject_create(urls.activity("Reject", ident), urls.actor(chapter),
                               payload["activity_uri"], urls.actor(author),
                               payload["object_uri"])
    return chapter, [author], body


async def render_post_document(urls: LocalUrls, post: Post) -> dict[str, Any]:
    """What one of our posts' id answers: the Note or Article, addressed as it was sent,
    with its `replies` collection and its thread's `context`."""
    author: Actor = post.author
    addressing, _ = await _audience(urls, post, author)
    return await with_attachments(urls, add_thread_fields(
        await add_question(to_ap_note(post, urls.actor(author), addressing), post), post), post)


async def render_outbox_page(urls: LocalUrls, author: Actor, offset: int, limit: int, *,
                             viewer: Actor | None = None) -> tuple[int, list[dict[str, Any]]]:
    """An author's public and unlisted posts, newest first, as the Create activities that
    sent them (what Mastodon lists in an outbox), as far as the visibility policy lets
    `viewer` (the signer of the GET, or None) see them: (total, one page of activities)."""
    live = await visible_to(Post.filter(author_id=author.id, visibility__in=OPEN), viewer)
    total = await live.count()
    posts = await live.order_by("-published", "-id").offset(offset).limit(limit)
    page = []
    for post in posts:
        post.author = author
        addressing, _ = await _audience(urls, post, author)
        page.append(await with_attachments(urls, add_thread_fields(await add_question(
            to_ap_create(post, urls.actor(author), addressing), post), post), post))
    return total, page
