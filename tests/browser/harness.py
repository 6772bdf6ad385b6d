"""The real-browser harness: a page that records what went wrong and audits what it shows."""

from __future__ import annotations

import asyncio
import contextlib
import re
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import ConsoleMessage, Error, Page, Request, Response, expect

HERE = Path(__file__).resolve().parent
AXE_SCRIPT = HERE / "node_modules" / "axe-core" / "axe.min.js"

# Viewports people use: a small phone and an ordinary laptop.
PHONE: dict[str, Any] = {
    "viewport": {"width": 360, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
DESKTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 800}}

# axe impacts that fail a test; "minor" and "moderate" findings are not enforced (yet).
FAILING_IMPACTS = ("serious", "critical")
NAVIGATION_TIMEOUT = 10.0

# The favicon is fetched by the browser itself (not the page), once per origin and browser,
# so whether its 404 shows up in a test depends on test order: test_browser_site.py checks it.
_FAVICON = "/favicon.ico"
_FAILED_LOAD = re.compile(r"^Failed to load resource: the server responded with a status of (\d+)")

_AXE_RUN = """async (impacts) => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations
    .filter(v => impacts.includes(v.impact))
    .map(v => ({
      id: v.id, impact: v.impact, help: v.help, url: v.helpUrl,
      nodes: v.nodes.slice(0, 5).map(n => ({
        target: n.target.join(' '), html: n.html.slice(0, 200),
        summary: (n.failureSummary || '').replace(/\\s+/g, ' ').slice(0, 300),
      })),
      count: v.nodes.length,
    }));
}"""

_OVERFLOW = """() => {
  const root = document.documentElement;
  return {scroll: root.scrollWidth, client: root.clientWidth};
}"""

_FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const style = getComputedStyle(el);
  const rect = el.getBoundingClientRect();
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  const shadow = !!style.boxShadow && style.boxShadow !== 'none';
  return {
    id: el.id,
    tag: el.tagName.toLowerCase(),
    type: el.getAttribute('type') || '',
    text: (el.innerText || '').trim().slice(0, 60),
    focus_visible: el.matches(':focus-visible'),
    indicator: outline || shadow,
    in_viewport: rect.width > 0 && rect.height > 0 && rect.bottom > 0 && rect.right > 0
      && rect.top < innerHeight && rect.left < innerWidth,
  };
}"""


@dataclass(frozen=True)
class Member:
    """A member made by the `make_member` fixture, with what they log in with."""

    username: str
    email: str
    password: str
    display_name: str


def unique_username(prefix: str = "member") -> str:
    """A username no other test uses on a shared server (letters, digits, underscores)."""
    return f"{prefix}_{secrets.token_hex(4)}"


@dataclass
class Focused:
    """The element that has keyboard focus, as the page draws it."""

    id: str
    tag: str
    type: str
    text: str
    focus_visible: bool
    indicator: bool
    in_viewport: bool

    @property
    def seen(self) -> bool:
        """Focus a sighted keyboard user can see: styled as focus-visible, on screen."""
        return self.focus_visible and self.indicator and self.in_viewport


class Visit:
    """A browser tab on one server, with watchers for what goes wrong.

    Navigate with `goto()` or inside `async with visit.navigation():`. Both check the status of
    the document, wait for it to load and `audit()` it: axe finds nothing serious or critical,
    nothing scrolls sideways, and no console error, page error or failed request happened so
    far. `problems()` lists what the watchers saw; the fixture asserts it is empty after a test,
    and that every document the tab loaded was audited.
    """

    def __init__(self, page: Page, base_url: str, axe_source: str) -> None:
        self.page = page
        self.base_url = base_url.rstrip("/")
        self._axe_source = axe_source
        self._console: list[tuple[str, str, str]] = []  # (type, text, url)
        self._errors: list[str] = []
        self._document_urls: set[str] = set()
        self._documents: list[tuple[str, int]] = []  # every main-frame document, with status
        self._allowed_status: int | None = None
        self._loads: list[str] = []  # the URL of every document that finished loading
        self._audited: set[int] = set()
        self._loaded = asyncio.Event()
        page.on("console", self._on_console)
        page.on("pageerror", self._on_page_error)
        page.on("response", self._on_response)
        page.on("requestfailed", self._on_request_failed)
        page.on("load", self._on_load)

    # -- watchers -------------------------------------------------------------------------

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type not in ("error", "assert"):
            return
        self._console.append((message.type, message.text, message.location.get("url", "")))

    def _on_page_error(self, error: Error) -> None:
        self._errors.append(f"uncaught page error: {error}")

    def _is_main_document(self, request: Request) -> bool:
        return request.is_navigation_request() and request.frame == self.page.main_frame

    def _on_response(self, response: Response) -> None:
        request = response.request
        if self._is_main_document(request):
            if 300 <= response.status < 400:
                return  # a redirect; its target is the document
            self._document_urls.add(response.url)
            self._documents.append((response.url, response.status))
            if response.status >= 400 and response.status != self._allowed_status:
                self._errors.append(f"document {response.url} answered {response.status}")
        elif response.status >= 400 and urlsplit(response.url).path != _FAVICON:
            self._errors.append(
                f"{request.resource_type} {response.url} answered {response.status}"
            )

    def _on_request_failed(self, request: Request) -> None:
        if urlsplit(request.url).path != _FAVICON:
            self._errors.append(
                f"request failed: {request.method} {request.url}: {request.failure}"
            )

    def _on_load(self, page: Page) -> None:
        self._loads.append(page.url)
        self._loaded.set()

    # -- navigation -----------------------------------------------------------------------

    def url(self, path: str) -> str:
        return self.base_url + path

    @property
    def path(self) -> str:
        """The path and query of the page shown now."""
        parts = urlsplit(self.page.url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    @property
    def status(self) -> int:
        """The HTTP status of the document shown now."""
        assert self._documents, "no document loaded yet"
        return self._documents[-1][1]

    async def goto(self, path: str, *, status: int = 200, audit: bool = True) -> None:
        """Open `path` of the server as if typed into the address bar."""
        async with self.navigation(status=status, audit=audit):
            await self.page.goto(self.url(path), wait_until="commit")

    @contextlib.asynccontextmanager
    async def navigation(self, *, status: int = 200, audit: bool = True) -> AsyncIterator[None]:
        """Wrap the action (a click, a key press) that loads a new page; wait for it to load,
        check its status and audit it."""
        before = len(self._loads)
        self._loaded.clear()
        self._allowed_status = status
        try:
            yield
            # The tab's own "load" event, not Playwright's waiting: then audit() knows for
            # certain which document it looks at.
            async with asyncio.timeout(NAVIGATION_TIMEOUT):
                while len(self._loads) == before:
                    await self._loaded.wait()
                    self._loaded.clear()
        finally:
            self._allowed_status = None
        assert self.status == status, f"{self.path} answered {self.status}, not {status}"
        if audit:
            await self.audit()

    # -- checks ---------------------------------------------------------------------------

    async def audit(self) -> None:
        """Check the page as it is now (call it again after the page changes in place)."""
        await self.page.wait_for_load_state("load")
        violations = await self.axe_violations()
        assert not violations, f"axe on {self.path}:\n" + format_violations(violations)
        width = await self.page.evaluate(_OVERFLOW)
        assert width["scroll"] <= width["client"], (
            f"{self.path} scrolls sideways: {width['scroll']}px of content "
            f"in a {width['client']}px wide window"
        )
        problems = self.problems()
        assert not problems, f"while showing {self.path}:\n" + "\n".join(problems)
        self._audited.add(len(self._loads))

    async def axe_violations(self) -> list[dict[str, Any]]:
        """axe-core's serious and critical violations on the page as it is now.

        axe is evaluated through the DevTools protocol, which the page's Content-Security-Policy
        does not govern, so the page keeps its real policy: `add_script_tag(path=...)` inserts an
        inline <script> that `script-src 'self'` blocks, and `bypass_csp` would hide the page's
        own violations from these tests.
        """
        if not await self.page.evaluate("() => typeof window.axe === 'object'"):
            await self.page.evaluate(self._axe_source)
        result: list[dict[str, Any]] = await self.page.evaluate(_AXE_RUN, list(FAILING_IMPACTS))
        return result

    async def focused(self) -> Focused | None:
        """The focused element, or None when focus is on the page itself."""
        found = await self.page.evaluate(_FOCUSED)
        return Focused(**found) if found else None

    def problems(self) -> list[str]:
        """Console errors, page errors and failed requests seen so far."""
        console = [
            f"console {kind}: {text} (at {url or 'page'})"
            for kind, text, url in self._console
            if not self._explained(text, url)
        ]
        return console + self._errors

    def _explained(self, text: str, url: str) -> bool:
        if urlsplit(url).path == _FAVICON:
            return True
        # Chromium logs "Failed to load resource" for a document answered with 4xx; its status
        # is checked by goto()/navigation(), so the console line says nothing new.
        return bool(_FAILED_LOAD.match(text)) and url in self._document_urls

    def take_console_errors(self) -> list[str]:
        """Remove and return the console errors seen so far (for tests that cause one)."""
        taken, self._console = self._console, []
        return [text for _kind, text, _url in taken]

    def unaudited(self) -> list[str]:
        """Documents this tab loaded that no audit() looked at."""
        return [url for n, url in enumerate(self._loads, 1) if n not in self._audited]


async def tab_to(visit: Visit, expected: str) -> None:
    """Press Tab once: focus must land, visibly, on `expected` (an element id or its text)."""
    await visit.page.keyboard.press("Tab")
    focused = await visit.focused()
    assert focused is not None, f"Tab toward {expected} left focus nowhere"
    assert expected in (focused.id, focused.text), f"Tab went to {focused}, not {expected}"
    assert focused.seen, f"focus on {expected} is not visible: {focused}"


async def join_with_keyboard(visit: Visit, prefix: str, display_name: str,
                             password: str) -> str:
    """Fill and send the join form open in `visit` with the keyboard alone (Tab, typing,
    Space, Enter), every focus checked; returns the username chosen."""
    keys = visit.page.keyboard
    await tab_to(visit, "Skip to content")
    await keys.press("Enter")  # skip the header: the next Tab lands in the form
    username = unique_username(prefix)
    for field, text in (("f-username", username), ("f-display_name", display_name),
                        ("f-email", f"{username}@example.org"), ("f-password", password)):
        await tab_to(visit, field)
        await keys.type(text)
    await tab_to(visit, "f-commitments")
    await keys.press("Space")
    await expect(visit.page.get_by_label("I accept these commitments")).to_be_checked()
    await tab_to(visit, "Join")
    async with visit.navigation():
        await keys.press("Enter")
    return username


def format_violations(violations: list[dict[str, Any]]) -> str:
    """axe violations as lines a person can act on: rule, impact, help, elements."""
    lines = []
    for v in violations:
        lines.append(
            f"- {v['id']} ({v['impact']}, {v['count']} element(s)): {v['help']} <{v['url']}>"
        )
        for node in v["nodes"]:
            lines.append(f"    at {node['target']}: {node['html']}")
            if node["summary"]:
                lines.append(f"      {node['summary']}")
    return "\n".join(lines)


# `open_visit(server, device=DESKTOP, **context_options)`, the fixture's type.
OpenVisit = Callable[..., Awaitable[Visit]]


async def account_menu(page: Page) -> Any:
    """The logged-in member's account menu (a <details> in the header), opened: its links
    and the Log out button."""
    menu = page.get_by_role("navigation", name="Account").locator("details.menu")
    if await menu.get_attribute("open") is None:
        await menu.locator("summary").click()
    return menu
