"""The member's settings (/settings): the sub-navigation and shared helpers, the profile page
(name, bio, avatar and header, profile fields, language) and the routes of every settings page."""

from __future__ import annotations

from typing import Any

from babel import Locale
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from actors.credentials import LOCALES, set_locale
from actors.errors import ValidationFailed
from actors.models import Account
from actors.profiles import (
    FIELD_TEXT_MAX,
    FIELDS_MAX,
    IMAGE_DESCRIPTION_MAX,
    NOTE_MAX,
    ProfileImage,
    profile_errors,
    update_profile,
)
from content.errors import ValidationFailed as ContentValidationFailed
from content.media import MAX_BYTES, media_src, store_image
from core.db import in_transaction
from core.messages import N_
from web.ui import settings_account, settings_apps
from web.ui.settings_common import done, member, read_settings_form, settings_page, text


def language_choices() -> list[tuple[str, str]]:
    """The interface languages, each named in itself; "" first (the browser decides)."""
    return [(code, (Locale.parse(code).get_display_name(code) or code).capitalize())
            for code in LOCALES if code]


def _profile_values(account: Account) -> dict[str, Any]:
    actor = account.actor
    rows = list(actor.profile_fields or []) if isinstance(actor.profile_fields, list) else []
    rows += [{"name": "", "value": ""}] * (FIELDS_MAX - len(rows))
    return {"display_name": actor.display_name, "note": actor.summary,
            "avatar_description": actor.avatar_description or "",
            "locked": actor.manually_approves_followers, "locale": account.locale,
            "fields": rows[:FIELDS_MAX]}


async def _profile(request: Request, account: Account, values: dict[str, Any],
                   errors: dict[str, str] | None = None, status: int = 200) -> Response:
    return await settings_page(request, "settings_profile.html", {
        "values": values, "errors": errors or {}, "actor": account.actor,
        "languages": language_choices(), "note_max": NOTE_MAX, "field_max": FIELD_TEXT_MAX,
        "description_max": IMAGE_DESCRIPTION_MAX,
    }, status)


async def settings_index(request: Request) -> Response:
    """GET /settings: the first section."""
    account = await member(request)
    if isinstance(account, Response):
        return account
    return RedirectResponse("/settings/profile", status_code=303)


async def profile_form(request: Request) -> Response:
    account = await member(request)
    if isinstance(account, Response):
        return account
    return await _profile(request, account, _profile_values(account))


async def _upload(form: FormData, name: str) -> bytes | None:
    """The chosen file's bytes (None: none chosen); more than the cap is read one byte past it,
    so store_image refuses it."""
    item = form.get(name)
    if not isinstance(item, UploadFile) or not item.filename:
        return None
    return await item.read(MAX_BYTES + 1)


async def _image(request: Request, account: Account, form: FormData, name: str,
                 description: str, errors: dict[str, str]) -> ProfileImage | None:
    """The new picture for `name` (avatar, header): an upload stored through the media
    pipeline, "" to remove it, the same address with a new alt text, or None (unchanged)."""
    actor = account.actor
    data = await _upload(form, name)
    current = actor.avatar_url if name == "avatar" else actor.header_url
    if data is None:
        if text(form, f"remove_{name}", 5):
            return ProfileImage("")
        if name == "avatar" and current and description != (actor.avatar_description or ""):
            return ProfileImage(current, description)
        return None
    if name == "avatar" and not description:
        errors["avatar_description"] = N_("Describe your avatar for people who cannot see it.")
        return None
    try:
        media = await store_image(request.app.state.settings.data_dir, actor, data,
                                  description, require_description=name == "avatar")
    except ContentValidationFailed as exc:
        errors[name] = next(iter(exc.errors.values()))
        return None
    return ProfileImage(media_src(media), description)


async def profile_submit(request: Request) -> Response:
    """POST /settings/profile: the profile (an Update goes to followers) and the language."""
    account = await member(request)
    if isinstance(account, Response):
        return account
    form = await read_settings_form(request, files=2)
    rows = [(text(form, f"field_name_{i}", FIELD_TEXT_MAX * 2).strip(),
             text(form, f"field_value_{i}", FIELD_TEXT_MAX * 2).strip()) for i in range(FIELDS_MAX)]
    values: dict[str, Any] = {
        "display_name": text(form, "display_name", 1000), "note": text(form, "note"),
        "avatar_description": text(form, "avatar_description", 3000).strip(),
        "locked": bool(text(form, "locked", 5)), "locale": text(form, "locale", 20),
        "fields": [{"name": k, "value": v} for k, v in rows],
    }
    errors: dict[str, str] = dict(profile_errors(display_name=values["display_name"],
                                                 note=values["note"], fields=rows))
    if values["locale"] not in LOCALES:
        errors["locale"] = N_("Choose one of the languages offered.")
    if errors:  # checked before any upload is stored, so a refused form leaves nothing behind
        return await _profile(request, account, values, errors, 422)
    avatar = await _image(request, account, form, "avatar", values["avatar_description"], errors)
    header = await _image(request, account, form, "header", "", errors)
    if errors:
        return await _profile(request, account, values, errors, 422)
    try:
        async with in_transaction():
            await update_profile(account.actor, display_name=values["display_name"],
                                 note=values["note"], locked=values["locked"],
                                 avatar=avatar, header=header, fields=rows)
            await set_locale(account, values["locale"])
    except ValidationFailed as exc:
        return await _profile(request, account, values, dict(exc.errors), 422)
    return done("/settings/profile", "profile")


def routes() -> list[BaseRoute]:
    """Every settings page (the other sections are in settings_account and settings_apps)."""
    return [
        Route("/settings", settings_index, methods=["GET"], name="settings"),
        Route("/settings/profile", profile_form, methods=["GET"], name="settings_profile"),
        Route("/settings/profile", profile_submit, methods=["POST"]),
        *settings_account.routes(),
        *settings_apps.routes(),
    ]
