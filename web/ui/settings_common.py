"""What every settings page shares: the sub-navigation, the notice after an action, the
log-in check and the form reading."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from actors.models import Account
from core.messages import N_
from web.security import CSRF_FIELD, check_csrf
from web.sessions import current_account
from web.templating import render

#: The sub-navigation: path, label.
SECTIONS = (
    ("/settings/profile", N_("Profile")),
    ("/settings/password", N_("Password")),
    ("/settings/email", N_("Email")),
    ("/settings/sessions", N_("Sessions")),
    ("/settings/apps", N_("Authorized apps")),
    ("/settings/export", N_("Export")),
)
#: What a page says after a successful post (?done=…), so a reload posts nothing again.
DONE = {
    "profile": N_("Your profile is saved. Other servers get the change shortly."),
    "password": N_("Your password is changed. Every other session and app was logged out."),
    "email": N_("Check your new address: we sent it a link. Your address changes when you "
                "follow it."),
    "session": N_("The session is ended."),
    "sessions": N_("Every other session is ended."),
    "app": N_("The app's access is revoked."),
}
TEXT_MAX = 5000


async def member(request: Request) -> Account | Response:
    """The logged-in account, or the redirect to the log-in page."""
    account = await current_account(request)
    if account is None:
        return RedirectResponse("/login", status_code=303)
    return account


def text(form: FormData, name: str, limit: int = TEXT_MAX) -> str:
    value = form.get(name)
    return value[:limit] if isinstance(value, str) else ""


def done(path: str, key: str) -> Response:
    return RedirectResponse(f"{path}?done={key}", status_code=303)


async def settings_page(request: Request, template: str, context: dict[str, Any],
                        status: int = 200) -> Response:
    """A settings page: the sub-navigation, the notice of a finished action, the errors."""
    return await render(request, template, {
        "sections": SECTIONS,
        "notice": DONE.get(request.query_params.get("done", "")),
        "errors": {},
        **context,
    }, status)


async def read_settings_form(request: Request, *, files: int = 0) -> FormData:
    """A posted settings form after the CSRF and Origin checks (a failure is a 403 page)."""
    form = await request.form(max_files=files, max_fields=60)
    token = form.get(CSRF_FIELD)
    check_csrf(request, token if isinstance(token, str) else None)
    return form
