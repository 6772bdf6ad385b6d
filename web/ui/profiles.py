"""Public profile pages of members, chapters and the instance actor (the HTML of actor URLs)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from actors.directory import chapter_of
from actors.follows import ACCEPTED, count_followers, count_following, follow_between
from actors.models import Actor
from web.sessions import current_account
from web.templating import render

JOIN_POLICY_TEXT = {
    "open": "Anyone may join: follow this chapter from any fediverse account.",
    "approval": "Coordinators approve each request to join.",
    "closed": "This chapter is not taking new members.",
}


async def _follow_state(request: Request, actor: Actor) -> str | None:
    """For a logged-in member looking at another actor: "none", "pending" or "accepted"."""
    viewer = await current_account(request)
    if viewer is None or actor.kind == "Application" or viewer.actor.id == actor.id:
        return None
    follow = await follow_between(viewer.actor, actor)
    if follow is None:
        return "none"
    return "accepted" if follow.state == ACCEPTED else "pending"


async def profile_page(request: Request, actor: Actor) -> Response:
    settings = request.app.state.settings
    chapter = await chapter_of(actor)
    return await render(
        request,
        "profile.html",
        {
            "actor": actor,
            "chapter": chapter,
            "handle": f"@{actor.username}@{settings.instance.domain}",
            "followers": await count_followers(actor),
            "following": await count_following(actor),
            "join_policy": JOIN_POLICY_TEXT.get(chapter.join_policy, "") if chapter else "",
            "follow_state": await _follow_state(request, actor),
        },
    )
