"""A formal ballot across three real servers on loopback (real signatures, real workers): a
chapter on A opens a ballot; bob on B, a member before voting opened, votes from B and A
counts it; cid on C, who left the chapter before voting opened, is refused with a Reject and
C no longer counts his paper; after the close B has the result, with the ranked rounds.

The services are called in each server's own database by a short Python process (as the
CLI does): the ballot pages are tested elsewhere; this test is about what crosses the
network."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_chapter_federation import ask_to_join, browser_of
from tests.e2e.test_federation import domain
from tests.support.forms import post_form
from tests.support.polling import eventually
from tests.support.servers import RunningServer

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
VOTING_IN, CLOSED_IN = 16, 28  # seconds from the ballot's opening

_RUNNER = """
import asyncio, json, sys
from chapterhouse.wiring import MODEL_MODULES
from core import db
from core.settings import load_settings
from tests.e2e import test_ballots_across_servers as here

async def main():
    settings = load_settings(sys.argv[1])
    await db.open_database(settings.database.url, MODEL_MODULES)
    try:
        out = await getattr(here, sys.argv[2])(settings, *json.loads(sys.argv[3]))
    finally:
        await db.close_database()
    print(json.dumps(out))

asyncio.run(main())
"""


def run_in(server: RunningServer, function: str, *args: Any) -> Any:
    """Call `function(settings, *args)` of this module in `server`'s database."""
    done = subprocess.run([sys.executable, "-c", _RUNNER, str(server.config), function,
                           json.dumps(args)], cwd=ROOT, capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- what runs inside a server's database -------------------------------------------------

async def open_chapter_ballot(settings: Any, opener: str, slug: str) -> str:
    """`opener` (an admin) opens a ranked ballot in chapter `slug`; returns its post uri."""
    from actors.models import Actor
    from actors.urls import LocalUrls
    from content.ballots import open_ballot
    from content.models import Post
    from core import clock

    now = clock.now()
    ballot = await open_ballot(
        LocalUrls(settings.server.base_url), await Actor.get(username=opener, domain__isnull=True),
        chapter=await Actor.get(username=slug, domain__isnull=True, kind="Group"),
        title="What do we build?", description="Our spring project.", method="ranked",
        proposals_at=now, amendments_at=None, voting_at=now + timedelta(seconds=VOTING_IN),
        ends_at=now + timedelta(seconds=CLOSED_IN),
        proposals=[("Solar roof", "On the hall."), ("Bike shed", "By the gate."),
                   ("Garden", "Behind.")])
    post = await Post.get(id=ballot.post_id)  # type: ignore[attr-defined]
    return post.uri


async def vote_by_titles(settings: Any, username: str, post_uri: str,
                         titles: list[str]) -> str:
    """The member `username` ranks the proposals named `titles` in the ballot `post_uri`
    (a copy of another server's): what B's and C's vote buttons do."""
    from actors.models import Actor
    from actors.urls import LocalUrls
    from content.ballots import ballot_of, cast_vote, proposals_of
    from content.models import Post

    ballot = await ballot_of(await Post.get(uri=post_uri))
    assert ballot is not None
    by_title = {p.title: p.id for p in await proposals_of(ballot)}
    receipt = await cast_vote(LocalUrls(settings.server.base_url),
                              ballot, await Actor.get(username=username, domain__isnull=True),
                              [by_title[t] for t in titles])
    return receipt.uri


async def result_of(settings: Any, post_uri: str) -> dict[str, Any] | None:
    """The result of the ballot `post_uri` as this server keeps it, proposals by title."""
    from content.ballot_models import Ballot, BallotProposal

    ballot = await Ballot.get(post__uri=post_uri)
    if ballot.phase != "closed" or not ballot.result:
        return None
    titles = {str(p.id): p.title for p in await BallotProposal.filter(ballot_id=ballot.id)}
    rounds = [{titles.get(k, k): n for k, n in r["counts"].items()}
              for r in ballot.result["irv"]["rounds"]]
    return {"winners": [titles.get(w, w) for w in ballot.result["winners"]],
            "rounds": rounds, "voters": ballot.voters_count}


# --- the test -----------------------------------------------------------------------------

async def test_a_ballot_counts_a_member_elsewhere_and_refuses_a_non_member(
    start_servers: Callable[..., Awaitable[list[RunningServer]]],
) -> None:
    a, b, c = await start_servers(3)
    made = a.cli("create-chapter", "--name", "Paris", "--slug", "paris",
                 "--join-policy", "open")
    assert made.returncode == 0, made.stderr
    paris = f"@paris@{domain(a)}"
    root = await browser_of(a, "root", admin=True)
    bob, cid = await browser_of(b, "bob"), await browser_of(c, "cid")
    try:
        await ask_to_join(bob, paris)
        await ask_to_join(cid, paris)
        await eventually(lambda: _count(a, "SELECT count(*) FROM follow WHERE state = "
                                           "'accepted' AND followed_id = (SELECT id FROM "
                                           "actor WHERE username = 'paris')", want=2),
                         "the chapter on A has bob and cid as members")
        uri = run_in(a, "open_chapter_ballot", "root", "paris")
        for server in (b, c):
            await eventually(lambda s=server: _count(  # type: ignore[misc]
                s, "SELECT count(*) FROM ballot WHERE post_id = (SELECT id FROM post "
                   "WHERE uri = ?)", uri), f"{server.name} gets the ballot")
        # cid leaves the chapter before voting opens: he is not on the list.
        chapter_id = await a.sql("SELECT id FROM actor WHERE username = 'paris'")
        remote_id = await c.sql("SELECT id FROM actor WHERE uri = ?",
                                f"{a.base_url}/chapters/paris")
        left = await post_form(cid, "/unfollow", {"actor": str(remote_id)}, page="/following")
        assert left.status_code == 303, left.text
        await eventually(lambda: _count(a, "SELECT count(*) FROM follow WHERE followed_id "
                                           "= ?", chapter_id, want=1),
                         "A sees cid leave")
        await eventually(lambda: _count(a, "SELECT count(*) FROM ballot WHERE phase = "
                                           "'voting' AND eligible_count = 1"),
                         "voting opens on A with bob as the one eligible member",
                         within=VOTING_IN + 10)
        await eventually(lambda: _count(b, "SELECT count(*) FROM ballot WHERE phase = "
                                           "'voting'"), "B hears that voting opened")

        bob_paper = run_in(b, "vote_by_titles", "bob", uri, ["Garden", "Solar roof"])
        cid_paper = run_in(c, "vote_by_titles", "cid", uri, ["Bike shed"])
        await eventually(lambda: _count(a, "SELECT count(*) FROM ballot_receipt WHERE uri "
                                           "= ?", f"{bob_paper}/activity"),
                         "A counts bob's paper")
        assert await a.sql("SELECT count(*) FROM ballot_vote") == 1
        await eventually(lambda: _count(c, "SELECT count(*) FROM inbound_activity WHERE "
                                           "activity_type = 'Reject' AND state = "
                                           "'processed'"),
                         "C gets and applies A's Reject of cid's paper")
        assert await a.sql("SELECT count(*) FROM ballot_receipt WHERE uri = ?",
                           f"{cid_paper}/activity") == 0
        assert await c.sql("SELECT count(*) FROM ballot_receipt") == 0  # not counted
        assert await c.sql("SELECT count(*) FROM notification WHERE kind = "
                           "'ballot_vote_refused'") == 1
        assert await b.sql("SELECT count(*) FROM ballot_receipt") == 1  # bob's stands

        # After the close B has the result as A counted it.
        result = await eventually(lambda: _result(b, uri), "B receives the result",
                                  within=CLOSED_IN + 10)
        assert result == run_in(a, "result_of", uri)
        assert result["winners"] == ["Garden"] and result["voters"] == 1
        assert result["rounds"][0]["Garden"] == 1  # the rounds, with proposals matched
    finally:
        for browser in (root, bob, cid):
            await browser.aclose()
    for server in (a, b, c):
        assert "Traceback" not in server.output(), server.output()


async def _count(server: RunningServer, query: str, *args: object,
                 want: int | None = None) -> int | None:
    found = await server.sql(query, *args)
    if want is not None:
        return found if found == want else None
    return found or None


async def _result(server: RunningServer, uri: str) -> dict[str, Any] | None:
    if not await server.sql("SELECT count(*) FROM ballot WHERE phase = 'closed'"):
        return None
    found: dict[str, Any] | None = run_in(server, "result_of", uri)
    return found

