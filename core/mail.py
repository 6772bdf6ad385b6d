"""Outgoing email: every message is stored, then sent by the `mail.send` job through SMTP
(aiosmtplib), or only logged when no SMTP server is configured."""

from __future__ import annotations

import logging
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

import aiosmtplib

from core import clock
from core.errors import PermanentFailure
from core.jobs import Handler, enqueue
from core.models import MailMessage
from core.settings import EmailSettings

log = logging.getLogger(__name__)

MAIL_JOB = "mail.send"
SUBJECT_MAX = 300
BODY_MAX = 100_000
SMTP_TIMEOUT = 60.0
# A mail server that is down or answers 4xx is tried again: from one minute, doubling, up to
# six hours apart, 14 tries over about two days (as a mail server itself would keep it).
MAIL_OPTIONS: dict[str, Any] = {
    "max_attempts": 14,
    "base_delay": 60.0,
    "max_delay": 6 * 3600.0,
    "timeout": 2 * SMTP_TIMEOUT + 30.0,
}


def _one_line(text: str, limit: int) -> str:
    """A header value: no line breaks (they would let a value add headers), capped."""
    return " ".join(text.split())[:limit]


async def send_mail(settings: EmailSettings, to: str, subject: str, body: str) -> MailMessage:
    """Store a message and, when SMTP is configured, enqueue its sending in the caller's
    transaction (so a rolled-back action sends nothing). Without SMTP it is logged and stays
    listed for the admins (/admin/mail)."""
    message = await MailMessage.create(
        to_address=_one_line(to, 254),
        subject=_one_line(subject, SUBJECT_MAX),
        body=body[:BODY_MAX],
    )
    if settings.enabled:
        await enqueue(MAIL_JOB, {"message_id": message.id})
    else:
        log.info("mail not sent (no SMTP server configured): to %s, subject %r",
                 message.to_address, message.subject)
    return message


def build_email(settings: EmailSettings, message: MailMessage) -> EmailMessage:
    """The RFC 5322 message for a stored one, plain text in UTF-8."""
    email = EmailMessage()
    email["From"] = settings.from_address
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Date"] = format_datetime(message.created_at or clock.now())
    domain = settings.from_address.rpartition("@")[2] or None
    email["Message-ID"] = make_msgid(idstring=str(message.id), domain=domain)
    email.set_content(message.body)
    return email


def _is_permanent(exc: aiosmtplib.SMTPException) -> bool:
    """A 5xx answer (or every recipient refused with one) cannot succeed by retrying; nor can
    a server lacking what the configuration demands (STARTTLS, AUTH)."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        return all(500 <= r.code < 600 for r in exc.recipients)
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return 500 <= exc.code < 600
    return isinstance(exc, aiosmtplib.SMTPNotSupported)


def _describe(exc: aiosmtplib.SMTPException) -> str:
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        return "; ".join(f"{r.code} {r.message}" for r in exc.recipients)
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return f"{exc.code} {exc.message}"
    return str(exc) or type(exc).__name__


async def deliver_mail(settings: EmailSettings, message_id: int) -> None:
    """Send one stored message; sets `sent_at`. A temporary failure (4xx, connection refused,
    time-out) raises so the job queue retries with its back-off; a 5xx stores the error and
    raises PermanentFailure (no retry). A message already sent is not sent again."""
    message = await MailMessage.get_or_none(id=message_id)
    if message is None or message.sent_at is not None:
        return
    security = settings.security
    try:
        await aiosmtplib.send(
            build_email(settings, message),
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username or None,
            password=settings.smtp_password if settings.smtp_username else None,
            use_tls=security == "tls",
            start_tls=True if security == "starttls" else False,
            timeout=SMTP_TIMEOUT,
        )
    except aiosmtplib.SMTPException as exc:
        reason = _describe(exc)[:2000]
        # The error is kept on the message either way: the admins' page shows the last one.
        await MailMessage.filter(id=message.id).update(error=reason)
        if _is_permanent(exc):
            log.warning("mail %s to %s refused: %s", message.id, message.to_address, reason)
            raise PermanentFailure(f"SMTP refused mail {message.id}: {reason}") from exc
        raise
    except OSError as exc:
        await MailMessage.filter(id=message.id).update(error=str(exc)[:2000] or "network error")
        raise
    await MailMessage.filter(id=message.id).update(sent_at=clock.now(), error="")
    log.info("mail %s sent to %s", message.id, message.to_address)


def make_mail_handler(settings: EmailSettings) -> Handler:
    """The `mail.send` job handler for these settings (registered in chapterhouse.wiring)."""

    async def run(payload: dict[str, Any]) -> None:
        await deliver_mail(settings, int(payload["message_id"]))

    return run
