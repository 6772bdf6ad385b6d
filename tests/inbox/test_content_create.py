"""Create from real servers' payloads: stored once, sanitized, tombstones, replies."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
import pytest

from actors.urls import LocalUrls
from content.models import Mention, Post, Tombstone
from content.posts import create_post
from core.settings import Settings
from inbox.models import InboundActivity
from tests.inbox.content_support import create_of, moved, note, send
from tests.inbox.fediverse import FakeFediverse, Local

Drain = Callable[[], Awaitable[int]]
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


async def test_a_mastodon_reply_with_a_mention_is_stored(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    felix = fediverse.person("mastodon.test", "felix")
    obj = moved("mastodon/note.json", {"https://mastodon.madrid": "https://mastodon.test"})
    assert await send(fed_client, settings, create_of(obj, felix.uri), felix) == 202
    await drain_jobs()
    post = await Post.get(uri=obj["id"])
    assert post.kind == "note" and post.visibility == "unlisted"  # to followers, cc Public
    assert post.in_reply_to_uri == "https://mamot.fr/users/retiolus/statuses/107224244380204526"
    assert post.context_uri.startswith("tag:mamot.fr")
    assert 'class="u-url mention"' in post.content_html
    assert 'rel="nofollow noopener noreferrer"' in post.content_html
    assert 'target="_blank"' in post.content_html
    assert "thinkpad" in post.content_html


@pytest.mark.parametrize(("fixture", "origin", "host", "name", "expect"), [
    ("gotosocial/note.json", "http://localhost:8080", "gotosocial.test", "the_mighty_zork",
     {"visibility": "public", "sensitive": True, "summary": "introduction post"}),
    ("pleroma/note.json", "https://queer.hacktivis.me", "pleroma.test", "lanodan",
     {"visibility": "unlisted", "source": "@popolon@pleroma.popolon.org Have what?"}),
])
async def test_notes_of_other_servers_are_stored(
    fixture: str, origin: str, host: str, name: str, expect: dict[str, object],
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    author = fediverse.person(host, name)
    obj = moved(fixture, {origin: f"https://{host}"})
    assert await send(fed_client, settings, create_of(obj, author.uri), author) == 202
    await drain_jobs()
    post = await Post.get(uri=obj["id"])
    for field, value in expect.items():
        assert getattr(post, field) == value


async def test_a_misskey_create_is_stored(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    author = fediverse.person("misskey.test", "97ws8y3rj6")
    doc = moved("misskey/create_note.json", {"https://misskey.usbharu.dev": "https://misskey.test"})
    assert await send(fed_client, settings, doc, author) == 202
    await drain_jobs()
    post = await Post.get(uri=doc["object"]["id"])
    assert post.source_type == "text/x.misskeymarkdown" and "連合先" in post.content_html
    assert post.visibility == "unlisted"


async def test_a_lemmy_page_keeps_its_title(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    picard = fediverse.person("lemmy.test", "picard", uri="https://lemmy.test/u/picard")
    obj = moved("lemmy/page.json", {"https://enterprise.lemmy.ml": "https://lemmy.test"})
    assert await send(fed_client, settings, create_of(obj, picard.uri), picard) == 202
    await drain_jobs()
    post = await Post.get(uri=obj["id"])
    assert (post.kind, post.title, post.visibility) == ("page", "Post title", "public")
    assert post.content_html == "<p>This is a post in the /c/tenforward community</p>\n"


XSS = [
    '<script>alert(1)</script>',
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<svg onload="alert(1)"><circle r="1"/></svg>',
    '<style>body{background:url(javascript:alert(1))}</style>',
    '<iframe src="https://evil.test/"></iframe>',
    '<p onclick="alert(1)" style="position:fixed">x</p>',
    '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
    '<form action="https://evil.test"><input name=x></form>',
    '<object data="https://evil.test/x.swf"></object><embed src="x">',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<!--<script>alert(1)</script>-->',
    '<base href="https://evil.test/">',
    '<meta http-equiv="refresh" content="0;url=https://evil.test">',
]
FORBIDDEN = ["<script", "onerror", "onload", "onclick", "javascript:", "vbscript:", "data:",
             "<svg", "<style", "<iframe", "<img", "<form", "<input", "<object", "<embed",
             "<base", "<meta", "style=", "<math"]


async def test_hostile_html_never_survives(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    eve = fediverse.person("mastodon.test", "eve")
    for n, payload in enumerate(XSS, 1):
        obj = note(eve, n, f"<p>ok {n}</p>{payload}", summary=payload, name=payload)
        assert await send(fed_client, settings, create_of(obj, eve.uri), eve) == 202
    await drain_jobs()
    posts = await Post.filter(author__uri=eve.uri)
    assert len(posts) == len(XSS)
    for post in posts:
        for text in (post.content_html, post.summary, post.title):
            for bad in FORBIDDEN:
                assert bad not in text.lower(), (bad, text)
        assert "<p>ok " in post.content_html


async def test_a_create_is_applied_once(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    bob = fediverse.person("mastodon.test", "bob")
    obj = note(bob, 1)
    assert await send(fed_client, settings, create_of(obj, bob.uri), bob) == 202
    assert await send(fed_client, settings, create_of(obj, bob.uri), bob) == 202  # same id
    await drain_jobs()  # jobs run in no promised order: the second Create comes later
    changed = dict(obj, content="<p>second copy</p>")
    assert await send(fed_client, settings, create_of(changed, bob.uri, 2), bob) == 202
    await drain_jobs()
    assert await Post.filter(uri=obj["id"]).count() == 1
    assert (await Post.get(uri=obj["id"])).content_html == "<p>hello</p>"
    assert await InboundActivity.all().count() == 2


async def test_a_delete_before_its_create_leaves_a_tombstone(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    bob = fediverse.person("mastodon.test", "bob")
    obj = note(bob, 7)
    delete = {"id": f"{obj['id']}#delete", "type": "Delete", "actor": bob.uri,
              "object": {"id": obj["id"], "type": "Tombstone"}, "to": [PUBLIC]}
    assert await send(fed_client, settings, delete, bob) == 202
    await drain_jobs()
    row = await InboundActivity.get(activity_id=delete["id"])
    assert (row.state, row.error) == ("processed", None)
    assert await Tombstone.filter(uri=obj["id"]).exists()
    assert await send(fed_client, settings, create_of(obj, bob.uri), bob) == 202
    await drain_jobs()
    assert not await Post.filter(uri=obj["id"]).exists()
    assert (await InboundActivity.get(activity_id=f"{obj['id']}/activity")).state == "ignored"


async def test_a_delete_empties_the_post_and_a_redelivered_create_is_dropped(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    bob = fediverse.person("mastodon.test", "bob")
    obj = note(bob, 8, "<p>soon gone</p>")
    assert await send(fed_client, settings, create_of(obj, bob.uri), bob) == 202
    await drain_jobs()
    delete = {"id": f"{obj['id']}#delete", "type": "Delete", "actor": bob.uri,
              "object": obj["id"]}
    assert await send(fed_client, settings, delete, bob) == 202
    await drain_jobs()
    post = await Post.get(uri=obj["id"])
    assert post.is_deleted and post.content_html == ""
    assert await send(fed_client, settings, create_of(obj, bob.uri, 3), bob) == 202
    await drain_jobs()
    assert (await Post.get(uri=obj["id"])).content_html == ""


async def test_a_delete_by_another_actor_of_the_same_server_changes_nothing(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    bob = fediverse.person("mastodon.test", "bob")
    mallory = fediverse.person("mastodon.test", "mallory")
    obj = note(bob, 9)
    assert await send(fed_client, settings, create_of(obj, bob.uri), bob) == 202
    await drain_jobs()
    delete = {"id": f"{mallory.uri}#delete/1", "type": "Delete", "actor": mallory.uri,
              "object": obj["id"]}
    assert await send(fed_client, settings, delete, mallory) == 202
    await drain_jobs()
    assert not (await Post.get(uri=obj["id"])).is_deleted


async def test_a_remote_reply_to_our_post_is_linked(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    ours = await create_post(LocalUrls(settings.server.base_url), local.member, "Hello *all*")
    bob = fediverse.person("mastodon.test", "bob")
    alice = f"{settings.server.base_url}/users/alice"
    obj = note(bob, 10, '<p><a href="x" class="mention">@alice</a> hi</p>',
               inReplyTo=ours.uri, tag=[{"type": "Mention", "href": alice, "name": "@alice"}])
    assert await send(fed_client, settings, create_of(obj, bob.uri), bob) == 202
    await drain_jobs()
    reply = await Post.get(uri=obj["id"])
    assert reply.in_reply_to_id == ours.id  # type: ignore[attr-defined]
    assert await Mention.filter(post_id=reply.id, actor_id=local.member.id).exists()
