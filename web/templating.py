"""Jinja2 templates with autoescape, and the one helper that renders a page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from actors.roles import coordinated_groups
from content.notifications import unread_count
from web.security import CSRF_FIELD, csrf_token, set_csrf_cookie
from web.sessions import current_account

TEMPLATES = Path(__file__).parent / "templates"


def make_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        enable_async=False,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    # `_`, `gettext` and `ngettext` in every template (translations arrive per request).
    env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    env.globals["csrf_field"] = CSRF_FIELD
    return env


async def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status: int = 200
) -> HTMLResponse:
    """Render a page with what every page needs: settings, the viewer, a CSRF token."""
    settings = request.app.state.settings
    viewer = await current_account(request)
    ctx = {
        "request": request,
        "instance": settings.instance,
        "viewer": viewer,
        "csrf_token": csrf_token(request),
        # For the navigation: unread notifications, and whether the viewer admits members.
        "unread": await unread_count(viewer.actor) if viewer else 0,
        "coordinates": bool(viewer and await coordinated_groups(viewer.actor)),
        **(context or {}),
    }
    html = request.app.state.templates.get_template(template).render(ctx)
    response = HTMLResponse(html, status_code=status)
    response.headers["cache-control"] = "no-store" if ctx["viewer"] else "no-cache"
    set_csrf_cookie(request, response)
    return response
