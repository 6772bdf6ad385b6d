"""The administrators' start page: where each admin task lives, with what waits in each."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from actors.models import Account
from content.models import Report
from core.messages import N_
from web.sessions import current_account
from web.templating import render


async def admin_index(request: Request) -> Response:
    account = await current_account(request)
    if account is None:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    if not account.is_admin:
        return await render(request, "error.html", {
            "title": N_("Only administrators can see this page"), "status": 403}, 403)
    waiting = await Account.filter(approved=False, rejected_at__isnull=True).count()
    reports = await Report.filter(resolved_at__isnull=True).count()
    return await render(request, "admin_index.html", {
        "applications": waiting, "reports": reports})


def routes() -> list[Route]:
    return [Route("/admin", admin_index, methods=["GET"], name="admin")]
