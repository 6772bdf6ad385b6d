"""Records of who is who: actors (local and remote), member accounts, chapters, follows,
blocks between actors."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from core.ids import new_id

USERNAME_MAX = 30


class Actor(Model):
    """An ActivityPub actor: a member (Person), a chapter (Group) or the instance itself.

    Local actors have domain NULL. `acct_key` ("username@domain", lower case, empty domain for
    local ones) makes preferredUsername unique per domain across members and chapters alike,
    case-insensitively.
    """

    id = fields.BigIntField(primary_key=True, default=new_id, generated=False)
    kind = fields.CharField(max_length=20, default="Person")
    username = fields.CharField(max_length=100)
    domain = fields.CharField(max_length=255, null=True)
    acct_key = fields.CharField(max_length=360, unique=True)
    display_name = fields.CharField(max_length=200, default="")
    summary = fields.TextField(default="")
    uri = fields.CharField(max_length=2048, null=True, unique=True)
    # ActivityPub addresses of a remote actor, as its document gave them (NULL for local
    # actors, whose addresses follow from the configured base URL: see actors.urls).
    inbox = fields.CharField(max_length=2048, null=True)
    shared_inbox = fields.CharField(max_length=2048, null=True)
    outbox = fields.CharField(max_length=2048, null=True)
    followers = fields.CharField(max_length=2048, null=True)
    following = fields.CharField(max_length=2048, null=True)
    featured = fields.CharField(max_length=2048, null=True)
    url = fields.CharField(max_length=2048, null=True)
    manually_approves_followers = fields.BooleanField(default=False, db_default=False)
    # The signing key: public for every actor, private only for local ones.
    public_key_id = fields.CharField(max_length=2048, null=True, unique=True)
    public_key_pem = fields.TextField(null=True)
    private_key_pem = fields.TextField(null=True)
    fetched_at = fields.DatetimeField(null=True)
    key_refetched_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "actor"

    @staticmethod
    def key_for(username: str, domain: str | None) -> str:
        return f"{username.lower()}@{(domain or '').lower()}"

    @property
    def is_local(self) -> bool:
        return self.domain is None


class Account(Model):
    """A local member's login: email, Argon2id password hash, role, and how they joined."""

    id = fields.BigIntField(primary_key=True, default=new_id, generated=False)
    actor: fields.OneToOneRelation[Actor] = fields.OneToOneField(
        "models.Actor", related_name="account", on_delete=fields.CASCADE
    )
    email = fields.CharField(max_length=254, unique=True)
    password_hash = fields.CharField(max_length=255)
    role = fields.CharField(max_length=20, default="member")
    confirmed = fields.BooleanField(default=False)
    approved = fields.BooleanField(default=True)
    application_reason = fields.TextField(default="")
    commitments_version = fields.CharField(max_length=50)
    commitments_accepted_at = fields.DatetimeField()
    locale = fields.CharField(max_length=20, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    last_login_at = fields.DatetimeField(null=True)

    class Meta:
        table = "account"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


class Chapter(Model):
    """A chapter's organizational data, whose public face is a Group actor of the same name.

    `parent` is a chapter on this server; `parent_uri` names a parent on another server
    (a local chapter self-hosted under a national branch elsewhere).
    """

    id = fields.BigIntField(primary_key=True, default=new_id, generated=False)
    actor: fields.OneToOneRelation[Actor] = fields.OneToOneField(
        "models.Actor", related_name="chapter", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=200)
    slug = fields.CharField(max_length=USERNAME_MAX, unique=True)
    description = fields.TextField(default="")
    parent: fields.ForeignKeyNullableRelation[Chapter] = fields.ForeignKeyField(
        "models.Chapter", related_name="children", null=True, on_delete=fields.SET_NULL
    )
    parent_uri = fields.CharField(max_length=2048, null=True)
    join_policy = fields.CharField(max_length=20, default="open")
    members_visible = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "chapter"


class Follow(Model):
    """One actor following another, local or remote: pending until accepted.

    `uri` is the id of the Follow activity (ours when the follower is local, theirs when it
    is remote); an Accept or Undo may name the follow by it.
    """

    id = fields.BigIntField(primary_key=True, default=new_id, generated=False)
    follower: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="follows_out", on_delete=fields.CASCADE
    )
    followed: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="follows_in", on_delete=fields.CASCADE
    )
    state = fields.CharField(max_length=10, default="pending")
    uri = fields.CharField(max_length=2048, null=True, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    accepted_at = fields.DatetimeField(null=True)

    class Meta:
        table = "follow"
        unique_together = (("follower", "followed"),)
        indexes = (("followed_id", "state"),)


class Block(Model):
    """A remote actor blocking one of ours (`uri`: the Block activity's id).

    Follows between the two are removed when it arrives; an Undo by the blocker removes it.
    """

    id = fields.BigIntField(primary_key=True, default=new_id, generated=False)
    blocker: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="blocks_out", on_delete=fields.CASCADE
    )
    blocked: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="blocks_in", on_delete=fields.CASCADE
    )
    uri = fields.CharField(max_length=2048, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "actor_block"
        unique_together = (("blocker", "blocked"),)
        indexes = (("blocked_id",),)


class DomainBlock(Model):
    """A server the organization refuses to federate with (severity reject).

    Its requests get 403 before any key is fetched, and nothing is delivered to it.
    """

    id = fields.BigIntField(primary_key=True, default=new_id, generated=False)
    domain = fields.CharField(max_length=255, unique=True)
    severity = fields.CharField(max_length=20, default="reject")
    reason = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "domain_block"


class HostHealth(Model):
    """How deliveries to one remote host fare, and which signature scheme it accepts.

    `failure_days` holds the distinct UTC days (ISO dates) with a failed delivery since the
    last success; at 7 the host is marked unavailable and skipped until it sends us a valid
    signed request. Kept with the actors, not the outbox, because the inbox clears it.
    """

    host = fields.CharField(max_length=255, primary_key=True)
    failure_days: list[str] = fields.JSONField(default=list)
    unavailable_since = fields.DatetimeField(null=True)
    signature_scheme = fields.CharField(max_length=10, default="cavage")
    last_success_at = fields.DatetimeField(null=True)
    last_failure_at = fields.DatetimeField(null=True)

    class Meta:
        table = "host_health"
