"""Rate limits of the client API, with small limits so the test sends a handful of requests:
every answer carries X-RateLimit-*; past the limit of a token (or of an IP without a token)
or of an IP as a whole the answer is 429 with Retry-After; tokens count apart; the next
window starts afresh."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

import httpx
import pytest

from actors.models import Account
from core import clock
from core.settings import Settings
from tests.support.members import new_member
from web.api.auth import issue_token
from web.models import OAuthApp

ME = "/api/v1/accounts/verify_credentials"


@pytest.fixture
async def limited(app_for: Callable[[Settings], Awaitable[httpx.AsyncClient]],
                       make_settings: Callable[..., Settings]) -> httpx.AsyncClient:
    """A client of an app configured with 3 requests per token (or tokenless IP) and 5 per
    IP in 5 minutes ([api] in its configuration file)."""
    return await app_for(make_settings(api_limits=(3, 5)))


async def _token(username: str, settings: Settings) -> str:
    """A member's token, made without the API so no request is counted."""
    actor = await new_member(settings, username)
    app = await OAuthApp.get_or_none(client_id="limits") or await OAuthApp.create(
        client_id="limits", secret_hash="0" * 64, name="t", redirect_uris="urn:x",
        scopes="read")
    account = await Account.get(actor_id=actor.id)
    _, access, _ = await issue_token(app, account, ["read"], refresh=False)
    return access


def auth(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def _reset(answer: httpx.Response) -> datetime:
    return datetime.fromisoformat(answer.headers["x-ratelimit-reset"].replace("Z", "+00:00"))


async def test_a_token_over_its_limit(settings: Settings,
                                      limited: httpx.AsyncClient) -> None:
    alice, bob = await _token("alice", settings), await _token("bob", settings)
    seen = []
    for _ in range(3):
        answer = await limited.get(ME, headers=auth(alice))
        assert answer.status_code == 200
        seen.append(answer.headers["x-ratelimit-remaining"])
        assert answer.headers["x-ratelimit-limit"] == "3"
        assert _reset(answer) > clock.now()
    assert seen == ["2", "1", "0"]
    over = await limited.get(ME, headers=auth(alice))
    assert over.status_code == 429 and over.json() == {"error": "Too many requests"}
    assert 1 <= int(over.headers["retry-after"]) <= 300
    assert over.headers["x-ratelimit-remaining"] == "0"
    other = await limited.get(ME, headers=auth(bob))  # bob's token counts apart
    assert other.status_code == 200 and other.headers["x-ratelimit-remaining"] == "0"
    # the IP's own limit (5) is now spent as well: even a fresh token is refused
    assert (await limited.get(ME, headers=auth(await _token("carol", settings)))).status_code == 429


async def test_errors_count_and_carry_the_headers(limited: httpx.AsyncClient) -> None:
    answers = [await limited.get(ME) for _ in range(4)]  # no token: counted by IP
    assert [a.status_code for a in answers] == [401, 401, 401, 429]
    assert [a.headers["x-ratelimit-remaining"] for a in answers] == ["2", "1", "0", "0"]
    assert answers[3].headers["retry-after"]


async def test_the_next_window_starts_afresh(settings: Settings,
                                             limited: httpx.AsyncClient) -> None:
    alice = await _token("alice", settings)
    for _ in range(3):
        assert (await limited.get(ME, headers=auth(alice))).status_code == 200
    over = await limited.get(ME, headers=auth(alice))
    assert over.status_code == 429
    later = _reset(over) + timedelta(seconds=1)
    clock.set_clock(lambda: later)
    try:
        again = await limited.get(ME, headers=auth(alice))
    finally:
        clock.set_clock(None)
    assert again.status_code == 200 and again.headers["x-ratelimit-remaining"] == "2"
    assert _reset(again) > _reset(over)


async def test_default_limits_are_mastodons(client: httpx.AsyncClient,
                                            settings: Settings) -> None:
    answer = await client.get(ME, headers=auth(await _token("alice", settings)))
    assert answer.status_code == 200
    assert answer.headers["x-ratelimit-limit"] == "300"
    assert answer.headers["x-ratelimit-remaining"] == "299"
