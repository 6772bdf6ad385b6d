"""What we send about formal ballots: the Question with `chapterhouse:ballot` and a poll
that Mastodon reads (checked against a real Mastodon Question and read back as Mastodon
reads it), an Update on every phase change with the tally and the ranked-choice rounds
once closed — never who chose what — and a member's paper on another server's ballot."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import httpx

from actors.accounts import Registration, register_member
from actors.chapters import appoint_member
from actors.models import Actor
from actors.urls import LocalUrls
from content.ballot_models import Ballot
from content.ballots import cast_vote, proposals_of
from core import clock
from core.settings import Settings
from federation import APObject
from tests.inbox.content_support import moved, send
from tests.inbox.fediverse import FakeFediverse, Local, load_interop
from tests.inbox.group_support import join
from tests.inbox.test_ballot_votes import CHAPTERHOUSE, moved_clock, open_test_ballot

Drain = Callable[[], Awaitable[int]]
AP = "application/activity+json"
NS = "https://chapterhouse.social/ns#"

__all__ = ["moved_clock"]  # the fixture, shared with the inbox tests


def _shape(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shape(value[0])] if value else []
    return type(value).__name__


def _defines_prefix(context: Any) -> bool:
    items = context if isinstance(context, list) else [context]
    return any(isinstance(i, dict) and i.get("chapterhouse") == NS for i in items)


def _mastodon_reads(question: dict[str, Any]) -> list[tuple[str, int]]:
    """What Mastodon takes from a Question: the options of oneOf/anyOf and their counts
    (it ignores terms it does not know, such as `chapterhouse:ballot`)."""
    parsed = APObject.from_ap(question)
    return [(o.name, o.votes or 0) for o in parsed.options]


def _updates(fediverse: FakeFediverse, inbox: str) -> list[dict[str, Any]]:
    return [b for b in fediverse.posts(inbox) if b["type"] == "Update"]


async def test_our_ballot_is_a_question_with_the_extension_and_a_poll_for_mastodon(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    gargron = fediverse.person("mastodon.test", "Gargron")
    await join(fed_client, settings, gargron, "greens_lyon", drain_jobs)
    post = await open_test_ballot(settings, local, "approval")
    await drain_jobs()
    [create] = [b for b in fediverse.posts("https://mastodon.test/inbox")
                if b["type"] == "Create"]
    ours, theirs = create["object"], load_interop("mastodon/question.json")
    assert ours["type"] == "Question" and ours["id"] == post.uri
    assert _shape(ours["anyOf"]) == _shape(theirs["oneOf"]) and "oneOf" not in ours
    assert _shape(ours["endTime"]) == _shape(theirs["endTime"]) and ours["endTime"][-1] == "Z"
    assert _mastodon_reads(ours) == [("Solar roof", 0), ("Bike shed", 0), ("Garden", 0)]
    assert APObject.from_ap(ours).multiple_choice and "closed" not in ours
    assert "<strong>spring</strong>" in ours["content"]
    assert f'This is a formal ballot: vote on <a href="{post.uri}">' in ours["content"]
    assert _defines_prefix(create["@context"])
    ext = ours["chapterhouse:ballot"]
    ballot = await Ballot.get(post_id=post.id)
    proposals = await proposals_of(ballot)
    assert {k: ext[k] for k in ("method", "secret", "phase", "seats", "eligibleCount",
                                "votersCount", "quorum", "threshold")} == {
        "method": "approval", "secret": False, "phase": "proposals", "seats": 1,
        "eligibleCount": 0, "votersCount": 0, "quorum": "", "threshold": ""}
    assert datetime.fromisoformat(ext["votingAt"]) == ballot.voting_at.replace(microsecond=0)
    assert ext["endTime"] == ours["endTime"] and ext["amendmentsAt"] is None
    assert [(p["id"], p["name"]) for p in ext["proposals"]] == [
        (f"{post.uri}#proposal-{p.id}", p.title) for p in proposals]
    assert ext["proposals"][0]["content"] == "<p>We build the solar roof.</p>\n"
    assert "result" not in ext
    # The ballot's id answers the same document.
    doc = (await fed_client.get(f"/posts/{post.id}", headers={"Accept": AP})).json()
    assert doc["chapterhouse:ballot"]["proposals"] == ext["proposals"]
    assert _defines_prefix(doc["@context"])


async def test_phase_changes_are_sent_and_the_close_brings_the_tally_and_the_rounds(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain, moved_clock: Callable[[timedelta], None],
) -> None:
    bea = fediverse.person("chapterhouse.test", "bea")
    await join(fed_client, settings, bea, "greens_lyon", drain_jobs)
    post = await open_test_ballot(settings, local, "ranked", secret=True,
                                  titles=("Solar roof", "Bike shed", "Garden", "Pond"))
    urls = LocalUrls(settings.server.base_url)
    others = []
    for name in ("cyd", "dee", "eli", "fay"):
        account = await register_member(
            Registration(name, f"{name}@example.org", "correct horse battery", True),
            settings.registration)
        other = await Actor.get(id=account.actor_id)  # type: ignore[attr-defined]
        await appoint_member(local.chapter, other)
        others.append(other)
    moved_clock(timedelta(minutes=11))
    await drain_jobs()
    inbox = "https://chapterhouse.test/inbox"
    [opened] = _updates(fediverse, inbox)
    ext = opened["object"]["chapterhouse:ballot"]
    assert ext["phase"] == "voting" and ext["eligibleCount"] == 6
    ballot = await Ballot.get(post_id=post.id)
    solar, shed, garden, pond = await proposals_of(ballot)
    papers = [[solar.id, shed.id], [solar.id, garden.id], [shed.id, garden.id],
              [garden.id, shed.id], [pond.id, shed.id]]
    for voter, choice in zip([local.member, *others], papers, strict=True):
        await cast_vote(urls, ballot, voter, list(choice))
    moved_clock(timedelta(minutes=41))
    await drain_jobs()
    opened, closed = _updates(fediverse, inbox)
    question = closed["object"]
    ext = question["chapterhouse:ballot"]
    assert ext["phase"] == "closed" and question["closed"].endswith("Z")
    assert ext["votersCount"] == question["votersCount"] == 5
    uri = {str(p.id): p.uri for p in (solar, shed, garden, pond)}
    result = ext["result"]
    stored = (await Ballot.get(id=ballot.id)).result or {}
    # The tally as counted here, with proposals named by uri.
    assert result["irv"]["rounds"][0]["counts"] == {
        uri[k]: n for k, n in stored["irv"]["rounds"][0]["counts"].items()}
    assert [r["eliminated"] for r in result["irv"]["rounds"]] == [
        [uri[i] for i in r["eliminated"]] for r in stored["irv"]["rounds"]]
    assert len(result["irv"]["rounds"]) >= 2 and result["method"] == "ranked"
    assert result["winners"] == [uri[i] for i in stored["winners"]]
    assert result["schulze"]["ranking"] == [uri[i] for i in stored["schulze"]["ranking"]]
    # Mastodon sees first preferences once closed (2 solar, 1 shed, 1 garden, 1 pond).
    assert _mastodon_reads(question) == [("Solar roof", 2), ("Bike shed", 1), ("Garden", 1),
                                         ("Pond", 1)]
    # A secret ballot: no voter is named anywhere in what we send.
    sent = json.dumps([opened, closed])
    for voter in (local.member, *others):
        assert urls.actor(voter) not in sent
    # Whoever follows the chapter hears of it; a later Update goes to bea as a voter too.
    assert closed["actor"] == urls.actor(local.chapter)


async def test_a_members_paper_on_another_servers_ballot_is_one_note_to_its_author(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain, moved_clock: Callable[[timedelta], None],
) -> None:
    group = fediverse.person("chapterhouse.test", "greens_berlin",
                             uri="https://chapterhouse.test/chapters/greens_berlin")
    group.doc.update({"type": "Group"})
    fediverse.publish(group)
    create = moved("chapterhouse/ballot_create.json", CHAPTERHOUSE)
    assert await send(fed_client, settings, create, group) == 202
    await drain_jobs()
    ballot = await Ballot.get(post__uri=create["object"]["id"]).prefetch_related("post")
    solar, _, garden = await proposals_of(ballot)
    moved_clock(datetime.fromisoformat("2026-05-20T12:00:00+00:00") - clock.now())
    urls = LocalUrls(settings.server.base_url)
    receipt = await cast_vote(urls, ballot, local.member, [garden.id, solar.id])
    clock.set_clock(None)
    await drain_jobs()
    [vote] = fediverse.posts("https://chapterhouse.test/inbox")
    me = urls.actor(local.member)
    assert (vote["type"], vote["actor"], vote["to"]) == ("Create", me, [group.uri])
    note = vote["object"]
    assert note["id"] == receipt.uri and vote["id"] == f"{receipt.uri}/activity"
    assert (note["type"], note["inReplyTo"], note["attributedTo"]) == (
        "Note", ballot.post.uri, me)
    assert note["chapterhouse:choice"] == [garden.uri, solar.uri]
    # Several proposals ranked: `name` names no option, so plain poll software ignores it.
    assert note["name"] == ballot.post.title and "content" not in note
    assert _defines_prefix(vote["@context"])
