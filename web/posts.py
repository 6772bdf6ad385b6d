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
from web.sessions import current_account
from web.templating import render
from web.ui import post_actions
from web.ui.post_actions import may_see, post_page

# Only these are served to anyone who asks; followers-only and direct posts need a signed,
# authorized fetch, which comes with the visibility policy of a later issue: until then 404.
PUBLIC_VISIBILITIES = ("public", "unlisted")


async def _stored_post(request: Request) -> Post | None:
    ident = parse_id(request.path_params["post_id"])
    if ident is None:
        return None
    return await Post.get_or_none(id=ident).prefetch_related("author")


def _served_to_anyone(post: Post | None) -> bool:
    return (post is not None and post.author.is_local  # type: ignore[attr-defined]
            and post.visibility in PUBLIC_VISIBILITIES)


async def post_document(request: Request) -> Response:
    as_json = wants_activity_json(request)
    post = await _stored_post(request)
    if not as_json and post is not None and not post.is_deleted:
        # Browsers: also a member's own followers-only post and, to members, remote posts
        # stored here, with the actions of web.ui.post_actions.
        if may_see(post, await current_account(request)):
            response = await post_page(request, post)
            response.headers["vary"] = "Accept"
            return response
        post = None
    if post is None or not _served_to_anyone(post):
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
    return ap_response(await render_post_document(local_urls(request), post))


def routes() -> list[Route]:
    return [
        Route("/compose", post_actions.compose_page, methods=["GET"], name="compose"),
        Route("/posts", post_actions.compose_submit, methods=["POST"], name="posts"),
        Route("/posts/{post_id}", post_document, methods=["GET"], name="post"),
        Route("/posts/{post_id}/reply", post_actions.reply_submit, methods=["POST"]),
        Route("/posts/{post_id}/edit", post_actions.edit_submit, methods=["POST"]),
        Route("/posts/{post_id}/delete", post_actions.delete_submit, methods=["POST"]),
        Route("/posts/{post_id}/{action:str}", post_actions.react_submit, methods=["POST"]),
    ]
