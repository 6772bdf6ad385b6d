"""The notifications page: members only, newest first, paged, unread ones marked and then
read once the page was seen; a chapter's answer to a request arrives here."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

import httpx

from actors.chapters import create_chapter
from content.models import Notification
from content.notifications import notify, unread_count
from core.settings import Settings
from tests.actors.test_chapters import group, remote
from tests.support.forms import post_form
from tests.web.test_chapter_pages import HOST, log_in, text_of

AppFor = Callable[[Settings], Awaitable[httpx.AsyncClient]]


async def test_notifications_need_a_member(client: httpx.AsyncClient) -> None:
    answer = await client.get("/notifications")
    assert answer.status_code == 303 and answer.headers["location"] == "/login"


async def test_an_answer_to_a_request_arrives_and_is_read_once_seen(
    client: httpx.AsyncClient, app_for: AppFor, settings: Settings,
) -> None:
    await create_chapter("Paris", "paris", join_policy="approval")
    await create_chapter("Nice", "nice", join_policy="approval")
    admin = await app_for(settings)
    await log_in(admin, settings, "root", role="admin")
    ana = await log_in(client, settings, "ana")
    assert "Nothing new." in (await client.get("/notifications")).text
    for slug in ("paris", "nice"):
        await post_form(client, "/follow", {"handle": f"@{slug}@{HOST}"}, page="/following")

    admin_view = text_of((await admin.get("/notifications")).text)
    assert f"ana @ana@{HOST} asks to join Paris. Answer the request" in admin_view
    queue = (await admin.get("/follow-requests")).text
    follow_ids = [int(i) for i in re.findall(r'/follow-requests/(\d+)"', queue)]
    assert len(follow_ids) == 2
    for follow_id, decision in zip(sorted(follow_ids), ("accept", "reject"), strict=True):
        await post_form(admin, f"/follow-requests/{follow_id}", {"decision": decision},
                        page="/follow-requests")

    assert await unread_count(ana) == 2
    page = await client.get("/notifications")
    words = text_of(page.text)
    assert "New Nice declined your request to join." in words  # newest first
    assert "New Paris accepted you as a member." in words
    assert words.index("Nice declined") < words.index("Paris accepted")
    assert 'href="http://127.0.0.1:8765/chapters/paris"' in page.text
    assert await unread_count(ana) == 0
    again = text_of((await client.get("/notifications")).text)
    assert "Paris accepted you as a member." in again and "New Paris" not in again


async def test_notifications_are_paged(client: httpx.AsyncClient, settings: Settings) -> None:
    ana = await log_in(client, settings, "ana")
    bob = await remote("bob")
    chapter = await group(await create_chapter("Lyon", "lyon"))
    for n in range(45):
        await notify(ana, "join_accepted" if n == 0 else "follow", actor=chapter if n == 0
                     else bob, text=f"note {n:02d}" if n else "")
    first = await client.get("/notifications")
    assert first.text.count('<li class="unread">') == 40
    assert "Lyon</a> accepted you" not in first.text  # the oldest is on the next page
    match = re.search(r'href="/notifications\?before=(\d+)"', first.text)
    assert match is not None
    second = await client.get(f"/notifications?before={match.group(1)}")
    assert "Lyon</a> accepted you as a member." in second.text
    assert "@bob@mastodon.test" not in second.text and "follows you" in second.text
    assert "note 04" in second.text and "note 05" not in second.text
    assert await Notification.filter(read_at__isnull=True).count() == 0
    assert "Older notifications" not in second.text
