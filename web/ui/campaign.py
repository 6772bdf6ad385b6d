"""The campaign on the web: the tally page (/campaign), its figures as JSON for other
organizations (/campaign.json) and the admins' settings (/admin/campaign)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from markupsafe import Markup
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from actors.campaign import (
    GOAL_MAX,
    LABEL_MAX,
    CampaignView,
    chapter_goals,
    current_campaign,
    save_campaign,
)
from actors.errors import ValidationFailed
from actors.models import Account, DailyTally
from content.tally import (
    ORGANIZATION,
    Figures,
    chapter_member_counts,
    tally_figures,
    tally_series,
    today,
)
from core.messages import N_
from core.settings import Settings
from web.sessions import current_account
from web.templating import render
from web.ui.auth import read_form
from web.ui.chart import growth_chart

DEFAULT_DAYS = 90  # the series without a campaign start
MAX_DAYS = 3 * 366  # the longest series a page or the JSON shows
JSON_CACHE = "public, max-age=300"
CORS = {"access-control-allow-origin": "*"}


@dataclass(frozen=True)
class ChapterTally:
    slug: str
    name: str
    members: int
    goal: int | None

    @property
    def progress(self) -> int:
        return _percent(self.members, self.goal) if self.goal else 0


def _percent(members: int, goal: int) -> int:
    return min(100, round(100 * members / goal)) if goal > 0 else 0


def series_start(campaign: CampaignView, day: date) -> date:
    """The first day the campaign page shows: the campaign's start, or 90 days back."""
    start = campaign.starts_on if campaign.starts_on and campaign.starts_on <= day else (
        day - timedelta(days=DEFAULT_DAYS - 1))
    return max(start, day - timedelta(days=MAX_DAYS - 1))


async def chapter_tallies() -> list[ChapterTally]:
    counts = await chapter_member_counts()
    return [ChapterTally(c.slug, c.name, counts.get(c.chapter_id, 0), c.goal)
            for c in await chapter_goals()]


def _with_today(series: list[DailyTally], day: date, figures: Figures) -> list[DailyTally]:
    """The recorded days with today's point as it is now: the hourly record may be up to an
    hour old, and the page should move as soon as someone joins. Nothing is written."""
    live = DailyTally(day=day, members=figures.members, new_members=figures.new_members,
                      active_members=figures.active_members)
    return [row for row in series if row.day != day] + [live]


async def tally_context(settings: Settings, *, days: int | None = None) -> dict[str, Any]:
    """What the home and campaign pages show: the campaign, today's figures, the chart (of
    the last `days` days, or since the campaign's start), the table rows and the chapters."""
    campaign = await current_campaign(settings)
    day = today()
    figures: Figures = await tally_figures(ORGANIZATION, day)
    start = day - timedelta(days=days - 1) if days else series_start(campaign, day)
    series = _with_today(await tally_series(ORGANIZATION, start, day), day, figures)
    chart = growth_chart(series, campaign.goal, label=campaign.label,
                         title=f"Growth of {campaign.label} since {start.isoformat()}")
    return {
        "campaign": campaign,
        "members": figures.members,
        "figures": figures,
        "goal": campaign.goal,
        "campaign_label": campaign.label,
        "progress": _percent(figures.members, campaign.goal),
        "series": series,
        "series_start": start,
        "chart": Markup(chart),  # noqa: S704 (built by web.ui.chart, which escapes all text)
        "chapter_tallies": await chapter_tallies(),
    }


async def campaign_page(request: Request) -> Response:
    """GET /campaign: the whole series since the campaign's start, with a table."""
    ctx = await tally_context(request.app.state.settings)
    return await render(request, "campaign.html", ctx)


async def campaign_json(request: Request) -> Response:
    """GET /campaign.json: the same figures, for other organizations' servers to sum."""
    settings = request.app.state.settings
    campaign = await current_campaign(settings)
    day = today()
    figures = await tally_figures(ORGANIZATION, day)
    series = _with_today(await tally_series(ORGANIZATION, series_start(campaign, day), day),
                         day, figures)
    body = {
        "label": campaign.label,
        "goal": campaign.goal,
        "starts_on": campaign.starts_on.isoformat() if campaign.starts_on else None,
        "ends_on": campaign.ends_on.isoformat() if campaign.ends_on else None,
        "members": figures.members,
        "new_members_today": figures.new_members,
        "active_members": figures.active_members,
        # Percent of the goal reached, one decimal, beyond 100 when the goal is passed.
        "progress": round(100 * figures.members / campaign.goal, 1),
        "series": [
            {"day": row.day.isoformat(), "members": row.members,
             "new_members": row.new_members, "active_members": row.active_members}
            for row in series
        ],
        "chapters": [
            {"slug": c.slug, "name": c.name, "members": c.members, "goal": c.goal}
            for c in await chapter_tallies()
        ],
    }
    return JSONResponse(body, headers={**CORS, "cache-control": JSON_CACHE})


# --- the admins' settings -------------------------------------------------------------------

async def _admin(request: Request) -> Account | Response:
    account = await current_account(request)
    if account is None:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    if not account.is_admin:
        return await render(request, "error.html", {
            "title": N_("Only administrators can see this page"), "status": 403,
            "message": N_("The campaign is set by the organization's administrators.")}, 403)
    return account


def _field(form: FormData, name: str, limit: int = 200) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def _number(text: str) -> int | None:
    digits = text.replace(",", "").replace(" ", "").replace("_", "")
    if not digits.isdigit() or len(digits) > 12:
        raise ValueError(text)
    return int(digits)


def _day(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


async def _settings_page(request: Request, values: dict[str, str], errors: dict[str, str],
                         status: int = 200) -> Response:
    return await render(request, "admin_campaign.html", {
        "values": values, "errors": errors, "chapters": await chapter_goals(),
        "saved": request.query_params.get("saved") == "1" and not errors,
        "label_max": LABEL_MAX, "goal_max": GOAL_MAX}, status)


async def admin_campaign_form(request: Request) -> Response:
    """GET /admin/campaign: the campaign's label, goal and dates, and each chapter's goal."""
    admin = await _admin(request)
    if isinstance(admin, Response):
        return admin
    campaign = await current_campaign(request.app.state.settings)
    values = {
        "label": campaign.label,
        "goal": str(campaign.goal),
        "starts_on": campaign.starts_on.isoformat() if campaign.starts_on else "",
        "ends_on": campaign.ends_on.isoformat() if campaign.ends_on else "",
    }
    for chapter in await chapter_goals():
        values[f"goal_{chapter.chapter_id}"] = str(chapter.goal) if chapter.goal else ""
    return await _settings_page(request, values, {})


async def admin_campaign_submit(request: Request) -> Response:
    """POST /admin/campaign: save, then back to the form with a confirmation."""
    form = await read_form(request)
    admin = await _admin(request)
    if isinstance(admin, Response):
        return admin
    chapters = await chapter_goals()
    names = ["label", "goal", "starts_on", "ends_on",
             *(f"goal_{c.chapter_id}" for c in chapters)]
    values = {name: _field(form, name) for name in names}
    errors: dict[str, str] = {}
    goal: int | None = None
    try:
        goal = _number(values["goal"]) if values["goal"] else None
    except ValueError:
        errors["goal"] = N_("Enter a whole number, for example 1000.")
    dates: dict[str, date | None] = {}
    for name in ("starts_on", "ends_on"):
        try:
            dates[name] = _day(values[name])
        except ValueError:
            errors[name] = N_("Enter a date like 2026-01-31.")
    goals: dict[int, int | None] = {}
    for chapter in chapters:
        name = f"goal_{chapter.chapter_id}"
        try:
            goals[chapter.chapter_id] = _number(values[name]) if values[name] else None
        except ValueError:
            errors[name] = N_("Enter a whole number, or leave it empty for no goal.")
    if not errors:
        try:
            await save_campaign(values["label"], goal, dates["starts_on"],
                                dates["ends_on"], goals)
        except ValidationFailed as exc:
            errors = exc.errors
    if errors:
        return await _settings_page(request, values, errors, 400)
    return RedirectResponse("/admin/campaign?saved=1", status_code=303)


def routes() -> list[Route]:
    return [
        Route("/campaign", campaign_page, methods=["GET"], name="campaign"),
        Route("/campaign.json", campaign_json, methods=["GET"], name="campaign_json"),
        Route("/admin/campaign", admin_campaign_form, methods=["GET"], name="admin_campaign"),
        Route("/admin/campaign", admin_campaign_submit, methods=["POST"]),
    ]
