"""Timelines in the Mastodon client API: home, public (?local, ?remote) and a hashtag's,
paged as Mastodon pages them — `max_id` (older than), `since_id` (newer than, newest first),
`min_id` (just newer than, the page right above it), `limit` at most 40 — with a Link header
(rel="next" with max_id, rel="prev" with min_id).

Home is content.timelines.home_timeline; the public and hashtag timelines are the same
public listings (content.visibility.listed_to: public thread starts; a hashtag's public
posts) read here with the three cursors."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from tortoise.queryset import QuerySet

from actors.models import Actor
from content.models import Boost, Post
from content.tags import normalize_tag, tag_named
from content.timelines import PAGE_MAX, Entry, home_timeline
from content.visibility import listed_to
from web.api.auth import api_account
from web.api.entities_status import status_entities
from web.api.errors import api_endpoint
from web.api.paging import Paging, link_header, query_page
from web.api.statuses import optional_viewer

#: How many home entries are read at most to answer a since_id/min_id page.
HOME_WALK = 400


async def _answer(request: Request, items: list[Post | Boost],
                  viewer: Actor | None) -> Response:
    base = request.app.state.settings.server.base_url
    entities = await status_entities(items, base_url=base, viewer=viewer)
    headers = link_header(request, [item.id for item in items])
    if viewer is not None:
        headers["cache-control"] = "private, no-store"
    return JSONResponse(entities, headers=headers)


async def _entries_to_items(entries: list[Entry]) -> list[Post | Boost]:
    boost_ids = [e.id for e in entries if e.boosted_by is not None]
    boosts = {b.id: b for b in await Boost.filter(id__in=boost_ids)} if boost_ids else {}
    return [boosts[e.id] if e.boosted_by is not None else e.post for e in entries
            if e.boosted_by is None or e.id in boosts]


async def _home_entries(viewer: Actor, paging: Paging) -> list[Entry]:
    """content.timelines.home_timeline by max_id; since_id/min_id walk it down from the top
    (or from max_id) to the lower cursor, reading at most HOME_WALK entries."""
    lower = paging.lower()
    if lower is None:
        timeline = await home_timeline(viewer, max_id=paging.max_id, limit=paging.limit)
        return timeline.entries
    above: list[Entry] = []
    cursor = paging.max_id
    while len(above) < HOME_WALK:
        timeline = await home_timeline(viewer, max_id=cursor, limit=PAGE_MAX)
        fresh = [e for e in timeline.entries if e.id > lower]
        above.extend(fresh)
        if len(fresh) < len(timeline.entries) or timeline.older is None:
            break
        if paging.min_id is None and len(above) >= paging.limit:
            break
        cursor = timeline.older
    if paging.min_id is not None:
        return above[-paging.limit:]
    return above[:paging.limit]


@api_endpoint
async def home(request: Request) -> Response:
    """GET /api/v1/timelines/home (read:statuses)."""
    account = await api_account(request, "read:statuses")
    paging = Paging(request)
    entries = await _home_entries(account.actor, paging)
    items = await _entries_to_items(entries)
    return await _answer(request, items, account.actor)


def _flag(request: Request, name: str) -> bool:
    return request.query_params.get(name, "").lower() in ("true", "1", "on")


def _scope(query: QuerySet[Post], request: Request) -> QuerySet[Post]:
    """?local (this server's posts only) or ?remote (other servers' only)."""
    if _flag(request, "local"):
        return query.filter(author__domain__isnull=True)
    if _flag(request, "remote"):
        return query.filter(author__domain__isnull=False)
    return query


async def _listing(request: Request, make: Callable[[], Awaitable[QuerySet[Post] | None]],
                   ) -> Response:
    viewer = await optional_viewer(request)
    paging = Paging(request)
    query = await make()
    if query is None:
        return await _answer(request, [], viewer)
    posts = await query_page(_scope(await listed_to(query, viewer), request), paging)
    return await _answer(request, list(posts), viewer)


@api_endpoint
async def public(request: Request) -> Response:
    """GET /api/v1/timelines/public: public thread starts (no token needed)."""

    async def make() -> QuerySet[Post]:
        return Post.filter(visibility="public", draft=False, in_reply_to_uri__isnull=True)

    return await _listing(request, make)


@api_endpoint
async def hashtag(request: Request) -> Response:
    """GET /api/v1/timelines/tag/:hashtag: public posts carrying the tag."""

    async def make() -> QuerySet[Post] | None:
        key = normalize_tag(request.path_params["hashtag"])
        tag = await tag_named(key) if key else None
        if tag is None:
            return None
        return Post.filter(post_tags__tag_id=tag.id, visibility="public", draft=False)

    return await _listing(request, make)
