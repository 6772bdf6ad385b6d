"""Joining (with the commitments), logging in and logging out."""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from actors.accounts import Registration, authenticate, register_member
from actors.errors import LoginFailed, ValidationFailed
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
    check_csrf(request, form.get(CSRF_FIELD) if isinstance(form.get(CSRF_FIELD), str) else None)
    return form


def _join_context(request: Request, values: dict[str, str], errors: dict[str, str]) -> dict:
    rules = request.app.state.settings.registration
    return {"values": values, "errors": errors, "rules": rules}


async def join_form(request: Request) -> Response:
    if await current_account(request):
        return RedirectResponse("/", status_code=303)
    return await render(request, "join.html", _join_context(request, {}, {}))


async def join_submit(request: Request) -> Response:
    form = await read_form(request)
    settings = request.app.state.settings
    values = {
        k: _text(form, k) for k in ("username", "display_name", "email", "reason", "commitments")
    }
    reg = Registration(
        username=values["username"].strip(),
        email=values["email"],
        password=_text(form, "password", 2048),
        accepted_commitments=_text(form, "commitments") == "accept",
        display_name=values["display_name"],
        reason=values["reason"],
    )
    try:
        account = await register_member(reg, settings.registration)
    except ValidationFailed as exc:
        return await render(request, "join.html", _join_context(request, values, exc.errors), 422)
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
            request, "login.html", {"identifier": identifier, "error": str(exc)}, 401
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
