"""Following from the web UI: the follow form and list (/following), unfollowing (leaving a
chapter), and the coordinators' queue of requests to join their chapters (/follow-requests;
admins see every chapter's)."""

from __future__ import annotations

import logging
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from actors.chapters import leave_chapter
from actors.errors import ValidationFailed
from actors.follows import (
    ACCEPTED,
    find_pending_chapter_request,
    follow_between,
    follows_of,
    pending_chapter_requests,
    unfollow_actor,
)
from actors.models import Account, Actor
from actors.roles import coordinated_groups
from actors.urls import LocalUrls
from content.errors import NotAllowed, NotFound
from content.lists import forget_unfollowed
from content.membership import admit, join, refuse
from core.messages import N_, message_of
from web.sessions import current_account
from web.templating import render
from web.ui.auth import read_form
from web.ui.finder import HANDLE_MAX, NotFollowable, find_actor

log = logging.getLogger(__name__)
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


async def follow_between_state(viewer: Actor | None, actor: Actor) -> str | None:
    """For a logged-in member looking at another actor: "none", "pending" or "accepted";
    None when there is no button to show (a visitor, oneself, the instance actor)."""
    if viewer is None or actor.kind == "Application" or viewer.id == actor.id:
        return None
    follow = await follow_between(viewer, actor)
    if follow is None:
        return "none"
    return "accepted" if follow.state == ACCEPTED else "pending"


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
        await join(_urls(request), account.actor, target)
    except NotFollowable as exc:
        return await _following_page(request, account, handle=handle, error=message_of(exc),
                                     status=422)
    except ValidationFailed as exc:
        message = next(iter(exc.errors.values()), N_("This account cannot be followed."))
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
    if target is not None and target.kind == "Group" and target.is_local:
        await leave_chapter(target, account.actor)
    elif target is not None:
        await unfollow_actor(account.actor, target)
    if target is not None:
        await forget_unfollowed(account.actor, target)  # off the member's lists
    return RedirectResponse(_back(form), status_code=303)


async def _coordinator(request: Request) -> tuple[Account, list[Actor]] | Response:
    """The logged-in member and the chapters of ours they coordinate (admins: all), or the
    answer: the log-in page, or 403 for members who coordinate no chapter."""
    account = await current_account(request)
    if account is None:
        return _login_redirect(request)
    groups = [g for g in await coordinated_groups(account.actor) if g.is_local]
    if not groups and account.role != "admin":
        return await render(request, "error.html", {
            "title": N_("Only coordinators can see this page"), "status": 403,
            "message": N_("Requests to join a chapter are answered by its coordinators and "
                       "the organization's administrators.")}, 403)
    return account, groups


async def follow_requests_page(request: Request) -> Response:
    """GET /follow-requests: the queue of pending requests to join the chapters the viewer
    coordinates (admins: every chapter), oldest first, by chapter."""
    found = await _coordinator(request)
    if isinstance(found, Response):
        return found
    _account, groups = found
    ids = {g.id for g in groups}
    rows = [
        {
            "id": follow.id,
            "follower": follow.follower,
            "handle": handle_of(request, follow.follower),
            "link": profile_link(request, follow.follower),
            "chapter": follow.followed,
        }
        for follow in await pending_chapter_requests()
        if follow.followed.id in ids
    ]
    return await render(request, "follow_requests.html", {"rows": rows, "groups": groups})


async def follow_request_answer(request: Request) -> Response:
    """POST /follow-requests/{id}: `decision` accept (Accept sent) or reject (Reject sent);
    the member is notified. Only the chapter's coordinators and admins may answer."""
    form = await read_form(request)
    found = await _coordinator(request)
    if isinstance(found, Response):
        return found
    account, _groups = found
    raw = str(request.path_params["follow_id"])
    follow = (await find_pending_chapter_request(int(raw))
              if raw.isdigit() and len(raw) <= ID_MAX_DIGITS else None)
    decision = _text(form, "decision", 10)
    try:
        if follow is not None and decision == "accept":
            await admit(follow, account.actor)
        elif follow is not None and decision == "reject":
            await refuse(follow, account.actor)
    except NotAllowed:
        return await render(request, "error.html", {
            "title": N_("You cannot do this"), "status": 403,
            "message": N_("Only the chapter's coordinators can answer this request.")}, 403)
    except NotFound:  # answered meanwhile by another coordinator: the queue shows it gone
        log.info("follow request %s was answered already", raw)
    return RedirectResponse(_back(form, "/follow-requests"), status_code=303)
