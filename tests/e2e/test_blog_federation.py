"""Blogs, comment threads and polls across three real servers on loopback (real signatures,
real workers) and a fake Mastodon server: ana's Article from the /write form reaches B and C
in full, with its category; bob comments from B, cid answers bob from C, and a Mastodon
reply (a real Mastodon Note, moved onto the fake server) lands in the same thread, which A
shows as a tree; ana's poll gets a vote from bob on B and a Mastodon-shaped vote, and the
batched results Update brings the counts to B."""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable
from html.parser import HTMLParser
from typing import Any

import httpx
import pytest

from tests.e2e.test_federation import _contains, domain, follow, followers, member
from tests.inbox.content_support import create_of, moved
from tests.support.fake_peer import FakePeer, fake_mastodon
from tests.support.forms import post_form
from tests.support.polling import eventually
from tests.support.servers import RunningServer

pytestmark = pytest.mark.slow

BODY = """Our **housing** campaign starts this spring.

## What we do

- visit the tenants of the Rue Longue
- map the empty flats

The last word: we meet every Thursday at the library."""
LAST_PARAGRAPH = "The last word: we meet every Thursday at the library."


class _Tree(HTMLParser):
    """Reads a post page's comment tree: for each comment (`<li id="c…">`) its depth and
    the comment it is nested in."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str | None] = []  # the <li> elements we are inside, by id
        self.depth: dict[str, int] = {}
        self.parent: dict[str, str | None] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "li":
            return
        ident = dict(attrs).get("id")
        if ident and ident.startswith("c"):
            comments = [i for i in self.open if i]
            self.depth[ident] = len(comments) + 1
            self.parent[ident] = comments[-1] if comments else None
        self.open.append(ident if ident and ident.startswith("c") else None)

    def handle_endtag(self, tag: str) -> None:
        if tag == "li" and self.open:
            self.open.pop()


def comment_tree(page: str) -> _Tree:
    section = page.split('id="comments"', 1)[1]
    tree = _Tree()
    tree.feed(section)
    return tree


async def local_id(server: RunningServer, uri: str) -> int:
    """`server`'s id of the post at `uri` (0 while it does not have it)."""
    return await server.sql("SELECT COALESCE(MAX(id), 0) FROM post WHERE uri = ?", uri)


async def stored_reply(server: RunningServer, parent_uri: str, text: str) -> int:
    """`server`'s id of the reply to `parent_uri` saying `text` (0 while it has none)."""
    return await server.sql("SELECT COALESCE(MAX(id), 0) FROM post WHERE in_reply_to_uri = ? "
                            "AND content_html LIKE ?", parent_uri, f"%{text}%")


async def option_votes(server: RunningServer, poll_uri: str, title: str) -> int:
    return await server.sql(
        "SELECT COALESCE(MAX(o.votes_count), -1) FROM poll_option o JOIN poll p ON p.id = o.poll_id JOIN post "
        "ON post.id = p.post_id WHERE post.uri = ? AND o.title = ?", poll_uri, title)


async def _equals(value: Awaitable[Any], expected: Any) -> bool:
    return await value == expected


async def _page_with(browser: httpx.AsyncClient, path: str, *texts: str) -> str | None:
    page = (await browser.get(path)).text
    return page if all(t in page for t in texts) else None


def mastodon_reply(peer: FakePeer, in_reply_to: str, author_uri: str,
                   author_handle: str) -> dict[str, Any]:
    """Mastodon's reply Note (interop/mastodon/note.json, a reply with a mention of the
    replied-to author) moved onto the fake server, answering `in_reply_to` by
    `author_uri`, wrapped in the Create Mastodon sends."""
    note = moved("mastodon/note.json", {
        "https://mastodon.madrid/users/felix": peer.actor_uri,
        "https://mastodon.madrid/@felix": f"{peer.origin}/@{peer.username}",
        "https://mamot.fr/users/retiolus/statuses/107224244380204526": in_reply_to,
        "https://mamot.fr/users/retiolus": author_uri,
        "https://mamot.fr/@retiolus": author_uri,
        "@retiolus@mamot.fr": author_handle,
        "tag:mamot.fr": f"tag:{peer.host}",
    })
    assert note["inReplyTo"] == in_reply_to and note["attributedTo"] == peer.actor_uri
    peer.serve(note["id"], note)  # its id answers, as on Mastodon
    return create_of(note, peer.actor_uri)


def mastodon_vote(peer: FakePeer, poll_uri: str, poll_author: str, option: str
                  ) -> dict[str, Any]:
    """Mastodon's vote (interop/mastodon/vote.json: a Create of a Note with `name`, no
    content, to the poll's author) by the fake server's actor for `option`."""
    vote = moved("mastodon/vote.json", {
        "https://mastodon.social/users/Gargron": peer.actor_uri,
        "https://chapters.example.org/users/alice": poll_author,
        "https://chapters.example.org/posts/POLL": poll_uri,
    })
    vote["object"]["name"] = option
    return vote


async def test_a_blog_post_its_comment_thread_and_a_poll_across_servers(
    start_servers: Callable[..., Awaitable[list[RunningServer]]],
) -> None:
    a, b, c = await start_servers(3)
    ana, bob, cid = await member(a, "ana"), await member(b, "bob"), await member(c, "cid")
    ana_uri = f"{a.base_url}/users/ana"
    try:
        with fake_mastodon() as masto:
            await _run(a, b, c, ana, bob, cid, ana_uri, masto)
    finally:
        for browser in (ana, bob, cid):
            await browser.aclose()
    for server in (a, b, c):
        assert "Traceback" not in server.output(), server.output()


async def _run(a: RunningServer, b: RunningServer, c: RunningServer, ana: httpx.AsyncClient,
               bob: httpx.AsyncClient, cid: httpx.AsyncClient, ana_uri: str,
               masto: FakePeer) -> None:
    # bob (B) and cid (C) follow ana; cid follows bob too, so bob's comment reaches C.
    await follow(bob, f"@ana@{domain(a)}")
    await follow(cid, f"@ana@{domain(a)}")
    await follow(cid, f"@bob@{domain(b)}")
    for who in (f"{b.base_url}/users/bob", f"{c.base_url}/users/cid"):
        await eventually(lambda who=who: _contains(followers(a, "/users/ana"), who),
                         f"A lists {who} among ana's followers")
    await eventually(lambda: _contains(followers(b, "/users/bob"), f"{c.base_url}/users/cid"),
                     "B lists cid among bob's followers")

    # 1. ana publishes an Article through /write (multipart, as a browser sends it with an
    # empty file field); B and C store it in full, with its category.
    written = await post_form(ana, "/write", {
        "title": "Housing campaign", "summary": "What we do this spring.",
        "categories": "Housing, ClimateJustice", "body": BODY, "cover_alt": "",
        "visibility": "public", "action": "publish"}, page="/write",
        files={"cover": ("", b"", "application/octet-stream")})
    assert written.status_code == 303, written.text
    path = written.headers["location"]
    uri = f"{a.base_url}{path}"
    for server in (b, c):
        await eventually(lambda server=server: local_id(server, uri),
                         f"{server.name} stores ana's article")
        assert await server.sql(
            "SELECT count(*) FROM post WHERE uri = ? AND kind = 'article' AND title = ? AND "
            "summary = ? AND content_html LIKE ? AND content_html LIKE ?", uri,
            "Housing campaign", "What we do this spring.", f"%{LAST_PARAGRAPH}%",
            "%<strong>housing</strong>%") == 1, f"{server.name} keeps the whole article"
        # The tags are written just after the post (their own transaction): wait for them.
        await eventually(lambda server=server: _tagged_twice(server, uri),
                         f"{server.name} files it under both categories")
    b_path = f"/posts/{await local_id(b, uri)}"
    copy = await bob.get(b_path)
    assert copy.status_code == 200
    assert "Housing campaign" in copy.text and LAST_PARAGRAPH in copy.text
    listed = await bob.get("/tags/housing")
    assert listed.status_code == 200 and "Housing campaign" in listed.text

    # 2. bob comments on B's copy; A and C get the comment.
    replied = await post_form(bob, f"{b_path}/reply", {"text": "I can map the Rue Longue."},
                              page=b_path)
    assert replied.status_code == 303, replied.text
    for server in (a, c):
        await eventually(lambda server=server: stored_reply(server, uri, "map the Rue Longue"),
                         f"bob's comment reaches {server.name}")
    bob_comment_uri = await _uri_of(b, await stored_reply(b, uri, "map the Rue Longue"))

    # 3. cid answers bob's comment from C's copy of it.
    c_comment = await stored_reply(c, uri, "map the Rue Longue")
    answered = await post_form(cid, f"/posts/{c_comment}/reply",
                               {"text": "I will come along, bob."}, page=f"/posts/{c_comment}")
    assert answered.status_code == 303, answered.text
    await eventually(lambda: stored_reply(b, bob_comment_uri, "come along"),
                     "cid's answer reaches bob on B")
    # It goes to bob and to ana, whose article is the thread's first post: a reply deep in
    # a thread goes to that post's author too, so the tree on A is whole.
    await eventually(lambda: stored_reply(a, bob_comment_uri, "come along"),
                     "cid's answer reaches A, where the thread lives")

    # 4. A Mastodon user replies to the article (a real Mastodon reply Note, signed).
    sent = await masto.post(f"{a.base_url}/inbox",
                            mastodon_reply(masto, uri, ana_uri, f"@ana@{domain(a)}"))
    assert sent.status_code == 202, sent.text
    await eventually(lambda: stored_reply(a, uri, "never been disappointed by a thinkpad"),
                     "the Mastodon reply lands in the thread on A")

    # A's page of the article shows the whole tree.
    page = await eventually(lambda: _page_with(ana, path, "3 comments"),
                            "A's article page counts 3 comments")
    tree = comment_tree(page)
    bob_on_a = f"c{await stored_reply(a, uri, 'map the Rue Longue')}"
    cid_on_a = f"c{await stored_reply(a, bob_comment_uri, 'come along')}"
    masto_on_a = f"c{await stored_reply(a, uri, 'thinkpad')}"
    assert tree.depth == {bob_on_a: 1, cid_on_a: 2, masto_on_a: 1}, tree.depth
    assert tree.parent[cid_on_a] == bob_on_a
    assert "I can map the Rue Longue." in page and "I will come along, bob." in page
    assert "Mastodon" in page and masto.host in page  # the remote author, by their server

    # 5. ana opens a poll from the compose form; bob votes from B, the Mastodon user by a
    # vote Note; A counts both and shows them.
    polled = await post_form(ana, "/posts", {
        "text": "Where do we meet next?", "visibility": "public",
        "poll_option": ["Library", "Town hall", "", ""],  # type: ignore[dict-item]
        "poll_duration": "3600"}, page="/compose")
    assert polled.status_code == 303, polled.text
    poll_path = polled.headers["location"]
    poll_uri = f"{a.base_url}{poll_path}"
    await eventually(lambda: b.sql("SELECT count(*) FROM poll_option o JOIN poll p ON p.id = "
                                   "o.poll_id JOIN post ON post.id = p.post_id WHERE "
                                   "post.uri = ?", poll_uri),
                     "B stores ana's poll with its options")
    b_poll = f"/posts/{await local_id(b, poll_uri)}"
    ballot_paper = (await bob.get(b_poll)).text
    found = re.search(r'name="choice" value="(\d+)"> Town hall<', ballot_paper)
    assert found, ballot_paper
    voted = await post_form(bob, f"{b_poll}/vote", {"choice": found.group(1)}, page=b_poll)
    assert voted.status_code == 303, voted.text
    await eventually(lambda: _equals(option_votes(a, poll_uri, "Town hall"), 1),
                     "A counts bob's vote")
    sent = await masto.post(f"{a.base_url}/inbox",
                            mastodon_vote(masto, poll_uri, ana_uri, "Library"))
    assert sent.status_code == 202, sent.text
    await eventually(lambda: _equals(option_votes(a, poll_uri, "Library"), 1),
                     "A counts the Mastodon vote")
    assert await option_votes(a, poll_uri, "Town hall") == 1
    assert await a.sql("SELECT voters_count FROM poll p JOIN post ON post.id = p.post_id "
                       "WHERE post.uri = ?", poll_uri) == 2
    assert "2 voters" in (await ana.get(poll_path)).text
    async with httpx.AsyncClient(base_url=a.base_url, timeout=30) as visitor:
        shown = (await visitor.get(poll_path)).text
    assert re.search(r'Library</th>\s*<td class="num">1</td>', shown), shown
    assert re.search(r'Town hall</th>\s*<td class="num">1</td>', shown), shown

    # The results Update is batched (content.polls.RESULTS_DELAY, a minute): the test moves
    # the clock for A's scheduled Update, and B's copy then shows both votes.
    moved_jobs = await a.sql(
        "UPDATE job SET run_at = ? WHERE name = 'outbox.publish' AND state = 'pending' AND "
        "CAST(payload AS TEXT) LIKE '%poll_results%'", int(time.time() * 1000))
    assert moved_jobs == 1
    for option in ("Library", "Town hall"):
        await eventually(lambda option=option: _equals(option_votes(b, poll_uri, option), 1),
                         f"B's copy counts the vote for {option}")
    assert "2 voters" in (await bob.get(b_poll)).text


async def _uri_of(server: RunningServer, post_id: int) -> str:
    """The uri of `server`'s post `post_id` (server.sql returns numbers only, so the uri is
    rebuilt from the id of a post `server` wrote itself)."""
    assert post_id
    return f"{server.base_url}/posts/{post_id}"


async def _tagged_twice(server: RunningServer, uri: str) -> bool:
    return await server.sql(
        "SELECT count(*) FROM post_tag pt JOIN tag t ON t.id = pt.tag_id JOIN post p "
        "ON p.id = pt.post_id WHERE p.uri = ? AND t.name IN ('housing', "
        "'climatejustice')", uri) == 2
