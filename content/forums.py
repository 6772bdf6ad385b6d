"""Chapter forums: a chapter's threads (forum Pages posted in it) pinned first, then by
latest activity, with their reply counts; starting a thread."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.functions import Count

from actors.models import Actor
from actors.urls import LocalUrls
from content.models import Pin, Post
from content.posts import create_post
from content.visibility import shown_on_pages

THREADS_PER_PAGE = 30


@dataclass
class ForumThread:
    """One line of a forum's index."""

    post: Post
    replies: int
    last_activity: datetime
    pinned: bool


@dataclass
class ForumPage:
    threads: list[ForumThread]
    total: int
    page: int
    pages: int


async def forum_page(chapter: Actor, viewer: Actor | None, page: int = 1, *,
                     per_page: int = THREADS_PER_PAGE) -> ForumPage:
    """The threads of `chapter`'s forum `viewer` may see: those the chapter pins first
    (newest pin first, on the first page), then the others by latest activity."""
    threads = await shown_on_pages(
        Post.filter(chapter_id=chapter.id, kind="page", in_reply_to_uri__isnull=True),
        viewer)
    pinned_ids = list(await Pin.filter(actor_id=chapter.id).order_by("-id").values_list(
        "post_id", flat=True))
    pinned = await threads.filter(id__in=pinned_ids).prefetch_related("author") if pinned_ids \
        else []
    pinned.sort(key=lambda p: pinned_ids.index(p.id))
    others = threads.exclude(id__in=pinned_ids) if pinned_ids else threads
    total = await others.count()
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    rows = await others.order_by("-last_activity_at", "-id").offset(
        (page - 1) * per_page).limit(per_page).prefetch_related("author")
    shown = (pinned if page == 1 else []) + list(rows)
    counts = await reply_counts([p.id for p in shown], viewer)
    return ForumPage(
        [ForumThread(p, counts.get(p.id, 0), p.last_activity_at or p.published,
                     p.id in pinned_ids) for p in shown],
        total + len(pinned), page, pages)


async def reply_counts(root_ids: list[int], viewer: Actor | None) -> dict[int, int]:
    """How many replies `viewer` may see in each of these threads (one query)."""
    if not root_ids:
        return {}
    visible = await shown_on_pages(Post.filter(root_id__in=root_ids), viewer)
    rows = await visible.annotate(n=Count("id")).group_by("root_id").values("root_id", "n")
    return {int(row["root_id"]): int(row["n"]) for row in rows}


async def start_thread(urls: LocalUrls, author: Actor, chapter: Actor, title: str,
                       source: str) -> Post:
    """A member opens a thread in a chapter's forum: a public Page addressed to the
    chapter, which shares it with its members (FEP-1b12). A members-only chapter refuses
    a non-member (content.errors.NotAllowed); ValidationFailed names the wrong fields."""
    return await create_post(urls, author, source, kind="page", title=title, chapter=chapter)
