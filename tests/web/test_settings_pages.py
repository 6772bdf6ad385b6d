"""The settings pages as a member uses them: a login is needed, forms carry CSRF, the profile
(with an avatar through the media pipeline) federates, the language sticks, sessions end."""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable

import httpx
import pytest
from PIL import Image

from actors.models import Account, Actor
from content.models import Media
from core.models import Job
from core.settings import Settings
from tests.support.forms import csrf_from, post_form
from tests.support.members import PASSWORD, log_in, new_member
from web.models import Session

AP = "application/activity+json"
PAGES = ["/settings", "/settings/profile", "/settings/password", "/settings/email",
         "/settings/sessions", "/settings/apps", "/settings/export"]
FORMS = ["/settings/profile", "/settings/password", "/settings/email", "/settings/sessions/end",
         "/settings/apps/revoke", "/settings/export"]


def png(color: str = "green", size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


async def second_browser(app_for: Callable[[Settings], Awaitable[httpx.AsyncClient]],
                         settings: Settings, username: str, agent: str) -> httpx.AsyncClient:
    browser = await app_for(settings)
    browser.headers["user-agent"] = agent
    answer = await post_form(browser, "/login", {"identifier": username, "password": PASSWORD})
    assert answer.status_code == 303
    return browser


@pytest.mark.parametrize("path", PAGES)
async def test_every_settings_page_needs_a_login(client: httpx.AsyncClient, path: str) -> None:
    answer = await client.get(path)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login"


@pytest.mark.parametrize("path", FORMS)
async def test_settings_forms_need_a_login(client: httpx.AsyncClient, path: str) -> None:
    token = await csrf_from(client, "/login")
    answer = await client.post(path, data={"csrf_token": token})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login"


@pytest.mark.parametrize("path", [*FORMS, "/confirm/resend", "/password/forgot"])
async def test_settings_forms_without_csrf_are_refused(client: httpx.AsyncClient,
                                                       settings: Settings, path: str) -> None:
    await log_in(client, settings, "ada")
    answer = await client.post(path, data={"display_name": "Mallory", "others": "1"})
    assert answer.status_code == 403
    assert "This form has expired" in answer.text
    actor = await Actor.get(username="ada")
    assert actor.display_name == "ada"
    assert await Session.filter(account__actor_id=actor.id).count() == 1


async def test_the_sub_navigation_marks_the_current_page(client: httpx.AsyncClient,
                                                         settings: Settings) -> None:
    await log_in(client, settings, "ada")
    page = await client.get("/settings/sessions")
    assert page.status_code == 200
    assert '<a href="/settings/sessions" aria-current="page">' in page.text
    for path in PAGES[1:]:
        assert f'href="{path}"' in page.text
    assert (await client.get("/settings")).headers["location"] == "/settings/profile"


async def test_a_profile_change_federates_with_avatar_header_and_fields(
        client: httpx.AsyncClient, settings: Settings) -> None:
    await log_in(client, settings, "bea")
    token = await csrf_from(client, "/settings/profile")
    answer = await client.post("/settings/profile", data={
        "csrf_token": token, "display_name": "Bea Organizer", "note": "Tenant organizer.\n\nCity.",
        "avatar_description": "Bea smiling in a green coat",
        "field_name_0": "Website", "field_value_0": "https://bea.example",
        "field_name_1": "Pronouns", "field_value_1": "she/her", "locale": "",
    }, files={"avatar": ("me.png", png(), "image/png"),
              "header": ("top.png", png("blue", (300, 100)), "image/png")})
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/settings/profile?done=profile"
    assert "Your profile is saved" in (await client.get(answer.headers["location"])).text

    actor = await Actor.get(username="bea")
    assert actor.display_name == "Bea Organizer"
    assert actor.summary == "Tenant organizer.\n\nCity."
    assert actor.profile_fields == [{"name": "Website", "value": "https://bea.example"},
                                    {"name": "Pronouns", "value": "she/her"}]
    updates = [j for j in await Job.filter(name="outbox.publish")
               if j.payload.get("kind") == "update_actor"]
    assert [j.payload["actor_id"] for j in updates] == [actor.id]

    doc = (await client.get("/users/bea", headers={"accept": AP})).json()
    assert doc["name"] == "Bea Organizer"
    assert doc["icon"]["url"].startswith(settings.server.base_url + "/media/")
    assert doc["icon"]["name"] == "Bea smiling in a green coat"
    assert doc["image"]["url"].startswith(settings.server.base_url + "/media/")
    fields = {f["name"]: f["value"] for f in doc["attachment"] if f["type"] == "PropertyValue"}
    assert fields["Pronouns"] == "she/her"
    assert 'href="https://bea.example"' in fields["Website"]
    image = await client.get(doc["icon"]["url"])
    assert image.status_code == 200
    assert image.headers["content-type"] in ("image/jpeg", "image/png")
    assert Image.open(io.BytesIO(image.content)).size == (64, 48)


async def test_an_avatar_without_alt_text_or_a_non_image_is_refused_and_nothing_stored(
        client: httpx.AsyncClient, settings: Settings) -> None:
    await log_in(client, settings, "cai")
    token = await csrf_from(client, "/settings/profile")
    no_alt = await client.post("/settings/profile", data={
        "csrf_token": token, "display_name": "Cai"},
        files={"avatar": ("me.png", png(), "image/png")})
    assert no_alt.status_code == 422
    assert "Describe your avatar" in no_alt.text
    assert 'value="Cai"' in no_alt.text  # what was typed stays
    not_image = await client.post("/settings/profile", data={
        "csrf_token": token, "display_name": "Cai", "avatar_description": "me"},
        files={"avatar": ("me.png", b"<script>alert(1)</script>", "image/png")})
    assert not_image.status_code == 422
    assert "Upload a JPEG, PNG, GIF or WebP image." in not_image.text
    too_long = await client.post("/settings/profile", data={
        "csrf_token": token, "display_name": "x" * 101, "avatar_description": "me"},
        files={"avatar": ("me.png", png(), "image/png")})
    assert too_long.status_code == 422
    assert await Media.all().count() == 0
    actor = await Actor.get(username="cai")
    assert actor.display_name == "cai" and actor.avatar_url is None
    assert not await Job.filter(name="outbox.publish").exists()


async def test_the_chosen_language_is_kept_and_used(client: httpx.AsyncClient,
                                                    settings: Settings) -> None:
    await log_in(client, settings, "dan")
    answer = await post_form(client, "/settings/profile",
                             {"display_name": "Dan", "locale": "es"})
    assert answer.status_code == 303
    assert (await Account.get(email="dan@example.org")).locale == "es"
    page = await client.get("/settings/profile", headers={"accept-language": "en"})
    assert '<html lang="es">' in page.text
    bad = await post_form(client, "/settings/profile", {"display_name": "Dan", "locale": "xx"})
    assert bad.status_code == 422
    back = await post_form(client, "/settings/profile", {"display_name": "Dan", "locale": ""})
    assert back.status_code == 303
    assert (await Account.get(email="dan@example.org")).locale == ""


async def test_sessions_are_listed_and_ended(
        client: httpx.AsyncClient, app_for: Callable[[Settings], Awaitable[httpx.AsyncClient]],
        settings: Settings) -> None:
    client.headers["user-agent"] = "Firefox on the office laptop"
    await log_in(client, settings, "eli")
    phone = await second_browser(app_for, settings, "eli", "Chromium on a phone")
    tablet = await second_browser(app_for, settings, "eli", "Safari on a tablet")
    page = await client.get("/settings/sessions")
    for agent in ("Firefox on the office laptop", "Chromium on a phone", "Safari on a tablet"):
        assert agent in page.text
    assert page.text.count("This browser") == 1

    phone_id = next(s.id for s in await Session.all() if s.user_agent.startswith("Chromium"))
    ended = await post_form(client, "/settings/sessions/end", {"session": phone_id},
                            page="/settings/sessions")
    assert ended.status_code == 303
    assert (await phone.get("/settings/sessions")).headers["location"] == "/login"
    assert (await tablet.get("/settings/sessions")).status_code == 200

    others = await post_form(client, "/settings/sessions/end", {"others": "1"},
                             page="/settings/sessions")
    assert others.status_code == 303
    assert (await tablet.get("/settings/sessions")).headers["location"] == "/login"
    assert (await client.get("/settings/sessions")).status_code == 200
    assert await Session.all().count() == 1


async def test_one_cannot_end_another_members_session(client: httpx.AsyncClient,
                                                      app_for: Callable[[Settings], Awaitable[httpx.AsyncClient]],
                                                      settings: Settings) -> None:
    await log_in(client, settings, "fay")
    await new_member(settings, "gus")
    gus = await second_browser(app_for, settings, "gus", "Gus's browser")
    gus_session = (await Session.get(user_agent="Gus's browser")).id
    await post_form(client, "/settings/sessions/end", {"session": gus_session},
                    page="/settings/sessions")
    assert (await gus.get("/settings/sessions")).status_code == 200
