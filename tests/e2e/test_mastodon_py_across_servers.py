"""Mastodon.py, a real client library, used by members of two real servers on loopback:
it finds a remote member and a remote chapter by handle (search with resolve), follows
both, reads the remote member's post on its home timeline, replies to it, votes in the
remote member's poll, and each side sees the other's actions in its notifications."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from mastodon import Mastodon

from tests.e2e.test_federation import PASSWORD, domain, member
from tests.support.polling import eventually
from tests.support.servers import RunningServer

pytestmark = pytest.mark.slow

DEADLINE = 45.0


async def logged_in(server: RunningServer, username: str) -> Mastodon:
    """A Mastodon.py client logged in (password grant) as a new member of `server`."""
    browser = await member(server, username)
    await browser.aclose()

    def log_in() -> Mastodon:
        client_id, secret = Mastodon.create_app("Across servers", api_base_url=server.base_url,
                                                scopes=["read", "write", "follow"])
        api = Mastodon(client_id=client_id, client_secret=secret,
                       api_base_url=server.base_url)
        api.log_in(f"{username}@example.org", PASSWORD, allow_http=True,
                   scopes=["read", "write", "follow"])
        return api

    return await asyncio.to_thread(log_in)


async def call(method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return await asyncio.to_thread(method, *args, **kwargs)


async def test_mastodon_py_follows_reads_replies_and_votes_across_servers(
    start_servers: Callable[..., Awaitable[list[RunningServer]]],
) -> None:
    a, b = await start_servers(2)
    made = b.cli("create-chapter", "--name", "Riverside", "--slug", "riverside",
                 "--join-policy", "open")
    assert made.returncode == 0, made.stderr
    ana, bea = await logged_in(a, "ana"), await logged_in(b, "bea")

    # Ana finds Bea and the chapter by handle: search with resolve fetches them from B.
    found = await call(ana.search_v2, f"@bea@{domain(b)}", resolve=True)
    assert [acc["acct"] for acc in found["accounts"]] == [f"bea@{domain(b)}"]
    bea_there = found["accounts"][0]
    chapter = (await call(ana.search_v2, f"riverside@{domain(b)}", resolve=True))["accounts"]
    assert len(chapter) == 1 and chapter[0]["group"] is True
    assert chapter[0]["display_name"] == "Riverside"

    # Ana follows both; B accepts (Bea is not locked, the chapter is open).
    await call(ana.account_follow, bea_there["id"])
    await call(ana.account_follow, chapter[0]["id"])

    async def following() -> bool:
        rels = await call(ana.account_relationships, [bea_there["id"], chapter[0]["id"]])
        return all(rel["following"] for rel in rels)

    await eventually(following, "B accepts both follows", DEADLINE)
    bea_followers = await call(bea.account_followers, (await call(bea.me))["id"])
    assert [acc["acct"] for acc in bea_followers] == [f"ana@{domain(a)}"]

    # Bea posts a poll; it reaches Ana's home timeline, where she votes and replies.
    poll = await call(bea.make_poll, ["Saturday", "Sunday"], expires_in=3600)
    posted = await call(bea.status_post, "When do we meet?", poll=poll)

    async def seen_on_a() -> dict[str, Any] | None:
        home = await call(ana.timeline_home)
        return next((s for s in home if "When do we meet?" in s["content"]), None)

    there = await eventually(seen_on_a, "Bea's poll reaches Ana's home timeline", DEADLINE)
    assert there["account"]["acct"] == f"bea@{domain(b)}"
    assert [o["title"] for o in there["poll"]["options"]] == ["Saturday", "Sunday"]
    voted = await call(ana.poll_vote, there["poll"]["id"], [1])
    assert voted["voted"] is True and voted["own_votes"] == [1]
    reply = await call(ana.status_reply, there, "Sunday suits me")
    assert reply["in_reply_to_id"] == there["id"]

    # On B: the vote is counted on Bea's poll, and Bea is told of the mention in the reply.
    async def counted() -> bool:
        mine = await call(bea.poll, posted["poll"]["id"])
        return [o["votes_count"] for o in mine["options"]] == [0, 1]

    await eventually(counted, "Ana's vote is counted on B", DEADLINE)

    async def mentioned() -> dict[str, Any] | None:
        told = await call(bea.notifications, types=["mention"])
        return next((n for n in told if n["account"]["acct"] == f"ana@{domain(a)}"), None)

    mention = await eventually(mentioned, "Bea is notified of Ana's reply", DEADLINE)
    assert "Sunday suits me" in mention["status"]["content"]
    context = await call(bea.status_context, posted["id"])
    assert [s["account"]["acct"] for s in context["descendants"]] == [f"ana@{domain(a)}"]

    # Bea favourites the reply: Ana gets a favourite notification on A.
    await call(bea.status_favourite, mention["status"]["id"])

    async def favourited() -> dict[str, Any] | None:
        told = await call(ana.notifications, types=["favourite"])
        return told[0] if told else None

    fav = await eventually(favourited, "Ana is notified of Bea's favourite", DEADLINE)
    assert fav["account"]["acct"] == f"bea@{domain(b)}" and fav["status"]["id"] == reply["id"]
    await call(ana.notifications_clear)
    assert await call(ana.notifications) == []
