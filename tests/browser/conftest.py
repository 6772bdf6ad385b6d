"""Fixtures of the real-browser tier: Debian's Chromium driven by Playwright against real
`chapterhouse serve` processes, axe-core for accessibility, and a screenshot when a test fails.

- `browser` (session): one headless Chromium; every test gets a fresh context (no cookies,
  cache or storage carried over).
- `server` / `approval_server`: one running server per registration mode for the session;
  tests use `unique_username()` so they never collide. After each passing test the server's
  log must show no traceback.
- `visit` (a desktop tab on `server`) and `open_visit(server, PHONE, color_scheme="dark")`:
  `harness.Visit` tabs. After a passing test each tab must have no console error, page error
  or failed request, and every document it loaded must have been audited.
- `make_member(server)`: a member created over plain HTTP, for tests about what comes after.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, async_playwright

from tests.browser.harness import (
    AXE_SCRIPT,
    DESKTOP,
    HERE,
    Member,
    OpenVisit,
    Visit,
    unique_username,
)
from tests.support.forms import post_form
from tests.support.servers import RunningServer, make_servers, stop_servers

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ACTION_TIMEOUT_MS = 5_000  # a page of ours that needs longer than this is a failure
PASSWORD = "a long enough password"

_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


def pytest_collect_file(file_path: Path) -> None:
    """Without Chromium the whole tier is one skip, with the reason (CI installs it: .ci/run)."""
    if not CHROMIUM.exists() and file_path.name.startswith("test_"):
        pytest.skip(f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives a real Chromium (tests/browser)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item,
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keep each phase's report on the item, so fixtures know at teardown how the test went."""
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


def _call_report(request: pytest.FixtureRequest) -> pytest.TestReport | None:
    reports: dict[str, pytest.TestReport] = request.node.stash.get(_REPORTS, {})
    return reports.get("call")


def _passed(request: pytest.FixtureRequest) -> bool:
    report = _call_report(request)
    return report is not None and report.passed and not hasattr(report, "wasxfail")


def _failed(request: pytest.FixtureRequest) -> bool:
    report = _call_report(request)
    return report is not None and report.failed


# -- the browser ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's script, from tests/browser/node_modules (installed once with `npm ci`)."""
    if not AXE_SCRIPT.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("browser tests need npm to install axe-core (apt-get install npm)")
        done = subprocess.run(
            [npm, "ci", "--prefix", str(HERE), "--no-audit", "--no-fund"],
            capture_output=True,
            text=True,
            timeout=300,
        )
        if done.returncode != 0 or not AXE_SCRIPT.exists():
            pytest.fail(f"`npm ci --prefix {HERE}` failed:\n{done.stdout}\n{done.stderr}")
    return AXE_SCRIPT.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    playwright = await async_playwright().start()
    try:
        chromium = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        await chromium.close()
    finally:
        await playwright.stop()


# -- servers --------------------------------------------------------------------------------


async def _one_server(tmp: Path, mode: str) -> AsyncIterator[RunningServer]:
    servers = await make_servers(tmp, 1, mode=mode)
    try:
        yield servers[0]
    finally:
        await stop_servers(servers)


@pytest.fixture(scope="session")
async def _open_server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RunningServer]:
    async for server in _one_server(tmp_path_factory.mktemp("browser-open"), "open"):
        yield server


@pytest.fixture(scope="session")
async def _approval_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[RunningServer]:
    async for server in _one_server(tmp_path_factory.mktemp("browser-approval"), "approval"):
        yield server


def _watch_log(request: pytest.FixtureRequest, server: RunningServer) -> Iterator[RunningServer]:
    start = len(server.output())
    yield server
    if _passed(request):
        new = server.output()[start:]
        assert "Traceback" not in new, f"{server.name} logged an error:\n{new[-4000:]}"


@pytest.fixture
def server(request: pytest.FixtureRequest, _open_server: RunningServer) -> Iterator[RunningServer]:
    """The server with open registration (shared by the session: use unique usernames)."""
    yield from _watch_log(request, _open_server)


@pytest.fixture
def approval_server(
    request: pytest.FixtureRequest, _approval_server: RunningServer
) -> Iterator[RunningServer]:
    """A server whose registration mode is "approval" (shared by the session)."""
    yield from _watch_log(request, _approval_server)


@pytest.fixture
def make_member() -> Callable[[RunningServer], Awaitable[Member]]:
    """Create a member through the join form over plain HTTP (no browser; fast)."""

    async def make(server: RunningServer) -> Member:
        username = unique_username()
        member = Member(username, f"{username}@example.org", PASSWORD, username.title())
        async with httpx.AsyncClient(base_url=server.base_url) as client:
            joined = await post_form(
                client,
                "/join",
                {
                    "username": member.username,
                    "display_name": member.display_name,
                    "email": member.email,
                    "password": member.password,
                    "commitments": "accept",
                },
            )
        assert joined.status_code == 303, joined.text
        return member

    return make


# -- tabs -----------------------------------------------------------------------------------


@pytest.fixture
async def open_visit(
    request: pytest.FixtureRequest, browser: Browser, axe_source: str, tmp_path: Path
) -> AsyncIterator[OpenVisit]:
    """`await open_visit(server, PHONE, color_scheme="dark")` → a tab in a fresh context."""
    visits: list[Visit] = []

    async def open_(
        server: RunningServer, device: dict[str, Any] = DESKTOP, **options: Any
    ) -> Visit:
        context = await browser.new_context(
            base_url=server.base_url, locale="en-GB", **{**device, **options}
        )
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        visit = Visit(await context.new_page(), server.base_url, axe_source)
        visits.append(visit)
        return visit

    yield open_

    complaints = []
    for n, visit in enumerate(visits, 1):
        if _failed(request):
            await _save_screenshot(request, visit, tmp_path / f"failure-{n}.png")
        elif _passed(request):
            problems = visit.problems()
            unaudited = visit.unaudited()
            if unaudited:
                problems.append(f"loaded but never audited: {', '.join(unaudited)}")
            if problems:
                shot = tmp_path / f"problems-{n}.png"
                await visit.page.screenshot(path=shot, full_page=True)
                complaints.append(f"tab {n} ({visit.path}), screenshot {shot}:")
                complaints.extend(f"  {p}" for p in problems)
        await visit.page.context.close()
    assert not complaints, "after the test:\n" + "\n".join(complaints)


async def _save_screenshot(request: pytest.FixtureRequest, visit: Visit, path: Path) -> None:
    try:
        await visit.page.screenshot(path=path, full_page=True)
    except Exception as exc:  # a crashed tab cannot be photographed; say so, keep tearing down
        print(f"no screenshot of {visit.path}: {exc}")
        return
    line = f"{visit.page.url} → {path}"
    print(f"screenshot of the failed test's page: {line}")
    report = _call_report(request)
    if report is not None:  # shown with the failure in the end-of-run summary
        report.sections.append(("browser screenshot", line))


@pytest.fixture
async def visit(open_visit: OpenVisit, server: RunningServer) -> Visit:
    """A desktop tab on the open-registration server."""
    return await open_visit(server)
