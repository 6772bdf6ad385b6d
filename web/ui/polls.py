"""Polls in the web UI: writing a post with a poll (the "Add a poll" part of /compose,
more option fields without JavaScript) and voting from a post's page."""

from __future__ import annotations

from datetime import timedelta

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from actors.models import Account
from actors.urls import LocalUrls
from content.errors import NotAllowed, NotFound, ValidationFailed
from content.polls import OPTION_MAX, OPTIONS_MAX, create_poll_post, vote
from core import clock
from core.ids import parse_id
from core.messages import N_, message_of
from web.i18n import sentence, translate_all
from web.sessions import current_account
from web.templating import render
from web.ui import post_actions
from web.ui.auth import read_form

#: The durations offered (seconds → label); the default is one day.
DURATIONS = ((300, "5 minutes"), (1800, "30 minutes"), (3600, "1 hour"), (21600, "6 hours"),
             (86400, "1 day"), (259200, "3 days"), (604800, "7 days"))
DEFAULT_DURATION = 86400
FIELDS_SHOWN, FIELDS_ADDED = 4, 2


def _options(form: FormData) -> list[str]:
    values = form.getlist("poll_option")[:OPTIONS_MAX + 5]
    return [v[:OPTION_MAX + 50] for v in values if isinstance(v, str)]


def _duration(form: FormData) -> int:
    raw = form.get("poll_duration")
    value = int(raw) if isinstance(raw, str) and raw.isdigit() else DEFAULT_DURATION
    return value if value in dict(DURATIONS) else DEFAULT_DURATION


def poll_form_context(options: list[str], *, fields: int = FIELDS_SHOWN,
                      multiple: bool = False, duration: int = DEFAULT_DURATION,
                      hide_totals: bool = False, error: str | None = None,
                      ) -> dict[str, object]:
    """What the "Add a poll" part of compose.html shows (it has defaults without this)."""
    shown = min(OPTIONS_MAX, max(fields, len(options)))
    return {"poll_options": options + [""] * (shown - len(options)),
            "poll_multiple": multiple, "poll_duration": duration,
            "poll_hide_totals": hide_totals, "poll_error": error,
            "poll_durations": DURATIONS, "poll_option_max": OPTION_MAX,
            "poll_can_add": shown < OPTIONS_MAX}


async def _compose(request: Request, account: Account, form: FormData, *, fields: int,
                   error: str | None = None, status: int = 200) -> Response:
    chapter = post_actions._text(form, "chapter", 30)
    context = {
        "text": post_actions._text(form, "text"),
        "visibility": post_actions._text(form, "visibility", 20) or "public",
        "chapter": parse_id(chapter) if chapter else None,
        "chapters": await post_actions._member_chapters(account.actor),
        "error": None,
        **poll_form_context(_options(form), fields=fields,
                            multiple=form.get("poll_multiple") == "1",
                            duration=_duration(form),
                            hide_totals=form.get("poll_hide_totals") == "1", error=error),
    }
    return await render(request, "compose.html", context, status)


async def poll_submit(request: Request) -> Response:
    """POST /polls: the compose form with a poll. `more` re-renders it with more option
    fields; otherwise the post and its poll are published and the member sees its page."""
    form = await read_form(request)
    account = await current_account(request)
    if account is None:
        return RedirectResponse("/login", status_code=303)
    options = _options(form)
    if form.get("more"):
        return await _compose(request, account, form, fields=len(options) + FIELDS_ADDED)
    visibility = post_actions._text(form, "visibility", 20)
    if visibility not in post_actions.WRITABLE_VISIBILITIES:
        return await _compose(request, account, form, fields=len(options), status=422,
                              error=N_("Choose who can see the post: everyone or your followers."))
    raw_chapter = post_actions._text(form, "chapter", 30)
    chapter = None
    if raw_chapter:
        chapter_id = parse_id(raw_chapter)
        chapter = next((g for g in await post_actions._member_chapters(account.actor)
                        if g.id == chapter_id), None)
        if chapter is None:
            return await _compose(request, account, form, fields=len(options), status=422,
                                  error=N_("Choose one of your chapters."))
    ends_at = clock.now() + timedelta(seconds=_duration(form))
    try:
        post = await create_poll_post(
            LocalUrls(request.app.state.settings.server.base_url), account.actor,
            post_actions._text(form, "text"), options, form.get("poll_multiple") == "1",
            ends_at, form.get("poll_hide_totals") == "1", visibility, chapter)
    except ValidationFailed as exc:
        return await _compose(request, account, form, fields=len(options), status=422,
                              error=translate_all(request, exc.errors.values()))
    except NotAllowed:
        return await _compose(request, account, form, fields=len(options), status=403,
                              error=N_("Only members of this chapter may post in it."))
    return RedirectResponse(f"/posts/{post.id}", status_code=303)


async def vote_submit(request: Request) -> Response:
    """POST /posts/{id}/vote: the member's choice (`choice`, several for a multiple-choice
    poll). In a poll of another server the vote goes to its author."""
    acting = await post_actions._acting(request)
    if isinstance(acting, Response):
        return acting
    form, account, post = acting
    ids = [parse_id(v) for v in form.getlist("choice")[:OPTIONS_MAX] if isinstance(v, str)]
    try:
        await vote(LocalUrls(request.app.state.settings.server.base_url), account.actor,
                   post, [i for i in ids if i is not None])
    except ValidationFailed as exc:
        return await post_actions.post_page(request, post, status=422,
                                            error=next(iter(exc.errors.values())))
    except NotAllowed as exc:
        return await post_actions.post_page(request, post, status=403,
                                            error=sentence(request, message_of(exc)))
    except NotFound:
        return await render(request, "error.html", {"title": N_("Page not found"),
                                                    "status": 404}, 404)
    return RedirectResponse(f"/posts/{post.id}", status_code=303)


def routes() -> list[Route]:
    return [
        Route("/polls", poll_submit, methods=["POST"], name="polls"),
        Route("/posts/{post_id}/vote", vote_submit, methods=["POST"], name="poll_vote"),
    ]
