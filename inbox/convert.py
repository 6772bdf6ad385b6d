"""ActivityStreams → model fields: remote actors and posts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from actors.models import Actor
from content.audience import visibility_of
from content.html import sanitize_html, sanitize_text
from content.polls import RemotePoll
from core import clock
from federation import Actor as APActor
from federation import APObject, Attachment, parse_url

_USERNAME_MAX = 100
_NAME_MAX = 200
_SUMMARY_MAX = 5000


def from_ap_actor(doc: APActor, key_id: str | None = None) -> dict[str, Any]:
    """Actor model columns from a parsed actor document (the key `key_id` when given,
    else the first published one). Free text is capped; HTML in summary is kept as given
    and must be sanitized when shown."""
    key = doc.key_by_id(key_id) if key_id else doc.public_key
    username = doc.preferred_username or parse_url(doc.id).path.rstrip("/").rsplit("/", 1)[-1]
    return {
        "kind": doc.type,
        "username": (username or "unknown")[:_USERNAME_MAX],
        "display_name": (doc.name or "")[:_NAME_MAX],
        "summary": (doc.summary or "")[:_SUMMARY_MAX],
        "inbox": doc.inbox,
        "shared_inbox": doc.shared_inbox,
        "outbox": doc.outbox,
        "followers": doc.followers,
        "following": doc.following,
        "featured": doc.featured,
        "url": doc.url,
        "manually_approves_followers": doc.manually_approves_followers,
        "public_key_id": key.id if key else None,
        "public_key_pem": key.public_key_pem if key else None,
    }


#: Object types stored as posts, and the kind each becomes.
POST_TYPES = {"Note": "note", "Article": "article", "Page": "page", "Question": "question"}
_TITLE_MAX = 1000
_POST_SUMMARY_MAX = 5000


def from_ap_post(obj: APObject, author: Actor) -> dict[str, Any]:
    """Post model columns from a parsed Note/Article/Page/Question by `author`.

    content is sanitized HTML; name (the title) and summary (Mastodon's content warning,
    an Article's abstract) are plain text. Visibility is read from to/cc as Mastodon reads
    it. A Question's text is its content, else its name (Misskey and Mastodon polls)."""
    kind = POST_TYPES[obj.type]
    content = obj.content
    title = obj.name or ""
    if kind in ("note", "question") and not content and obj.name:
        content, title = obj.name, ""
    source = obj.source.content if obj.source else ""
    published = obj.published or clock.now()
    return {
        "uri": obj.id,
        "kind": kind,
        "title": sanitize_text(title, _TITLE_MAX),
        "summary": sanitize_text(obj.summary, _POST_SUMMARY_MAX),
        "content_html": sanitize_html(content),
        "source": source,
        "source_type": (obj.source.media_type or "text/plain")[:64] if obj.source else "",
        "in_reply_to_uri": obj.in_reply_to,
        "context_uri": obj.context or obj.conversation,
        "visibility": visibility_of((*obj.to, *obj.audience), obj.cc, author.followers),
        "sensitive": obj.sensitive,
        "url": obj.url,
        "published": published,
        "updated": obj.updated,
    }


def from_ap_poll(obj: APObject) -> RemotePoll | None:
    """The poll of a remote Question: options (`oneOf`, or `anyOf` for multiple choice) with
    their `replies.totalItems`, `endTime`, `closed` (a time, or true: closed now) and
    `votersCount`. None for a Question without options (an open-ended question)."""
    if obj.type != "Question" or not obj.options:
        return None
    closed = obj.closed
    closed_at = closed if isinstance(closed, datetime) else (clock.now() if closed else None)
    return RemotePoll(
        multiple=obj.multiple_choice,
        options=tuple((o.name, max(0, o.votes or 0)) for o in obj.options),
        ends_at=obj.end_time,
        closed_at=closed_at,
        voters_count=max(0, obj.voters_count) if obj.voters_count is not None else None,
    )


#: Hashtags read per post (content.tags caps what is kept).
_HASHTAGS_MAX = 50
_IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif")


def hashtags_from_ap(obj: APObject) -> list[str]:
    """The names of a post's `Hashtag` tags, as written (WriteFreely, Ghost, Plume and
    Mastodon write `#Name`; Lemmy's community tags come without `#`)."""
    return [t.name for t in obj.hashtags[:_HASHTAGS_MAX] if t.name]


def _is_image(item: Attachment) -> bool:
    if item.media_type:
        return item.media_type.startswith("image/")
    if item.type == "Image":
        return True
    return item.type == "Document" and item.url.lower().split("?")[0].endswith(
        _IMAGE_SUFFIXES)


def cover_from_ap(obj: APObject) -> Attachment | None:
    """A long post's picture: its `image` (Ghost's feature image, Lemmy's thumbnail,
    Chapterhouse's cover) when the parser gives it, else its first image attachment (an
    `Image`, or a `Document` of an image type, as Mastodon and Chapterhouse attach them).
    `name` is the alt text."""
    image = getattr(obj, "image", None)  # federation's APObject may not read `image` yet
    if isinstance(image, Attachment) and _is_image(image):
        return image
    return next((a for a in obj.attachments if _is_image(a)), None)
