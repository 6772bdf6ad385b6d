"""Atom and RSS 2.0 feeds of blogs and categories: a member's blog, a chapter's blog and a
category (/users/{u}/blog.atom|.rss, /chapters/{slug}/blog.atom|.rss, /tags/{name}.atom|.rss).

Only public, published Articles by our members are in a feed (a feed reader is anonymous;
the visibility policy decides), with their full sanitized HTML. The XML is built with
xml.etree, which escapes every text and attribute — never by joining strings."""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from actors.models import Actor
from content.models import Post, Tag
from content.tags import normalize_tag, tag_named, tags_of
from content.visibility import listed_to, shown_on_pages
from core import clock
from outbox.render import derive_summary, tag_url

FEED_SIZE = 20
ATOM_NS = "http://www.w3.org/2005/Atom"
ATOM_TYPE = "application/atom+xml; charset=utf-8"
RSS_TYPE = "application/rss+xml; charset=utf-8"


@dataclass(frozen=True)
class Feed:
    """What a feed is about: its title, the page it mirrors and its own address (absolute,
    without the .atom/.rss ending)."""

    title: str
    page: str
    address: str
    description: str


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


async def feed_posts(query: Any) -> list[Post]:
    """The newest public Articles of `query` that anyone may read here, live and published
    (drafts never), as an anonymous reader sees them."""
    open_to_all = await listed_to(await shown_on_pages(query, None), None)
    return await open_to_all.filter(kind="article", visibility="public").order_by(
        "-published", "-id").limit(FEED_SIZE).prefetch_related("author")


def _author_name(actor: Actor) -> str:
    return actor.display_name or actor.username


def atom_document(base: str, feed: Feed, posts: list[Post],
                  categories: dict[int, list[Tag]]) -> bytes:
    """An Atom 1.0 feed (RFC 4287) of `posts`."""
    ET.register_namespace("", ATOM_NS)

    def sub(parent: ET.Element, name: str, text: str | None = None,
            **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM_NS}}}{name}", attrs)
        if text is not None:
            element.text = text
        return element

    root = ET.Element(f"{{{ATOM_NS}}}feed")
    sub(root, "id", feed.address)
    sub(root, "title", feed.title)
    sub(root, "subtitle", feed.description)
    newest = max((p.updated or p.published for p in posts), default=clock.now())
    sub(root, "updated", _iso(newest))
    sub(root, "link", rel="alternate", type="text/html", href=feed.page)
    sub(root, "link", rel="self", type="application/atom+xml", href=f"{feed.address}.atom")
    sub(root, "generator", "Chapterhouse")
    for post in posts:
        entry = sub(root, "entry")
        link = post.url or post.uri
        sub(entry, "id", post.uri)
        sub(entry, "title", post.title)
        sub(entry, "link", rel="alternate", type="text/html", href=link)
        sub(entry, "published", _iso(post.published))
        sub(entry, "updated", _iso(post.updated or post.published))
        writer: Actor = post.author  # type: ignore[assignment]
        author = sub(entry, "author")
        sub(author, "name", _author_name(writer))
        sub(author, "uri", f"{base}/users/{writer.username}")
        for tag in categories.get(post.id, []):
            sub(entry, "category", term=tag.name, label=tag.display,
                scheme=f"{base}/tags/")
        sub(entry, "summary", derive_summary(post), type="text")
        sub(entry, "content", post.content_html, type="html")
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


def rss_document(base: str, feed: Feed, posts: list[Post],
                 categories: dict[int, list[Tag]]) -> bytes:
    """An RSS 2.0 feed of `posts`; the full HTML is each item's description."""
    ET.register_namespace("atom", ATOM_NS)
    root = ET.Element("rss", {"version": "2.0"})
    channel = ET.SubElement(root, "channel")

    def sub(parent: ET.Element, name: str, text: str | None = None,
            **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, name, attrs)
        if text is not None:
            element.text = text
        return element

    sub(channel, "title", feed.title)
    sub(channel, "link", feed.page)
    # RSS readers render a description as HTML: the plain text is escaped first.
    sub(channel, "description", html.escape(feed.description))
    ET.SubElement(channel, f"{{{ATOM_NS}}}link", {
        "href": f"{feed.address}.rss", "rel": "self", "type": "application/rss+xml"})
    sub(channel, "generator", "Chapterhouse")
    if posts:
        sub(channel, "lastBuildDate", format_datetime(max(p.updated or p.published
                                                          for p in posts)))
    for post in posts:
        item = sub(channel, "item")
        sub(item, "title", post.title)
        sub(item, "link", post.url or post.uri)
        sub(item, "guid", post.uri, isPermaLink="true")
        sub(item, "pubDate", format_datetime(post.published))
        writer: Actor = post.author  # type: ignore[assignment]
        sub(item, "author", f"{writer.username}@{base.split('://', 1)[-1]} "
                            f"({_author_name(writer)})")
        for tag in categories.get(post.id, []):
            sub(item, "category", tag.display, domain=f"{base}/tags/")
        sub(item, "description", post.content_html)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


async def _answer(request: Request, feed: Feed, query: Any, kind: str) -> Response:
    base = request.app.state.settings.server.base_url.rstrip("/")
    posts = await feed_posts(query)
    categories = {p.id: await tags_of(p) for p in posts}
    if kind == "atom":
        body, media_type = atom_document(base, feed, posts, categories), ATOM_TYPE
    else:
        body, media_type = rss_document(base, feed, posts, categories), RSS_TYPE
    return Response(body, media_type=media_type,
                    headers={"cache-control": "public, max-age=300",
                             "x-content-type-options": "nosniff"})


def _missing() -> Response:
    return Response("not found", status_code=404, media_type="text/plain")


async def _local(username: str, kind: str) -> Actor | None:
    return await Actor.get_or_none(acct_key=Actor.key_for(username, None), kind=kind)


async def member_feed(request: Request, kind: str) -> Response:
    owner = await _local(request.path_params["username"], "Person")
    if owner is None:
        return _missing()
    base = request.app.state.settings.server.base_url.rstrip("/")
    page = f"{base}/users/{owner.username}/blog"
    feed = Feed(f"{_author_name(owner)} — {request.app.state.settings.instance.name}",
                page, page, f"The blog of @{owner.username}")
    return await _answer(request, feed, Post.filter(author_id=owner.id),
                         kind)


async def chapter_feed(request: Request, kind: str) -> Response:
    owner = await _local(request.path_params["slug"], "Group")
    if owner is None:
        return _missing()
    base = request.app.state.settings.server.base_url.rstrip("/")
    page = f"{base}/chapters/{owner.username}/blog"
    feed = Feed(f"{_author_name(owner)} — {request.app.state.settings.instance.name}",
                page, page, f"The blog of the chapter {_author_name(owner)}")
    return await _answer(request, feed, Post.filter(chapter_id=owner.id),
                         kind)


async def tag_feed(request: Request, kind: str) -> Response:
    key = normalize_tag(request.path_params["name"])
    tag = await tag_named(key) if key else None
    if tag is None:
        return _missing()
    base = request.app.state.settings.server.base_url.rstrip("/")
    page = tag_url(base, tag.name)
    feed = Feed(f"#{tag.display} — {request.app.state.settings.instance.name}", page, page,
                f"Articles in the category {tag.display}")
    return await _answer(request, feed, Post.filter(post_tags__tag_id=tag.id),
                         kind)


Handler = Callable[[Request, str], Awaitable[Response]]


def _as(handler: Handler, kind: str) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        return await handler(request, kind)

    return endpoint


def routes() -> list[Route]:
    return [
        Route(f"{path}.{kind}", _as(handler, kind), methods=["GET"])
        for path, handler in (("/users/{username}/blog", member_feed),
                              ("/chapters/{slug}/blog", chapter_feed),
                              ("/tags/{name}", tag_feed))
        for kind in ("atom", "rss")
    ]
