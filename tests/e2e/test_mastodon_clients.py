"""Real Mastodon clients log in to a live server process: Mastodon.py (password grant, and
the authorization-code flow through our consent page) and the toot CLI."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import html
import os
import re
import secrets
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import pytest
from mastodon import Mastodon

from tests.support.forms import post_form
from tests.support.servers import RunningServer

pytestmark = pytest.mark.slow

PASSWORD = "a long enough password"
OOB = "urn:ietf:wg:oauth:2.0:oob"
TOOT = Path(sys.executable).with_name("toot")


async def join(browser: httpx.AsyncClient, username: str) -> None:
    """Join through the web form; `browser` keeps the member's session."""
    joined = await post_form(browser, "/join", {
        "username": username, "email": f"{username}@example.org", "password": PASSWORD,
        "commitments": "accept"})
    assert joined.status_code == 303, joined.text


def hidden_fields(text: str) -> dict[str, str]:
    return {k: html.unescape(v) for k, v in re.findall(
        r'<input type="hidden" name="([^"]+)" value="([^"]*)"', text)}


async def test_mastodon_py_logs_in_with_a_password(
    start_servers: Callable[..., Awaitable[list[RunningServer]]],
) -> None:
    [server] = await start_servers(1)
    async with httpx.AsyncClient(base_url=server.base_url) as browser:
        await join(browser, "ana")

    def client_side() -> dict[str, object]:
        client_id, secret = Mastodon.create_app("Chapterhouse test", api_base_url=server.base_url)
        api = Mastodon(client_id=client_id, client_secret=secret, api_base_url=server.base_url)
        api.log_in("ana@example.org", PASSWORD, allow_http=True)
        return dict(api.account_verify_credentials())

    me = await asyncio.to_thread(client_side)
    assert me["username"] == "ana" and me["acct"] == "ana"
    assert str(me["url"]).endswith("/users/ana")


async def test_mastodon_py_code_flow_through_the_consent_page(
    start_servers: Callable[..., Awaitable[list[RunningServer]]],
) -> None:
    [server] = await start_servers(1)
    client_id, secret = await asyncio.to_thread(
        Mastodon.create_app, "Code flow app", api_base_url=server.base_url, redirect_uris=OOB)
    api = Mastodon(client_id=client_id, client_secret=secret, api_base_url=server.base_url)
    url = await asyncio.to_thread(api.auth_request_url, allow_http=True)
    # Mastodon.py 2.3.3 has no PKCE switch: add the challenge as a PKCE-aware app would.
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    pkce_url = f"{url}&code_challenge={challenge.decode().rstrip('=')}&code_challenge_method=S256"
    async with httpx.AsyncClient(base_url=server.base_url) as browser:
        await join(browser, "ana")
        codes = []
        for address in (url, pkce_url):
            page = await browser.get(address)
            assert page.status_code == 200 and "Code flow app" in page.text, page.text
            shown = await browser.post("/oauth/authorize", data={
                **hidden_fields(page.text), "decision": "authorize"})
            match = re.search(r'id="oauth-code">([^<]+)<', shown.text)
            assert shown.status_code == 200 and match, shown.text
            codes.append(match.group(1))
        # The PKCE code: exchanged by hand (without the verifier it would fail).
        token = await browser.post("/oauth/token", data={
            "grant_type": "authorization_code", "code": codes[1], "redirect_uri": OOB,
            "client_id": client_id, "client_secret": secret, "code_verifier": verifier})
        assert token.status_code == 200, token.text
    await asyncio.to_thread(api.log_in, code=codes[0], allow_http=True)
    me = await asyncio.to_thread(api.account_verify_credentials)
    assert me["username"] == "ana"
    pkce_api = Mastodon(access_token=token.json()["access_token"], api_base_url=server.base_url)
    assert (await asyncio.to_thread(pkce_api.account_verify_credentials))["username"] == "ana"


async def test_toot_logs_in_and_knows_who_it_is(
    start_servers: Callable[..., Awaitable[list[RunningServer]]], tmp_path: Path,
) -> None:
    [server] = await start_servers(1)
    async with httpx.AsyncClient(base_url=server.base_url) as browser:
        await join(browser, "ana")
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config"), "NO_COLOR": "1"}

    def toot(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(TOOT), *args], capture_output=True, text=True, env=env,
                              timeout=60, stdin=subprocess.DEVNULL)

    login = await asyncio.to_thread(toot, "login_cli", "-i", server.base_url,
                                    "-e", "ana@example.org", "-p", PASSWORD)
    assert login.returncode == 0, login.stdout + login.stderr
    whoami = await asyncio.to_thread(toot, "whoami")
    assert whoami.returncode == 0, whoami.stdout + whoami.stderr
    assert "@ana" in whoami.stdout, whoami.stdout
    posted = await asyncio.to_thread(toot, "post", "Hello from toot", "-v", "unlisted")
    assert posted.returncode == 0, posted.stdout + posted.stderr
    timeline = await asyncio.to_thread(toot, "timeline", "--once")
    assert timeline.returncode == 0, timeline.stdout + timeline.stderr
    assert "Hello from toot" in timeline.stdout, timeline.stdout


async def test_mastodon_py_posts_replies_and_reads_home(
    start_servers: Callable[..., Awaitable[list[RunningServer]]],
) -> None:
    [server] = await start_servers(1)
    async with httpx.AsyncClient(base_url=server.base_url) as browser:
        await join(browser, "ana")

    def client_side() -> tuple[dict[str, object], dict[str, object], list[dict[str, object]]]:
        client_id, secret = Mastodon.create_app("Chapterhouse test", api_base_url=server.base_url)
        api = Mastodon(client_id=client_id, client_secret=secret, api_base_url=server.base_url)
        api.log_in("ana@example.org", PASSWORD, allow_http=True)
        first = api.status_post("First words", spoiler_text="cw")
        reply = api.status_reply(first, "And a reply")
        return dict(first), dict(reply), [dict(s) for s in api.timeline_home()]

    first, reply, home = await asyncio.to_thread(client_side)
    assert first["spoiler_text"] == "cw" and reply["in_reply_to_id"] == first["id"]
    assert [s["id"] for s in home] == [reply["id"], first["id"]]
    assert "And a reply" in str(home[0]["content"])
