"""The administrators' start page and the navigation: what each viewer is offered."""

from __future__ import annotations

import httpx

from actors.chapters import create_chapter
from actors.follows import follow_actor
from actors.models import Actor
from actors.roles import add_coordinator
from actors.urls import LocalUrls
from content.notifications import notify
from core.settings import Settings
from tests.support.forms import post_form
from tests.support.members import log_in

PASSWORD = "a long enough password"



async def test_admins_see_what_waits_and_members_are_refused(
    client: httpx.AsyncClient, settings: Settings,
) -> None:
    assert (await client.get("/admin")).status_code == 303  # logged out: to the login page
    await log_in(client, settings, "root", role="admin")
    page = await client.get("/admin")
    assert page.status_code == 200
    assert "/admin/applications" in page.text and "None waiting" in page.text
    assert '<a href="/admin">Admin</a>' in page.text
    await post_form(client, "/logout", {}, page="/")
    await log_in(client, settings, "mia")
    refused = await client.get("/admin")
    assert refused.status_code == 403
    assert '<a href="/admin">Admin</a>' not in refused.text


async def test_the_navigation_counts_unread_notifications_and_offers_the_queue_to_coordinators(
    client: httpx.AsyncClient, settings: Settings,
) -> None:
    chapter = await create_chapter("Lyon", "lyon", join_policy="approval")
    group = await Actor.get(id=chapter.actor_id)  # type: ignore[attr-defined]
    ana = await log_in(client, settings, "ana")
    page = (await client.get("/")).text
    assert "Requests to join" not in page and "unread" not in page
    await notify(ana, "join_accepted", actor=group)
    await notify(ana, "join_accepted", actor=group)
    assert 'aria-label="2 unread"' in (await client.get("/")).text
    await follow_actor(LocalUrls(settings.server.base_url), ana, group)
    await add_coordinator(group, ana)
    assert '<a href="/follow-requests">Requests to join</a>' in (await client.get("/")).text
