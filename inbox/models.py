"""Records of the inbox: every accepted inbound activity, stored once by its id."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from core.ids import new_id


class InboundActivity(Model):
    """An activity that passed the signature and origin checks, kept as received.

    state: received (waiting for inbox.process), processed, ignored (a type we do not
    handle), failed (error says why). The activity id is unique: a duplicate is not stored.
    """

    id = fields.BigIntField(primary_key=True, default=new_id, generated=False)
    activity_id = fields.CharField(max_length=2048, unique=True)
    activity_type = fields.CharField(max_length=64)
    actor_uri = fields.CharField(max_length=2048)
    signer_key_id = fields.CharField(max_length=2048)
    document: dict[str, object] = fields.JSONField()
    state = fields.CharField(max_length=10, default="received")
    error = fields.TextField(null=True)
    received_at = fields.DatetimeField(auto_now_add=True)
    processed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "inbound_activity"
