"""Outgoing mail through a real SMTP server (aiosmtpd) on the loopback: delivered, refused
for good, or retried later when the server is away."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import timedelta

import pytest

from core import clock
from core.db import in_transaction
from core.jobs import JobRegistry, drain
from core.mail import MAIL_JOB, MAIL_OPTIONS, make_mail_handler, send_mail
from core.models import Job, MailMessage
from core.settings import EmailSettings
from tests.core.smtp import SmtpServer, email_settings, running_smtp_server


@pytest.fixture
async def smtp_server() -> AsyncIterator[SmtpServer]:
    async with running_smtp_server() as server:
        yield server


def mail_registry(settings: EmailSettings) -> JobRegistry:
    registry = JobRegistry()
    registry.register(MAIL_JOB, make_mail_handler(settings), **MAIL_OPTIONS)
    return registry


def free_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_a_message_arrives_with_its_headers_and_body(
    database: str, smtp_server: SmtpServer
) -> None:
    settings = email_settings(smtp_server.port)
    stored = await send_mail(settings, "ana@example.org", "Welcome to the\r\nBcc: x@evil.test union",
                             "Hello Ana,\nyou are in.\n")
    assert await drain(mail_registry(settings)) == 1
    [(envelope, message)] = smtp_server.inbox.messages
    assert envelope.rcpt_tos == ["ana@example.org"]
    assert envelope.mail_from == "noreply@chapter.test"
    assert message["To"] == "ana@example.org" and message["From"] == "noreply@chapter.test"
    # A line break in the subject cannot add a header.
    assert message["Subject"] == "Welcome to the Bcc: x@evil.test union"
    assert message["Bcc"] is None
    assert message.get_content().replace("\r\n", "\n") == "Hello Ana,\nyou are in.\n"
    await stored.refresh_from_db()
    assert stored.sent_at is not None and stored.error == ""
    assert await Job.all().count() == 0
    # A job run again (a retried lease) never sends twice.
    await mail_registry(settings).get(MAIL_JOB).fn({"message_id": stored.id})  # type: ignore[union-attr]
    assert len(smtp_server.inbox.messages) == 1


async def test_a_permanent_refusal_keeps_the_error_and_is_not_retried(
    database: str, smtp_server: SmtpServer
) -> None:
    smtp_server.inbox.answer = "550 5.7.1 Mailbox unavailable"
    settings = email_settings(smtp_server.port)
    stored = await send_mail(settings, "gone@example.org", "Hello", "Body")
    await drain(mail_registry(settings))
    await stored.refresh_from_db()
    assert stored.sent_at is None and "550" in stored.error and "Mailbox unavailable" in stored.error
    [job] = await Job.all()
    assert job.state == "dead" and job.attempts == 1 and "PermanentFailure" in (job.last_error or "")


@pytest.fixture
def later() -> Iterator[Callable[[float], None]]:
    """Move the project's clock forward (the job queue's schedule follows it)."""
    offset = [0.0]
    base = clock.now()

    def advance(seconds: float) -> None:
        offset[0] += seconds

    clock.set_clock(lambda: base + timedelta(seconds=offset[0]))
    yield advance
    clock.set_clock(None)


async def test_a_server_that_is_down_or_busy_means_a_retry_later(
    database: str, smtp_server: SmtpServer, later: Callable[[float], None]
) -> None:
    down = email_settings(free_port())
    stored = await send_mail(down, "ana@example.org", "Hello", "Body")
    assert await drain(mail_registry(down)) == 1
    [job] = await Job.all()
    assert job.state == "pending" and job.attempts == 1
    assert job.run_at > int(clock.now().timestamp() * 1000)  # rescheduled into the future
    await stored.refresh_from_db()
    assert stored.sent_at is None and stored.error
    assert await drain(mail_registry(down)) == 0  # not due yet

    # Later the server answers, first "busy" (4xx: tried again), then it takes the message.
    smtp_server.inbox.answer = "451 4.3.0 Try again later"
    up = email_settings(smtp_server.port)
    later(3600)
    await drain(mail_registry(up))
    [job] = await Job.all()
    assert job.state == "pending" and job.attempts == 2 and "451" in (job.last_error or "")
    smtp_server.inbox.answer = "250 OK"
    later(6 * 3600)
    await drain(mail_registry(up))
    assert await Job.all().count() == 0
    await stored.refresh_from_db()
    assert stored.sent_at is not None and stored.error == ""
    assert len(smtp_server.inbox.messages) == 1


async def test_without_smtp_the_message_is_only_logged_and_kept(
    database: str, caplog: pytest.LogCaptureFixture
) -> None:
    settings = email_settings(25, host="")
    caplog.set_level("INFO", logger="core.mail")
    stored = await send_mail(settings, "ana@example.org", "Your application", "Secret body text")
    assert await Job.all().count() == 0
    assert await MailMessage.filter(id=stored.id).exists()
    assert "ana@example.org" in caplog.text and "Your application" in caplog.text
    assert "Secret body text" not in caplog.text


async def test_mail_is_sent_only_when_the_callers_transaction_commits(
    database: str, smtp_server: SmtpServer
) -> None:
    settings = email_settings(smtp_server.port)

    class Abort(Exception):
        pass

    with pytest.raises(Abort):
        async with in_transaction():
            await send_mail(settings, "ana@example.org", "Hello", "Body")
            raise Abort
    assert await MailMessage.all().count() == 0 and await Job.all().count() == 0
