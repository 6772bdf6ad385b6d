"""A post's address: ActivityPub JSON to other servers, a page to browsers, 410 once deleted;
its `replies` collection; who sees what is content.visibility's answer."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from content.models import Post
from content.visibility import OPEN, can_see
from core.ids import parse_id
from core.messages import N_
from federation import Tombstone
from outbox.posts import render_post_document
from outbox.threads import render_replies
from web.activitypub import (
    ap_response,
    local_urls,
    private_ap_response,
    signed_viewer,
    wants_activity_json,
)
from web.sessions import current_account
from web.templating import render
from web.ui import post_actions
from web.ui.post_actions import may_see, post_page


async def _stored_post(request: Request) -> Post | None:
    ident = parse_id(request.path_params["post_id"])
    if ident is None:
        return None
    return await Post.get_or_none(id=ident).prefetch_related("author")


def _tombstoned(post: Post) -> bool:
    """A deleted post of ours answers 410 with a Tombstone when it was open to everyone;
    a deleted followers-only or direct post stays 404, as it was to anyone asking."""
    return (post.is_deleted and post.author.is_local  # type: ignore[attr-defined]
            and post.visibility in OPEN)


async def _not_found(request: Request, as_json: bool) -> Response:
    # 404, never 403: a post the asker may not see must not be told apart from no post.
    if as_json:
        return JSONResponse({"error": "not found"}, status_code=404, headers={"vary": "Accept"})
    response = await render(request, "error.html", {"title": N_("Page not found"), "status": 404},
                            404)
    response.headers["vary"] = "Accept"
    return response


async def _tombstone(request: Request, post: Post, as_json: bool) -> Response:
    tomb = Tombstone(id=post.uri, former_type="Article" if post.kind == "article" else "Note",
                     deleted=post.deleted_at)
    if as_json:
        return ap_response(tomb.to_ap(), status=410)
    response = await render(request, "error.html", {
        "title": N_("This post was deleted"), "status": 410}, 410)
    response.headers["vary"] = "Accept"
    return response


async def _json_answer(request: Request, post: Post) -> Response:
    """Our live post's JSON, to whoever the policy lets see it: anyone for public and
    unlisted posts; for the others the signer of an authorized fetch (a signed GET by a
    follower, a mentioned actor or a member of the post's chapter), privately."""
    if not post.author.is_local:  # type: ignore[attr-defined]
        return await _not_found(request, True)  # another server's post: its id is there
    viewer = await signed_viewer(request)
    if not await can_see(post, viewer):
        return await _not_found(request, True)
    document = await render_post_document(local_urls(request), post)
    if post.visibility in OPEN:
        return ap_response(document)
    return private_ap_response(document)


async def post_document(request: Request) -> Response:
    as_json = wants_activity_json(request)
    post = await _stored_post(request)
    if post is None:
        return await _not_found(request, as_json)
    if _tombstoned(post):
        return await _tombstone(request, post, as_json)
    if post.is_deleted:
        return await _not_found(request, as_json)
    if as_json:
        return await _json_answer(request, post)
    # Browsers: the policy for the signed-in member (remote posts to members only), with
    # the actions of web.ui.post_actions.
    if not await may_see(post, await current_account(request)):
        return await _not_found(request, False)
    response = await post_page(request, post)
    response.headers["vary"] = "Accept"
    return response


async def replies_collection(request: Request) -> Response:
    """GET /posts/{id}/replies: the `replies` collection of one of our posts (`?page=N`
    for its pages) to whoever may see the post; browsers go to the post's comments."""
    as_json = wants_activity_json(request)
    post = await _stored_post(request)
    if post is None or post.is_deleted or not post.author.is_local:  # type: ignore[attr-defined]
        return await _not_found(request, as_json)
    if not as_json:
        return RedirectResponse(f"/posts/{post.id}#comments", status_code=303,
                                headers={"vary": "Accept"})
    if not await can_see(post, await signed_viewer(request)):
        return await _not_found(request, True)
    raw = request.query_params.get("page")
    page = int(raw) if raw is not None and raw.isdigit() and 0 < int(raw) < 100_000 else None
    if raw is not None and page is None:
        return await _not_found(request, True)
    document = await render_replies(post, page)
    return ap_response(document) if post.visibility in OPEN else private_ap_response(document)


def routes() -> list[Route]:
    return [
        Route("/compose", post_actions.compose_page, methods=["GET"], name="compose"),
        Route("/posts", post_actions.compose_submit, methods=["POST"], name="posts"),
        Route("/posts/{post_id}", post_document, methods=["GET"], name="post"),
        Route("/posts/{post_id}/reply", post_actions.reply_submit, methods=["POST"]),
        Route("/posts/{post_id}/edit", post_actions.edit_submit, methods=["POST"]),
        Route("/posts/{post_id}/delete", post_actions.delete_submit, methods=["POST"]),
        Route("/posts/{post_id}/replies", replies_collection, methods=["GET"]),
        Route("/posts/{post_id}/remove", post_actions.remove_submit, methods=["POST"]),
        Route("/posts/{post_id}/{action:str}", post_actions.react_submit, methods=["POST"]),
    ]
