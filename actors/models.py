"""Records of who is who: actors (local and remote), member accounts, chapters and their
roles, follows, blocks between actors, invitations, the campaign and its daily tally."""

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
    # The profile's pictures (for our members an address under /media, relative to the base
    # URL; for another server's actor its own address), the avatar's alt text, and the
    # profile fields as a list of {"name", "value"} in plain text (NULL: none).
    avatar_url = fields.CharField(max_length=2048, null=True)
    avatar_description = fields.CharField(max_length=1500, null=True)
    header_url = fields.CharField(max_length=2048, null=True)
    profile_fields: object = fields.JSONField(null=True)
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
    # Who recruited this member, and through which invitation (NULL: joined without one).
    invited_by: fields.ForeignKeyNullableRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="recruits", null=True, on_delete=fields.SET_NULL
    )
    invitation: fields.ForeignKeyNullableRelation[Invitation] = fields.ForeignKeyField(
        "models.Invitation", related_name="accounts", null=True, on_delete=fields.SET_NULL
    )
    # The review of an application (registration mode `approval`): pending while approved is
    # False and rejected_at is NULL; `review_note` is what the admin told the applicant.
    reviewed_at = fields.DatetimeField(null=True)
    reviewed_by: fields.ForeignKeyNullableRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="reviews", null=True, on_delete=fields.SET_NULL
    )
    rejected_at = fields.DatetimeField(null=True)
    review_note = fields.TextField(default="", db_default="")

    class Meta:
        table = "account"
        indexes = (("invited_by_id",), ("approved", "rejected_at"))

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
    # The chapter's own membership goal in the campaign (NULL: none).
    campaign_goal = fields.IntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "chapter"


class SubChapter(Model):
    """A chapter on another server that names one of ours as its parent (it told us with an
    `Add` to our chapter's `subChapters` collection, and its actor document agrees)."""

    id = fields.BigIntField(primary_key=True, default=new_id, generated=False)
    parent: fields.ForeignKeyRelation[Chapter] = fields.ForeignKeyField(
        "models.Chapter", related_name="remote_children", on_delete=fields.CASCADE
    )
    child: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="parent_links", on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "sub_chapter"
        unique_together = (("parent", "child"),)


class ChapterRole(Model):
    """A role an actor holds in a group: `coordinator` (admits members, moderates).

    For our chapters the coordinators are set here (local or remote members); for a remote
    group we record what its Add/Remove on its moderators collection told us.
    """

    id = fields.BigIntField(primary_key=True, default=new_id, generated=False)
    group: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="roles", on_delete=fields.CASCADE
    )
    actor: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="group_roles", on_delete=fields.CASCADE
    )
    role = fields.CharField(max_length=20, default="coordinator")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "chapter_role"
        unique_together = (("group", "actor"),)
        indexes = (("actor_id",),)


class Invitation(Model):
    """An invitation link a member made: `code` is the secret part of the link.

    Usable while not revoked, not expired and used fewer than `max_uses` times (NULL: no
    limit). `chapter`, when set, is a chapter of ours the new member asks to join.
    """

    id = fields.BigIntField(primary_key=True, default=new_id, generated=False)
    code = fields.CharField(max_length=64, unique=True)
    inviter: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="invitations", on_delete=fields.CASCADE
    )
    chapter: fields.ForeignKeyNullableRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="chapter_invitations", null=True,
        on_delete=fields.SET_NULL
    )
    note = fields.CharField(max_length=200, default="")
    max_uses = fields.IntField(null=True)
    uses = fields.IntField(default=0)
    expires_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "invitation"
        indexes = (("inviter_id",),)


class EmailToken(Model):
    """A single-use link sent by email: confirm an address, reset a password, move to a new one.

    Only the SHA-256 of the link's token is kept (the id). `purpose` is confirm, reset or
    change. `email` is the address the link was sent to (for a change, the new address).
    The link works once (`used_at`) and until `expires_at`.
    """

    id = fields.CharField(max_length=64, primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="email_tokens", on_delete=fields.CASCADE
    )
    purpose = fields.CharField(max_length=10)
    email = fields.CharField(max_length=254)
    # Set from core.clock (not the database's clock): the rate limits compare it with it.
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "email_token"
        indexes = (("account_id", "purpose"), ("email", "purpose", "created_at"))


class Campaign(Model):
    """The membership campaign of the organization, as the admins set it on the web.

    One row. The `[campaign]` section of the configuration is the default until they do.
    """

    id = fields.IntField(primary_key=True)
    label = fields.CharField(max_length=100)
    goal = fields.IntField()
    starts_on = fields.DateField(null=True)
    ends_on = fields.DateField(null=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "campaign"


class DailyTally(Model):
    """The membership counts of one UTC day, for the organization (`scope` 0) or one of
    our chapters (`scope` = the chapter's id), written by the daily tally job.

    members: approved members (of a chapter: accepted followers, remote ones included);
    new_members: of those, joined that day; active_members: logged in or posted in the
    30 days before.
    """

    id = fields.BigIntField(primary_key=True, default=new_id, generated=False)
    day = fields.DateField()
    scope = fields.BigIntField(default=0)
    members = fields.IntField(default=0)
    new_members = fields.IntField(default=0)
    active_members = fields.IntField(default=0)
    recorded_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "daily_tally"
        unique_together = (("scope", "day"),)


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
    """One actor blocking another (`uri`: the Block activity's id).

    Either a remote actor blocking one of ours (received) or a member blocking anyone (sent).
    Follows between the two are removed when it is made; an Undo by the blocker removes it.
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


class Mute(Model):
    """A member hiding an actor from their timelines (and notifications, if so chosen).

    Private to the member: nothing is sent. `expires_at` NULL means until undone.
    """

    id = fields.BigIntField(primary_key=True, default=new_id, generated=False)
    owner: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="mutes_out", on_delete=fields.CASCADE
    )
    target: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="mutes_in", on_delete=fields.CASCADE
    )
    notifications = fields.BooleanField(default=True)
    expires_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "actor_mute"
        unique_together = (("owner", "target"),)


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
