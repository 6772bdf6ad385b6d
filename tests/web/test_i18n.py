"""The web UI's languages: the member's choice, then Accept-Language, then English; localized
dates and numbers; a service's form error shown in the reader's language."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from actors.models import Account
from actors.urls import LocalUrls
from content.models import Post
from content.posts import create_post
from core.messages import N_, Message, message_of
from core.settings import Settings
from tests.support.forms import post_form
from tests.support.members import log_in
from web.i18n import languages, negotiate, supported

ES = {"accept-language": "es-ES,es;q=0.9,en;q=0.5"}
JOIN = {"username": "ana", "display_name": "Ana", "email": "ana@example.org",
        "password": "a long enough password", "commitments": "accept"}


async def test_a_visitor_asking_for_spanish_gets_the_page_in_spanish(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/", headers=ES)
    assert page.status_code == 200
    assert '<html lang="es">' in page.text
    assert page.headers["content-language"] == "es"
    assert "Accept-Language" in page.headers["vary"] and "Cookie" in page.headers["vary"]
    for spanish in ("Iniciar sesión", "Nuestra campaña", "Secciones", "Saltar al contenido"):
        assert spanish in page.text, spanish
    assert "Skip to content" not in page.text and "Our campaign" not in page.text
    login = await client.get("/login", headers=ES)
    assert "Nombre de usuario o correo electrónico" in login.text and "Contraseña" in login.text


async def test_english_is_the_default_and_unknown_languages_fall_back_to_it(
    client: httpx.AsyncClient,
) -> None:
    for headers in ({}, {"accept-language": "de-DE,fr;q=0.8"}, {"accept-language": "es;q=0"}):
        page = await client.get("/", headers=headers)
        assert '<html lang="en">' in page.text and "Our campaign" in page.text, headers
        assert page.headers["content-language"] == "en"


async def test_the_members_choice_wins_over_the_browsers(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    ana = await log_in(client, settings, "ana")
    await Account.filter(actor_id=ana.id).update(locale="es")
    page = await client.get("/timeline", headers={"accept-language": "en-GB,en"})
    assert '<html lang="es">' in page.text and "Cerrar sesión" in page.text
    assert "Log out" not in page.text
    await Account.filter(actor_id=ana.id).update(locale="en")
    page = await client.get("/timeline", headers=ES)
    assert '<html lang="en">' in page.text and "Log out" in page.text
    assert "Cerrar sesión" not in page.text
    await Account.filter(actor_id=ana.id).update(locale="")  # no choice: the browser decides
    page = await client.get("/timeline", headers=ES)
    assert '<html lang="es">' in page.text


async def test_dates_and_numbers_are_written_the_readers_way(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    ana = await log_in(client, settings, "ana")
    post = await create_post(LocalUrls(settings.server.base_url), ana, "A note about dates",
                             visibility="public")
    await Post.filter(id=post.id).update(published=datetime(2024, 5, 1, 19, 12, tzinfo=UTC))
    english = await client.get(f"/posts/{post.id}")
    assert "May 1, 2024, 7:12\u202fPM UTC" in english.text
    spanish = await client.get(f"/posts/{post.id}", headers=ES)
    assert "1 may 2024, 19:12 UTC" in spanish.text
    home = await client.get("/", headers=ES)
    assert "de un objetivo de 1.000" in home.text  # Spanish groups digits with a dot
    assert "of a goal of 1,000" in (await client.get("/")).text


async def test_a_form_error_from_a_service_is_shown_in_spanish(
    client: httpx.AsyncClient,
) -> None:
    short = await post_form(client, "/join", {**JOIN, "password": "short"}, headers=ES)
    assert short.status_code == 422
    assert "Usa al menos 8 caracteres." in short.text  # actors' N_ with a value
    assert "Use at least" not in short.text
    wrong = await post_form(client, "/login", {"identifier": "nobody", "password": "x" * 12},
                            headers=ES)
    assert wrong.status_code == 401
    assert "El nombre de usuario, el correo electrónico o la contraseña no son correctos." in (
        wrong.text)
    english = await post_form(client, "/join", {**JOIN, "password": "short"})
    assert "Use at least 8 characters." in english.text


async def test_a_message_is_english_text_that_keeps_its_msgid_and_values() -> None:
    message = N_("Use at most %(max)s characters.", max=500)
    assert message == "Use at most 500 characters." and isinstance(message, str)
    assert message.msgid == "Use at most %(max)s characters." and message.params == {"max": 500}
    assert message_of(ValueError(message)) is message
    spanish = languages()["es"]
    assert spanish.translate(message) == "Usa como máximo 500 caracteres."
    assert spanish.translate("not a Message") == "not a Message"
    nested = N_("This is possible in the %(phases)s phase only; the ballot is in the "
                "%(phase)s phase.", phases=N_("proposals"), phase=N_("voting"))
    assert spanish.translate(nested) == ("Esto solo es posible en la fase de propuestas; la "
                                         "votación está en la fase de votación.")
    assert isinstance(nested.params["phase"], Message)


def test_accept_language_is_negotiated_by_quality() -> None:
    assert negotiate("es-MX") == "es"
    assert negotiate("fr, es;q=0.4, en;q=0.6") == "en"
    assert negotiate("de, *;q=0.1") is None
    assert negotiate("garbage;q=x, es") == "es"
    assert negotiate("") is None
    assert supported("ES_es") == "es" and supported("pt") is None
