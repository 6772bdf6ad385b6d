"""Formal ballots, the service: who may open one and what is checked, proposals and
amendments in their phases, one vote per eligible voter, results against hand-computed
counts, and ballots of other servers (mirrored proposals, our votes sent, votes refused)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from actors.models import Account, Actor, Follow
from actors.roles import add_coordinator
from actors.urls import LocalUrls
from content.ballot_models import Amendment, Ballot, BallotProposal, BallotReceipt, BallotVote
from content.ballots import (
    REJECT_KIND,
    UPDATE_KIND,
    VOTE_KIND,
    AlreadyVoted,
    NotEligible,
    RemoteBallot,
    WrongPhase,
    add_proposal,
    advance,
    cast_vote,
    decide_amendment,
    open_ballot,
    proposals_of,
    propose_amendment,
    refuse_vote,
    results,
    save_remote_ballot,
    withdraw_proposal,
)
from content.errors import NotAllowed, ValidationFailed
from content.models import Notification, Post
from core import clock
from core.models import Job
from core.settings import Settings
from tests.inbox.fediverse import Local

H = timedelta(hours=1)


# --- helpers (also used by test_ballot_phases and test_ballot_secrecy) --------------------

async def person(name: str, domain: str | None = None, *, approved: bool = True,
                 role: str = "member") -> Actor:
    """A local member (Actor + Account) or, with `domain`, a remote person."""
    actor = await Actor.create(kind="Person", username=name, domain=domain,
                               acct_key=Actor.key_for(name, domain),
                               uri=f"https://{domain}/users/{name}" if domain else None)
    if domain is None:
        await Account.create(actor=actor, email=f"{name}@example.org", password_hash="x",
                             approved=approved, role=role, commitments_version="1",
                             commitments_accepted_at=clock.now())
    return actor


async def join(chapter: Actor, *members: Actor) -> None:
    for member in members:
        await Follow.create(follower=member, followed=chapter, state="accepted",
                            uri=f"https://x.test/follows/{chapter.id}/{member.id}")


async def leave(chapter: Actor, member: Actor) -> None:
    await Follow.filter(follower_id=member.id, followed_id=chapter.id).delete()


async def coordinator(chapter: Actor, name: str = "cora") -> Actor:
    cora = await person(name)
    await join(chapter, cora)
    await add_coordinator(chapter, cora)
    return cora


def urls_of(settings: Settings) -> LocalUrls:
    return LocalUrls(settings.server.base_url)


async def new_ballot(settings: Settings, opener: Actor, chapter: Actor | None, *,
                     phase: str = "proposals", method: str = "single",
                     proposals: tuple[str, ...] = ("A", "B", "C"), **rules: Any) -> Ballot:
    """A ballot whose dates put it in `phase` now (past dates are allowed; the end is not)."""
    now = clock.now()
    dates = {
        "proposals": (now - H, now + H, now + 2 * H, now + 3 * H),
        "amendments": (now - 2 * H, now - H, now + H, now + 2 * H),
        "voting": (now - 3 * H, now - 2 * H, now - H, now + H),
    }[phase]
    return await open_ballot(
        urls_of(settings), opener, chapter=chapter, title="Our budget",
        description="Which **budget**?", method=method, proposals_at=dates[0],
        amendments_at=dates[1], voting_at=dates[2], ends_at=dates[3],
        proposals=[(p, f"Text of {p}") for p in proposals], **rules)


async def move_to(ballot: Ballot, phase: str) -> Ballot:
    """Rewrite the dates so that `phase` is the phase now (as time passing would)."""
    now = clock.now()
    if phase == "amendments":
        values = {"amendments_at": now - H, "voting_at": now + H, "ends_at": now + 2 * H}
    elif phase == "voting":
        values = {"amendments_at": now - 2 * H, "voting_at": now - H, "ends_at": now + H}
    else:
        values = {"amendments_at": now - 3 * H, "voting_at": now - 2 * H, "ends_at": now - H}
    values["proposals_at"] = now - 4 * H
    await Ballot.filter(id=ballot.id).update(**values)
    await ballot.refresh_from_db()
    return ballot


async def ids(ballot: Ballot) -> dict[str, int]:
    return {p.title: p.id for p in await proposals_of(ballot)}


async def published(kind: str) -> list[dict[str, Any]]:
    jobs = await Job.filter(name="outbox.publish").order_by("id")
    return [j.payload for j in jobs if j.payload["kind"] == kind]


async def close(settings: Settings, ballot: Ballot) -> dict[str, Any]:
    await move_to(ballot, "closed")
    assert await advance(urls_of(settings), ballot) == "closed"
    result = await results(ballot)
    assert result is not None
    return result


# --- opening -----------------------------------------------------------------------------

async def test_chapter_coordinators_and_admins_open_chapter_ballots_only_admins_others(
    local: Local, settings: Settings,
) -> None:
    cora = await coordinator(local.chapter)
    admin = await person("ada", role="admin")
    with pytest.raises(NotAllowed):  # a member who does not coordinate
        await new_ballot(settings, local.member, local.chapter)
    with pytest.raises(NotAllowed):  # a coordinator of another chapter
        await new_ballot(settings, cora, local.approval_chapter)
    with pytest.raises(NotAllowed):  # the organization: admins only
        await new_ballot(settings, cora, None)
    assert await Ballot.all().count() == 0 and await Post.all().count() == 0

    ballot = await new_ballot(settings, cora, local.chapter)
    post = await Post.get(id=ballot.post_id)
    assert (post.kind, post.title, post.author_id, post.chapter_id, post.visibility) == (
        "question", "Our budget", local.chapter.id, local.chapter.id, "public")
    assert post.content_html.strip() == "<p>Which <strong>budget</strong>?</p>"
    assert [p.title for p in await proposals_of(ballot)] == ["A", "B", "C"]
    first = (await proposals_of(ballot))[0]
    assert first.uri == f"{post.uri}#proposal-{first.id}" and first.author_id == cora.id
    assert [p["post_id"] for p in await published("create")] == [post.id]

    members_only = await new_ballot(settings, admin, local.approval_chapter)
    assert (await Post.get(id=members_only.post_id)).visibility == "followers"
    organization = await new_ballot(settings, admin, None)
    org_post = await Post.get(id=organization.post_id)
    assert (org_post.author_id, org_post.chapter_id) == (admin.id, None)


async def test_every_field_is_checked_with_a_message(local: Local, settings: Settings) -> None:
    admin = await person("ada", role="admin")
    now = clock.now()
    good: dict[str, Any] = {
        "chapter": local.chapter, "title": "Budget", "description": "", "method": "single",
        "proposals_at": now, "amendments_at": now + H, "voting_at": now + 2 * H,
        "ends_at": now + 3 * H}
    bad: list[tuple[str, dict[str, Any]]] = [
        ("title", {"title": "  "}), ("title", {"title": "x" * 201}),
        ("method", {"method": "borda"}), ("quorum", {"quorum": "half"}),
        ("quorum", {"quorum": "3/2"}), ("threshold", {"threshold": "0.66"}),
        ("threshold", {"threshold": "2/3", "method": "ranked"}),
        ("seats", {"seats": 0}), ("seats", {"seats": 2, "method": "single"}),
        ("amendments_at", {"amendments_at": now + 5 * H}),
        ("voting_at", {"voting_at": now - H, "amendments_at": None}),
        ("ends_at", {"ends_at": now + 2 * H}), ("ends_at", {"ends_at": now - H,
                                                            "voting_at": now - 2 * H,
                                                            "amendments_at": None,
                                                            "proposals_at": now - 3 * H}),
        ("proposals", {"proposals": [(f"P{i}", "") for i in range(21)]}),
        ("proposals", {"proposals": [("Same", ""), ("same", "")]}),
        ("proposals", {"proposals": [("", "no title")]}),
    ]
    for field, change in bad:
        with pytest.raises(ValidationFailed) as exc:
            await open_ballot(urls_of(settings), admin, **{**good, **change})
        assert field in exc.value.errors, (field, change, exc.value.errors)
        assert exc.value.errors[field]
    assert await Ballot.all().count() == 0
    ballot = await open_ballot(urls_of(settings), admin, **{
        **good, "quorum": "1/3", "threshold": "2/3", "method": "approval", "seats": 2,
        "proposals": [(f"P{i}", "") for i in range(20)]})
    assert (ballot.quorum, ballot.threshold, ballot.seats) == ("1/3", "2/3", 2)
    assert len(await proposals_of(ballot)) == 20


# --- proposals and amendments ------------------------------------------------------------

async def test_proposals_in_their_phase_by_current_members(
    local: Local, settings: Settings,
) -> None:
    cora = await coordinator(local.chapter)
    bea, stranger = await person("bea"), await person("stranger")
    await join(local.chapter, bea)
    ballot = await new_ballot(settings, cora, local.chapter, proposals=("A", "B"))
    urls = urls_of(settings)
    with pytest.raises(NotAllowed):
        await add_proposal(urls, ballot, stranger, "C", "")
    with pytest.raises(ValidationFailed) as exc:
        await add_proposal(urls, ballot, bea, "a", "")  # the same title as A
    assert "title" in exc.value.errors
    proposal = await add_proposal(urls, ballot, bea, "C", "*Mine*")
    assert (proposal.position, proposal.text_html.strip(), proposal.author_id) == (
        2, "<p><em>Mine</em></p>", bea.id)
    assert [p["post_id"] for p in await published(UPDATE_KIND)] == [ballot.post_id]
    await withdraw_proposal(bea, proposal)
    assert [p.title for p in await proposals_of(ballot)] == ["A", "B"]  # not an option
    await move_to(ballot, "amendments")
    with pytest.raises(WrongPhase):
        await add_proposal(urls, ballot, bea, "D", "")
    a = (await proposals_of(ballot))[0]
    with pytest.raises(NotAllowed):
        await withdraw_proposal(bea, a)  # only its author
    await move_to(ballot, "voting")
    with pytest.raises(WrongPhase):
        await withdraw_proposal(cora, a)


async def test_amendments_in_their_phase_decided_by_the_proposer(
    local: Local, settings: Settings,
) -> None:
    cora = await coordinator(local.chapter)
    bea = await person("bea")
    await join(local.chapter, bea)
    ballot = await new_ballot(settings, cora, local.chapter, proposals=("A", "B"))
    a, b = await proposals_of(ballot)
    with pytest.raises(WrongPhase):  # not yet
        await propose_amendment(bea, a, "Better text of A")
    await move_to(ballot, "amendments")
    with pytest.raises(ValidationFailed):
        await propose_amendment(bea, a, "Text of A")  # changes nothing
    accepted = await propose_amendment(bea, a, "Better **text** of A", "clearer")
    refused = await propose_amendment(bea, b, "Worse text of B")
    with pytest.raises(NotAllowed):  # only the proposer decides
        await decide_amendment(bea, accepted, True)
    updates = len(await published(UPDATE_KIND))
    await decide_amendment(cora, accepted, True)
    await decide_amendment(cora, refused, False)
    a, b = await proposals_of(ballot)
    assert (a.text, a.text_html.strip(), a.original) == (
        "Better **text** of A", "<p>Better <strong>text</strong> of A</p>", "Text of A")
    assert a.updated_at is not None
    assert (b.text, b.updated_at) == ("Text of B", None)
    assert [x.state for x in await Amendment.all().order_by("id")] == ["accepted", "rejected"]
    assert len(await published(UPDATE_KIND)) == updates + 1  # the accepted one changed it
    with pytest.raises(Exception, match="decided already"):
        await decide_amendment(cora, await Amendment.get(id=refused.id), True)
    await move_to(ballot, "voting")
    late = await Amendment.create(proposal=a, author=bea, text="late")
    with pytest.raises(WrongPhase):
        await decide_amendment(cora, late, True)


# --- votes -------------------------------------------------------------------------------

async def test_one_vote_per_eligible_voter_only_while_voting(
    local: Local, settings: Settings,
) -> None:
    cora = await coordinator(local.chapter)
    bea, late, leaver = await person("bea"), await person("late"), await person("leaver")
    rex = await person("rex", "remote.test")
    await join(local.chapter, bea, leaver, rex)
    urls = urls_of(settings)
    ballot = await new_ballot(settings, cora, local.chapter)
    choice = (await ids(ballot))
    with pytest.raises(WrongPhase):
        await cast_vote(urls, ballot, bea, [choice["A"]])
    await move_to(ballot, "voting")
    assert await advance(urls, ballot) == "voting"
    await join(local.chapter, late)  # joins after the snapshot
    await leave(local.chapter, leaver)  # leaves after it
    with pytest.raises(NotEligible):
        await cast_vote(urls, ballot, late, [choice["A"]])
    await cast_vote(urls, ballot, leaver, [choice["B"]])
    await cast_vote(urls, ballot, bea, [choice["A"]])
    with pytest.raises(AlreadyVoted):
        await cast_vote(urls, ballot, bea, [choice["B"]])
    receipt = await cast_vote(urls, ballot, rex, [choice["A"]],
                              uri="https://remote.test/votes/1")
    assert receipt.uri == "https://remote.test/votes/1"
    with pytest.raises(AlreadyVoted):  # the same activity processed again
        await cast_vote(urls, ballot, rex, [choice["A"]], uri="https://remote.test/votes/1")
    for paper in ([choice["A"], choice["B"]], [], [12345]):
        with pytest.raises(ValidationFailed):
            await cast_vote(urls, ballot, cora, paper)
    assert (await Ballot.get(id=ballot.id)).voters_count == 3
    assert await BallotReceipt.filter(ballot_id=ballot.id).count() == 3
    # an open ballot keeps who voted what
    assert sorted((v.voter_id, v.choice) for v in await BallotVote.all()) == sorted([
        (leaver.id, [str(choice["B"])]), (bea.id, [str(choice["A"])]),
        (rex.id, [str(choice["A"])])])
    result = await close(settings, ballot)
    assert (result["eligible"], result["ballots"], result["counts"]) == (
        4, 3, {str(choice["A"]): 2, str(choice["B"]): 1, str(choice["C"]): 0})
    with pytest.raises(WrongPhase):
        await cast_vote(urls, ballot, cora, [choice["A"]])


async def test_ranked_and_consent_papers_are_checked(local: Local, settings: Settings) -> None:
    cora = await coordinator(local.chapter)
    urls = urls_of(settings)
    ranked = await new_ballot(settings, cora, local.chapter, phase="voting", method="ranked")
    r = await ids(ranked)
    with pytest.raises(ValidationFailed, match="ranked twice"):
        await cast_vote(urls, ranked, cora, [r["A"], r["B"], r["A"]])
    await cast_vote(urls, ranked, cora, [r["C"], r["A"]])  # partial rankings are fine
    consent = await new_ballot(settings, cora, local.chapter, phase="voting",
                               method="consent", proposals=("P", "Q"))
    c = await ids(consent)
    with pytest.raises(ValidationFailed, match="missing: Q"):
        await cast_vote(urls, consent, cora, {c["P"]: "agree"})
    with pytest.raises(ValidationFailed):
        await cast_vote(urls, consent, cora, {c["P"]: "agree", c["Q"]: "maybe"})
    await cast_vote(urls, consent, cora, {c["P"]: "agree", c["Q"]: "block"})
    assert await has_receipts(consent) == 1


async def has_receipts(ballot: Ballot) -> int:
    return await BallotReceipt.filter(ballot_id=ballot.id).count()


# --- results -----------------------------------------------------------------------------

async def voters(chapter: Actor, n: int, prefix: str = "v") -> list[Actor]:
    people = [await person(f"{prefix}{i}", "remote.test") for i in range(n)]
    await join(chapter, *people)
    return people


async def vote_all(settings: Settings, ballot: Ballot, people: list[Actor],
                   papers: list[Any]) -> None:
    for voter, paper in zip(people, papers, strict=True):
        await cast_vote(urls_of(settings), ballot, voter, paper,
                        uri=f"{voter.uri}/votes/{ballot.id}")


async def test_single_choice_and_a_quorum_not_met(local: Local, settings: Settings) -> None:
    cora = await coordinator(local.chapter)
    people = await voters(local.chapter, 5)  # 6 eligible with the coordinator
    ballot = await new_ballot(settings, cora, local.chapter, phase="voting", quorum="1/2")
    c = await ids(ballot)
    a, b, cc = c["A"], c["B"], c["C"]
    await vote_all(settings, ballot, people, [[a], [a], [b], [cc], [a]])
    result = await close(settings, ballot)
    # A 3, B 1, C 1 of 5 ballots; the quorum is 1/2 of 6 = 3 ballots: reached.
    assert (result["status"], result["winners"], result["quorum_met"]) == (
        "elected", [str(a)], True)
    assert result["counts"] == {str(a): 3, str(b): 1, str(cc): 1}

    short = await new_ballot(settings, cora, local.chapter, phase="voting", quorum="4")
    s = await ids(short)
    await vote_all(settings, short, people[:3], [[s["A"]], [s["A"]], [s["B"]]])
    result = await close(settings, short)
    # 3 of 6 voted, 4 needed: no winner although A leads.
    assert (result["status"], result["winners"], result["quorum_met"]) == (
        "no_quorum", [], False)


async def test_approval_with_two_seats(local: Local, settings: Settings) -> None:
    cora = await coordinator(local.chapter)
    people = await voters(local.chapter, 4)
    ballot = await new_ballot(settings, cora, local.chapter, phase="voting",
                              method="approval", seats=2)
    c = await ids(ballot)
    a, b, cc = c["A"], c["B"], c["C"]
    await vote_all(settings, ballot, people, [[a, b], [b], [b, cc], [a]])
    result = await close(settings, ballot)
    # approvals: A 2, B 3, C 1 → the two seats go to B then A.
    assert result["counts"] == {str(a): 2, str(b): 3, str(cc): 1}
    assert (result["status"], result["winners"]) == ("elected", [str(b), str(a)])


async def test_consent_a_block_stops_a_proposal(local: Local, settings: Settings) -> None:
    cora = await coordinator(local.chapter)
    people = await voters(local.chapter, 3)
    ballot = await new_ballot(settings, cora, local.chapter, phase="voting",
                              method="consent", proposals=("P", "Q"))
    c = await ids(ballot)
    p, q = str(c["P"]), str(c["Q"])
    await vote_all(settings, ballot, people, [
        {c["P"]: "agree", c["Q"]: "agree"}, {c["P"]: "agree", c["Q"]: "block"},
        {c["P"]: "disagree", c["Q"]: "agree"}])
    result = await close(settings, ballot)
    # P: 2 agree of 3 (2/3 > 1/2), nobody blocks: passed. Q: agreed by 2 but one block.
    assert result["consent"][p] | {"reason": ""} == {
        "agree": 2, "abstain": 0, "disagree": 1, "block": 0, "share": "2/3",
        "status": "passed", "passed": True, "reason": ""}
    assert (result["consent"][q]["block"], result["consent"][q]["passed"],
            result["consent"][q]["status"]) == (1, False, "blocked")
    assert (result["status"], result["winners"], result["threshold"]) == (
        "passed", [p], ">1/2")


async def test_ranked_irv_and_schulze_disagree(local: Local, settings: Settings) -> None:
    """The Tennessee capital example at a fifth of its size: 8 M>N>C>K, 5 N>C>K>M,
    3 C>K>N>M, 4 K>C>N>M (20 ballots)."""
    cora = await coordinator(local.chapter)
    people = await voters(local.chapter, 20)
    ballot = await new_ballot(settings, cora, local.chapter, phase="voting", method="ranked",
                              proposals=("Memphis", "Nashville", "Chattanooga", "Knoxville"))
    c = await ids(ballot)
    m, n, ch, k = c["Memphis"], c["Nashville"], c["Chattanooga"], c["Knoxville"]
    papers = ([[m, n, ch, k]] * 8 + [[n, ch, k, m]] * 5 + [[ch, k, n, m]] * 3
              + [[k, ch, n, m]] * 4)
    await vote_all(settings, ballot, people, papers)
    result = await close(settings, ballot)
    M, N, C, K = str(m), str(n), str(ch), str(k)
    # IRV: C (3) out, its 3 go to K (7); N (5) out, its 5 go to K (12 of 20 > half).
    assert [(r["counts"], r["eliminated"]) for r in result["irv"]["rounds"]] == [
        ({M: 8, N: 5, C: 3, K: 4}, [C]), ({M: 8, N: 5, K: 7}, [N]), ({M: 8, K: 12}, [])]
    assert result["irv"]["winner"] == K
    # Nashville beats each rival head to head (12:8, 13:7, 13:7): Schulze's winner, who
    # decides; then Chattanooga (beats K 16:4, M 12:8), Knoxville (beats M 12:8), Memphis.
    assert result["schulze"]["winner"] == N
    assert result["schulze"]["ranking"] == [N, C, K, M]
    assert (result["status"], result["winners"], result["decided_by"]) == (
        "elected", [N], "schulze")


# --- other servers' ballots --------------------------------------------------------------

def _remote_state(**change: Any) -> RemoteBallot:
    now = clock.now()
    base: dict[str, Any] = dict(
        method="approval", secret=False, phase="voting", proposals_at=now - 3 * H,
        amendments_at=None, voting_at=now - H, ends_at=now + H, quorum="", threshold="",
        seats=1, eligible_count=12, voters_count=3,
        proposals=(("https://far.test/q/1#p1", "Park", "<p>A park</p>"),
                   ("https://far.test/q/1#p2", "Pool", "<p>A pool<script>x</script></p>")),
        result=None)
    return RemoteBallot(**{**base, **change})


async def test_a_remote_ballot_is_mirrored_and_voted_in_from_here(
    local: Local, settings: Settings,
) -> None:
    group = await Actor.create(kind="Group", username="town", domain="far.test",
                               acct_key=Actor.key_for("town", "far.test"),
                               uri="https://far.test/groups/town")
    post = await Post.create(uri="https://far.test/q/1", author=group, kind="question",
                             title="Summer", published=clock.now())
    ballot = await save_remote_ballot(post, _remote_state())
    park, pool = await proposals_of(ballot)
    assert (park.title, park.uri, pool.text_html) == (
        "Park", "https://far.test/q/1#p1", "<p>A pool</p>")
    assert (ballot.chapter_id, ballot.eligible_count, ballot.phase) == (group.id, 12, "voting")

    receipt = await cast_vote(urls_of(settings), ballot, local.member, [pool.id, park.id])
    assert await BallotVote.all().count() == 0  # its server counts
    [sent] = await published(VOTE_KIND)
    assert sent | {"ident": 0} == {
        "kind": VOTE_KIND, "ident": 0, "ballot_id": ballot.id, "voter_id": local.member.id,
        "choice": [str(pool.id), str(park.id)], "vote_uri": receipt.uri}
    with pytest.raises(AlreadyVoted):
        await cast_vote(urls_of(settings), ballot, local.member, [park.id])

    # its server renames one proposal and drops the other: matched by uri
    again = await save_remote_ballot(post, _remote_state(
        phase="closed", proposals=(("https://far.test/q/1#p1", "Big park", "<p>…</p>"),),
        result={"status": "elected", "winners": ["https://far.test/q/1#p1"]}))
    assert again.id == ballot.id
    assert [(p.id, p.title) for p in await proposals_of(again)] == [(park.id, "Big park")]
    assert (await BallotProposal.get(id=pool.id)).state == "withdrawn"
    assert (await results(again) or {})["status"] == "elected"


async def test_refused_votes_are_answered_with_reject(local: Local, settings: Settings) -> None:
    cora = await coordinator(local.chapter)
    outsider = await person("outsider", "elsewhere.test")
    ballot = await new_ballot(settings, cora, local.chapter, phase="voting")
    with pytest.raises(NotEligible):
        await cast_vote(urls_of(settings), ballot, outsider, [(await ids(ballot))["A"]],
                        uri="https://elsewhere.test/votes/9")
    await refuse_vote(ballot, outsider, "https://elsewhere.test/votes/9")
    post = await Post.get(id=ballot.post_id)
    [reject] = await published(REJECT_KIND)
    assert reject | {"ident": 0} == {
        "kind": REJECT_KIND, "ident": 0, "actor_id": local.chapter.id,
        "recipient_id": outsider.id, "activity_uri": "https://elsewhere.test/votes/9",
        "object_uri": post.uri}


async def test_members_hear_when_voting_opens_and_closes(
    local: Local, settings: Settings,
) -> None:
    cora = await coordinator(local.chapter)
    bea, rex = await person("bea"), await person("rex", "remote.test")
    await join(local.chapter, bea, rex)
    ballot = await new_ballot(settings, cora, local.chapter)
    await move_to(ballot, "voting")
    await advance(urls_of(settings), ballot)
    await close(settings, ballot)
    rows = await Notification.filter(post_id=ballot.post_id).order_by("id")
    told = sorted((n.kind, n.recipient_id) for n in rows)
    assert told == sorted([("ballot_opened", cora.id), ("ballot_opened", bea.id),
                           ("ballot_closed", cora.id), ("ballot_closed", bea.id)])
    assert {n.actor_id for n in rows} == {local.chapter.id}
    assert local.member.id not in {n.recipient_id for n in rows}  # not a member
