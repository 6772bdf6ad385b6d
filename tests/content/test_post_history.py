"""Edit history: our edits and a remote author's Update each keep the version they replace
(content.history), oldest first; a draft's edits and an Update that changes nothing do not."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx

from actors.urls import LocalUrls
from content.history import versions_of
from content.models import Post, PostVersion
from content.posts import create_post, edit_post
from core.settings import Settings
from tests.inbox.content_support import create_of, note, send
from tests.inbox.fediverse import FakeFediverse, Local

Drain = Callable[[], Awaitable[int]]


def update_of(obj: dict[str, object], actor: str, n: int) -> dict[str, object]:
    return {"id": f"{obj['id']}#updates/{n}", "type": "Update", "actor": actor, "object": obj}


async def test_each_edit_keeps_the_version_it_replaces(local: Local, settings: Settings) -> None:
    urls = LocalUrls(settings.server.base_url)
    post = await create_post(urls, local.member, "first", summary="cw")
    await edit_post(local.member, post, "second", summary="", sensitive=True)
    await edit_post(local.member, post, "third")
    versions = await versions_of(post)
    assert [v.content_html.strip() for v in versions] == ["<p>first</p>", "<p>second</p>"]
    assert (versions[0].summary, versions[0].sensitive) == ("cw", False)
    assert versions[1].sensitive is True
    assert versions[0].written_at == post.published
    assert (await Post.get(id=post.id)).content_html.strip() == "<p>third</p>"


async def test_a_draft_keeps_no_history(local: Local, settings: Settings) -> None:
    urls = LocalUrls(settings.server.base_url)
    draft = await create_post(urls, local.member, "draft", kind="article", title="T",
                              draft=True)
    await edit_post(local.member, draft, "draft 2")
    assert await versions_of(draft) == []


async def test_a_received_update_keeps_the_previous_text_once(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    bob = fediverse.person("mastodon.test", "bob")
    obj = note(bob, 7, content="<p>before</p>")
    assert await send(fed_client, settings, create_of(obj, bob.uri), bob) == 202
    await drain_jobs()
    edited = dict(obj, content="<p>after</p>", updated="2024-05-02T10:00:00Z")
    assert await send(fed_client, settings, update_of(edited, bob.uri, 1), bob) == 202
    await drain_jobs()
    post = await Post.get(uri=obj["id"])
    assert post.content_html == "<p>after</p>"
    assert [v.content_html for v in await versions_of(post)] == ["<p>before</p>"]
    # The same Update delivered again (another id), nothing changed: no second version.
    assert await send(fed_client, settings, update_of(edited, bob.uri, 2), bob) == 202
    await drain_jobs()
    assert await PostVersion.filter(post_id=post.id).count() == 1
