"""Bearer tokens on the API: missing, unknown, revoked, wrong scope, a member no longer
allowed in; Mastodon's scope hierarchy as an app sees it on verify_credentials."""

from __future__ import annotations

import httpx
import pytest

from actors.models import Account
from core.settings import Settings
from tests.support.members import PASSWORD, new_member
from web.api.auth import covers

ME = "/api/v1/accounts/verify_credentials"


async def token_for(client: httpx.AsyncClient, settings: Settings, scope: str,
                    username: str = "alice") -> str:
    app = (await client.post("/api/v1/apps", json={
        "client_name": "t", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
        "scopes": "read write follow push profile admin:read"})).json()
    if not await Account.exists(email=f"{username}@example.org"):
        await new_member(settings, username)
    answer = await client.post("/oauth/token", data={
        "grant_type": "password", "client_id": app["client_id"],
        "client_secret": app["client_secret"], "username": username, "password": PASSWORD,
        "scope": scope})
    assert answer.status_code == 200, answer.text
    return answer.json()["access_token"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer nope", "Basic abc", "bearer " + "x" * 300])
async def test_missing_or_unknown_token_is_401(client: httpx.AsyncClient,
                                               header: str | None) -> None:
    answer = await client.get(ME, headers={"authorization": header} if header else {})
    assert answer.status_code == 401
    assert answer.json() == {"error": "The access token is invalid"}


@pytest.mark.parametrize(("scope", "status"), [
    ("read", 200), ("read:accounts", 200), ("profile", 200), ("write", 403),
    ("follow", 403), ("read:statuses", 403), ("push", 403)])
async def test_verify_credentials_scopes(client: httpx.AsyncClient, settings: Settings,
                                         scope: str, status: int) -> None:
    access = await token_for(client, settings, scope)
    answer = await client.get(ME, headers={"authorization": f"Bearer {access}"})
    assert answer.status_code == status, answer.text
    if status == 403:
        assert answer.json() == {"error": "This action is outside the authorized scopes"}
    else:
        assert answer.json()["username"] == "alice"


async def test_token_of_a_rejected_or_suspended_member_stops_working(
        client: httpx.AsyncClient, settings: Settings) -> None:
    access = await token_for(client, settings, "read")
    bearer = {"authorization": f"Bearer {access}"}
    assert (await client.get(ME, headers=bearer)).status_code == 200
    account = await Account.get(email="alice@example.org")
    account.approved = False
    await account.save()
    assert (await client.get(ME, headers=bearer)).status_code == 401


async def test_credential_account_fields(client: httpx.AsyncClient, settings: Settings) -> None:
    access = await token_for(client, settings, "read")
    body = (await client.get(ME, headers={"authorization": f"Bearer {access}"})).json()
    strings = ("id", "username", "acct", "display_name", "created_at", "note", "url",
               "avatar", "avatar_static", "header", "header_static")
    for key in strings:
        assert isinstance(body[key], str), key
    for key in ("followers_count", "following_count", "statuses_count"):
        assert isinstance(body[key], int), key
    for key in ("locked", "bot", "group"):
        assert body[key] is False, key
    assert body["emojis"] == [] and body["fields"] == [] and body["last_status_at"] is None
    assert body["id"].isdigit() and body["acct"] == "alice"
    assert body["url"] == f"{settings.server.base_url.rstrip('/')}/users/alice"
    assert set(body["source"]) >= {"privacy", "sensitive", "language", "note", "fields"}
    avatar = await client.get(body["avatar"])
    assert avatar.status_code == 200


def test_scope_hierarchy() -> None:
    assert covers({"read"}, "read:notifications")
    assert covers({"write"}, "write:media")
    assert covers({"follow"}, "write:blocks") and covers({"follow"}, "read:mutes")
    assert not covers({"follow"}, "read:statuses")
    assert covers({"admin:read"}, "admin:read:accounts")
    assert not covers({"admin:read"}, "admin:write:accounts")
    assert not covers({"read"}, "admin:read:accounts")
    assert not covers({"read:accounts"}, "read")
    assert not covers({"profile"}, "read:accounts")
