"""Posts between three real servers, acted on only through the member web forms: a post
reaches followers on both other servers; a reply, a like and a boost from another server
reach the author (and the replier's followers); the author's edit (Update) and delete
(Delete) reach every server that stored the post."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from tests.e2e.test_federation import _contains, domain, follow, followers, member
from tests.support.forms import post_form
from tests.support.polling import eventually
from tests.support.servers import RunningServer

pytestmark = pytest.mark.slow


async def stored(server: RunningServer, uri: str, condition: str = "1 = 1") -> int:
    """How many rows of `server`'s post table have this uri and meet `condition`."""
    return await server.sql(f"SELECT count(*) FROM post WHERE uri = ? AND {condition}", uri)


async def reactions(server: RunningServer, table: str, uri: str) -> int:
    """Likes (`post_like`) or boosts (`boost`) `server` records of the post at `uri`."""
    return await server.sql(f"SELECT count(*) FROM {table} r JOIN post p ON p.id = r.post_id "
                            "WHERE p.uri = ?", uri)


async def test_a_post_its_reactions_edit_and_delete_cross_servers(
    start_servers: Callable[..., Awaitable[list[RunningServer]]],
) -> None:
    a, b, c = await start_servers(3)
    ana, bob, cid = await member(a, "ana"), await member(b, "bob"), await member(c, "cid")
    try:
        # bob (B) and cid (C) follow ana (A); cid also follows bob, so bob's reply and boost
        # travel to C as well as to A.
        await follow(bob, f"@ana@{domain(a)}")
        await follow(cid, f"@ana@{domain(a)}")
        await follow(cid, f"@bob@{domain(b)}")
        for who in (f"{b.base_url}/users/bob", f"{c.base_url}/users/cid"):
            await eventually(lambda who=who: _contains(followers(a, "/users/ana"), who),
                             f"A lists {who} among ana's followers")
        await eventually(lambda: _contains(followers(b, "/users/bob"), f"{c.base_url}/users/cid"),
                         "B lists cid among bob's followers")

        # ana writes through the form; the Create reaches both other servers.
        written = await post_form(ana, "/posts", {"text": "Meeting on *Thursday*",
                                                  "visibility": "public"}, page="/compose")
        assert written.status_code == 303, written.text
        path = written.headers["location"]
        uri = f"{a.base_url}{path}"
        for server in (b, c):
            await eventually(lambda server=server: stored(server, uri),
                             f"{server.name} stores ana's post")

        # bob acts on B's copy of the post, at its page on B. There is no timeline yet to
        # click through to it, so the test reads B's id for the post from B's database;
        # everything bob does from there goes through B's forms.
        b_id = await b.sql("SELECT id FROM post WHERE uri = ?", uri)
        b_path = f"/posts/{b_id}"
        copy = await bob.get(b_path)
        assert copy.status_code == 200 and "<em>Thursday</em>" in copy.text

        replied = await post_form(bob, f"{b_path}/reply", {"text": "Count me in"}, page=b_path)
        assert replied.status_code == 303, replied.text
        for server in (a, c):
            await eventually(lambda server=server: server.sql(
                "SELECT count(*) FROM post WHERE in_reply_to_uri = ? AND content_html LIKE ?",
                uri, "%Count me in%"), f"bob's reply reaches {server.name}")
        assert "Count me in" in (await ana.get(path)).text  # listed under ana's post on A

        assert (await post_form(bob, f"{b_path}/like", {}, page=b_path)).status_code == 303
        await eventually(lambda: reactions(a, "post_like", uri), "bob's Like reaches A")
        assert "1 like" in (await ana.get(path)).text
        assert (await post_form(bob, f"{b_path}/unlike", {}, page=b_path)).status_code == 303
        await eventually(lambda: _zero(reactions(a, "post_like", uri)),
                         "bob's Undo Like reaches A")

        assert (await post_form(bob, f"{b_path}/boost", {}, page=b_path)).status_code == 303
        for server in (a, c):
            await eventually(lambda server=server: reactions(server, "boost", uri),
                             f"bob's Announce reaches {server.name}")

        # ana edits: the Update reaches B and C.
        edited = await post_form(ana, f"{path}/edit", {"text": "Meeting on *Friday*"}, page=path)
        assert edited.status_code == 303, edited.text
        for server in (b, c):
            await eventually(lambda server=server: stored(
                server, uri, "content_html LIKE '%Friday%' AND updated IS NOT NULL"),
                f"the Update reaches {server.name}")

        # ana deletes: B and C empty their copy and keep it marked deleted.
        deleted = await post_form(ana, f"{path}/delete", {}, page=path)
        assert deleted.status_code == 303, deleted.text
        assert (await ana.get(path)).status_code == 410
        for server in (b, c):
            await eventually(lambda server=server: stored(
                server, uri, "deleted_at IS NOT NULL AND content_html = ''"),
                f"the Delete reaches {server.name}")
        assert (await bob.get(b_path)).status_code == 404
    finally:
        for browser in (ana, bob, cid):
            await browser.aclose()
    for server in (a, b, c):
        assert "Traceback" not in server.output(), server.output()


async def _zero(count: Awaitable[int]) -> bool:
    return await count == 0

