"""Notifications in the Mastodon client API: the list (types[], exclude_types[], account_id,
paging), one notification, dismiss, clear and the unread count (Mastodon 4.3) — a
translation to content.notifications; the entities come from entities_notifications.

Only our kinds that have a Mastodon type are listed (see entities_notifications.TYPES); a
notification of another member, or one the API leaves out, answers 404 like a missing id."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from actors.models import Actor
from content import notifications as service
from content.notifications import NotificationQuery
from web.api.auth import api_account
from web.api.entities_notifications import (
    MASTODON_TYPES,
    api_kinds,
    notification_entities,
    notification_entity,
)
from web.api.errors import api_endpoint, unprocessable
from web.api.paging import link_header
from web.api.routing import both
from web.api.statuses import PRIVATE, not_found
from web.models import Marker

PAGE = 40
PAGE_MAX = 80
UNREAD_LIMIT = 100
UNREAD_LIMIT_MAX = 1000
READ = "read:notifications"
WRITE = "write:notifications"


def _base(request: Request) -> str:
    return request.app.state.settings.server.base_url  # type: ignore[no-any-return]


def _id(raw: str, name: str) -> int | None:
    if raw == "":
        return None
    if not raw.isdigit() or len(raw) > 19:
        raise unprocessable(f"{name} must be an id")
    return int(raw)


def _limit(request: Request, default: int, highest: int) -> int:
    raw = request.query_params.get("limit", "")
    if raw == "":
        return default
    if not raw.isdigit() or len(raw) > 9:
        raise unprocessable("limit must be a number")
    return min(max(int(raw), 1), highest)


def _listed(request: Request, name: str) -> list[str] | None:
    """A list parameter given as `name[]=…` (or `name=…`), None when absent."""
    values = request.query_params.getlist(f"{name}[]") + request.query_params.getlist(name)
    if not values:
        return None
    if len(values) > 50 or any(len(v) > 50 for v in values):
        raise unprocessable(f"{name} has too many or too long values")
    return [v for value in values for v in value.split(",") if v]


def _query(request: Request) -> NotificationQuery:
    """The filter of a listing, as Mastodon reads it: unknown types are ignored, but a
    types[] naming only unknown ones matches nothing."""
    types = _listed(request, "types")
    wanted = set(MASTODON_TYPES) if types is None else set(types) & set(MASTODON_TYPES)
    wanted -= set(_listed(request, "exclude_types") or [])
    return NotificationQuery(kinds=api_kinds(sorted(wanted)),
                             from_actor_id=_id(request.query_params.get("account_id", ""),
                                               "account_id"))


def _path_id(request: Request) -> int:
    raw = str(request.path_params.get("id", ""))
    if not raw.isdigit() or len(raw) > 19:
        raise not_found()
    return int(raw)


@api_endpoint
async def list_notifications(request: Request) -> Response:
    """GET /api/v1/notifications (read:notifications)."""
    account = await api_account(request, READ)
    me: Actor = account.actor
    query = _query(request)
    params = request.query_params
    rows = await service.notification_page(
        me, query, max_id=_id(params.get("max_id", ""), "max_id"),
        since_id=_id(params.get("since_id", ""), "since_id"),
        min_id=_id(params.get("min_id", ""), "min_id"), limit=_limit(request, PAGE, PAGE_MAX))
    entities = await notification_entities(rows, base_url=_base(request), viewer=me)
    headers = {**PRIVATE, **link_header(request, [n.id for n in rows])}
    return JSONResponse(entities, headers=headers)


@api_endpoint
async def show_notification(request: Request) -> Response:
    """GET /api/v1/notifications/:id (read:notifications)."""
    account = await api_account(request, READ)
    found = await service.notification_of(account.actor, _path_id(request))
    entity = (await notification_entity(found, base_url=_base(request), viewer=account.actor)
              if found is not None else None)
    if entity is None:
        raise not_found()
    return JSONResponse(entity, headers=PRIVATE)


@api_endpoint
async def dismiss(request: Request) -> Response:
    """POST /api/v1/notifications/:id/dismiss (write:notifications)."""
    account = await api_account(request, WRITE)
    if not await service.dismiss(account.actor, _path_id(request)):
        raise not_found()
    return JSONResponse({}, headers=PRIVATE)


@api_endpoint
async def clear(request: Request) -> Response:
    """POST /api/v1/notifications/clear (write:notifications)."""
    account = await api_account(request, WRITE)
    await service.clear(account.actor)
    return JSONResponse({}, headers=PRIVATE)


@api_endpoint
async def unread_count(request: Request) -> Response:
    """GET /api/v1/notifications/unread_count (read:notifications, Mastodon 4.3): how many
    are newer than the app's notifications marker (all, without one), `limit` at most."""
    account = await api_account(request, READ)
    query = _query(request)
    limit = _limit(request, UNREAD_LIMIT, UNREAD_LIMIT_MAX)
    marker = await Marker.get_or_none(account_id=account.id, timeline="notifications")
    after = (int(marker.last_read_id)
             if marker is not None and marker.last_read_id.isdigit() else None)
    count = await service.count_after(account.actor, query, after, limit)
    return JSONResponse({"count": count}, headers=PRIVATE)


def routes() -> list[BaseRoute]:
    return [
        *both("/api/v1/notifications", list_notifications, ["GET"]),
        *both("/api/v1/notifications/clear", clear, ["POST"]),
        *both("/api/v1/notifications/unread_count", unread_count, ["GET"]),
        *both("/api/v1/notifications/{id}", show_notification, ["GET"]),
        *both("/api/v1/notifications/{id}/dismiss", dismiss, ["POST"]),
    ]
