"""Public profile pages of members, chapters and the instance actor (the HTML of actor URLs);
a chapter's page is web.ui.chapters'."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from actors.directory import chapter_of
from actors.follows import count_followers, count_following
from actors.models import Actor
from web.sessions import current_account
from web.templating import render
from web.ui.chapters import chapter_page
from web.ui.follows import follow_between_state


async def profile_page(request: Request, actor: Actor) -> Response:
    chapter = await chapter_of(actor)
    if chapter is not None:
        return await chapter_page(request, actor, chapter)
    settings = request.app.state.settings
    viewer = await current_account(request)
    return await render(
        request,
        "profile.html",
        {
            "actor": actor,
            "chapter": None,
            "handle": f"@{actor.username}@{settings.instance.domain}",
            "followers": await count_followers(actor),
            "following": await count_following(actor),
            "follow_state": await follow_between_state(viewer.actor if viewer else None,
                                                       actor),
        },
    )
