"""Members acting on posts from the web UI: writing (/compose, POST /posts), and on a post's
page (with its comment tree) replying, liking, boosting, for the author editing and deleting,
and for the thread's owner and moderators removing comments. Deliberately small (forms
only); a later issue redesigns the UI."""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from actors.models import Account, Actor, Follow
from actors.roles import can_coordinate
from actors.urls import LocalUrls
from content.ballots import ballot_of
from content.errors import NotAllowed, NotFound, ValidationFailed
from content.models import Boost, Like, Media, Post
from content.pins import is_featured
from content.polls import results_of_post
from content.posts import SOURCE_MAX, create_post, delete_post, edit_post
from content.reactions import boost_post, like_post, unboost_post, unlike_post
from content.tags import tags_of
from content.threads import comment_tree, moderates_thread, remove_comment, root_of
from content.visibility import can_show_page
from core.ids import parse_id
from core.messages import N_, message_of
from web.i18n import sentence
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
    return next(iter(exc.errors.values()), N_("This post cannot be saved."))


async def may_see(post: Post, account: Account | None) -> bool:
    """Whether a page viewer may see `post` (author prefetched): the visibility policy
    (content.visibility.can_show_page) for the signed-in member's actor, or anonymous."""
    return await can_show_page(post, account.actor if account is not None else None)


async def _moderation(post: Post, root: Post, viewer: Actor | None) -> dict[str, object]:
    """What the viewer may do to the thread: remove anyone's comment in it (the thread's
    owner, the chapter's coordinators, admins), and pin a forum thread in its chapter."""
    if viewer is None:
        return {"moderates": False, "pin_chapter": None, "pinned": False}
    chapter = (await Actor.get_or_none(id=root.chapter_id)  # type: ignore[attr-defined]
               if root.chapter_id else None)  # type: ignore[attr-defined]
    moderates = await moderates_thread(viewer, root)
    pin_chapter = None
    if (post.id == root.id and post.kind == "page" and chapter is not None
            and chapter.is_local and await can_coordinate(viewer, chapter)):
        pin_chapter = chapter
    return {"moderates": moderates, "pin_chapter": pin_chapter,
            "pinned": pin_chapter is not None and await is_featured(pin_chapter, post)}


def _comments_page(request: Request) -> int:
    raw = request.query_params.get("comments", "1")
    return int(raw) if raw.isdigit() and 0 < len(raw) < 6 else 1


async def post_page(request: Request, post: Post, *, error: str | None = None,
                    reply: str = "", edit: str | None = None, status: int = 200) -> Response:
    """The page of a live post (author prefetched), with its comment tree and the viewer's
    actions; a blog article with its header, a forum thread with its pin button."""
    account = await current_account(request)
    actor_id = account.actor_id if account else None  # type: ignore[attr-defined]
    viewer = account.actor if account is not None else None
    thread = await comment_tree(post, viewer, page=_comments_page(request))
    root = post if root_of(post) == post.id else (
        await Post.get_or_none(id=root_of(post)) or post)
    parent = None
    if post.in_reply_to_id is not None:  # type: ignore[attr-defined]
        parent = await Post.get_or_none(id=post.in_reply_to_id, deleted_at__isnull=True  # type: ignore[attr-defined]
                                        ).prefetch_related("author")
        if parent is not None and not await can_show_page(parent, viewer):
            parent = None
    context = {
        "post": post,
        "author": post.author,
        "thread": thread,
        "parent": parent,
        "viewer_id": actor_id,
        "replying": request.query_params.get("reply") == "1",
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
        "ballot": await ballot_of(post) if post.kind == "question" else None,
        **await _moderation(post, root, viewer),
    }
    if post.kind == "article":
        context["categories"] = await tags_of(post)
        context["cover"] = (await Media.get_or_none(id=post.cover_id)  # type: ignore[attr-defined]
                            if post.cover_id else None)  # type: ignore[attr-defined]
    return await render(request, "post.html", context, status)


async def _not_found(request: Request) -> Response:
    return await render(request, "error.html", {"title": N_("Page not found"), "status": 404}, 404)


async def _forbidden(request: Request, message: str) -> Response:
    return await render(request, "error.html", {
        "title": N_("You cannot do this"), "status": 403, "message": message}, 403)


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
                              error=N_("Choose who can see the post: everyone or your followers."))
    chapter = None
    if raw_chapter:
        chapter = next((g for g in await _member_chapters(account.actor)
                        if g.id == chapter_id), None)
        if chapter is None:
            return await _compose(request, account, text=text, visibility=visibility,
                                  status=422, error=N_("Choose one of your chapters."))
    try:
        post = await create_post(_urls(request), account.actor, text, visibility=visibility,
                                 chapter=chapter)
    except ValidationFailed as exc:
        return await _compose(request, account, text=text, visibility=visibility,
                              chapter=chapter_id, error=_first_error(exc), status=422)
    except NotAllowed:
        return await _compose(request, account, text=text, visibility=visibility,
                              chapter=chapter_id, status=403,
                              error=N_("Only members of this chapter may post in it."))
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
    """POST /posts/{id}/reply: answer the post (same visibility choices as writing); in a
    members-only chapter's thread only its members may."""
    acting = await _acting(request)
    if isinstance(acting, Response):
        return acting
    form, account, post = acting
    text = _text(form, "text")
    # A reply to a followers-only post stays followers-only.
    visibility = "public" if post.visibility in OPEN_VISIBILITIES else "followers"
    # A comment in a chapter's thread is addressed to the chapter too, which shares it
    # with its members as Lemmy's communities share comments (FEP-1b12).
    root = post if root_of(post) == post.id else await Post.get_or_none(id=root_of(post))
    chapter_id = root.chapter_id if root is not None else None  # type: ignore[attr-defined]
    chapter = await Actor.get_or_none(id=chapter_id) if chapter_id else None
    try:
        await create_post(_urls(request), account.actor, text, visibility=visibility,
                          in_reply_to=post, chapter=chapter)
    except ValidationFailed as exc:
        return await post_page(request, post, error=_first_error(exc), reply=text, status=422)
    except NotAllowed as exc:
        return await _forbidden(request, sentence(request, message_of(exc)))
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
        return await _forbidden(request, sentence(request, message_of(exc)))
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
        return await _forbidden(request, N_("Only the author may edit a post."))
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
        return await _forbidden(request, N_("Only the author may delete a post."))
    except NotFound:
        return await _not_found(request)
    return RedirectResponse("/compose?deleted=1", status_code=303)


async def remove_submit(request: Request) -> Response:
    """POST /posts/{id}/remove: take a comment out of its thread — its author deletes it;
    the thread's owner, the chapter's coordinators and admins remove it (Remove is
    published); back to the thread."""
    acting = await _acting(request)
    if isinstance(acting, Response):
        return acting
    _form, account, comment = acting
    try:
        await remove_comment(_urls(request), account.actor, comment)
    except NotAllowed:
        return await _forbidden(request, N_("Only the comment's author, the thread's owner and "
                                         "the chapter's coordinators may remove it."))
    except NotFound:
        return await _not_found(request)
    return RedirectResponse(f"/posts/{root_of(comment)}#comments", status_code=303)
