"""The admins' pages through the real app: the applications queue (accept, reject with a
note, bulk reject), what applicants then read when logging in, the welcome email through a
real SMTP server, recruitment counts, the mail list; 403 for members, CSRF on every post."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest

from actors.accounts import Registration, register_member
from actors.chapters import create_chapter
from actors.invitations import create_invitation
from actors.models import Account
from actors.urls import LocalUrls
from chapterhouse.wiring import job_registry
from content.models import Notification
from core.jobs import drain
from core.settings import Settings
from tests.core.smtp import SmtpServer, running_smtp_server
from tests.support.forms import post_form

AppFor = Callable[[Settings], Awaitable[httpx.AsyncClient]]
PASSWORD = "a long enough password"


@pytest.fixture
def approval(make_settings: Callable[..., Settings]) -> Settings:
    return make_settings(mode="approval")


@pytest.fixture
async def smtp_server() -> AsyncIterator[SmtpServer]:
    async with running_smtp_server() as server:
        yield server


def registration(name: str, reason: str = "") -> Registration:
    return Registration(username=name, email=f"{name}@example.org", password=PASSWORD,
                        accepted_commitments=True, reason=reason or f"{name} wants to organise")


async def logged_in(app_for: AppFor, settings: Settings, name: str, role: str = "member"
                    ) -> httpx.AsyncClient:
    account = await register_member(registration(name), settings.registration, role=role)
    await Account.filter(id=account.id).update(approved=True)  # a member of long standing
    client = await app_for(settings)
    answer = await post_form(client, "/login", {"identifier": name, "password": PASSWORD})
    assert answer.status_code == 303, answer.text
    return client


async def apply(app_for: AppFor, settings: Settings, name: str) -> httpx.AsyncClient:
    """A visitor sends an application through the join form; returns their browser."""
    visitor = await app_for(settings)
    answer = await post_form(visitor, "/join", {
        "username": name, "email": f"{name}@example.org", "password": PASSWORD,
        "commitments": "accept", "reason": f"I am {name} & I <organise>"})
    assert answer.status_code == 201, answer.text
    return visitor


async def log_in(client: httpx.AsyncClient, name: str) -> httpx.Response:
    return await post_form(client, "/login", {"identifier": name, "password": PASSWORD})


async def pending_id(name: str) -> int:
    return int((await Account.get(actor__username=name)).id)


async def test_only_admins_see_the_admin_pages(
    app_for: AppFor, approval: Settings
) -> None:
    visitor = await app_for(approval)
    member = await logged_in(app_for, approval, "mia")
    admin = await logged_in(app_for, approval, "rosa", role="admin")
    for path in ("/admin/applications", "/admin/recruitment", "/admin/mail"):
        anonymous = await visitor.get(path)
        assert anonymous.status_code == 303 and anonymous.headers["location"] == "/login"
        refused = await member.get(path)
        assert refused.status_code == 403 and "Only administrators" in refused.text
        assert (await admin.get(path)).status_code == 200


async def test_the_queue_lists_applications_oldest_first_and_accepting_lets_them_in(
    app_for: AppFor, approval: Settings
) -> None:
    admin = await logged_in(app_for, approval, "rosa", role="admin")
    ana = await apply(app_for, approval, "ana")
    await apply(app_for, approval, "bea")
    page = await admin.get("/admin/applications")
    text = page.text
    assert text.index("@ana") < text.index("@bea")
    assert "ana@example.org" in text and "I am ana &amp; I &lt;organise&gt;" in text
    assert "Applied" in text

    waiting = await log_in(ana, "ana")
    assert waiting.status_code == 401 and "waiting for an administrator" in waiting.text

    accepted = await post_form(admin, f"/admin/applications/{await pending_id('ana')}",
                               {"decision": "accept"}, page="/admin/applications")
    assert accepted.status_code == 303
    after = await admin.get(accepted.headers["location"])
    assert "was accepted" in after.text and "@ana" not in after.text and "@bea" in after.text
    assert (await log_in(ana, "ana")).status_code == 303
    home = await ana.get("/")
    assert "@ana" in home.text
    [note] = await Notification.filter(recipient__username="ana")
    assert note.kind == "application_accepted"


async def test_a_rejected_applicant_reads_the_note_when_logging_in(
    app_for: AppFor, approval: Settings
) -> None:
    admin = await logged_in(app_for, approval, "rosa", role="admin")
    ana = await apply(app_for, approval, "ana")
    answer = await post_form(admin, f"/admin/applications/{await pending_id('ana')}",
                             {"decision": "reject", "note": "We organise in Leeds only <sorry>."},
                             page="/admin/applications")
    assert answer.status_code == 303
    refused = await log_in(ana, "ana")
    assert refused.status_code == 401
    assert "was not accepted" in refused.text
    assert "We organise in Leeds only &lt;sorry&gt;." in refused.text
    # The username stays taken.
    again = await post_form(await app_for(approval), "/join", {
        "username": "ana", "email": "ana2@example.org", "password": PASSWORD,
        "commitments": "accept", "reason": "again"})
    assert again.status_code == 422 and "This username is taken." in again.text


async def test_bulk_rejection_of_ticked_applications(
    app_for: AppFor, approval: Settings
) -> None:
    admin = await logged_in(app_for, approval, "rosa", role="admin")
    for name in ("spam1", "spam2", "ana"):
        await apply(app_for, approval, name)
    page = await admin.get("/admin/applications")
    assert 'form="bulk"' in page.text
    ids = [str(await pending_id(n)) for n in ("spam1", "spam2")]
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    answer = await admin.post("/admin/applications/reject",
                              data={"csrf_token": token, "account": ids, "note": "Spam."})
    assert answer.status_code == 303
    after = await admin.get(answer.headers["location"])
    assert "2 applications rejected." in after.text
    assert "@spam1" not in after.text and "@ana" in after.text
    rejected = await Account.filter(rejected_at__isnull=False).values_list("review_note", flat=True)
    assert sorted(rejected) == ["Spam.", "Spam."]


async def test_posts_without_the_token_or_by_members_change_nothing(
    app_for: AppFor, approval: Settings
) -> None:
    admin = await logged_in(app_for, approval, "rosa", role="admin")
    member = await logged_in(app_for, approval, "mia")
    await apply(app_for, approval, "ana")
    target = f"/admin/applications/{await pending_id('ana')}"
    forged = await admin.post(target, data={"decision": "accept"})
    assert forged.status_code == 403
    cross_site = await post_form(admin, target, {"decision": "accept"},
                                 page="/admin/applications",
                                 headers={"origin": "https://evil.example"})
    assert cross_site.status_code == 403
    by_member = await post_form(member, target, {"decision": "accept"}, page="/invitations")
    assert by_member.status_code == 403
    bulk = await post_form(member, "/admin/applications/reject",
                           {"account": str(await pending_id("ana"))}, page="/invitations")
    assert bulk.status_code == 403
    ana = await Account.get(actor__username="ana")
    assert not ana.approved and ana.rejected_at is None


async def test_the_applicant_gets_a_welcome_email_when_smtp_is_configured(
    app_for: AppFor, approval: Settings, smtp_server: SmtpServer
) -> None:
    settings = dataclasses.replace(approval, email=smtp_server.settings())
    admin = await logged_in(app_for, settings, "rosa", role="admin")
    await apply(app_for, settings, "ana")
    await post_form(admin, f"/admin/applications/{await pending_id('ana')}",
                    {"decision": "accept"}, page="/admin/applications")
    mail = await admin.get("/admin/mail")
    assert "Welcome to" in mail.text and "Queued" in mail.text
    await drain(job_registry(settings))
    # Ana also got the link confirming her address when she applied; the welcome is apart.
    assert all(e.rcpt_tos == ["ana@example.org"] for e, _ in smtp_server.inbox.messages)
    [message] = [m for _, m in smtp_server.inbox.messages
                 if m["Subject"] == f"Welcome to {settings.instance.name}"]
    assert f"{settings.server.base_url}/login" in message.get_content()
    assert "Sent" in (await admin.get("/admin/mail")).text


async def test_without_smtp_the_mail_page_lists_what_was_only_logged(
    app_for: AppFor, approval: Settings
) -> None:
    admin = await logged_in(app_for, approval, "rosa", role="admin")
    await apply(app_for, approval, "ana")
    await post_form(admin, f"/admin/applications/{await pending_id('ana')}",
                    {"decision": "reject", "note": "Not now."}, page="/admin/applications")
    page = await admin.get("/admin/mail")
    assert "No SMTP server is configured" in page.text
    assert "ana@example.org" in page.text and "Logged only" in page.text
    assert "Not now." in page.text


async def test_recruitment_by_member_and_by_chapter(
    app_for: AppFor, settings: Settings
) -> None:
    admin = await logged_in(app_for, settings, "rosa", role="admin")
    leeds = await create_chapter("Leeds Branch", "leeds")
    urls = LocalUrls(settings.server.base_url)
    rosa = await Account.get(actor__username="rosa")
    mia = await register_member(registration("mia"), settings.registration)
    to_leeds = await create_invitation(rosa, chapter_id=leeds.actor_id)  # type: ignore[attr-defined]
    plain = await create_invitation(mia)
    for name, invitation in (("n1", to_leeds), ("n2", to_leeds), ("n3", plain)):
        await register_member(registration(name), settings.registration,
                              invitation_code=invitation.code, urls=urls)
    page = (await admin.get("/admin/recruitment")).text
    by_member = page[page.index("By member"):page.index("By chapter")]
    assert re.search(r"@rosa</span></td><td class=\"num\">2<", by_member)
    assert re.search(r"@mia</span></td><td class=\"num\">1<", by_member)
    assert by_member.index("@rosa") < by_member.index("@mia")
    by_chapter = page[page.index("By chapter"):]
    assert re.search(r"Leeds Branch</a></td><td class=\"num\">2<", by_chapter)
