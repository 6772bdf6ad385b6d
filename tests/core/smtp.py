"""A real SMTP server (aiosmtpd) on 127.0.0.1 at a random port, in the test's event loop,
recording what it receives; tests set `answer` to make it refuse or defer."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from email.policy import default as default_policy

from aiosmtpd.smtp import SMTP, Envelope, Session

from core.settings import EmailSettings


@dataclass
class Inbox:
    """What the server received; `answer` is its reply to DATA."""

    answer: str = "250 OK"
    messages: list[tuple[Envelope, Message]] = field(default_factory=list)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.answer.startswith("250"):
            parsed = message_from_bytes(envelope.original_content or b"", policy=default_policy)
            self.messages.append((envelope, parsed))
        return self.answer


@dataclass
class SmtpServer:
    inbox: Inbox
    port: int

    def settings(self) -> EmailSettings:
        return email_settings(self.port)


def email_settings(port: int, host: str = "127.0.0.1") -> EmailSettings:
    """Plain SMTP (no TLS, no login) on the loopback, as a test server speaks it."""
    return EmailSettings(smtp_host=host, smtp_port=port, smtp_username="", smtp_password="",
                         security="none", from_address="noreply@chapter.test")


@contextlib.asynccontextmanager
async def running_smtp_server() -> AsyncIterator[SmtpServer]:
    inbox = Inbox()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(inbox, hostname="mail.test"), "127.0.0.1", 0)
    try:
        yield SmtpServer(inbox, server.sockets[0].getsockname()[1])
    finally:
        server.close()
        await server.wait_closed()
