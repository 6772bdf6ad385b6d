"""What each live stream shows: the events of posts, boosts and notifications, and for one
member and one stream, what (if anything) a new event means for them.

Writes publish small events (core.events) from tortoise signals on Post, Boost and
Notification — the services that write them need not know streaming exists:

- `post.new` (a post row created), `post.saved` (changed: published from a draft, edited,
  deleted — its row stays with `deleted_at`), `boost.new`, `boost.gone` (with the post and
  the sharer, as the row is gone), `notification.new`.

`delivery(event, stream, viewer)` reads the rows again (committed ones: see core.events) and
answers with what the member's stream gets — `update` with a post or a boost,
`status.update`, `delete` with an id, `notification` — through the one visibility policy
(content.visibility.can_see) and the stream's own rule:

- user: what the home timeline shows the member (content.timelines.home_timeline): posts by
  the actors they follow, in the chapters they belong to, their own; boosts by the actors
  they follow; and their notifications. `user:notification`: notifications only;
- public (`:local`, `:remote`): public thread starts, as the public timelines;
- hashtag (`:local`): public posts carrying the tag;
- list: posts by the accounts on the member's list.

A deletion is told to those who could see the post just before it went. This module lives
in content, not core, because it registers on content's models (core imports none).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q
from tortoise.signals import post_delete, post_save

from actors.models import Actor, Follow, Mute
from content.models import Boost, MemberList, MemberListEntry, Notification, Post, PostTag
from content.tags import normalize_tag, tag_named
from content.visibility import can_see
from core import clock
from core.events import Event, publish

ACCEPTED = "accepted"
#: A post seen saved (not created) is shown as new only if published this recently: it was
#: a draft published just now (older ones changed for other reasons are not news).
FRESH = timedelta(minutes=5)
STREAMS = ("user", "user:notification", "public", "public:local", "public:remote",
           "hashtag", "hashtag:local", "list")


# --- publishing ----------------------------------------------------------------------------

@post_save(Post)
async def _post_saved(sender: type[Post], instance: Post, created: bool,
                      using_db: BaseDBAsyncClient | None, update_fields: Any) -> None:
    if not created and update_fields:  # a column set just after creating (a poll's kind,
        return                          # a chapter, a cover): the post is no news again
    await publish(Event("post.new" if created else "post.saved", instance.id), using_db)


@post_save(Boost)
async def _boost_saved(sender: type[Boost], instance: Boost, created: bool,
                       using_db: BaseDBAsyncClient | None, update_fields: Any) -> None:
    if created:
        await publish(Event("boost.new", instance.id), using_db)


@post_delete(Boost)
async def _boost_deleted(sender: type[Boost], instance: Boost,
                         using_db: BaseDBAsyncClient | None) -> None:
    refs = {"post": instance.post_id, "actor": instance.actor_id}  # type: ignore[attr-defined]
    await publish(Event("boost.gone", instance.id, refs), using_db)


@post_save(Notification)
async def _notification_saved(sender: type[Notification], instance: Notification,
                              created: bool, using_db: BaseDBAsyncClient | None,
                              update_fields: Any) -> None:
    if created:
        await publish(Event("notification.new", instance.id), using_db)


# --- streams -------------------------------------------------------------------------------

class StreamError(Exception):
    """A stream that cannot be opened: `status` 404 (unknown or not the member's list) or
    422 (a parameter missing or malformed)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Stream:
    """One stream a member subscribed to: its name and its parameter (tag key or list)."""

    name: str
    tag: str | None = None
    list_id: int | None = None
    #: The tag's display (as asked) or the list id, for Mastodon's `stream` array.
    label: str | None = field(default=None, compare=False)

    @property
    def names(self) -> list[str]:
        return [self.name] if self.label is None else [self.name, self.label]


async def open_stream(viewer: Actor, name: str, *, tag: str | None = None,
                      list_id: str | None = None) -> Stream:
    """The stream `name` for `viewer`, its parameter checked (StreamError otherwise)."""
    if name not in STREAMS:
        raise StreamError(404, "Unknown stream type")
    if name.startswith("hashtag"):
        key = normalize_tag(tag or "")
        if key is None:
            raise StreamError(422, "Missing or invalid tag name parameter")
        return Stream(name, tag=key, label=tag)
    if name == "list":
        try:
            ident = int(list_id or "")
        except ValueError:
            raise StreamError(422, "Missing or invalid list parameter") from None
        if ident <= 0 or not await MemberList.exists(id=ident, owner_id=viewer.id):
            raise StreamError(404, "Record not found")
        return Stream(name, list_id=ident, label=str(ident))
    return Stream(name)


@dataclass
class Delivery:
    """What a stream gets: `event` (update, status.update, delete, notification) and the
    item — a Post or Boost (update, status.update), a Notification, or an id (delete)."""

    event: str
    item: Post | Boost | Notification | int


async def _follows(viewer: Actor, actor_id: int | None) -> bool:
    return actor_id is not None and await Follow.filter(
        follower_id=viewer.id, followed_id=actor_id, state=ACCEPTED).exists()


async def _mutes(viewer: Actor, actor_id: int) -> bool:
    return await Mute.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=clock.now()),
                             owner_id=viewer.id, target_id=actor_id).exists()


async def _post_in(stream: Stream, post: Post, viewer: Actor) -> bool:
    """Whether `post` (taken as live) belongs to `stream` for `viewer`, visibility aside."""
    author_id: int = post.author_id  # type: ignore[attr-defined]
    if stream.name == "user":
        return (author_id == viewer.id or await _follows(viewer, author_id)
                or await _follows(viewer, post.chapter_id))  # type: ignore[attr-defined]
    if stream.name == "list":
        return await MemberListEntry.exists(list_id=stream.list_id, actor_id=author_id)
    if post.visibility != "public":
        return False
    author = await Actor.get_or_none(id=author_id)
    if author is None or (stream.name.endswith(":local") and not author.is_local) or (
            stream.name == "public:remote" and author.is_local):
        return False
    if stream.name.startswith("public"):
        return post.in_reply_to_uri is None
    if stream.name.startswith("hashtag"):
        tag = await tag_named(stream.tag or "")
        return tag is not None and await PostTag.exists(post_id=post.id, tag_id=tag.id)
    return False


async def _shows_post(stream: Stream, post: Post, viewer: Actor) -> bool:
    """Whether `stream` shows `post` to `viewer` (a deleted post as it was just before)."""
    if stream.name == "user:notification" or post.draft:
        return False
    deleted_at = post.deleted_at
    post.deleted_at = None  # judged as it was just before (this instance is never saved)
    try:
        if not await can_see(post, viewer):
            return False
    finally:
        post.deleted_at = deleted_at
    author_id: int = post.author_id  # type: ignore[attr-defined]
    if author_id != viewer.id and await _mutes(viewer, author_id):
        return False
    return await _post_in(stream, post, viewer)


async def _post_delivery(event: Event, stream: Stream, viewer: Actor) -> Delivery | None:
    post = await Post.get_or_none(id=event.id)
    if post is None or not await _shows_post(stream, post, viewer):
        return None
    if post.is_deleted:
        return Delivery("delete", post.id)
    if event.kind == "post.new":
        return Delivery("update", post)
    if post.updated is not None:
        return Delivery("status.update", post)
    if post.published >= clock.now() - FRESH:
        return Delivery("update", post)  # a draft just published
    return None


async def _boost_delivery(event: Event, stream: Stream, viewer: Actor) -> Delivery | None:
    if stream.name != "user":
        return None
    if event.kind == "boost.gone":
        actor_id, post_id = event.refs.get("actor"), event.refs.get("post")
    else:
        boost = await Boost.get_or_none(id=event.id)
        if boost is None:
            return None
        actor_id, post_id = boost.actor_id, boost.post_id  # type: ignore[attr-defined]
    if actor_id is None or not await _follows(viewer, actor_id):
        return None
    post = await Post.get_or_none(id=post_id)
    # A chapter relaying a post addressed to it is that post, already shown.
    if post is None or post.draft or post.chapter_id == actor_id:  # type: ignore[attr-defined]
        return None
    if await _mutes(viewer, actor_id) or not await can_see(post, viewer):
        return None
    if event.kind == "boost.gone":
        return Delivery("delete", event.id)
    return Delivery("update", boost)


async def _notification_delivery(event: Event, stream: Stream,
                                 viewer: Actor) -> Delivery | None:
    if stream.name not in ("user", "user:notification"):
        return None
    note = await Notification.get_or_none(id=event.id, recipient_id=viewer.id)
    if note is None:
        return None
    if note.actor_id is not None and await Mute.filter(  # type: ignore[attr-defined]
            Q(expires_at__isnull=True) | Q(expires_at__gt=clock.now()), owner_id=viewer.id,
            target_id=note.actor_id, notifications=True).exists():  # type: ignore[attr-defined]
        return None
    return Delivery("notification", note)


async def delivery(event: Event, stream: Stream, viewer: Actor) -> Delivery | None:
    """What `event` means on `stream` for `viewer`, or None (nothing for them)."""
    if event.kind.startswith("post."):
        return await _post_delivery(event, stream, viewer)
    if event.kind.startswith("boost."):
        return await _boost_delivery(event, stream, viewer)
    if event.kind == "notification.new":
        return await _notification_delivery(event, stream, viewer)
    return None
