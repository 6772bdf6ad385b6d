"""The membership campaign: its label, goal and dates (the Campaign row, else [campaign] of
the configuration) and the chapters' own goals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from actors.errors import ValidationFailed
from actors.models import Campaign, Chapter
from core import clock
from core.db import in_transaction
from core.messages import N_
from core.settings import Settings

CAMPAIGN_ID = 1  # the one row
LABEL_MAX = 100
GOAL_MIN, GOAL_MAX = 1, 1_000_000_000


@dataclass(frozen=True)
class CampaignView:
    """The campaign as the pages, the JSON endpoint and NodeInfo show it."""

    label: str
    goal: int
    starts_on: date | None
    ends_on: date | None


@dataclass(frozen=True)
class ChapterGoal:
    """One of our chapters with its campaign goal (None: it has none)."""

    chapter_id: int
    slug: str
    name: str
    goal: int | None


async def current_campaign(settings: Settings) -> CampaignView:
    """The campaign the admins saved on the web, or the configuration's until they do."""
    row = await Campaign.get_or_none(id=CAMPAIGN_ID)
    if row is not None:
        return CampaignView(row.label, row.goal, row.starts_on, row.ends_on)
    c = settings.campaign
    return CampaignView(c.label, c.goal, c.starts_on, c.ends_on)


async def chapter_goals() -> list[ChapterGoal]:
    """Every chapter of ours with its goal, by name."""
    rows = await Chapter.all().order_by("name").values("id", "slug", "name", "campaign_goal")
    return [ChapterGoal(r["id"], r["slug"], r["name"], r["campaign_goal"]) for r in rows]


def _goal_problem(goal: int | None, *, required: bool) -> str | None:
    if goal is None:
        return N_("Enter the goal, a whole number.") if required else None
    if not GOAL_MIN <= goal <= GOAL_MAX:
        return N_("Use a number from %(min)s to %(max)s.", min=format(GOAL_MIN, ","), max=format(GOAL_MAX, ","))
    return None


async def save_campaign(
    label: str,
    goal: int | None,
    starts_on: date | None,
    ends_on: date | None,
    chapter_goals: dict[int, int | None] | None = None,
) -> CampaignView:
    """Store the campaign and the chapters' goals (None removes one) in one transaction;
    raise ValidationFailed({field: message}) and write nothing when anything is wrong.

    Fields: `label`, `goal`, `ends_on`, and `goal_<chapter id>` for a chapter's goal.
    """
    goals = dict(chapter_goals or {})
    label = label.strip()
    errors: dict[str, str] = {}
    if not label:
        errors["label"] = N_("Name what you count, for example “members”.")
    elif len(label) > LABEL_MAX:
        errors["label"] = N_("Use at most %(max)s characters.", max=LABEL_MAX)
    if problem := _goal_problem(goal, required=True):
        errors["goal"] = problem
    if starts_on is not None and ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = N_("The deadline cannot be before the start.")
    known = {row["id"] for row in await Chapter.filter(id__in=list(goals)).values("id")}
    for chapter_id, chapter_goal in goals.items():
        if chapter_id not in known:
            errors[f"goal_{chapter_id}"] = N_("There is no such chapter.")
        elif problem := _goal_problem(chapter_goal, required=False):
            errors[f"goal_{chapter_id}"] = problem
    if errors or goal is None:
        raise ValidationFailed(errors or {"goal": N_("Enter the goal, a whole number.")})
    async with in_transaction():
        updated = await Campaign.filter(id=CAMPAIGN_ID).update(
            label=label, goal=goal, starts_on=starts_on, ends_on=ends_on,
            updated_at=clock.now())
        if not updated:
            await Campaign.create(id=CAMPAIGN_ID, label=label, goal=goal,
                                  starts_on=starts_on, ends_on=ends_on)
        for chapter_id, chapter_goal in goals.items():
            await Chapter.filter(id=chapter_id).update(campaign_goal=chapter_goal)
    return CampaignView(label, goal, starts_on, ends_on)
