"""What holds for the whole site in a browser, and proof that the tier's watchers see."""

from __future__ import annotations

import pytest
from playwright.async_api import Error

from tests.browser.harness import Visit, format_violations


async def test_the_pages_content_security_policy_is_enforced_in_these_tests(visit: Visit) -> None:
    """axe is injected without weakening the policy, so a page's own violation is caught."""
    await visit.goto("/")
    with pytest.raises(Error, match="Content Security Policy"):
        await visit.page.add_script_tag(content="window.injected = true")
    assert await visit.page.evaluate("() => window.injected") is None
    reported = visit.take_console_errors()
    assert any("Content Security Policy" in line for line in reported), reported


async def test_axe_findings_are_reported_readably(visit: Visit) -> None:
    await visit.goto("/")
    await visit.page.evaluate(
        "() => { const i = document.createElement('img');"
        " i.src = 'data:image/gif;base64,R0lGODlhAQABAAAAACw=';"
        " document.querySelector('main').append(i); }"
    )
    violations = await visit.axe_violations()
    assert [v["id"] for v in violations] == ["image-alt"]
    text = format_violations(violations)
    assert "image-alt (critical, 1 element(s))" in text and '<img src="data:' in text


async def test_the_site_has_a_favicon(visit: Visit) -> None:
    await visit.goto("/")
    icon = visit.page.locator("link[rel~=icon]")
    href = await icon.first.get_attribute("href") if await icon.count() else "/favicon.ico"
    answer = await visit.page.request.get(visit.url(href or "/favicon.ico"))
    assert answer.status == 200, f"{href} answered {answer.status}"
    assert answer.headers["content-type"].startswith("image/")
    legacy = await visit.page.request.get(visit.url("/favicon.ico"))  # link previewers ask here
    assert legacy.status == 200 and legacy.headers["content-type"].startswith("image/")
