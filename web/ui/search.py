"""The search page (/search?q=…): full-text search over the posts and comments the viewer
may see (visitors: this server's public ones), a `#tag` sends to its page, and a handle or
profile address finds the account — known ones from the database, and for signed-in members
an unknown one through WebFinger on its own server (web.ui.finder)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from actors.models import Actor
from actors.urls import LocalUrls
from content.search import PAGES_MAX, find_known_actor, parse_query, search_posts
from core.messages import message_of
from web.sessions import current_account
from web.templating import render
from web.ui.finder import NotFollowable, find_actor
from web.ui.follows import follow_between_state, handle_of, profile_link

QUERY_MAX = 500


def _page_number(request: Request) -> int:
    raw = request.query_params.get("page", "1")[:4]
    return min(int(raw), PAGES_MAX) if raw.isdigit() and int(raw) > 0 else 1


async def _actor_context(request: Request, viewer: Actor | None, text: str) -> dict[str, Any]:
    settings = request.app.state.settings
    found = await find_known_actor(text, settings.instance.domain, settings.server.base_url)
    error = None
    if found is None and viewer is not None:
        try:
            found = await find_actor(LocalUrls(settings.server.base_url), request.app.state.federation_client,
                                     settings.instance.domain, text)
        except NotFollowable as exc:
            error = message_of(exc)
    if found is None:
        return {"actor": None, "error": error}
    return {"actor": found, "actor_handle": handle_of(request, found),
            "actor_link": profile_link(request, found),
            "follow_state": await follow_between_state(viewer, found)}


async def search_page(request: Request) -> Response:
    """GET /search?q=…[&page=N]."""
    account = await current_account(request)
    viewer = account.actor if account else None
    q = request.query_params.get("q", "")[:QUERY_MAX].strip()
    query = parse_query(q)
    context: dict[str, Any] = {"q": q, "kind": query.kind, "tag": query.value}
    if query.kind == "actor":
        context.update(await _actor_context(request, viewer, query.value))
    elif query.kind == "text":
        results = await search_posts(query, viewer, page=_page_number(request))
        context.update({"total": results.total, "hits": results.hits, "page": results.page,
                        "pages": results.pages})
    return await render(request, "search.html", context)


def routes() -> list[Route]:
    return [Route("/search", search_page, methods=["GET"], name="search")]
