"""Secret ballots: who voted is recorded, what they voted is not linked to them — no voter,
no time, and neither the ids nor the order the rows were written in follow the receipts;
and one vote per voter even when two arrive at the same moment."""

from __future__ import annotations

import asyncio
import itertools
import json

import pytest

from content.ballot_models import BallotReceipt, BallotVote
from content.ballots import AlreadyVoted, cast_vote
from core.db import connection
from core.settings import Settings
from tests.content.test_ballots import (
    close,
    coordinator,
    ids,
    new_ballot,
    urls_of,
    voters,
)
from tests.inbox.fediverse import Local

VOTERS = 10


def test_a_vote_row_has_no_time_and_no_order() -> None:
    fields = set(BallotVote._meta.fields_map)
    assert fields == {"id", "ballot", "ballot_id", "voter", "voter_id", "choice"}


async def _physical_order() -> list[object]:
    """The papers in the order the database keeps the rows (rowid / heap position)."""
    conn = connection()
    column = "ctid" if "asyncpg" in type(conn).__module__ else "rowid"
    _, rows = await conn.execute_query(f"SELECT choice FROM ballot_vote ORDER BY {column}")
    return [row["choice"] for row in rows]


async def test_a_secret_paper_cannot_be_traced_to_its_voter(
    local: Local, settings: Settings,
) -> None:
    cora = await coordinator(local.chapter)
    people = await voters(local.chapter, VOTERS)
    ballot = await new_ballot(settings, cora, local.chapter, phase="voting", method="ranked",
                              proposals=("A", "B", "C", "D"), secret=True)
    c = await ids(ballot)
    rankings = [list(p) for p in itertools.permutations(c.values())][:VOTERS]
    for voter, ranking in zip(people, rankings, strict=True):
        await cast_vote(urls_of(settings), ballot, voter, ranking,
                        uri=f"{voter.uri}/votes/1")
    receipts = await BallotReceipt.filter(ballot_id=ballot.id).order_by("created_at", "id")
    assert [r.voter_id for r in receipts] == [p.id for p in people]  # who voted: recorded
    votes = await BallotVote.filter(ballot_id=ballot.id)
    assert len(votes) == VOTERS and all(v.voter_id is None for v in votes)
    in_receipt_order = [[str(i) for i in r] for r in rankings]
    by_id = [v.choice for v in sorted(votes, key=lambda v: v.id)]
    assert sorted(map(tuple, by_id)) == sorted(map(tuple, in_receipt_order))  # all there
    # 10 distinct papers: the chance that either order matches the voters' is 1 in 10!
    assert by_id != in_receipt_order
    physical = [json.loads(x) if isinstance(x, str) else x for x in await _physical_order()]
    assert physical != in_receipt_order
    result = await close(settings, ballot)
    assert result["ballots"] == VOTERS


async def test_two_votes_at_once_count_once(local: Local, settings: Settings) -> None:
    cora = await coordinator(local.chapter)
    ballot = await new_ballot(settings, cora, local.chapter, phase="voting", secret=True)
    c = await ids(ballot)
    urls = urls_of(settings)
    outcomes = await asyncio.gather(
        cast_vote(urls, ballot, cora, [c["A"]]), cast_vote(urls, ballot, cora, [c["B"]]),
        return_exceptions=True)
    assert sorted(type(o).__name__ for o in outcomes) == ["AlreadyVoted", "BallotReceipt"]
    assert await BallotReceipt.filter(ballot_id=ballot.id).count() == 1
    assert await BallotVote.filter(ballot_id=ballot.id).count() == 1
    await ballot.refresh_from_db()
    assert ballot.voters_count == 1
    with pytest.raises(AlreadyVoted):
        await cast_vote(urls, ballot, cora, [c["C"]])
