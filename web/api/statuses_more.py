"""More of the statuses API: edit (PUT) and edit history, bookmarks, pins, who favourited or
reblogged a status, and the member's own bookmarks and favourites lists — translations to
content.posts, content.history, content.bookmarks and content.pins.

As everywhere in the API, a status the member may not see answers 404 like a missing one."""

from __future__ import annotations

import html
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute
from tortoise.queryset import QuerySet

from actors.models import Actor
from content.bookmarks import (
    bookmark_post,
    bookmarks_of,
    boosts_of,
    favourites_of,
    likes_of,
    unbookmark_post,
)
from content.errors import NotAllowed, NotFound, ValidationFailed
from content.history import versions_of
from content.models import Poll, PollOption, Post
from content.pins import MAX_PINS, feature_post, is_featured, unfeature_post
from content.posts import SOURCE_MAX, edit_post
from content.visibility import visible_to
from web.api.auth import api_account, api_token, bearer
from web.api.entities import account_entities, iso
from web.api.entities_status import status_entities, status_entity
from web.api.errors import api_endpoint, read_params, text_param, unprocessable
from web.api.paging import Paging, link_header, query_page
from web.api.routing import both
from web.api.statuses import (
    PRIVATE,
    _failed,
    _flag,
    _poll_params,
    media_of,
    not_found,
    visible_post,
)

JSON = dict[str, Any]


def _base(request: Request) -> str:
    return request.app.state.settings.server.base_url  # type: ignore[no-any-return]


def routes() -> list[BaseRoute]:
    return [
        *both("/api/v1/bookmarks", bookmarks, ["GET"]),
        *both("/api/v1/favourites", favourites, ["GET"]),
        *both("/api/v1/statuses/{id}", edit_status, ["PUT"]),
        *both("/api/v1/statuses/{id}/history", status_history, ["GET"]),
        *both("/api/v1/statuses/{id}/bookmark", bookmark, ["POST"]),
        *both("/api/v1/statuses/{id}/unbookmark", unbookmark, ["POST"]),
        *both("/api/v1/statuses/{id}/pin", pin, ["POST"]),
        *both("/api/v1/statuses/{id}/unpin", unpin, ["POST"]),
        *both("/api/v1/statuses/{id}/favourited_by", favourited_by, ["GET"]),
        *both("/api/v1/statuses/{id}/reblogged_by", reblogged_by, ["GET"]),
    ]


async def _viewer(request: Request, scope: str) -> Actor | None:
    """The member behind the token if one is sent (live, holding `scope`), else None."""
    if bearer(request) is None and not request.headers.get("authorization"):
        return None
    token = await api_token(request, scope)
    return token.account.actor if token.account is not None else None  # type: ignore[attr-defined]


def _headers(viewer: Actor | None) -> dict[str, str]:
    return PRIVATE if viewer is not None else {}


# --- edit and history -------------------------------------------------------------------------


async def _check_poll(post: Post, params: dict[str, Any]) -> None:
    """An edit may send the poll back as it is; changing it (or adding one) is refused."""
    sent = _poll_params(params)
    if sent is None:
        return
    poll = await Poll.get_or_none(post_id=post.id)
    if poll is None:
        raise unprocessable("a poll cannot be added by editing a status")
    options = sent.get("options")
    if isinstance(options, str):
        options = [options]
    titles = await PollOption.filter(poll_id=poll.id).order_by("position").values_list(
        "title", flat=True)
    if options is not None and list(options) != list(titles):
        raise unprocessable("the options of a poll cannot be changed by editing a status")


@api_endpoint
async def edit_status(request: Request) -> Response:
    """PUT /api/v1/statuses/:id (write:statuses): one's own status, new text, content
    warning, sensitivity and images; the poll may only be sent back unchanged."""
    account = await api_account(request, "write:statuses")
    me: Actor = account.actor
    post = await visible_post(request, me)
    if post.author_id != me.id:  # type: ignore[attr-defined]
        raise not_found()
    params = await read_params(request)
    text = text_param(params, "status", SOURCE_MAX.get(post.kind, SOURCE_MAX["note"]))
    spoiler = text_param(params, "spoiler_text", 2_000)
    await _check_poll(post, params)
    media = await media_of(me, params, post)
    note = post.kind in ("note", "question")
    sensitive: bool | None = None
    if "sensitive" in params or "spoiler_text" in params:
        sensitive = _flag(params, "sensitive") or (note and bool(spoiler))
    try:  # Mastodon replaces the content warning: one not sent is removed
        post = await edit_post(me, post, text, summary=spoiler if note else None,
                               sensitive=sensitive, media=media)
    except ValidationFailed as exc:
        raise _failed(exc) from None
    except NotFound:
        raise not_found() from None
    except NotAllowed as exc:
        raise unprocessable(str(exc)) from None
    entity = await status_entity(post, base_url=_base(request), viewer=me, full_text=True)
    return JSONResponse(entity, headers=PRIVATE)


def _edit(post: Post, title: str, summary: str, content_html: str, sensitive: bool,
          written: Any, current: JSON) -> JSON:
    """A StatusEdit: one version's text with the status's account, images and poll."""
    body = content_html
    if post.kind in ("article", "page") and title:
        body = f"<p><strong>{html.escape(title)}</strong></p>{content_html}"
    poll = current.get("poll")
    return {
        "content": body,
        "spoiler_text": summary if post.kind in ("note", "question") else "",
        "sensitive": sensitive,
        "created_at": iso(written),
        "account": current["account"],
        "poll": {"options": [{"title": o["title"]} for o in poll["options"]]} if poll else None,
        "media_attachments": current["media_attachments"],
        "emojis": [],
    }


@api_endpoint
async def status_history(request: Request) -> Response:
    """GET /api/v1/statuses/:id/history: every version, oldest first, ending with the
    current one (alone for a status never edited)."""
    viewer = await _viewer(request, "read:statuses")
    post = await visible_post(request, viewer)
    current = await status_entity(post, base_url=_base(request), viewer=viewer, full_text=True)
    edits = [_edit(post, v.title, v.summary, v.content_html, v.sensitive, v.written_at, current)
             for v in await versions_of(post)]
    edits.append(_edit(post, post.title, post.summary, post.content_html, bool(post.sensitive),
                       post.updated or post.published, current))
    return JSONResponse(edits, headers=_headers(viewer))


# --- bookmarks and pins -----------------------------------------------------------------------


async def _toggle(request: Request, scope: str, action: str) -> Response:
    account = await api_account(request, scope)
    me: Actor = account.actor
    post = await visible_post(request, me)
    try:
        if action == "bookmark":
            await bookmark_post(me, post)
        elif action == "unbookmark":
            await unbookmark_post(me, post)
        elif action == "pin":
            await _pin(me, post)
        else:
            await unfeature_post(me, post)
    except NotFound:
        raise not_found() from None
    entity = await status_entity(post, base_url=_base(request), viewer=me)
    return JSONResponse(entity, headers=PRIVATE)


async def _pin(me: Actor, post: Post) -> None:
    """Mastodon pins only one's own public or unlisted statuses (422 otherwise)."""
    if post.author_id != me.id:  # type: ignore[attr-defined]
        raise unprocessable("only your own statuses can be pinned")
    if post.visibility not in ("public", "unlisted"):
        raise unprocessable("only public and unlisted statuses can be pinned")
    if not await feature_post(me, post) and not await is_featured(me, post):
        raise unprocessable(f"you have pinned the maximum of {MAX_PINS} statuses")


@api_endpoint
async def bookmark(request: Request) -> Response:
    """POST /api/v1/statuses/:id/bookmark (write:bookmarks)."""
    return await _toggle(request, "write:bookmarks", "bookmark")


@api_endpoint
async def unbookmark(request: Request) -> Response:
    """POST /api/v1/statuses/:id/unbookmark (write:bookmarks)."""
    return await _toggle(request, "write:bookmarks", "unbookmark")


@api_endpoint
async def pin(request: Request) -> Response:
    """POST /api/v1/statuses/:id/pin (write:accounts)."""
    return await _toggle(request, "write:accounts", "pin")


@api_endpoint
async def unpin(request: Request) -> Response:
    """POST /api/v1/statuses/:id/unpin (write:accounts)."""
    return await _toggle(request, "write:accounts", "unpin")


# --- lists ------------------------------------------------------------------------------------


async def _saved(request: Request, scope: str, rows: Any) -> Response:
    """A page of the member's bookmarks or likes (rows paged by their own id), as the
    statuses they point to that the member may still see."""
    account = await api_account(request, scope)
    me: Actor = account.actor
    paging = Paging(request)
    page: list[Any] = await query_page(rows(me), paging)
    post_ids = [row.post_id for row in page]
    visible = await visible_to(Post.filter(id__in=post_ids or [0]), me)
    posts = {p.id: p for p in await visible}
    shown = [posts[i] for i in post_ids if i in posts]
    entities = await status_entities(shown, base_url=_base(request), viewer=me)
    return JSONResponse(entities, headers={**PRIVATE,
                                           **link_header(request, [r.id for r in page])})


@api_endpoint
async def bookmarks(request: Request) -> Response:
    """GET /api/v1/bookmarks (read:bookmarks): newest bookmark first."""
    return await _saved(request, "read:bookmarks", bookmarks_of)


@api_endpoint
async def favourites(request: Request) -> Response:
    """GET /api/v1/favourites (read:favourites): newest favourite first."""
    return await _saved(request, "read:favourites", favourites_of)


async def _who(request: Request, rows: Any) -> Response:
    """A page of the accounts that liked or shared a status the requester may see."""
    viewer = await _viewer(request, "read:accounts")
    post = await visible_post(request, viewer)
    paging = Paging(request)
    query: QuerySet[Any] = rows(post)
    page: list[Any] = await query_page(query, paging)
    actors = {a.id: a for a in await Actor.filter(id__in=[r.actor_id for r in page] or [0])}
    shown = [actors[r.actor_id] for r in page if r.actor_id in actors]
    entities = await account_entities(shown, base_url=_base(request))
    return JSONResponse(entities, headers={**_headers(viewer),
                                           **link_header(request, [r.id for r in page])})


@api_endpoint
async def favourited_by(request: Request) -> Response:
    """GET /api/v1/statuses/:id/favourited_by: who liked it, newest first."""
    return await _who(request, likes_of)


@api_endpoint
async def reblogged_by(request: Request) -> Response:
    """GET /api/v1/statuses/:id/reblogged_by: who shared it, newest first."""
    return await _who(request, boosts_of)
