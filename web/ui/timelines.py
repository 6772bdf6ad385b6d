"""The reading pages: the home timeline (/timeline, members), this server's public posts
(/timeline/local, everyone) and every public post stored here (/timeline/federated, members
only: other servers' posts are not mirrored to the world), each paged with `?max_id=`; and,
registered with them, the search page (web.ui.search)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from content.timelines import Timeline, federated_timeline, home_timeline, local_timeline
from core.ids import parse_id
from core.messages import N_
from web.sessions import current_account
from web.templating import render
from web.ui import search

ID_MAX = 30


def _max_id(request: Request) -> int | None:
    return parse_id(request.query_params.get("max_id", "")[:ID_MAX])


async def _page(request: Request, which: str, timeline: Timeline, heading: str, intro: str,
                empty: str) -> Response:
    return await render(request, "timeline.html", {
        "which": which, "heading": heading, "intro": intro, "empty": empty,
        "entries": timeline.entries, "counts": timeline.counts, "older": timeline.older})


async def home_page(request: Request) -> Response:
    """GET /timeline: what the member follows, newest first."""
    account = await current_account(request)
    if account is None:
        return RedirectResponse("/login", status_code=303)
    timeline = await home_timeline(account.actor, max_id=_max_id(request))
    return await _page(request, "home", timeline, N_("Home"),
                       N_("Posts of the people you follow and of your chapters, what they "
                       "boosted, and your own."),
                       N_("Nothing yet. Follow people or join a chapter, and their posts "
                       "show here."))


async def local_page(request: Request) -> Response:
    """GET /timeline/local: public posts written on this server, for everyone."""
    account = await current_account(request)
    timeline = await local_timeline(account.actor if account else None,
                                    max_id=_max_id(request))
    return await _page(request, "local", timeline, N_("This server"),
                       N_("Public posts written by the members and chapters of this server."),
                       N_("No public posts yet."))


async def federated_page(request: Request) -> Response:
    """GET /timeline/federated: every public post stored here, for members."""
    account = await current_account(request)
    if account is None:
        return RedirectResponse("/login", status_code=303)
    timeline = await federated_timeline(account.actor, max_id=_max_id(request))
    return await _page(request, "federated", timeline, N_("Federated"),
                       N_("Public posts from this server and from the other servers its "
                       "members follow."),
                       N_("No public posts yet."))


def routes() -> list[Route]:
    return [
        Route("/timeline", home_page, methods=["GET"], name="timeline"),
        Route("/timeline/local", local_page, methods=["GET"], name="timeline_local"),
        Route("/timeline/federated", federated_page, methods=["GET"],
              name="timeline_federated"),
        *search.routes(),
    ]
