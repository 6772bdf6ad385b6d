"""The multi-server fixture: N real Chapterhouse processes on 127.0.0.1, each with its own
data folder, database and development configuration (plain http and loopback allowed)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from tests.support.servers import RunningServer, make_servers, stop_servers


@pytest.fixture
async def start_servers(
    tmp_path: Path,
) -> AsyncIterator[Callable[..., Awaitable[list[RunningServer]]]]:
    """`await start_servers(3)` → three healthy servers; all are stopped after the test."""
    started: list[RunningServer] = []

    async def start(count: int = 2, **options: object) -> list[RunningServer]:
        servers = await make_servers(tmp_path / f"set{len(started)}", count, **options)
        started.extend(servers)
        return servers

    yield start
    await stop_servers(started)
