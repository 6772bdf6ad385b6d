"""The organization admins' pages for joining: the applications queue (/admin/applications),
recruitment by member and chapter (/admin/recruitment) and outgoing mail (/admin/mail)."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from actors.accounts import (
    REVIEW_NOTE_MAX,
    accept_application,
    pending_applications,
    reject_application,
    reject_applications,
)
from actors.invitations import recruitment_by_chapter, recruitment_by_member
from actors.models import Account
from content.notifications import notify
from core.mail import MAIL_JOB
from core.messages import N_
from core.models import Job, MailMessage
from web.sessions import current_account
from web.templating import render
from web.ui.auth import read_form

ID_MAX_DIGITS = 19
BULK_MAX = 500
MAIL_PAGE = 100


def _id(raw: object) -> int | None:
    if isinstance(raw, str) and raw.isdigit() and len(raw) <= ID_MAX_DIGITS:
        return int(raw)
    return None


def _note(form: Any) -> str:
    value = form.get("note")
    return value.strip()[:REVIEW_NOTE_MAX] if isinstance(value, str) else ""


async def _admin(request: Request) -> Account | Response:
    """The logged-in admin; else a redirect to log in, or 403 for other members."""
    account = await current_account(request)
    if account is None:
        return RedirectResponse("/login", status_code=303)
    if not account.is_admin:
        return await render(request, "error.html", {
            "title": N_("Only administrators can see this page"), "status": 403,
            "message": N_("This page belongs to the organization's administrators.")}, 403)
    return account


async def applications_page(request: Request) -> Response:
    """GET /admin/applications: pending applications, oldest first."""
    admin = await _admin(request)
    if isinstance(admin, Response):
        return admin
    settings = request.app.state.settings
    return await render(request, "admin_applications.html", {
        "applications": await pending_applications(),
        "mode": settings.registration.mode,
        "smtp": settings.email.enabled,
        "note_max": REVIEW_NOTE_MAX,
        "done": _done_message(request.query_params.get("done", "")),
    })


def _done_message(done: str) -> str:
    """The confirmation after a decision (from a fixed set, never the raw parameter)."""
    if done == "accepted":
        return N_("The application was accepted; the new member can log in.")
    if done == "rejected":
        return N_("The application was rejected.")
    count, _, what = done.partition("-")
    if what == "rejected" and count.isdigit() and len(count) < 5:
        n = int(count)
        return f"{n} application{'s' if n != 1 else ''} rejected."
    return ""


async def application_answer(request: Request) -> Response:
    """POST /admin/applications/{id}: `decision` accept or reject (with an optional note)."""
    form = await read_form(request)
    admin = await _admin(request)
    if isinstance(admin, Response):
        return admin
    settings = request.app.state.settings
    account_id = _id(str(request.path_params["account_id"]))
    decision = form.get("decision")
    done = ""
    if account_id is not None and decision == "accept":
        accepted = await accept_application(settings, account_id, admin.actor)
        if accepted is not None:
            await notify(accepted.actor, "application_accepted", actor=admin.actor,
                         text=N_("Welcome to %(name)s!", name=settings.instance.name))
            done = "accepted"
    elif account_id is not None and decision == "reject":
        if await reject_application(settings, account_id, admin.actor, _note(form)):
            done = "rejected"
    return RedirectResponse(f"/admin/applications?done={done}" if done else
                            "/admin/applications", status_code=303)


async def applications_bulk_reject(request: Request) -> Response:
    """POST /admin/applications/reject: reject every ticked application (a spam wave)."""
    form = await read_form(request)
    admin = await _admin(request)
    if isinstance(admin, Response):
        return admin
    ids = [i for i in (_id(v) for v in form.getlist("account")[:BULK_MAX]) if i is not None]
    rejected = await reject_applications(request.app.state.settings, ids, admin.actor,
                                         _note(form))
    return RedirectResponse(f"/admin/applications?done={len(rejected)}-rejected",
                            status_code=303)


async def recruitment_page(request: Request) -> Response:
    """GET /admin/recruitment: who recruited how many, and through which chapters."""
    admin = await _admin(request)
    if isinstance(admin, Response):
        return admin
    return await render(request, "admin_recruitment.html", {
        "by_member": await recruitment_by_member(),
        "by_chapter": await recruitment_by_chapter(),
    })


async def _mail_job_states() -> dict[int, str]:
    """The state of each message's sending job still in the queue (a sent one has none)."""
    states: dict[int, str] = {}
    rows = await Job.filter(name=MAIL_JOB).order_by("-id").limit(5000).values("payload", "state")
    for row in rows:
        payload = row["payload"]
        if isinstance(payload, (str, bytes)):
            payload = json.loads(payload)
        if isinstance(payload, dict) and isinstance(payload.get("message_id"), int):
            states.setdefault(payload["message_id"], str(row["state"]))
    return states


def _mail_state(message: MailMessage, job_state: str | None, smtp: bool) -> str:
    if message.sent_at is not None:
        return "sent"
    if job_state == "dead" or (message.error and job_state is None):
        return "failed"
    if job_state is not None:
        return "retrying" if message.error else "queued"
    return "logged only" if not smtp else "not sent"


async def mail_page(request: Request) -> Response:
    """GET /admin/mail: the latest messages the server sent or, without SMTP, only logged."""
    admin = await _admin(request)
    if isinstance(admin, Response):
        return admin
    smtp = request.app.state.settings.email.enabled
    jobs = await _mail_job_states()
    messages = await MailMessage.all().order_by("-id").limit(MAIL_PAGE)
    rows = [{"message": m, "state": _mail_state(m, jobs.get(m.id), smtp)} for m in messages]
    return await render(request, "admin_mail.html", {"rows": rows, "smtp": smtp})


def routes() -> list[Route]:
    return [
        Route("/admin/applications", applications_page, methods=["GET"],
              name="admin_applications"),
        Route("/admin/applications/reject", applications_bulk_reject, methods=["POST"]),
        Route("/admin/applications/{account_id}", application_answer, methods=["POST"]),
        Route("/admin/recruitment", recruitment_page, methods=["GET"], name="admin_recruitment"),
        Route("/admin/mail", mail_page, methods=["GET"], name="admin_mail"),
    ]
