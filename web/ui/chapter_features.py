"""Featuring posts in a chapter: its coordinators pin posts made in it to the top of the
chapter page; the chapter tells its followers (Add/Remove on its featured collection)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from content.models import Post
from content.pins import feature_post, unfeature_post
from core.ids import parse_id
from web.ui.auth import read_form
from web.ui.chapters import coordinated_chapter


async def feature_submit(request: Request) -> Response:
    """POST /chapters/{slug}/featured: `post` (an id of a post in this chapter) and
    `action` feature or unfeature; back to the chapter page."""
    form = await read_form(request)
    found = await coordinated_chapter(request)
    if isinstance(found, Response):
        return found
    _, chapter = found
    post_id = parse_id(str(form.get("post", ""))[:30])
    post = await Post.get_or_none(id=post_id, chapter_id=chapter.actor.id) if post_id else None
    if post is not None and form.get("action") == "feature":
        await feature_post(chapter.actor, post)
    elif post is not None and form.get("action") == "unfeature":
        await unfeature_post(chapter.actor, post)
    return RedirectResponse(f"/chapters/{chapter.slug}", status_code=303)


def routes() -> list[Route]:
    return [Route("/chapters/{slug}/featured", feature_submit, methods=["POST"])]
