"""Settings: the apps a member authorized (their scopes and last use; revoking ends all of one
app's tokens for the member at once) and the download of all one's data as JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from actors.models import Account
from actors.urls import LocalUrls
from content.export import export_member
from core import clock
from core.ids import parse_id
from core.messages import N_
from web.models import OAuthApp, OAuthToken
from web.sessions import revoke_tokens
from web.ui.settings_common import done, member, read_settings_form, settings_page, text


@dataclass
class AuthorizedApp:
    """One app holding live tokens of the member: what they allow, since when, last used."""

    app: OAuthApp
    scopes: set[str] = field(default_factory=set)
    authorized_at: datetime | None = None
    last_used_at: datetime | None = None
    tokens: int = 0


async def authorized_apps(account: Account) -> list[AuthorizedApp]:
    """The apps with live (not revoked, not expired) tokens of `account`, last used first."""
    now = clock.now()
    tokens = await OAuthToken.filter(account_id=account.id, revoked_at__isnull=True
                                     ).prefetch_related("app").order_by("created_at")
    found: dict[int, AuthorizedApp] = {}
    for token in tokens:
        if token.expires_at is not None and token.expires_at <= now:
            continue
        entry = found.setdefault(token.app.id, AuthorizedApp(token.app, authorized_at=token.created_at))
        entry.scopes.update(token.scopes.split())
        entry.tokens += 1
        if token.last_used_at and (entry.last_used_at is None
                                   or token.last_used_at > entry.last_used_at):
            entry.last_used_at = token.last_used_at
    return sorted(found.values(), key=lambda e: (e.last_used_at or e.authorized_at or now),
                  reverse=True)


async def _apps(request: Request, account: Account, errors: dict[str, str] | None = None,
                status: int = 200) -> Response:
    rows = [{"entry": e, "scopes": sorted(e.scopes)} for e in await authorized_apps(account)]
    return await settings_page(request, "settings_apps.html",
                               {"apps": rows, "errors": errors or {}}, status)


async def apps_page(request: Request) -> Response:
    account = await member(request)
    if isinstance(account, Response):
        return account
    return await _apps(request, account)


async def app_revoke(request: Request) -> Response:
    """POST /settings/apps/revoke: every token of that app for this member ends now."""
    account = await member(request)
    if isinstance(account, Response):
        return account
    form = await read_settings_form(request)
    app_id = parse_id(text(form, "app", 30))
    if app_id is None or not await revoke_tokens(account, app_id=app_id):
        return await _apps(request, account,
                           {"app": N_("This app holds no access to your account.")}, 404)
    return done("/settings/apps", "app")


async def export_page(request: Request) -> Response:
    account = await member(request)
    if isinstance(account, Response):
        return account
    return await settings_page(request, "settings_export.html", {})


async def export_download(request: Request) -> Response:
    """POST /settings/export: the JSON file (a POST, so another site cannot make a logged-in
    browser fetch it, and nothing caches it)."""
    account = await member(request)
    if isinstance(account, Response):
        return account
    await read_settings_form(request)
    urls = LocalUrls(request.app.state.settings.server.base_url)
    data = await export_member(urls, account)
    name = f"{account.actor.username}-{clock.now():%Y%m%d}.json"
    return Response(
        json.dumps(data, ensure_ascii=False, indent=1),
        media_type="application/json",
        headers={"content-disposition": f'attachment; filename="{name}"',
                 "cache-control": "no-store"},
    )


def routes() -> list[BaseRoute]:
    return [
        Route("/settings/apps", apps_page, methods=["GET"], name="settings_apps"),
        Route("/settings/apps/revoke", app_revoke, methods=["POST"]),
        Route("/settings/export", export_page, methods=["GET"], name="settings_export"),
        Route("/settings/export", export_download, methods=["POST"]),
    ]
