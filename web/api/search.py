"""Search in the Mastodon client API: `GET /api/v2/search` (accounts, statuses, hashtags) and
`GET /api/v1/accounts/search` — translations of actors.directory.search_actors,
content.search.search_posts (through the visibility policy) and content.tags.search_tags.

With `resolve=true` a handle (`@name@host`, `name@host`) or an address is looked up on its
own server: an actor through web.ui.finder (as the follow form does), a post through
inbox.objects.fetch_post, which stores it. A failed look-up gives empty results, never an
error. As Mastodon 4.x does, a request without a member's token may search, but neither
resolve nor page with `offset` (401)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from actors.directory import search_actors
from actors.models import Actor, Follow
from actors.urls import LocalUrls
from content.errors import ContentError
from content.models import Post
from content.search import find_known_actor, parse_query, search_posts
from content.tags import search_tags
from content.visibility import can_see
from federation import FederationClient, FederationError
from inbox.context import InboxContext
from inbox.errors import InboxError
from inbox.objects import fetch_post
from web.api.auth import api_token, bearer
from web.api.entities import account_entities, tag_entity
from web.api.entities_status import status_entities
from web.api.errors import ApiError, api_endpoint, text_param, unprocessable
from web.api.routing import both
from web.api.statuses import PRIVATE
from web.ui.finder import NotFollowable, find_actor

TYPES = ("accounts", "statuses", "hashtags")
LIMIT, LIMIT_MAX = 20, 40
ACCOUNTS_LIMIT, ACCOUNTS_LIMIT_MAX = 40, 80
OFFSET_MAX = 10_000
#: Posts read to answer a search narrowed to one author (search_posts has no author filter).
AUTHOR_WINDOW = 200


class Ask:
    """A search request's parameters, checked (422 when malformed)."""

    def __init__(self, request: Request, limit: int, limit_max: int) -> None:
        query = request.query_params
        self.q = text_param(dict(query), "q", 500).strip()
        if not self.q:
            raise unprocessable("q can't be blank")
        self.type = query.get("type", "")
        if self.type and self.type not in TYPES:
            raise unprocessable("type must be one of accounts, statuses, hashtags")
        self.limit = min(self._number(query, "limit", limit, 1), limit_max)
        self.offset = self._number(query, "offset", 0, 0)
        if self.offset > OFFSET_MAX:
            raise unprocessable(f"offset must be at most {OFFSET_MAX}")
        self.resolve = self._flag(query, "resolve")
        self.following = self._flag(query, "following")
        raw = query.get("account_id", "")
        if raw and (not raw.isdigit() or len(raw) > 19):
            raise unprocessable("account_id must be an account id")
        self.account_id = int(raw) if raw else None

    @staticmethod
    def _number(query: Any, name: str, default: int, least: int) -> int:
        raw = query.get(name, "")
        if raw == "":
            return default
        if not raw.isdigit() or len(raw) > 9:
            raise unprocessable(f"{name} must be a number")
        return max(int(raw), least)

    @staticmethod
    def _flag(query: Any, name: str) -> bool:
        raw = query.get(name, "").lower()
        if raw in ("", "false", "0", "off", "no"):
            return False
        if raw in ("true", "1", "on", "yes"):
            return True
        raise unprocessable(f"{name} must be a boolean")

    def wants(self, kind: str) -> bool:
        return not self.type or self.type == kind


async def _viewer(request: Request, scope: str, ask: Ask) -> Actor | None:
    """The member searching (the token must hold `scope`); None without a token, which may
    neither resolve nor use an offset."""
    if bearer(request) is None and not request.headers.get("authorization"):
        viewer = None
    else:
        token = await api_token(request, scope)
        viewer = token.account.actor if token.account is not None else None
    if viewer is None and (ask.resolve or ask.offset):
        raise ApiError(401, "Search that resolves remote resources or uses an offset "
                            "needs a signed-in member's token")
    return viewer


def _urls(request: Request) -> LocalUrls:
    return LocalUrls(request.app.state.settings.server.base_url)


def _client(request: Request) -> Callable[[], FederationClient]:
    return lambda: request.app.state.federation_client  # type: ignore[no-any-return]


async def _exact_actor(request: Request, ask: Ask, viewer: Actor | None) -> Actor | None:
    """The actor a handle or an address names: known here, or (resolve) looked up on its
    server; None when nobody is found or the look-up fails."""
    settings = request.app.state.settings
    found = await find_known_actor(ask.q, settings.instance.domain, settings.server.base_url)
    if found is None and ask.resolve and viewer is not None:
        try:
            found = await find_actor(_urls(request), request.app.state.federation_client,
                                     settings.instance.domain, ask.q)
        except NotFollowable:
            return None
    return found


async def _post_at(request: Request, ask: Ask, viewer: Actor | None) -> Post | None:
    """The post an address names, stored here or (resolve) fetched and stored; None if
    there is none the viewer may see."""
    url = ask.q
    post = (await Post.filter(uri=url, deleted_at__isnull=True).first()
            or await Post.filter(url=url, deleted_at__isnull=True).first())
    if post is None and ask.resolve and viewer is not None:
        try:
            post = await fetch_post(InboxContext(_urls(request), _client(request)), url)
        except (InboxError, FederationError, ContentError):
            return None  # unreachable, not a post, refused: nothing found
    if post is None or not await can_see(post, viewer):
        return None
    return post


async def _accounts(request: Request, ask: Ask, viewer: Actor | None) -> list[Actor]:
    following_of = viewer if ask.following and viewer is not None else None
    kind = parse_query(ask.q).kind
    exact = await _exact_actor(request, ask, viewer) if kind == "actor" else None
    if exact is not None and following_of is not None and not await Follow.exists(
            follower_id=following_of.id, followed_id=exact.id, state="accepted"):
        exact = None
    if ask.q.startswith(("https://", "http://")):
        return [exact] if exact is not None and ask.offset == 0 else []
    found = await search_actors(ask.q, ask.limit, ask.offset, following_of=following_of)
    if exact is None or ask.offset:
        return found
    return [exact, *[a for a in found if a.id != exact.id]][:ask.limit]


async def _statuses(request: Request, ask: Ask, viewer: Actor | None) -> list[Post]:
    if ask.q.startswith(("https://", "http://")):
        post = await _post_at(request, ask, viewer)
        keep = post is not None and ask.offset == 0 and (
            ask.account_id is None or post.author_id == ask.account_id)  # type: ignore[attr-defined]
        return [post] if keep and post is not None else []
    query = parse_query(ask.q)
    if query.kind != "text":
        return []
    if ask.account_id is not None:
        results = await search_posts(query, viewer, per_page=AUTHOR_WINDOW)
        mine = [h.post for h in results.hits
                if h.post.author_id == ask.account_id]  # type: ignore[attr-defined]
        return mine[ask.offset:ask.offset + ask.limit]
    if ask.offset % ask.limit == 0:
        results = await search_posts(query, viewer, page=ask.offset // ask.limit + 1,
                                     per_page=ask.limit)
        if results.page != ask.offset // ask.limit + 1:  # beyond the last page searched
            return []
        return [h.post for h in results.hits]
    results = await search_posts(query, viewer, per_page=ask.offset + ask.limit)
    return [h.post for h in results.hits][ask.offset:]


@api_endpoint
async def search_v2(request: Request) -> Response:
    """GET /api/v2/search (read:search when a token is sent)."""
    ask = Ask(request, LIMIT, LIMIT_MAX)
    viewer = await _viewer(request, "read:search", ask)
    base = request.app.state.settings.server.base_url
    body: dict[str, list[Any]] = {"accounts": [], "statuses": [], "hashtags": []}
    if ask.wants("accounts"):
        body["accounts"] = await account_entities(await _accounts(request, ask, viewer),
                                                  base_url=base)
    if ask.wants("statuses"):
        posts = await _statuses(request, ask, viewer)
        body["statuses"] = await status_entities(list(posts), base_url=base, viewer=viewer)
    if ask.wants("hashtags") and not ask.q.startswith(("https://", "http://")):
        tags = await search_tags(ask.q, ask.limit, ask.offset)
        body["hashtags"] = [tag_entity(tag, base_url=base) for tag in tags]
    return JSONResponse(body, headers=PRIVATE if viewer is not None else {})


@api_endpoint
async def search_accounts(request: Request) -> Response:
    """GET /api/v1/accounts/search (read:accounts when a token is sent)."""
    ask = Ask(request, ACCOUNTS_LIMIT, ACCOUNTS_LIMIT_MAX)
    viewer = await _viewer(request, "read:accounts", ask)
    base = request.app.state.settings.server.base_url
    body = await account_entities(await _accounts(request, ask, viewer), base_url=base)
    return JSONResponse(body, headers=PRIVATE if viewer is not None else {})


def routes() -> list[BaseRoute]:
    return [
        *both("/api/v2/search", search_v2, ["GET"]),
        *both("/api/v1/accounts/search", search_accounts, ["GET"]),
    ]
