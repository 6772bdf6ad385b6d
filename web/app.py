"""The Starlette application factory: routes, lifespan (database, secret, in-process workers)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import httpx
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from content.tally import ensure_tally_scheduled
from core import db, events
from core.errors import DatabaseError
from core.instance_secrets import get_or_create_secret
from core.jobs import JobRegistry, Worker
from core.settings import Settings
from web import activitypub, posts, theme, wellknown
from web.api import routes as api_routes
from web.security import CsrfFailed, SecurityHeaders
from web.templating import make_environment, render
from web.ui import admin as admin_pages
from web.ui import (
    admin_index,
    auth,
    auth_email,
    campaign,
    chapter_features,
    chapters,
    follows,
    forums,
    home,
    notifications,
    polls,
    preview,
)
from web.ui import ballots as ballot_pages
from web.ui import blogs as blog_pages
from web.ui import invitations as invitation_pages
from web.ui import media as media_pages
from web.ui import settings as settings_pages
from web.ui import timelines as timeline_pages

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"
#: Paths answered in JSON even when they fail (the Mastodon client API and OAuth's token
#: endpoints).
API_PATHS = ("/api/", "/oauth/token", "/oauth/revoke")


async def favicon(request: Request) -> Response:
    """The icon at the address browsers and link previewers try first."""
    return FileResponse(STATIC / "favicon.svg", media_type="image/svg+xml",
                        headers={"cache-control": "public, max-age=86400"})


async def health(request: Request) -> Response:
    """Liveness and database reachability, for load balancers and the test fixtures."""
    try:
        await db.connection().execute_query("SELECT 1")
    except Exception as exc:  # any database failure means "unhealthy", reported, not raised
        log.warning("health check: database unreachable: %s", exc)
        return JSONResponse({"status": "error", "database": "unreachable"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"}, headers={"cache-control": "no-store"})


async def _http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    titles = {404: "Page not found", 405: "Method not allowed", 413: "Too large"}
    if request.url.path.startswith(API_PATHS):  # clients of the API read JSON errors
        words = {404: "Record not found"}.get(status, titles.get(status, "Error"))
        return JSONResponse({"error": words}, status_code=status)
    title = titles.get(status, "Something went wrong")
    return await render(request, "error.html", {"title": title, "status": status}, status)


async def _csrf_error(request: Request, exc: Exception) -> Response:
    log.info("refused form post from %s: %s", request.client, exc)
    return await render(
        request,
        "error.html",
        {
            "title": "This form has expired",
            "status": 403,
            "message": "The page was open too long or came from another site. "
            "Go back, reload the page and try again.",
        },
        403,
    )


async def _server_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return (
        JSONResponse({"error": "internal error"}, status_code=500)
        if request.url.path.startswith(API_PATHS)
        else await _http_error(request, exc)
    )


def create_app(
    settings: Settings,
    *,
    model_modules: Sequence[str],
    registry: JobRegistry | None = None,
    workers: int = 0,
    manage_database: bool = True,
    http_transport: httpx.AsyncBaseTransport | None = None,
) -> Starlette:
    """Build the application. Nothing is opened until the ASGI lifespan starts.

    manage_database=False leaves opening and closing the database to the caller (tests that
    share one connection). `http_transport` replaces the network of outbound federation
    requests (tests: a fake fediverse on httpx.MockTransport). `workers` in-process job workers run when a registry is given.
    """

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if manage_database:
            await db.open_database(settings.database.url, model_modules)
            pending = await db.pending_migrations(model_modules)
            if pending:
                await db.close_database()
                raise DatabaseError(
                    f"the database needs {len(pending)} migration(s): run `chapterhouse migrate`"
                )
        app.state.secret_key = await get_or_create_secret("csrf")
        app.state.federation_client = activitypub.make_federation_client(settings, http_transport)
        stop = asyncio.Event()
        tasks = [
            asyncio.create_task(Worker(registry).run(stop), name=f"worker-{i}")
            for i in range(workers if registry is not None else 0)
        ]
        await events.start_events(settings.database.url)  # live streams across processes
        try:
            if tasks:  # the hourly campaign tally runs where job workers run
                await ensure_tally_scheduled()
            yield
        finally:
            await events.stop_events(settings.database.url)
            stop.set()
            await asyncio.gather(*tasks, return_exceptions=True)
            await app.state.federation_client.aclose()
            if manage_database:
                await db.close_database()

    routes = [
        Route("/", home.home, name="home"),
        Route("/join", auth.join_form, methods=["GET"], name="join"),
        Route("/join", auth.join_submit, methods=["POST"]),
        Route("/login", auth.login_form, methods=["GET"], name="login"),
        Route("/login", auth.login_submit, methods=["POST"]),
        Route("/logout", auth.logout, methods=["POST"], name="logout"),
        Route("/following", follows.following_page, methods=["GET"], name="following"),
        Route("/follow", follows.follow_submit, methods=["POST"], name="follow"),
        Route("/unfollow", follows.unfollow_submit, methods=["POST"], name="unfollow"),
        Route("/follow-requests", follows.follow_requests_page, methods=["GET"],
              name="follow_requests"),
        Route("/follow-requests/{follow_id}", follows.follow_request_answer, methods=["POST"]),
        Route("/health", health, name="health"),
        Route("/favicon.ico", favicon, name="favicon"),
        Route("/theme.css", theme.theme_css, name="theme_css"),
        Route("/logo", theme.logo, name="logo"),
        *auth_email.routes(),
        *settings_pages.routes(),
        *admin_index.routes(),
        *campaign.routes(),
        *chapters.routes(),
        *chapter_features.routes(),
        *notifications.routes(),
        *admin_pages.routes(),
        *invitation_pages.routes(),
        *polls.routes(),
        *forums.routes(),
        *blog_pages.routes(),
        *media_pages.routes(),
        *preview.routes(),
        *ballot_pages.routes(),
        *timeline_pages.routes(),
        *api_routes(),
        *activitypub.routes(),
        *posts.routes(),
        *wellknown.routes(),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(SecurityHeaders)],
        exception_handlers={
            HTTPException: _http_error,
            CsrfFailed: _csrf_error,
            Exception: _server_error,
        },
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.templates = make_environment()
    app.state.theme = theme.make_theme(settings.instance)
    app.state.templates.globals["theme"] = app.state.theme
    return app
