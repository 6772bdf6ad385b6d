"""Federation between three real servers on loopback, with real signatures: WebFinger, follows
from the web form (accepted at once, and pending until an admin accepts), Undo, and a
delivery that waits while its server is down and arrives after it comes back."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from tests.support.forms import post_form
from tests.support.polling import eventually
from tests.support.servers import RunningServer

pytestmark = pytest.mark.slow

PASSWORD = "a long enough password"
AP = {"Accept": "application/activity+json"}


def domain(server: RunningServer) -> str:
    return server.base_url.removeprefix("http://")


async def member(server: RunningServer, username: str) -> httpx.AsyncClient:
    """A browser logged in as a new member of `server`."""
    browser = httpx.AsyncClient(base_url=server.base_url, timeout=30)
    joined = await post_form(browser, "/join", {
        "username": username, "email": f"{username}@example.org", "password": PASSWORD,
        "commitments": "accept"})
    assert joined.status_code == 303, joined.text
    return browser


async def follow(browser: httpx.AsyncClient, handle: str) -> None:
    answer = await post_form(browser, "/follow", {"handle": handle}, page="/following")
    assert answer.status_code == 303, answer.text


async def followers(server: RunningServer, path: str) -> list[str]:
    async with httpx.AsyncClient(base_url=server.base_url, headers=AP) as web:
        page = await web.get(f"{path}/followers?page=1")
        assert page.status_code == 200, page.text
        return list(page.json()["orderedItems"])


async def following_state(browser: httpx.AsyncClient, handle: str) -> str | None:
    """"accepted", "pending" or None, as the member's /following page shows `handle`."""
    page = (await browser.get("/following")).text
    for item in page.split("<li>")[1:]:
        if handle in item:
            return "pending" if "Request pending" in item else "accepted"
    return None


async def test_members_and_chapters_follow_across_servers(
    start_servers: Callable[..., Awaitable[list[RunningServer]]],
) -> None:
    a, b, c = await start_servers(3)
    made = a.cli("create-chapter", "--name", "Paris", "--slug", "paris",
                 "--join-policy", "approval")
    assert made.returncode == 0, made.stderr
    made = a.cli("create-admin", "root", "--email", "root@example.org", "--password-stdin",
                 stdin=PASSWORD + "\n")
    assert made.returncode == 0, made.stderr
    ana, bob, cid = await member(a, "ana"), await member(b, "bob"), await member(c, "cid")
    admin = httpx.AsyncClient(base_url=a.base_url, timeout=30)
    assert (await post_form(admin, "/login", {"identifier": "root", "password": PASSWORD})
            ).status_code == 303
    try:
        # WebFinger across servers, acct with the port.
        finger = await bob.get(f"{a.base_url}/.well-known/webfinger",
                               params={"resource": f"acct:ana@{domain(a)}"})
        assert finger.status_code == 200
        [self_link] = [x for x in finger.json()["links"] if x["rel"] == "self"]
        assert self_link["href"] == f"{a.base_url}/users/ana"

        # A member follows a member: accepted on both sides.
        await follow(bob, f"@ana@{domain(a)}")
        bob_uri = f"{b.base_url}/users/bob"
        await eventually(lambda: _contains(followers(a, "/users/ana"), bob_uri),
                         "A lists B's member among ana's followers")
        await eventually(lambda: _equals(following_state(bob, f"@ana@{domain(a)}"), "accepted"),
                         "B shows the follow accepted")

        # A member follows an approval chapter: pending until an admin of A accepts.
        await follow(cid, f"paris@{domain(a)}")
        requests = await eventually(lambda: _page_with(admin, "/follow-requests", "@cid@"),
                                    "the request reaches A's admins")
        assert f"@cid@{domain(c)}" in requests
        assert await following_state(cid, f"@paris@{domain(a)}") == "pending"
        follow_id = requests.split('action="/follow-requests/')[1].split('"')[0]
        accepted = await post_form(admin, f"/follow-requests/{follow_id}",
                                   {"decision": "accept"}, page="/follow-requests")
        assert accepted.status_code == 303
        await eventually(lambda: _equals(following_state(cid, f"@paris@{domain(a)}"),
                                         "accepted"), "C sees the chapter's Accept")

        # Unfollowing propagates (Undo).
        bob_follows = (await bob.get("/following")).text
        actor_id = bob_follows.split('name="actor" value="')[1].split('"')[0]
        await post_form(bob, "/unfollow", {"actor": actor_id}, page="/following")
        await eventually(lambda: _lacks(followers(a, "/users/ana"), bob_uri),
                         "A drops B's member from ana's followers")

        # A delivery to a server that is down arrives after it comes back.
        await follow(ana, f"@cid@{domain(c)}")
        ana_uri = f"{a.base_url}/users/ana"
        await eventually(lambda: _contains(followers(c, "/users/cid"), ana_uri),
                         "C lists ana among cid's followers")
        c.stop()
        ana_follows = (await ana.get("/following")).text
        actor_id = ana_follows.split('name="actor" value="')[1].split('"')[0]
        await post_form(ana, "/unfollow", {"actor": actor_id}, page="/following")
        await eventually(lambda: a.retried_jobs("outbox.deliver"),
                         "A's delivery of the Undo to C fails and waits for a retry")
        await c.start()
        assert ana_uri in await followers(c, "/users/cid")  # nothing arrived while down
        assert await a.make_jobs_due("outbox.deliver") == 1
        await eventually(lambda: _lacks(followers(c, "/users/cid"), ana_uri),
                         "the retried Undo reaches C")
    finally:
        for browser in (ana, bob, cid, admin):
            await browser.aclose()
    for server in (a, b, c):
        assert "Traceback" not in server.output(), server.output()


async def _contains(items: Awaitable[list[str]], item: str) -> bool:
    return item in await items


async def _lacks(items: Awaitable[list[str]], item: str) -> bool:
    return item not in await items


async def _equals(value: Awaitable[Any], expected: Any) -> bool:
    return await value == expected


async def _page_with(browser: httpx.AsyncClient, path: str, text: str) -> str | None:
    page = (await browser.get(path)).text
    return page if text in page else None
