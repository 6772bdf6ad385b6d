"""Password, authorized apps and export in the settings: a new password ends the other
sessions and every API token, revoking an app ends its tokens, the export holds one's own data."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import timedelta

import httpx

from actors.follows import follow_actor
from actors.models import Actor
from actors.urls import LocalUrls
from content.ballot_models import Ballot, BallotReceipt, BallotVote
from content.bookmarks import bookmark_post
from content.models import MemberList, MemberListEntry
from content.posts import create_post
from core import clock
from core.settings import Settings
from tests.support.forms import post_form
from tests.support.members import PASSWORD, log_in, new_member
from web.models import OAuthToken

ME = "/api/v1/accounts/verify_credentials"
NEW = "a brand new passphrase"


async def app_token(client: httpx.AsyncClient, username: str, app_name: str = "Tusky",
                    app: dict[str, str] | None = None) -> tuple[str, dict[str, str]]:
    """A real token of a real OAuth app (password grant), and the app."""
    if app is None:
        app = (await client.post("/api/v1/apps", json={
            "client_name": app_name, "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
            "scopes": "read write follow"})).json()
    answer = await client.post("/oauth/token", data={
        "grant_type": "password", "client_id": app["client_id"],
        "client_secret": app["client_secret"], "username": username, "password": PASSWORD,
        "scope": "read write"})
    assert answer.status_code == 200, answer.text
    return str(answer.json()["access_token"]), app


async def works(client: httpx.AsyncClient, token: str) -> int:
    return (await client.get(ME, headers={"authorization": f"Bearer {token}"})).status_code


async def test_a_new_password_ends_other_sessions_and_api_tokens(
        client: httpx.AsyncClient, app_for: Callable[[Settings], Awaitable[httpx.AsyncClient]],
        settings: Settings) -> None:
    await log_in(client, settings, "ana")
    laptop = await app_for(settings)
    assert (await post_form(laptop, "/login", {"identifier": "ana", "password": PASSWORD})
            ).status_code == 303
    token, _ = await app_token(client, "ana")
    assert await works(client, token) == 200

    wrong = await post_form(client, "/settings/password",
                            {"current": "not it", "new": NEW, "confirm": NEW})
    assert wrong.status_code == 422 and "This is not your current password." in wrong.text
    differ = await post_form(client, "/settings/password",
                             {"current": PASSWORD, "new": NEW, "confirm": NEW + "!"})
    assert differ.status_code == 422 and "The two new passwords differ." in differ.text
    short = await post_form(client, "/settings/password",
                            {"current": PASSWORD, "new": "abc", "confirm": "abc"})
    assert short.status_code == 422
    assert await works(client, token) == 200  # refused changes end nothing

    done = await post_form(client, "/settings/password",
                           {"current": PASSWORD, "new": NEW, "confirm": NEW})
    assert done.status_code == 303, done.text
    assert "Your password is changed" in (await client.get(done.headers["location"])).text
    assert (await laptop.get("/settings/password")).headers["location"] == "/login"
    assert await works(client, token) == 401
    assert (await post_form(laptop, "/login", {"identifier": "ana", "password": NEW})
            ).status_code == 303


async def test_authorized_apps_are_listed_and_revoked_all_at_once(
        client: httpx.AsyncClient, settings: Settings) -> None:
    await log_in(client, settings, "ben")
    first, tusky = await app_token(client, "ben", "Tusky")
    second, _ = await app_token(client, "ben", app=tusky)  # a second login of the same app
    other, _ = await app_token(client, "ben", "Ivory")
    await works(client, first)  # records its last use

    page = await client.get("/settings/apps")
    assert "Tusky" in page.text and "Ivory" in page.text
    assert '<span class="code">read</span>' in page.text
    assert '<span class="code">write</span>' in page.text
    assert "last used" in page.text

    tusky_id = (await OAuthToken.filter(app__name="Tusky").first().prefetch_related("app")).app.id
    revoked = await post_form(client, "/settings/apps/revoke", {"app": str(tusky_id)},
                              page="/settings/apps")
    assert revoked.status_code == 303
    assert await works(client, first) == 401
    assert await works(client, second) == 401
    assert await works(client, other) == 200
    page = await client.get("/settings/apps")
    assert "Tusky" not in page.text and "Ivory" in page.text
    again = await post_form(client, "/settings/apps/revoke", {"app": str(tusky_id)},
                            page="/settings/apps")
    assert again.status_code == 404 and "holds no access" in again.text


async def test_one_cannot_revoke_another_members_app(client: httpx.AsyncClient,
                                                     settings: Settings) -> None:
    await new_member(settings, "cleo")
    theirs, _ = await app_token(client, "cleo", "Elk")
    await log_in(client, settings, "dev")
    elk = (await OAuthToken.filter(app__name="Elk").first().prefetch_related("app")).app.id
    answer = await post_form(client, "/settings/apps/revoke", {"app": str(elk)},
                             page="/settings/apps")
    assert answer.status_code == 404
    assert await works(client, theirs) == 200


async def test_the_export_holds_ones_posts_and_nothing_of_another_member(
        client: httpx.AsyncClient, settings: Settings) -> None:
    urls = LocalUrls(settings.server.base_url)
    other = await new_member(settings, "olga")
    olgas = await create_post(urls, other, "Olga's **public** thought")
    await create_post(urls, other, "Olga's private draft", kind="article", title="Hidden",
                      draft=True)
    me = await log_in(client, settings, "max")
    await create_post(urls, me, "My **first** note, in Markdown")
    await create_post(urls, me, "Notes for later", kind="article", title="Draft", draft=True)
    await bookmark_post(me, olgas)
    await follow_actor(urls, me, other)
    comrades = await MemberList.create(owner=me, title="Comrades")
    await MemberListEntry.create(list=comrades, actor=other)

    assert (await client.get("/settings/export")).status_code == 200
    answer = await post_form(client, "/settings/export", {}, page="/settings/export")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/json")
    assert "attachment" in answer.headers["content-disposition"]
    assert "no-store" in answer.headers["cache-control"]
    data = json.loads(answer.text)
    assert data["account"]["username"] == "max"
    assert data["account"]["email"] == "max@example.org"
    sources = {p["source"] for p in data["posts"]}
    assert sources == {"My **first** note, in Markdown", "Notes for later"}
    assert [b["post"] for b in data["bookmarks"]] == [olgas.uri]
    assert [f["account"] for f in data["following"]] == [f"olga@{settings.instance.domain}"]
    assert [(x["title"], x["accounts"]) for x in data["lists"]] == [
        ("Comrades", [f"olga@{settings.instance.domain}"])]
    text = answer.text
    assert "Olga's" not in text and "olga@example.org" not in text
    assert (await Actor.get(username="olga")).private_key_pem not in text


async def test_the_export_names_secret_ballots_voted_in_but_no_paper(
        client: httpx.AsyncClient, settings: Settings) -> None:
    urls = LocalUrls(settings.server.base_url)
    me = await log_in(client, settings, "nia")
    other = await new_member(settings, "oto")
    now = clock.now()
    ballots = {}
    for secret in (True, False):
        post = await create_post(urls, me, f"Ballot secret={secret}", kind="question",
                                 title=f"Secret {secret}")
        ballots[secret] = await Ballot.create(
            post=post, method="approval", secret=secret, proposals_at=now, voting_at=now,
            ends_at=now + timedelta(days=1), phase="voting")
    for voter, choice in ((me, ["111"]), (other, ["999"])):
        await BallotReceipt.create(ballot=ballots[True], voter=voter, uri=f"urn:s:{voter.id}")
        await BallotVote.create(ballot=ballots[True], voter=None, choice=choice)
        await BallotReceipt.create(ballot=ballots[False], voter=voter, uri=f"urn:o:{voter.id}")
        await BallotVote.create(ballot=ballots[False], voter=voter, choice=choice)

    data = json.loads((await post_form(client, "/settings/export", {},
                                       page="/settings/export")).text)
    rows = {row["secret"]: row for row in data["ballots"]}
    assert set(rows) == {True, False}
    assert "choice" not in rows[True]  # a secret paper has no voter: nothing to export
    assert rows[False]["choice"] == ["111"]
    assert "999" not in json.dumps(data)
