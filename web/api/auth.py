"""OAuth 2 scopes and tokens of the Mastodon client API: which scope covers which, the token
endpoint with its four grants and revocation (only SHA-256 hashes are stored), and checking
the bearer token of an API request."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
from datetime import timedelta
from typing import Any
from urllib.parse import unquote_plus

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from actors.accounts import authenticate
from actors.errors import LoginFailed
from actors.models import Account
from core import clock
from web.api.errors import (
    NO_STORE,
    ApiError,
    OAuthError,
    api_endpoint,
    invalid_token,
    outside_scopes,
    read_params,
    text_param,
)
from web.models import OAuthApp, OAuthCode, OAuthToken

# Mastodon's scopes (docs: api/oauth-scopes): the top-level ones and the granular ones.
_READ = ("accounts", "blocks", "bookmarks", "favourites", "filters", "follows", "lists",
         "mutes", "notifications", "search", "statuses")
_WRITE = ("accounts", "blocks", "bookmarks", "conversations", "favourites", "filters",
          "follows", "lists", "media", "mutes", "notifications", "reports", "statuses")
_ADMIN = ("accounts", "reports", "domain_allows", "domain_blocks", "ip_blocks",
          "email_domain_blocks", "canonical_email_blocks")
TOP_SCOPES = ("read", "write", "follow", "push", "profile", "admin:read", "admin:write")
SCOPES = frozenset(
    TOP_SCOPES
    + tuple(f"read:{s}" for s in _READ)
    + tuple(f"write:{s}" for s in _WRITE)
    + tuple(f"admin:read:{s}" for s in _ADMIN)
    + tuple(f"admin:write:{s}" for s in _ADMIN)
)
# The old `follow` scope still grants these (Mastodon keeps it for older apps).
FOLLOW_COVERS = frozenset({"read:follows", "read:blocks", "read:mutes",
                           "write:follows", "write:blocks", "write:mutes"})
DEFAULT_SCOPE = "read"
SCOPE_WORDS = {
    "read": "read everything in your account: posts, timelines, notifications, follows",
    "write": "post, edit and delete, vote, follow, and change your profile",
    "follow": "see and change whom you follow, block and mute",
    "push": "receive push notifications",
    "profile": "see your profile only",
    "admin:read": "read the server's administration data",
    "admin:write": "take moderation and administration actions",
}

TOKEN_BYTES = 32
TOUCH_EVERY = timedelta(hours=1)
REDIRECT_URI_MAX = 2000
GRANTS = ("authorization_code", "password", "client_credentials", "refresh_token")
_VERIFIER = re.compile(r"^[A-Za-z0-9._~-]{43,128}$")


def digest(secret: str) -> str:
    """What we store instead of a secret, code or token."""
    return hashlib.sha256(secret.encode()).hexdigest()


def same_secret(given: str, stored_hash: str) -> bool:
    return hmac.compare_digest(digest(given), stored_hash)


def new_secret() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def parse_scopes(text: str) -> list[str] | None:
    """The scopes of a space- (or plus-) separated string in order without repeats, or None
    when one of them is unknown."""
    found: list[str] = []
    for scope in text.replace("+", " ").split():
        if scope not in SCOPES:
            return None
        if scope not in found:
            found.append(scope)
    return found


def covers(granted: set[str] | frozenset[str], needed: str) -> bool:
    """Whether scopes `granted` allow `needed`, with Mastodon's hierarchy: `read` covers
    `read:*`, `write` covers `write:*`, `admin:read` covers `admin:read:*`, …"""
    if needed in granted:
        return True
    if needed in FOLLOW_COVERS and "follow" in granted:
        return True
    parent, _, rest = needed.rpartition(":")
    return bool(parent) and bool(rest) and covers(granted, parent)


def within(requested: list[str], allowed: list[str]) -> bool:
    """Whether every requested scope is covered by the app's scopes."""
    return all(covers(frozenset(allowed), scope) for scope in requested)


def describe(scopes: list[str]) -> list[str]:
    """The scopes in words for the consent page (granular ones are shown as they are)."""
    return [SCOPE_WORDS.get(scope, scope) for scope in scopes]


async def issue_token(app: OAuthApp, account: Account | None, scopes: list[str],
                      *, refresh: bool) -> tuple[OAuthToken, str, str | None]:
    """A new token: the row, the raw access token and the raw refresh token (or None)."""
    access = new_secret()
    refresh_token = new_secret() if refresh else None
    token = await OAuthToken.create(
        access_hash=digest(access),
        refresh_hash=digest(refresh_token) if refresh_token else None,
        app=app,
        account=account,
        scopes=" ".join(scopes),
    )
    return token, access, refresh_token


def bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    kind, _, value = header.partition(" ")
    if kind.lower() != "bearer" or not value.strip() or len(value) > 200:
        return None
    return value.strip()


async def api_token(request: Request, *any_of: str) -> OAuthToken:
    """The request's live token, holding one of the scopes `any_of` (none given: any token).

    401 when the token is missing, unknown, revoked or expired, or its member may no longer
    log in; 403 when it lacks the scope. Cached on the request."""
    token: OAuthToken | None = getattr(request.state, "oauth_token", None)
    if token is None:
        raw = bearer(request)
        if raw is None:
            raise invalid_token()
        token = await OAuthToken.get_or_none(access_hash=digest(raw)).prefetch_related(
            "app", "account__actor")
        now = clock.now()
        if token is None or token.revoked_at is not None:
            raise invalid_token()
        if token.expires_at is not None and token.expires_at <= now:
            raise invalid_token()
        account = token.account
        if account is not None and (not account.approved or account.rejected_at is not None):
            raise invalid_token()
        if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
            await OAuthToken.filter(id=token.id).update(last_used_at=now)
            token.last_used_at = now
        request.state.oauth_token = token
    granted = frozenset(token.scopes.split())
    if any_of and not any(covers(granted, scope) for scope in any_of):
        raise outside_scopes()
    return token


async def api_account(request: Request, *any_of: str) -> Account:
    """The member acting through the request's token (with `account.actor` loaded).

    A token of the app alone (client_credentials) is refused like Mastodon does."""
    token = await api_token(request, *any_of)
    if token.account is None:
        raise ApiError(422, "This method requires an authenticated user")
    return token.account


# --- the token endpoint -----------------------------------------------------------------------


def _client_credentials(request: Request, params: dict[str, Any]) -> tuple[str, str]:
    header = request.headers.get("authorization", "")
    kind, _, value = header.partition(" ")
    if kind.lower() == "basic" and value:
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            raise OAuthError("invalid_client", "Malformed Basic credentials.", 401) from None
        client_id, _, secret = decoded.partition(":")
        return unquote_plus(client_id), unquote_plus(secret)
    return text_param(params, "client_id", 200), text_param(params, "client_secret", 200)


async def authenticate_client(request: Request, params: dict[str, Any]) -> OAuthApp:
    client_id, secret = _client_credentials(request, params)
    app = await OAuthApp.get_or_none(client_id=client_id) if client_id else None
    if app is None or not secret or not same_secret(secret, app.secret_hash):
        raise OAuthError("invalid_client", "Client authentication failed: unknown client, "
                         "no client authentication included, or wrong secret.", 401)
    return app


def _scopes_asked(params: dict[str, Any], app: OAuthApp, default: str) -> list[str]:
    scopes = parse_scopes(text_param(params, "scope", 1000) or default)
    if not scopes or not within(scopes, app.scopes.split()):
        raise OAuthError("invalid_scope", "The requested scope is invalid, unknown, or "
                         "beyond what the app registered.")
    return scopes


def pkce_matches(verifier: str, challenge: str) -> bool:
    if not _VERIFIER.match(verifier):
        return False
    computed = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return hmac.compare_digest(computed.decode().rstrip("="), challenge)


async def _grant_code(app: OAuthApp, params: dict[str, Any]) -> tuple[OAuthToken, str, str | None]:
    invalid = OAuthError("invalid_grant", "The authorization code is invalid, expired, "
                         "already used, or was issued to another client or redirect URI.")
    raw = text_param(params, "code", 200)
    code = await OAuthCode.get_or_none(id=digest(raw)).prefetch_related("account") if raw else None
    if code is None or code.app_id != app.id:  # type: ignore[attr-defined]
        raise invalid
    now = clock.now()
    if code.used_at is not None:
        # RFC 6749 §4.1.2: a replayed code revokes what was issued from it.
        await OAuthToken.filter(app_id=app.id, account_id=code.account.id,
                                created_at__gte=code.created_at,
                                revoked_at__isnull=True).update(revoked_at=now)
        raise invalid
    claimed = await OAuthCode.filter(id=code.id, used_at__isnull=True).update(used_at=now)
    if not claimed or code.expires_at <= now:
        raise invalid
    if text_param(params, "redirect_uri", REDIRECT_URI_MAX + 1) != code.redirect_uri:
        raise invalid
    if code.code_challenge:
        if not pkce_matches(text_param(params, "code_verifier", 200), code.code_challenge):
            raise OAuthError("invalid_grant", "The PKCE code_verifier does not match.")
    elif params.get("code_verifier"):
        raise OAuthError("invalid_grant", "No code_challenge was sent for this code.")
    account = code.account
    if not account.approved or account.rejected_at is not None:
        raise invalid
    return await issue_token(app, account, code.scopes.split(), refresh=True)


async def _grant_password(app: OAuthApp, params: dict[str, Any]) -> tuple[OAuthToken, str, str | None]:
    scopes = _scopes_asked(params, app, DEFAULT_SCOPE)
    try:
        account = await authenticate(text_param(params, "username", 254),
                                     text_param(params, "password", 2048))
    except LoginFailed as exc:
        raise OAuthError("invalid_grant", str(exc)) from None
    return await issue_token(app, account, scopes, refresh=True)


async def _grant_refresh(app: OAuthApp, params: dict[str, Any]) -> tuple[OAuthToken, str, str | None]:
    raw = text_param(params, "refresh_token", 200)
    old = await OAuthToken.get_or_none(refresh_hash=digest(raw)).prefetch_related(
        "account") if raw else None
    if old is None or old.app_id != app.id or old.revoked_at is not None:  # type: ignore[attr-defined]
        raise OAuthError("invalid_grant", "The refresh token is invalid, revoked or was "
                         "issued to another client.")
    granted = old.scopes.split()
    scopes = _scopes_asked(params, app, old.scopes)
    if not within(scopes, granted):
        raise OAuthError("invalid_scope", "A refreshed token cannot have more scopes.")
    revoked = await OAuthToken.filter(id=old.id, revoked_at__isnull=True).update(
        revoked_at=clock.now())
    account = old.account
    if not revoked or account is None or not account.approved or account.rejected_at:
        raise OAuthError("invalid_grant", "The refresh token is no longer valid.")
    return await issue_token(app, account, scopes, refresh=True)


@api_endpoint
async def token(request: Request) -> Response:
    """POST /oauth/token (form or JSON; client secret in the body or HTTP Basic)."""
    params = await read_params(request)
    grant = text_param(params, "grant_type", 50)
    if grant not in GRANTS:
        raise OAuthError("unsupported_grant_type", "The authorization grant type is not "
                         "supported by the authorization server.")
    app = await authenticate_client(request, params)
    if grant == "authorization_code":
        issued, access, refresh = await _grant_code(app, params)
    elif grant == "password":
        issued, access, refresh = await _grant_password(app, params)
    elif grant == "refresh_token":
        issued, access, refresh = await _grant_refresh(app, params)
    else:
        issued, access, refresh = await issue_token(
            app, None, _scopes_asked(params, app, DEFAULT_SCOPE), refresh=False)
    body: dict[str, Any] = {"access_token": access, "token_type": "Bearer",
                            "scope": issued.scopes,
                            "created_at": int(issued.created_at.timestamp())}
    if refresh:
        body["refresh_token"] = refresh
    return JSONResponse(body, headers=NO_STORE)


@api_endpoint
async def revoke(request: Request) -> Response:
    """POST /oauth/revoke: revoke an access or refresh token of the calling client."""
    params = await read_params(request)
    app = await authenticate_client(request, params)
    raw = text_param(params, "token", 200)
    if raw:
        hashed = digest(raw)
        now = clock.now()
        await OAuthToken.filter(app_id=app.id, access_hash=hashed,
                                revoked_at__isnull=True).update(revoked_at=now)
        await OAuthToken.filter(app_id=app.id, refresh_hash=hashed,
                                revoked_at__isnull=True).update(revoked_at=now)
    return JSONResponse({}, headers=NO_STORE)
