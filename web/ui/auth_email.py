"""Pages of the links sent by email: confirming one's address (and resending the mail),
confirming a new address, and resetting a forgotten password."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from actors.accounts import PASSWORD_MAX
from actors.confirmations import confirm_address, confirm_email_change, resend_confirmation
from actors.credentials import request_password_reset, reset_password
from actors.email_links import CHANGE, CONFIRM, RESET, peek_link
from actors.errors import LinkRefused, ValidationFailed
from core.db import in_transaction
from core.messages import N_
from core.ratelimit import Limit, RateLimiter
from web.sessions import SESSION_COOKIE, current_account, end_sessions, revoke_tokens
from web.templating import render
from web.ui.settings_common import read_settings_form, text

#: Password-reset requests from one address (IP): at most this many in 15 minutes.
RESET_REQUESTS_PER_IP = Limit(10, 900)
REFUSALS = {
    "unknown": (404, N_("This link is not valid. It may be mistyped, or a newer message "
                        "replaced it.")),
    "used": (410, N_("This link was used already. Each link works only once.")),
    "expired": (410, N_("This link has expired.")),
    "taken": (409, N_("Another account uses this address now, so it cannot become yours.")),
}


async def _refused(request: Request, template: str, exc: LinkRefused,
                   **context: object) -> Response:
    status, message = REFUSALS.get(exc.reason, REFUSALS["unknown"])
    return await render(request, template, {"refused": message, **context}, status)


# --- confirming an address ------------------------------------------------------------------


async def confirm_page(request: Request) -> Response:
    """GET /confirm/{token} (or /confirm-email/{token}): a button that confirms. Only the
    POST uses the link up, so a mail scanner opening links does not spend it."""
    purpose = CHANGE if request.url.path.startswith("/confirm-email/") else CONFIRM
    try:
        link = await peek_link(request.path_params["token"], purpose)
    except LinkRefused as exc:
        return await _refused(request, "confirm.html", exc, purpose=purpose)
    return await render(request, "confirm.html", {"purpose": purpose, "email": link.email})


async def confirm_submit(request: Request) -> Response:
    purpose = CHANGE if request.url.path.startswith("/confirm-email/") else CONFIRM
    await read_settings_form(request)
    token = request.path_params["token"]
    try:
        if purpose == CHANGE:
            account = await confirm_email_change(request.app.state.settings, token)
        else:
            account = await confirm_address(token)
    except LinkRefused as exc:
        return await _refused(request, "confirm.html", exc, purpose=purpose)
    return await render(request, "confirm.html", {"purpose": purpose, "confirmed": True,
                                                  "email": account.email})


async def confirm_resend(request: Request) -> Response:
    """POST /confirm/resend: the confirmation mail again (at most once a minute)."""
    account = await current_account(request)
    if account is None:
        return RedirectResponse("/login", status_code=303)
    await read_settings_form(request)
    sent = await resend_confirmation(request.app.state.settings, account)
    return await render(request, "confirm_sent.html", {"sent": sent, "account": account},
                        200 if sent or account.confirmed else 429)


# --- resetting a forgotten password ---------------------------------------------------------


async def forgot_form(request: Request) -> Response:
    return await render(request, "password_reset_request.html", {"email": ""})


async def forgot_submit(request: Request) -> Response:
    """POST /password/forgot: the same answer whether or not the address has an account."""
    form = await read_settings_form(request)
    email = text(form, "email", 300)
    limiter = getattr(request.app.state, "reset_limiter", None)
    if limiter is None:
        limiter = request.app.state.reset_limiter = RateLimiter(RESET_REQUESTS_PER_IP)
    ip = request.client.host if request.client else ""
    decision = limiter.hit(ip)
    if not decision.allowed:
        response = await render(request, "password_reset_request.html", {
            "email": email,
            "error": N_("Too many requests from your network. Try again in a few minutes."),
        }, 429)
        response.headers["retry-after"] = str(decision.retry_after)
        return response
    if not email.strip():
        return await render(request, "password_reset_request.html", {
            "email": email, "error": N_("Enter your email address.")}, 422)
    await request_password_reset(request.app.state.settings, email)
    return await render(request, "password_reset_sent.html", {"email": email.strip()})


async def _reset(request: Request, errors: dict[str, str] | None = None,
                 status: int = 200) -> Response:
    return await render(request, "password_reset_form.html", {
        "errors": errors or {},
        "min_length": request.app.state.settings.registration.min_password_length,
    }, status)


async def reset_form(request: Request) -> Response:
    try:
        await peek_link(request.path_params["token"], RESET)
    except LinkRefused as exc:
        return await _refused(request, "password_reset_form.html", exc, errors={})
    return await _reset(request)


async def reset_submit(request: Request) -> Response:
    """POST /password/reset/{token}: the new password; every session and app token of the
    member ends in the same transaction, so whoever knew the old password is out."""
    form = await read_settings_form(request)
    new = text(form, "new", PASSWORD_MAX + 1)
    if new != text(form, "confirm", PASSWORD_MAX + 1):
        return await _reset(request, {"confirm": N_("The two new passwords differ.")}, 422)
    rules = request.app.state.settings.registration
    try:
        async with in_transaction():
            account = await reset_password(request.path_params["token"], new, rules)
            await end_sessions(account)
            await revoke_tokens(account)
    except ValidationFailed as exc:
        return await _reset(request, dict(exc.errors), 422)
    except LinkRefused as exc:
        return await _refused(request, "password_reset_form.html", exc, errors={})
    request.state.account = None  # this browser's session ended too
    response = await render(request, "password_reset_done.html",
                            {"username": account.actor.username})
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def routes() -> list[BaseRoute]:
    return [
        Route("/confirm/resend", confirm_resend, methods=["POST"], name="confirm_resend"),
        Route("/confirm/{token}", confirm_page, methods=["GET"], name="confirm"),
        Route("/confirm/{token}", confirm_submit, methods=["POST"]),
        Route("/confirm-email/{token}", confirm_page, methods=["GET"], name="confirm_email"),
        Route("/confirm-email/{token}", confirm_submit, methods=["POST"]),
        Route("/password/forgot", forgot_form, methods=["GET"], name="password_forgot"),
        Route("/password/forgot", forgot_submit, methods=["POST"]),
        Route("/password/reset/{token}", reset_form, methods=["GET"], name="password_reset"),
        Route("/password/reset/{token}", reset_submit, methods=["POST"]),
    ]
