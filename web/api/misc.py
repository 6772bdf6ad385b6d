"""The small endpoints Mastodon apps call as they start: markers (where the member stopped
reading), preferences, custom emojis, filters, announcements, trends and followed tags.

What we do not have answers as Mastodon does when the feature is empty or switched off: an
empty list (no custom emojis, no announcements, trends disabled, no followed tags, no
filters). Creating filters is not supported yet (422)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F

from actors.models import Account
from content.notifications import mark_read_until
from core import clock
from web.api.auth import api_account
from web.api.entities import iso
from web.api.errors import ApiError, api_endpoint, read_params, unprocessable
from web.api.routing import both
from web.api.statuses import PRIVATE, not_found
from web.models import Marker

TIMELINES = ("home", "notifications")
DEFAULT_VISIBILITY = "public"


def _marker_entity(marker: Marker) -> dict[str, Any]:
    return {"last_read_id": marker.last_read_id, "version": marker.version,
            "updated_at": iso(marker.updated_at)}


def _timelines(request: Request) -> list[str]:
    query = request.query_params
    asked = query.getlist("timeline[]") + query.getlist("timeline")
    names = [name for value in asked[:10] for name in value.split(",")]
    return [name for name in TIMELINES if name in names]


@api_endpoint
async def get_markers(request: Request) -> Response:
    """GET /api/v1/markers?timeline[]=home&timeline[]=notifications (read:statuses): the
    markers asked for that exist; unknown timelines are ignored."""
    account = await api_account(request, "read:statuses")
    wanted = _timelines(request)
    rows = await Marker.filter(account_id=account.id, timeline__in=wanted or [""])
    return JSONResponse({m.timeline: _marker_entity(m) for m in rows}, headers=PRIVATE)


def _last_read_ids(params: dict[str, Any]) -> dict[str, str]:
    """`home[last_read_id]` (form) or `{"home": {"last_read_id": …}}` (JSON), per timeline."""
    found: dict[str, str] = {}
    for name in TIMELINES:
        nested = params.get(name)
        value = nested.get("last_read_id") if isinstance(nested, dict) else params.get(
            f"{name}[last_read_id]")
        if value is None:
            if nested is not None and not isinstance(nested, dict):
                raise unprocessable(f"{name} must be an object with last_read_id")
            continue
        text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
        if not isinstance(text, str) or not text.isdigit() or len(text) > 19:
            raise unprocessable(f"{name}[last_read_id] must be an id")
        found[name] = text
    if not found:
        raise unprocessable("give home[last_read_id] or notifications[last_read_id]")
    return found


async def _save_marker(account: Account, timeline: str, last_read_id: str) -> Marker:
    """Create or move a marker, its version one more each time; two apps saving at once
    both succeed (the later write wins), never a conflict."""
    for _ in range(3):
        moved = await Marker.filter(account_id=account.id, timeline=timeline).update(
            last_read_id=last_read_id, version=F("version") + 1, updated_at=clock.now())
        if moved:
            break
        try:
            await Marker.create(account=account, timeline=timeline, last_read_id=last_read_id,
                                version=1)
            break
        except IntegrityError:
            continue  # another request made it just now: move it instead
    return await Marker.get(account_id=account.id, timeline=timeline)


@api_endpoint
async def save_markers(request: Request) -> Response:
    """POST /api/v1/markers (write:statuses), JSON or form: the markers saved."""
    account = await api_account(request, "write:statuses")
    ids = _last_read_ids(await read_params(request))
    saved = {name: await _save_marker(account, name, value) for name, value in ids.items()}
    if "notifications" in ids:  # read in an app: read on the web page too
        await mark_read_until(account.actor, int(ids["notifications"]))
    return JSONResponse({name: _marker_entity(m) for name, m in saved.items()}, headers=PRIVATE)


@api_endpoint
async def preferences(request: Request) -> Response:
    """GET /api/v1/preferences (read:accounts). Members have no posting defaults of their
    own yet: public, not sensitive, no language; media shown as the server decides."""
    await api_account(request, "read:accounts")
    return JSONResponse({
        "posting:default:visibility": DEFAULT_VISIBILITY,
        "posting:default:sensitive": False,
        "posting:default:language": None,
        "reading:expand:media": "default",
        "reading:expand:spoilers": False,
    }, headers=PRIVATE)


def _empty(private: bool) -> Response:
    return JSONResponse([], headers=PRIVATE if private else {})


@api_endpoint
async def custom_emojis(request: Request) -> Response:
    """GET /api/v1/custom_emojis: none here (no token needed)."""
    return _empty(False)


@api_endpoint
async def trends(request: Request) -> Response:
    """GET /api/v1/trends/tags|statuses|links: empty, as Mastodon with trends disabled."""
    return _empty(False)


@api_endpoint
async def list_filters(request: Request) -> Response:
    """GET /api/v1/filters and /api/v2/filters (read:filters): none yet."""
    await api_account(request, "read:filters")
    return _empty(True)


@api_endpoint
async def show_filter(request: Request) -> Response:
    """GET /api/v1|v2/filters/:id (read:filters): there are none, so never found."""
    await api_account(request, "read:filters")
    raise not_found()


@api_endpoint
async def create_filter(request: Request) -> Response:
    """POST /api/v1|v2/filters (write:filters): not supported yet."""
    await api_account(request, "write:filters")
    raise ApiError(422, "Filters are not supported yet")


@api_endpoint
async def announcements(request: Request) -> Response:
    """GET /api/v1/announcements (a member's token with read): none."""
    await api_account(request, "read")
    return _empty(True)


@api_endpoint
async def followed_tags(request: Request) -> Response:
    """GET /api/v1/followed_tags (read:follows): following hashtags does not exist here."""
    await api_account(request, "read:follows")
    return _empty(True)


def routes() -> list[BaseRoute]:
    return [
        *both("/api/v1/markers", get_markers, ["GET"]),
        *both("/api/v1/markers", save_markers, ["POST"]),
        *both("/api/v1/preferences", preferences, ["GET"]),
        *both("/api/v1/custom_emojis", custom_emojis, ["GET"]),
        *both("/api/v1/trends", trends, ["GET"]),
        *both("/api/v1/trends/tags", trends, ["GET"]),
        *both("/api/v1/trends/statuses", trends, ["GET"]),
        *both("/api/v1/trends/links", trends, ["GET"]),
        *both("/api/v1/filters", list_filters, ["GET"]),
        *both("/api/v1/filters", create_filter, ["POST"]),
        *both("/api/v1/filters/{id}", show_filter, ["GET"]),
        *both("/api/v2/filters", list_filters, ["GET"]),
        *both("/api/v2/filters", create_filter, ["POST"]),
        *both("/api/v2/filters/{id}", show_filter, ["GET"]),
        *both("/api/v1/announcements", announcements, ["GET"]),
        *both("/api/v1/followed_tags", followed_tags, ["GET"]),
    ]
