"""Joining through the form: with a mouse, with the keyboard only, with a mistake, and
applying where an administrator approves newcomers."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from playwright.async_api import Page, expect

from tests.browser.harness import (
    PHONE,
    Member,
    OpenVisit,
    Visit,
    account_menu,
    join_with_keyboard,
    unique_username,
)
from tests.support.servers import RunningServer

MakeMember = Callable[[RunningServer], Awaitable[Member]]
PASSWORD = "correct horse battery staple"
_COUNT = re.compile(r"([\d,]+)\s+members of a goal")


async def member_count(page: Page) -> int:
    """The campaign tally as the home page shows it."""
    text = await page.get_by_role("region", name="Our campaign").inner_text()
    match = _COUNT.search(text)
    assert match, f"no member count in {text!r}"
    return int(match.group(1).replace(",", ""))


async def type_into(page: Page, label: str, text: str) -> None:
    """Click the field with this label and type, as a person does."""
    field = page.get_by_label(label, exact=True)
    await field.click()
    await field.press_sequentially(text)


async def test_a_newcomer_joins_on_a_phone_and_is_welcomed_and_counted(
    open_visit: OpenVisit, server: RunningServer
) -> None:
    visit = await open_visit(server, PHONE)
    page = visit.page
    await visit.goto("/")
    before = await member_count(page)
    async with visit.navigation():
        await page.get_by_role("link", name="Join us").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(f"Join {server.name}")

    username = unique_username("ana")
    await type_into(page, "Username", username)
    await type_into(page, "Name shown to others (optional)", "Ana Pérez")
    await type_into(page, "Email address", f"{username}@example.org")
    await type_into(page, "Password", PASSWORD)
    await expect(page.get_by_role("group", name="Our commitments")).to_contain_text("solidarity")
    await page.get_by_label("I accept these commitments").check()
    async with visit.navigation():
        await page.get_by_role("button", name="Join", exact=True).click()

    assert visit.path == "/?welcome=1"
    await expect(page.get_by_role("status")).to_have_text(
        "Welcome, Ana Pérez! You are now a member."
    )
    await expect(page.get_by_text(f"@{username}")).to_be_visible()
    await expect((await account_menu(page)).get_by_role("button", name="Log out")).to_be_visible()
    await expect(page.get_by_role("link", name="Join us")).to_have_count(0)
    assert await member_count(page) == before + 1


async def test_a_taken_username_is_explained_next_to_the_field_and_the_form_kept(
    visit: Visit, server: RunningServer, make_member: MakeMember
) -> None:
    taken = await make_member(server)
    page = visit.page
    await visit.goto("/join")
    await type_into(page, "Username", taken.username.upper())
    await type_into(page, "Name shown to others (optional)", "Second Comer")
    await type_into(page, "Email address", "second.comer@example.org")
    await type_into(page, "Password", PASSWORD)
    await page.get_by_label("I accept these commitments").check()
    async with visit.navigation(status=422):
        await page.get_by_role("button", name="Join", exact=True).click()

    username = page.get_by_label("Username", exact=True)
    field = page.locator(".field").filter(has=username)
    error = field.get_by_text("This username is taken.")
    await expect(error).to_be_visible()
    below, box = await error.bounding_box(), await username.bounding_box()
    assert below and box and 0 <= below["y"] - (box["y"] + box["height"]) < 80, (below, box)
    await expect(page.get_by_role("alert")).to_contain_text("This username is taken.")
    await expect(username).to_have_value(taken.username.upper())
    await expect(page.get_by_label("Name shown to others (optional)")).to_have_value("Second Comer")
    await expect(page.get_by_label("Email address")).to_have_value("second.comer@example.org")
    await expect(page.get_by_label("Password", exact=True)).to_have_value("")  # never echoed

    # The summary's link takes the person to the field to correct.
    await page.get_by_role("alert").get_by_role("link", name="This username is taken.").click()
    await expect(username).to_be_focused()


async def test_a_field_error_is_announced_with_the_field(
    visit: Visit, server: RunningServer, make_member: MakeMember
) -> None:
    taken = await make_member(server)
    page = visit.page
    await visit.goto("/join")
    await type_into(page, "Username", taken.username)
    async with visit.navigation(status=422):
        await page.get_by_role("button", name="Join", exact=True).click()
    username = page.get_by_label("Username", exact=True)
    # The page has loaded: no need to wait for it to change.
    await expect(username).to_have_attribute("aria-invalid", "true", timeout=500)
    await expect(username).to_have_accessible_description(
        re.compile("This username is taken"), timeout=500
    )


async def test_the_join_form_works_with_the_keyboard_alone(
    visit: Visit, server: RunningServer
) -> None:
    page = visit.page
    await visit.goto("/join")
    await join_with_keyboard(visit, "kim", "Kim Keys", PASSWORD)
    await expect(page.get_by_role("status")).to_have_text(
        "Welcome, Kim Keys! You are now a member."
    )


async def test_applying_where_an_administrator_approves_newcomers(
    open_visit: OpenVisit, approval_server: RunningServer
) -> None:
    visit = await open_visit(approval_server)
    page = visit.page
    await visit.goto("/")
    before = await member_count(page)
    async with visit.navigation():
        await page.get_by_role("link", name="Apply to join").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Apply to join {approval_server.name}"
    )
    reason = page.get_by_label("Why do you want to join?")
    await expect(reason).to_be_visible()

    username = unique_username("applicant")
    await type_into(page, "Username", username)
    await type_into(page, "Email address", f"{username}@example.org")
    await type_into(page, "Password", PASSWORD)
    await reason.click()
    await reason.press_sequentially("I organise the tenants' union in my street.")
    await page.get_by_label("I accept these commitments").check()
    async with visit.navigation(status=201):
        await page.get_by_role("button", name="Send my application").click()

    await expect(page.get_by_role("heading", level=1)).to_have_text(f"Thank you, {username}")
    await expect(page.get_by_role("status")).to_contain_text("Your application has been received.")
    async with visit.navigation():
        await page.get_by_role("link", name="Back to the home page").click()
    assert await member_count(page) == before  # not counted until approved
    await expect(page.get_by_role("link", name="Log in").first).to_be_visible()
