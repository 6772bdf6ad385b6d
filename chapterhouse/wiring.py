"""What the composition root knows of every package: model modules, job handlers, the app."""

from __future__ import annotations

from typing import Any

import httpx
from starlette.applications import Starlette

import content.streams  # noqa: F401  (live-event signals, in workers too)
from actors.urls import LocalUrls
from content.ballots import PHASE_JOB, PHASE_JOB_OPTIONS, run_phase_job
from content.tally import TALLY_JOB, TALLY_JOB_OPTIONS, run_tally_job
from core.jobs import JobRegistry
from core.mail import MAIL_JOB, MAIL_OPTIONS, make_mail_handler
from core.settings import Settings
from federation import FederationClient
from inbox.process import make_process_handler
from inbox.receive import PROCESS_JOB
from outbox.deliver import DELIVERY_OPTIONS, deliver
from outbox.publish import DELIVER_JOB, publish
from web.activitypub import make_federation_client
from web.app import create_app

# Every module holding tortoise models, in dependency order. core and web receive this list;
# they import none.
MODEL_MODULES: tuple[str, ...] = (
    "core.models",
    "actors.models",
    "content.models",
    "content.ballot_models",
    "inbox.models",
    "outbox.models",
    "web.models",
)

# For tortoise's own command line (`make migrations`): the schema only, on a throw-away
# in-memory SQLite database.
TORTOISE_DEV = {
    "connections": {"default": "sqlite://:memory:"},
    "apps": {"models": {"models": list(MODEL_MODULES), "migrations": "migrations"}},
}


class _LazyClient:
    """One FederationClient for the job handlers of a registry, made on first use."""

    def __init__(self, settings: Settings, transport: httpx.AsyncBaseTransport | None) -> None:
        self._settings, self._transport = settings, transport
        self._client: FederationClient | None = None

    def get(self) -> FederationClient:
        if self._client is None:
            self._client = make_federation_client(self._settings, self._transport)
        return self._client


def job_registry(
    settings: Settings, *, http_transport: httpx.AsyncBaseTransport | None = None
) -> JobRegistry:
    """All job handlers of the project, by name, for the server `settings` describe.

    `http_transport` replaces the network of deliveries and fetches (tests).
    """
    registry = JobRegistry()
    urls = LocalUrls(settings.server.base_url)
    client = _LazyClient(settings, http_transport)
    registry.register(PROCESS_JOB, make_process_handler(urls, client.get))

    async def run_publish(payload: dict[str, Any]) -> None:
        await publish(urls, payload, client=client.get)

    async def run_deliver(payload: dict[str, Any]) -> None:
        await deliver(urls, client.get(), payload)

    registry.register("outbox.publish", run_publish)
    registry.register(DELIVER_JOB, run_deliver, **DELIVERY_OPTIONS)
    registry.register(TALLY_JOB, run_tally_job, **TALLY_JOB_OPTIONS)

    async def run_ballot_phase(payload: dict[str, Any]) -> None:
        await run_phase_job(urls, payload)

    registry.register(PHASE_JOB, run_ballot_phase, **PHASE_JOB_OPTIONS)
    registry.register(MAIL_JOB, make_mail_handler(settings.email), **MAIL_OPTIONS)
    return registry


def build_app(
    settings: Settings, *, workers: int | None = None, manage_database: bool = True,
    http_transport: httpx.AsyncBaseTransport | None = None,
) -> Starlette:
    """The whole server for `settings`, with `workers` in-process job workers.

    `http_transport` replaces the network for every outbound federation request.
    """
    return create_app(
        settings,
        model_modules=MODEL_MODULES,
        registry=job_registry(settings, http_transport=http_transport),
        workers=settings.server.workers if workers is None else workers,
        manage_database=manage_database,
        http_transport=http_transport,
    )
