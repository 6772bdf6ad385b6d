"""Records of the web layer: server-side login sessions."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Session(Model):
    """A logged-in browser. The cookie holds a random token, and we keep only its SHA-256."""

    id = fields.CharField(max_length=64, primary_key=True)
    account: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "models.Account", related_name="sessions", on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    last_seen_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    ip = fields.CharField(max_length=45, default="")
    user_agent = fields.CharField(max_length=300, default="")

    class Meta:
        table = "web_session"
