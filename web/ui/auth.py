"""Joining (with the commitments, an application or an invitation link), logging in and
logging out."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from actors.accounts import Registration, authenticate, register_member
from actors.confirmations import send_confirmation
from actors.errors import LoginFailed, ValidationFailed
from actors.invitations import CODE_MAX, find_usable_invitation
from actors.models import Invitation
from actors.urls import LocalUrls
from core.messages import message_of
from web.security import CSRF_FIELD, check_csrf, rotate_csrf, set_csrf_cookie
from web.sessions import current_account, end_session, start_session
from web.templating import render

FORM_FIELD_MAX = 5000


def _text(form: FormData, name: str, limit: int = FORM_FIELD_MAX) -> str:
    value = form.get(name)
    return value[:limit] if isinstance(value, str) else ""


async def read_form(request: Request) -> FormData:
    """The posted form after the CSRF and Origin checks (web.errors turns a failure into 403)."""
    form = await request.form(max_files=0, max_fields=50)
    token = form.get(CSRF_FIELD)
    check_csrf(request, token if isinstance(token, str) else None)
    return form


async def _join_context(
    request: Request, values: dict[str, str], errors: dict[str, str], code: str
) -> dict[str, Any]:
    """What the join page shows: the form (unless joining is by invitation only and there
    is no usable invitation), the reason field in approval mode without an invitation, and
    why an invitation link cannot be used."""
    rules = request.app.state.settings.registration
    invitation: Invitation | None = None
    invite_error = None
    if code:
        try:
            invitation = await find_usable_invitation(code)
        except ValidationFailed as exc:
            invite_error = exc.errors["invite"]
    errors = {k: v for k, v in errors.items() if not (k == "invite" and v == invite_error)}
    return {
        "values": values,
        "errors": errors,
        "rules": rules,
        "invitation": invitation,
        "invite_code": code if invitation is not None else "",
        "invite_error": invite_error,
        "show_form": invitation is not None or rules.mode != "invite",
        "ask_reason": invitation is None and rules.mode == "approval",
    }


def _code(value: object) -> str:
    return value.strip()[:CODE_MAX] if isinstance(value, str) else ""


async def join_form(request: Request) -> Response:
    """GET /join (?invite=CODE for an invitation link)."""
    if await current_account(request):
        return RedirectResponse("/", status_code=303)
    code = _code(request.query_params.get("invite"))
    return await render(request, "join.html", await _join_context(request, {}, {}, code))


async def join_submit(request: Request) -> Response:
    form = await read_form(request)
    settings = request.app.state.settings
    values = {
        k: _text(form, k) for k in ("username", "display_name", "email", "reason", "commitments")
    }
    code = _code(form.get("invite"))
    reg = Registration(
        username=values["username"].strip(),
        email=values["email"],
        password=_text(form, "password", 2048),
        accepted_commitments=_text(form, "commitments") == "accept",
        display_name=values["display_name"],
        reason=values["reason"],
    )
    try:
        account = await register_member(
            reg,
            settings.registration,
            invitation_code=code or None,
            urls=LocalUrls(settings.server.base_url),
        )
    except ValidationFailed as exc:
        context = await _join_context(request, values, exc.errors, code)
        return await render(request, "join.html", context, 422)
    if not account.confirmed:  # confirmed when the member follows the emailed link
        await send_confirmation(settings, account)
    if not account.approved:
        return await render(request, "applied.html", {"username": reg.username}, 201)
    response = RedirectResponse("/?welcome=1", status_code=303)
    rotate_csrf(request)
    await start_session(request, response, account)
    set_csrf_cookie(request, response)
    return response


async def login_form(request: Request) -> Response:
    if await current_account(request):
        return RedirectResponse("/", status_code=303)
    return await render(request, "login.html", {"identifier": "", "error": None})


async def login_submit(request: Request) -> Response:
    form = await read_form(request)
    identifier = _text(form, "identifier", 254)
    try:
        account = await authenticate(identifier, _text(form, "password", 2048))
    except LoginFailed as exc:
        return await render(
            request, "login.html", {"identifier": identifier, "error": message_of(exc)}, 401
        )
    response = RedirectResponse("/", status_code=303)
    rotate_csrf(request)
    await start_session(request, response, account)
    set_csrf_cookie(request, response)
    return response


async def logout(request: Request) -> Response:
    await read_form(request)
    response = RedirectResponse("/", status_code=303)
    await end_session(request, response)
    rotate_csrf(request)
    set_csrf_cookie(request, response)
    return response
