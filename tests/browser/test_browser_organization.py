"""The organization's pages as people use them: an admin builds a chapter tree, a coordinator
admits a member, a member recruits a newcomer by invitation, an admin answers an application
and sets the campaign goal. Every page is audited, on phones and desktops, light and dark."""

from __future__ import annotations

import asyncio
import re
import secrets
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from playwright.async_api import Locator, Page, expect

from tests.browser.harness import (
    PHONE,
    Member,
    OpenVisit,
    Visit,
    account_menu,
    join_with_keyboard,
    unique_username,
)
from tests.browser.test_browser_login import expect_logged_in, log_in
from tests.support.servers import RunningServer

MakeMember = Callable[[RunningServer], Awaitable[Member]]
PASSWORD = "a long enough password"

_admins: dict[str, Member] = {}  # one admin per server (base URL) for the whole session


async def admin_of(server: RunningServer) -> Member:
    """An organization admin of `server`, created once with `chapterhouse create-admin`."""
    if server.base_url not in _admins:
        username = unique_username("admin")
        email = f"{username}@example.org"
        done = await asyncio.to_thread(
            server.cli,
            "create-admin",
            username,
            "--email",
            email,
            "--password-stdin",
            stdin=PASSWORD + "\n",
        )
        assert done.returncode == 0, done.stderr
        _admins[server.base_url] = Member(username, email, PASSWORD, username)
    return _admins[server.base_url]


async def logged_in(visit: Visit, who: Member) -> None:
    """Open the log-in page in `visit` and log in as `who`."""
    await visit.goto("/login")
    await log_in(visit, who.username, who.password)
    await expect_logged_in(visit.page, who)


def sections(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Sections")


def nav(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Account")


async def new_chapter(
    visit: Visit,
    name: str,
    slug: str,
    *,
    about: str = "",
    policy: str = "Anyone may join",
    coordinate: bool = True,
) -> None:
    """Fill the open /chapters/new form and create the chapter (its page opens)."""
    page = visit.page
    await page.get_by_label("Name", exact=True).fill(name)
    await page.get_by_label("Short name").fill(slug)
    if about:
        await page.get_by_label("About the chapter").fill(about)
    await page.get_by_label(policy).check()
    box = page.get_by_label("Join the chapter and coordinate it myself")
    await (box.check() if coordinate else box.uncheck())
    async with visit.navigation():
        await page.get_by_role("button", name="Create the chapter").click()
    assert visit.path == f"/chapters/{slug}"
    await expect(page.get_by_role("heading", level=1)).to_have_text(name)


def item_of(page: Page, scope: Page | Locator, name: str) -> Locator:
    """The innermost list item in `scope` holding the link `name`: its own item in the tree
    (the items nested in it follow it)."""
    return (
        scope.get_by_role("listitem")
        .filter(has=page.get_by_role("link", name=name, exact=True))
        .last
    )


async def test_an_admin_builds_a_chapter_tree_and_sees_it_nested(
    open_visit: OpenVisit, server: RunningServer
) -> None:
    admin = await admin_of(server)
    visit = await open_visit(server, PHONE, color_scheme="dark")
    page = visit.page
    await logged_in(visit, admin)
    async with visit.navigation():
        await (await account_menu(page)).get_by_role("link", name="Admin").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Administration")
    async with visit.navigation():
        await page.get_by_role("link", name="New chapter").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("New chapter")

    async with visit.navigation(status=422):  # nothing filled in: told what to correct
        await page.get_by_role("button", name="Create the chapter").click()
    await expect(page.get_by_role("alert").first).to_be_visible()
    await expect(page.get_by_label("Name", exact=True)).to_have_attribute("aria-invalid", "true")

    tag = secrets.token_hex(3)
    international, national, local = (f"International {tag}", f"National {tag}", f"Local {tag}")
    await new_chapter(visit, international, f"intl_{tag}", about="The whole organization.")
    await expect(page.get_by_text("You are a member")).to_be_visible()
    await expect(page.get_by_role("region", name="Coordinators")).to_contain_text(admin.username)

    async with visit.navigation():
        await page.get_by_role("link", name="New sub-chapter").click()
    await expect(page.get_by_label("A chapter on this server")).to_have_value(f"intl_{tag}")
    await new_chapter(visit, national, f"nat_{tag}")
    await expect(page.get_by_text(f"Part of {international}")).to_be_visible()

    async with visit.navigation():
        await page.get_by_role("link", name="New sub-chapter").click()
    await expect(page.get_by_label("A chapter on this server")).to_have_value(f"nat_{tag}")
    await new_chapter(
        visit,
        local,
        f"local_springfield_north_{tag}",  # 30 characters: a long handle
        about="Our street and the next.",
        policy="Coordinators approve each request",
    )
    await expect(
        page.get_by_role("heading", name="Coordinators approve each request")
    ).to_be_visible()
    await expect(page.get_by_text(f"Part of {national}")).to_be_visible()

    async with visit.navigation():
        await sections(page).get_by_role("link", name="Chapters").click()
    top = item_of(page, page, international)
    middle = item_of(page, top, national)
    bottom = item_of(page, middle, local)
    await expect(bottom).to_contain_text("1 member · Coordinators approve each request")
    await expect(top).to_contain_text(f"@intl_{tag}@")

    async with visit.navigation():
        await bottom.get_by_role("link", name=local).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(local)
    async with visit.navigation():
        await page.get_by_role("link", name=national).click()
    subchapters = page.get_by_role("region", name="Sub-chapters")
    await expect(subchapters.get_by_role("link", name=local)).to_be_visible()


async def test_a_coordinator_admits_a_member_who_is_told_and_posts_in_the_chapter(
    open_visit: OpenVisit, server: RunningServer, make_member: MakeMember
) -> None:
    admin = await admin_of(server)
    coordinator, member = await make_member(server), await make_member(server)
    tag = secrets.token_hex(3)
    name, slug = f"Tenants {tag}", f"tenants_{tag}"

    # The admin creates an open chapter and, under it, an approval one coordinated by a member.
    desk = await open_visit(server)
    await logged_in(desk, admin)
    await desk.goto("/chapters/new")
    await new_chapter(desk, f"Street {tag}", f"street_{tag}", coordinate=False)
    await desk.goto("/chapters/new")
    await desk.page.get_by_label("A chapter on this server").select_option(label=f"Street {tag}")
    await new_chapter(
        desk, name, slug, policy="Coordinators approve each request", coordinate=False
    )
    await expect(desk.page.get_by_text("No coordinators yet")).to_be_visible()
    async with desk.navigation():
        await desk.page.get_by_role("link", name="Chapter settings").click()
    await desk.page.get_by_label("Member to add").fill(f"@{coordinator.username}")
    async with desk.navigation():
        await desk.page.get_by_role("button", name="Appoint").click()
    await expect(desk.page.get_by_role("status")).to_have_text(
        "The member was added to the chapter."
    )
    await desk.page.get_by_label("Add a coordinator").fill(f"@{coordinator.username}")
    async with desk.navigation():
        await desk.page.get_by_role("button", name="Add coordinator").click()
    coordinators = desk.page.get_by_role("region", name="Coordinators")
    await expect(coordinators.get_by_role("link", name=coordinator.display_name)).to_be_visible()

    # A member, on a dark desktop, joins the open chapter and asks to join the other.
    asker = await open_visit(server, color_scheme="dark")
    await logged_in(asker, member)
    async with asker.navigation():
        await sections(asker.page).get_by_role("link", name="Chapters").click()
    async with asker.navigation():
        await asker.page.get_by_role("link", name=f"Street {tag}", exact=True).click()
    await expect(asker.page.get_by_text("@street_")).to_contain_text("0 members")
    async with asker.navigation():
        await asker.page.get_by_role("button", name="Join", exact=True).click()
    await expect(asker.page.get_by_text("You are a member")).to_be_visible()
    await expect(asker.page.get_by_text("@street_")).to_contain_text("1 member")
    async with asker.navigation():
        await (
            asker.page.get_by_role("region", name="Sub-chapters")
            .get_by_role("link", name=name)
            .click()
        )
    await expect(
        asker.page.get_by_text("Ask to join; a coordinator of the chapter answers")
    ).to_be_visible()
    async with asker.navigation():
        await asker.page.get_by_role("button", name="Ask to join").click()
    await expect(asker.page.get_by_text("Request pending")).to_be_visible()
    await expect(asker.page.get_by_role("button", name="Withdraw request")).to_be_visible()
    await expect(asker.page.get_by_role("region", name="Members")).not_to_contain_text(
        member.display_name
    )

    # The coordinator, on a phone, is told and accepts.
    phone = await open_visit(server, PHONE)
    page = phone.page
    await logged_in(phone, coordinator)
    notifications = nav(page).get_by_role("link", name=re.compile("^Notifications"))
    # Two: the appointment, and the request to answer.
    await expect(notifications).to_have_accessible_name("Notifications 2 unread")
    async with phone.navigation():
        await notifications.click()
    request = page.get_by_role("listitem").filter(has_text=f"asks to join {name}")
    await expect(request).to_contain_text(member.display_name)
    async with phone.navigation():
        await request.get_by_role("link", name="Answer the request").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Requests to join chapters")
    async with phone.navigation():
        await page.get_by_role("button", name=f"Accept @{member.username}@").click()
    await expect(page.get_by_role("button", name=f"Accept @{member.username}@")).to_have_count(0)
    await phone.goto(f"/chapters/{slug}")
    await expect(
        page.get_by_role("region", name="Members").get_by_role("link", name=member.display_name)
    ).to_be_visible()

    # The member sees the answer and writes to the chapter.
    await asker.goto(f"/chapters/{slug}")
    await expect(asker.page.get_by_text("You are a member")).to_be_visible()
    await expect(asker.page.get_by_role("button", name="Leave")).to_be_visible()
    told = nav(asker.page).get_by_role("link", name=re.compile("^Notifications"))
    await expect(told).to_have_accessible_name("Notifications 1 unread")
    async with asker.navigation():
        await told.click()
    await expect(asker.page.get_by_role("listitem").first).to_contain_text(
        f"{name} accepted you as a member."
    )
    await asker.goto(f"/chapters/{slug}")
    await asker.page.get_by_label("Write to the chapter").fill(f"First meeting of {tag}")
    async with asker.navigation():
        await asker.page.get_by_role("button", name=f"Post in {name}").click()
    assert asker.path.startswith("/posts/")
    await asker.goto(f"/chapters/{slug}")
    await expect(asker.page.get_by_role("region", name="Posts in this chapter")).to_contain_text(
        f"First meeting of {tag}"
    )


async def test_a_member_invites_a_newcomer_who_joins_with_the_keyboard(
    open_visit: OpenVisit, server: RunningServer, make_member: MakeMember
) -> None:
    inviter = await make_member(server)
    visit = await open_visit(server)
    page = visit.page
    await logged_in(visit, inviter)
    async with visit.navigation():
        await (await account_menu(page)).get_by_role("link", name="Invite").click()
    await expect(page.get_by_text("You have not made an invitation link yet.")).to_be_visible()
    await page.get_by_label("How many people may use it").select_option(label="1 person")
    await page.get_by_label("Note for yourself").fill("For my neighbour Sam")
    async with visit.navigation():
        await page.get_by_role("button", name="Make an invitation link").click()
    row = page.get_by_role("row").filter(has_text="For my neighbour Sam")
    await expect(row).to_contain_text("0 / 1")
    await expect(row).to_contain_text("Active")
    link = re.search(r"\S+/join\?invite=\S+", await row.get_by_role("cell").first.inner_text())
    assert link, "no invitation link in the table"
    parts = urlsplit(link.group(0))

    # The newcomer opens the link on a dark phone and joins with the keyboard alone.
    newcomer = await open_visit(server, PHONE, color_scheme="dark")
    await newcomer.goto(f"{parts.path}?{parts.query}")
    await expect(
        newcomer.page.get_by_text(
            f"{inviter.display_name} (@{inviter.username}) invited you to join"
        )
    ).to_be_visible()

    await join_with_keyboard(newcomer, "sam", "Sam Neighbour", PASSWORD)
    await expect(newcomer.page.get_by_role("status")).to_have_text(
        "Welcome, Sam Neighbour! You are now a member."
    )

    # The inviter sees the recruit and the link used up.
    await visit.goto("/invitations")
    recruits = page.get_by_role("region", name="Whom you recruited")
    await expect(recruits.get_by_role("link", name="Sam Neighbour")).to_be_visible()
    await expect(recruits).to_contain_text("1 person joined through your invitations.")
    await expect(row).to_contain_text("1 / 1")
    await expect(row).to_contain_text("Used up")

    # An admin sees the recruitment by member.
    admin = await admin_of(server)
    office = await open_visit(server, PHONE)
    await logged_in(office, admin)
    await office.goto("/admin")
    async with office.navigation():
        await office.page.get_by_role("link", name="Recruitment").click()
    by_member = office.page.get_by_role("region", name="By member")
    recruiter = by_member.get_by_role("row").filter(has_text=f"@{inviter.username}")
    await expect(recruiter.get_by_role("cell").last).to_have_text("1")


async def test_an_admin_accepts_an_application_and_the_applicant_logs_in(
    open_visit: OpenVisit, approval_server: RunningServer
) -> None:
    admin = await admin_of(approval_server)
    applicant = await open_visit(approval_server, PHONE, color_scheme="dark")
    page = applicant.page
    username = unique_username("applicant_elm_street")  # 29 characters of 30: a long heading
    await applicant.goto("/join")
    await page.get_by_label("Username", exact=True).fill(username)
    await page.get_by_label("Email address").fill(f"{username}@example.org")
    await page.get_by_label("Password", exact=True).fill(PASSWORD)
    await page.get_by_label("Why do you want to join?").fill("I run the food bank on Elm St.")
    await page.get_by_label("I accept these commitments").check()
    async with applicant.navigation(status=201):
        await page.get_by_role("button", name="Send my application").click()
    await applicant.goto("/login")
    await log_in(applicant, username, PASSWORD, status=401)
    await expect(page.get_by_role("alert")).to_have_text(
        "Your application is waiting for an administrator's approval."
    )

    office = await open_visit(approval_server)
    desk = office.page
    await logged_in(office, admin)
    async with office.navigation():
        await (await account_menu(desk)).get_by_role("link", name="Admin").click()
    card = desk.get_by_role("listitem").filter(has=desk.get_by_role("link", name="Applications"))
    await expect(card).to_contain_text("waiting for an answer")
    async with office.navigation():
        await card.get_by_role("link", name="Applications").click()
    await expect(desk.get_by_text("I run the food bank on Elm St.")).to_be_visible()
    async with office.navigation():
        await desk.get_by_role("button", name=f"Accept @{username}", exact=True).click()
    await expect(desk.get_by_role("status")).to_have_text(
        "The application was accepted; the new member can log in."
    )
    await expect(desk.get_by_text(f"@{username}")).to_have_count(0)

    await log_in(applicant, username, PASSWORD)
    await expect_logged_in(page, Member(username, "", PASSWORD, username))
    async with applicant.navigation():
        await nav(page).get_by_role("link", name=re.compile("^Notifications")).click()
    await expect(page.get_by_role("listitem").first).to_contain_text(
        "Your application was accepted"
    )


async def test_an_admin_sets_the_campaign_goal_and_the_chart_shows_it(
    open_visit: OpenVisit, server: RunningServer
) -> None:
    admin = await admin_of(server)
    visit = await open_visit(server, color_scheme="dark")
    page = visit.page
    await logged_in(visit, admin)
    try:
        await visit.goto("/admin")
        async with visit.navigation():
            await page.get_by_role("link", name="Campaign", exact=True).last.click()
        await expect(page.get_by_role("heading", level=1)).to_have_text("Campaign settings")
        goal = page.get_by_label("Goal", exact=True)
        await goal.fill("0")
        async with visit.navigation(status=400):
            await page.get_by_role("button", name="Save the campaign").click()
        await expect(page.get_by_role("alert")).to_contain_text("Use a number from 1")
        await goal.fill("2500")
        async with visit.navigation():
            await page.get_by_role("button", name="Save the campaign").click()
        await expect(page.get_by_role("status")).to_have_text("The campaign is saved.")
        await expect(goal).to_have_value("2500")

        async with visit.navigation():
            await page.get_by_role("link", name="See the campaign page").click()
        await expect(page.get_by_role("heading", level=1)).to_have_text("Our campaign")
        await expect(page.get_by_text(re.compile(r"of a goal of 2,500$"))).to_be_visible()
        await expect_chart(page)

        # A visitor on a phone sees the same on the home page.
        visitor = await open_visit(server, PHONE)
        await visitor.goto("/")
        tally = visitor.page.get_by_role("region", name="Our campaign")
        await expect(tally).to_contain_text("of a goal of 2,500")
        await expect_chart(visitor.page)
        async with visitor.navigation():
            await tally.get_by_role("link", name="The whole campaign").click()
        assert visitor.path == "/campaign"
    finally:  # the server is shared: other tests expect the configured goal
        await server.sql("DELETE FROM campaign")


async def expect_chart(page: Page) -> None:
    """The growth chart: an image named by its title, summarising the figures and the goal."""
    chart = page.get_by_role("img", name=re.compile("^Growth of members"))
    await expect(chart).to_be_visible()
    await expect(chart).to_have_accessible_name(re.compile("goal 2500"))
    await expect(chart.locator("> title")).to_have_text(re.compile("^Growth of members since"))
