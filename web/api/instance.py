"""GET /api/v1/instance and /api/v2/instance: what Mastodon apps read first — the version
they parse, the API version, the limits they enforce while composing, registrations."""

from __future__ import annotations

from importlib import metadata
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from actors.accounts import member_count
from actors.directory import admin_actors
from content import media, polls
from content.posts import SOURCE_MAX
from content.tally import active_member_count, local_post_count
from core.settings import Settings
from web.api.entities import account_entity

# The Mastodon release whose API we follow; apps parse the leading version number.
MASTODON_COMPAT = "4.3.0"
MASTODON_API_VERSION = 2
THUMBNAIL = "/static/favicon.svg"
MIME_TYPES = ["image/jpeg", "image/png", "image/gif", "image/webp"]
CORS = {"access-control-allow-origin": "*"}


def version() -> str:
    try:
        ours = metadata.version("chapterhouse")
    except metadata.PackageNotFoundError:
        ours = "0"
    return f"{MASTODON_COMPAT} (compatible; Chapterhouse {ours})"


def configuration(settings: Settings) -> dict[str, Any]:
    """The limits our services enforce, in Mastodon's words."""
    base = settings.server.base_url.rstrip("/")
    streaming = "wss" if settings.server.scheme == "https" else "ws"
    return {
        "urls": {"streaming": f"{streaming}://{settings.server.public_host}",
                 "status": None, "about": f"{base}/", "privacy_policy": None,
                 "terms_of_service": None},
        "accounts": {"max_featured_tags": 0, "max_pinned_statuses": 0},
        "statuses": {"max_characters": SOURCE_MAX["note"], "max_media_attachments": 4,
                     "characters_reserved_per_url": 23},
        "media_attachments": {
            "supported_mime_types": MIME_TYPES,
            "description_limit": media.DESCRIPTION_MAX,
            "image_size_limit": media.MAX_BYTES,
            "image_matrix_limit": media.MAX_PIXELS,
            "video_size_limit": 0,
            "video_frame_rate_limit": 0,
            "video_matrix_limit": 0,
        },
        "polls": {
            "max_options": polls.OPTIONS_MAX,
            "max_characters_per_option": polls.OPTION_MAX,
            "min_expiration": int(polls.DURATION_MIN.total_seconds()),
            "max_expiration": int(polls.DURATION_MAX.total_seconds()),
        },
        "translation": {"enabled": False},
        "vapid": {"public_key": ""},
    }


async def _contact(settings: Settings) -> tuple[str, dict[str, Any] | None]:
    admins = await admin_actors()
    account = (await account_entity(admins[0], base_url=settings.server.base_url)
               if admins else None)
    return settings.email.from_address, account


async def instance_v2(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    base = settings.server.base_url.rstrip("/")
    email, account = await _contact(settings)
    mode = settings.registration.mode
    doc = {
        "domain": settings.instance.domain,
        "title": settings.instance.name,
        "version": version(),
        "source_url": f"{base}/",  # no public repository address yet
        "description": settings.instance.description,
        "usage": {"users": {"active_month": await active_member_count(30)}},
        "thumbnail": {"url": f"{base}{THUMBNAIL}"},
        "icon": [],
        "languages": ["en"],
        "configuration": configuration(settings),
        "registrations": {"enabled": mode != "invite", "approval_required": mode == "approval",
                          "message": None, "url": None},
        "api_versions": {"mastodon": MASTODON_API_VERSION},
        "contact": {"email": email, "account": account},
        "rules": [],
    }
    return JSONResponse(doc, headers=CORS)


async def instance_v1(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    base = settings.server.base_url.rstrip("/")
    email, account = await _contact(settings)
    mode = settings.registration.mode
    config = configuration(settings)
    doc = {
        "uri": settings.instance.domain,
        "title": settings.instance.name,
        "short_description": settings.instance.description,
        "description": settings.instance.description,
        "email": email,
        "version": version(),
        "urls": {"streaming_api": config["urls"]["streaming"]},
        "stats": {"user_count": await member_count(), "status_count": await local_post_count(),
                  "domain_count": 0},
        "thumbnail": f"{base}{THUMBNAIL}",
        "languages": ["en"],
        "registrations": mode != "invite",
        "approval_required": mode == "approval",
        "invites_enabled": True,
        "configuration": {k: config[k] for k in ("accounts", "statuses", "media_attachments",
                                                  "polls")},
        "contact_account": account,
        "rules": [],
    }
    return JSONResponse(doc, headers=CORS)
