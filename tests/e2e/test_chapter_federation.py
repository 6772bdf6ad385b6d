"""Chapters across three real servers on loopback (FEP-1b12, real signatures): a member on
B asks to join an approval chapter on A and A's coordinator accepts; the member's post in the
chapter reaches a member on C through the chapter's Announce; a post from a server that
wrongly believes its author is a member is refused, not announced; a sub-chapter on B names
its parent on A and both chapter pages show the link."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

import httpx
import pytest

from tests.e2e.test_federation import PASSWORD, domain, member
from tests.support.forms import post_form
from tests.support.polling import eventually
from tests.support.servers import RunningServer

pytestmark = pytest.mark.slow


async def browser_of(server: RunningServer, username: str, *, admin: bool = False
                     ) -> httpx.AsyncClient:
    """A browser logged in as a new member (or an admin, made with the CLI) of `server`."""
    if not admin:
        return await member(server, username)
    made = server.cli("create-admin", username, "--email", f"{username}@example.org",
                      "--password-stdin", stdin=PASSWORD + "\n")
    assert made.returncode == 0, made.stderr
    browser = httpx.AsyncClient(base_url=server.base_url, timeout=30)
    answer = await post_form(browser, "/login", {"identifier": username, "password": PASSWORD})
    assert answer.status_code == 303, answer.text
    return browser


async def ask_to_join(browser: httpx.AsyncClient, handle: str) -> None:
    answer = await post_form(browser, "/follow", {"handle": handle}, page="/following")
    assert answer.status_code == 303, answer.text


async def accept_request(coordinator: httpx.AsyncClient, handle: str) -> None:
    """The coordinator finds the request of `handle` in the queue and accepts it."""
    page = await eventually(lambda: _page_with(coordinator, "/follow-requests", handle),
                            f"the request of {handle} reaches the coordinator")
    item = next(li for li in page.split("<li>")[1:] if handle in li)
    follow_id = item.split('action="/follow-requests/')[1].split('"')[0]
    answer = await post_form(coordinator, f"/follow-requests/{follow_id}",
                             {"decision": "accept"}, page="/follow-requests")
    assert answer.status_code == 303, answer.text


async def post_in_chapter(browser: httpx.AsyncClient, chapter_name: str, text: str) -> str:
    """Write a post in the chapter chosen on the compose form; returns the post's path."""
    page = (await browser.get("/compose")).text
    found = re.search(rf'<option value="(\d+)"[^>]*>{re.escape(chapter_name)} \(', page)
    assert found, page
    answer = await post_form(browser, "/posts", {"text": text, "visibility": "public",
                                                 "chapter": found.group(1)}, page="/compose")
    assert answer.status_code == 303, answer.text
    return answer.headers["location"]


async def test_a_chapter_federates_its_members_posts_and_its_tree(
    start_servers: Callable[..., Awaitable[list[RunningServer]]],
) -> None:
    a, b, c = await start_servers(3)
    made = a.cli("create-chapter", "--name", "Paris", "--slug", "paris",
                 "--join-policy", "approval")
    assert made.returncode == 0, made.stderr
    paris = f"@paris@{domain(a)}"
    root = await browser_of(a, "root", admin=True)
    ana, bob, cid, dan = (await browser_of(a, "ana"), await browser_of(b, "bob"),
                          await browser_of(c, "cid"), await browser_of(b, "dan"))
    broot = await browser_of(b, "broot", admin=True)
    try:
        # ana joins, the admin accepts her and makes her the chapter's coordinator.
        await ask_to_join(ana, paris)
        await accept_request(root, f"@ana@{domain(a)}")
        made_coordinator = await post_form(root, "/chapters/paris/coordinators", {
            "action": "add", "handle": f"@ana@{domain(a)}"}, page="/chapters/paris/settings")
        assert made_coordinator.status_code == 303, made_coordinator.text

        # bob on B asks to join; the coordinator ana accepts; B tells bob.
        await ask_to_join(bob, paris)
        await accept_request(ana, f"@bob@{domain(b)}")
        await eventually(lambda: _page_with(bob, "/notifications", "Paris"),
                         "B notifies bob that the chapter accepted him")
        # cid on C joins too.
        await ask_to_join(cid, paris)
        await accept_request(ana, f"@cid@{domain(c)}")
        await eventually(lambda: _member_of(cid, paris), "C sees the chapter's Accept")
        members = await eventually(
            lambda: _page_with(ana, "/chapters/paris", f"@cid@{domain(c)}"),
            "the chapter page lists its members from other servers")
        assert f"@bob@{domain(b)}" in members

        # bob posts in the chapter from B: A announces it, C receives it.
        path = await post_in_chapter(bob, "Paris", "Assembly on Saturday at ten")
        uri = f"{b.base_url}{path}"
        await eventually(lambda: _count(a, "SELECT count(*) FROM boost WHERE uri LIKE ? AND "
                                           "post_id = (SELECT id FROM post WHERE uri = ?)",
                                        f"{a.base_url}/%", uri),
                         "the chapter on A shares bob's post")
        await eventually(lambda: _count(c, "SELECT count(*) FROM post WHERE uri = ? AND "
                                           "content_html LIKE '%Assembly on Saturday%'", uri),
                         "cid's server C receives bob's post through the chapter")
        await eventually(lambda: _count(c, "SELECT count(*) FROM boost WHERE uri LIKE ?",
                                        f"{a.base_url}/%"),
                         "C records the chapter's Announce")

        # dan's request is still pending at A, but B is made to believe he is a member: A
        # refuses his post in the members-only chapter and announces nothing.
        await ask_to_join(dan, paris)
        await eventually(lambda: _page_with(ana, "/follow-requests", f"@dan@{domain(b)}"),
                         "dan's request reaches A")
        assert await b.sql("UPDATE follow SET state = 'accepted' WHERE follower_id = "
                           "(SELECT id FROM actor WHERE username = 'dan')") == 1
        path = await post_in_chapter(dan, "Paris", "Let me speak for the chapter")
        dan_uri = f"{b.base_url}{path}"
        await eventually(lambda: _count(a, "SELECT count(*) FROM outbound_activity WHERE "
                                           "activity_type = 'Reject'"),
                         "A answers dan's post with a Reject")  # the only Reject in this run
        assert await a.sql("SELECT count(*) FROM post WHERE uri = ? AND chapter_id IS NULL",
                           dan_uri) == 1
        assert await a.sql("SELECT count(*) FROM boost WHERE post_id = "
                           "(SELECT id FROM post WHERE uri = ?)", dan_uri) == 0
        assert await c.sql("SELECT count(*) FROM post WHERE uri = ?", dan_uri) == 0

        # A sub-chapter on B names its parent on A: both pages show the link.
        made = await post_form(broot, "/chapters/new", {
            "name": "Paris Nord", "slug": "paris_nord", "description": "",
            "parent": "", "parent_remote": paris, "join_policy": "open",
            "members_visible": "on"}, page="/chapters/new")
        assert made.status_code == 303, made.text
        child = await broot.get("/chapters/paris_nord")
        assert "Part of" in child.text and f"{a.base_url}/chapters/paris" in child.text
        await eventually(lambda: _page_with(root, "/chapters/paris",
                                            f"@paris_nord@{domain(b)}"),
                         "A's chapter page lists the sub-chapter on B")
        directory = (await root.get("/chapters")).text
        assert f"@paris_nord@{domain(b)}" in directory
    finally:
        for browser in (root, ana, bob, cid, dan, broot):
            await browser.aclose()
    for server in (a, b, c):
        assert "Traceback" not in server.output(), server.output()


async def _count(server: RunningServer, query: str, *args: object) -> int | None:
    found = await server.sql(query, *args)
    return found or None


async def _member_of(browser: httpx.AsyncClient, handle: str) -> bool:
    page = (await browser.get("/following")).text
    return any(handle in item and "Request pending" not in item
               for item in page.split("<li>")[1:])


async def _page_with(browser: httpx.AsyncClient, path: str, text: str) -> str | None:
    page = (await browser.get(path)).text
    return page if text in page else None
