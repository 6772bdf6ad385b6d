"""Serving uploaded images: GET /media/{id}/{name}, with the stored type forced and nothing
a browser could run (no sniffing, a sandboxing CSP); another server's image is not ours to
serve."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Route

from content.errors import NotFound
from content.media import media_file
from content.models import Media
from core.ids import parse_id

#: What an image answer carries besides its file (the app's own security headers stay for
#: the rest; a CSP given here replaces the page one).
MEDIA_HEADERS = {
    "x-content-type-options": "nosniff",
    "content-disposition": "inline",
    "content-security-policy": "default-src 'none'; sandbox",
    "cache-control": "public, max-age=31536000, immutable",
    "cross-origin-resource-policy": "cross-origin",
}
#: Only what store_image writes is ever served (a row claiming another type is not).
SERVED_TYPES = ("image/jpeg", "image/png")


def _missing() -> Response:
    return PlainTextResponse("not found", status_code=404,
                             headers={"x-content-type-options": "nosniff"})


async def media_answer(request: Request) -> Response:
    """The file of a local image, or 404 (unknown id, a remote image, a wrong name)."""
    ident = parse_id(str(request.path_params.get("media_id", "")))
    if ident is None:
        return _missing()
    media = await Media.get_or_none(id=ident)
    if media is None or media.content_type not in SERVED_TYPES:
        return _missing()
    name = request.path_params.get("name")
    if name is not None and name != media.path:
        return _missing()
    try:
        path = media_file(request.app.state.settings.data_dir, media)
    except NotFound:
        return _missing()
    return FileResponse(path, media_type=media.content_type, headers=MEDIA_HEADERS)


def routes() -> list[Route]:
    return [
        Route("/media/{media_id}", media_answer, methods=["GET", "HEAD"], name="media"),
        Route("/media/{media_id}/{name}", media_answer, methods=["GET", "HEAD"]),
    ]
