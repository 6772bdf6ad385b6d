"""Following from the web UI: the follow form and list (/following), unfollowing, and the
admins' page of pending requests to join approval chapters (/follow-requests)."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from actors.errors import ValidationFailed
from actors.follows import (
    ACCEPTED,
    accept_follow,
    find_pending_chapter_request,
    follow_actor,
    follows_of,
    pending_chapter_requests,
    reject_follow,
    unfollow_actor,
)
from actors.models import Account, Actor
from actors.urls import LocalUrls
from web.sessions import current_account
from web.templating import render
from web.ui.auth import read_form
from web.ui.finder import HANDLE_MAX, NotFollowable, find_actor

ID_MAX_DIGITS = 20


def _text(form: FormData, name: str, limit: int = HANDLE_MAX + 10) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def _back(form: FormData, default: str = "/following") -> str:
    """Where to return after a form: a local path only (never another site)."""
    target = _text(form, "next", 300)
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


def handle_of(request: Request, actor: Actor) -> str:
    return f"@{actor.username}@{actor.domain or request.app.state.settings.instance.domain}"


def _urls(request: Request) -> LocalUrls:
    return LocalUrls(request.app.state.settings.server.base_url)


def profile_link(request: Request, actor: Actor) -> str:
    """Our own page for a local actor; the remote profile (its `url`, else its id) otherwise."""
    if actor.is_local:
        return _urls(request).actor(actor)
    return actor.url or actor.uri or ""


def _login_redirect(request: Request) -> Response:
    return RedirectResponse("/login", status_code=303)


async def _following_page(request: Request, account: Account, *, handle: str = "",
                          error: str | None = None, status: int = 200) -> Response:
    rows: list[dict[str, Any]] = [
        {
            "actor": follow.followed,
            "handle": handle_of(request, follow.followed),
            "link": profile_link(request, follow.followed),
            "accepted": follow.state == ACCEPTED,
        }
        for follow in await follows_of(account.actor)
    ]
    return await render(request, "following.html",
                        {"rows": rows, "handle": handle, "error": error}, status)


async def following_page(request: Request) -> Response:
    """GET /following: the follow form and everyone the member follows, with the state."""
    account = await current_account(request)
    if account is None:
        return _login_redirect(request)
    return await _following_page(request, account)


async def follow_submit(request: Request) -> Response:
    """POST /follow: find the handle (WebFinger for another server) and follow it."""
    form = await read_form(request)
    account = await current_account(request)
    if account is None:
        return _login_redirect(request)
    handle = _text(form, "handle")
    settings = request.app.state.settings
    try:
        target = await find_actor(_urls(request), request.app.state.federation_client,
                                  settings.instance.domain, handle)
        await follow_actor(_urls(request), account.actor, target)
    except NotFollowable as exc:
        return await _following_page(request, account, handle=handle, error=str(exc),
                                     status=422)
    except ValidationFailed as exc:
        message = next(iter(exc.errors.values()), "This account cannot be followed.")
        return await _following_page(request, account, handle=handle, error=message,
                                     status=422)
    return RedirectResponse(_back(form), status_code=303)


async def unfollow_submit(request: Request) -> Response:
    """POST /unfollow: stop following (or withdraw a request); Undo goes to a remote actor."""
    form = await read_form(request)
    account = await current_account(request)
    if account is None:
        return _login_redirect(request)
    raw = _text(form, "actor", ID_MAX_DIGITS)
    target = await Actor.get_or_none(id=int(raw)) if raw.isdigit() else None
    if target is not None:
        await unfollow_actor(account.actor, target)
    return RedirectResponse(_back(form), status_code=303)


async def _admin(request: Request) -> Account | Response:
    account = await current_account(request)
    if account is None:
        return _login_redirect(request)
    if account.role != "admin":
        return await render(request, "error.html", {
            "title": "Only administrators can see this page", "status": 403,
            "message": "Requests to join chapters are answered by the organization's "
                       "administrators."}, 403)
    return account


async def follow_requests_page(request: Request) -> Response:
    """GET /follow-requests: pending requests to join approval chapters (admins only)."""
    admin = await _admin(request)
    if isinstance(admin, Response):
        return admin
    rows = [
        {
            "id": follow.id,
            "follower": follow.follower,
            "handle": handle_of(request, follow.follower),
            "link": profile_link(request, follow.follower),
            "chapter": follow.followed,
        }
        for follow in await pending_chapter_requests()
    ]
    return await render(request, "follow_requests.html", {"rows": rows})


async def follow_request_answer(request: Request) -> Response:
    """POST /follow-requests/{id}: `decision` accept (Accept sent) or reject (Reject sent)."""
    form = await read_form(request)
    admin = await _admin(request)
    if isinstance(admin, Response):
        return admin
    raw = str(request.path_params["follow_id"])
    follow = (await find_pending_chapter_request(int(raw))
              if raw.isdigit() and len(raw) <= ID_MAX_DIGITS else None)
    decision = _text(form, "decision", 10)
    if follow is not None and decision == "accept":
        await accept_follow(follow)
    elif follow is not None and decision == "reject":
        await reject_follow(follow)
    return RedirectResponse("/follow-requests", status_code=303)
