"""Media uploads in the Mastodon client API: POST /api/v2/media and /api/v1/media (an image,
checked and re-encoded by content.media.store_image, processed at once), and reading or
describing one's own uploads not yet attached to a status."""

from __future__ import annotations

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from actors.models import Actor
from content.errors import NotAllowed, ValidationFailed
from content.media import DESCRIPTION_MAX, MAX_BYTES, set_description, store_image
from content.models import Media
from content.posts import unattached_media
from web.api.auth import api_account
from web.api.entities_status import media_entity
from web.api.errors import ApiError, api_endpoint, read_params, text_param, unprocessable
from web.api.routing import both
from web.api.statuses import PRIVATE, not_found

#: Room for the form's other fields and the multipart framing around the file.
FORM_OVERHEAD = 64 * 1024


def routes() -> list[BaseRoute]:
    return [
        *both("/api/v2/media", upload, ["POST"]),
        *both("/api/v1/media", upload, ["POST"]),
        *both("/api/v1/media/{id}", show_media, ["GET"]),
        *both("/api/v1/media/{id}", describe_media, ["PUT"]),
    ]


def _base(request: Request) -> str:
    return request.app.state.settings.server.base_url  # type: ignore[no-any-return]


def _too_big() -> ApiError:
    return unprocessable(f"file is larger than {MAX_BYTES // (1024 * 1024)} MB")


async def _file_and_description(request: Request) -> tuple[bytes, str]:
    """The uploaded file's bytes (capped) and its description, from a multipart form."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "multipart/form-data":
        raise unprocessable("send the file as multipart/form-data")
    length = request.headers.get("content-length", "")
    if not length.isdigit():  # a chunked body would be spooled whole before any check
        raise ApiError(411, "Content-Length required")
    if int(length) > MAX_BYTES + FORM_OVERHEAD:
        raise _too_big()
    try:
        form = await request.form(max_files=1, max_fields=10, max_part_size=16 * 1024)
    except (ValueError, KeyError) as exc:  # starlette's MultiPartException is a ValueError
        raise unprocessable(f"the form could not be read ({exc})") from None
    item = form.get("file")
    if not isinstance(item, UploadFile):
        raise unprocessable("file is missing")
    data = await item.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise _too_big()
    description = form.get("description")
    if description is not None and not isinstance(description, str):
        raise unprocessable("description must be text")
    if description and len(description) > DESCRIPTION_MAX:
        raise unprocessable(f"description is longer than {DESCRIPTION_MAX} characters")
    return data, description or ""


@api_endpoint
async def upload(request: Request) -> Response:
    """POST /api/v2/media and /api/v1/media (write:media): a MediaAttachment, processed
    at once (so v2 answers 200, never 202). A file that is not an accepted image, or too
    big, is refused with 422 and the reason."""
    account = await api_account(request, "write:media")
    data, description = await _file_and_description(request)
    try:
        media = await store_image(request.app.state.settings.data_dir, account.actor, data,
                                  description, require_description=False)
    except ValidationFailed as exc:
        raise unprocessable(" ".join(exc.errors.values())) from None
    return JSONResponse(media_entity(media, base_url=_base(request)), headers=PRIVATE)


async def _own_unattached(request: Request, me: Actor) -> Media:
    raw = str(request.path_params.get("id", ""))
    media = (await unattached_media(me, int(raw))
             if raw.isdigit() and len(raw) < 20 else None)
    if media is None:
        raise not_found()
    return media


@api_endpoint
async def show_media(request: Request) -> Response:
    """GET /api/v1/media/:id (write:media): one's own upload, until it is attached."""
    account = await api_account(request, "write:media")
    media = await _own_unattached(request, account.actor)
    return JSONResponse(media_entity(media, base_url=_base(request)), headers=PRIVATE)


@api_endpoint
async def describe_media(request: Request) -> Response:
    """PUT /api/v1/media/:id (write:media): change the description (`focus` is ignored)."""
    account = await api_account(request, "write:media")
    me: Actor = account.actor
    media = await _own_unattached(request, me)
    params = await read_params(request)
    if "description" in params:
        try:
            media = await set_description(
                me, media, text_param(params, "description", DESCRIPTION_MAX))
        except NotAllowed:
            raise not_found() from None
    return JSONResponse(media_entity(media, base_url=_base(request)), headers=PRIVATE)
