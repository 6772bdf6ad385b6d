"""Email flows as a member lives them, with a real SMTP server on loopback: joining and
confirming the address, resetting a forgotten password, links that are reused or expired."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from actors.accounts import authenticate
from actors.models import Account
from chapterhouse.wiring import job_registry
from core import clock
from core.jobs import drain
from core.settings import Settings
from tests.support.forms import csrf_from, post_form
from tests.support.members import PASSWORD, new_member
from tests.support.smtp import SmtpServer, body_of, link_in, settings_with_smtp
from web.models import Session

NEW_PASSWORD = "an entirely new passphrase"
ME = "/api/v1/accounts/verify_credentials"


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mail_settings(tmp_path: Path, database_url: str, smtp: SmtpServer) -> Settings:
    return settings_with_smtp(tmp_path / "cfg", database_url, smtp.port, name="Green Union")


@pytest.fixture
async def web(app_for: Callable[[Settings], Awaitable[httpx.AsyncClient]],
              mail_settings: Settings) -> httpx.AsyncClient:
    return await app_for(mail_settings)


async def deliver(settings: Settings) -> None:
    """Run the queued jobs: the mail.send job talks SMTP to the loopback server."""
    await drain(job_registry(settings))


async def join(client: httpx.AsyncClient, username: str) -> httpx.Response:
    return await post_form(client, "/join", {
        "username": username, "display_name": username.title(),
        "email": f"{username}@example.org", "password": PASSWORD, "commitments": "accept"})


async def api_token(client: httpx.AsyncClient, username: str, password: str = PASSWORD) -> str:
    app = (await client.post("/api/v1/apps", json={
        "client_name": "Tusky", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
        "scopes": "read write"})).json()
    answer = await client.post("/oauth/token", data={
        "grant_type": "password", "client_id": app["client_id"],
        "client_secret": app["client_secret"], "username": username, "password": password,
        "scope": "read write"})
    assert answer.status_code == 200, answer.text
    return str(answer.json()["access_token"])


def path_of(link: str, settings: Settings) -> str:
    assert link.startswith(settings.server.base_url + "/"), link
    return link.removeprefix(settings.server.base_url)


async def test_a_new_member_confirms_the_address_from_the_mail(
        web: httpx.AsyncClient, mail_settings: Settings, smtp: SmtpServer) -> None:
    answer = await join(web, "dora")
    assert answer.status_code == 303
    home = await web.get("/settings/profile")
    assert "Please confirm your email address" in home.text
    assert "dora@example.org" in home.text

    await deliver(mail_settings)
    mail = smtp.inbox.last_to("dora@example.org")
    assert mail["From"] == "office@example.org"
    assert "Green Union" in mail["Subject"]
    assert "Green Union" in body_of(mail) and "48 hours" in body_of(mail)
    link = link_in(mail)
    path = path_of(link, mail_settings)
    assert path.startswith("/confirm/")

    page = await web.get(link)  # opening the link spends nothing (mail scanners open links)
    assert page.status_code == 200 and "Confirm the address" in page.text
    assert not (await Account.get(email="dora@example.org")).confirmed
    done = await post_form(web, path, {}, page=path)
    assert done.status_code == 200, done.text
    assert "is confirmed" in done.text
    assert (await Account.get(email="dora@example.org")).confirmed
    assert "Please confirm your email address" not in (await web.get("/settings/profile")).text

    again = await web.get(link)
    assert again.status_code == 410
    assert "used already" in again.text


async def test_resending_the_confirmation_voids_the_first_link(
        web: httpx.AsyncClient, mail_settings: Settings, smtp: SmtpServer) -> None:
    await join(web, "emil")
    await deliver(mail_settings)
    first = link_in(smtp.inbox.last_to("emil@example.org"))
    clock.set_clock(lambda: datetime.now(UTC) + timedelta(minutes=2))  # past the minute's gap
    try:
        resent = await post_form(web, "/confirm/resend", {}, page="/settings/email")
        assert resent.status_code == 200 and "We sent a new link" in resent.text
        too_soon = await post_form(web, "/confirm/resend", {}, page="/settings/email")
        assert too_soon.status_code == 429 and "a moment ago" in too_soon.text
        await deliver(mail_settings)
        mails = smtp.inbox.to("emil@example.org")
        assert len(mails) == 2
        second = link_in(mails[-1])
        assert second != first
        assert (await web.get(first)).status_code == 410
        assert (await web.get(second)).status_code == 200
    finally:
        clock.set_clock(None)


async def test_an_expired_confirmation_link_is_refused_with_a_clear_page(
        web: httpx.AsyncClient, mail_settings: Settings, smtp: SmtpServer) -> None:
    await join(web, "fern")
    await deliver(mail_settings)
    path = path_of(link_in(smtp.inbox.last_to("fern@example.org")), mail_settings)
    token = await csrf_from(web, "/settings/email")
    clock.set_clock(lambda: datetime.now(UTC) + timedelta(hours=49))
    try:
        page = await web.get(path)
        assert page.status_code == 410
        assert "This link has expired." in page.text
        assert "Send me a new link" in page.text
        post = await web.post(path, data={"csrf_token": token})
        assert post.status_code == 410
    finally:
        clock.set_clock(None)
    assert not (await Account.get(email="fern@example.org")).confirmed
    unknown = await web.get("/confirm/not-a-real-token")
    assert unknown.status_code == 404 and "not valid" in unknown.text


async def test_a_forgotten_password_is_reset_by_the_link_and_old_sessions_end(
        web: httpx.AsyncClient, app_for: Callable[[Settings], Awaitable[httpx.AsyncClient]],
        mail_settings: Settings, smtp: SmtpServer) -> None:
    await new_member(mail_settings, "gale")
    other_browser = await app_for(mail_settings)
    logged_in = await post_form(other_browser, "/login",
                                {"identifier": "gale", "password": PASSWORD})
    assert logged_in.status_code == 303
    token = await api_token(web, "gale")
    assert (await web.get(ME, headers={"authorization": f"Bearer {token}"})).status_code == 200

    known = await post_form(web, "/password/forgot", {"email": "Gale@Example.org"})
    unknown = await post_form(web, "/password/forgot", {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 200
    assert "If an account has the address" in known.text
    assert (re.sub(r"<strong>[^<]*</strong>", "", known.text)
            == re.sub(r"<strong>[^<]*</strong>", "", unknown.text))
    await deliver(mail_settings)
    assert smtp.inbox.to("nobody@example.org") == []
    mail = smtp.inbox.last_to("gale@example.org")
    assert "Green Union" in body_of(mail) and "one hour" in body_of(mail)
    path = path_of(link_in(mail), mail_settings)
    assert path.startswith("/password/reset/")

    form = await web.get(path)
    assert form.status_code == 200 and "Choose a new password" in form.text
    short = await post_form(web, path, {"new": "short", "confirm": "short"})
    assert short.status_code == 422 and "at least" in short.text
    done = await post_form(web, path, {"new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 200, done.text
    assert "Password changed" in done.text

    account = await Account.get(email="gale@example.org")
    assert await Session.filter(account_id=account.id).count() == 0
    assert (await other_browser.get("/settings/password")).headers["location"] == "/login"
    assert (await web.get(ME, headers={"authorization": f"Bearer {token}"})).status_code == 401
    old = await post_form(web, "/login", {"identifier": "gale", "password": PASSWORD})
    assert old.status_code == 401
    new = await post_form(web, "/login", {"identifier": "gale", "password": NEW_PASSWORD})
    assert new.status_code == 303

    reused = await web.get(path)
    assert reused.status_code == 410 and "used already" in reused.text
    assert "Ask for a new link" in reused.text


async def test_a_reset_link_expires_after_an_hour(
        web: httpx.AsyncClient, mail_settings: Settings, smtp: SmtpServer) -> None:
    await new_member(mail_settings, "hana")
    await post_form(web, "/password/forgot", {"email": "hana@example.org"})
    await deliver(mail_settings)
    path = path_of(link_in(smtp.inbox.last_to("hana@example.org")), mail_settings)
    token = await csrf_from(web, "/password/forgot")
    clock.set_clock(lambda: datetime.now(UTC) + timedelta(minutes=61))
    try:
        assert (await web.get(path)).status_code == 410
        refused = await web.post(path, data={"csrf_token": token, "new": NEW_PASSWORD,
                                             "confirm": NEW_PASSWORD})
        assert refused.status_code == 410 and "This link has expired." in refused.text
    finally:
        clock.set_clock(None)
    login = await post_form(web, "/login", {"identifier": "hana", "password": PASSWORD})
    assert login.status_code == 303  # the old password still works


async def test_reset_requests_for_one_address_are_limited(
        web: httpx.AsyncClient, mail_settings: Settings, smtp: SmtpServer) -> None:
    await new_member(mail_settings, "ivo")
    answers = [await post_form(web, "/password/forgot", {"email": "ivo@example.org"})
               for _ in range(5)]
    assert {a.status_code for a in answers} == {200}  # the page says the same every time
    await deliver(mail_settings)
    assert len(smtp.inbox.to("ivo@example.org")) == 3


async def test_a_new_address_takes_effect_only_when_its_link_is_followed(
        web: httpx.AsyncClient, mail_settings: Settings, smtp: SmtpServer) -> None:
    await new_member(mail_settings, "jo")
    assert (await post_form(web, "/login", {"identifier": "jo", "password": PASSWORD})
            ).status_code == 303
    wrong = await post_form(web, "/settings/email",
                            {"email": "jo@new.example", "password": "not mine"})
    assert wrong.status_code == 422 and "This is not your current password." in wrong.text
    await new_member(mail_settings, "kim")
    taken = await post_form(web, "/settings/email",
                            {"email": "kim@example.org", "password": PASSWORD})
    assert taken.status_code == 422 and "exists already" in taken.text

    asked = await post_form(web, "/settings/email",
                            {"email": "Jo@New.Example", "password": PASSWORD})
    assert asked.status_code == 303
    page = await web.get(asked.headers["location"])
    assert "Check your new address" in page.text and "jo@new.example" in page.text
    assert (await Account.get(actor__username="jo")).email == "jo@example.org"

    await deliver(mail_settings)
    mail = smtp.inbox.last_to("jo@new.example")
    assert "Green Union" in body_of(mail)
    path = path_of(link_in(mail), mail_settings)
    assert path.startswith("/confirm-email/")
    assert (await web.get(path)).status_code == 200
    assert (await Account.get(actor__username="jo")).email == "jo@example.org"
    done = await post_form(web, path, {}, page=path)
    assert done.status_code == 200 and "jo@new.example" in done.text
    account = await Account.get(actor__username="jo")
    assert account.email == "jo@new.example" and account.confirmed

    await deliver(mail_settings)
    notice = smtp.inbox.last_to("jo@example.org")
    assert "jo@new.example" in body_of(notice)
    assert (await authenticate("jo@new.example", PASSWORD)).id == account.id
    assert (await web.get(path)).status_code == 410
