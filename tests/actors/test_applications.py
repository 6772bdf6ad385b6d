"""The applications queue (registration mode `approval`): admins accept or reject, the
applicant hears of it by email (through a real SMTP server) and when logging in."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Callable

import pytest

from actors.accounts import (
    Registration,
    accept_application,
    authenticate,
    member_count,
    pending_applications,
    register_member,
    reject_application,
    reject_applications,
)
from actors.errors import LoginFailed, ValidationFailed
from actors.models import Account, Actor
from chapterhouse.wiring import job_registry
from core.jobs import drain
from core.models import Job, MailMessage
from core.settings import Settings
from tests.core.smtp import SmtpServer, running_smtp_server

PASSWORD = "a long enough password"


def reg(name: str, **overrides: object) -> Registration:
    values: dict[str, object] = {
        "username": name,
        "email": f"{name}@example.org",
        "password": PASSWORD,
        "accepted_commitments": True,
        "reason": f"{name} organises tenants",
    }
    values.update(overrides)
    return Registration(**values)  # type: ignore[arg-type]


@pytest.fixture
async def smtp_server() -> AsyncIterator[SmtpServer]:
    async with running_smtp_server() as server:
        yield server


@pytest.fixture
def approval(make_settings: Callable[..., Settings]) -> Settings:
    return make_settings(mode="approval")


async def admin_actor(settings: Settings) -> Actor:
    admin = await register_member(reg("boss"), settings.registration, role="admin")
    return await admin.actor


async def test_applications_wait_oldest_first_and_accepting_lets_the_member_in(
    database: str, approval: Settings
) -> None:
    admin = await admin_actor(approval)
    ana = await register_member(reg("ana"), approval.registration)
    await register_member(reg("bea"), approval.registration)
    queue = await pending_applications()
    assert [a.actor.username for a in queue] == ["ana", "bea"]
    assert queue[0].application_reason == "ana organises tenants"
    with pytest.raises(LoginFailed, match="waiting for an administrator"):
        await authenticate("ana", PASSWORD)

    accepted = await accept_application(approval, ana.id, admin)
    assert accepted is not None and accepted.approved
    assert accepted.reviewed_at is not None
    assert accepted.reviewed_by_id == admin.id  # type: ignore[attr-defined]
    assert await accept_application(approval, ana.id, admin) is None  # answered already
    assert (await authenticate("ana", PASSWORD)).id == ana.id
    assert [a.actor.username for a in await pending_applications()] == ["bea"]
    assert await member_count() == 2  # the admin and ana


async def test_a_rejected_applicant_reads_the_note_and_cannot_log_in(
    database: str, approval: Settings
) -> None:
    admin = await admin_actor(approval)
    ana = await register_member(reg("ana"), approval.registration)
    rejected = await reject_application(approval, ana.id, admin, "  We only take members in Leeds.  ")
    assert rejected is not None
    stored = await Account.get(id=ana.id)
    assert stored.rejected_at is not None and stored.reviewed_at is not None
    assert stored.review_note == "We only take members in Leeds."
    assert not stored.approved
    with pytest.raises(LoginFailed) as err:
        await authenticate("ana", PASSWORD)
    assert "not accepted" in str(err.value) and "We only take members in Leeds." in str(err.value)
    # A wrong password says nothing about the application.
    with pytest.raises(LoginFailed, match="Wrong username"):
        await authenticate("ana", "not the password")
    # Accepting afterwards does nothing; the name and address stay taken.
    assert await accept_application(approval, ana.id, admin) is None
    with pytest.raises(ValidationFailed) as taken:
        await register_member(reg("ANA"), approval.registration)
    assert set(taken.value.errors) == {"username", "email"}
    assert await pending_applications() == []


async def test_bulk_rejection_answers_only_pending_applications(
    database: str, approval: Settings
) -> None:
    admin = await admin_actor(approval)
    spam = [await register_member(reg(f"spam{n}"), approval.registration) for n in range(3)]
    await register_member(reg("ana"), approval.registration)
    accepted = await register_member(reg("bea"), approval.registration)
    await accept_application(approval, accepted.id, admin)
    rejected = await reject_applications(
        approval, [s.id for s in spam] + [accepted.id, spam[0].id], admin, ""
    )
    assert sorted(a.actor.username for a in rejected) == ["spam0", "spam1", "spam2"]
    assert [a.actor.username for a in await pending_applications()] == ["ana"]
    assert (await Account.get(id=accepted.id)).approved
    with pytest.raises(LoginFailed) as err:
        await authenticate("spam1", PASSWORD)
    assert str(err.value) == "Your application was not accepted."


async def test_the_applicant_is_told_by_email_when_smtp_is_configured(
    database: str, approval: Settings, smtp_server: SmtpServer
) -> None:
    settings = dataclasses.replace(approval, email=smtp_server.settings())
    admin = await admin_actor(settings)
    ana = await register_member(reg("ana"), settings.registration)
    bea = await register_member(reg("bea"), settings.registration)
    await accept_application(settings, ana.id, admin)
    await reject_application(settings, bea.id, admin, "Please apply to the York branch.")
    # The job handlers of a server with this configuration send them.
    assert await drain(job_registry(settings)) == 2
    mails = {env.rcpt_tos[0]: msg for env, msg in smtp_server.inbox.messages}
    welcome = mails["ana@example.org"]
    assert welcome["Subject"] == f"Welcome to {settings.instance.name}"
    assert f"{settings.server.base_url}/login" in welcome.get_content()
    refusal = mails["bea@example.org"]
    assert "not accepted" in refusal.get_content()
    assert "Please apply to the York branch." in refusal.get_content()
    assert await MailMessage.filter(sent_at__isnull=False).count() == 2


async def test_without_smtp_the_answers_are_kept_for_the_admins_and_nothing_is_queued(
    database: str, approval: Settings
) -> None:
    assert not approval.email.enabled
    admin = await admin_actor(approval)
    ana = await register_member(reg("ana"), approval.registration)
    await accept_application(approval, ana.id, admin)
    [mail] = await MailMessage.all()
    assert mail.to_address == "ana@example.org" and mail.sent_at is None
    assert await Job.filter(name="mail.send").count() == 0
