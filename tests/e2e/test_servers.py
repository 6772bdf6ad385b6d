"""Several real servers side by side: each its own organization, reachable over loopback."""

from __future__ import annotations

import signal
from collections.abc import Awaitable, Callable

import httpx
import pytest

from tests.support.forms import post_form
from tests.support.servers import RunningServer

pytestmark = pytest.mark.slow


async def test_servers_run_side_by_side_with_their_own_members(
    start_servers: Callable[..., Awaitable[list[RunningServer]]],
) -> None:
    a, b, c = await start_servers(3)
    for server in (a, b, c):
        async with httpx.AsyncClient(base_url=server.base_url) as web:
            home = await web.get("/")
            assert home.status_code == 200 and f"<h1>{server.name}</h1>" in home.text
    async with httpx.AsyncClient(base_url=a.base_url) as browser:
        joined = await post_form(
            browser,
            "/join",
            {
                "username": "ana",
                "email": "ana@example.org",
                "password": "a long enough password",
                "commitments": "accept",
            },
        )
        assert joined.status_code == 303
        assert "1</strong> members" in (await browser.get("/")).text
    async with httpx.AsyncClient(base_url=b.base_url) as other:
        assert "0</strong> members" in (await other.get("/")).text


async def test_the_command_line_manages_a_running_server(
    start_servers: Callable[..., Awaitable[list[RunningServer]]],
) -> None:
    [server] = await start_servers(1)
    made = server.cli("create-chapter", "--name", "Leeds", "--slug", "leeds")
    assert made.returncode == 0, made.stderr
    admin = server.cli(
        "create-admin",
        "root_admin",
        "--email",
        "r@example.org",
        "--password-stdin",
        stdin="a long enough password\n",
    )
    assert admin.returncode == 0, admin.stderr
    async with httpx.AsyncClient(base_url=server.base_url) as browser:
        assert "Leeds" in (await browser.get("/")).text
        login = await post_form(
            browser, "/login", {"identifier": "root_admin", "password": "a long enough password"}
        )
        assert login.status_code == 303


async def test_ctrl_c_stops_a_server_cleanly(
    start_servers: Callable[..., Awaitable[list[RunningServer]]],
) -> None:
    [server] = await start_servers(1)
    assert server.stop(signal.SIGINT) == 0
    log = server.output()
    assert "Application shutdown complete" in log
    assert "Traceback" not in log
