"""A post's address: ActivityPub JSON to other servers, a page to browsers, 410 once deleted."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from content.models import Post
from core.ids import parse_id
from federation import Tombstone
from outbox.posts import render_post_document
from web.activitypub import ap_response, local_urls, wants_activity_json
from web.templating import render

# Only these are served to anyone who asks; followers-only and direct posts need a signed,
# authorized fetch, which comes with the visibility policy of a later issue: until then 404.
PUBLIC_VISIBILITIES = ("public", "unlisted")


async def _local_post(request: Request) -> Post | None:
    ident = parse_id(request.path_params["post_id"])
    if ident is None:
        return None
    post = await Post.get_or_none(id=ident).prefetch_related("author")
    if post is None or not post.author.is_local or post.visibility not in PUBLIC_VISIBILITIES:
        return None
    return post


async def post_document(request: Request) -> Response:
    as_json = wants_activity_json(request)
    post = await _local_post(request)
    if post is None:
        if as_json:
            return JSONResponse({"error": "not found"}, status_code=404, headers={"vary": "Accept"})
        response = await render(request, "error.html", {"title": "Page not found", "status": 404},
                                404)
        response.headers["vary"] = "Accept"
        return response
    if post.is_deleted:
        tomb = Tombstone(id=post.uri, former_type="Article" if post.kind == "article" else "Note",
                         deleted=post.deleted_at)
        if as_json:
            return ap_response(tomb.to_ap(), status=410)
        response = await render(request, "error.html", {
            "title": "This post was deleted", "status": 410}, 410)
        response.headers["vary"] = "Accept"
        return response
    if as_json:
        return ap_response(await render_post_document(local_urls(request), post))
    response = await render(request, "post.html", {"post": post, "author": post.author})
    response.headers["vary"] = "Accept"
    return response


def routes() -> list[Route]:
    return [Route("/posts/{post_id}", post_document, methods=["GET"], name="post")]
