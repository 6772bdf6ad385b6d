"""Records of the outbox: each activity we send, rendered and stored once."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from core.ids import new_id


class OutboundActivity(Model):
    """An activity rendered once by outbox.publish, then delivered inbox by inbox.

    Each delivery is a job (outbox.deliver) naming this row and one inbox, so a retry hours
    later sends exactly the same JSON, signed afresh.
    """

    id = fields.BigIntField(primary_key=True, default=new_id, generated=False)
    uri = fields.CharField(max_length=2048, unique=True)
    activity_type = fields.CharField(max_length=64)
    actor: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "models.Actor", related_name="outbound_activities", on_delete=fields.CASCADE
    )
    body: dict[str, object] = fields.JSONField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "outbound_activity"
