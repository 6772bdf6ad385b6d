"""The home page: the organization, its campaign tally (with the last 30 days' chart) and
its chapters."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from actors.chapters import list_chapters
from web.templating import render
from web.ui.campaign import tally_context

HOME_DAYS = 30


async def home(request: Request) -> Response:
    settings = request.app.state.settings
    ctx = await tally_context(settings, days=HOME_DAYS)
    ctx.update({
        "chapters": await list_chapters(),
        "registration_mode": settings.registration.mode,
    })
    return await render(request, "home.html", ctx)
