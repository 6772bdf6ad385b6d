"""Statuses in the Mastodon client API: post (with a poll), read, delete, context, source,
favourite and reblog — each a translation to the content services (content.posts,
content.polls, content.reactions) through the one visibility policy (content.visibility).
A status may carry images uploaded first (`media_ids`), and an `Idempotency-Key` header
makes a retried post answer the first one instead of posting twice.

A status the token's member may not see answers 404, as one that does not exist: its
existence is never leaked. Reading a public status needs no token; a token given must be
live and hold read:statuses (Mastodon's "authorize if got token")."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from tortoise.exceptions import IntegrityError

from actors.models import Actor
from actors.urls import LocalUrls
from content.errors import NotAllowed, NotFound, ValidationFailed
from content.models import Boost, Media, Post
from content.polls import create_poll_post
from content.posts import attachable_media, create_post, delete_post
from content.reactions import boost_post, like_post, unboost_post, unlike_post
from content.search import find_known_actor
from content.visibility import can_see
from core import clock
from core.db import in_transaction
from web.api.auth import api_account, api_token, bearer
from web.api.entities import VISIBILITY
from web.api.entities_status import context_entity, status_entity
from web.api.errors import ApiError, api_endpoint, read_params, text_param, unprocessable
from web.models import IdempotentPost

#: Mastodon's visibility words to ours (the reverse of entities.VISIBILITY).
OUR_VISIBILITY = {theirs: ours for ours, theirs in VISIBILITY.items()}
STATUS_MAX = 5_000
_MENTION = re.compile(r"(?<![\w/])@([A-Za-z0-9_][A-Za-z0-9_.-]*)(?:@([A-Za-z0-9.-]+\.[A-Za-z]{2,}(?::\d+)?))?")
PRIVATE = {"cache-control": "private, no-store"}
#: How long an Idempotency-Key keeps answering the post it made (as Mastodon).
IDEMPOTENCY_TTL = timedelta(hours=24)
IDEMPOTENCY_KEY_MAX = 200
MEDIA_IDS_MAX = 4


def not_found() -> ApiError:
    return ApiError(404, "Record not found")


def _base(request: Request) -> str:
    return request.app.state.settings.server.base_url  # type: ignore[no-any-return]


def urls_of(request: Request) -> LocalUrls:
    return LocalUrls(_base(request))


async def optional_viewer(request: Request) -> Actor | None:
    """The member behind the request's token if one is sent (it must be live and hold
    read:statuses), None for an anonymous request."""
    if bearer(request) is None and not request.headers.get("authorization"):
        return None
    token = await api_token(request, "read:statuses")
    return token.account.actor if token.account is not None else None


def _post_id(request: Request) -> int | None:
    raw = request.path_params.get("id", "")
    return int(raw) if raw.isdigit() and len(raw) < 20 else None


async def visible_post(request: Request, viewer: Actor | None) -> Post:
    """The live post of the path's id if `viewer` may see it; else 404."""
    ident = _post_id(request)
    post = await Post.get_or_none(id=ident, deleted_at__isnull=True) if ident else None
    if post is None or not await can_see(post, viewer):
        raise not_found()
    return post


def _flag(params: dict[str, Any], name: str) -> bool:
    value = params.get(name)
    if value is None or value == "":
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "1", "on", "yes", "false", "0",
                                                    "off", "no"):
        return value.lower() in ("true", "1", "on", "yes")
    raise unprocessable(f"{name} must be a boolean")


def _poll_params(params: dict[str, Any]) -> dict[str, Any] | None:
    """The poll of a JSON body (`poll: {...}`) or a form (`poll[options][]`, …)."""
    poll = params.get("poll")
    if isinstance(poll, dict):
        return poll
    if poll is not None:
        raise unprocessable("poll must be an object")
    found = {key[5:-1]: value for key, value in params.items()
             if key.startswith("poll[") and key.endswith("]")}
    return found or None


def _poll(params: dict[str, Any]) -> tuple[list[str], bool, bool, Any]:
    poll = _poll_params(params)
    assert poll is not None
    options = poll.get("options")
    if isinstance(options, str):
        options = [options]
    if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
        raise unprocessable("poll[options] must be a list of strings")
    try:
        seconds = int(poll.get("expires_in", ""))
    except (TypeError, ValueError):
        raise unprocessable("poll[expires_in] must be a number of seconds") from None
    if not 0 < seconds < 10 ** 9:
        raise unprocessable("poll[expires_in] is out of range")
    ends_at = clock.now() + timedelta(seconds=seconds)
    return options, _flag(poll, "multiple"), _flag(poll, "hide_totals"), ends_at


async def _mentions(request: Request, text: str) -> list[Actor]:
    """The actors the text names as @name or @name@host, as far as they are known here."""
    host = request.app.state.settings.server.public_host
    found: dict[int, Actor] = {}
    for match in _MENTION.finditer(text):
        actor = await find_known_actor(f"{match.group(1)}@{match.group(2) or host}", host,
                                       _base(request))
        if actor is not None:
            found[actor.id] = actor
    return list(found.values())


def media_ids_param(params: dict[str, Any]) -> list[int] | None:
    """The `media_ids[]` of a request (None when not sent); 422 when malformed."""
    raw = params.get("media_ids")
    if raw is None:
        return None
    if isinstance(raw, (str, int)) and not isinstance(raw, bool):
        raw = [raw] if raw != "" else []
    if not isinstance(raw, list) or len(raw) > MEDIA_IDS_MAX:
        raise unprocessable(f"media_ids must be a list of at most {MEDIA_IDS_MAX} ids")
    ids = []
    for item in raw:
        text = str(item) if isinstance(item, (str, int)) and not isinstance(item, bool) else ""
        if not text.isdigit() or len(text) > 19:
            raise unprocessable("media_ids must be a list of media attachment ids")
        ids.append(int(text))
    return ids


async def media_of(author: Actor, params: dict[str, Any], post: Post | None = None
                   ) -> list[Media] | None:
    """The uploads `media_ids` names, in order, if `author` may attach them (422 if not)."""
    ids = media_ids_param(params)
    if ids is None:
        return None
    try:
        return await attachable_media(author, ids, post)
    except ValidationFailed as exc:
        raise _failed(exc) from None


def _failed(exc: ValidationFailed) -> ApiError:
    return unprocessable(", ".join(f"{k} {v}" for k, v in exc.errors.items()))


async def _reply_target(params: dict[str, Any], author: Actor) -> Post | None:
    raw = params.get("in_reply_to_id")
    if raw in (None, ""):
        return None
    text = str(raw)
    parent = (await Post.get_or_none(id=int(text), deleted_at__isnull=True)
              if text.isdigit() and len(text) < 20 else None)
    if parent is None or not await can_see(parent, author):
        raise not_found()
    return parent


@api_endpoint
async def create_status(request: Request) -> Response:
    """POST /api/v1/statuses (write:statuses): a note, a reply, or a poll."""
    account = await api_account(request, "write:statuses")
    author: Actor = account.actor
    params = await read_params(request)
    text = text_param(params, "status", STATUS_MAX)
    spoiler = text_param(params, "spoiler_text", 2_000)
    theirs = text_param(params, "visibility", 20) or "public"
    if theirs not in OUR_VISIBILITY:
        raise unprocessable("visibility must be one of public, unlisted, private, direct")
    visibility = OUR_VISIBILITY[theirs]
    sensitive = _flag(params, "sensitive")
    media = await media_of(author, params) or []
    if media and _poll_params(params) is not None:
        raise unprocessable("a status with a poll cannot have media attachments")
    key = _idempotency_key(request)
    if key:
        earlier = await _earlier_post(account.id, key)
        if earlier is not None:
            return await _answer(request, earlier, author)
    parent = await _reply_target(params, author)
    mentions = await _mentions(request, text)
    if not key:
        post = await _write_status(request, params, author, text, spoiler, visibility,
                                   sensitive, parent, mentions, media)
        return await _answer(request, post, author)
    try:
        async with in_transaction():  # the key first: a concurrent twin fails on it
            row = await IdempotentPost.create(account_id=account.id, key=key, post_id=0)
            post = await _write_status(request, params, author, text, spoiler, visibility,
                                       sensitive, parent, mentions, media)
            row.post_id = post.id
            await row.save(update_fields=["post_id"])
    except IntegrityError:
        earlier = await _earlier_post(account.id, key)
        if earlier is None:
            raise
        post = earlier
    return await _answer(request, post, author)


def _idempotency_key(request: Request) -> str:
    key = request.headers.get("idempotency-key", "").strip()
    if len(key) > IDEMPOTENCY_KEY_MAX:
        raise unprocessable(f"Idempotency-Key is longer than {IDEMPOTENCY_KEY_MAX} characters")
    return key


async def _earlier_post(account_id: int, key: str) -> Post | None:
    """The live post an Idempotency-Key made in the last day; an older key, or one whose
    post is gone, is forgotten (so the key may post again)."""
    row = await IdempotentPost.get_or_none(account_id=account_id, key=key)
    if row is None or not row.post_id:
        return None
    post = await Post.get_or_none(id=row.post_id, deleted_at__isnull=True)
    if post is None or row.created_at < clock.now() - IDEMPOTENCY_TTL:
        await IdempotentPost.filter(id=row.id).delete()
        return None
    return post


async def _answer(request: Request, post: Post, author: Actor) -> Response:
    entity = await status_entity(post, base_url=_base(request), viewer=author, full_text=True)
    return JSONResponse(entity, headers=PRIVATE)


async def _write_status(request: Request, params: dict[str, Any], author: Actor, text: str,
                        spoiler: str, visibility: str, sensitive: bool, parent: Post | None,
                        mentions: list[Actor], media: list[Media]) -> Post:
    urls = urls_of(request)
    try:
        if _poll_params(params) is not None:
            options, multiple, hide_totals, ends_at = _poll(params)
            post = await create_poll_post(urls, author, text, options, multiple, ends_at,
                                          hide_totals, visibility, summary=spoiler,
                                          sensitive=sensitive or bool(spoiler),
                                          in_reply_to=parent, mentions=mentions)
        else:
            post = await create_post(urls, author, text, summary=spoiler,
                                     visibility=visibility, in_reply_to=parent,
                                     mentions=mentions, sensitive=sensitive or bool(spoiler),
                                     media=media)
    except ValidationFailed as exc:
        raise _failed(exc) from None
    except NotAllowed as exc:
        raise unprocessable(str(exc)) from None
    return post


@api_endpoint
async def show_status(request: Request) -> Response:
    """GET /api/v1/statuses/:id: anyone for a public status, else per the policy. A
    reblog's id answers the reblog (apps open one by its id) if its post may be seen."""
    viewer = await optional_viewer(request)
    ident = _post_id(request)
    boost = await Boost.get_or_none(id=ident) if ident else None
    if boost is not None:
        boosted = await Post.get_or_none(id=boost.post_id, deleted_at__isnull=True)  # type: ignore[attr-defined]
        if boosted is None or not await can_see(boosted, viewer):
            raise not_found()
        entity = await status_entity(boost, base_url=_base(request), viewer=viewer)
        return JSONResponse(entity, headers=PRIVATE if viewer else {})
    post = await visible_post(request, viewer)
    entity = await status_entity(post, base_url=_base(request), viewer=viewer, full_text=True)
    return JSONResponse(entity, headers=PRIVATE if viewer else {})


@api_endpoint
async def delete_status(request: Request) -> Response:
    """DELETE /api/v1/statuses/:id (write:statuses): one's own; answers the deleted status
    with its source `text`, as Mastodon does for "delete and redraft"."""
    account = await api_account(request, "write:statuses")
    me: Actor = account.actor
    post = await visible_post(request, me)
    if post.author_id != me.id:  # type: ignore[attr-defined]
        raise not_found()
    entity = await status_entity(post, base_url=_base(request), viewer=me, full_text=True)
    entity["text"] = post.source
    entity["spoiler_text"] = post.summary
    try:
        await delete_post(me, post)
    except (NotAllowed, NotFound):
        raise not_found() from None
    return JSONResponse(entity, headers=PRIVATE)


@api_endpoint
async def status_context(request: Request) -> Response:
    """GET /api/v1/statuses/:id/context: ancestors and descendants the viewer may see."""
    viewer = await optional_viewer(request)
    post = await visible_post(request, viewer)
    entity = await context_entity(post, base_url=_base(request), viewer=viewer)
    return JSONResponse(entity, headers=PRIVATE if viewer else {})


@api_endpoint
async def status_source(request: Request) -> Response:
    """GET /api/v1/statuses/:id/source (read:statuses): the text as written, for editing."""
    account = await api_account(request, "read:statuses")
    post = await visible_post(request, account.actor)
    return JSONResponse({"id": str(post.id), "text": post.source,
                         "spoiler_text": post.summary}, headers=PRIVATE)


async def _react(request: Request, scope: str, action: str) -> Response:
    account = await api_account(request, scope)
    me: Actor = account.actor
    post = await visible_post(request, me)
    urls = urls_of(request)
    try:
        if action == "favourite":
            await like_post(urls, me, post)
        elif action == "unfavourite":
            await unlike_post(me, post)
        elif action == "reblog":  # Mastodon answers the reblog, wrapping the status
            boost = await boost_post(urls, me, post)
            entity = await status_entity(boost, base_url=_base(request), viewer=me)
            return JSONResponse(entity, headers=PRIVATE)
        else:
            await unboost_post(me, post)
    except NotFound:
        raise not_found() from None
    except NotAllowed as exc:
        raise unprocessable(str(exc)) from None
    entity = await status_entity(post, base_url=_base(request), viewer=me)
    return JSONResponse(entity, headers=PRIVATE)


@api_endpoint
async def favourite(request: Request) -> Response:
    """POST /api/v1/statuses/:id/favourite (write:favourites)."""
    return await _react(request, "write:favourites", "favourite")


@api_endpoint
async def unfavourite(request: Request) -> Response:
    """POST /api/v1/statuses/:id/unfavourite (write:favourites)."""
    return await _react(request, "write:favourites", "unfavourite")


@api_endpoint
async def reblog(request: Request) -> Response:
    """POST /api/v1/statuses/:id/reblog (write:statuses)."""
    return await _react(request, "write:statuses", "reblog")


@api_endpoint
async def unreblog(request: Request) -> Response:
    """POST /api/v1/statuses/:id/unreblog (write:statuses)."""
    return await _react(request, "write:statuses", "unreblog")
