"""Forum pages of a chapter: the index (pinned first, then latest activity, reply counts),
opening a thread through the form (a Page addressed to the chapter, which shares it), the
thread page with its title and the coordinators' pin button, and a members-only chapter
refusing non-members."""

from __future__ import annotations

import httpx

from actors.chapters import appoint_member, create_chapter, set_coordinator
from actors.follows import follow_actor
from actors.models import Actor
from actors.urls import LocalUrls
from content.models import Post
from content.posts import create_post
from core.jobs import Job
from core.settings import Settings
from tests.support.forms import post_form
from tests.support.members import log_in

AP = {"Accept": "application/activity+json"}


def rows(page: str) -> list[str]:
    """The thread titles of a forum index, in order."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [cell.split(">", 1)[1].split("</a>", 1)[0]
            for cell in body.split('<a href="/posts/')[1:]]


async def test_opening_threads_replying_and_pinning(
    client: httpx.AsyncClient, settings: Settings,
) -> None:
    urls = LocalUrls(settings.server.base_url)
    await create_chapter("Lyon", "lyon")
    group = await Actor.get(username="lyon")
    ana = await log_in(client, settings, "ana")
    await follow_actor(urls, ana, group)
    empty = await client.get("/chapters/lyon/forum")
    assert empty.status_code == 200 and "No threads yet." in empty.text
    assert 'href="/chapters/lyon/forum/new"' in empty.text
    form = await client.get("/chapters/lyon/forum/new")
    assert '<label for="f-title">Title</label>' in form.text

    missing = await post_form(client, "/chapters/lyon/forum", {"title": "", "text": "hi"},
                              page="/chapters/lyon/forum/new")
    assert missing.status_code == 422 and "Give it a title." in missing.text
    ids = []
    for title in ("Banners", "Leaflets", "Venue"):
        answer = await post_form(client, "/chapters/lyon/forum",
                                 {"title": title, "text": f"About *{title.lower()}*"},
                                 page="/chapters/lyon/forum/new")
        assert answer.status_code == 303
        ids.append(int(answer.headers["location"].removeprefix("/posts/")))
    banners = await Post.get(id=ids[0])
    assert banners.kind == "page" and banners.chapter_id == group.id  # type: ignore[attr-defined]
    assert any(j.payload.get("kind") == "announce" and j.payload.get("post_id") == banners.id
               for j in await Job.filter(name="outbox.publish"))  # the chapter shares it
    doc = (await client.get(f"/posts/{banners.id}", headers=AP)).json()
    assert doc["type"] == "Page" and doc["name"] == "Banners"
    assert doc["audience"] == f"{settings.server.base_url}/chapters/lyon"

    assert rows((await client.get("/chapters/lyon/forum")).text) == [
        "Venue", "Leaflets", "Banners"]
    # A reply bumps its thread.
    replied = await post_form(client, f"/posts/{banners.id}/reply", {"text": "Me!"},
                              page=f"/posts/{banners.id}")
    assert replied.status_code == 303
    index = (await client.get("/chapters/lyon/forum")).text
    assert rows(index) == ["Banners", "Venue", "Leaflets"]
    assert '<td class="num">1</td>' in index

    # The thread page: its title; no pin button for a member who does not coordinate.
    thread = (await client.get(f"/posts/{ids[1]}")).text
    assert '<h1 class="p-name">Leaflets</h1>' in thread and "Pin this thread" not in thread
    await set_coordinator(group, ana, True)
    thread = (await client.get(f"/posts/{ids[1]}")).text
    assert "Pin this thread" in thread
    pinned = await post_form(client, "/chapters/lyon/featured",
                             {"post": str(ids[1]), "action": "feature"}, page=f"/posts/{ids[1]}")
    assert pinned.status_code == 303
    index = (await client.get("/chapters/lyon/forum")).text
    assert rows(index) == ["Leaflets", "Banners", "Venue"]
    assert '<span class="badge">Pinned</span>' in index
    assert "Unpin this thread" in (await client.get(f"/posts/{ids[1]}")).text


async def test_a_members_only_chapter_refuses_non_members(
    client: httpx.AsyncClient, settings: Settings,
) -> None:
    urls = LocalUrls(settings.server.base_url)
    await create_chapter("Committee", "committee", join_policy="closed")
    group = await Actor.get(username="committee")
    bea = await log_in(client, settings, "bea")
    assert (await client.get("/chapters/committee/forum/new")).status_code == 403
    index = await client.get("/chapters/committee/forum")
    assert index.status_code == 200 and "/forum/new" not in index.text
    refused = await post_form(client, "/chapters/committee/forum",
                              {"title": "Let me in", "text": "please"},
                              page="/chapters/committee/forum")
    assert refused.status_code == 403 and not await Post.exists()

    # Nor may a non-member reply in one of its threads.
    carl = await Actor.get(id=(await log_in_other(client, settings, "carl")).id)
    await appoint_member(group, carl)
    thread = await create_post(urls, carl, "Agenda", kind="page", title="Agenda",
                               chapter=group)
    client.cookies.clear()
    await post_form(client, "/login", {"identifier": "bea",
                                       "password": "a long enough password"})
    reply = await post_form(client, f"/posts/{thread.id}/reply", {"text": "me too"},
                            page=f"/posts/{thread.id}")
    assert reply.status_code == 403
    assert await Post.filter(in_reply_to_id=thread.id).count() == 0
    assert bea.id != carl.id
    assert (await client.get("/chapters/nowhere/forum")).status_code == 404


async def log_in_other(client: httpx.AsyncClient, settings: Settings, name: str) -> Actor:
    client.cookies.clear()
    return await log_in(client, settings, name)
