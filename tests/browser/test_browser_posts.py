"""Writing, liking, editing and deleting a post through the forms, every page audited."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from playwright.async_api import expect

from tests.browser.harness import Member, Visit
from tests.browser.test_browser_login import log_in
from tests.support.servers import RunningServer

MakeMember = Callable[[RunningServer], Awaitable[Member]]


async def test_a_member_writes_likes_edits_and_deletes_a_post(
    visit: Visit, server: RunningServer, make_member: MakeMember
) -> None:
    member = await make_member(server)
    page = visit.page
    await visit.goto("/login")
    await log_in(visit, member.username, member.password)
    async with visit.navigation():
        await page.get_by_role("link", name="Write", exact=True).click()

    async with visit.navigation(status=422):  # empty: refused in one sentence
        await page.get_by_role("button", name="Publish").click()
    await expect(page.get_by_role("alert")).to_have_text("Write something.")
    await page.get_by_label("Your post").fill("Meeting on *Thursday*")
    await page.get_by_label("Only your followers").check()
    async with visit.navigation():
        await page.get_by_role("button", name="Publish").click()
    assert visit.path.startswith("/posts/")
    await expect(page.locator("article em")).to_have_text("Thursday")

    async with visit.navigation():
        await page.get_by_role("button", name="Like").click()
    await expect(page.get_by_role("button", name="Unlike")).to_be_visible()
    await page.get_by_label("Edit your post").fill("Meeting on *Friday*")
    async with visit.navigation():
        await page.get_by_role("button", name="Save changes").click()
    await expect(page.locator("article em")).to_have_text("Friday")
    async with visit.navigation():
        await page.get_by_role("button", name="Delete this post").click()
    await expect(page.get_by_role("status")).to_have_text("The post was deleted.")
