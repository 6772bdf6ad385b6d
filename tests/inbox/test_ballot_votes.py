"""Formal ballots through the real inbox: papers from eligible remote members are counted,
papers from anyone else are refused with a Reject and leave nothing behind, unreadable ones
are dropped with a reason; another Chapterhouse's ballot Question is kept as a ballot (not a
straw poll) and refreshed, with its result, by its Update; and a Reject of one of our
members' papers tells the member it was not counted."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from actors.chapters import appoint_member, set_coordinator
from actors.models import Actor
from actors.urls import LocalUrls
from content.ballot_models import Ballot, BallotProposal, BallotReceipt, BallotVote
from content.ballots import cast_vote, open_ballot, proposals_of
from content.models import Notification, Poll, Post
from core import clock
from core.settings import Settings
from inbox.models import InboundActivity
from tests.inbox.content_support import create_of, moved, send
from tests.inbox.fediverse import FakeActor, FakeFediverse, Local, load_interop
from tests.inbox.group_support import join

Drain = Callable[[], Awaitable[int]]
MASTODON = {"https://mastodon.social": "https://mastodon.test"}
#: Our own fixtures are written for https://a.example; the tests move them to a fake host.
CHAPTERHOUSE = {"https://a.example": "https://chapterhouse.test"}
CHOICE = "chapterhouse:choice"


@pytest.fixture
async def moved_clock() -> AsyncIterator[Callable[[timedelta], None]]:
    """Move the project's clock forward from now (phases run by their dates); restored."""
    base = clock.now()

    def move(by: timedelta) -> None:
        clock.set_clock(lambda: base + by)

    yield move
    clock.set_clock(None)


async def open_test_ballot(settings: Settings, local: Local, method: str, *,
                           secret: bool = False, titles: tuple[str, ...] = (
                               "Solar roof", "Bike shed", "Garden")) -> Post:
    """alice, coordinator of the open chapter greens_lyon, opens a ballot: proposals now,
    voting in 10 minutes, closed in 40 (moved clocks stay within the signatures' window)."""
    chapter = local.chapter
    await appoint_member(chapter, local.member)
    await set_coordinator(chapter, local.member, True)
    now = clock.now()
    ballot = await open_ballot(
        LocalUrls(settings.server.base_url), local.member, chapter=chapter,
        title="What do we build?", description="Our **spring** project.", method=method,
        secret=secret, proposals_at=now, amendments_at=None,
        voting_at=now + timedelta(minutes=10), ends_at=now + timedelta(minutes=40),
        proposals=[(t, f"We build the {t.lower()}.") for t in titles])
    return await Post.get(id=ballot.post_id).prefetch_related("author")  # type: ignore[attr-defined]


def paper(voter: FakeActor, post: Post, n: int, *, name: str | None = None,
          choice: Any = None) -> dict[str, Any]:
    """A vote Note to the ballot's author, in a Create (Chapterhouse's or Mastodon's)."""
    note: dict[str, Any] = {"id": f"{voter.uri}#votes/{n}", "type": "Note",
                            "attributedTo": voter.uri, "inReplyTo": post.uri,
                            "to": [post.author.uri or ""], "name": name or post.title}
    if choice is not None:
        note[CHOICE] = choice
    return create_of(note, voter.uri)


def mastodon_vote(voter: FakeActor, post: Post, author_uri: str, name: str, n: int,
                  ) -> dict[str, Any]:
    """Mastodon's vote fixture, re-aimed at our ballot and voter."""
    text = (json.dumps(moved("mastodon/vote.json", MASTODON))
            .replace("https://chapters.example.org/posts/POLL", post.uri)
            .replace("https://chapters.example.org/users/alice", author_uri)
            .replace("https://mastodon.test/users/Gargron", voter.uri)
            .replace("#votes/58214", f"#votes/{n}"))
    doc: dict[str, Any] = json.loads(text)
    doc["object"]["name"] = name
    return doc


async def outcome_of(activity_id: str) -> tuple[str, str | None]:
    row = await InboundActivity.get(activity_id=activity_id)
    return row.state, row.error


def rejects(fediverse: FakeFediverse, inbox: str) -> list[dict[str, Any]]:
    return [b for b in fediverse.posts(inbox) if b["type"] == "Reject"]


async def test_an_eligible_remote_member_ranks_the_proposals_and_is_counted_once(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain, moved_clock: Callable[[timedelta], None],
) -> None:
    post = await open_test_ballot(settings, local, "ranked")
    bea = fediverse.person("chapterhouse.test", "bea")
    await join(fed_client, settings, bea, "greens_lyon", drain_jobs)  # before voting opens
    moved_clock(timedelta(minutes=11))
    await drain_jobs()  # the phase job: voting opens, the list of voters is taken
    ballot = await Ballot.get(post_id=post.id)
    assert ballot.phase == "voting" and ballot.eligible_count == 2  # alice and bea
    solar, shed, garden = await proposals_of(ballot)
    ranking = [garden.uri, solar.uri]  # a partial ranking, best first
    vote = paper(bea, post, 1, choice=ranking)
    assert await send(fed_client, settings, vote, bea) == 202
    await drain_jobs()
    assert await outcome_of(vote["id"]) == ("processed", None)
    receipt = await BallotReceipt.get(ballot_id=ballot.id)
    assert receipt.uri == vote["id"] and receipt.voter_id == (await Actor.get(uri=bea.uri)).id  # type: ignore[attr-defined]
    [row] = await BallotVote.filter(ballot_id=ballot.id)
    assert row.choice == [str(garden.id), str(solar.id)]
    assert (await Ballot.get(id=ballot.id)).voters_count == 1
    assert await Post.filter(in_reply_to_uri=post.uri).count() == 0  # a paper is no reply
    # A second paper (a new activity) is refused: the first stands.
    again = paper(bea, post, 2, choice=[shed.uri])
    assert await send(fed_client, settings, again, bea) == 202
    await drain_jobs()
    [reject] = rejects(fediverse, "https://chapterhouse.test/inbox")
    assert reject["actor"] == LocalUrls(settings.server.base_url).actor(local.chapter)
    assert reject["object"]["id"] == again["id"] and reject["to"] == [bea.uri]
    assert await BallotVote.filter(ballot_id=ballot.id).count() == 1
    assert (await Ballot.get(id=ballot.id)).voters_count == 1


async def test_a_non_member_is_refused_with_a_reject_and_nothing_is_kept(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain, moved_clock: Callable[[timedelta], None],
) -> None:
    post = await open_test_ballot(settings, local, "approval", secret=True)
    carl = fediverse.person("other.test", "carl")
    moved_clock(timedelta(minutes=11))
    await drain_jobs()
    ballot = await Ballot.get(post_id=post.id)
    solar, shed, _ = await proposals_of(ballot)
    vote = paper(carl, post, 1, choice=[solar.uri, shed.uri])
    assert await send(fed_client, settings, vote, carl) == 202
    await drain_jobs()
    [reject] = rejects(fediverse, "https://other.test/inbox")
    assert reject["type"] == "Reject" and reject["to"] == [carl.uri]
    assert reject["object"]["id"] == vote["id"] and reject["object"]["type"] == "Create"
    assert reject["object"]["object"]["inReplyTo"] == post.uri
    assert "chapterhouse" in json.dumps(reject["@context"])
    assert await BallotReceipt.all().count() == 0 and await BallotVote.all().count() == 0
    assert (await Ballot.get(id=ballot.id)).voters_count == 0
    # Joining now is too late: the list was taken when voting opened.
    await join(fed_client, settings, carl, "greens_lyon", drain_jobs)
    later = paper(carl, post, 2, choice=[solar.uri])
    assert await send(fed_client, settings, later, carl) == 202
    await drain_jobs()
    assert len(rejects(fediverse, "https://other.test/inbox")) == 2
    assert await BallotReceipt.all().count() == 0


async def test_papers_before_voting_are_refused_and_unreadable_ones_dropped(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain, moved_clock: Callable[[timedelta], None],
) -> None:
    post = await open_test_ballot(settings, local, "consent")
    bea = fediverse.person("chapterhouse.test", "bea")
    await join(fed_client, settings, bea, "greens_lyon", drain_jobs)
    ballot = await Ballot.get(post_id=post.id)
    solar, shed, garden = await proposals_of(ballot)
    full = {solar.uri: "agree", shed.uri: "block", garden.uri: "abstain"}
    early = paper(bea, post, 1, choice=full)
    assert await send(fed_client, settings, early, bea) == 202
    await drain_jobs()
    assert len(rejects(fediverse, "https://chapterhouse.test/inbox")) == 1  # not open yet
    moved_clock(timedelta(minutes=11))
    await drain_jobs()
    unknown = paper(bea, post, 2, choice={**full, f"{post.uri}#proposal-1": "agree"})
    partial = paper(bea, post, 3, choice={solar.uri: "agree"})
    named = mastodon_vote(bea, post, post.author.uri or "", "Solar roof", 4)
    for doc in (unknown, partial, named):
        assert await send(fed_client, settings, doc, bea) == 202
        await drain_jobs()
    assert await outcome_of(unknown["id"]) == (
        "ignored", f"ballot paper: no proposal '{post.uri}#proposal-1'")
    state, reason = await outcome_of(partial["id"])
    assert state == "ignored" and "Answer every proposal" in (reason or "")
    assert await outcome_of(named["id"]) == (
        "ignored", "ballot paper: a consent paper needs a position on every proposal "
                   "(chapterhouse:choice)")
    assert len(rejects(fediverse, "https://chapterhouse.test/inbox")) == 1  # only the early
    good = paper(bea, post, 5, choice=full)
    assert await send(fed_client, settings, good, bea) == 202
    await drain_jobs()
    [row] = await BallotVote.all()
    assert row.choice == {str(solar.id): "agree", str(shed.id): "block",
                          str(garden.id): "abstain"}


async def test_a_mastodon_vote_counts_as_a_single_choice(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain, moved_clock: Callable[[timedelta], None],
) -> None:
    post = await open_test_ballot(settings, local, "single")
    gargron = fediverse.person("mastodon.test", "Gargron")
    await join(fed_client, settings, gargron, "greens_lyon", drain_jobs)
    moved_clock(timedelta(minutes=11))
    await drain_jobs()
    author = post.author.uri or LocalUrls(settings.server.base_url).actor(local.chapter)
    first = mastodon_vote(gargron, post, author, "Bike shed", 1)
    second = mastodon_vote(gargron, post, author, "Garden", 2)
    for doc in (first, second):  # Mastodon would only send one for a oneOf poll
        assert await send(fed_client, settings, doc, gargron) == 202
        await drain_jobs()
    ballot = await Ballot.get(post_id=post.id)
    shed = (await proposals_of(ballot))[1]
    [row] = await BallotVote.filter(ballot_id=ballot.id)
    assert row.choice == [str(shed.id)]
    [reject] = rejects(fediverse, "https://mastodon.test/inbox")
    assert reject["object"]["id"] == second["id"]


def _their_question(fixture: str) -> dict[str, Any]:
    return moved(f"chapterhouse/{fixture}", CHAPTERHOUSE)


async def test_another_chapterhouse_ballot_is_kept_as_a_ballot_and_refreshed(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    group = fediverse.person("chapterhouse.test", "greens_berlin",
                             uri="https://chapterhouse.test/chapters/greens_berlin")
    group.doc.update({"type": "Group", "name": "Greens Berlin"})
    fediverse.publish(group)
    create = _their_question("ballot_create.json")
    question = create["object"]
    assert await send(fed_client, settings, create, group) == 202
    await drain_jobs()
    post = await Post.get(uri=question["id"])
    ballot = await Ballot.get(post_id=post.id)
    assert post.kind == "question" and post.title == "What do we build?"
    assert (ballot.method, ballot.secret, ballot.phase) == ("ranked", True, "voting")
    assert ballot.eligible_count == 12 and ballot.voters_count == 3
    assert ballot.ends_at == datetime.fromisoformat("2026-05-20T18:00:00+00:00")
    proposals = list(await BallotProposal.filter(ballot_id=ballot.id).order_by("position"))
    assert [(p.uri, p.title) for p in proposals] == [
        (p["id"], p["name"]) for p in question["chapterhouse:ballot"]["proposals"]]
    assert "<script" not in proposals[0].text_html and "solar" in proposals[0].text_html
    assert not await Poll.filter(post_id=post.id).exists()  # not a straw poll here
    # Its Update after the close brings the result, proposals named as our copy names them.
    update = _their_question("ballot_update_closed.json")
    assert await send(fed_client, settings, update, group) == 202
    await drain_jobs()
    ballot = await Ballot.get(id=ballot.id)
    assert ballot.phase == "closed" and ballot.closed_at is not None
    ids = {p.uri: str(p.id) for p in proposals}
    result = ballot.result or {}
    published = update["object"]["chapterhouse:ballot"]["result"]
    assert result["winners"] == [ids[u] for u in published["winners"]]
    assert [r["counts"] for r in result["irv"]["rounds"]] == [
        {ids[u]: n for u, n in r["counts"].items()} for r in published["irv"]["rounds"]]
    assert result["schulze"]["ranking"] == [ids[u] for u in published["schulze"]["ranking"]]
    # Someone else's Update of that ballot changes nothing.
    mallory = fediverse.person("chapterhouse.test", "mallory")
    forged = json.loads(json.dumps(update).replace(group.uri, mallory.uri))
    forged["id"] += "-forged"
    assert await send(fed_client, settings, forged, mallory) == 202
    await drain_jobs()
    assert (await outcome_of(forged["id"]))[0] == "ignored"


async def test_a_reject_of_our_members_paper_means_it_was_not_counted(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain, moved_clock: Callable[[timedelta], None],
) -> None:
    group = fediverse.person("chapterhouse.test", "greens_berlin",
                             uri="https://chapterhouse.test/chapters/greens_berlin")
    group.doc.update({"type": "Group"})
    fediverse.publish(group)
    create = _their_question("ballot_create.json")
    assert await send(fed_client, settings, create, group) == 202
    await drain_jobs()
    post = await Post.get(uri=create["object"]["id"])
    ballot = await Ballot.get(post_id=post.id)
    moved_clock(datetime.fromisoformat("2026-05-20T12:00:00+00:00") - clock.now())
    proposals = await proposals_of(ballot)
    urls = LocalUrls(settings.server.base_url)
    receipt = await cast_vote(urls, ballot, local.member, [proposals[1].id])
    clock.set_clock(None)
    await drain_jobs()
    [sent] = fediverse.posts("https://chapterhouse.test/inbox")
    assert sent["object"]["id"] == receipt.uri
    reject = {"@context": load_interop("chapterhouse/ballot_create.json")["@context"],
              "id": "https://chapterhouse.test/activities/Reject/1", "type": "Reject",
              "actor": group.uri, "to": [urls.actor(local.member)],
              "object": {"id": sent["id"], "type": "Create", "actor": sent["actor"],
                         "object": {"type": "Note", "inReplyTo": post.uri}}}
    forged = dict(reject, id="https://other.test/activities/Reject/1", actor=None)
    stranger = fediverse.person("other.test", "stranger")
    forged["actor"] = stranger.uri
    assert await send(fed_client, settings, forged, stranger) == 202
    await drain_jobs()
    assert await BallotReceipt.filter(id=receipt.id).exists()  # only the author may refuse
    assert await send(fed_client, settings, reject, group) == 202
    await drain_jobs()
    assert not await BallotReceipt.filter(id=receipt.id).exists()
    note = await Notification.get(recipient_id=local.member.id, kind="ballot_vote_refused")
    assert note.post_id == post.id  # type: ignore[attr-defined]
