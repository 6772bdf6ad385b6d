"""Settings of the login: the password (a change ends every other session and app token),
the email address (changed only once the new one confirms) and the list of sessions."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from actors.accounts import PASSWORD_MAX
from actors.confirmations import pending_email_change, request_email_change
from actors.credentials import change_password
from actors.errors import ValidationFailed
from actors.models import Account
from core.db import in_transaction
from core.messages import N_
from web.security import rotate_csrf, set_csrf_cookie
from web.sessions import SESSION_COOKIE, end_sessions, revoke_tokens, session_id, sessions_of
from web.ui.settings_common import done, member, read_settings_form, settings_page, text


async def _password(request: Request, errors: dict[str, str] | None = None,
                    status: int = 200) -> Response:
    settings = request.app.state.settings
    return await settings_page(request, "settings_password.html", {
        "errors": errors or {}, "min_length": settings.registration.min_password_length,
    }, status)


async def password_form(request: Request) -> Response:
    account = await member(request)
    if isinstance(account, Response):
        return account
    return await _password(request)


async def password_submit(request: Request) -> Response:
    """POST /settings/password: with the current password; the other sessions and every app
    token of the member end in the same transaction (this session stays)."""
    account = await member(request)
    if isinstance(account, Response):
        return account
    form = await read_settings_form(request)
    current = text(form, "current", PASSWORD_MAX + 1)
    new = text(form, "new", PASSWORD_MAX + 1)
    if new != text(form, "confirm", PASSWORD_MAX + 1):
        return await _password(request, {"confirm": N_("The two new passwords differ.")}, 422)
    try:
        async with in_transaction():
            await change_password(account, current, new, request.app.state.settings.registration)
            await end_sessions(account, keep=session_id(request))
            await revoke_tokens(account)
    except ValidationFailed as exc:
        return await _password(request, dict(exc.errors), 422)
    return done("/settings/password", "password")


async def _email(request: Request, account: Account, *, value: str = "",
                 errors: dict[str, str] | None = None, status: int = 200) -> Response:
    return await settings_page(request, "settings_email.html", {
        "account": account, "pending": await pending_email_change(account),
        "value": value, "errors": errors or {},
    }, status)


async def email_form(request: Request) -> Response:
    account = await member(request)
    if isinstance(account, Response):
        return account
    return await _email(request, account)


async def email_submit(request: Request) -> Response:
    """POST /settings/email: a link to the new address; nothing changes until it is followed."""
    account = await member(request)
    if isinstance(account, Response):
        return account
    form = await read_settings_form(request)
    value = text(form, "email", 300)
    try:
        await request_email_change(request.app.state.settings, account, value,
                                   text(form, "password", PASSWORD_MAX + 1))
    except ValidationFailed as exc:
        return await _email(request, account, value=value, errors=dict(exc.errors), status=422)
    return done("/settings/email", "email")


async def sessions_page(request: Request) -> Response:
    account = await member(request)
    if isinstance(account, Response):
        return account
    return await settings_page(request, "settings_sessions.html", {
        "sessions": await sessions_of(account), "current": session_id(request),
    })


async def session_end(request: Request) -> Response:
    """POST /settings/sessions/end: one session (`session`), or every other one (`others`).
    Ending this very session logs out."""
    account = await member(request)
    if isinstance(account, Response):
        return account
    form = await read_settings_form(request)
    current = session_id(request)
    if text(form, "others", 5):
        await end_sessions(account, keep=current)
        return done("/settings/sessions", "sessions")
    chosen = text(form, "session", 64)
    if not chosen:
        return await settings_page(request, "settings_sessions.html", {
            "sessions": await sessions_of(account), "current": current,
            "errors": {"session": N_("Choose a session to end.")}}, 422)
    await end_sessions(account, only=chosen)
    if chosen == current:
        response = RedirectResponse("/", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        rotate_csrf(request)
        set_csrf_cookie(request, response)
        return response
    return done("/settings/sessions", "session")


def routes() -> list[BaseRoute]:
    return [
        Route("/settings/password", password_form, methods=["GET"], name="settings_password"),
        Route("/settings/password", password_submit, methods=["POST"]),
        Route("/settings/email", email_form, methods=["GET"], name="settings_email"),
        Route("/settings/email", email_submit, methods=["POST"]),
        Route("/settings/sessions", sessions_page, methods=["GET"], name="settings_sessions"),
        Route("/settings/sessions/end", session_end, methods=["POST"]),
    ]
