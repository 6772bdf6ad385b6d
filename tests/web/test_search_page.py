"""The search page: ranked results with a count and escaped, highlighted snippets, paged;
visitors find this server's public posts only; hostile queries never fail; a #tag links to
its page; a handle finds a known account, and for members an unknown one through WebFinger,
with a follow button."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from actors.urls import LocalUrls
from content.posts import create_post
from content.received import store_remote_post
from core.settings import Settings
from tests.content.test_visibility import member, remote
from tests.inbox.fediverse import FakeFediverse, fed_client, fediverse, registry
from tests.support.members import log_in
from tests.web.test_follow_pages import serve_webfinger

__all__ = ["fed_client", "fediverse", "registry"]


async def test_results_with_count_and_safe_snippets(client: httpx.AsyncClient,
                                                    settings: Settings) -> None:
    urls = LocalUrls(settings.server.base_url)
    ana = await member(settings, "ana")
    await create_post(urls, ana, "Compost <img src=x onerror=alert(1)> workshop")
    await create_post(urls, ana, "Compost for members", visibility="followers")
    rex = await remote("rex")
    await store_remote_post({"uri": f"{rex.uri}/statuses/1", "kind": "note",
                             "visibility": "public", "content_html": "<p>compost elsewhere</p>",
                             "published": datetime(2024, 5, 1, tzinfo=UTC)}, rex)
    page = await client.get("/search", params={"q": "compost"})
    assert page.status_code == 200
    assert "1 result" in page.text and "1 results" not in page.text
    assert "<mark>Compost</mark>" in page.text
    assert "<img src=x" not in page.text and "&lt;img src=x onerror=alert(1)&gt;" in page.text
    assert "for members" not in page.text and "elsewhere" not in page.text
    await log_in(client, settings, "bea")
    member_page = await client.get("/search", params={"q": "compost"})
    assert "2 results" in member_page.text and "<mark>compost</mark> elsewhere" in member_page.text


async def test_paging_and_hostile_queries(client: httpx.AsyncClient, settings: Settings) -> None:
    urls = LocalUrls(settings.server.base_url)
    ana = await member(settings, "ana")
    for n in range(23):
        await create_post(urls, ana, f"assembly minutes {n}")
    first = await client.get("/search", params={"q": "assembly"})
    assert "23 results" in first.text and first.text.count('<li class="card">') == 20
    assert "page=2" in first.text
    second = await client.get("/search", params={"q": "assembly", "page": "2"})
    assert second.text.count('<li class="card">') == 3
    for q in ['"', "NEAR(", "*", "-", ":", "a:b", "x" * 10_000, "' OR 1=1 --", "\x00",
              "%", "page=-1", "@", "@@", "#", "https://"]:
        answer = await client.get("/search", params={"q": q, "page": "99999"})
        assert answer.status_code == 200, q
    assert (await client.get("/search", params={"page": "abc"})).status_code == 200


async def test_a_tag_links_to_its_page(client: httpx.AsyncClient) -> None:
    page = await client.get("/search", params={"q": "#ClimateJustice"})
    assert 'href="/tags/climatejustice"' in page.text


async def test_handles_find_accounts(fed_client: httpx.AsyncClient, fediverse: FakeFediverse,
                                     settings: Settings) -> None:
    await member(settings, "cai")
    domain = settings.instance.domain
    visitor = await fed_client.get("/search", params={"q": f"@cai@{domain}"})
    assert '/users/cai"' in visitor.text
    unknown = await fed_client.get("/search", params={"q": "@bob@mastodon.test"})
    assert "No account @bob@mastodon.test is known here" in unknown.text
    assert fediverse.gets() == []  # visitors never make us fetch anything
    await log_in(fed_client, settings, "ana")
    bob = fediverse.person("mastodon.test", "bob")
    serve_webfinger(fediverse, "bob", "mastodon.test", bob.uri)
    found = await fed_client.get("/search", params={"q": "@bob@mastodon.test"})
    assert f'href="{bob.uri}"' in found.text
    assert 'action="/follow"' in found.text and 'value="@bob@mastodon.test"' in found.text
    missing = await fed_client.get("/search", params={"q": "@nobody@mastodon.test"})
    assert missing.status_code == 200 and "No account" in missing.text
