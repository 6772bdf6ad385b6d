"""Long posts from other servers (WriteFreely, Ghost, Chapterhouse): stored with title,
summary and their whole text, their hashtags as our categories, their picture as cover."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from content.models import Media, Post
from content.tags import tags_of
from core.settings import Settings
from tests.inbox.content_support import create_of, moved, send
from tests.inbox.fediverse import FakeFediverse, Local
from tests.support.members import log_in

Drain = Callable[[], Awaitable[int]]
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


async def _receive(fed_client: httpx.AsyncClient, settings: Settings,
                   fediverse: FakeFediverse, obj: dict[str, Any], drain: Drain) -> Post:
    author = fediverse.person("x.test", "x", uri=obj["attributedTo"])
    assert await send(fed_client, settings, create_of(obj, author.uri), author) == 202
    await drain()
    return await Post.get(uri=obj["id"])


async def test_a_writefreely_article_is_stored_and_shown_in_full(
        fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local,
        settings: Settings, drain_jobs: Drain) -> None:
    obj = moved("writefreely/article.json", {"https://write.as": "https://writefreely.test"})
    post = await _receive(fed_client, settings, fediverse, obj, drain_jobs)
    assert post.kind == "article" and post.title == "Tenants unite"
    assert post.summary == "How our building organized a rent strike."
    assert "The very last paragraph of the whole article." in post.content_html
    assert post.url == "https://writefreely.test/matt/tenants-unite"
    assert sorted(t.name for t in await tags_of(post)) == ["housing", "rentstrike"]

    await log_in(fed_client, settings, "reader")  # other servers' posts: for members
    page = await fed_client.get(f"/posts/{post.id}")
    assert page.status_code == 200
    assert "Tenants unite" in page.text
    assert "The very last paragraph of the whole article." in page.text
    assert 'href="/tags/rentstrike"' in page.text
    listing = await fed_client.get("/tags/RentStrike")
    assert "Tenants unite" in listing.text and f"/posts/{post.id}" in listing.text


async def test_a_ghost_article_keeps_all_its_text_and_its_category(
        fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local,
        settings: Settings, drain_jobs: Drain) -> None:
    obj = moved("ghost/article.json",
                {"https://activitypub.ghost.org": "https://ghost.test"})
    post = await _receive(fed_client, settings, fediverse, obj, drain_jobs)
    assert post.kind == "article" and post.title == "Blocking users"
    assert post.visibility == "public"  # `to: "as:Public"`, Ghost's spelling
    assert post.summary == "You can now block people and whole domains."
    assert "Closing words of the Ghost post." in post.content_html
    assert [t.display for t in await tags_of(post)] == ["Moderation"]
    await log_in(fed_client, settings, "reader")
    listing = await fed_client.get("/tags/moderation")
    assert "Blocking users" in listing.text


async def test_the_picture_of_a_remote_article_becomes_its_cover_by_address(
        fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local,
        settings: Settings, drain_jobs: Drain) -> None:
    """The shape Chapterhouse itself sends (outbox.render): cover as `image` and as a
    `Document` attachment with its alt text in `name`."""
    author = "https://other-chapterhouse.test/users/zoe"
    picture = "https://other-chapterhouse.test/media/1/abc.jpg"
    obj = {"id": "https://other-chapterhouse.test/posts/77", "type": "Article",
           "attributedTo": author, "to": [PUBLIC], "cc": [f"{author}/followers"],
           "name": "Spring <b>fair</b>", "summary": "<p>Stalls &amp; music.</p>",
           "content": "<p>All the details.</p>", "published": "2025-04-01T10:00:00Z",
           "url": "https://other-chapterhouse.test/posts/77",
           "image": {"type": "Image", "url": picture, "mediaType": "image/jpeg",
                     "name": "Stalls in the sun"},
           "attachment": [{"type": "Document", "url": picture, "mediaType": "image/jpeg",
                           "name": "Stalls in the sun"}],
           "tag": [{"type": "Hashtag", "href": "https://other-chapterhouse.test/tags/fair",
                    "name": "#Fair"}]}
    post = await _receive(fed_client, settings, fediverse, obj, drain_jobs)
    assert post.title == "Spring fair" and post.summary == "Stalls & music."
    cover = await Media.get(id=post.cover_id)  # type: ignore[attr-defined]
    assert cover.remote_url == picture and cover.path is None
    assert cover.description == "Stalls in the sun" and cover.content_type == "image/jpeg"
    # Served by its own server, never by us.
    assert (await fed_client.get(f"/media/{cover.id}")).status_code == 404
    await log_in(fed_client, settings, "reader")
    page = await fed_client.get(f"/posts/{post.id}")
    assert f'src="{picture}"' in page.text and 'alt="Stalls in the sun"' in page.text


async def test_a_note_with_hashtags_is_listed_but_gets_no_cover(
        fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local,
        settings: Settings, drain_jobs: Drain) -> None:
    author = "https://mastodon.test/users/ann"
    obj = {"id": f"{author}/statuses/1", "type": "Note", "attributedTo": author,
           "to": [PUBLIC], "cc": [f"{author}/followers"], "content": "<p>#Fair today</p>",
           "published": "2025-04-01T10:00:00Z",
           "attachment": [{"type": "Document", "mediaType": "image/png",
                           "url": "https://mastodon.test/system/a.png", "name": "a"}],
           "tag": [{"type": "Hashtag", "href": "https://mastodon.test/tags/fair",
                    "name": "#fair"}]}
    post = await _receive(fed_client, settings, fediverse, obj, drain_jobs)
    assert post.cover_id is None  # type: ignore[attr-defined]
    assert [t.name for t in await tags_of(post)] == ["fair"]
