"""The timeline pages: home for members (follows, chapters, boosts shown as such), this
server's public posts for everyone, the federated timeline for members only, each with an
"Older" link that pages without repeats; nothing a viewer may not see."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import httpx

from actors.follows import accept_follow, follow_actor
from actors.urls import LocalUrls
from content.posts import create_post
from content.reactions import boost_post
from content.received import store_remote_post
from core.settings import Settings
from tests.content.test_visibility import member, remote
from tests.support.members import log_in


async def test_home_requires_log_in_and_shows_follows_and_boosts(
        client: httpx.AsyncClient, settings: Settings) -> None:
    assert (await client.get("/timeline")).status_code == 303
    urls = LocalUrls(settings.server.base_url)
    ana = await log_in(client, settings, "ana")
    bea, cai = await member(settings, "bea"), await member(settings, "cai")
    await accept_follow(await follow_actor(urls, ana, bea))
    await create_post(urls, bea, "Bea says <b>hi</b>")
    await create_post(urls, bea, "Bea to followers", visibility="followers")
    secret = await create_post(urls, cai, "Cai's own thing")
    await boost_post(urls, bea, secret)
    await create_post(urls, cai, "Cai not followed")
    page = await client.get("/timeline")
    assert page.status_code == 200
    text = page.text
    assert "Bea says &lt;b&gt;hi&lt;/b&gt;" in text and "<b>hi</b>" not in text
    assert "Bea to followers" in text and "followers only" in text
    assert "Boosted by" in text
    assert "own thing" in text
    assert "Cai not followed" not in text


async def test_local_timeline_is_public_and_pages_with_older(
        client: httpx.AsyncClient, settings: Settings) -> None:
    urls = LocalUrls(settings.server.base_url)
    ana = await member(settings, "ana")
    for n in range(25):
        await create_post(urls, ana, f"note number {n:02d}")
    await create_post(urls, ana, "quiet one", visibility="unlisted")
    await create_post(urls, ana, "draft one", draft=True)
    first = await client.get("/timeline/local")
    assert first.status_code == 200
    assert "note number 24" in first.text and "note number 05" in first.text
    assert "note number 04" not in first.text
    assert "quiet one" not in first.text and "draft one" not in first.text
    older = re.search(r'href="(/timeline/local\?max_id=\d+)">Older', first.text)
    assert older
    second = await client.get(older.group(1))
    numbers = re.findall(r"note number (\d\d)", second.text)
    assert numbers == ["04", "03", "02", "01", "00"]
    assert "Older</a>" not in second.text


async def test_federated_timeline_is_for_members(client: httpx.AsyncClient,
                                                 settings: Settings) -> None:
    rex = await remote("rex")
    await store_remote_post({
        "uri": f"{rex.uri}/statuses/1", "kind": "note", "visibility": "public",
        "content_html": "<p>from another server</p>",
        "published": datetime(2024, 5, 1, tzinfo=UTC)}, rex)
    answer = await client.get("/timeline/federated")
    assert answer.status_code == 303 and answer.headers["location"] == "/login"
    assert "from another server" not in (await client.get("/timeline/local")).text
    await log_in(client, settings, "ana")
    page = await client.get("/timeline/federated")
    assert page.status_code == 200 and "from another server" in page.text
    assert "@rex@remote.test" in page.text
