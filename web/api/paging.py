"""Paging of the Mastodon client API's lists: the `max_id`/`since_id`/`min_id`/`limit`
cursors (422 when malformed) and the Link header that names the next and previous pages."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from tortoise.queryset import QuerySet

from content.models import Post
from content.timelines import PAGE, PAGE_MAX
from web.api.errors import unprocessable


class Paging:
    """The cursors and limit of a timeline request (422 for malformed ones)."""

    def __init__(self, request: Request) -> None:
        query = request.query_params
        self.max_id = self._id(query, "max_id")
        self.since_id = self._id(query, "since_id")
        self.min_id = self._id(query, "min_id")
        raw = query.get("limit", "")
        if raw and not raw.isdigit():
            raise unprocessable("limit must be a number")
        self.limit = min(max(int(raw), 1), PAGE_MAX) if raw else PAGE

    @staticmethod
    def _id(query: Any, name: str) -> int | None:
        raw = query.get(name, "")
        if raw == "":
            return None
        if not raw.isdigit() or len(raw) > 19:
            raise unprocessable(f"{name} must be a status id")
        return int(raw)

    def lower(self) -> int | None:
        """The id entries must be above (since_id or min_id)."""
        return self.min_id if self.min_id is not None else self.since_id


async def query_page(query: QuerySet[Post], paging: Paging) -> list[Post]:
    """A page of a listing of posts, newest first, by the cursors."""
    if paging.max_id is not None:
        query = query.filter(id__lt=paging.max_id)
    if paging.since_id is not None:
        query = query.filter(id__gt=paging.since_id)
    if paging.min_id is not None:  # the page just above min_id: read upwards, then flip
        query = query.filter(id__gt=paging.min_id)
        rows = await query.order_by("id").limit(paging.limit)
        return list(reversed(rows))
    return list(await query.order_by("-id").limit(paging.limit))


def link_header(request: Request, ids: list[int]) -> dict[str, str]:
    """Mastodon's Link header for a page whose cursor ids are `ids` (newest first): next
    (older) by max_id, prev (newer) by min_id. Empty for an empty page."""
    if not ids:
        return {}
    base = request.app.state.settings.server.base_url.rstrip("/")
    kept = [(k, v) for k, v in request.query_params.multi_items()
            if k not in ("max_id", "since_id", "min_id")]
    path = f"{base}{request.url.path}"

    def url(**cursor: int) -> str:
        return f"{path}?{urlencode(kept + [(k, str(v)) for k, v in cursor.items()])}"

    return {"link": f'<{url(max_id=ids[-1])}>; rel="next", '
                    f'<{url(min_id=ids[0])}>; rel="prev"'}
