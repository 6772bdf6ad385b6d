"""Jinja2 templates with autoescape, and the one helper that renders a page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from actors.roles import coordinated_groups
from content.notifications import unread_count
from web.i18n import FILTERS, finalize, jinja_callables, languages, request_language
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
        finalize=finalize,
    )
    # `_`, `gettext` and `ngettext` in every template; `render` passes the request's language
    # in the context, where jinja looks them up. `{% trans %}` blocks are whitespace-trimmed.
    env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    env.policies["ext.i18n.trimmed"] = True
    env.filters.update(FILTERS)
    env.globals["csrf_field"] = CSRF_FIELD
    languages()  # compile the catalogs now, at start-up, not on the first request
    return env


async def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status: int = 200
) -> HTMLResponse:
    """Render a page with what every page needs: settings, the viewer, a CSRF token, a language."""
    settings = request.app.state.settings
    viewer = await current_account(request)
    language = await request_language(request)
    ctx = {
        "request": request,
        "i18n": language,
        "lang": language.code,
        **jinja_callables(language.code),
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
    # The language depends on the header and, through the session cookie, on the member.
    response.headers["content-language"] = language.code
    response.headers["vary"] = "Accept-Language, Cookie"
    set_csrf_cookie(request, response)
    return response
