"""`POST /preview`: the Markdown of a post being written, rendered by the same sanitizing
renderer that publishing uses, as an HTML fragment for the live preview (web/static/app.js)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from content.html import markdown_to_html
from web.sessions import current_account
from web.ui.auth import read_form

PREVIEW_MAX = 100_000  # the longest source a post may have (an article)


async def preview(request: Request) -> Response:
    """Members only (it is a tool for writing, not a public renderer); CSRF-checked."""
    if await current_account(request) is None:
        return HTMLResponse("", status_code=401)
    form = await read_form(request)
    source = form.get("text")
    if not isinstance(source, str) or len(source) > PREVIEW_MAX:
        return HTMLResponse("", status_code=422)
    return HTMLResponse(markdown_to_html(source), headers={"cache-control": "no-store"})


def routes() -> list[BaseRoute]:
    return [Route("/preview", preview, methods=["POST"], name="preview")]
