"""Members acting on posts from the web UI: writing (/compose, POST /posts), and on a post's
page replying, liking, boosting and, for the author, editing and deleting. Deliberately small
(forms only); a later issue redesigns the UI."""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from actors.models import Account, Actor, Follow
from actors.urls import LocalUrls
from content.errors import NotAllowed, NotFound, ValidationFailed
from content.models import Boost, Like, Post
from content.polls import results_of_post
from content.posts import SOURCE_MAX, create_post, delete_post, edit_post
from content.reactions import boost_post, like_post, unboost_post, unlike_post
from content.visibility import can_show_page, shown_on_pages
from core.ids import parse_id
from web.sessions import current_account
from web.templating import render
from web.ui.auth import read_form

# What a member may choose when writing here; a later issue adds unlisted and direct.
WRITABLE_VISIBILITIES = ("public", "followers")
# Posts anyone may see and act on; other visibilities only by their (local) author.
OPEN_VISIBILITIES = ("public", "unlisted")
REACTIONS = ("like", "unlike", "boost", "unboost")
TEXT_MAX = SOURCE_MAX["note"] + 100  # cut before the service's own check, which names the limit


def _text(form: FormData, name: str, limit: int = TEXT_MAX) -> str:
    value = form.get(name)
    return value[:limit] if isinstance(value, str) else ""


def _urls(request: Request) -> LocalUrls:
    return LocalUrls(request.app.state.settings.server.base_url)


def _first_error(exc: ValidationFailed) -> str:
    return next(iter(exc.errors.values()), "This post cannot be saved.")


async def may_see(post: Post, account: Account | None) -> bool:
    """Whether a page viewer may see `post` (author prefetched): the visibility policy
    (content.visibility.can_show_page) for the signed-in member's actor, or anonymous."""
    return await can_show_page(post, account.actor if account is not None else None)


async def post_page(request: Request, post: Post, *, error: str | None = None,
                    reply: str = "", edit: str | None = None, status: int = 200) -> Response:
    """The page of a live post (author prefetched), with the viewer's actions."""
    account = await current_account(request)
    actor_id = account.actor_id if account else None  # type: ignore[attr-defined]
    viewer = account.actor if account is not None else None
    shown = await shown_on_pages(Post.filter(in_reply_to_id=post.id, deleted_at__isnull=True),
                                 viewer)
    replies = await shown.order_by("published").limit(100).prefetch_related("author")
    context = {
        "post": post,
        "author": post.author,
        "replies": replies,
        "likes": await Like.filter(post_id=post.id).count(),
        "boosts": await Boost.filter(post_id=post.id).count(),
        "liked": bool(actor_id) and await Like.filter(actor_id=actor_id,
                                                      post_id=post.id).exists(),
        "boosted": bool(actor_id) and await Boost.filter(actor_id=actor_id,
                                                         post_id=post.id).exists(),
        "mine": actor_id is not None and post.author_id == actor_id,  # type: ignore[attr-defined]
        "shareable": post.visibility in OPEN_VISIBILITIES,
        "error": error,
        "reply_text": reply,
        "edit_text": post.source if edit is None else edit,
        "poll": await results_of_post(post, actor_id),
    }
    return await render(request, "post.html", context, status)


async def _not_found(request: Request) -> Response:
    return await render(request, "error.html", {"title": "Page not found", "status": 404}, 404)


async def _forbidden(request: Request, message: str) -> Response:
    return await render(request, "error.html", {
        "title": "You cannot do this", "status": 403, "message": message}, 403)


def _login_redirect() -> Response:
    return RedirectResponse("/login", status_code=303)


async def _visible_post(request: Request, account: Account) -> Post | None:
    ident = parse_id(str(request.path_params["post_id"]))
    if ident is None:
        return None
    post = await Post.get_or_none(id=ident, deleted_at__isnull=True).prefetch_related("author")
    return post if post is not None and await may_see(post, account) else None


def _to_post(post: Post) -> Response:
    return RedirectResponse(f"/posts/{post.id}", status_code=303)


async def _member_chapters(actor: Actor) -> list[Actor]:
    """The chapters (here or elsewhere) `actor` is an accepted member of, by name."""
    rows = await Follow.filter(follower_id=actor.id, state="accepted",
                               followed__kind="Group").prefetch_related("followed")
    return sorted((r.followed for r in rows),
                  key=lambda g: (g.display_name or g.username).lower())


async def _compose(request: Request, account: Account, *, text: str = "",
                   visibility: str = "public", chapter: int | None = None,
                   error: str | None = None, status: int = 200) -> Response:
    return await render(request, "compose.html", {
        "text": text, "visibility": visibility, "error": error, "chapter": chapter,
        "chapters": await _member_chapters(account.actor)}, status)


async def compose_page(request: Request) -> Response:
    """GET /compose: the form to write a post (`?chapter=ID` preselects a chapter)."""
    account = await current_account(request)
    if account is None:
        return _login_redirect()
    return await _compose(request, account, chapter=parse_id(
        request.query_params.get("chapter", "")))


async def compose_submit(request: Request) -> Response:
    """POST /posts: publish a post (`text`, `visibility`, optional `chapter`: the id of a
    chapter the author is a member of) and go to its page."""
    form = await read_form(request)
    if any(str(v).strip() for v in form.getlist("poll_option")):
        from web.ui.polls import poll_submit

        return await poll_submit(request)  # the poll's fields are filled: publish it too
    account = await current_account(request)
    if account is None:
        return _login_redirect()
    text = _text(form, "text")
    visibility = _text(form, "visibility", 20)
    raw_chapter = _text(form, "chapter", 30)
    chapter_id = parse_id(raw_chapter) if raw_chapter else None
    if visibility not in WRITABLE_VISIBILITIES:
        return await _compose(request, account, text=text, chapter=chapter_id, status=422,
                              error="Choose who can see the post: everyone or your followers.")
    chapter = None
    if raw_chapter:
        chapter = next((g for g in await _member_chapters(account.actor)
                        if g.id == chapter_id), None)
        if chapter is None:
            return await _compose(request, account, text=text, visibility=visibility,
                                  status=422, error="Choose one of your chapters.")
    try:
        post = await create_post(_urls(request), account.actor, text, visibility=visibility,
                                 chapter=chapter)
    except ValidationFailed as exc:
        return await _compose(request, account, text=text, visibility=visibility,
                              chapter=chapter_id, error=_first_error(exc), status=422)
    except NotAllowed:
        return await _compose(request, account, text=text, visibility=visibility,
                              chapter=chapter_id, status=403,
                              error="Only members of this chapter may post in it.")
    return _to_post(post)


async def _acting(request: Request) -> tuple[FormData, Account, Post] | Response:
    """The checked form, the logged-in member and the post they act on, or the answer."""
    form = await read_form(request)
    account = await current_account(request)
    if account is None:
        return _login_redirect()
    post = await _visible_post(request, account)
    if post is None:
        return await _not_found(request)
    return form, account, post


async def reply_submit(request: Request) -> Response:
    """POST /posts/{id}/reply: answer the post (same visibility choices as writing)."""
    acting = await _acting(request)
    if isinstance(acting, Response):
        return acting
    form, account, post = acting
    text = _text(form, "text")
    # A reply to a followers-only post stays followers-only.
    visibility = "public" if post.visibility in OPEN_VISIBILITIES else "followers"
    try:
        await create_post(_urls(request), account.actor, text, visibility=visibility,
                          in_reply_to=post)
    except ValidationFailed as exc:
        return await post_page(request, post, error=_first_error(exc), reply=text, status=422)
    except NotAllowed as exc:
        return await _forbidden(request, f"{str(exc).capitalize()}.")
    return _to_post(post)


async def react_submit(request: Request) -> Response:
    """POST /posts/{id}/{like,unlike,boost,unboost}: Like/Announce or their Undo."""
    action = request.path_params["action"]
    if action not in REACTIONS:
        return await _not_found(request)
    acting = await _acting(request)
    if isinstance(acting, Response):
        return acting
    _form, account, post = acting
    try:
        if action == "like":
            await like_post(_urls(request), account.actor, post)
        elif action == "unlike":
            await unlike_post(account.actor, post)
        elif action == "boost":
            await boost_post(_urls(request), account.actor, post)
        elif action == "unboost":
            await unboost_post(account.actor, post)
    except NotAllowed as exc:
        return await _forbidden(request, f"{str(exc).capitalize()}.")
    except NotFound:
        return await _not_found(request)
    return _to_post(post)


async def edit_submit(request: Request) -> Response:
    """POST /posts/{id}/edit: the author replaces the text; Update is published."""
    acting = await _acting(request)
    if isinstance(acting, Response):
        return acting
    form, account, post = acting
    text = _text(form, "text")
    try:
        await edit_post(account.actor, post, text)
    except ValidationFailed as exc:
        return await post_page(request, post, error=_first_error(exc), edit=text, status=422)
    except NotAllowed:
        return await _forbidden(request, "Only the author may edit a post.")
    except NotFound:
        return await _not_found(request)
    return _to_post(post)


async def delete_submit(request: Request) -> Response:
    """POST /posts/{id}/delete: the author deletes the post; Delete is published."""
    acting = await _acting(request)
    if isinstance(acting, Response):
        return acting
    _form, account, post = acting
    try:
        await delete_post(account.actor, post)
    except NotAllowed:
        return await _forbidden(request, "Only the author may delete a post.")
    except NotFound:
        return await _not_found(request)
    return RedirectResponse("/compose?deleted=1", status_code=303)
