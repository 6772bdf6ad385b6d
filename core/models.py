"""The core layer's records: durable jobs, instance-wide secrets and outgoing email."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from core.ids import new_id


class Job(Model):
    """One unit of background work, stored in the same database as everything else.

    state: pending (waiting for run_at), running (claimed under a lease until locked_until),
    dead (gave up; last_error says why). A finished job is deleted.
    """

    id = fields.BigIntField(primary_key=True, default=new_id, generated=False)
    name = fields.CharField(max_length=100)
    payload: dict[str, object] = fields.JSONField(default=dict)
    state = fields.CharField(max_length=10, default="pending")
    # Times as Unix milliseconds: compared in SQL the same way on SQLite and PostgreSQL.
    run_at = fields.BigIntField()
    attempts = fields.IntField(default=0)
    max_attempts = fields.IntField(null=True)  # None: the handler's own limit
    locked_by = fields.CharField(max_length=64, null=True)
    locked_until = fields.BigIntField(null=True)
    last_error = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "job"
        indexes = (("state", "run_at"),)


class InstanceSecret(Model):
    """A random secret made once per instance (e.g. the key that signs CSRF tokens).

    Kept in the database so every web process of one instance shares it; never in the repo.
    """

    name = fields.CharField(max_length=50, primary_key=True)
    value = fields.CharField(max_length=200)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "instance_secret"


class MailMessage(Model):
    """An email the server sends (confirmation, application answer …), kept for the admins.

    Sent by the `mail.send` job when SMTP is configured (`sent_at` set, or `error` after the
    last failed try); without SMTP it is only logged and listed on the admin page.
    """

    id = fields.BigIntField(primary_key=True, default=new_id, generated=False)
    to_address = fields.CharField(max_length=254)
    subject = fields.CharField(max_length=300)
    body = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)
    sent_at = fields.DatetimeField(null=True)
    error = fields.TextField(default="")

    class Meta:
        table = "mail_message"
