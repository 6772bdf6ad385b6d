"""Chapter forum pages: the index of a chapter's threads (pinned first, then by latest
activity) and the form to open a thread. A thread's own page is the post page."""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from actors.models import Account, Chapter
from actors.urls import LocalUrls
from content.errors import NotAllowed, ValidationFailed
from content.forums import forum_page, start_thread
from content.posts import SOURCE_MAX, TITLE_MAX
from content.publishing import REJECT, chapter_decision
from core.messages import N_
from web.sessions import current_account
from web.templating import render
from web.ui.auth import read_form

MEMBERS_ONLY = N_("Only members of this chapter can open threads in its forum.")


def _text(form: FormData, name: str, limit: int) -> str:
    value = form.get(name)
    return value[:limit] if isinstance(value, str) else ""


async def _chapter(request: Request) -> Chapter | None:
    return await Chapter.get_or_none(slug=str(request.path_params["slug"])[:100]
                                     ).prefetch_related("actor")


async def _not_found(request: Request) -> Response:
    return await render(request, "error.html", {"title": N_("Page not found"), "status": 404}, 404)


async def _forbidden(request: Request) -> Response:
    return await render(request, "error.html", {
        "title": N_("You cannot do this"), "status": 403, "message": MEMBERS_ONLY}, 403)


def _page(request: Request) -> int:
    raw = request.query_params.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < len(raw) < 6 else 1


async def forum_index(request: Request) -> Response:
    """GET /chapters/{slug}/forum: the chapter's threads, pinned first, then by latest
    activity, with reply counts; `?page=N`."""
    chapter = await _chapter(request)
    if chapter is None:
        return await _not_found(request)
    account = await current_account(request)
    viewer = account.actor if account is not None else None
    page = await forum_page(chapter.actor, viewer, _page(request))
    may_open = viewer is not None and await chapter_decision(chapter.actor, viewer) != REJECT
    return await render(request, "forum.html", {
        "chapter": chapter, "forum": page, "may_open": may_open})


async def _form(request: Request, chapter: Chapter, *, title: str = "", text: str = "",
                errors: dict[str, str] | None = None, status: int = 200) -> Response:
    return await render(request, "forum_new.html", {
        "chapter": chapter, "title_text": title, "text": text, "errors": errors or {},
        "source_max": SOURCE_MAX["page"], "title_max": TITLE_MAX}, status)


async def _opener(request: Request) -> tuple[Account, Chapter] | Response:
    account = await current_account(request)
    if account is None:
        return RedirectResponse("/login", status_code=303)
    chapter = await _chapter(request)
    if chapter is None:
        return await _not_found(request)
    if await chapter_decision(chapter.actor, account.actor) == REJECT:
        return await _forbidden(request)
    return account, chapter


async def new_thread_form(request: Request) -> Response:
    """GET /chapters/{slug}/forum/new: the form to open a thread (title and Markdown)."""
    found = await _opener(request)
    if isinstance(found, Response):
        return found
    return await _form(request, found[1])


async def new_thread_submit(request: Request) -> Response:
    """POST /chapters/{slug}/forum: open a thread in the chapter's forum and go to it."""
    form = await read_form(request)
    found = await _opener(request)
    if isinstance(found, Response):
        return found
    account, chapter = found
    title = _text(form, "title", TITLE_MAX + 50)
    text = _text(form, "text", SOURCE_MAX["page"] + 100)
    urls = LocalUrls(request.app.state.settings.server.base_url)
    try:
        post = await start_thread(urls, account.actor, chapter.actor, title, text)
    except ValidationFailed as exc:
        return await _form(request, chapter, title=title, text=text, errors=exc.errors,
                           status=422)
    except NotAllowed:
        return await _forbidden(request)
    return RedirectResponse(f"/posts/{post.id}", status_code=303)


def routes() -> list[Route]:
    return [
        Route("/chapters/{slug}/forum", forum_index, methods=["GET"]),
        Route("/chapters/{slug}/forum", new_thread_submit, methods=["POST"]),
        Route("/chapters/{slug}/forum/new", new_thread_form, methods=["GET"]),
    ]
