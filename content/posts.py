"""Posts written here: create (or save as a draft, then publish), edit and delete, each
publishing its activity. Notes, blog Articles and forum Pages (a chapter's threads) share
these rules; a reply joins its thread (root, context) and refreshes the thread's last
activity."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

from tortoise.expressions import Q

from actors.models import Actor
from actors.urls import LocalUrls
from content.audience import ORDER
from content.errors import NotAllowed, NotFound, ValidationFailed
from content.history import remember_version
from content.html import markdown_to_html, sanitize_html, sanitize_text
from content.linkify import Linked, linkify, mention_targets
from content.models import Media, Mention, Post, Tombstone
from content.notifications import notify_about_post
from content.publishing import ANNOUNCE, REJECT, chapter_decision, publish, share_in_chapter
from content.tags import set_tags, tags_of
from core import clock
from core.db import in_transaction
from core.ids import new_id
from core.messages import N_

LOCAL_KINDS = ("note", "article", "page")
SOURCE_MAX = {"note": 5_000, "article": 100_000, "page": 50_000}
#: Kinds that need a title: blog posts and forum threads.
TITLED = ("article", "page")
TITLE_MAX = 200
SUMMARY_MAX = 2_000
#: Images attached to one post (as Mastodon allows).
MEDIA_MAX = 4
_NOT_YOURS = N_("Attach images you uploaded and have not attached elsewhere.")


def _check_text(kind: str, source: str, title: str, summary: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if kind == "question":  # a poll's text follows the rules of a note
        kind = "note"
    if kind not in LOCAL_KINDS:
        errors["kind"] = N_("Choose one of %(choices)s.", choices=", ".join(LOCAL_KINDS))
        return errors
    if not source.strip():
        errors["source"] = N_("Write something.")
    elif len(source) > SOURCE_MAX[kind]:
        errors["source"] = N_("Use at most %(max)s characters.", max=SOURCE_MAX[kind])
    if kind in TITLED and not title.strip():
        errors["title"] = N_("Give it a title.")
    if len(title) > TITLE_MAX:
        errors["title"] = N_("Use at most %(max)s characters.", max=TITLE_MAX)
    if len(summary) > SUMMARY_MAX:
        errors["summary"] = N_("Use at most %(max)s characters.", max=SUMMARY_MAX)
    return errors


def _render(urls: LocalUrls, source: str, mentions: Sequence[Actor]) -> Linked:
    """The post's HTML: its Markdown, with hashtags and the mentioned actors' handles made
    links (content.linkify); and the hashtags it links."""
    targets = mention_targets(mentions, urlsplit(urls.base).netloc,
                              lambda actor: actor.url or urls.actor(actor))
    linked = linkify(markdown_to_html(source), tag_url=urls.tag, mentions=targets)
    return Linked(sanitize_html(linked.html), linked.tags)


async def create_post(urls: LocalUrls, author: Actor, source: str, *, kind: str = "note",
                      title: str = "", summary: str = "", visibility: str = "public",
                      in_reply_to: Post | None = None, chapter: Actor | None = None,
                      mentions: Sequence[Actor] = (), sensitive: bool = False,
                      tags: Sequence[str] = (), draft: bool = False,
                      cover: Media | None = None, media: Sequence[Media] = ()) -> Post:
    """A local member writes a post (Markdown `source`); Create is published to followers,
    mentioned actors, the replied-to author and the addressed chapter. A local chapter the
    author belongs to shares it with its members (Announce); a members-only chapter refuses
    a non-member (NotAllowed). `tags` are its hashtags (a blog post's categories); a
    `draft` is stored and sent nowhere until publish_draft; `cover` is an image the author
    uploaded (a blog post's cover); `media` are images the author uploaded and has not
    attached yet, attached in that order."""
    errors = _check_text(kind, source, title, summary)
    if media and not source.strip():  # images alone make a post (as Mastodon allows)
        errors.pop("source", None)
    errors.update(await _check_media(author, media, None))
    if visibility not in ORDER:
        errors["visibility"] = N_("Choose one of %(choices)s.", choices=", ".join(ORDER))
    if not author.is_local:
        errors["author"] = N_("Only members of this server write posts here.")
    if in_reply_to is not None and in_reply_to.is_deleted:
        errors["in_reply_to"] = N_("That post was deleted.")
    if chapter is not None and chapter.kind != "Group":
        errors["chapter"] = N_("Address a chapter.")
    if cover is not None and cover.owner_id != author.id:  # type: ignore[attr-defined]
        errors["cover"] = N_("Use an image you uploaded.")
    if draft and in_reply_to is not None:
        errors["draft"] = N_("Replies are published at once.")
    if errors:
        raise ValidationFailed(errors)
    decision = await chapter_decision(chapter, author) if chapter and chapter.is_local else None
    if decision == REJECT:
        raise NotAllowed(N_("only members of this chapter may post in it"))
    ident = new_id()
    now = clock.now()
    rendered = _render(urls, source, mentions)
    async with in_transaction():
        post = await Post.create(
            id=ident, uri=urls.post(ident), author=author, kind=kind,
            title=sanitize_text(title, TITLE_MAX), summary=sanitize_text(summary, SUMMARY_MAX),
            content_html=rendered.html, source=source,
            source_type="text/markdown",
            in_reply_to=in_reply_to, in_reply_to_uri=in_reply_to.uri if in_reply_to else None,
            root_id=thread_root_id(in_reply_to) if in_reply_to else None,
            context_uri=(in_reply_to.context_uri or in_reply_to.uri) if in_reply_to else None,
            chapter=chapter, visibility=visibility, sensitive=sensitive, url=urls.post(ident),
            published=now, last_activity_at=None if in_reply_to else now, draft=draft,
            cover=cover)
        for actor in {a.id: a for a in mentions}.values():
            await Mention.create(post=post, actor=actor)
        await _attach(post, media)
        if tags or rendered.tags:  # its categories, and the hashtags written in the text
            await set_tags(post, [*tags, *rendered.tags])
        if not draft:
            await _go_out(urls, post, chapter, decision)
    return post


async def _check_media(author: Actor, media: Sequence[Media], post: Post | None
                       ) -> dict[str, str]:
    """Refusals for attaching `media` to `post` (None: a new post) by `author`: at most
    MEDIA_MAX of their own uploads, neither attached to another post nor a cover."""
    if not media:
        return {}
    if len(media) > MEDIA_MAX:
        return {"media": N_("Attach at most %(max)s images.", max=MEDIA_MAX)}
    if len({m.id for m in media}) != len(media):
        return {"media": N_("Attach each image once.")}
    for item in media:
        attached_to = item.post_id  # type: ignore[attr-defined]
        if item.owner_id != author.id or not item.path or (  # type: ignore[attr-defined]
                attached_to is not None and (post is None or attached_to != post.id)):
            return {"media": _NOT_YOURS}
    if await Post.filter(cover_id__in=[m.id for m in media]).exists():
        return {"media": _NOT_YOURS}
    return {}


async def attachable_media(author: Actor, ids: Sequence[int], post: Post | None = None
                           ) -> list[Media]:
    """The images of `ids`, in that order, that `author` may attach to `post` (None: a new
    post); ValidationFailed naming the problem otherwise (an unknown id included)."""
    found = {m.id: m for m in await Media.filter(id__in=list(ids), owner_id=author.id)}
    if any(i not in found for i in ids):
        raise ValidationFailed({"media": _NOT_YOURS})
    media = [found[i] for i in ids]
    errors = await _check_media(author, media, post)
    if errors:
        raise ValidationFailed(errors)
    return media


async def unattached_media(author: Actor, media_id: int) -> Media | None:
    """One of `author`'s uploads not attached to a post yet (nor a cover), else None."""
    media = await Media.get_or_none(id=media_id, owner_id=author.id, post_id__isnull=True)
    if media is None or not media.path or await Post.filter(cover_id=media.id).exists():
        return None
    return media


async def _attach(post: Post, media: Sequence[Media]) -> None:
    """Attach `media` to `post` in order (inside the caller's transaction); an image
    another post took meanwhile refuses the whole post (ValidationFailed, rolled back)."""
    for position, item in enumerate(media):
        taken = await Media.filter(id=item.id).filter(
            Q(post_id__isnull=True) | Q(post_id=post.id)).update(post_id=post.id,
                                                                 position=position)
        if not taken:
            raise ValidationFailed({"media": N_("That image is attached to another post.")})
        item.post_id, item.position = post.id, position


def thread_root_id(parent: Post) -> int:
    """The id of the first post of the thread `parent` is in (for a reply to it)."""
    return parent.root_id or parent.id  # type: ignore[attr-defined,no-any-return]


async def touch_thread(post: Post) -> None:
    """A reply was written: its thread's first post shows this as its latest activity."""
    root_id = post.root_id  # type: ignore[attr-defined]
    if root_id is not None:
        await Post.filter(id=root_id).update(last_activity_at=post.published)


async def _go_out(urls: LocalUrls, post: Post, chapter: Actor | None,
                  decision: str | None) -> None:
    """Publish a live post: Create, the chapter's Announce, the thread's activity and the
    notifications. Inside the transaction that wrote it."""
    await publish("create", post_id=post.id)
    if chapter is not None and decision == ANNOUNCE and post.visibility in ("public",
                                                                             "unlisted"):
        await share_in_chapter(urls, chapter, post)
    await touch_thread(post)
    await notify_about_post(post)


async def publish_draft(urls: LocalUrls, author: Actor, post: Post) -> Post:
    """The author publishes a draft: it is dated now and goes out as a new post would."""
    await _own_live_post(author, post)
    if not post.draft:
        return post
    chapter = await Actor.get_or_none(id=post.chapter_id) if post.chapter_id else None  # type: ignore[attr-defined]
    decision = await chapter_decision(chapter, author) if chapter and chapter.is_local else None
    if decision == REJECT:
        raise NotAllowed(N_("only members of this chapter may post in it"))
    async with in_transaction():
        post.draft = False
        post.published = post.last_activity_at = clock.now()
        await post.save()
        await _go_out(urls, post, chapter, decision)
    return post


async def _own_live_post(actor: Actor, post: Post) -> None:
    if post.is_deleted:
        raise NotFound(post.uri)
    if post.author_id != actor.id or not actor.is_local:  # type: ignore[attr-defined]
        raise NotAllowed(N_("only the author may change a post"))


async def edit_post(actor: Actor, post: Post, source: str, *, title: str | None = None,
                    summary: str | None = None, sensitive: bool | None = None,
                    tags: Sequence[str] | None = None,
                    cover: Media | bool | None = False,
                    media: Sequence[Media] | None = None) -> Post:
    """The author edits a post: new text, `updated` set, Update published to the same
    audience (a draft is only saved); the version it replaces is kept (content.history).
    Visibility does not change on edit. `tags` replaces the tags when given; `cover` a
    Media, None to drop it, False to keep it; `media` replaces the attached images when
    given (those left out are detached, free to be attached again)."""
    await _own_live_post(actor, post)
    title = post.title if title is None else title
    summary = post.summary if summary is None else summary
    errors = _check_text(post.kind, source, title, summary)
    if isinstance(cover, Media) and cover.owner_id != actor.id:  # type: ignore[attr-defined]
        errors["cover"] = N_("Use an image you uploaded.")
    if media:
        if not source.strip():
            errors.pop("source", None)
        errors.update(await _check_media(actor, media, post))
    if errors:
        raise ValidationFailed(errors)
    async with in_transaction():
        if not post.draft:
            await remember_version(post)
        if media is not None:
            await Media.filter(post_id=post.id).exclude(
                id__in=[m.id for m in media] or [0]).update(post_id=None, position=0)
            await _attach(post, media)
        mentioned = await Actor.filter(mentioned_in__post_id=post.id)
        urls = LocalUrls(post.uri.rsplit("/posts/", 1)[0])  # a local post's own base
        rendered = _render(urls, source, mentioned)
        if tags is None and post.kind != "note":  # an article keeps its categories
            tags = [tag.display for tag in await tags_of(post)]
        await set_tags(post, [*(tags or ()), *rendered.tags])
        if cover is not False:
            post.cover = cover  # type: ignore[assignment]
        post.source, post.content_html = source, rendered.html
        post.title = sanitize_text(title, TITLE_MAX)
        post.summary = sanitize_text(summary, SUMMARY_MAX)
        if sensitive is not None:
            post.sensitive = sensitive
        if post.draft:
            await post.save()
            return post
        post.updated = clock.now()
        await post.save()
        await publish("update", post_id=post.id)
    return post


async def delete_post(actor: Actor, post: Post) -> None:
    """The author deletes a post: its text goes, a Tombstone stays, Delete is published to
    everyone who received it."""
    await _own_live_post(actor, post)
    async with in_transaction():
        was_draft = post.draft
        await erase(post)
        if not was_draft:
            await publish("delete", post_id=post.id)


async def erase(post: Post) -> None:
    """Empty a post and remember its uri as deleted (inside the caller's transaction)."""
    now = clock.now()
    post.deleted_at = now
    post.title = post.summary = post.content_html = post.source = ""
    await post.save()
    if not await Tombstone.filter(uri=post.uri).exists():
        await Tombstone.create(uri=post.uri, deleted_at=now)


async def get_post(post_id: int) -> Post:
    """A live post by its id, or NotFound."""
    post = await Post.get_or_none(id=post_id, deleted_at__isnull=True)
    if post is None:
        raise NotFound(str(post_id))
    return post


async def find_post_by_uri(uri: str) -> Post | None:
    return await Post.get_or_none(uri=uri)


async def is_tombstoned(uri: str) -> bool:
    return await Tombstone.filter(uri=uri).exists()
