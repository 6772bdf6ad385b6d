"""A real SMTP server on 127.0.0.1 for tests of mail flows (aiosmtpd in a thread), and the
settings that send to it."""

from __future__ import annotations

import re
import socket
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from core.settings import Settings, load_settings
from tests.support.config import write_config

LINK = re.compile(r"https?://\S+")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Inbox:
    """What the SMTP server received: parsed messages, in order."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def last_to(self, address: str) -> EmailMessage:
        found = self.to(address)
        assert found, f"no mail to {address}; got {[m['To'] for m in self.messages]}"
        return found[-1]


def body_of(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def link_in(message: EmailMessage) -> str:
    """The one link of a message."""
    links = LINK.findall(body_of(message))
    assert len(links) == 1, links
    return str(links[0])


class SmtpServer:
    """aiosmtpd's controller on a free loopback port."""

    def __init__(self) -> None:
        self.inbox = Inbox()
        self.port = free_port()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()


def settings_with_smtp(folder: Path, database_url: str, smtp_port: int, *,
                       port: int = 8765, **options: Any) -> Settings:
    """The test configuration with `[email]` pointing at the loopback SMTP server."""
    path = write_config(folder, port=port, database_url=database_url, **options)
    text = path.read_text(encoding="utf-8")
    for old, new in (('smtp_host = ""', 'smtp_host = "127.0.0.1"'),
                     ("smtp_port = 587", f"smtp_port = {smtp_port}"),
                     ('security = "starttls"', 'security = "none"'),
                     ('from_address = ""', 'from_address = "office@example.org"')):
        assert old in text, old
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return load_settings(path)
