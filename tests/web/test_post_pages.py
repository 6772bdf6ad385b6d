"""A post's id answers ActivityPub JSON to servers and a page to browsers; deleted → 410."""

from __future__ import annotations

import httpx

from actors.urls import LocalUrls
from content.posts import create_post, delete_post
from core.settings import Settings
from federation import APObject
from tests.inbox.fediverse import Local, make_locals

AS_JSON = {"accept": 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'}


async def test_a_public_post_answers_json_and_html_at_its_id(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    local: Local = await make_locals(settings)
    urls = LocalUrls(settings.server.base_url)
    post = await create_post(urls, local.member, "Meeting on *Thursday* <script>x()</script>",
                             kind="article", title="Our <b>plan</b>", summary="Short version")
    path = post.uri.removeprefix(settings.server.base_url)

    answer = await client.get(path, headers=AS_JSON)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/activity+json")
    assert answer.headers["vary"] == "Accept"
    doc = answer.json()
    parsed = APObject.from_ap(doc)  # what another server's reader makes of it
    assert parsed.id == post.uri and parsed.type == "Article"
    assert parsed.attributed_to == (f"{settings.server.base_url}/users/alice",)
    assert parsed.name == "Our plan"  # titles are plain text (tags dropped), as Mastodon expects
    assert "<em>Thursday</em>" in (parsed.content or "") and "<script" not in (parsed.content or "")
    assert "https://www.w3.org/ns/activitystreams#Public" in doc["to"]

    page = await client.get(path)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<h1 class="p-name">Our plan</h1>' in page.text
    assert "<em>Thursday</em>" in page.text and "<script>x()" not in page.text


async def test_deleted_private_and_unknown_posts(client: httpx.AsyncClient,
                                                 settings: Settings) -> None:
    local: Local = await make_locals(settings)
    urls = LocalUrls(settings.server.base_url)
    gone = await create_post(urls, local.member, "soon gone")
    await delete_post(local.member, gone)
    private = await create_post(urls, local.member, "for my followers", visibility="followers")
    base = settings.server.base_url

    tomb = await client.get(gone.uri.removeprefix(base), headers=AS_JSON)
    assert tomb.status_code == 410 and tomb.json()["type"] == "Tombstone"
    assert "soon gone" not in tomb.text
    assert (await client.get(gone.uri.removeprefix(base))).status_code == 410
    hidden = await client.get(private.uri.removeprefix(base), headers=AS_JSON)
    assert hidden.status_code == 404 and "followers" not in hidden.text
    for path in ("/posts/123", "/posts/abc", "/posts/99999999999999999999999"):
        assert (await client.get(path, headers=AS_JSON)).status_code == 404
        assert (await client.get(path)).status_code == 404


async def test_the_outbox_lists_public_posts_as_create_activities(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    local: Local = await make_locals(settings)
    urls = LocalUrls(settings.server.base_url)
    posts = [await create_post(urls, local.member, f"post {n}") for n in range(23)]
    await create_post(urls, local.member, "followers only", visibility="followers")
    await delete_post(local.member, posts[0])
    outbox = (await client.get("/users/alice/outbox", headers=AS_JSON)).json()
    assert outbox["type"] == "OrderedCollection" and outbox["totalItems"] == 22
    first = (await client.get("/users/alice/outbox?page=1", headers=AS_JSON)).json()
    second = (await client.get("/users/alice/outbox?page=2", headers=AS_JSON)).json()
    items = first["orderedItems"] + second["orderedItems"]
    assert len(first["orderedItems"]) == 20 and "next" in first and "next" not in second
    assert all(item["type"] == "Create" for item in items)
    assert [item["object"]["id"] for item in items] == [p.uri for p in reversed(posts[1:])]
    assert "followers only" not in str(items) and "post 0<" not in str(items)
