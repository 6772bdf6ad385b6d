"""Atom and RSS feeds of blogs and categories, read as a feed reader reads them."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import httpx

from actors.urls import LocalUrls
from content.posts import create_post
from core.settings import Settings
from tests.inbox.fediverse import make_locals

A = "{http://www.w3.org/2005/Atom}"


async def _articles(settings: Settings) -> None:
    local = await make_locals(settings)
    urls = LocalUrls(settings.server.base_url)
    await create_post(urls, local.member, "Plain **bold** & <script>alert(1)</script>",
                      kind="article", title='Fish & "chips" < 5 ]]>', summary="Sum & mary",
                      tags=["Food"])
    await create_post(urls, local.member, "x", kind="article", title="Followers only",
                      visibility="followers", tags=["Food"])
    await create_post(urls, local.member, "x", kind="article", title="A draft", draft=True,
                      tags=["Food"])
    await create_post(urls, local.member, "a note #food", tags=["Food"])
    await create_post(urls, local.member, "x", kind="article", title="In the chapter",
                      chapter=local.chapter)


async def test_a_members_atom_feed_carries_public_articles_in_full(
        client: httpx.AsyncClient, settings: Settings) -> None:
    await _articles(settings)
    base = settings.server.base_url
    answer = await client.get("/users/alice/blog.atom")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/atom+xml")
    feed = ET.fromstring(answer.content)
    assert feed.tag == f"{A}feed"
    links = {link.get("rel"): link.get("href") for link in feed.iter(f"{A}link")
             if link.get("rel") in ("self", "alternate") and link in list(feed)}
    assert links == {"self": f"{base}/users/alice/blog.atom", "alternate": f"{base}/users/alice/blog"}
    entries = feed.findall(f"{A}entry")
    titles = [e.findtext(f"{A}title") for e in entries]
    assert titles == ["In the chapter", 'Fish & "chips" < 5 ]]>']
    fish = entries[1]
    content = fish.findtext(f"{A}content") or ""
    assert fish.find(f"{A}content").get("type") == "html"  # type: ignore[union-attr]
    assert "<strong>bold</strong>" in content and "<script" not in content
    assert fish.findtext(f"{A}summary") == "Sum & mary"
    link = fish.find(f"{A}link")
    assert link is not None and link.get("href", "").startswith(f"{base}/posts/")
    assert fish.findtext(f"{A}id") == link.get("href")
    assert [c.get("term") for c in fish.findall(f"{A}category")] == ["food"]
    assert fish.findtext(f"{A}author/{A}name") == "alice"


async def test_rss_feeds_of_a_chapter_and_a_category(
        client: httpx.AsyncClient, settings: Settings) -> None:
    await _articles(settings)
    base = settings.server.base_url
    chapter = await client.get("/chapters/greens_lyon/blog.rss")
    assert chapter.status_code == 200
    assert chapter.headers["content-type"].startswith("application/rss+xml")
    channel = ET.fromstring(chapter.content).find("channel")
    assert channel is not None and channel.findtext("link") == f"{base}/chapters/greens_lyon/blog"
    assert [i.findtext("title") for i in channel.findall("item")] == ["In the chapter"]

    tag = ET.fromstring((await client.get("/tags/FOOD.rss")).content).find("channel")
    assert tag is not None
    items = tag.findall("item")
    assert [i.findtext("title") for i in items] == ['Fish & "chips" < 5 ]]>']  # articles only
    [item] = items
    assert "<strong>bold</strong>" in (item.findtext("description") or "")
    assert item.findtext("guid", "").startswith(f"{base}/posts/")
    assert item.findtext("pubDate", "").endswith(("+0000", "GMT", "-0000"))
    assert [c.text for c in item.findall("category")] == ["Food"]
    atom = ET.fromstring((await client.get("/tags/food.atom")).content)
    assert len(atom.findall(f"{A}entry")) == 1


async def test_unknown_feeds_are_not_found_and_pages_advertise_theirs(
        client: httpx.AsyncClient, settings: Settings) -> None:
    await _articles(settings)
    assert (await client.get("/users/nobody/blog.atom")).status_code == 404
    assert (await client.get("/tags/never_used.rss")).status_code == 404
    assert (await client.get("/chapters/nowhere/blog.rss")).status_code == 404
    blog = await client.get("/users/alice/blog")
    assert 'href="/users/alice/blog.atom"' in blog.text
    assert 'href="/users/alice/blog.rss"' in blog.text
