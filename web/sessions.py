"""Server-side login sessions: a random cookie token, stored hashed, with sliding expiry; and
ending a member's sessions and apps' tokens (a new password, "log out everywhere")."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from starlette.requests import Request
from starlette.responses import Response

from actors.models import Account
from core import clock
from web.models import OAuthToken, Session

SESSION_COOKIE = "ch_session"
LIFETIME = timedelta(days=30)
TOUCH_EVERY = timedelta(hours=1)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


async def start_session(request: Request, response: Response, account: Account) -> None:
    """Log `account` in: always a new token, so a token planted before log-in is worthless."""
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        await Session.filter(id=_digest(old)).delete()
    token = secrets.token_urlsafe(32)
    now = clock.now()
    await Session.create(
        id=_digest(token),
        account=account,
        expires_at=now + LIFETIME,
        ip=client_ip(request)[:45],
        user_agent=request.headers.get("user-agent", "")[:300],
    )
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        path="/",
        secure=request.app.state.settings.server.scheme == "https",
    )


async def current_account(request: Request) -> Account | None:
    """The logged-in account of this request, or None (cached on the request)."""
    if hasattr(request.state, "account"):
        account: Account | None = request.state.account
        return account
    request.state.account = None
    token = request.cookies.get(SESSION_COOKIE)
    if token and len(token) <= 100:
        session = await Session.get_or_none(id=_digest(token)).prefetch_related("account__actor")
        now = clock.now()
        if session is not None and session.expires_at > now:
            if now - session.last_seen_at > TOUCH_EVERY:
                await Session.filter(id=session.id).update(
                    last_seen_at=now, expires_at=now + LIFETIME
                )
            request.state.account = session.account
        elif session is not None:
            await Session.filter(id=session.id).delete()
    return request.state.account  # type: ignore[no-any-return]


async def end_session(request: Request, response: Response) -> None:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await Session.filter(id=_digest(token)).delete()
    response.delete_cookie(SESSION_COOKIE, path="/")


def session_id(request: Request) -> str | None:
    """The stored id (the hash) of this request's session, if it has a cookie."""
    token = request.cookies.get(SESSION_COOKIE)
    return _digest(token) if token and len(token) <= 100 else None


async def sessions_of(account: Account) -> list[Session]:
    """The account's live sessions, most recently seen first."""
    return await Session.filter(account_id=account.id, expires_at__gt=clock.now()).order_by(
        "-last_seen_at", "-created_at")


async def end_sessions(account: Account, *, keep: str | None = None,
                       only: str | None = None) -> int:
    """End the account's sessions: all, all but `keep` (the current one), or `only` one.
    Returns how many ended."""
    query = Session.filter(account_id=account.id)
    if keep is not None:
        query = query.exclude(id=keep)
    if only is not None:
        query = query.filter(id=only)
    return await query.delete()


async def revoke_tokens(account: Account, *, app_id: int | None = None) -> int:
    """Revoke the account's live OAuth tokens (of one app, or of all): they fail at once,
    open streams end at their next check. Returns how many were revoked."""
    query = OAuthToken.filter(account_id=account.id, revoked_at__isnull=True)
    if app_id is not None:
        query = query.filter(app_id=app_id)
    return await query.update(revoked_at=clock.now())
