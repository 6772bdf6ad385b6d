"""Records of the web layer: server-side login sessions, and the OAuth 2 apps, codes and
tokens of the Mastodon client API."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from core.ids import new_id


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


class OAuthApp(Model):
    """A client application registered through POST /api/v1/apps of the Mastodon API.

    `client_id` is public; only the SHA-256 of `client_secret` is kept. `redirect_uris`
    holds one exact URI per line (custom schemes and urn:ietf:wg:oauth:2.0:oob allowed);
    `scopes` the space-separated scopes the app may ask for.
    """

    id = fields.BigIntField(primary_key=True, default=new_id, generated=False)
    client_id = fields.CharField(max_length=64, unique=True)
    secret_hash = fields.CharField(max_length=64)
    name = fields.CharField(max_length=200)
    website = fields.CharField(max_length=2048, null=True)
    redirect_uris = fields.TextField()
    scopes = fields.CharField(max_length=1000, default="read")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "oauth_app"


class OAuthCode(Model):
    """An authorization code handed to an app after the member consented.

    Kept as the SHA-256 of the code; used once (`used_at`), short-lived (`expires_at`),
    bound to the exact redirect URI and, with PKCE, to the S256 challenge.
    """

    id = fields.CharField(max_length=64, primary_key=True)
    app: fields.ForeignKeyRelation[OAuthApp] = fields.ForeignKeyField(
        "models.OAuthApp", related_name="codes", on_delete=fields.CASCADE
    )
    account: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "models.Account", related_name="oauth_codes", on_delete=fields.CASCADE
    )
    redirect_uri = fields.CharField(max_length=2048)
    scopes = fields.CharField(max_length=1000)
    code_challenge = fields.CharField(max_length=128, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "oauth_code"


class OAuthToken(Model):
    """An access token of an app, for a member or for the app alone.

    A NULL account is a client_credentials token that acts for the app only. Only SHA-256
    hashes of the access and refresh tokens are
    kept; a revoked token fails at once."""

    id = fields.BigIntField(primary_key=True, default=new_id, generated=False)
    access_hash = fields.CharField(max_length=64, unique=True)
    refresh_hash = fields.CharField(max_length=64, unique=True, null=True)
    app: fields.ForeignKeyRelation[OAuthApp] = fields.ForeignKeyField(
        "models.OAuthApp", related_name="tokens", on_delete=fields.CASCADE
    )
    account: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "models.Account", related_name="oauth_tokens", null=True, on_delete=fields.CASCADE
    )
    scopes = fields.CharField(max_length=1000)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField(null=True)
    last_used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "oauth_token"
        indexes = (("account_id", "revoked_at"),)


class Marker(Model):
    """Where a member stopped reading a timeline (home or notifications), kept for apps."""

    id = fields.BigIntField(primary_key=True, default=new_id, generated=False)
    account: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "models.Account", related_name="markers", on_delete=fields.CASCADE
    )
    timeline = fields.CharField(max_length=20)
    last_read_id = fields.CharField(max_length=40)
    version = fields.IntField(default=0)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "api_marker"
        unique_together = (("account", "timeline"),)


class IdempotentPost(Model):
    """A status created with an Idempotency-Key header: a retry with the same key by the
    same account returns this post instead of posting twice (kept for a day)."""

    id = fields.BigIntField(primary_key=True, default=new_id, generated=False)
    account: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "models.Account", related_name="idempotent_posts", on_delete=fields.CASCADE
    )
    key = fields.CharField(max_length=200)
    post_id = fields.BigIntField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "api_idempotent_post"
        unique_together = (("account", "key"),)
        indexes = (("created_at",),)
