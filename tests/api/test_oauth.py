"""OAuth 2 as Mastodon apps use it: registering an app, the authorize page (log-in, consent,
CSRF), the four grants with their failures, PKCE S256, code replay, revocation, metadata."""

from __future__ import annotations

import base64
import hashlib
import html
import re
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from actors.models import Account
from core import clock
from core.settings import Settings
from tests.support.members import PASSWORD, new_member
from web.models import OAuthApp, OAuthCode, OAuthToken

REDIRECT = "https://app.example/callback"
OOB = "urn:ietf:wg:oauth:2.0:oob"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


async def register_app(client: httpx.AsyncClient, scopes: str = "read write follow",
                       redirect: str = REDIRECT, name: str = "Test App") -> dict[str, str]:
    answer = await client.post("/api/v1/apps", data={
        "client_name": name, "redirect_uris": redirect, "scopes": scopes})
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).decode().rstrip("=")


def csrf(page: httpx.Response) -> str:
    match = _TOKEN.search(page.text)
    assert match, page.text
    return match.group(1)


async def consent(client: httpx.AsyncClient, settings: Settings, app: dict[str, str],
                  username: str = "alice", decision: str = "authorize",
                  **params: str) -> httpx.Response:
    """Open the authorize page logged out, log in on it, then answer the consent form."""
    query = {"response_type": "code", "client_id": app["client_id"],
             "redirect_uri": params.pop("redirect_uri", REDIRECT), "scope": "read write",
             **params}
    page = await client.get("/oauth/authorize", params=query)
    assert page.status_code == 200, page.text
    if 'name="password"' in page.text:  # not logged in yet: the log-in form comes first
        if not await Account.exists(email=f"{username}@example.org"):
            await new_member(settings, username)
        logged = await client.post("/oauth/authorize", data={
            **hidden_fields(page), "identifier": username, "password": PASSWORD})
        assert logged.status_code == 303, logged.text
        assert logged.headers["location"].startswith("/oauth/authorize?")
        page = await client.get(logged.headers["location"])
    assert page.status_code == 200 and 'name="password"' not in page.text
    assert 'value="authorize"' in page.text
    form = hidden_fields(page)
    return await client.post("/oauth/authorize", data={**form, "decision": decision})


def hidden_fields(page: httpx.Response) -> dict[str, str]:
    """The hidden inputs of a page's form, as a browser would send them."""
    return {k: html.unescape(v) for k, v in re.findall(
        r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text)}


def code_of(answer: httpx.Response, redirect: str = REDIRECT) -> str:
    assert answer.status_code == 303, answer.text
    location = answer.headers["location"]
    assert location.startswith(redirect + "?"), location
    return parse_qs(urlsplit(location).query)["code"][0]


async def exchange(client: httpx.AsyncClient, app: dict[str, str], code: str,
                   **extra: str) -> httpx.Response:
    return await client.post("/oauth/token", data={
        "grant_type": "authorization_code", "client_id": app["client_id"],
        "client_secret": app["client_secret"], "redirect_uri": REDIRECT, "code": code, **extra})


async def me(client: httpx.AsyncClient, access: str) -> httpx.Response:
    return await client.get("/api/v1/accounts/verify_credentials",
                            headers={"authorization": f"Bearer {access}"})


@pytest.fixture
def frozen_clock() -> Iterator[list[datetime]]:
    now = [datetime(2026, 3, 1, 12, 0, tzinfo=UTC)]
    clock.set_clock(lambda: now[0])
    yield now
    clock.set_clock(None)


# --- registration ---------------------------------------------------------------------------


async def test_app_registration_by_form_and_json_keeps_only_a_hash(
        client: httpx.AsyncClient) -> None:
    form = await register_app(client, redirect=f"{REDIRECT}\ncom.example.app:/oauth {OOB}")
    assert form["redirect_uris"] == [REDIRECT, "com.example.app:/oauth", OOB]
    assert form["scopes"] == ["read", "write", "follow"] and form["name"] == "Test App"
    assert len(form["client_secret"]) >= 40 and form["client_id"] != form["client_secret"]
    as_json = await client.post("/api/v1/apps", json={
        "client_name": "toot", "redirect_uris": OOB, "website": "https://toot.example"})
    assert as_json.status_code == 200 and as_json.json()["scopes"] == ["read"]
    assert as_json.json()["redirect_uri"] == OOB
    stored = await OAuthApp.get(client_id=form["client_id"])
    assert stored.secret_hash == hashlib.sha256(form["client_secret"].encode()).hexdigest()
    assert form["client_secret"] not in (stored.secret_hash, stored.redirect_uris)


@pytest.mark.parametrize("uri", ["javascript:alert(1)", "JavaScript://x%0aalert(1)",
                                 "data:text/html,<script>alert(1)</script>",
                                 "https://app.example/cb#frag", "/relative", ""])
async def test_dangerous_or_relative_redirect_uris_are_refused(
        client: httpx.AsyncClient, uri: str) -> None:
    answer = await client.post("/api/v1/apps", data={"client_name": "x", "redirect_uris": uri})
    assert answer.status_code == 422 and "error" in answer.json()
    assert await OAuthApp.all().count() == 0


async def test_unknown_scope_and_blank_name_are_refused(client: httpx.AsyncClient) -> None:
    bad = await client.post("/api/v1/apps", data={
        "client_name": "x", "redirect_uris": OOB, "scopes": "read everything"})
    assert bad.status_code == 422
    blank = await client.post("/api/v1/apps", json={"client_name": " ", "redirect_uris": OOB})
    assert blank.status_code == 422


# --- password and client_credentials grants -------------------------------------------------


async def test_password_grant_by_username_or_email_and_basic_auth(
        client: httpx.AsyncClient, settings: Settings) -> None:
    app = await register_app(client)
    await new_member(settings, "alice")
    answer = await client.post("/oauth/token", data={
        "grant_type": "password", "client_id": app["client_id"],
        "client_secret": app["client_secret"], "username": "alice@example.org",
        "password": PASSWORD, "scope": "read write"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["token_type"] == "Bearer" and body["scope"] == "read write"
    assert isinstance(body["created_at"], int) and body["refresh_token"]
    assert (await me(client, body["access_token"])).json()["username"] == "alice"
    basic = base64.b64encode(f"{app['client_id']}:{app['client_secret']}".encode()).decode()
    by_name = await client.post("/oauth/token", json={
        "grant_type": "password", "username": "alice", "password": PASSWORD},
        headers={"authorization": f"Basic {basic}"})
    assert by_name.status_code == 200 and by_name.json()["scope"] == "read"
    stored = await OAuthToken.get(scopes="read")
    assert stored.access_hash == hashlib.sha256(
        by_name.json()["access_token"].encode()).hexdigest()


async def test_password_grant_failures(client: httpx.AsyncClient, settings: Settings,
                                       make_settings: object) -> None:
    app = await register_app(client, scopes="read")
    await new_member(settings, "alice")
    base = {"grant_type": "password", "client_id": app["client_id"],
            "client_secret": app["client_secret"], "username": "alice", "password": PASSWORD}
    wrong_secret = await client.post("/oauth/token", data={**base, "client_secret": "nope"})
    assert wrong_secret.status_code == 401 and wrong_secret.json()["error"] == "invalid_client"
    wrong_password = await client.post("/oauth/token", data={**base, "password": "bad"})
    assert wrong_password.status_code == 400
    assert wrong_password.json()["error"] == "invalid_grant"
    escalation = await client.post("/oauth/token", data={**base, "scope": "read write"})
    assert escalation.status_code == 400 and escalation.json()["error"] == "invalid_scope"
    unknown = await client.post("/oauth/token", data={**base, "grant_type": "implicit"})
    assert unknown.json()["error"] == "unsupported_grant_type"
    account = await Account.get(email="alice@example.org")
    account.approved = False
    await account.save()
    pending = await client.post("/oauth/token", data=base)
    assert pending.status_code == 400 and pending.json()["error"] == "invalid_grant"
    assert "approval" in pending.json()["error_description"]
    assert await OAuthToken.all().count() == 0


async def test_client_credentials_token_acts_for_the_app_only(
        client: httpx.AsyncClient) -> None:
    app = await register_app(client)
    answer = await client.post("/oauth/token", data={
        "grant_type": "client_credentials", "client_id": app["client_id"],
        "client_secret": app["client_secret"], "scope": "read"})
    assert answer.status_code == 200 and "refresh_token" not in answer.json()
    bearer = {"authorization": f"Bearer {answer.json()['access_token']}"}
    verified = await client.get("/api/v1/apps/verify_credentials", headers=bearer)
    assert verified.status_code == 200 and verified.json()["name"] == "Test App"
    assert "client_secret" not in verified.json()
    refused = await client.get("/api/v1/accounts/verify_credentials", headers=bearer)
    assert refused.status_code == 422


# --- authorization code ---------------------------------------------------------------------


async def test_code_flow_with_pkce_and_state(client: httpx.AsyncClient,
                                             settings: Settings) -> None:
    app = await register_app(client)
    verifier, challenge = pkce()
    answer = await consent(client, settings, app, state="xyz 1", code_challenge=challenge,
                           code_challenge_method="S256")
    code = code_of(answer)
    assert parse_qs(urlsplit(answer.headers["location"]).query)["state"] == ["xyz 1"]
    assert await OAuthCode.filter(id=code).count() == 0  # stored hashed
    token = await exchange(client, app, code, code_verifier=verifier)
    assert token.status_code == 200, token.text
    assert token.json()["scope"] == "read write"
    assert (await me(client, token.json()["access_token"])).json()["acct"] == "alice"


@pytest.mark.parametrize("verifier", [None, "wrong"])
async def test_pkce_missing_or_wrong_verifier_fails(
        client: httpx.AsyncClient, settings: Settings, verifier: str | None) -> None:
    app = await register_app(client)
    _, challenge = pkce()
    code = code_of(await consent(client, settings, app, code_challenge=challenge,
                                 code_challenge_method="S256"))
    extra = {"code_verifier": pkce()[0]} if verifier else {}
    answer = await exchange(client, app, code, **extra)
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_grant"
    assert await OAuthToken.all().count() == 0


async def test_pkce_plain_is_refused(client: httpx.AsyncClient, settings: Settings) -> None:
    app = await register_app(client)
    answer = await client.get("/oauth/authorize/", params={
        "response_type": "code", "client_id": app["client_id"], "redirect_uri": REDIRECT,
        "code_challenge": "a" * 43, "code_challenge_method": "plain", "state": "s"})
    assert answer.status_code == 303
    query = parse_qs(urlsplit(answer.headers["location"]).query)
    assert query["error"] == ["invalid_request"] and query["state"] == ["s"]


async def test_code_replay_fails_and_revokes_its_token(client: httpx.AsyncClient,
                                                      settings: Settings) -> None:
    app = await register_app(client)
    code = code_of(await consent(client, settings, app))
    first = await exchange(client, app, code)
    assert first.status_code == 200
    access = first.json()["access_token"]
    assert (await me(client, access)).status_code == 200
    replay = await exchange(client, app, code)
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
    assert (await me(client, access)).status_code == 401


async def test_code_needs_same_redirect_uri_and_client(client: httpx.AsyncClient,
                                                       settings: Settings) -> None:
    app = await register_app(client, redirect=f"{REDIRECT} https://app.example/other")
    other = await register_app(client)
    code = code_of(await consent(client, settings, app))
    wrong_uri = await exchange(client, app, code, redirect_uri="https://app.example/other")
    assert wrong_uri.json()["error"] == "invalid_grant"
    code = code_of(await consent(client, settings, app))
    stolen = await exchange(client, other, code)
    assert stolen.json()["error"] == "invalid_grant"
    assert await OAuthToken.all().count() == 0


async def test_expired_code_fails(client: httpx.AsyncClient, settings: Settings,
                                  frozen_clock: list[datetime]) -> None:
    app = await register_app(client)
    code = code_of(await consent(client, settings, app))
    frozen_clock[0] += timedelta(minutes=11)
    answer = await exchange(client, app, code)
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_grant"


async def test_scope_beyond_the_app_is_refused_at_authorize(client: httpx.AsyncClient) -> None:
    app = await register_app(client, scopes="read")
    answer = await client.get("/oauth/authorize", params={
        "response_type": "code", "client_id": app["client_id"], "redirect_uri": REDIRECT,
        "scope": "read write"})
    assert answer.status_code == 303
    assert parse_qs(urlsplit(answer.headers["location"]).query)["error"] == ["invalid_scope"]


async def test_deny_sends_access_denied(client: httpx.AsyncClient, settings: Settings) -> None:
    app = await register_app(client)
    answer = await consent(client, settings, app, decision="deny", state="s")
    query = parse_qs(urlsplit(answer.headers["location"]).query)
    assert query["error"] == ["access_denied"] and query["state"] == ["s"]
    assert "code" not in query and await OAuthCode.all().count() == 0


async def test_out_of_band_code_is_shown_on_the_page(client: httpx.AsyncClient,
                                                     settings: Settings) -> None:
    app = await register_app(client, redirect=OOB)
    answer = await consent(client, settings, app, redirect_uri=OOB)
    assert answer.status_code == 200
    code = re.search(r'<output class="code" id="oauth-code">([^<]+)</output>', answer.text)
    assert code
    token = await client.post("/oauth/token", data={
        "grant_type": "authorization_code", "client_id": app["client_id"],
        "client_secret": app["client_secret"], "redirect_uri": OOB, "code": code.group(1)})
    assert token.status_code == 200


@pytest.mark.parametrize("redirect", ["https://evil.example/", "javascript:alert(1)",
                                      REDIRECT + "/../evil", REDIRECT + "?x=1"])
async def test_unregistered_redirect_never_redirects(client: httpx.AsyncClient,
                                                     redirect: str) -> None:
    app = await register_app(client)
    answer = await client.get("/oauth/authorize", params={
        "response_type": "code", "client_id": app["client_id"], "redirect_uri": redirect})
    assert answer.status_code == 400 and "location" not in answer.headers
    assert "not one this app registered" in answer.text
    unknown = await client.get("/oauth/authorize", params={
        "response_type": "code", "client_id": "nobody", "redirect_uri": redirect})
    assert unknown.status_code == 400 and "location" not in unknown.headers


async def test_consent_page_escapes_the_app_name_and_needs_csrf(
        client: httpx.AsyncClient, settings: Settings) -> None:
    app = await register_app(client, name='<script>alert("x")</script>')
    page = await client.get("/oauth/authorize", params={
        "response_type": "code", "client_id": app["client_id"], "redirect_uri": REDIRECT})
    assert "<script>alert" not in page.text and "&lt;script&gt;alert" in page.text
    await new_member(settings, "alice")
    forged = await client.post("/oauth/authorize", data={
        "response_type": "code", "client_id": app["client_id"], "redirect_uri": REDIRECT,
        "identifier": "alice", "password": PASSWORD})
    assert forged.status_code == 403
    login = await client.post("/oauth/authorize", data={
        "csrf_token": csrf(page), "response_type": "code", "client_id": app["client_id"],
        "redirect_uri": REDIRECT, "identifier": "alice", "password": PASSWORD})
    assert login.status_code == 303
    forged = await client.post("/oauth/authorize", data={
        "response_type": "code", "client_id": app["client_id"], "redirect_uri": REDIRECT,
        "decision": "authorize"}, headers={"origin": "https://evil.example"})
    assert forged.status_code == 403 and await OAuthCode.all().count() == 0


async def test_wrong_password_on_the_authorize_page(client: httpx.AsyncClient,
                                                    settings: Settings) -> None:
    app = await register_app(client)
    await new_member(settings, "alice")
    page = await client.get("/oauth/authorize", params={
        "response_type": "code", "client_id": app["client_id"], "redirect_uri": REDIRECT})
    answer = await client.post("/oauth/authorize", data={
        "csrf_token": csrf(page), "response_type": "code", "client_id": app["client_id"],
        "redirect_uri": REDIRECT, "identifier": "alice", "password": "wrong"})
    assert answer.status_code == 401 and "Wrong username" in answer.text
    assert 'name="password"' in answer.text


# --- refresh, revoke, metadata --------------------------------------------------------------


async def test_refresh_rotates_and_revoke_takes_effect_at_once(
        client: httpx.AsyncClient, settings: Settings) -> None:
    app = await register_app(client)
    first = (await exchange(client, app, code_of(await consent(client, settings, app)))).json()
    creds = {"client_id": app["client_id"], "client_secret": app["client_secret"]}
    refreshed = await client.post("/oauth/token", json={
        "grant_type": "refresh_token", "refresh_token": first["refresh_token"], **creds})
    assert refreshed.status_code == 200, refreshed.text
    second = refreshed.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["scope"] == "read write"
    assert (await me(client, first["access_token"])).status_code == 401
    again = await client.post("/oauth/token", json={
        "grant_type": "refresh_token", "refresh_token": first["refresh_token"], **creds})
    assert again.json()["error"] == "invalid_grant"
    wider = await client.post("/oauth/token", json={
        "grant_type": "refresh_token", "refresh_token": second["refresh_token"],
        "scope": "read write follow", **creds})
    assert wider.json()["error"] == "invalid_scope"
    assert (await me(client, second["access_token"])).status_code == 200
    other = await register_app(client)
    foreign = await client.post("/oauth/revoke", data={
        "token": second["access_token"], "client_id": other["client_id"],
        "client_secret": other["client_secret"]})
    assert foreign.status_code == 200
    assert (await me(client, second["access_token"])).status_code == 200
    revoked = await client.post("/oauth/revoke", data={"token": second["access_token"], **creds})
    assert revoked.status_code == 200 and revoked.json() == {}
    answer = await me(client, second["access_token"])
    assert answer.status_code == 401
    assert answer.json() == {"error": "The access token is invalid"}


async def test_authorization_server_metadata(client: httpx.AsyncClient,
                                             settings: Settings) -> None:
    doc = (await client.get("/.well-known/oauth-authorization-server")).json()
    base = settings.server.base_url.rstrip("/")
    assert doc["token_endpoint"] == f"{base}/oauth/token"
    assert doc["authorization_endpoint"] == f"{base}/oauth/authorize"
    assert doc["revocation_endpoint"] == f"{base}/oauth/revoke"
    assert doc["app_registration_endpoint"] == f"{base}/api/v1/apps"
    assert doc["code_challenge_methods_supported"] == ["S256"]
    assert doc["response_types_supported"] == ["code"]
    assert {"authorization_code", "password", "client_credentials", "refresh_token"} == set(
        doc["grant_types_supported"])
    assert {"read", "write", "follow", "push", "read:accounts"} <= set(doc["scopes_supported"])
