"""The members' invitations page: make invitation links, list and revoke them, and see whom
one recruited (/invitations)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from actors.errors import ValidationFailed
from actors.invitations import (
    EXPIRY_DAYS,
    MAX_USES_CHOICES,
    NOTE_MAX,
    create_invitation,
    invitable_chapters,
    invitation_link,
    invitations_of,
    recruits_of,
    revoke_invitation,
    state_of,
)
from actors.models import Account
from core.messages import N_
from web.sessions import current_account
from web.templating import render
from web.ui.auth import read_form

ID_MAX_DIGITS = 19
EXPIRY_LABELS = {
    key: N_("Never") if days is None else (
        N_("After 1 day") if days == 1 else N_("After %(days)s days", days=days))
    for key, days in EXPIRY_DAYS.items()
}


def _field(form: Any, name: str, limit: int = 300) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def _id(raw: str) -> int | None:
    return int(raw) if raw.isdigit() and len(raw) <= ID_MAX_DIGITS else None


async def _member(request: Request) -> Account | Response:
    account = await current_account(request)
    if account is None:
        return RedirectResponse("/login", status_code=303)
    return account


async def _page(request: Request, account: Account, *, values: dict[str, str] | None = None,
                errors: dict[str, str] | None = None, status: int = 200) -> Response:
    base_url = request.app.state.settings.server.base_url
    rows = [
        {
            "invitation": inv,
            "link": invitation_link(base_url, inv.code),
            "state": state_of(inv),
        }
        for inv in await invitations_of(account.actor)
    ]
    return await render(request, "invitations.html", {
        "rows": rows,
        "recruits": await recruits_of(account.actor),
        "chapters": await invitable_chapters(),
        "expiry_labels": EXPIRY_LABELS,
        "max_uses_choices": MAX_USES_CHOICES,
        "note_max": NOTE_MAX,
        "values": values or {"expires": "7", "max_uses": ""},
        "errors": errors or {},
    }, status)


async def invitations_page(request: Request) -> Response:
    """GET /invitations: the form, one's invitations and one's recruits."""
    account = await _member(request)
    if isinstance(account, Response):
        return account
    return await _page(request, account)


async def invitation_create(request: Request) -> Response:
    """POST /invitations: a new link (expiry, maximum uses, note, chapter: all optional)."""
    form = await read_form(request)
    account = await _member(request)
    if isinstance(account, Response):
        return account
    values = {k: _field(form, k) for k in ("expires", "max_uses", "note", "chapter")}
    errors: dict[str, str] = {}
    max_uses = None
    if values["max_uses"]:
        max_uses = _id(values["max_uses"])
        if max_uses is None:
            errors["max_uses"] = N_("Choose how many people may use it.")
    chapter_id = None
    if values["chapter"]:
        chapter_id = _id(values["chapter"])
        if chapter_id is None:
            errors["chapter"] = N_("Choose one of our chapters that takes new members.")
    if not errors:
        try:
            await create_invitation(account, expires=values["expires"] or "never",
                                    max_uses=max_uses, note=values["note"],
                                    chapter_id=chapter_id)
        except ValidationFailed as exc:
            errors = exc.errors
    if errors:
        return await _page(request, account, values=values, errors=errors, status=422)
    return RedirectResponse("/invitations", status_code=303)


async def invitation_revoke(request: Request) -> Response:
    """POST /invitations/{id}/revoke: withdraw one of one's own links."""
    await read_form(request)
    account = await _member(request)
    if isinstance(account, Response):
        return account
    ident = _id(str(request.path_params["invitation_id"]))
    if ident is not None:
        await revoke_invitation(account, ident)
    return RedirectResponse("/invitations", status_code=303)


def routes() -> list[Route]:
    return [
        Route("/invitations", invitations_page, methods=["GET"], name="invitations"),
        Route("/invitations", invitation_create, methods=["POST"]),
        Route("/invitations/{invitation_id}/revoke", invitation_revoke, methods=["POST"]),
    ]
