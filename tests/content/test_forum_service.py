"""A chapter's forum: threads by latest activity (a reply anywhere in a thread bumps it),
pinned threads first, reply counts as the viewer may see them, paging; opening a thread in a
members-only chapter needs membership."""

from __future__ import annotations

import pytest

from actors.accounts import Registration, register_member
from actors.chapters import appoint_member
from actors.follows import follow_actor
from actors.models import Actor
from actors.urls import LocalUrls
from content.errors import NotAllowed
from content.forums import forum_page, start_thread
from content.models import Post
from content.pins import feature_post
from content.posts import create_post
from core.settings import Settings
from tests.inbox.fediverse import Local


async def member(settings: Settings, name: str) -> Actor:
    account = await register_member(
        Registration(name, f"{name}@example.org", "a long enough password", True),
        settings.registration)
    return await Actor.get(id=account.actor_id)  # type: ignore[attr-defined]


def titles(page) -> list[str]:  # type: ignore[no-untyped-def]
    return [t.post.title for t in page.threads]


async def test_threads_sort_by_latest_activity_pinned_first_with_counts(
    local: Local, settings: Settings,
) -> None:
    urls = LocalUrls(settings.server.base_url)
    alice, bea = local.member, await member(settings, "bea")
    chapter = local.chapter
    for who in (alice, bea):
        await follow_actor(urls, who, chapter)
    first = await start_thread(urls, alice, chapter, "Banners", "Who paints them?")
    second = await start_thread(urls, bea, chapter, "Leaflets", "Print run?")
    third = await start_thread(urls, alice, chapter, "Venue", "Town hall or library?")
    await create_post(urls, alice, "A note, not a thread", chapter=chapter)
    assert first.kind == "page" and first.chapter_id == chapter.id  # type: ignore[attr-defined]

    assert titles(await forum_page(chapter, alice)) == ["Venue", "Leaflets", "Banners"]
    # A reply deep in the first thread brings it to the top.
    await create_post(urls, bea, "only my followers see this", in_reply_to=second,
                      visibility="followers")
    reply = await create_post(urls, bea, "I will", in_reply_to=first)
    await create_post(urls, alice, "Thanks!", in_reply_to=reply)
    forum = await forum_page(chapter, alice)
    assert titles(forum) == ["Banners", "Leaflets", "Venue"]
    counts = {t.post.title: t.replies for t in forum.threads}
    assert counts == {"Banners": 2, "Venue": 0, "Leaflets": 0}  # alice does not follow bea
    assert (await Post.get(id=first.id)).last_activity_at == forum.threads[0].last_activity

    # Pinned by the chapter: first, whatever its activity.
    await feature_post(chapter, third)
    forum = await forum_page(chapter, None)
    assert titles(forum) == ["Venue", "Banners", "Leaflets"] and forum.threads[0].pinned
    assert {t.post.title: t.replies for t in forum.threads}["Banners"] == 2
    # Paged: the pinned thread only on the first page.
    page2 = await forum_page(chapter, None, 2, per_page=1)
    assert titles(page2) == ["Leaflets"] and (page2.page, page2.pages) == (2, 2)


async def test_only_members_open_threads_in_a_members_only_chapter(
    local: Local, settings: Settings,
) -> None:
    urls = LocalUrls(settings.server.base_url)
    bea = await member(settings, "bea")
    with pytest.raises(NotAllowed):
        await start_thread(urls, bea, local.closed_chapter, "Hello", "Let me in")
    assert not await Post.exists()
    await appoint_member(local.closed_chapter, bea)
    thread = await start_thread(urls, bea, local.closed_chapter, "Hello", "Now I am in")
    assert titles(await forum_page(local.closed_chapter, bea)) == ["Hello"]
    assert thread.visibility == "public"
