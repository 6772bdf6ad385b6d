"""Logging in and out through the forms."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from playwright.async_api import Page, expect

from tests.browser.harness import Member, OpenVisit, Visit, account_menu, unique_username
from tests.support.servers import RunningServer

MakeMember = Callable[[RunningServer], Awaitable[Member]]


async def log_in(visit: Visit, identifier: str, password: str, *, status: int = 200) -> None:
    page = visit.page
    await page.get_by_label("Username or email address").fill(identifier)
    await page.get_by_label("Password").fill(password)
    async with visit.navigation(status=status):
        await page.get_by_role("button", name="Log in").click()


async def expect_logged_in(page: Page, member: Member) -> None:
    account = page.get_by_role("navigation", name="Account")
    await expect(account).to_contain_text(f"@{member.username}")
    await expect(account.get_by_role("link", name="Log in")).to_have_count(0)
    menu = await account_menu(page)
    await expect(menu.get_by_role("button", name="Log out")).to_be_visible()
    await menu.locator("summary").click()  # closed again


async def test_a_member_logs_out_and_back_in(
    visit: Visit, server: RunningServer, make_member: MakeMember
) -> None:
    member = await make_member(server)
    page = visit.page
    await visit.goto("/")
    async with visit.navigation():
        await page.get_by_role("link", name="Log in").first.click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    await log_in(visit, member.username, member.password)
    assert visit.path == "/"
    await expect_logged_in(page, member)

    async with visit.navigation():
        await (await account_menu(page)).get_by_role("button", name="Log out").click()
    account = page.get_by_role("navigation", name="Account")
    await expect(account.get_by_role("link", name="Log in")).to_be_visible()
    await expect(account.get_by_role("link", name="Join", exact=True)).to_be_visible()
    await expect(account).not_to_contain_text(f"@{member.username}")

    async with visit.navigation():
        await account.get_by_role("link", name="Log in").click()
    await log_in(visit, member.email, member.password)  # an email address works as well
    await expect_logged_in(page, member)


async def test_a_wrong_password_is_refused_and_the_name_kept(
    visit: Visit, server: RunningServer, make_member: MakeMember
) -> None:
    member = await make_member(server)
    await visit.goto("/login")
    await log_in(visit, member.username, "not the password", status=401)
    page = visit.page
    await expect(page.get_by_role("alert")).to_have_text(
        "Wrong username, email address or password."
    )
    await expect(page.get_by_label("Username or email address")).to_have_value(member.username)
    await expect(page.get_by_label("Password")).to_have_value("")
    await log_in(visit, member.username, member.password)
    await expect_logged_in(page, member)


async def test_an_applicant_cannot_log_in_before_approval(
    open_visit: OpenVisit, approval_server: RunningServer
) -> None:
    visit = await open_visit(approval_server)
    page = visit.page
    username = unique_username("waiting")
    await visit.goto("/join")
    await page.get_by_label("Username", exact=True).fill(username)
    await page.get_by_label("Email address").fill(f"{username}@example.org")
    await page.get_by_label("Password").fill("a long enough password")
    await page.get_by_label("Why do you want to join?").fill("To help.")
    await page.get_by_label("I accept these commitments").check()
    async with visit.navigation(status=201):
        await page.get_by_role("button", name="Send my application").click()
    await visit.goto("/login")
    await log_in(visit, username, "a long enough password", status=401)
    await expect(page.get_by_role("alert")).to_have_text(
        "Your application is waiting for an administrator's approval."
    )
