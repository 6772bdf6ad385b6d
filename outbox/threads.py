"""Threads in what we send: the `replies` collection of our posts, the thread fields of a
post's JSON (`replies`, FEP-7888 `context`) and the Remove of a comment taken out of a
thread by its owner or a chapter's moderators."""

from __future__ import annotations

from typing import Any

from actors.models import Actor, Follow
from actors.urls import LocalUrls
from content.models import Post
from content.visibility import OPEN, visible_to
from federation import Activity
from outbox.render import to_ap_collection, to_ap_collection_page

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
REPLIES_PER_PAGE = 20
THREAD_KINDS = frozenset({"remove_comment"})
Rendered = tuple[Actor, list[Actor], dict[str, Any]]


def replies_uri(post: Post) -> str:
    """The id of our post's `replies` collection."""
    return f"{post.uri}/replies"


def thread_context(post: Post) -> str:
    """FEP-7888 `context` of a post: the thread it is in, named by the id of the thread's
    first post (a reply keeps the context it was given; a thread's first post names
    itself)."""
    return post.context_uri or post.uri


def add_thread_fields(doc: dict[str, Any], post: Post) -> dict[str, Any]:
    """Give one of our posts' documents (or the object of its Create/Update) `replies` and
    `context`."""
    target = doc["object"] if isinstance(doc.get("object"), dict) else doc
    if target.get("id") == post.uri:
        target["replies"] = replies_uri(post)
        target["context"] = thread_context(post)
    return doc


async def _public_replies(post: Post) -> Any:
    return (await visible_to(Post.filter(in_reply_to_id=post.id), None)).filter(
        visibility__in=OPEN)


async def render_replies(post: Post, page: int | None) -> dict[str, Any]:
    """The `replies` collection of our post, as Mastodon serves its own: the ids of the
    public and unlisted replies (from any server), oldest first, REPLIES_PER_PAGE a page;
    `page` None gives the collection itself."""
    collection_id = replies_uri(post)
    replies = await _public_replies(post)
    total = await replies.count()
    if page is None:
        return to_ap_collection(collection_id, total)
    offset = (page - 1) * REPLIES_PER_PAGE
    uris = await replies.order_by("published", "id").offset(offset).limit(
        REPLIES_PER_PAGE + 1).values_list("uri", flat=True)
    return to_ap_collection_page(collection_id, page, list(uris)[:REPLIES_PER_PAGE],
                                 total=total, has_next=len(uris) > REPLIES_PER_PAGE)


async def _followers_of(actor: Actor) -> list[Actor]:
    rows = await Follow.filter(followed_id=actor.id, state="accepted").prefetch_related(
        "follower")
    return [row.follower for row in rows]


async def render_remove_comment(urls: LocalUrls, payload: dict[str, Any],
                                post: Post | None) -> Rendered | None:
    """Remove of a comment from its thread: actor the remover (the thread's owner, an
    admin) or the chapter (its coordinators), object the comment's id, target the thread's
    `replies` collection (the thread's id when it is another server's), `audience` the
    chapter. To the comment's author, the thread's author, the chapter and their
    followers."""
    sender = await Actor.get_or_none(id=payload["actor_id"])
    root = await Post.get_or_none(id=payload.get("root_id", 0)).prefetch_related("author")
    if post is None or sender is None or root is None:
        return None
    comment_author = await Actor.get(id=post.author_id)  # type: ignore[attr-defined]
    root_author: Actor = root.author  # type: ignore[assignment]
    chapter = await Actor.get_or_none(id=root.chapter_id) if root.chapter_id else None  # type: ignore[attr-defined]
    target = replies_uri(root) if root_author.is_local else thread_context(root)
    cc = [urls.actor(comment_author), urls.actor(root_author)]
    recipients = [comment_author, root_author]
    for actor in (root_author, chapter):
        if actor is None:
            continue
        if actor.is_local:
            cc.append(urls.collection(actor, "followers"))
            recipients += await _followers_of(actor)
        else:
            recipients.append(actor)
    if chapter is not None:
        cc.append(urls.actor(chapter))
    body = Activity(id=urls.activity("Remove", int(payload["ident"])), type="Remove",
                    actor=urls.actor(sender), object_id=post.uri, target=target,
                    to=(PUBLIC,), cc=tuple(dict.fromkeys(cc))).to_ap()
    if chapter is not None:
        body["audience"] = urls.actor(chapter)  # one id, as Lemmy writes and reads it
    return sender, [r for r in recipients if r.id != sender.id], body
