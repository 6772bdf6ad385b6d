"""The home, join and log-in pages as a visitor uses them, CSRF included."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
import pytest

from actors.chapters import create_chapter
from actors.models import Account, Actor
from core.settings import Settings
from tests.support.forms import csrf_from, post_form
from web.models import Session

GOOD = {
    "username": "Ana",
    "display_name": "Ana Pérez",
    "email": "ana@example.org",
    "password": "a long enough password",
    "commitments": "accept",
}


async def test_home_page_shows_the_organization_the_tally_and_chapters(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    intl = await create_chapter("International", "intl")
    await create_chapter("Leeds <Local>", "leeds", parent_slug=intl.slug)
    page = await client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    assert settings.instance.name in html
    assert '<meta name="viewport"' in html
    assert "0</strong> members of a goal of 1,000" in html
    assert "Leeds &lt;Local&gt;" in html and "Part of International" in html  # escaped
    assert 'href="/join"' in html and 'href="/login"' in html
    assert page.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]


async def test_joining_logs_the_new_member_in(client: httpx.AsyncClient) -> None:
    answer = await post_form(client, "/join", GOOD)
    assert answer.status_code == 303 and answer.headers["location"] == "/?welcome=1"
    home = await client.get("/?welcome=1")
    assert "Welcome, Ana Pérez!" in home.text and "@Ana" in home.text
    assert "1</strong> members" in home.text
    assert await Session.all().count() == 1


async def test_a_duplicate_username_in_another_case_is_refused_on_the_form(
    client: httpx.AsyncClient,
    app_for: Callable[[Settings], Awaitable[httpx.AsyncClient]],
    settings: Settings,
) -> None:
    await post_form(client, "/join", GOOD)
    other = await app_for(settings)  # a second visitor, with cookies of their own
    answer = await post_form(other, "/join", {**GOOD, "username": "ANA", "email": "b@example.org"})
    assert answer.status_code == 422
    assert "This username is taken." in answer.text
    assert 'value="b@example.org"' in answer.text  # what they typed is kept
    assert 'value="accept" required checked' in answer.text  # and the tick too
    assert 'aria-describedby="h-username e-username" aria-invalid="true"' in answer.text
    assert await Account.all().count() == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"password": ""}, "Choose a password."),
        ({"commitments": ""}, "tick the box to accept"),
    ],
)
async def test_refused_sign_ups_say_why_and_write_nothing(
    client: httpx.AsyncClient, change: dict[str, str], message: str
) -> None:
    answer = await post_form(client, "/join", {**GOOD, **change})
    assert answer.status_code == 422 and message in answer.text
    assert await Actor.all().count() == 0 and await Session.all().count() == 0


async def test_a_form_without_a_valid_token_or_from_another_site_is_refused(
    client: httpx.AsyncClient,
) -> None:
    token = await csrf_from(client, "/join")
    no_token = await client.post("/join", data=GOOD)
    bad_token = await client.post("/join", data={**GOOD, "csrf_token": token[:-2] + "xx"})
    foreign = await client.post(
        "/join", data={**GOOD, "csrf_token": token}, headers={"origin": "https://evil.example"}
    )
    for answer in (no_token, bad_token, foreign):
        assert answer.status_code == 403
        assert "This form has expired" in answer.text
    # a token is bound to its browser's cookie: another browser cannot reuse it
    thief = httpx.AsyncClient(transport=client._transport, base_url=client.base_url)
    stolen = await thief.post("/join", data={**GOOD, "csrf_token": token})
    assert stolen.status_code == 403
    assert await Actor.all().count() == 0


async def test_approval_mode_takes_an_application(
    app_for: Callable[[Settings], Awaitable[httpx.AsyncClient]],
    make_settings: Callable[..., Settings],
) -> None:
    client = await app_for(make_settings(mode="approval"))
    form = await client.get("/join")
    assert "Why do you want to join?" in form.text and "Apply to join" in form.text
    answer = await post_form(client, "/join", {**GOOD, "reason": "I organise tenants"})
    assert answer.status_code == 201 and "application has been received" in answer.text
    assert await Session.all().count() == 0
    login = await post_form(client, "/login", {"identifier": "ana", "password": GOOD["password"]})
    assert login.status_code == 401 and "waiting for an administrator" in login.text


async def test_log_in_and_out(client: httpx.AsyncClient) -> None:
    await post_form(client, "/join", GOOD)
    planted = client.cookies.get("ch_session")
    await post_form(client, "/logout", {}, page="/")
    assert await Session.all().count() == 0
    wrong = await post_form(client, "/login", {"identifier": "ana", "password": "nope nope nope"})
    assert wrong.status_code == 401 and "Wrong username" in wrong.text
    right = await post_form(client, "/login", {"identifier": "ANA", "password": GOOD["password"]})
    assert right.status_code == 303
    assert client.cookies.get("ch_session") not in (None, planted)  # a fresh session token
    assert "@Ana" in (await client.get("/")).text
    assert (await client.get("/login")).status_code == 303  # already logged in


async def test_health_and_unknown_pages(client: httpx.AsyncClient) -> None:
    health = await client.get("/health")
    assert health.status_code == 200 and health.json() == {"status": "ok", "database": "ok"}
    missing = await client.get("/no/such/page")
    assert missing.status_code == 404 and "Page not found" in missing.text
    css = await client.get("/static/style.css")
    assert css.status_code == 200 and "prefers-color-scheme: dark" in css.text
