"""Following from the web UI: the form, the list with states, unfollowing, the profile's
button, errors in one sentence, and the admins' page of requests to join chapters."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest

from actors.accounts import Registration, register_member
from actors.chapters import create_chapter
from actors.models import Follow
from chapterhouse.wiring import build_app
from core.settings import FederationSettings, Settings
from federation import build_jrd
from tests.inbox.fediverse import FakeFediverse, fed_client, fediverse, registry
from tests.support.forms import post_form
from tests.support.members import log_in

__all__ = ["fed_client", "fediverse", "registry"]  # fixtures of the fake fediverse

Drain = Callable[[], Awaitable[int]]
PASSWORD = "a long enough password"



def serve_webfinger(fediverse: FakeFediverse, user: str, host: str, actor_url: str) -> None:
    fediverse.serve(f"https://{host}/.well-known/webfinger?resource=acct%3A{user}%40{host}",
                    build_jrd(f"{user}@{host}", actor_url), content_type="application/jrd+json")


async def test_following_a_remote_handle_sends_follow_and_lists_it_pending_then_accepted(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, settings: Settings, drain_jobs: Drain,
) -> None:
    ana = await log_in(fed_client, settings, "ana")
    bob = fediverse.person("mastodon.test", "bob")
    serve_webfinger(fediverse, "bob", "mastodon.test", bob.uri)
    answer = await post_form(fed_client, "/follow", {"handle": "@bob@mastodon.test"},
                             page="/following")
    assert answer.status_code == 303 and answer.headers["location"] == "/following"
    await drain_jobs()
    [sent] = fediverse.posts("https://mastodon.test/inbox")
    assert sent["type"] == "Follow" and sent["object"] == bob.uri
    page = (await fed_client.get("/following")).text
    assert "@bob@mastodon.test" in page and "Request pending" in page
    follow = await Follow.get(follower_id=ana.id)
    follow.state = "accepted"
    await follow.save()
    page = (await fed_client.get("/following")).text
    assert "Request pending" not in page and ">Following</span>" in page

    gone = await post_form(fed_client, "/unfollow", {"actor": str(follow.followed_id)},  # type: ignore[attr-defined]
                           page="/following")
    assert gone.status_code == 303
    await drain_jobs()
    assert fediverse.posts("https://mastodon.test/inbox")[-1]["type"] == "Undo"
    assert await Follow.all().count() == 0
    assert "You do not follow anyone yet." in (await fed_client.get("/following")).text


async def test_an_actor_url_can_be_followed_too(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, settings: Settings,
) -> None:
    await log_in(fed_client, settings, "ana")
    bob = fediverse.person("gts.test", "bob")
    answer = await post_form(fed_client, "/follow", {"handle": bob.uri}, page="/following")
    assert answer.status_code == 303
    assert (await Follow.get()).state == "pending"


@pytest.mark.parametrize(("handle", "sentence"), [
    ("@nobody@mastodon.test", "No account @nobody@mastodon.test was found."),
    ("not a handle", "Enter a handle like @name@example.org"),
    ("@ghost@127.0.0.1:8765", "There is no member or chapter @ghost@127.0.0.1:8765."),
])
async def test_a_handle_that_names_nobody_is_one_sentence_next_to_the_field(
    handle: str, sentence: str, fed_client: httpx.AsyncClient, settings: Settings,
) -> None:
    await log_in(fed_client, settings, "ana")
    answer = await post_form(fed_client, "/follow", {"handle": handle}, page="/following")
    assert answer.status_code == 422
    assert f'<p class="error" id="e-handle" role="alert">{sentence}' in answer.text
    assert 'aria-invalid="true"' in answer.text and "Traceback" not in answer.text
    assert await Follow.all().count() == 0


async def test_an_unreachable_server_is_one_sentence(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, settings: Settings,
) -> None:
    await log_in(fed_client, settings, "ana")
    fediverse.serve("https://down.test/.well-known/webfinger?resource=acct%3Abob%40down.test",
                    "<html>Bad gateway</html>", status=502, content_type="text/html")
    answer = await post_form(fed_client, "/follow", {"handle": "bob@down.test"},
                             page="/following")
    assert answer.status_code == 422
    assert "The server of @bob@down.test answered with an error (HTTP 502)." in answer.text


@pytest.fixture
async def guarded_client(database: str, settings: Settings,
                         fediverse: FakeFediverse) -> AsyncIterator[httpx.AsyncClient]:
    """The app with production federation settings: no http, no private addresses."""
    strict = dataclasses.replace(settings, federation=FederationSettings(
        allow_http=False, allow_private_addresses=False))
    app = build_app(strict, workers=0, manage_database=False, http_transport=fediverse.transport)
    lifespan = app.router.lifespan_context(app)
    await lifespan.__aenter__()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url=settings.server.base_url) as client:
        yield client
    await lifespan.__aexit__(None, None, None)


async def test_a_refused_address_is_one_sentence_and_never_fetched(
    guarded_client: httpx.AsyncClient, fediverse: FakeFediverse, settings: Settings,
) -> None:
    await log_in(guarded_client, settings, "ana")
    answer = await post_form(guarded_client, "/follow", {"handle": "@bob@10.1.2.3"},
                             page="/following")
    assert answer.status_code == 422
    assert "@bob@10.1.2.3 points at a private or local network address" in answer.text
    assert fediverse.requests == []


async def test_the_follow_pages_need_a_member_and_the_form_needs_csrf(
    client: httpx.AsyncClient, settings: Settings,
) -> None:
    assert (await client.get("/following")).headers["location"] == "/login"
    assert (await client.get("/follow-requests")).headers["location"] == "/login"
    await log_in(client, settings, "ana")
    refused = await client.post("/follow", data={"handle": "@bob@mastodon.test"})
    assert refused.status_code == 403
    assert (await client.get("/follow-requests")).status_code == 403  # not an admin


async def test_the_profile_button_follows_and_unfollows_a_local_member(
    client: httpx.AsyncClient, settings: Settings,
) -> None:
    bea = await register_member(Registration("bea", "bea@example.org", PASSWORD, True),
                                settings.registration)
    await log_in(client, settings, "ana")
    profile = (await client.get("/users/bea")).text
    assert 'value="@bea@127.0.0.1:8765"' in profile and ">Follow</button>" in profile
    answer = await post_form(client, "/follow",
                             {"handle": "@bea@127.0.0.1:8765", "next": "/users/bea"},
                             page="/users/bea")
    assert answer.status_code == 303 and answer.headers["location"] == "/users/bea"
    follow = await Follow.get()
    assert follow.state == "accepted" and follow.followed_id == bea.actor_id  # type: ignore[attr-defined]
    profile = (await client.get("/users/bea")).text
    assert ">Unfollow</button>" in profile and "<strong>1</strong> followers" in profile
    await post_form(client, "/unfollow", {"actor": str(bea.actor_id), "next": "/users/bea"},  # type: ignore[attr-defined]
                    page="/users/bea")
    assert await Follow.all().count() == 0
    own = (await client.get("/users/ana")).text
    assert ">Follow</button>" not in own  # nobody follows themself


async def test_an_approval_chapter_waits_for_an_admin_on_the_requests_page(
    client: httpx.AsyncClient, app_for: Callable[[Settings], Awaitable[httpx.AsyncClient]],
    settings: Settings,
) -> None:
    await create_chapter("Paris", "paris", join_policy="approval")
    await create_chapter("Nice", "nice", join_policy="closed")
    ana = await log_in(client, settings, "ana")
    await post_form(client, "/follow", {"handle": "paris@127.0.0.1:8765"}, page="/following")
    assert "Request pending" in (await client.get("/following")).text
    closed = await post_form(client, "/follow", {"handle": "@nice@127.0.0.1"},
                             page="/following")
    assert closed.status_code == 422 and "does not take followers" in closed.text

    admin = await app_for(settings)
    await log_in(admin, settings, "root", role="admin")
    page = (await admin.get("/follow-requests")).text
    assert "@ana@127.0.0.1:8765" in page and "asks to join <strong>Paris</strong>" in page
    follow = await Follow.get(follower_id=ana.id)
    answer = await post_form(admin, f"/follow-requests/{follow.id}", {"decision": "accept"},
                             page="/follow-requests")
    assert answer.status_code == 303
    assert (await Follow.get(id=follow.id)).state == "accepted"
    assert "No requests are waiting." in (await admin.get("/follow-requests")).text
    assert "Request pending" not in (await client.get("/following")).text
