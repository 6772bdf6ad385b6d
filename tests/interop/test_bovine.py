"""Interop with bovine-herd, a third-party ActivityPub server, over plain http on loopback:
WebFinger both ways, signed actor fetches, Follow and Accept in both directions, and a
Create(Note) from bovine stored by us."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.interop.conftest import Bovine
from tests.support.forms import post_form
from tests.support.polling import eventually
from tests.support.servers import RunningServer

pytestmark = pytest.mark.slow

PASSWORD = "a long enough password"
AP = {"Accept": "application/activity+json"}


def id_of(value: Any) -> Any:
    """bovine's inbox embeds the actor and object it resolved; compare their ids."""
    return value.get("id") if isinstance(value, dict) else value


async def _inbox_has(bovine: Bovine, kind: str, **fields: Any) -> dict[str, Any] | None:
    for item in bovine.drive("inbox"):
        if item.get("type") == kind and all(id_of(item.get(k)) == v for k, v in fields.items()):
            return dict(item)
    return None


async def _following_state(browser: httpx.AsyncClient, handle: str) -> str | None:
    page = (await browser.get("/following")).text
    for item in page.split("<li>")[1:]:
        if handle in item:
            return "pending" if "Request pending" in item else "accepted"
    return None


async def _followers(server: RunningServer, path: str) -> list[str]:
    async with httpx.AsyncClient(base_url=server.base_url, headers=AP) as web:
        return list((await web.get(f"{path}/followers?page=1")).json()["orderedItems"])


async def test_follows_both_ways_with_bovine_herd(
    bovine: Bovine, chapterhouse: RunningServer,
) -> None:
    ana_uri = f"{chapterhouse.base_url}/users/ana"
    async with httpx.AsyncClient(base_url=chapterhouse.base_url, timeout=30) as ana:
        joined = await post_form(ana, "/join", {
            "username": "ana", "email": "ana@example.org", "password": PASSWORD,
            "commitments": "accept"})
        assert joined.status_code == 303

        # bovine's actor, as its own client sees it; unsigned GETs are refused by bovine.
        bob = bovine.drive("actor")
        async with httpx.AsyncClient() as anonymous:
            assert (await anonymous.get(bob["id"], headers=AP)).status_code == 401

        # WebFinger and a signed fetch, bovine → us: bovine's server fetches our actor.
        fetched = bovine.drive("proxy", ana_uri)
        assert fetched["id"] == ana_uri and fetched["type"] == "Person"
        async with httpx.AsyncClient() as web:  # bovine answers WebFinger for its user
            finger = await web.get(f"{bovine.base_url}/.well-known/webfinger",
                                   params={"resource": f"acct:bob@{bovine.domain}"})
        assert [x["href"] for x in finger.json()["links"] if x["rel"] == "self"] == [bob["id"]]

        # Us → bovine: WebFinger and a signed fetch of bob (through the follow form), then
        # Follow; bovine does not accept by itself, its client answers Accept.
        follow = await post_form(ana, "/follow", {"handle": f"@bob@{bovine.domain}"},
                                 page="/following")
        assert follow.status_code == 303, follow.text
        assert await _following_state(ana, f"@bob@{bovine.domain}") == "pending"
        request = await eventually(lambda: _inbox_has(bovine, "Follow", actor=ana_uri),
                                   "our Follow reaches bovine's inbox")
        assert id_of(request["object"]) == bob["id"]
        assert bovine.drive("accept", request["id"])["status"] in (200, 201, 202)
        await eventually(lambda: _equals(_following_state(ana, f"@bob@{bovine.domain}"),
                                         "accepted"), "bovine's Accept reaches us")

        # Bovine → us: Follow of our member, answered Accept by us.
        assert bovine.drive("follow", ana_uri)["status"] in (200, 201, 202)
        await eventually(lambda: _contains(_followers(chapterhouse, "/users/ana"), bob["id"]),
                         "bovine's Follow is accepted here")
        accept = await eventually(lambda: _inbox_has(bovine, "Accept", actor=ana_uri),
                                  "our Accept reaches bovine's inbox")
        assert accept["object"]["type"] == "Follow"
        assert id_of(accept["object"]["actor"]) == bob["id"]

        # Bovine → us: a Create(Note) addressed to our member is stored.
        sent = bovine.drive("note", ana_uri, "Hello from <b>bovine</b>")
        assert sent["status"] in (200, 201, 202)
        stored = await eventually(
            lambda: _post_stored(chapterhouse, bob["id"]), "bovine's Note is stored here")
        assert stored == 1
    assert "Traceback" not in chapterhouse.output(), chapterhouse.output()


async def _post_stored(server: RunningServer, author_uri: str) -> int:
    return await server.sql(
        "SELECT count(*) FROM post JOIN actor ON actor.id = post.author_id "
        "WHERE actor.uri = ?", author_uri)


async def _contains(items: Any, item: str) -> bool:
    return item in await items


async def _equals(value: Any, expected: Any) -> bool:
    return bool(await value == expected)
