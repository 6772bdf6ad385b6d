"""Accounts in the Mastodon client API: an account (a member, a chapter with `group: true`,
another server's actor), its statuses, followers and following, relationships, lookup by
handle, and editing one's profile (update_credentials). Each is a translation to the actors
and content services; the follow/block/mute actions and their lists are in
web.api.relationships.

An account the asker may not see (a member not approved, the instance actor, an id that
names nothing) answers 404 like a missing one. A token is optional where Mastodon's is
("authorize if got token"): when given, it must be live and hold the documented scope."""

from __future__ import annotations

from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute
from tortoise.expressions import Q, Subquery
from tortoise.models import Model
from tortoise.queryset import QuerySet

from actors.directory import chapter_of, find_public_actor
from actors.errors import ValidationFailed
from actors.follows import ACCEPTED
from actors.models import Account, Actor, Follow
from actors.profiles import update_profile
from actors.roles import can_coordinate
from content.models import Boost, Media, Pin, Post
from content.search import find_known_actor
from content.tags import tag_named
from content.visibility import visible_to
from web.api.auth import api_account, api_token, bearer
from web.api.entities import (
    account_entities,
    account_entity,
    credential_account_entity,
    relationship_entities,
)
from web.api.entities_status import status_entities
from web.api.errors import ApiError, api_endpoint, read_params, text_param, unprocessable
from web.api.paging import Paging, link_header
from web.api.routing import both

M = TypeVar("M", bound=Model)
PRIVATE = {"cache-control": "private, no-store"}
#: At most this many ids in one relationships request.
RELATIONSHIPS_MAX = 100
_TRUE, _FALSE = ("true", "1", "on", "yes"), ("false", "0", "off", "no", "")


def not_found() -> ApiError:
    return ApiError(404, "Record not found")


def base_of(request: Request) -> str:
    return request.app.state.settings.server.base_url  # type: ignore[no-any-return]


async def optional_member(request: Request, scope: str) -> Actor | None:
    """The member behind the request's token if one is sent (live, holding `scope`), None
    for an anonymous request or an app's own token."""
    if bearer(request) is None and not request.headers.get("authorization"):
        return None
    token = await api_token(request, scope)
    return token.account.actor if token.account is not None else None  # type: ignore[attr-defined]


async def shown_actor(raw: object) -> Actor | None:
    """The actor an id names, if it is an account anyone may see: a remote actor we know,
    an approved member, a chapter. None otherwise."""
    text = str(raw)
    if not text.isdigit() or len(text) > 19:
        return None
    actor = await Actor.get_or_none(id=int(text))
    if actor is None or actor.kind == "Application":
        return None
    if actor.is_local:
        return await find_public_actor(actor.kind, actor.username)
    return actor


async def path_actor(request: Request) -> Actor:
    actor = await shown_actor(request.path_params.get("id", ""))
    if actor is None:
        raise not_found()
    return actor


def flag(request: Request, name: str) -> bool:
    """A boolean query parameter (422 when it is not one)."""
    value = request.query_params.get(name, "").lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise unprocessable(f"{name} must be a boolean")


async def page_rows(query: QuerySet[M], paging: Paging, *related: str) -> list[M]:
    """A page of rows by id, newest first, by the cursors (min_id: just above it)."""
    if paging.max_id is not None:
        query = query.filter(id__lt=paging.max_id)
    if paging.since_id is not None:
        query = query.filter(id__gt=paging.since_id)
    if paging.min_id is not None:
        query = query.filter(id__gt=paging.min_id)
        rows = await query.order_by("id").limit(paging.limit).prefetch_related(*related)
        return list(reversed(rows))
    return list(await query.order_by("-id").limit(paging.limit).prefetch_related(*related))


async def accounts_answer(request: Request, rows: list[Any], actors: list[Actor],
                          viewer: Actor | None) -> Response:
    """A list of accounts, paged by the ids of `rows` (follows, blocks, mutes…)."""
    entities = await account_entities(actors, base_url=base_of(request))
    headers = link_header(request, [row.id for row in rows])
    if viewer is not None:
        headers.update(PRIVATE)
    return JSONResponse(entities, headers=headers)


# --- one account --------------------------------------------------------------------------------

@api_endpoint
async def show_account(request: Request) -> Response:
    """GET /api/v1/accounts/:id (no token needed)."""
    viewer = await optional_member(request, "read:accounts")
    actor = await path_actor(request)
    entity = await account_entity(actor, base_url=base_of(request))
    return JSONResponse(entity, headers=PRIVATE if viewer else {})


def _media_posts(actor: Actor) -> Subquery:
    return Subquery(Media.filter(post__author_id=actor.id).values("post_id"))


async def _status_sources(request: Request, actor: Actor, viewer: Actor | None,
                          ) -> tuple[QuerySet[Post] | None, QuerySet[Boost] | None]:
    """The posts (and boosts) of the account the filters keep, as the viewer may see them."""
    pinned, only_media = flag(request, "pinned"), flag(request, "only_media")
    exclude_replies, exclude_reblogs = flag(request, "exclude_replies"), flag(
        request, "exclude_reblogs")
    raw_tag = text_param(dict(request.query_params), "tagged", 100)
    posts = Post.filter(author_id=actor.id, draft=False)
    if viewer is None or viewer.id != actor.id:
        posts = posts.exclude(visibility="direct")  # Mastodon keeps DMs off profiles
    if pinned:
        posts = posts.filter(id__in=Subquery(Pin.filter(actor_id=actor.id).values("post_id")))
    if only_media:
        posts = posts.filter(id__in=_media_posts(actor))
    if exclude_replies:  # a reply to oneself (a thread) stays, as in Mastodon
        own = Subquery(Post.filter(author_id=actor.id).values("id"))
        posts = posts.filter(Q(in_reply_to_uri__isnull=True) | Q(in_reply_to_id__in=own))
    if raw_tag:
        tag = await tag_named(raw_tag)
        if tag is None:
            return None, None
        posts = posts.filter(post_tags__tag_id=tag.id)
    boosts: QuerySet[Boost] | None = None
    if not (exclude_reblogs or pinned or only_media or raw_tag):
        seen = await visible_to(Post.filter(draft=False), viewer)
        boosts = Boost.filter(actor_id=actor.id, post_id__in=Subquery(seen.values("id")))
    return await visible_to(posts, viewer), boosts


@api_endpoint
async def account_statuses(request: Request) -> Response:
    """GET /api/v1/accounts/:id/statuses: the account's posts and boosts the asker may see,
    with Mastodon's filters (pinned, only_media, exclude_replies, exclude_reblogs, tagged)."""
    viewer = await optional_member(request, "read:statuses")
    actor = await path_actor(request)
    paging = Paging(request)
    posts, boosts = await _status_sources(request, actor, viewer)
    items: list[Post | Boost] = []
    if posts is not None:
        found_posts: list[Post] = await page_rows(posts, paging)
        items.extend(found_posts)
    if boosts is not None:
        found_boosts: list[Boost] = await page_rows(boosts, paging)
        items.extend(found_boosts)
    if paging.min_id is not None:  # the page just above min_id, shown newest first
        items = sorted(items, key=lambda i: i.id)[:paging.limit][::-1]
    else:
        items = sorted(items, key=lambda i: i.id, reverse=True)[:paging.limit]
    entities = await status_entities(items, base_url=base_of(request), viewer=viewer)
    headers = link_header(request, [i.id for i in items])
    if viewer is not None:
        headers.update(PRIVATE)
    return JSONResponse(entities, headers=headers)


async def _members_hidden(actor: Actor, viewer: Actor | None) -> bool:
    """A chapter whose member list is not public shows it to its coordinators (and the
    admins) only, as its web page does."""
    chapter = await chapter_of(actor) if actor.is_local else None
    if chapter is None or chapter.members_visible:
        return False
    return viewer is None or not await can_coordinate(viewer, actor)


async def _follow_list(request: Request, incoming: bool) -> Response:
    viewer = await optional_member(request, "read:accounts")
    actor = await path_actor(request)
    paging = Paging(request)
    if incoming and await _members_hidden(actor, viewer):
        return await accounts_answer(request, [], [], viewer)
    if incoming:
        rows = await page_rows(Follow.filter(followed_id=actor.id, state=ACCEPTED), paging,
                               "follower")
        return await accounts_answer(request, rows, [r.follower for r in rows], viewer)
    rows = await page_rows(Follow.filter(follower_id=actor.id, state=ACCEPTED), paging,
                           "followed")
    return await accounts_answer(request, rows, [r.followed for r in rows], viewer)


@api_endpoint
async def followers(request: Request) -> Response:
    """GET /api/v1/accounts/:id/followers: accepted followers (a chapter's: its members)."""
    return await _follow_list(request, True)


@api_endpoint
async def following(request: Request) -> Response:
    """GET /api/v1/accounts/:id/following: whom the account follows (accepted)."""
    return await _follow_list(request, False)


# --- several accounts, by handle, one's own --------------------------------------------------------

def _ids(request: Request) -> list[int]:
    raw = request.query_params.getlist("id[]") + request.query_params.getlist("id")
    if len(raw) > RELATIONSHIPS_MAX:
        raise unprocessable(f"at most {RELATIONSHIPS_MAX} ids")
    if not all(r.isdigit() and len(r) <= 19 for r in raw):
        raise unprocessable("id[] must be account ids")
    return list(dict.fromkeys(int(r) for r in raw))


@api_endpoint
async def relationships(request: Request) -> Response:
    """GET /api/v1/accounts/relationships?id[]=… (read:follows): ids that name no account
    are left out, as Mastodon does."""
    account = await api_account(request, "read:follows")
    ids = _ids(request)
    found = {a.id: a for a in await Actor.filter(id__in=ids).exclude(kind="Application")}
    members = [i for i, a in found.items() if a.is_local and a.kind == "Person"]
    approved: set[int] = set(await Account.filter(  # type: ignore[arg-type]
        actor_id__in=members, approved=True).values_list("actor_id", flat=True))
    shown = [found[i] for i in ids if i in found and (i in approved or i not in members)]
    entities = await relationship_entities(account.actor, shown)
    return JSONResponse(entities, headers=PRIVATE)


@api_endpoint
async def lookup(request: Request) -> Response:
    """GET /api/v1/accounts/lookup?acct=: a member or chapter of ours (`name`,
    `name@our.host`) or another server's actor we know (`name@host`); no network."""
    viewer = await optional_member(request, "read:accounts")
    acct = text_param(dict(request.query_params), "acct", 400).strip().removeprefix("@")
    if not acct:
        raise unprocessable("acct is required")
    settings = request.app.state.settings
    host = settings.server.public_host
    handle = acct if "@" in acct else f"{acct}@{host}"
    actor = await find_known_actor(handle, host, base_of(request))
    if actor is None or await shown_actor(actor.id) is None:
        raise not_found()
    entity = await account_entity(actor, base_url=base_of(request))
    return JSONResponse(entity, headers=PRIVATE if viewer else {})


def _bool_param(params: dict[str, Any], name: str) -> bool | None:
    value = params.get(name)
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in _TRUE + _FALSE[:-1]:
        return value.lower() in _TRUE
    raise unprocessable(f"{name} must be a boolean")


@api_endpoint
async def update_credentials(request: Request) -> Response:
    """PATCH /api/v1/accounts/update_credentials (write:accounts): display_name, note (plain
    text, as the profile shows it) and locked. Profile fields, avatar and header have no place
    here yet and are ignored."""
    account = await api_account(request, "write:accounts")
    params = await read_params(request)
    name = text_param(params, "display_name", 1000) if "display_name" in params else None
    note = text_param(params, "note", 5000) if "note" in params else None
    try:
        actor = await update_profile(account.actor, display_name=name, note=note,
                                     locked=_bool_param(params, "locked"))
    except ValidationFailed as exc:
        raise unprocessable(", ".join(f"{k}: {v}" for k, v in exc.errors.items())) from None
    entity = await credential_account_entity(actor, base_url=base_of(request), account=account)
    return JSONResponse(entity, headers=PRIVATE)


def routes() -> list[BaseRoute]:
    """Static paths first: /api/v1/accounts/:id must not shadow them."""
    return [
        *both("/api/v1/accounts/relationships", relationships, ["GET"]),
        *both("/api/v1/accounts/lookup", lookup, ["GET"]),
        *both("/api/v1/accounts/update_credentials", update_credentials, ["PATCH"]),
        *both("/api/v1/accounts/{id}", show_account, ["GET"]),
        *both("/api/v1/accounts/{id}/statuses", account_statuses, ["GET"]),
        *both("/api/v1/accounts/{id}/followers", followers, ["GET"]),
        *both("/api/v1/accounts/{id}/following", following, ["GET"]),
    ]
