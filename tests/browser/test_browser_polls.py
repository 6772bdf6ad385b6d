"""A straw poll in the browser: written from the compose form, voted on from its page, the
results shown as a table with a meter per option; every page audited (axe) on a phone."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from playwright.async_api import expect

from tests.browser.harness import PHONE, Member, OpenVisit
from tests.browser.test_browser_login import log_in
from tests.support.servers import RunningServer

MakeMember = Callable[[RunningServer], Awaitable[Member]]


async def test_a_member_writes_a_poll_and_another_votes_in_it(
    open_visit: OpenVisit, server: RunningServer, make_member: MakeMember,
) -> None:
    author, voter = await make_member(server), await make_member(server)
    visit = await open_visit(server, PHONE, color_scheme="dark")
    page = visit.page
    await visit.goto("/login")
    await log_in(visit, author.username, author.password)
    await visit.goto("/compose")
    await page.get_by_label("Your post").fill("Where shall we meet in spring?")
    await page.get_by_label("Option 1").fill("Lyon")
    await page.get_by_label("Option 2").fill("Marseille")
    async with visit.navigation():
        await page.get_by_role("button", name="Publish").click()
    assert visit.path.startswith("/posts/")
    poll_path = visit.path
    await expect(page.get_by_role("heading", name="Poll")).to_be_visible()

    other = await open_visit(server, PHONE)
    await other.goto("/login")
    await log_in(other, voter.username, voter.password)
    await other.goto(poll_path)
    await other.page.get_by_label("Marseille").check()
    async with other.navigation():
        await other.page.get_by_role("button", name="Vote").click()
    results = other.page.get_by_role("table")
    mine = results.get_by_role("row").filter(has=other.page.get_by_role(
        "rowheader", name="Marseille your vote"))
    await expect(mine.get_by_role("cell").first).to_have_text("1")
    await expect(mine.get_by_role("meter")).to_have_attribute("value", "100")
    await expect(other.page.get_by_role("meter")).to_have_count(2)
    await expect(other.page.get_by_text("1 voter ·")).to_be_visible()
