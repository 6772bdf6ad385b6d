"""Members for web tests: registered through the real service and logged in through the real
form, so the test client carries their session cookie."""

from __future__ import annotations

import httpx

from actors.accounts import Registration, register_member
from actors.models import Actor
from core.settings import Settings
from tests.support.forms import post_form

PASSWORD = "a long enough password"


async def new_member(settings: Settings, username: str, role: str = "member") -> Actor:
    """Register `username` (role member or admin) through the real service: their actor."""
    account = await register_member(
        Registration(username, f"{username}@example.org", PASSWORD, True),
        settings.registration, role=role)
    return await Actor.get(id=account.actor_id)  # type: ignore[attr-defined]


async def log_in(client: httpx.AsyncClient, settings: Settings, username: str,
                 role: str = "member") -> Actor:
    """Register `username` (role member or admin) and log `client` in as them."""
    actor = await new_member(settings, username, role)
    answer = await post_form(client, "/login", {"identifier": username, "password": PASSWORD})
    assert answer.status_code == 303, answer.text
    return actor
