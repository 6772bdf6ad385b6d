"""What the composition root knows of every package: model modules, job handlers, the app."""

from __future__ import annotations

from starlette.applications import Starlette

from core.jobs import JobRegistry
from core.settings import Settings
from web.app import create_app

# Every module holding tortoise models. core and web receive this list; they import none.
MODEL_MODULES: tuple[str, ...] = (
    "core.models",
    "actors.models",
    "web.models",
)

# For tortoise's own command line (`make migrations`): the schema only, on a throw-away
# in-memory SQLite database.
TORTOISE_DEV = {
    "connections": {"default": "sqlite://:memory:"},
    "apps": {"models": {"models": list(MODEL_MODULES), "migrations": "migrations"}},
}


def job_registry() -> JobRegistry:
    """All job handlers of the project, by name (the federation issues add outbox/inbox ones)."""
    registry = JobRegistry()
    return registry


def build_app(
    settings: Settings, *, workers: int | None = None, manage_database: bool = True
) -> Starlette:
    """The whole server for `settings`, with `workers` in-process job workers."""
    return create_app(
        settings,
        model_modules=MODEL_MODULES,
        registry=job_registry(),
        workers=settings.server.workers if workers is None else workers,
        manage_database=manage_database,
    )
