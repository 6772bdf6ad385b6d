"""Streaming against live server processes: Mastodon.py's stream_user (SSE, found through
instance v1 `urls.streaming_api`), and on PostgreSQL a post made through one process
reaching a stream opened on another process of the same database (LISTEN/NOTIFY)."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from mastodon import Mastodon, StreamListener

from tests.e2e.test_mastodon_clients import PASSWORD, join
from tests.support.config import write_config
from tests.support.databases import engine
from tests.support.servers import RunningServer, free_port

pytestmark = pytest.mark.slow
WAIT = 20.0


class Collect(StreamListener):  # type: ignore[misc]
    def __init__(self) -> None:
        self.updates: list[Any] = []
        self.arrived = threading.Event()

    def on_update(self, status: Any) -> None:
        self.updates.append(status)
        self.arrived.set()


async def _password_token(base: str, username: str) -> str:
    async with httpx.AsyncClient(base_url=base, timeout=WAIT) as http:
        app = (await http.post("/api/v1/apps", json={
            "client_name": "stream", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
            "scopes": "read write"})).json()
        answer = await http.post("/oauth/token", data={
            "grant_type": "password", "client_id": app["client_id"],
            "client_secret": app["client_secret"], "username": username,
            "password": PASSWORD, "scope": "read write"})
        assert answer.status_code == 200, answer.text
        return str(answer.json()["access_token"])


async def test_mastodon_py_stream_user_receives_an_update(
    start_servers: Callable[..., Awaitable[list[RunningServer]]],
) -> None:
    [server] = await start_servers(1)
    async with httpx.AsyncClient(base_url=server.base_url) as browser:
        await join(browser, "ana")
    raw = await _password_token(server.base_url, "ana")
    api = Mastodon(access_token=raw, api_base_url=server.base_url)
    listener = Collect()
    handle = await asyncio.to_thread(api.stream_user, listener, run_async=True, timeout=WAIT)
    try:
        async def receiving() -> None:  # the handle connects in its own thread
            while not handle.is_receiving():
                await asyncio.sleep(0.05)  # Mastodon.py offers no event to await
        await asyncio.wait_for(receiving(), WAIT)
        await asyncio.to_thread(api.status_post, "Streamed to Mastodon.py")
        assert await asyncio.to_thread(listener.arrived.wait, WAIT)
        assert "Streamed to Mastodon.py" in listener.updates[0]["content"]
        assert listener.updates[0]["account"]["acct"] == "ana"
    finally:
        handle.close()


@pytest.mark.skipif(engine() != "postgres", reason="several processes share PostgreSQL only")
async def test_a_post_on_one_process_reaches_a_stream_on_another(
    start_servers: Callable[..., Awaitable[list[RunningServer]]], tmp_path: Path,
) -> None:
    [first] = await start_servers(1)
    port = free_port()
    folder = tmp_path / "second"
    config = write_config(folder, port=port, database_url=first.database_url)
    second = RunningServer("second process", f"http://127.0.0.1:{port}", config, folder,
                           first.database_url)
    await second.start()
    try:
        async with httpx.AsyncClient(base_url=first.base_url) as browser:
            await join(browser, "ana")
        raw = await _password_token(first.base_url, "ana")
        headers = {"authorization": f"Bearer {raw}"}
        async with httpx.AsyncClient(base_url=second.base_url, timeout=WAIT) as http, \
                http.stream("GET", "/api/v1/streaming/user", headers=headers) as stream:
            assert stream.status_code == 200
            lines = stream.aiter_lines()
            async with asyncio.timeout(WAIT):
                assert await anext(lines) == ":)"
                posted = await httpx.AsyncClient(base_url=first.base_url).post(
                    "/api/v1/statuses", headers=headers, data={"status": "Across processes"})
                assert posted.status_code == 200, posted.text
                event = None
                async for line in lines:
                    if line.startswith("event: "):
                        event = line[7:]
                    elif line.startswith("data: ") and event == "update":
                        status = json.loads(line[6:])
                        assert status["id"] == posted.json()["id"]
                        break
    finally:
        second.stop()
