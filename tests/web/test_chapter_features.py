"""Coordinators feature posts of their chapter: the post is shown at the top of the chapter
page and listed in its featured collection; others cannot feature anything."""

from __future__ import annotations

import httpx

from actors.chapters import create_chapter, set_coordinator
from actors.follows import follow_actor
from actors.models import Actor
from actors.urls import LocalUrls
from content.models import Pin
from content.posts import create_post
from core.jobs import Job
from core.settings import Settings
from tests.support.forms import post_form
from tests.support.members import log_in

AP = {"Accept": "application/activity+json"}


async def test_a_coordinator_features_a_post_and_a_member_cannot(
    client: httpx.AsyncClient, settings: Settings,
) -> None:
    urls = LocalUrls(settings.server.base_url)
    chapter = await create_chapter("Lyon", "lyon")
    group = await Actor.get(id=chapter.actor_id)  # type: ignore[attr-defined]
    ana = await log_in(client, settings, "ana")
    await follow_actor(urls, ana, group)
    post = await create_post(urls, ana, "Bring banners on Saturday", chapter=group)
    other = await create_post(urls, ana, "Not in the chapter")

    # ana is a member, not a coordinator: refused, nothing pinned.
    refused = await post_form(client, "/chapters/lyon/featured",
                              {"post": str(post.id), "action": "feature"}, page="/chapters/lyon")
    assert refused.status_code == 403
    assert not await Pin.exists()

    await set_coordinator(group, ana, True)
    page = (await client.get("/chapters/lyon")).text
    assert 'action="/chapters/lyon/featured"' in page
    answer = await post_form(client, "/chapters/lyon/featured",
                             {"post": str(post.id), "action": "feature"}, page="/chapters/lyon")
    assert answer.status_code == 303 and answer.headers["location"] == "/chapters/lyon"
    # A post from outside the chapter cannot be featured in it.
    await post_form(client, "/chapters/lyon/featured",
                    {"post": str(other.id), "action": "feature"}, page="/chapters/lyon")
    assert await Pin.filter(actor_id=group.id).count() == 1
    assert await _has_publish("add_featured")  # the chapter tells its followers

    page = (await client.get("/chapters/lyon")).text
    featured = page.split('id="featured-h"')[1].split("</section>")[0]
    assert "Bring banners on Saturday" in featured and "Not in the chapter" not in featured
    collection = (await client.get("/chapters/lyon/featured", headers=AP)).json()
    assert collection["totalItems"] == 1

    await post_form(client, "/chapters/lyon/featured",
                    {"post": str(post.id), "action": "unfeature"}, page="/chapters/lyon")
    assert not await Pin.exists()
    assert 'id="featured-h"' not in (await client.get("/chapters/lyon")).text


async def _has_publish(kind: str) -> bool:
    return any(job.payload.get("kind") == kind
               for job in await Job.filter(name="outbox.publish"))
