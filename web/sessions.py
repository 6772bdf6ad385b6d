"""Server-side login sessions: a random cookie token, stored hashed, with sliding expiry."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from starlette.requests import Request
from starlette.responses import Response

from actors.models import Account
from core import clock
from web.models import Session

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
