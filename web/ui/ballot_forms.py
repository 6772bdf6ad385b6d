"""Forms and figures of formal ballots: opening a ballot (/chapters/{slug}/ballots/new for
coordinators, /ballots/new for admins: rules, the four dates, initial proposals with more rows
on demand, no JavaScript), reading a voting paper out of the ballot page's form, per method,
and turning a stored result into what the page shows (bars, rounds, ranking)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from actors.models import Account, Chapter
from actors.roles import can_coordinate, is_admin
from actors.urls import LocalUrls
from content.ballot_models import METHODS, BallotProposal
from content.ballots import BallotError, open_ballot
from content.errors import NotAllowed, ValidationFailed
from core import clock
from core.messages import N_, message_of
from web.security import CSRF_FIELD, check_csrf
from web.sessions import current_account
from web.templating import render
from web.ui.bars import Bar, bar_chart, bar_table

METHOD_TEXT = {
    "single": (N_("Single choice"), N_("Each voter chooses one proposal.")),
    "approval": (N_("Approval"), N_("Each voter approves as many proposals as they like.")),
    "ranked": (N_("Ranked choice"), N_("Each voter ranks the proposals; both the instant-runoff and "
                                "the Schulze winner are reported.")),
    "consent": (N_("Consent"), N_("Each voter agrees, abstains, disagrees or blocks on every "
                           "proposal; one block stops a proposal.")),
}
POSITIONS = (("agree", N_("Agree")), ("abstain", N_("Abstain")), ("disagree", N_("Disagree")),
             ("block", N_("Block")))
STATUS_TEXT = {
    "elected": N_("Decided"), "passed": N_("Adopted"), "tie": N_("Tie: no single winner"),
    "no_quorum": N_("Quorum not met: no decision"), "below_threshold": N_("No proposal reached the "
    "threshold"), "blocked": N_("Blocked"), "no_votes": N_("No votes for any proposal"),
}
DATES = ("proposals_at", "amendments_at", "voting_at", "ends_at")
DATE_FORMAT = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends
PROPOSALS_MAX, ROWS_SHOWN, ROWS_ADDED = 20, 3, 3
TITLE_MAX, TEXT_MAX = 200, 20_000
FIELDS_MAX = 2 * PROPOSALS_MAX + 20


async def read_form(request: Request) -> FormData:
    """The posted form after the CSRF and Origin checks; room for every proposal row."""
    form = await request.form(max_files=0, max_fields=FIELDS_MAX)
    token = form.get(CSRF_FIELD)
    check_csrf(request, token if isinstance(token, str) else None)
    return form


def text_of(form: FormData, name: str, limit: int = TEXT_MAX) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def urls_of(request: Request) -> LocalUrls:
    return LocalUrls(request.app.state.settings.server.base_url)


# --- opening a ballot -------------------------------------------------------------------------


@dataclass
class NewBallot:
    """What the form to open a ballot holds: `values` as typed (strings), the parsed dates,
    the proposal rows and the errors found before the service is asked."""

    values: dict[str, Any]
    rows: list[tuple[str, str]]
    dates: dict[str, datetime | None] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def proposals(self) -> list[tuple[str, str]]:
        return [(t, x) for t, x in self.rows if t or x]


def _local_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(DATE_FORMAT)


def default_values() -> dict[str, Any]:
    """A ballot starting now: a week of proposals, a week of amendments, a week of voting."""
    now = clock.now().replace(second=0, microsecond=0)
    return {"title": "", "description": "", "method": "single", "secret": False,
            "quorum": "", "threshold": "", "seats": "1",
            "proposals_at": _local_time(now),
            "amendments_at": _local_time(now + timedelta(days=7)),
            "voting_at": _local_time(now + timedelta(days=14)),
            "ends_at": _local_time(now + timedelta(days=21))}


def parse_date(raw: str) -> datetime | None:
    """A datetime-local value read as UTC; None when it is not one."""
    for fmt in (DATE_FORMAT, DATE_FORMAT + ":%S"):
        try:
            return datetime.strptime(raw, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


def parse_new_ballot(form: FormData) -> NewBallot:
    """Read the form to open a ballot; what cannot even be parsed is an error here, the
    rules themselves are the service's to check."""
    values: dict[str, Any] = {
        "title": text_of(form, "title", TITLE_MAX + 50),
        "description": text_of(form, "description"),
        "method": text_of(form, "method", 20),
        "secret": form.get("secret") == "on",
        "quorum": text_of(form, "quorum", 30), "threshold": text_of(form, "threshold", 30),
        "seats": text_of(form, "seats", 10) or "1",
    }
    titles = [v for v in form.getlist("proposal_title") if isinstance(v, str)]
    texts = [v for v in form.getlist("proposal_text") if isinstance(v, str)]
    count = min(max(len(titles), len(texts)), PROPOSALS_MAX + ROWS_ADDED)
    titles += [""] * (count - len(titles))
    texts += [""] * (count - len(texts))
    rows = [(t.strip()[:TITLE_MAX + 50], x.strip()[:TEXT_MAX]) for t, x in
            zip(titles[:count], texts[:count], strict=True)]
    new = NewBallot(values, rows)
    if not values["title"]:
        new.errors["title"] = N_("Give the ballot a title.")
    if values["method"] not in METHODS:
        new.errors["method"] = N_("Choose how the ballot is counted.")
    if not values["seats"].isdigit() or not 1 <= int(values["seats"]) <= PROPOSALS_MAX:
        new.errors["seats"] = N_("Give a whole number of seats from 1 to %(max)s.", max=PROPOSALS_MAX)
    for name in DATES:
        raw = text_of(form, name, 30)
        values[name] = raw
        new.dates[name] = parse_date(raw) if raw else None
        if raw and new.dates[name] is None:
            new.errors[name] = N_("Give a date and time, such as 2030-05-01 18:00.")
        elif not raw and name != "amendments_at":
            new.errors[name] = N_("Give a date and time.")
    if any(x and not t for t, x in new.rows):
        new.errors["proposals"] = N_("Give each proposal a title.")
    elif len(new.proposals) > PROPOSALS_MAX:
        new.errors["proposals"] = N_("A ballot starts with at most %(max)s proposals.", max=PROPOSALS_MAX)
    return new


async def _opener(request: Request) -> tuple[Account, Chapter | None] | Response:
    """The logged-in viewer and the chapter of the path (None: the organization), when they
    may open a ballot there."""
    account = await current_account(request)
    if account is None:
        return RedirectResponse("/login", status_code=303)
    chapter = None
    if "slug" in request.path_params:
        chapter = await Chapter.get_or_none(slug=str(request.path_params["slug"])[:100]
                                            ).prefetch_related("actor")
        if chapter is None:
            return await render(request, "error.html", {"title": N_("Page not found"),
                                                        "status": 404}, 404)
        allowed = await can_coordinate(account.actor, chapter.actor)
        who = "the chapter's coordinators and the organization's administrators"
    else:
        allowed = await is_admin(account.actor)
        who = "the organization's administrators"
    if not allowed:
        return await render(request, "error.html", {
            "title": N_("You cannot do this"), "status": 403,
            "message": N_("Only %(who)s can open a ballot here.", who=who)}, 403)
    return account, chapter


async def _form_page(request: Request, chapter: Chapter | None, new: NewBallot, *,
                     rows: int = ROWS_SHOWN, status: int = 200) -> Response:
    shown = min(PROPOSALS_MAX, max(rows, len(new.rows)))
    padded = new.rows + [("", "")] * (shown - len(new.rows))
    known = {"title", "description", "method", "secret", "quorum", "threshold", "seats",
             "proposals", *DATES}
    return await render(request, "ballot_form.html", {
        "chapter": chapter, "values": new.values, "rows": padded, "errors": new.errors,
        "other_errors": [m for k, m in new.errors.items() if k not in known],
        "methods": [(m, *METHOD_TEXT[m]) for m in METHODS],
        "can_add": shown < PROPOSALS_MAX,
        "action": f"/chapters/{chapter.slug}/ballots/new" if chapter else "/ballots/new",
    }, status)


async def new_form(request: Request) -> Response:
    """GET /chapters/{slug}/ballots/new and /ballots/new: the empty form."""
    found = await _opener(request)
    if isinstance(found, Response):
        return found
    return await _form_page(request, found[1], NewBallot(default_values(), []))


async def new_submit(request: Request) -> Response:
    """POST the form: `more` shows more proposal rows; otherwise the ballot opens and the
    member lands on its page, or sees the form again with each error beside its field."""
    form = await read_form(request)
    found = await _opener(request)
    if isinstance(found, Response):
        return found
    account, chapter = found
    new = parse_new_ballot(form)
    if form.get("more"):
        new.errors = {}
        return await _form_page(request, chapter, new, rows=len(new.rows) + ROWS_ADDED)
    if new.errors:
        return await _form_page(request, chapter, new, status=422)
    dates = new.dates
    assert dates["proposals_at"] and dates["voting_at"] and dates["ends_at"]
    try:
        ballot = await open_ballot(
            urls_of(request), account.actor, chapter=chapter.actor if chapter else None,
            title=new.values["title"], description=new.values["description"],
            method=new.values["method"], secret=new.values["secret"],
            quorum=new.values["quorum"], threshold=new.values["threshold"],
            seats=int(new.values["seats"]), proposals_at=dates["proposals_at"],
            amendments_at=dates["amendments_at"], voting_at=dates["voting_at"],
            ends_at=dates["ends_at"], proposals=new.proposals)
    except ValidationFailed as exc:
        new.errors.update(exc.errors)
        return await _form_page(request, chapter, new, status=422)
    except BallotError as exc:
        new.errors["ballot"] = message_of(exc)
        return await _form_page(request, chapter, new, status=422)
    except NotAllowed as exc:
        new.errors["ballot"] = message_of(exc) or N_("You may not open a ballot here.")
        return await _form_page(request, chapter, new, status=403)
    return RedirectResponse(f"/ballots/{ballot.id}", status_code=303)


# --- a voting paper ---------------------------------------------------------------------------


class ChoiceError(ValueError):
    """The voting form cannot make a paper; the message says why, for the member."""


def kept_choice(form: FormData) -> dict[str, Any]:
    """What a member ticked, to show the form again as it was after an error."""
    return {"choice": {v for v in form.getlist("choice") if isinstance(v, str)},
            "rank": {k.removeprefix("rank-"): v for k, v in form.items()
                     if k.startswith("rank-") and isinstance(v, str)},
            "consent": {k.removeprefix("consent-"): v for k, v in form.items()
                        if k.startswith("consent-") and isinstance(v, str)}}


def read_choice(method: str, form: FormData, proposals: list[BallotProposal],
                ) -> list[int] | dict[int, str]:
    """The paper of `method` from the ballot page's voting form, by proposal id: single
    `choice` (one radio), approval `choice` (checkboxes), ranked `rank-<id>` (1..n or empty),
    consent `consent-<id>` (a position for every proposal)."""
    by_id = {str(p.id): p for p in proposals}
    if method in ("single", "approval"):
        chosen = [v for v in form.getlist("choice") if isinstance(v, str)]
        if not chosen:
            raise ChoiceError(N_("Choose a proposal.") if method == "single"
                              else N_("Approve at least one proposal."))
        if any(v not in by_id for v in chosen):
            raise ChoiceError(N_("That proposal is not on this ballot any more."))
        if method == "single" and len(chosen) > 1:
            raise ChoiceError(N_("Choose one proposal only."))
        return [by_id[v].id for v in dict.fromkeys(chosen)]
    if method == "ranked":
        return _ranking(form, proposals)
    if method == "consent":
        paper: dict[int, str] = {}
        known = dict(POSITIONS)
        for proposal in proposals:
            value = form.get(f"consent-{proposal.id}")
            if not isinstance(value, str) or value not in known:
                raise ChoiceError(N_("Give your position on every proposal: “%(title)s” has none.",
                                     title=proposal.title))
            paper[proposal.id] = value
        return paper
    raise ChoiceError(N_("This ballot's method is not known here."))


def _ranking(form: FormData, proposals: list[BallotProposal]) -> list[int]:
    ranks: dict[int, list[BallotProposal]] = {}
    for proposal in proposals:
        value = form.get(f"rank-{proposal.id}")
        if not isinstance(value, str) or not value:
            continue  # "not ranked"
        if not value.isdigit() or not 1 <= int(value) <= len(proposals):
            raise ChoiceError(N_("Give “%(title)s” a rank from 1 to %(max)s.",
                                 title=proposal.title, max=len(proposals)))
        ranks.setdefault(int(value), []).append(proposal)
    for rank, same in sorted(ranks.items()):
        if len(same) > 1:
            raise ChoiceError(N_("You gave rank %(rank)s to both “%(first)s” and “%(second)s”. "
                                 "Give each rank to one proposal only.", rank=rank,
                                 first=same[0].title, second=same[1].title))
    if not ranks:
        raise ChoiceError(N_("Rank at least one proposal."))
    return [ranks[r][0].id for r in sorted(ranks)]


# --- results ----------------------------------------------------------------------------------


def _names(proposals: list[BallotProposal]) -> dict[str, str]:
    return {str(p.id): p.title for p in proposals}


def _name(names: dict[str, str], ident: object) -> str:
    if isinstance(ident, list | tuple):  # a tie inside a ranking
        return " = ".join(_name(names, i) for i in ident)
    return names.get(str(ident), f"Proposal {ident}")


def results_view(result: dict[str, Any], proposals: list[BallotProposal]) -> dict[str, Any]:
    """What the results part of the page shows, from the stored result (see
    content.ballots.results): names instead of ids, SVG bars with their tables, and for
    ranked choice the instant-runoff rounds (a row per proposal, a column per round) and the Schulze ranking."""
    names = _names(proposals)
    order = [str(p.id) for p in proposals]
    winners = [str(w) for w in result.get("winners") or []]
    total = int(result.get("ballots") or 0)
    view: dict[str, Any] = {
        "method": result.get("method"), "eligible": result.get("eligible"), "ballots": total,
        "quorum_met": result.get("quorum_met"), "status": result.get("status"),
        "status_text": STATUS_TEXT.get(str(result.get("status")), str(result.get("status"))),
        "winners": [_name(names, w) for w in winners], "reason": result.get("reason"),
        "threshold": result.get("threshold"), "charts": []}

    def ordered(keys: dict[str, Any]) -> list[str]:
        return [k for k in order if k in keys] + [k for k in keys if k not in order]

    counts = result.get("counts")
    if isinstance(counts, dict) and counts:
        bars = [Bar(_name(names, k), int(counts[k]), "winner" if k in winners else "")
                for k in ordered(counts)]
        view["charts"].append({
            "svg": bar_chart(bars, title=N_("Votes per proposal"), ident="result-votes",
                             total=total),
            "table": bar_table(bars, caption=N_("Votes per proposal"), total=total)})
    consent = result.get("consent")
    if isinstance(consent, dict):
        for n, key in enumerate(ordered(consent), 1):
            figures = consent[key]
            passed = bool(figures.get("passed"))
            outcome = ("adopted" if passed else "blocked" if figures.get("block")
                       else "not adopted")
            bars = [Bar(label, int(figures.get(value, 0))) for value, label in POSITIONS]
            title = f"{_name(names, key)}: {outcome}"
            view["charts"].append({
                "svg": bar_chart(bars, title=title, ident=f"result-consent-{n}", total=total),
                "table": bar_table(bars, caption=title, heading=N_("Position"), total=total)})
    irv = result.get("irv")
    if isinstance(irv, dict):
        rounds = irv.get("rounds") or []
        keys = ordered({k: 1 for r in rounds for k in (r.get("counts") or {})})
        rows = []
        for key in keys:
            cells = []
            out = False
            for r in rounds:
                eliminated = key in [str(e) for e in r.get("eliminated") or []]
                count = (r.get("counts") or {}).get(key)
                cells.append({"count": None if out or count is None else count,
                              "eliminated": eliminated})
                out = out or eliminated
            rows.append({"name": _name(names, key), "cells": cells,
                         "winner": str(irv.get("winner")) == key})
        exhausted = [r.get("exhausted") for r in rounds]
        if any(exhausted):
            rows.append({"name": N_("Exhausted ballots"), "exhausted": True, "winner": False,
                         "cells": [{"count": n or 0, "eliminated": False} for n in exhausted]})
        view["irv"] = {"winner": _name(names, irv["winner"]) if irv.get("winner") else None,
                       "rounds": len(rounds), "rows": rows}
    schulze = result.get("schulze")
    if isinstance(schulze, dict):
        levels = schulze.get("levels") or [[k] for k in schulze.get("ranking") or []]
        view["schulze"] = {
            "winner": _name(names, schulze["winner"]) if schulze.get("winner") else None,
            "ranking": [_name(names, level) for level in levels]}
        view["decided_by"] = {"schulze": "Schulze", "irv": "instant-runoff",
                              "instant_runoff": "instant-runoff"}.get(
            str(result.get("decided_by")), None)
    return view


def routes() -> list[Route]:
    return [
        Route("/ballots/new", new_form, methods=["GET"], name="ballot_new_org"),
        Route("/ballots/new", new_submit, methods=["POST"]),
        Route("/chapters/{slug}/ballots/new", new_form, methods=["GET"], name="ballot_new"),
        Route("/chapters/{slug}/ballots/new", new_submit, methods=["POST"]),
    ]
