"""Timelines: home (followed members and chapters, boosts by followed actors, one's own
posts), a chapter's, local and federated — newest first, paged by id, through the visibility
policy; no drafts, no deleted posts, no unlisted posts in the public ones."""

from __future__ import annotations

from datetime import UTC, datetime

from actors.chapters import create_chapter
from actors.follows import accept_follow, follow_actor
from actors.models import Actor
from actors.urls import LocalUrls
from content.models import Post
from content.posts import create_post, delete_post
from content.reactions import boost_post, like_post
from content.received import store_remote_post
from content.timelines import (
    chapter_timeline,
    federated_timeline,
    home_timeline,
    local_timeline,
)
from core.settings import Settings
from tests.content.test_visibility import member, remote


async def remote_post(author: Actor, n: int, text: str, visibility: str = "public") -> Post:
    uri = f"{author.uri}/statuses/{n}"
    post, _ = await store_remote_post({
        "uri": uri, "url": uri, "kind": "note", "content_html": f"<p>{text}</p>",
        "visibility": visibility, "published": datetime(2024, 5, 1, tzinfo=UTC)}, author)
    assert post is not None
    return post


def texts(timeline: object) -> list[str]:
    return [(e.post.source or e.post.content_html) + (f" <{e.boosted_by.username}"
            if e.boosted_by else "") for e in timeline.entries]  # type: ignore[attr-defined]


async def test_home_shows_follows_chapters_boosts_and_own_posts(
        database: str, settings: Settings) -> None:
    urls = LocalUrls(settings.server.base_url)
    ana, bea, cai, dan = [await member(settings, n) for n in ("ana", "bea", "cai", "dan")]
    lyon = await Actor.get(id=(await create_chapter("Lyon", "lyon")).actor_id)  # type: ignore[attr-defined]
    await accept_follow(await follow_actor(urls, ana, bea))
    assert (await follow_actor(urls, ana, lyon)).state == "accepted"
    assert (await follow_actor(urls, cai, lyon)).state == "accepted"
    rex = await remote("rex")

    await create_post(urls, ana, "ana's own")
    await create_post(urls, bea, "bea public")
    await create_post(urls, bea, "bea followers only", visibility="followers")
    await create_post(urls, bea, "bea draft", draft=True)
    gone = await create_post(urls, bea, "bea deleted")
    await delete_post(bea, gone)
    await create_post(urls, cai, "cai in Lyon", chapter=lyon)
    await create_post(urls, cai, "cai elsewhere")
    await create_post(urls, dan, "dan not followed")
    await create_post(urls, ana, "ana draft", draft=True)
    shared = await remote_post(rex, 1, "rex shared by bea")
    await boost_post(urls, bea, shared)
    await like_post(urls, bea, shared)

    home = await home_timeline(ana)
    assert texts(home) == ["<p>rex shared by bea</p> <bea", "cai in Lyon", "bea followers only",
                           "bea public", "ana's own"]
    boosted = home.entries[0]
    assert home.counts[boosted.post.id].boosts == 1 and home.counts[boosted.post.id].likes == 1
    assert home.older is None
    # dan follows nobody: only his own post.
    assert texts(await home_timeline(dan)) == ["dan not followed"]


async def test_home_pages_by_id_without_gaps_or_repeats(database: str,
                                                         settings: Settings) -> None:
    urls = LocalUrls(settings.server.base_url)
    ana, bea = await member(settings, "ana"), await member(settings, "bea")
    await accept_follow(await follow_actor(urls, ana, bea))
    rex = await remote("rex")
    expected = []
    for n in range(7):
        await create_post(urls, bea, f"post {n}")
        expected.append(f"post {n}")
        other = await remote_post(rex, n, f"shared {n}")
        await boost_post(urls, bea, other)
        expected.append(f"<p>shared {n}</p> <bea")
    seen: list[str] = []
    max_id = None
    for _ in range(10):
        page = await home_timeline(ana, max_id=max_id, limit=3)
        seen += texts(page)
        if page.older is None:
            break
        max_id = page.older
    assert seen == list(reversed(expected))


async def test_chapter_local_and_federated(database: str, settings: Settings) -> None:
    urls = LocalUrls(settings.server.base_url)
    ana, bea = await member(settings, "ana"), await member(settings, "bea")
    lyon = await Actor.get(id=(await create_chapter("Lyon", "lyon")).actor_id)  # type: ignore[attr-defined]
    assert (await follow_actor(urls, ana, lyon)).state == "accepted"
    rex = await remote("rex")
    first = await create_post(urls, ana, "ana in Lyon", chapter=lyon)
    await create_post(urls, ana, "ana members only", chapter=lyon, visibility="followers")
    await create_post(urls, bea, "bea quiet", visibility="unlisted")
    await create_post(urls, bea, "bea reply", in_reply_to=first)
    await create_post(urls, bea, "bea draft", draft=True)
    await remote_post(rex, 1, "rex public")
    await remote_post(rex, 2, "rex followers", visibility="followers")

    assert texts(await chapter_timeline(lyon, ana)) == ["ana members only", "ana in Lyon"]
    assert texts(await chapter_timeline(lyon, bea)) == ["ana in Lyon"]
    assert texts(await chapter_timeline(lyon, None)) == ["ana in Lyon"]
    assert texts(await local_timeline(None)) == ["ana in Lyon"]
    assert texts(await federated_timeline(bea)) == ["<p>rex public</p>", "ana in Lyon"]

    for n in range(3, 8):
        await remote_post(rex, n, f"rex {n}")
    page = await federated_timeline(None, limit=4)
    assert texts(page) == ["<p>rex 7</p>", "<p>rex 6</p>", "<p>rex 5</p>", "<p>rex 4</p>"]
    rest = await federated_timeline(None, max_id=page.older, limit=4)
    assert texts(rest) == ["<p>rex 3</p>", "<p>rex public</p>", "ana in Lyon"]
    assert rest.older is None
