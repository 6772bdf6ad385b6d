"""The campaign as visitors, admins and other organizations' servers see it: a simulated
month of daily tallies on the home page, /campaign and /campaign.json, and /admin/campaign."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest

from actors.accounts import Registration, register_member
from actors.campaign import current_campaign, save_campaign
from actors.chapters import create_chapter
from actors.models import Account, Actor, Campaign, Chapter, Follow
from content.models import Post
from content.tally import record_tally, today
from core import clock
from core.ids import new_id
from core.settings import Settings
from tests.support.forms import post_form
from tests.support.members import log_in

SVG = "{http://www.w3.org/2000/svg}"
# In the past: the clock never runs ahead of real time, or every id made after the
# test (core.ids keeps them increasing) would carry a future time.
DAY0 = datetime.now(UTC).date() - timedelta(days=300)
DAYS = 30
DOWN = (14, 15)  # the server was not running these days: no figures
PASSWORD = "a long enough password"


def day(i: int) -> date:
    return DAY0 + timedelta(days=i)


def at(i: int, hour: int = 12) -> datetime:
    d = day(i)
    return datetime(d.year, d.month, d.day, hour, tzinfo=UTC)


@pytest.fixture
def frozen() -> Iterator[None]:
    """The clock stands on the evening of the month's last day."""
    clock.set_clock(lambda: at(DAYS - 1, 18))
    yield
    clock.set_clock(None)


@dataclass
class Month:
    joins: list[int]  # the day each approved member joined
    chapter: Chapter

    def members(self, i: int) -> int:
        return sum(1 for j in self.joins if j <= i)

    def new_members(self, i: int) -> int:
        return self.joins.count(i)

    @staticmethod
    def active(i: int) -> int:
        # m0 posted on day 5; root logged in on day 20 (30-day window)
        return (5 <= i) + (20 <= i)


async def _member(name: str, joined: datetime, **fields: object) -> Actor:
    actor = await Actor.create(kind="Person", username=name, acct_key=Actor.key_for(name, None))
    account = await Account.create(actor=actor, email=f"{name}@example.org", password_hash="x",
                                   commitments_version="1", commitments_accepted_at=joined,
                                   **fields)
    await Account.filter(id=account.id).update(created_at=joined)
    return actor


async def simulate_month() -> Month:
    """A month of a campaign: members join every third day (two on day 7, one on the last),
    an application made on day 10 is approved on day 12, another still waits; a chapter
    gains members (one of them remote); the tally runs every day the server is up."""
    joins = [-5]
    root = await _member("root", at(-5), role="admin", last_login_at=at(20))
    members = []
    for i in range(DAYS):
        for n in range((1 if i % 3 == 0 else 0) + (1 if i == 7 else 0) + (i == DAYS - 1)):
            members.append(await _member(f"m{i}_{n}", at(i, 9 + n)))
            joins.append(i)
    await _member("applicant", at(10), reviewed_at=at(12), reviewed_by=root)
    joins.append(12)
    await _member("waiting", at(11), approved=False)
    post_id = new_id()
    await Post.create(id=post_id, uri=f"http://127.0.0.1/posts/{post_id}", author=members[0],
                      published=at(5), content_html="<p>hello</p>")
    chapter = await create_chapter("Lyon", "lyon")
    zoe = await Actor.create(kind="Person", username="zoe", domain="remote.test",
                             acct_key=Actor.key_for("zoe", "remote.test"),
                             uri="https://remote.test/users/zoe")
    for follower, i in ((members[0], 1), (members[1], 4), (zoe, 8)):
        await Follow.create(follower=follower, followed_id=chapter.actor_id,  # type: ignore[attr-defined]
                            state="accepted", accepted_at=at(i))
    for i in range(DAYS):
        if i not in DOWN:
            clock.set_clock(lambda i=i: at(i, 23))  # type: ignore[misc]
            await record_tally(today())
    clock.set_clock(lambda: at(DAYS - 1, 18))
    return Month(sorted(joins), chapter)


def chart_in(html: str) -> ET.Element:
    found = re.search(r"<svg .*?</svg>", html, re.S)
    assert found, "no chart on the page"
    return ET.fromstring(found.group(0))


def chart_points(svg: ET.Element) -> list[tuple[str, int]]:
    return [(c.get("data-day", ""), int(c.get("data-members", "-1")))
            for c in svg.iter(f"{SVG}circle")]


def table_rows(html: str) -> list[tuple[str, ...]]:
    return [tuple(re.sub(r"<[^>]+>", "", cell).replace(",", "") for cell in
                  re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row))
            for row in re.findall(r"<tr><th scope=\"row\">.*?</tr>", html)]


@pytest.mark.usefixtures("frozen")
async def test_a_month_of_tallies_on_the_home_page_the_campaign_page_and_the_json(
    client: httpx.AsyncClient,
) -> None:
    month = await simulate_month()
    recorded = [i for i in range(DAYS) if i not in DOWN]
    now = DAYS - 1
    assert month.members(now) == 14 and month.new_members(now) == 1

    home = (await client.get("/")).text
    assert f"{month.members(now)}</strong> members of a goal of 1,000" in home
    svg = chart_in(home)
    assert chart_points(svg) == [(day(i).isoformat(), month.members(i)) for i in recorded]
    desc = svg.find(f"{SVG}desc")
    assert desc is not None
    assert desc.text == (f"14 members on {day(now)}, goal 1000, up {14 - month.members(0)} "
                         f"since {day(0)} (the goal is above the scale).")
    assert table_rows(home) == [
        (day(i).isoformat(), str(month.members(i)), str(month.new_members(i)),
         str(month.active(i))) for i in recorded]
    assert "<details>" in home

    data = (await client.get("/campaign.json")).json()
    assert {k: data[k] for k in ("label", "goal", "starts_on", "ends_on", "members",
                                 "new_members_today", "active_members", "progress")} == {
        "label": "members", "goal": 1000, "starts_on": None, "ends_on": None,
        "members": 14, "new_members_today": 1, "active_members": 2, "progress": 1.4}
    assert data["series"] == [
        {"day": day(i).isoformat(), "members": month.members(i),
         "new_members": month.new_members(i), "active_members": month.active(i)}
        for i in recorded]
    assert data["chapters"] == [{"slug": "lyon", "name": "Lyon", "members": 3, "goal": None}]

    # the campaign started on day 10: its page and the JSON begin there
    await save_campaign("members", 1000, day(10), day(60), {month.chapter.id: 5})
    page = await client.get("/campaign")
    assert page.status_code == 200
    since = [i for i in recorded if i >= 10]
    assert chart_points(chart_in(page.text)) == [
        (day(i).isoformat(), month.members(i)) for i in since]
    assert [row[0] for row in table_rows(page.text)] == [
        *(day(i).isoformat() for i in since), "Lyon"]
    assert f"deadline {day(60).isoformat()}" in page.text
    data = (await client.get("/campaign.json")).json()
    assert [p["day"] for p in data["series"]] == [day(i).isoformat() for i in since]
    assert (data["starts_on"], data["ends_on"]) == (day(10).isoformat(), day(60).isoformat())
    assert data["chapters"] == [{"slug": "lyon", "name": "Lyon", "members": 3, "goal": 5}]
    home = (await client.get("/")).text
    assert "Goals of the chapters" in home and "3 of 5" in home


async def test_the_json_may_be_read_by_other_sites_and_cached_a_few_minutes(
    client: httpx.AsyncClient,
) -> None:
    answer = await client.get("/campaign.json", headers={"origin": "https://other.example"})
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == "*"
    assert answer.headers["cache-control"] == "public, max-age=300"
    assert answer.json()["members"] == 0
    # Nothing recorded yet: the series is today's live point alone.
    [now] = answer.json()["series"]
    assert (now["members"], now["new_members"]) == (0, 0)


async def test_before_any_tally_the_chart_shows_today_and_moves_when_someone_joins(
    client: httpx.AsyncClient, settings: Settings,
) -> None:
    for path in ("/", "/campaign"):
        svg = chart_in((await client.get(path)).text)
        [(_, count)] = chart_points(svg)
        assert count == 0
    await register_member(Registration("ana", "ana@example.org", PASSWORD, True),
                          settings.registration)
    for path in ("/", "/campaign"):
        svg = chart_in((await client.get(path)).text)
        [(_, count)] = chart_points(svg)  # no tally recorded: today's point is live
        assert count == 1



async def test_only_admins_may_set_the_campaign(
    client: httpx.AsyncClient, settings: Settings,
) -> None:
    answer = await client.get("/admin/campaign")
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
    await log_in(client, settings, "mia")
    assert (await client.get("/admin/campaign")).status_code == 403
    token = re.search(r'name="csrf_token" value="([^"]+)"', (await client.get("/")).text)
    assert token
    refused = await client.post("/admin/campaign", data={
        "csrf_token": token.group(1), "label": "votes", "goal": "5"})
    assert refused.status_code == 403
    assert await Campaign.all().count() == 0


async def test_an_admin_sets_the_campaign_and_the_chapters_goals(
    client: httpx.AsyncClient, settings: Settings,
) -> None:
    lyon = await create_chapter("Lyon", "lyon")
    nice = await create_chapter("Nice", "nice")
    await log_in(client, settings, "root", role="admin")
    form = await client.get("/admin/campaign")
    assert form.status_code == 200
    for field in ("label", "goal", "starts_on", "ends_on", f"goal_{lyon.id}", f"goal_{nice.id}"):
        assert f'<label for="f-{field}">' in form.text and f'id="f-{field}"' in form.text
    assert 'value="members"' in form.text and 'value="1000"' in form.text  # the defaults

    bad = await post_form(client, "/admin/campaign", {
        "label": "", "goal": "0", "starts_on": "2026-12-01", "ends_on": "2026-11-01",
        f"goal_{lyon.id}": "lots", f"goal_{nice.id}": ""})
    assert bad.status_code == 400
    assert "Enter a whole number, or leave it empty" in bad.text
    assert await Campaign.all().count() == 0
    bad = await post_form(client, "/admin/campaign", {
        "label": "", "goal": "0", "starts_on": "2026-12-01", "ends_on": "2026-11-01",
        f"goal_{lyon.id}": "20", f"goal_{nice.id}": ""})
    assert bad.status_code == 400
    for message in ("Name what you count", "Use a number from 1 to 1,000,000,000",
                    "The deadline cannot be before the start"):
        assert message in bad.text
    assert 'aria-invalid="true"' in bad.text and 'value="2026-12-01"' in bad.text
    assert await Campaign.all().count() == 0
    assert (await Chapter.get(id=lyon.id)).campaign_goal is None

    saved = await post_form(client, "/admin/campaign", {
        "label": "members & friends", "goal": "2,500", "starts_on": "2026-09-01",
        "ends_on": "2027-03-01", f"goal_{lyon.id}": "20", f"goal_{nice.id}": ""})
    assert saved.status_code == 303
    assert saved.headers["location"] == "/admin/campaign?saved=1"
    again = await client.get(saved.headers["location"])
    assert "The campaign is saved." in again.text and 'value="2500"' in again.text
    campaign = await current_campaign(settings)
    assert (campaign.label, campaign.goal, campaign.starts_on, campaign.ends_on) == (
        "members & friends", 2500, date(2026, 9, 1), date(2027, 3, 1))
    assert [c.campaign_goal for c in await Chapter.all().order_by("name")] == [20, None]
    home = (await client.get("/")).text
    assert "members &amp; friends of a goal of 2,500" in home
    assert "Lyon" in home and "0 of 20" in home
    assert (await client.get("/campaign.json")).json()["goal"] == 2500

    # an emptied goal removes it
    await post_form(client, "/admin/campaign", {
        "label": "members", "goal": "2500", "starts_on": "", "ends_on": "",
        f"goal_{lyon.id}": "", f"goal_{nice.id}": ""})
    assert (await Chapter.get(id=lyon.id)).campaign_goal is None
    assert (await current_campaign(settings)).starts_on is None
