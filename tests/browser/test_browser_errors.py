"""Error pages: what a person sees when a page does not exist or a form has expired."""

from __future__ import annotations

from playwright.async_api import expect

from tests.browser.harness import Visit
from tests.support.servers import RunningServer


async def test_a_missing_page_says_so_and_leads_home(visit: Visit, server: RunningServer) -> None:
    await visit.goto("/no/such/page", status=404)
    page = visit.page
    await expect(page).to_have_title(f"Page not found · {server.name}")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    async with visit.navigation():
        await page.get_by_role("link", name="Go to the home page").click()
    assert visit.path == "/"


async def test_an_expired_form_explains_what_to_do(visit: Visit) -> None:
    page = visit.page
    await visit.goto("/login")
    await page.context.clear_cookies()  # as after a long pause: the form's token is stale
    await page.get_by_label("Username or email address").fill("someone")
    await page.get_by_label("Password").fill("whatever it was")
    async with visit.navigation(status=403):
        await page.get_by_role("button", name="Log in").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("This form has expired")
    await expect(page.get_by_text("reload the page and try again")).to_be_visible()
