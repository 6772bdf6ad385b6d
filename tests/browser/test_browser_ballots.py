"""A formal ballot in the browser: an admin opens a ranked-choice ballot of the organization
with the form, a member ranks the proposals with the keyboard alone and, once the ballot has
closed, reads the instant-runoff rounds and the Schulze ranking. Every page audited (axe)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from playwright.async_api import expect

from tests.browser.harness import PHONE, Member, OpenVisit, tab_to
from tests.browser.test_browser_organization import admin_of, logged_in
from tests.support.servers import RunningServer

MakeMember = Callable[[RunningServer], Awaitable[Member]]


def _local(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


async def test_a_member_ranks_proposals_with_the_keyboard_and_reads_the_result(
    open_visit: OpenVisit, server: RunningServer, make_member: MakeMember,
) -> None:
    voter = await make_member(server)  # a member before voting opens: on the list
    admin = await admin_of(server)
    desk = await open_visit(server)
    await logged_in(desk, admin)
    await desk.goto("/ballots")
    async with desk.navigation():
        await desk.page.get_by_role("link", name="Open a ballot").click()
    page = desk.page
    now = datetime.now(UTC)
    await page.get_by_label("Title", exact=True).fill("Where is the next congress?")
    await page.get_by_label("Description").fill("Rank the three cities.")
    await page.get_by_label("Ranked choice").check()
    await page.get_by_label("Proposals open").fill(_local(now - timedelta(minutes=3)))
    await page.get_by_label("Amendments open (optional)").fill("")
    await page.get_by_label("Voting opens").fill(_local(now - timedelta(minutes=2)))
    await page.get_by_label("Voting closes").fill(_local(now + timedelta(days=1)))
    for n, city in enumerate(("Lyon", "Marseille", "Nice"), 1):
        await page.get_by_label(f"Proposal {n}: title").fill(city)
        await page.get_by_label(f"Proposal {n}: text").fill(f"The congress meets in {city}.")
    async with desk.navigation():
        await page.get_by_role("button", name="Open the ballot").click()
    assert desk.path.startswith("/ballots/")
    ballot_path = desk.path
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Where is the next congress?")

    tab = await open_visit(server, PHONE, color_scheme="dark")
    await logged_in(tab, voter)
    await tab.goto(ballot_path)
    member = tab.page
    await expect(member.locator('[aria-current="step"]')).to_contain_text("Voting")
    ids = [await member.get_by_label(f"Rank of “{city}”").get_attribute("id")
           for city in ("Lyon", "Marseille", "Nice")]
    keys = member.keyboard
    await tab_to(tab, "Skip to content")
    await keys.press("Enter")
    await tab_to(tab, "← Ballots")
    # Nice first, Lyon second, Marseille not ranked: typing a digit picks that rank.
    for field, rank in zip(ids, ("2", "", "1"), strict=True):
        await tab_to(tab, str(field))
        if rank:
            await keys.type(rank)
    await expect(member.get_by_label("Rank of “Nice”")).to_have_value("1")
    await expect(member.get_by_label("Rank of “Lyon”")).to_have_value("2")
    await expect(member.get_by_label("Rank of “Marseille”")).to_have_value("")
    await tab_to(tab, "Cast my vote")
    async with tab.navigation():
        await keys.press("Enter")
    assert tab.path == ballot_path
    await expect(member.get_by_text("You voted.")).to_be_visible()
    await expect(member.get_by_role("button", name="Cast my vote")).to_have_count(0)

    # Voting ends: the test moves the ballot's end into the past (no waiting a day); the
    # page then shows the count the phase job records.
    ballot_id = int(ballot_path.rsplit("/", 1)[1])
    assert await server.sql("UPDATE ballot SET ends_at = voting_at WHERE id = ?",
                            ballot_id) == 1
    await tab.goto(ballot_path)
    results = member.get_by_role("region", name="Results")
    await expect(results).to_contain_text("Decided: Nice")
    await expect(results).to_contain_text("Winner by instant-runoff: Nice")
    await expect(results).to_contain_text("Winner by the Schulze method: Nice")
    rounds = results.get_by_role("table", name="Instant-runoff rounds")
    nice = rounds.get_by_role("row").filter(has=member.get_by_role("rowheader",
                                                                   name="Nice winner"))
    await expect(nice.get_by_role("cell").first).to_have_text("1")
    await expect(member.locator('[aria-current="step"]')).to_contain_text("Results")
