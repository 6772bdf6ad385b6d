"""Hostile values in every field a member, an admin or another server controls, stored
through the real paths (web forms, the signed inbox), then every page and JSON document that
shows them is parsed with html.parser: the value must be visible as text and nothing
executable may come from it.

Adding a field or a page is one line in FIELDS or PAGES."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from xml.etree import ElementTree

import httpx

from core.settings import Settings
from tests.inbox.fediverse import FakeFediverse, fed_client, fediverse, registry
from tests.security.hostile_world import (
    AppFor,
    Drain,
    World,
    build_world,
    witness,
    write_articles_threads_ballots,
)
from tests.security.xss_corpus import MARKER, elements_of, fragment_problems, page_problems

__all__ = ["fed_client", "fediverse", "registry"]  # fixtures of the fake fediverse

AP = "application/activity+json"
@dataclass(frozen=True)
class Page:
    path: str  # formatted with the World's ids
    viewer: str  # "anonymous", "mallory" (the hostile member) or "admin"
    shows: tuple[str, ...]  # witness words the page must show


#: Every page that renders a hostile field, with the fields it must show.
PAGES = (
    Page("/", "anonymous", (witness("chapter name"), witness("chapter description"),
                            witness("campaign label"))),
    Page("/chapters", "anonymous", (witness("chapter name"),)),
    Page("/chapters/{slug}", "anonymous", (witness("chapter name"),
                                           witness("chapter description"),
                                           witness("chapter post text"))),
    Page("/chapters/{slug}", "admin", (witness("chapter name"), witness("chapter post text"))),
    Page("/chapters/{slug}/settings", "admin", (witness("chapter name"),
                                                witness("chapter description"))),
    Page("/users/mallory", "anonymous", (witness("display name (join form)"),)),
    Page("/posts/{post}", "anonymous", (witness("post text (Markdown)"),
                                        witness("reply text (Markdown)"),
                                        witness("display name (join form)"))),
    # Members also see other servers' replies (anonymous readers do not), and the author
    # gets the edit form holding the Markdown source.
    Page("/posts/{post}", "mallory", (witness("post text (Markdown)"),
                                      witness("reply text (Markdown)"),
                                      witness("remote reply content"),
                                      witness("remote actor name"))),
    Page("/posts/{poll}", "admin", (witness("poll text"), "zqopt0", "zqopt9")),
    Page("/posts/{poll}", "mallory", (witness("poll text"), "zqopt0", "zqopt9")),
    Page("/posts/{remote_reply}", "admin", (witness("remote reply content"),
                                            witness("remote actor name"))),
    Page("/posts/{sneaky}", "admin", ("zqsneaky",)),
    Page("/posts/{article}", "admin", (witness("remote article name"),
                                       witness("remote article summary"))),
    Page("/posts/{question}", "admin", (witness("remote question content"), "zqqopt0")),
    Page("/notifications", "mallory", (witness("remote actor name"),)),
    Page("/notifications", "admin", (witness("remote actor name"), witness("chapter name"))),
    Page("/follow-requests", "admin", (witness("remote actor name"),
                                       witness("chapter name"))),
    Page("/admin/applications", "admin", (witness("application reason (join form)"),
                                          witness("applicant display name"))),
    Page("/campaign", "anonymous", (witness("campaign label"),)),
    Page("/admin/campaign", "admin", (witness("campaign label"),)),
    Page("/invitations", "mallory", (witness("invitation note"),)),
    Page("/compose", "admin", (witness("chapter name"),)),
    Page("/timeline", "mallory", (witness("post text (Markdown)"),)),
    Page("/timeline/local", "admin", (witness("post text (Markdown)"), witness("poll text"),
                                      witness("chapter post text"),
                                      witness("display name (join form)"))),
    Page("/timeline/federated", "admin", (witness("remote article name"),
                                          witness("remote actor name"))),
    # Search snippets are built by us around <mark>: the hostile text must stay text.
    Page("/search?q=zqpost", "admin", (witness("post text (Markdown)"),)),
    Page("/search?q=zqpost", "anonymous", (witness("post text (Markdown)"),)),
)
#: Pages of blogs, forums and ballots (web/ui/blogs.py, forums.py, ballots.py).
WRITING_PAGES = (
    Page("/posts/{article}", "anonymous", (witness("blog title"), witness("blog summary"),
                                           witness("blog text (Markdown)"),
                                           witness("cover alt text"))),
    Page("/users/mallory/blog", "anonymous", (witness("blog title"),)),
    Page("/posts/{article}/edit-article", "mallory", (witness("blog title"),
                                                      witness("blog summary"),
                                                      witness("blog text (Markdown)"))),
    Page("/chapters/{slug}/forum", "admin", (witness("forum thread title"),)),
    Page("/posts/{thread}", "admin", (witness("forum thread title"),
                                      witness("forum thread text (Markdown)"))),
    Page("/ballots/{ballot}", "admin", (witness("ballot title"), witness("ballot description"),
                                        witness("proposal title"), witness("proposal text"))),
    Page("/ballots", "admin", (witness("ballot title"),)),
    Page("/chapters/{slug}/ballots", "admin", (witness("ballot title"),)),
)


class _Text(HTMLParser):
    """All the text a reader sees or a form holds: text nodes, input values, alt texts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("input", "option"):
            self.parts.extend(v or "" for k, v in attrs if k == "value")
        if tag == "img":
            self.parts.extend(v or "" for k, v in attrs if k == "alt")


def text_of(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    parser.close()
    return " ".join(parser.parts)


async def _check_pages(world: World, pages: tuple[Page, ...]) -> dict[str, object]:
    """Each page as its viewer gets it: 200, the fields it must show, nothing executable."""
    failures: dict[str, object] = {}
    for page in pages:
        path = page.path.format(**world.ids)
        answer = await world.clients[page.viewer].get(path)
        where = f"{page.viewer} {page.path}"
        if answer.status_code != 200:
            failures[where] = f"status {answer.status_code}"
            continue
        problems = page_problems(answer.text)
        text = text_of(answer.text)
        missing = [w for w in page.shows if w not in text]
        if problems or missing:
            failures[where] = {"problems": problems, "not shown": missing}
    return failures


async def test_no_page_shows_executable_markup_from_any_hostile_field(
    app_for: AppFor, make_settings: Callable[..., Settings], settings: Settings,
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, drain_jobs: Drain,
) -> None:
    world = await build_world(app_for, make_settings, settings, fed_client, fediverse,
                              drain_jobs)
    failures = await _check_pages(world, PAGES)
    assert failures == {}, json.dumps(failures, indent=1)


async def test_blogs_forums_and_ballots_show_no_executable_markup(
    app_for: AppFor, make_settings: Callable[..., Settings], settings: Settings,
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, drain_jobs: Drain,
) -> None:
    world = await build_world(app_for, make_settings, settings, fed_client, fediverse,
                              drain_jobs)
    await write_articles_threads_ballots(world)
    failures = await _check_pages(world, WRITING_PAGES)
    answer = await world.clients["anonymous"].get(f"/posts/{world.ids['article']}",
                                                  headers={"accept": AP})
    article = json.loads(answer.text)
    for field in ("content", "summary"):
        if found := _content_problems(field, article.get(field)):
            failures[f"article JSON {field}"] = found
    preview = article.get("preview") or {}
    # The preview Note is built by outbox/render.py from escaped plain text, with our own
    # link (no rel/target needed there): nothing executable is the bar.
    if found := _content_problems("preview", preview.get("content")):
        failures["article JSON preview"] = found
    assert failures == {}, json.dumps(failures, indent=1)


async def test_blog_feeds_give_feed_readers_no_executable_html(
    app_for: AppFor, make_settings: Callable[..., Settings], settings: Settings,
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, drain_jobs: Drain,
) -> None:
    world = await build_world(app_for, make_settings, settings, fed_client, fediverse,
                              drain_jobs)
    await write_articles_threads_ballots(world)
    failures = await _feed_problems(world.clients["anonymous"])
    assert failures == {}, json.dumps(failures, indent=1)


#: Feed elements that readers render as HTML: Atom text constructs typed html, RSS
#: descriptions (RSS 2.0: "entity-encoded HTML is allowed").
FEEDS = ("/users/mallory/blog", "/chapters/hostile/blog", "/tags/zqcategory")


async def _feed_problems(reader: httpx.AsyncClient) -> dict[str, object]:
    failures: dict[str, object] = {}
    shown = ""
    for path in (f"{feed}.{kind}" for feed in FEEDS for kind in ("atom", "rss")):
        answer = await reader.get(path)
        if answer.status_code != 200:
            failures[path] = f"status {answer.status_code}"
            continue
        for element in ElementTree.fromstring(answer.content).iter():
            name = element.tag.rsplit("}", 1)[-1]
            as_html = element.get("type") in ("html", "xhtml") or name == "description"
            if as_html and (found := page_problems(element.text or "")):
                failures[f"{path} <{name}>"] = found
            shown += f" {element.text or ''}"
    for field in ("blog title", "blog text (Markdown)", "chapter name"):
        if witness(field) not in shown:
            failures[f"feeds: {field}"] = "not shown"
    return failures


def _content_problems(field: str, value: object) -> list[str]:
    if value is None:
        return []
    assert isinstance(value, str), (field, value)
    return page_problems(value) + (fragment_problems(value) if field == "content" else [])


async def test_our_activitypub_documents_carry_only_sanitized_html(
    app_for: AppFor, make_settings: Callable[..., Settings], settings: Settings,
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, drain_jobs: Drain,
) -> None:
    world = await build_world(app_for, make_settings, settings, fed_client, fediverse,
                              drain_jobs)
    reader = world.clients["anonymous"]
    failures: dict[str, object] = {}
    for path in ("/posts/{post}", "/posts/{poll}", "/posts/{chapter_post}", "/users/mallory",
                 "/chapters/{slug}"):
        path = path.format(**world.ids)
        answer = await reader.get(path, headers={"accept": AP})
        assert answer.status_code == 200, (path, answer.text)
        doc = json.loads(answer.text)
        for field in ("content", "summary"):
            found = _content_problems(field, doc.get(field))
            if found:
                failures[f"{path} {field}"] = found
        if path.startswith("/posts/") and MARKER not in json.dumps(doc.get("content")):
            # The witness text of the post must be there: the check ran on real content.
            failures[f"{path} content"] = "no hostile content rendered"
        for option in doc.get("oneOf", []) + doc.get("anyOf", []):
            # Option names are plain text (Mastodon escapes them); never markup once escaped.
            assert isinstance(option["name"], str) and "zqopt" in option["name"]
    links = [e for e in elements_of(json.loads((await reader.get(
        f"/posts/{world.ids['post']}", headers={"accept": AP})).text)["content"]) if e.tag == "a"]
    assert all(dict(a.attrs).get("href", "https://").startswith(("https://", "http://"))
               for a in links)
    assert failures == {}
