"""Records of formal ballots: the ballot (a Question post with its rules and phases), its
proposals and their amendments, who may vote (a snapshot taken when it opens), who voted
and, separately, what was voted.

The counting itself is content.voting (pure); content.ballots is the service over these
rows. A secret ballot keeps who voted (BallotReceipt) apart from what was voted
(BallotVote with no voter): the vote row has a random id and no time, so neither its key
nor its order ties it to a receipt.
"""

from __future__ import annotations

import secrets

from tortoise import fields
from tortoise.models import Model

from core.ids import new_id

METHODS = ("single", "approval", "ranked", "consent")
PHASES = ("proposals", "amendments", "voting", "closed")
PROPOSAL_STATES = ("open", "withdrawn")
AMENDMENT_STATES = ("pending", "accepted", "rejected")


def random_id() -> int:
    """A random positive 63-bit id: a secret vote's key tells nothing about when it came."""
    return secrets.randbelow((1 << 63) - 1) + 1


class Ballot(Model):
    """A formal ballot, opened by a chapter or by the whole organization.

    `chapter` is NULL for the organization.
    Its public face is `post`, a Question by the chapter (or the instance's organization
    actor) that federates with Chapterhouse's extension terms and an `anyOf` fallback.
    Rules: `method`, `secret`, `quorum` and `threshold` as exact fractions written
    "2/3" (quorum may also be a whole number of ballots, "12"; "" for none), `seats`.
    Phases run by their dates: proposals from `proposals_at`, amendments from
    `amendments_at` (NULL: no amendment phase), voting from `voting_at` until `ends_at`.
    `phase` is the phase last recorded by the ballot's phase job; `eligible_count` the size
    of the snapshot taken when voting opened; `result` the published count (JSON of
    content.voting's result) once closed. For a remote ballot the rows mirror what its
    server published.
    """

    id = fields.BigIntField(primary_key=True, default=new_id, generated=False)
    post: fields.OneToOneRelation[Model] = fields.OneToOneField(
        "models.Post", related_name="ballot", on_delete=fields.CASCADE
    )
    chapter: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "models.Actor", related_name="ballots", null=True, on_delete=fields.CASCADE
    )
    opened_by: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "models.Actor", related_name="ballots_opened", null=True, on_delete=fields.SET_NULL
    )
    method = fields.CharField(max_length=20)
    secret = fields.BooleanField(default=False)
    quorum = fields.CharField(max_length=20, default="")
    threshold = fields.CharField(max_length=20, default="")
    seats = fields.IntField(default=1)
    proposals_at = fields.DatetimeField()
    amendments_at = fields.DatetimeField(null=True)
    voting_at = fields.DatetimeField()
    ends_at = fields.DatetimeField()
    phase = fields.CharField(max_length=20, default="proposals")
    eligible_count = fields.IntField(default=0)
    voters_count = fields.IntField(default=0)
    result: dict[str, object] | None = fields.JSONField(null=True)
    closed_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "ballot"
        indexes = (("chapter_id", "created_at"), ("phase", "ends_at"))


class BallotProposal(Model):
    """One proposal (an option) of a ballot, in its position.

    `text` is its current Markdown (accepted amendments folded in), `text_html` the
    sanitized rendering, `original` the text as first proposed. `uri` names the option in
    federation (a fragment of the ballot's id for ours).
    """

    id = fields.BigIntField(primary_key=True, default=new_id, generated=False)
    ballot: fields.ForeignKeyRelation[Ballot] = fields.ForeignKeyField(
        "models.Ballot", related_name="proposals", on_delete=fields.CASCADE
    )
    author: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "models.Actor", related_name="ballot_proposals", null=True, on_delete=fields.SET_NULL
    )
    position = fields.IntField()
    title = fields.CharField(max_length=200)
    text = fields.TextField(default="")
    text_html = fields.TextField(default="")
    original = fields.TextField(default="")
    state = fields.CharField(max_length=20, default="open")
    uri = fields.CharField(max_length=2048, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(null=True)

    class Meta:
        table = "ballot_proposal"
        unique_together = (("ballot", "position"),)


class Amendment(Model):
    """A proposed change to a proposal, by a member.

    It is the whole new `text` (Markdown) with a `reason`; the proposal's author accepts
    it (it folds in) or rejects it."""

    id = fields.BigIntField(primary_key=True, default=new_id, generated=False)
    proposal: fields.ForeignKeyRelation[BallotProposal] = fields.ForeignKeyField(
        "models.BallotProposal", related_name="amendments", on_delete=fields.CASCADE
    )
    author: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "models.Actor", related_name="amendments", null=True, on_delete=fields.SET_NULL
    )
    text = fields.TextField()
    text_html = fields.TextField(default="")
    reason = fields.TextField(default="")
    state = fields.CharField(max_length=20, default="pending")
    decided_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "amendment"
        indexes = (("proposal_id", "state"),)


class BallotEligible(Model):
    """An actor who may vote in a ballot, from the snapshot taken when voting opened.

    Local or remote members of the ballot's chapter, or local members of the organization."""

    id = fields.BigIntField(primary_key=True, default=new_id, generated=False)
    ballot: fields.ForeignKeyRelation[Ballot] = fields.ForeignKeyField(
        "models.Ballot", related_name="eligible", on_delete=fields.CASCADE
    )
    actor: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "models.Actor", related_name="ballots_eligible", on_delete=fields.CASCADE
    )

    class Meta:
        table = "ballot_eligible"
        unique_together = (("ballot", "actor"),)


class BallotReceipt(Model):
    """That a voter voted in a ballot, and when.

    `uri` is the vote activity's id, ours or theirs. One per voter and ballot: the unique
    pair stops a second vote."""

    id = fields.BigIntField(primary_key=True, default=new_id, generated=False)
    ballot: fields.ForeignKeyRelation[Ballot] = fields.ForeignKeyField(
        "models.Ballot", related_name="receipts", on_delete=fields.CASCADE
    )
    voter: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "models.Actor", related_name="ballot_receipts", on_delete=fields.CASCADE
    )
    uri = fields.CharField(max_length=2048, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "ballot_receipt"
        unique_together = (("ballot", "voter"),)


class BallotVote(Model):
    """What one ballot paper says, apart from who cast it.

    `choice` is a list of proposal ids (single: one, approval: the approved, ranked: in
    order of preference) or, for consent, a map of
    proposal id to agree/abstain/disagree/block. `voter` is set for an open ballot and
    NULL for a secret one; the id is random and there is no time column."""

    id = fields.BigIntField(primary_key=True, default=random_id, generated=False)
    ballot: fields.ForeignKeyRelation[Ballot] = fields.ForeignKeyField(
        "models.Ballot", related_name="votes", on_delete=fields.CASCADE
    )
    voter: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "models.Actor", related_name="ballot_votes", null=True, on_delete=fields.SET_NULL
    )
    choice: object = fields.JSONField()

    class Meta:
        table = "ballot_vote"
        indexes = (("ballot_id",),)
