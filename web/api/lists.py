"""Lists in the Mastodon client API: a member's lists (read:lists / write:lists), the
accounts on them, the lists an account is on, and a list's timeline — translations of
content.lists. Another member's list answers 404 exactly as a missing one."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from actors.models import Actor
from content.errors import NotFound, ValidationFailed
from content.lists import (
    Window,
    add_to_list,
    create_list,
    delete_list,
    list_entries,
    list_timeline,
    lists_of,
    lists_with,
    owned_list,
    remove_from_list,
    update_list,
)
from content.models import Boost, MemberList, Post
from web.api.auth import api_account
from web.api.entities import account_entities
from web.api.entities_status import status_entities
from web.api.errors import api_endpoint, read_params, text_param, unprocessable
from web.api.paging import Paging, link_header
from web.api.routing import both
from web.api.statuses import PRIVATE, not_found

READ, WRITE = "read:lists", "write:lists"
ACCOUNTS_PAGE = 40


def list_entity(found: MemberList) -> dict[str, Any]:
    """Mastodon's List entity."""
    return {"id": str(found.id), "title": found.title,
            "replies_policy": found.replies_policy, "exclusive": found.exclusive}


def _id(raw: str) -> int | None:
    return int(raw) if raw.isdigit() and len(raw) < 20 else None


def _list_id(request: Request) -> int | None:
    return _id(request.path_params.get("id") or request.path_params.get("list_id", ""))


def _bool(params: dict[str, Any], name: str) -> bool | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    text = str(value).lower()
    if text in ("true", "1", "on", "yes"):
        return True
    if text in ("false", "0", "off", "no"):
        return False
    raise unprocessable(f"{name} must be a boolean")


def _failed(exc: ValidationFailed) -> Exception:
    return unprocessable(", ".join(f"{k.capitalize()} {v}" for k, v in exc.errors.items()))


def _account_ids(request: Request, params: dict[str, Any]) -> list[int]:
    """`account_ids[]` of a form, a JSON body (strings or numbers) or the query string."""
    raw = params.get("account_ids")
    if raw is None and request.query_params.getlist("account_ids[]"):
        raw = request.query_params.getlist("account_ids[]")
    if raw is None:
        raise unprocessable("account_ids can't be blank")
    values = raw if isinstance(raw, list) else [raw]
    ids = [_id(str(v)) if isinstance(v, str | int) and not isinstance(v, bool) else None
           for v in values]
    if not values or None in ids:
        raise unprocessable("account_ids must be a list of account ids")
    return [i for i in ids if i is not None]


def _ok(body: Any, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse(body, headers={**PRIVATE, **(headers or {})})


@api_endpoint
async def index(request: Request) -> Response:
    """GET /api/v1/lists: the member's lists."""
    account = await api_account(request, READ)
    return _ok([list_entity(found) for found in await lists_of(account.actor)])


@api_endpoint
async def create(request: Request) -> Response:
    """POST /api/v1/lists: title, replies_policy (followed, list, none), exclusive."""
    account = await api_account(request, WRITE)
    params = await read_params(request)
    try:
        found = await create_list(account.actor, text_param(params, "title", 1000),
                                  replies_policy=text_param(params, "replies_policy", 20)
                                  or "list", exclusive=bool(_bool(params, "exclusive")))
    except ValidationFailed as exc:
        raise _failed(exc) from None
    return _ok(list_entity(found))


@api_endpoint
async def show(request: Request) -> Response:
    """GET /api/v1/lists/:id."""
    account = await api_account(request, READ)
    try:
        found = await owned_list(account.actor, _list_id(request))
    except NotFound:
        raise not_found() from None
    return _ok(list_entity(found))


@api_endpoint
async def update(request: Request) -> Response:
    """PUT /api/v1/lists/:id: change the title, replies_policy or exclusive given."""
    account = await api_account(request, WRITE)
    params = await read_params(request)
    title = text_param(params, "title", 1000) if "title" in params else None
    policy = text_param(params, "replies_policy", 20) or None
    try:
        found = await update_list(account.actor, _list_id(request), title=title,
                                  replies_policy=policy, exclusive=_bool(params, "exclusive"))
    except NotFound:
        raise not_found() from None
    except ValidationFailed as exc:
        raise _failed(exc) from None
    return _ok(list_entity(found))


@api_endpoint
async def destroy(request: Request) -> Response:
    """DELETE /api/v1/lists/:id."""
    account = await api_account(request, WRITE)
    try:
        await delete_list(account.actor, _list_id(request))
    except NotFound:
        raise not_found() from None
    return _ok({})


@api_endpoint
async def accounts(request: Request) -> Response:
    """GET /api/v1/lists/:id/accounts: the accounts on the list, paged by Link (limit 0:
    all of them)."""
    account = await api_account(request, READ)
    limit = request.query_params.get("limit", "")
    paging = Paging(request)  # checks the cursors and the limit
    window = Window(paging.max_id, paging.since_id, paging.min_id,
                    0 if limit == "0" else (paging.limit if limit else ACCOUNTS_PAGE))
    try:
        found = await owned_list(account.actor, _list_id(request))
    except NotFound:
        raise not_found() from None
    entries = await list_entries(found, window)
    base = request.app.state.settings.server.base_url
    body = await account_entities([e.actor for e in entries], base_url=base)
    links = {} if limit == "0" else link_header(request, [e.id for e in entries])
    return _ok(body, links)


async def _change_accounts(request: Request, adding: bool) -> Response:
    account = await api_account(request, WRITE)
    params = await read_params(request)
    ids = _account_ids(request, params)
    try:
        if adding:
            await add_to_list(account.actor, _list_id(request), ids)
        else:
            await remove_from_list(account.actor, _list_id(request), ids)
    except NotFound:
        raise not_found() from None
    except ValidationFailed as exc:
        raise _failed(exc) from None
    return _ok({})


@api_endpoint
async def add_accounts(request: Request) -> Response:
    """POST /api/v1/lists/:id/accounts: account_ids[] the member follows (else 404; one
    already on the list: 422)."""
    return await _change_accounts(request, adding=True)


@api_endpoint
async def remove_accounts(request: Request) -> Response:
    """DELETE /api/v1/lists/:id/accounts: account_ids[] off the list."""
    return await _change_accounts(request, adding=False)


@api_endpoint
async def lists_of_account(request: Request) -> Response:
    """GET /api/v1/accounts/:id/lists: the member's lists holding that account."""
    account = await api_account(request, READ)
    ident = _id(request.path_params.get("id", ""))
    other = await Actor.get_or_none(id=ident) if ident is not None else None
    if other is None or other.kind == "Application":
        raise not_found()
    return _ok([list_entity(found) for found in await lists_with(account.actor, other)])


@api_endpoint
async def timeline(request: Request) -> Response:
    """GET /api/v1/timelines/list/:list_id (read:lists): the list's posts and boosts."""
    account = await api_account(request, READ)
    paging = Paging(request)
    window = Window(paging.max_id, paging.since_id, paging.min_id, paging.limit)
    try:
        entries = await list_timeline(account.actor, _list_id(request), window)
    except NotFound:
        raise not_found() from None
    boost_ids = [e.id for e in entries if e.boosted_by is not None]
    boosts = {b.id: b for b in await Boost.filter(id__in=boost_ids)} if boost_ids else {}
    items: list[Post | Boost] = [boosts[e.id] if e.boosted_by is not None else e.post
                                 for e in entries if e.boosted_by is None or e.id in boosts]
    base = request.app.state.settings.server.base_url
    body = await status_entities(items, base_url=base, viewer=account.actor)
    return _ok(body, link_header(request, [item.id for item in items]))


def routes() -> list[BaseRoute]:
    return [
        *both("/api/v1/lists", index, ["GET"]),
        *both("/api/v1/lists", create, ["POST"]),
        *both("/api/v1/lists/{id}", show, ["GET"]),
        *both("/api/v1/lists/{id}", update, ["PUT"]),
        *both("/api/v1/lists/{id}", destroy, ["DELETE"]),
        *both("/api/v1/lists/{id}/accounts", accounts, ["GET"]),
        *both("/api/v1/lists/{id}/accounts", add_accounts, ["POST"]),
        *both("/api/v1/lists/{id}/accounts", remove_accounts, ["DELETE"]),
        *both("/api/v1/accounts/{id}/lists", lists_of_account, ["GET"]),
        *both("/api/v1/timelines/list/{list_id}", timeline, ["GET"]),
    ]
