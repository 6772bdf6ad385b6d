"""The home page: the organization, its campaign tally and its chapters."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from actors.accounts import member_count
from actors.chapters import list_chapters
from web.templating import render


async def home(request: Request) -> Response:
    settings = request.app.state.settings
    members = await member_count()
    goal = settings.campaign.goal
    return await render(
        request,
        "home.html",
        {
            "members": members,
            "goal": goal,
            "campaign_label": settings.campaign.label,
            "progress": min(100, round(100 * members / goal)),
            "chapters": await list_chapters(),
            "registration_mode": settings.registration.mode,
        },
    )
