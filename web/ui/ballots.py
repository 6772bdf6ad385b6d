"""Formal ballots in the web UI: the lists (/ballots, /chapters/{slug}/ballots), a ballot's
page (/ballots/{id}: phase timeline, proposals and amendments, the voting form of its method,
turnout, results as SVG bars and ranked-choice rounds as a table) and the members' actions
on it. Opening a ballot and reading a voting paper are in web.ui.ballot_forms."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from tortoise.queryset import QuerySet

from actors.models import Account, Actor, Chapter
from actors.roles import can_coordinate, is_admin
from content import ballots as service
from content.ballot_models import Amendment, Ballot, BallotProposal
from content.errors import NotAllowed, ValidationFailed
from content.models import Post
from content.visibility import can_show_page, shown_on_pages
from content.voting import VotingError
from core.ids import parse_id
from core.messages import N_, message_of
from web.i18n import translate_all
from web.sessions import current_account
from web.templating import render
from web.ui import ballot_forms
from web.ui.ballot_forms import (
    METHOD_TEXT,
    POSITIONS,
    TITLE_MAX,
    ChoiceError,
    kept_choice,
    read_choice,
    read_form,
    results_view,
    text_of,
    urls_of,
)
from web.ui.follows import handle_of, profile_link

LIST_MAX = 200
PHASE_TEXT = {"proposals": N_("Proposals"), "amendments": N_("Amendments"), "voting": N_("Voting"),
              "closed": N_("Results")}


def _who(request: Request, actor: Actor | None) -> dict[str, Any] | None:
    if actor is None:
        return None
    return {"name": actor.display_name or actor.username, "handle": handle_of(request, actor),
            "link": profile_link(request, actor)}


async def _not_found(request: Request) -> Response:
    return await render(request, "error.html", {"title": N_("Page not found"), "status": 404}, 404)


# --- the lists ---------------------------------------------------------------------------------


async def _visible(query: QuerySet[Ballot], viewer: Actor | None) -> list[Ballot]:
    """The ballots of `query` whose post the viewer may see on our pages, open ones first
    (by closing time), then closed ones (latest first)."""
    found = await query.order_by("-created_at").limit(LIST_MAX).prefetch_related(
        "post", "chapter")
    post_ids = [b.post_id for b in found]  # type: ignore[attr-defined]
    shown = set(await (await shown_on_pages(Post.filter(id__in=post_ids), viewer)
                       ).values_list("id", flat=True))
    visible = [b for b in found if b.post_id in shown]  # type: ignore[attr-defined]
    live = sorted((b for b in visible if service.phase_at(b) != "closed"),
                  key=lambda b: b.ends_at)
    done = sorted((b for b in visible if service.phase_at(b) == "closed"),
                  key=lambda b: b.ends_at, reverse=True)
    return live + done


async def _list_item(request: Request, ballot: Ballot) -> dict[str, Any]:
    chapter = ballot.chapter
    phase = service.phase_at(ballot)
    return {"ballot": ballot, "title": ballot.post.title or N_("Ballot"), "phase": phase,
            "phase_text": PHASE_TEXT.get(phase, phase),
            "method": METHOD_TEXT.get(ballot.method, (ballot.method, ""))[0],
            "chapter": _who(request, chapter) if chapter else None}


async def _list_page(request: Request, ballots: list[Ballot], *, chapter: Chapter | None,
                     may_open: bool) -> Response:
    items = [await _list_item(request, b) for b in ballots]
    return await render(request, "ballots.html", {
        "chapter": chapter, "may_open": may_open,
        "open_items": [i for i in items if i["phase"] != "closed"],
        "closed_items": [i for i in items if i["phase"] == "closed"],
    })


async def all_ballots(request: Request) -> Response:
    """GET /ballots: the organization's ballots and every chapter's the viewer may see."""
    account = await current_account(request)
    viewer = account.actor if account else None
    ballots = await _visible(Ballot.all(), viewer)
    may_open = viewer is not None and await is_admin(viewer)
    return await _list_page(request, ballots, chapter=None, may_open=may_open)


async def chapter_ballots(request: Request) -> Response:
    """GET /chapters/{slug}/ballots: one chapter's ballots; coordinators may open one."""
    chapter = await Chapter.get_or_none(slug=str(request.path_params["slug"])[:100]
                                        ).prefetch_related("actor")
    if chapter is None:
        return await _not_found(request)
    account = await current_account(request)
    viewer = account.actor if account else None
    ballots = await _visible(Ballot.filter(chapter_id=chapter.actor.id), viewer)
    may_open = viewer is not None and await can_coordinate(viewer, chapter.actor)
    return await _list_page(request, ballots, chapter=chapter, may_open=may_open)


# --- a ballot's page ---------------------------------------------------------------------------


def timeline(ballot: Ballot, phase: str) -> list[dict[str, Any]]:
    """The phases in order with their start, each "done", "current" or "next"."""
    steps = [("proposals", ballot.proposals_at)]
    if ballot.amendments_at is not None:
        steps.append(("amendments", ballot.amendments_at))
    steps += [("voting", ballot.voting_at), ("closed", ballot.ends_at)]
    keys = [k for k, _ in steps]
    current = keys.index(phase) if phase in keys else 0
    return [{"key": key, "label": PHASE_TEXT[key], "at": at,
             "state": "done" if i < current else "current" if i == current else "next"}
            for i, (key, at) in enumerate(steps)]


async def _proposal_view(request: Request, proposal: BallotProposal, viewer: Actor | None,
                         phase: str, amendments: list[Amendment]) -> dict[str, Any]:
    author_id = proposal.author_id  # type: ignore[attr-defined]
    mine = viewer is not None and author_id == viewer.id
    return {
        "proposal": proposal, "author": _who(request, proposal.author),
        "mine": mine, "may_withdraw": mine and phase in ("proposals", "amendments"),
        "amendments": [{"amendment": a, "author": _who(request, a.author),
                        "may_decide": mine and phase == "amendments" and a.state == "pending"}
                       for a in amendments],
    }


async def _find(request: Request, account: Account | None) -> Ballot | None:
    """The ballot of the path, when the viewer may see its post."""
    ident = parse_id(str(request.path_params["ballot_id"])[:30])
    ballot = await Ballot.get_or_none(id=ident).prefetch_related(
        "post", "post__author", "chapter") if ident is not None else None
    if ballot is None or ballot.post.is_deleted:
        return None
    viewer = account.actor if account else None
    return ballot if await can_show_page(ballot.post, viewer) else None


async def ballot_page(request: Request, ballot: Ballot, *, error: str | None = None,
                      status: int = 200, kept: dict[str, Any] | None = None,
                      drafts: dict[str, str] | None = None) -> Response:
    """The page of `ballot` (post, post author and chapter fetched) for the viewer."""
    account = await current_account(request)
    viewer = account.actor if account else None
    post = ballot.post
    local = post.author.is_local
    phase = service.phase_at(ballot)
    if local and ballot.phase != phase:
        # The phase job is late (it runs at each boundary): do now what it will do, as
        # cast_vote does, so the page never shows a closed ballot without its result.
        await service.advance(urls_of(request), ballot)
        await ballot.refresh_from_db()
    proposals = await service.proposals_of(ballot)
    for proposal in proposals:
        await proposal.fetch_related("author")
    amendments: dict[int, list[Amendment]] = {}
    for amendment in await Amendment.filter(
            proposal_id__in=[p.id for p in proposals]).order_by("created_at").prefetch_related(
            "author"):
        amendments.setdefault(amendment.proposal_id, []).append(amendment)  # type: ignore[attr-defined]
    chapter = ballot.chapter
    chapter_row = (await Chapter.get_or_none(actor_id=chapter.id)
                   if chapter is not None and chapter.is_local else None)
    voted = viewer is not None and await service.has_voted(ballot, viewer)
    eligible = (viewer is not None and phase in ("voting", "closed") and local
                and await service.is_eligible(ballot, viewer))
    member = viewer is not None and local and await service.may_take_part(ballot, viewer)
    result = await service.results(ballot) if phase == "closed" else None
    every = await BallotProposal.filter(ballot_id=ballot.id).order_by("position")
    return await render(request, "ballot.html", {
        "ballot": ballot, "post": post, "phase": phase, "local": local,
        "phase_text": PHASE_TEXT.get(phase, phase),
        "method": METHOD_TEXT.get(ballot.method, (ballot.method, "")),
        "timeline": timeline(ballot, phase),
        "chapter": _who(request, chapter) if chapter else None, "chapter_row": chapter_row,
        "proposals": [await _proposal_view(request, p, viewer, phase, amendments.get(p.id, []))
                      for p in proposals],
        "voted": voted, "member": member,
        "may_vote": (viewer is not None and phase == "voting" and not voted
                     and (eligible or not local)),
        "eligible": eligible, "positions": POSITIONS,
        "kept": kept or {"choice": set(), "rank": {}, "consent": {}},
        "drafts": drafts or {},
        "turnout": (round(100 * ballot.voters_count / ballot.eligible_count)
                    if ballot.eligible_count else None),
        "results": results_view(result, every) if result else None,
        "error": error, "title_max": TITLE_MAX,
    }, status)


async def show_ballot(request: Request) -> Response:
    """GET /ballots/{ballot_id}."""
    ballot = await _find(request, await current_account(request))
    if ballot is None:
        return await _not_found(request)
    return await ballot_page(request, ballot)


# --- members' actions ----------------------------------------------------------------------------


async def _acting(request: Request) -> tuple[FormData, Account, Ballot] | Response:
    form = await read_form(request)
    account = await current_account(request)
    if account is None:
        return RedirectResponse("/login", status_code=303)
    ballot = await _find(request, account)
    if ballot is None:
        return await _not_found(request)
    return form, account, ballot


async def _done(request: Request, ballot: Ballot, work: Awaitable[object], *,
                kept: dict[str, Any] | None = None,
                drafts: dict[str, str] | None = None) -> Response:
    """Run a service call and answer: back to the ballot's page (303), or the page again with
    the service's message: 422 invalid, 403 not allowed, 409 not in this phase / voted."""
    try:
        await work
    except ValidationFailed as exc:
        message, status = translate_all(request, exc.errors.values()), 422
    except (service.WrongPhase, service.AlreadyVoted) as exc:
        message, status = message_of(exc), 409
    except NotAllowed as exc:  # NotEligible too
        message, status = message_of(exc) or N_("You may not do this in this ballot."), 403
    except (service.BallotError, VotingError) as exc:
        message, status = message_of(exc), 422
    else:
        return RedirectResponse(f"/ballots/{ballot.id}", status_code=303)
    return await ballot_page(request, ballot, error=message, status=status, kept=kept,
                             drafts=drafts)


async def _proposal_of(request: Request, ballot: Ballot) -> BallotProposal | None:
    ident = parse_id(str(request.path_params["proposal_id"])[:30])
    return (await BallotProposal.get_or_none(id=ident, ballot_id=ballot.id)
            if ident is not None else None)


async def add_proposal_submit(request: Request) -> Response:
    """POST /ballots/{id}/proposals: `title` and `text` (Markdown) of a new proposal."""
    acting = await _acting(request)
    if isinstance(acting, Response):
        return acting
    form, account, ballot = acting
    title, text = text_of(form, "title", TITLE_MAX + 50), text_of(form, "text")
    return await _done(request, ballot, service.add_proposal(
        urls_of(request), ballot, account.actor, title, text),
        drafts={"title": title, "text": text})


async def withdraw_submit(request: Request) -> Response:
    """POST /ballots/{id}/proposals/{proposal_id}/withdraw: its author withdraws it."""
    acting = await _acting(request)
    if isinstance(acting, Response):
        return acting
    _, account, ballot = acting
    proposal = await _proposal_of(request, ballot)
    if proposal is None:
        return await _not_found(request)
    return await _done(request, ballot, service.withdraw_proposal(account.actor, proposal))


async def amend_submit(request: Request) -> Response:
    """POST /ballots/{id}/proposals/{proposal_id}/amendments: `text` (the whole new text)
    and `reason`."""
    acting = await _acting(request)
    if isinstance(acting, Response):
        return acting
    form, account, ballot = acting
    proposal = await _proposal_of(request, ballot)
    if proposal is None:
        return await _not_found(request)
    text, reason = text_of(form, "text"), text_of(form, "reason", 2000)
    return await _done(request, ballot, service.propose_amendment(
        account.actor, proposal, text, reason),
        drafts={f"amend-{proposal.id}": text, f"reason-{proposal.id}": reason})


async def decide_submit(request: Request) -> Response:
    """POST /ballots/{id}/amendments/{amendment_id}: `decision` accept or reject, by the
    proposal's author."""
    acting = await _acting(request)
    if isinstance(acting, Response):
        return acting
    form, account, ballot = acting
    ident = parse_id(str(request.path_params["amendment_id"])[:30])
    amendment = (await Amendment.get_or_none(id=ident, proposal__ballot_id=ballot.id)
                 if ident is not None else None)
    decision = form.get("decision")
    if amendment is None or decision not in ("accept", "reject"):
        return await _not_found(request)
    return await _done(request, ballot, service.decide_amendment(
        account.actor, amendment, decision == "accept"))


async def vote_submit(request: Request) -> Response:
    """POST /ballots/{id}/vote: the paper of the ballot's method (ballot_forms.read_choice);
    for a ballot of another server it goes to that server."""
    acting = await _acting(request)
    if isinstance(acting, Response):
        return acting
    form, account, ballot = acting
    kept = kept_choice(form)
    try:
        choice = read_choice(ballot.method, form, await service.proposals_of(ballot))
    except ChoiceError as exc:
        return await ballot_page(request, ballot, error=message_of(exc), status=422, kept=kept)
    return await _done(request, ballot, service.cast_vote(
        urls_of(request), ballot, account.actor, choice), kept=kept)


def routes() -> list[Route]:
    return [
        *ballot_forms.routes(),
        Route("/ballots", all_ballots, methods=["GET"], name="ballots"),
        Route("/chapters/{slug}/ballots", chapter_ballots, methods=["GET"],
              name="chapter_ballots"),
        Route("/ballots/{ballot_id}", show_ballot, methods=["GET"], name="ballot"),
        Route("/ballots/{ballot_id}/proposals", add_proposal_submit, methods=["POST"]),
        Route("/ballots/{ballot_id}/proposals/{proposal_id}/withdraw", withdraw_submit,
              methods=["POST"]),
        Route("/ballots/{ballot_id}/proposals/{proposal_id}/amendments", amend_submit,
              methods=["POST"]),
        Route("/ballots/{ballot_id}/amendments/{amendment_id}", decide_submit,
              methods=["POST"]),
        Route("/ballots/{ballot_id}/vote", vote_submit, methods=["POST"]),
    ]
