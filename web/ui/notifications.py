"""The notifications page (/notifications): what concerns the logged-in member, newest first,
paged; the first page marks everything read (the navigation's count comes from
content.notifications.unread_count)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from actors.models import Actor
from content.ballot_models import Ballot
from content.notifications import PAGE, mark_all_read, notifications_for
from core.ids import parse_id
from core.messages import N_
from web.sessions import current_account
from web.templating import render
from web.ui.follows import handle_of, profile_link

LABELS = {
    "follow": N_("follows you"),
    "follow_request": N_("asks to follow you"),
    "mention": N_("mentioned you"),
    "reply": N_("replied to your post"),
    "ballot_vote_refused": N_("Your vote was not counted"),
    "poll": N_("A poll you took part in has ended"),
    "favourite": N_("liked your post"),
    "reblog": N_("boosted your post"),
    "application_accepted": N_("Your application was accepted"),
    "application_rejected": N_("Your application was declined"),
}


def _who(request: Request, actor: Any) -> dict[str, str]:
    """Name, handle and link of the actor who caused a notification."""
    who: Actor = actor
    return {"name": who.display_name or who.username, "handle": handle_of(request, who),
            "link": profile_link(request, who)}


async def notifications_page(request: Request) -> Response:
    """GET /notifications[?before=ID]: a page of notifications, the unread ones marked as
    new; viewing the first page marks all of them read (older pages show them as they are)."""
    account = await current_account(request)
    if account is None:
        return RedirectResponse("/login", status_code=303)
    before = parse_id(request.query_params.get("before", "")[:30])
    found = await notifications_for(account.actor, before=before, limit=PAGE + 1)
    shown = found[:PAGE]
    # A ballot's notifications link to the ballot's page rather than to its post.
    ballot_posts = [n.post.id for n in shown if n.kind.startswith("ballot_") and n.post]
    ballots = {b.post_id: b.id for b in await Ballot.filter(post_id__in=ballot_posts)}  # type: ignore[attr-defined]
    rows = [
        {
            "kind": n.kind,
            "label": LABELS.get(n.kind, n.kind.replace("_", " ")),
            "who": _who(request, n.actor) if n.actor else None,
            "post": n.post,
            "ballot": ballots.get(n.post.id) if n.post else None,
            "text": n.text,
            "unread": n.read_at is None,
            "created": n.created_at,
        }
        for n in shown
    ]
    if before is None and any(row["unread"] for row in rows):
        await mark_all_read(account.actor)
    older = shown[-1].id if len(found) > PAGE else None
    return await render(request, "notifications.html", {"rows": rows, "older": older})


def routes() -> list[Route]:
    return [Route("/notifications", notifications_page, methods=["GET"], name="notifications")]
