"""Models → ActivityStreams: actors, collections, posts and the activities we send."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from actors.models import Actor, Chapter
from actors.urls import LocalUrls
from content.html import sanitize_text
from content.media import media_src
from content.models import Media, Post
from content.tags import tags_of
from federation import PUBLIC, Activity, APObject, Collection, PublicKey, Tombstone
from federation import Actor as APActor
from federation.vocab import Attachment, ImageRef, ProfileField, Source, Tag

PAGE_SIZE = 20


def _summary_html(text: str) -> str | None:
    """Our summaries are plain text; ActivityStreams wants HTML: escaped paragraphs."""
    paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
    if not paragraphs:
        return None
    return "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)


_IMAGE_TYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg"}


def _image(urls: LocalUrls, url: str | None, description: str | None) -> ImageRef | None:
    """An avatar or header: ours are stored under /media relative to the base URL."""
    if not url:
        return None
    absolute = f"{urls.base}{url}" if url.startswith("/") else url
    kind = _IMAGE_TYPES.get(url.rsplit(".", 1)[-1].lower())
    return ImageRef(absolute, kind, description or None)


def _field_html(value: str) -> str:
    """A profile field's plain-text value as the HTML Mastodon expects: escaped, and a link
    when it is one web address (Mastodon shows it as such and may verify it with rel=me)."""
    text = html.escape(value)
    if value.startswith(("https://", "http://")) and " " not in value:
        return (f'<a href="{text}" target="_blank" rel="nofollow noopener noreferrer me">'
                f"{text}</a>")
    return text


def _profile_fields(actor: Actor) -> tuple[ProfileField, ...]:
    rows = actor.profile_fields if isinstance(actor.profile_fields, list) else []
    return tuple(ProfileField(str(r.get("name", "")), _field_html(str(r.get("value", ""))))
                 for r in rows if isinstance(r, dict))


def to_ap_actor(urls: LocalUrls, actor: Actor, *, chapter: Chapter | None = None,
                parent: str | None = None) -> dict[str, Any]:
    """One of our actors as an ActivityPub document.

    A chapter (Group, FEP-1b12) names its moderators collection in `attributedTo` (as Lemmy
    does), its children in `subChapters` and its parent group in `parentChapter`
    (Chapterhouse's extension terms), and asks for manual approval unless anyone may join.
    The instance actor (Application) signs our fetches.
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
    group = actor.kind == "Group"
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
        icon=_image(urls, actor.avatar_url, actor.avatar_description),
        image=_image(urls, actor.header_url, None),
        fields=_profile_fields(actor),
        manually_approves_followers=manual,
        discoverable=actor.kind != "Application",
        public_keys=(PublicKey(urls.key_id(actor), actor_url, actor.public_key_pem or ""),)
        if actor.public_key_pem else (),
        attributed_to=(urls.collection(actor, "moderators"),) if group else (),
        published=actor.created_at,
        sub_chapters=urls.collection(actor, "subchapters") if group else None,
        parent_chapter=parent if group else None,
    )
    return doc.to_ap()


def to_ap_collection(collection_id: str, total: int, *, paged: bool = True) -> dict[str, Any]:
    """An OrderedCollection whose items are on pages `?page=1`, `?page=2`…

    `paged=False` gives the count without the pages (a chapter whose member list is private,
    as Mastodon does for hidden follower lists)."""
    return Collection(id=collection_id, type="OrderedCollection", total_items=total,
                      first=f"{collection_id}?page=1" if paged else None).to_ap()


def to_ap_collection_page(collection_id: str, page: int,
                          items: Sequence[str | dict[str, Any]], *,
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


def to_ap_block(block_uri: str, blocker_uri: str, blocked_uri: str) -> dict[str, Any]:
    """One of our members blocks a remote actor: Block of its id, to it alone (Mastodon
    then drops the follows between the two and hides the member's posts from it)."""
    return Activity(id=block_uri, type="Block", actor=blocker_uri, object_id=blocked_uri,
                    to=(blocked_uri,)).to_ap()


def to_ap_undo_block(undo_uri: str, block_uri: str, blocker_uri: str,
                     blocked_uri: str) -> dict[str, Any]:
    """The member lifts the block: Undo embedding the Block (by its id, actor and object)."""
    block = Activity(id=block_uri, type="Block", actor=blocker_uri, object_id=blocked_uri)
    return Activity(id=undo_uri, type="Undo", actor=blocker_uri, object=block,
                    object_id=block_uri, to=(blocked_uri,)).to_ap()


def to_ap_follow_answer(kind: str, answer_uri: str, follow_uri: str | None,
                        follower_uri: str, followed_uri: str) -> dict[str, Any]:
    """Accept or Reject of a remote actor's Follow, embedding the Follow as Mastodon,
    Lemmy and GoToSocial expect (some of them look the follow up by its id)."""
    follow = Activity(id=follow_uri, type="Follow", actor=follower_uri, object_id=followed_uri)
    return Activity(id=answer_uri, type=kind, actor=followed_uri, object=follow,
                    object_id=follow_uri, to=(follower_uri,)).to_ap()


# --- posts and the activities about them -----------------------------------------------

_AP_TYPES = {"note": "Note", "article": "Article", "page": "Page", "question": "Question"}
#: A summary derived from an Article's text (when its author wrote none) is about this long.
DERIVED_SUMMARY_CHARS = 300
_TEXT_MAX = 200_000


def derive_summary(post: Post, limit: int = DERIVED_SUMMARY_CHARS) -> str:
    """An Article's summary as plain text: the one its author wrote, else the beginning of
    its text (cut at a word, with an ellipsis). Mastodon shows other servers' Articles as
    title + summary + link, so an Article never goes out without one."""
    if post.summary:
        return post.summary
    text = sanitize_text(post.content_html, _TEXT_MAX)
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] or text[:limit]
    return cut.rstrip(" ,.;:") + "…"


def tag_url(base: str, name: str) -> str:
    """The page of a hashtag (a category) here."""
    return f"{base}/tags/{quote(name, safe='')}"


@dataclass(frozen=True)
class CoverImage:
    """A post's cover image, as other servers fetch it."""

    url: str
    media_type: str
    description: str
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True)
class PostExtras:
    """What a post's document carries besides its row and its addressing: its hashtags
    (href, "#Display") and its cover image."""

    hashtags: tuple[tuple[str, str], ...] = ()
    cover: CoverImage | None = None


async def post_extras(urls: LocalUrls, post: Post) -> PostExtras:
    """Load the hashtags and the cover of `post` for rendering (to_ap_post)."""
    hashtags = tuple((tag_url(urls.base, t.name), f"#{t.display}")
                     for t in await tags_of(post))
    cover = None
    cover_id = post.cover_id  # type: ignore[attr-defined]
    media = await Media.get_or_none(id=cover_id) if cover_id else None
    if media is not None:
        cover = CoverImage(media_src(media, urls.base), media.content_type, media.description,
                           media.width, media.height)
    return PostExtras(hashtags, cover)


@dataclass(frozen=True)
class Addressing:
    """Who a post is for, as ActivityStreams ids: the author's followers collection, the
    mentioned actors, the replied-to author and the chapter it is posted in."""

    followers: str
    mentions: tuple[tuple[str, str], ...] = ()  # (actor id, "@user@host")
    reply_to_author: str | None = None
    chapter: str | None = None
    #: Not addressing, but loaded with it for every render: hashtags and cover.
    extras: PostExtras = PostExtras()

    def to_cc(self, visibility: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Mastodon's addressing: public → to Public, cc followers; unlisted → to
        followers, cc Public; followers-only → to followers; direct → to the mentioned.
        Mentioned actors, the replied-to author and the chapter are added to it."""
        others = [uri for uri, _ in self.mentions]
        if self.reply_to_author:
            others.append(self.reply_to_author)
        chapter = [self.chapter] if self.chapter else []
        if visibility == "public":
            to, cc = [PUBLIC, *chapter], [self.followers, *others]
        elif visibility == "unlisted":
            to, cc = [self.followers, *chapter], [PUBLIC, *others]
        elif visibility == "followers":
            to, cc = [self.followers, *chapter], others
        else:
            to, cc = [*others, *chapter], []
        return tuple(dict.fromkeys(to)), tuple(dict.fromkeys(c for c in cc if c not in to))


def _preview(post: Post, author_uri: str, summary: str) -> APObject:
    """FEP-b2b8: the short form of an Article for software that does not show long text —
    a Note with the title, the summary and the link."""
    title = html.escape(post.title)
    link = html.escape(post.url or post.uri, quote=True)
    parts = [f"<p><strong>{title}</strong></p>"] if post.title else []
    if summary:
        parts.append(f"<p>{html.escape(summary)}</p>")
    parts.append(f'<p><a href="{link}">{link}</a></p>')
    return APObject(id=None, type="Note", attributed_to=(author_uri,), content="".join(parts),
                    media_type="text/html")


def to_ap_post(post: Post, author_uri: str, addressing: Addressing) -> APObject:
    """One of our posts as a Note, Article or Page. An Article carries its title as `name`,
    its summary (written or derived) as HTML and its `url`, so Mastodon shows title +
    summary + link, plus a FEP-b2b8 `preview` Note; the Markdown is its `source`; hashtags
    (categories) are `Hashtag` tags; a cover is an `attachment` (see _with_image)."""
    to, cc = addressing.to_cc(post.visibility)
    extras = addressing.extras
    article = post.kind == "article"
    plain_summary = derive_summary(post) if article else post.summary
    summary = _summary_html(plain_summary) if article else (
        html.escape(post.summary) if post.summary else None)
    tags = [Tag("Mention", name, uri) for uri, name in addressing.mentions]
    tags += [Tag("Hashtag", name, href) for href, name in extras.hashtags]
    attachments: tuple[Attachment, ...] = ()
    if extras.cover is not None:
        attachments = (Attachment("Document", extras.cover.url, extras.cover.media_type,
                                  extras.cover.description or None),)
    return APObject(
        id=post.uri, type=_AP_TYPES.get(post.kind, "Note"), attributed_to=(author_uri,),
        to=to, cc=cc, audience=(addressing.chapter,) if addressing.chapter else (),
        in_reply_to=post.in_reply_to_uri, context=post.context_uri,
        published=post.published, updated=post.updated, sensitive=post.sensitive,
        summary=summary, name=post.title or None, content=post.content_html,
        media_type="text/html",
        source=Source(post.source, post.source_type or None) if post.source else None,
        url=post.url,
        preview=_preview(post, author_uri, plain_summary) if article else None,
        attachments=attachments,
        tags=tuple(tags),
    )


def _with_image(doc: dict[str, Any], addressing: Addressing) -> dict[str, Any]:
    """Add the cover as `image` (WriteFreely, Ghost and Lemmy read an Article's picture
    there; APObject has no such field) to a rendered post document."""
    cover = addressing.extras.cover
    if cover is not None:
        image: dict[str, Any] = {"type": "Image", "url": cover.url, "mediaType": cover.media_type}
        if cover.description:
            image["name"] = cover.description
        doc["image"] = image
    return doc


def to_ap_note(post: Post, author_uri: str, addressing: Addressing) -> dict[str, Any]:
    """A post as a standalone document (what its id answers, and the Create's object)."""
    return _with_image(to_ap_post(post, author_uri, addressing).to_ap(), addressing)


def to_ap_create(post: Post, author_uri: str, addressing: Addressing) -> dict[str, Any]:
    """Create of a post, id `{post}/activity`, addressed as the post is."""
    obj = to_ap_post(post, author_uri, addressing)
    body = Activity(id=f"{post.uri}/activity", type="Create", actor=author_uri, object=obj,
                    object_id=post.uri, to=obj.to, cc=obj.cc, published=post.published
                    ).to_ap()
    if isinstance(body.get("object"), dict):
        _with_image(body["object"], addressing)
    return body


def to_ap_update(update_uri: str, post: Post, author_uri: str,
                 addressing: Addressing) -> dict[str, Any]:
    """Update of an edited post, embedding it with its `updated` time."""
    obj = to_ap_post(post, author_uri, addressing)
    body = Activity(id=update_uri, type="Update", actor=author_uri, object=obj,
                    object_id=post.uri, to=obj.to, cc=obj.cc, published=post.updated).to_ap()
    if isinstance(body.get("object"), dict):
        _with_image(body["object"], addressing)
    return body


def to_ap_delete(delete_uri: str, post: Post, author_uri: str,
                 addressing: Addressing) -> dict[str, Any]:
    """Delete of a post, embedding a Tombstone, to everyone who got the post."""
    to, cc = addressing.to_cc(post.visibility)
    tomb = Tombstone(id=post.uri, former_type=_AP_TYPES.get(post.kind, "Note"),
                     deleted=post.deleted_at)
    return Activity(id=delete_uri, type="Delete", actor=author_uri, object=tomb,
                    object_id=post.uri, to=to, cc=cc).to_ap()


def to_ap_like(like_uri: str, actor_uri: str, post_uri: str,
               post_author_uri: str) -> dict[str, Any]:
    """Like of a post, to its author."""
    return Activity(id=like_uri, type="Like", actor=actor_uri, object_id=post_uri,
                    to=(post_author_uri,)).to_ap()


def to_ap_announce(announce_uri: str, actor_uri: str, followers_uri: str, post_uri: str,
                   post_author_uri: str, published: datetime | None = None) -> dict[str, Any]:
    """Announce (boost) of a post by its id — also a chapter sharing a member's post
    (FEP-1b12): to Public, cc the sharer's followers and the post's author."""
    return Activity(id=announce_uri, type="Announce", actor=actor_uri, object_id=post_uri,
                    to=(PUBLIC,), cc=(followers_uri, post_author_uri),
                    published=published).to_ap()


def to_ap_undo(undo_uri: str, inner: dict[str, Any]) -> dict[str, Any]:
    """Undo of one of our Like or Announce activities, embedding it (addressed alike)."""
    embedded = Activity.from_ap(inner)
    return Activity(id=undo_uri, type="Undo", actor=embedded.actor,
                    object=embedded, object_id=embedded.id,
                    to=embedded.to, cc=embedded.cc).to_ap()


def to_ap_reject_create(reject_uri: str, chapter_uri: str, activity_uri: str,
                        author_uri: str, object_uri: str) -> dict[str, Any]:
    """A chapter refuses a non-member's post: Reject embedding the Create (by its id,
    actor and object), to the author."""
    create = Activity(id=activity_uri or None, type="Create", actor=author_uri,
                      object_id=object_uri)
    return Activity(id=reject_uri, type="Reject", actor=chapter_uri, object=create,
                    object_id=activity_uri or None, to=(author_uri,)).to_ap()


# --- groups: their collections and their actor document ---------------------------------

def to_ap_collection_change(kind: str, change_uri: str, actor_uri: str, object_uri: str,
                            target: str, *, to: Sequence[str], cc: Sequence[str] = (),
                            audience: str | None = None) -> dict[str, Any]:
    """Add or Remove of `object_uri` to/from the collection `target` (a group's moderators,
    featured or subChapters collection), addressed as Lemmy addresses its own."""
    return Activity(id=change_uri, type=kind, actor=actor_uri, object_id=object_uri,
                    target=target, to=tuple(to), cc=tuple(cc),
                    audience=(audience,) if audience else ()).to_ap()


def to_ap_update_actor(update_uri: str, actor_doc: dict[str, Any],
                       followers_uri: str) -> dict[str, Any]:
    """Update of one of our actors, embedding its whole current document, as Mastodon and
    Lemmy send profile changes: to Public, cc its followers."""
    body = {k: v for k, v in actor_doc.items() if k != "@context"}
    doc = Activity(id=update_uri, type="Update", actor=actor_doc["id"],
                   object_id=actor_doc["id"], to=(PUBLIC,), cc=(followers_uri,)).to_ap()
    doc["object"] = body
    return doc
