"""Shared helpers for the federation toolkit tests: fixtures on disk, keys, fake servers."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any

import httpx
import pytest

from federation import FederationClient, Signer, generate_rsa_key

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "federation"


def _load_json(relative: str) -> Any:
    return json.loads((FIXTURES / relative).read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def load_json() -> Callable[[str], Any]:
    """Load a JSON file from tests/fixtures/federation/ by relative path."""
    return _load_json


@pytest.fixture(scope="session")
def rsa_signer() -> Signer:
    return Signer("https://local.test/actor#main-key", generate_rsa_key())


MockHandler = (Callable[[httpx.Request], httpx.Response]
               | Callable[[httpx.Request], Coroutine[None, None, httpx.Response]])


@pytest.fixture
async def mock_client() -> AsyncIterator[Callable[..., FederationClient]]:
    """Factory: a FederationClient whose network is a handler (remote hosts named *.test)."""
    made: list[FederationClient] = []

    def make(handler: MockHandler, **options: Any) -> FederationClient:
        client = FederationClient(transport=httpx.MockTransport(handler), **options)
        made.append(client)
        return client

    yield make
    for client in made:
        await client.aclose()


Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@pytest.fixture
async def loopback_server() -> AsyncIterator[Callable[[Handler], Awaitable[int]]]:
    """Start raw TCP servers on 127.0.0.1; yields a starter that returns the port."""
    servers: list[asyncio.Server] = []

    async def start(handler: Handler) -> int:
        server = await asyncio.start_server(handler, "127.0.0.1", 0)
        servers.append(server)
        return int(server.sockets[0].getsockname()[1])

    yield start
    for server in servers:
        server.close()
        await server.wait_closed()


def _http_response(status: int, body: bytes, content_type: str = "application/activity+json",
                   extra: str = "") -> bytes:
    head = (f"HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n{extra}\r\n")
    return head.encode("ascii") + body


@pytest.fixture(scope="session")
def http_response() -> Callable[..., bytes]:
    """Build a raw HTTP/1.1 response: (status, body, content_type=..., extra=headers)."""
    return _http_response
