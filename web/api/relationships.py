"""Relationships in the Mastodon client API: follow, unfollow, block, unblock, mute and
unmute an account (each answers the Relationship), the lists of blocks and mutes, and
follow requests — to a member who approves followers, and to join the chapters the member
coordinates — with authorize and reject. Translations to actors.follows, actors.blocks,
actors.mutes and content.membership, the services the web UI uses."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute
from tortoise.expressions import Q

from actors.blocks import block_actor, blocks_by, unblock_actor
from actors.chapters import leave_chapter
from actors.errors import ValidationFailed
from actors.follows import PENDING, accept_follow, reject_follow, unfollow_actor
from actors.models import Actor, Block, Follow
from actors.mutes import DURATION_MAX, live_mutes, mute_actor, unmute_actor
from actors.roles import coordinated_groups
from actors.urls import LocalUrls
from content.errors import NotAllowed, NotFound
from content.lists import forget_unfollowed
from content.membership import admit, join, refuse
from web.api.accounts import (
    PRIVATE,
    accounts_answer,
    base_of,
    not_found,
    page_rows,
    path_actor,
)
from web.api.auth import api_account
from web.api.entities import relationship_entity
from web.api.errors import ApiError, api_endpoint, read_params, unprocessable
from web.api.paging import Paging
from web.api.routing import both


def _failed(exc: ValidationFailed) -> ApiError:
    return unprocessable(", ".join(f"{k}: {v}" for k, v in exc.errors.items()))


async def _answer(me: Actor, target: Actor) -> Response:
    return JSONResponse(await relationship_entity(me, target), headers=PRIVATE)


def _urls(request: Request) -> LocalUrls:
    return LocalUrls(base_of(request))


# --- actions on one account ---------------------------------------------------------------------

@api_endpoint
async def follow(request: Request) -> Response:
    """POST /api/v1/accounts/:id/follow (write:follows): a member, a chapter (a request to
    join an approval chapter waits for its coordinators), ours or another server's (pending
    until its Accept)."""
    me = (await api_account(request, "write:follows")).actor
    target = await path_actor(request)
    blocked = await Block.filter(Q(blocker_id=me.id, blocked_id=target.id)
                                 | Q(blocker_id=target.id, blocked_id=me.id)).exists()
    if blocked:
        raise ApiError(403, "This action is not allowed")
    try:
        await join(_urls(request), me, target)
    except ValidationFailed as exc:
        raise _failed(exc) from None
    return await _answer(me, target)


@api_endpoint
async def unfollow(request: Request) -> Response:
    """POST /api/v1/accounts/:id/unfollow (write:follows): also withdraws a request, and
    leaves a chapter of ours."""
    me = (await api_account(request, "write:follows")).actor
    target = await path_actor(request)
    if target.kind == "Group" and target.is_local:
        await leave_chapter(target, me)
    else:
        await unfollow_actor(me, target)
    await forget_unfollowed(me, target)  # off the member's lists, as Mastodon does
    return await _answer(me, target)


@api_endpoint
async def block(request: Request) -> Response:
    """POST /api/v1/accounts/:id/block (write:blocks)."""
    me = (await api_account(request, "write:blocks")).actor
    target = await path_actor(request)
    try:
        await block_actor(_urls(request), me, target)
    except ValidationFailed as exc:
        raise _failed(exc) from None
    await forget_unfollowed(me, target)
    return await _answer(me, target)


@api_endpoint
async def unblock(request: Request) -> Response:
    """POST /api/v1/accounts/:id/unblock (write:blocks)."""
    me = (await api_account(request, "write:blocks")).actor
    target = await path_actor(request)
    await unblock_actor(me, target)
    return await _answer(me, target)


def _mute_params(params: dict[str, Any]) -> tuple[bool, int | None]:
    raw = params.get("notifications", True)
    if isinstance(raw, str) and raw.lower() in ("true", "1", "on", "false", "0", "off"):
        raw = raw.lower() in ("true", "1", "on")
    if not isinstance(raw, bool):
        raise unprocessable("notifications must be a boolean")
    duration = params.get("duration", 0)
    if isinstance(duration, str) and duration.isdigit() and len(duration) < 12:
        duration = int(duration)
    if isinstance(duration, bool) or not isinstance(duration, int) or not (
            0 <= duration <= DURATION_MAX):
        raise unprocessable(f"duration must be a number of seconds up to {DURATION_MAX}")
    return raw, duration or None


@api_endpoint
async def mute(request: Request) -> Response:
    """POST /api/v1/accounts/:id/mute (write:mutes): `notifications` (default true),
    `duration` in seconds (0: until unmuted)."""
    me = (await api_account(request, "write:mutes")).actor
    target = await path_actor(request)
    notifications, duration = _mute_params(await read_params(request))
    try:
        await mute_actor(me, target, notifications=notifications, duration=duration)
    except ValidationFailed as exc:
        raise _failed(exc) from None
    return await _answer(me, target)


@api_endpoint
async def unmute(request: Request) -> Response:
    """POST /api/v1/accounts/:id/unmute (write:mutes)."""
    me = (await api_account(request, "write:mutes")).actor
    target = await path_actor(request)
    await unmute_actor(me, target)
    return await _answer(me, target)


# --- lists --------------------------------------------------------------------------------------

@api_endpoint
async def blocks(request: Request) -> Response:
    """GET /api/v1/blocks (read:blocks): the accounts the member blocks, newest first."""
    me = (await api_account(request, "read:blocks")).actor
    rows = await page_rows(blocks_by(me), Paging(request), "blocked")
    return await accounts_answer(request, rows, [r.blocked for r in rows], me)


@api_endpoint
async def mutes(request: Request) -> Response:
    """GET /api/v1/mutes (read:mutes): the accounts the member mutes now, newest first."""
    me = (await api_account(request, "read:mutes")).actor
    rows = await page_rows(live_mutes(me), Paging(request), "target")
    return await accounts_answer(request, rows, [r.target for r in rows], me)


async def _answerable(me: Actor) -> Q:
    """Pending requests `me` may answer: to follow them, and to join a chapter of ours they
    coordinate (the admins: every chapter, as in the web UI's queue)."""
    groups = [g.id for g in await coordinated_groups(me) if g.is_local]
    return Q(followed_id=me.id) | Q(followed_id__in=groups) if groups else Q(followed_id=me.id)


@api_endpoint
async def follow_requests(request: Request) -> Response:
    """GET /api/v1/follow_requests (read:follows): who waits for the member's answer."""
    me = (await api_account(request, "read:follows")).actor
    query = Follow.filter(await _answerable(me), state=PENDING)
    rows = await page_rows(query, Paging(request), "follower")
    seen: dict[int, Actor] = {}
    for row in rows:
        seen.setdefault(row.follower.id, row.follower)
    return await accounts_answer(request, rows, list(seen.values()), me)


async def _answer_requests(request: Request, accept: bool) -> Response:
    """Every pending request of the path's account that the member may answer (to follow
    them, to join a chapter they coordinate); 404 when there is none."""
    me = (await api_account(request, "write:follows")).actor
    raw = str(request.path_params.get("id", ""))
    if not raw.isdigit() or len(raw) > 19:
        raise not_found()
    pending = await Follow.filter(await _answerable(me), state=PENDING,
                                  follower_id=int(raw)).prefetch_related("follower")
    if not pending:
        raise not_found()
    for request_row in pending:
        followed_id: int = request_row.followed_id  # type: ignore[attr-defined]
        try:
            if followed_id == me.id:
                await (accept_follow(request_row) if accept else reject_follow(request_row))
            elif accept:
                await admit(request_row, me)
            else:
                await refuse(request_row, me)
        except (NotAllowed, NotFound):  # answered meanwhile, or no longer a coordinator
            continue
    return await _answer(me, pending[0].follower)


@api_endpoint
async def authorize_request(request: Request) -> Response:
    """POST /api/v1/follow_requests/:account_id/authorize (write:follows): Accept is sent
    to a requester on another server."""
    return await _answer_requests(request, True)


@api_endpoint
async def reject_request(request: Request) -> Response:
    """POST /api/v1/follow_requests/:account_id/reject (write:follows): Reject is sent."""
    return await _answer_requests(request, False)


def routes() -> list[BaseRoute]:
    return [
        *both("/api/v1/accounts/{id}/follow", follow, ["POST"]),
        *both("/api/v1/accounts/{id}/unfollow", unfollow, ["POST"]),
        *both("/api/v1/accounts/{id}/block", block, ["POST"]),
        *both("/api/v1/accounts/{id}/unblock", unblock, ["POST"]),
        *both("/api/v1/accounts/{id}/mute", mute, ["POST"]),
        *both("/api/v1/accounts/{id}/unmute", unmute, ["POST"]),
        *both("/api/v1/blocks", blocks, ["GET"]),
        *both("/api/v1/mutes", mutes, ["GET"]),
        *both("/api/v1/follow_requests", follow_requests, ["GET"]),
        *both("/api/v1/follow_requests/{id}/authorize", authorize_request, ["POST"]),
        *both("/api/v1/follow_requests/{id}/reject", reject_request, ["POST"]),
    ]
