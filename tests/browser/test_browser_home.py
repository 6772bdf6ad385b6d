"""The home page as a visitor sees it on a phone and on a desktop, in light and dark."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import expect

from tests.browser.harness import DESKTOP, PHONE, OpenVisit
from tests.support.servers import RunningServer


@pytest.mark.parametrize("device", [PHONE, DESKTOP], ids=["phone", "desktop"])
async def test_home_page_fits_the_screen_and_invites_to_join(
    open_visit: OpenVisit, server: RunningServer, device: dict[str, Any]
) -> None:
    visit = await open_visit(server, device)
    await visit.goto("/")  # audit() also checks that nothing scrolls sideways
    page = visit.page
    await expect(page.get_by_role("heading", level=1)).to_have_text(server.name)
    await expect(page).to_have_title(server.name)
    join = page.get_by_role("link", name="Join", exact=True)
    await expect(join).to_be_visible()
    await expect(join).to_be_in_viewport()
    await expect(page.get_by_role("link", name="Join us")).to_be_visible()
    await expect(page.get_by_role("link", name="Log in").first).to_be_in_viewport()
    await expect(page.get_by_text("of a goal of 1,000")).to_be_visible()


async def test_pages_pass_the_audit_in_dark_mode(
    open_visit: OpenVisit, server: RunningServer
) -> None:
    visit = await open_visit(server, PHONE, color_scheme="dark")
    for path in ("/", "/join", "/login"):
        await visit.goto(path)
    await visit.goto("/no-such-page", status=404)
