"""What the composition root knows of every package: model modules and job handlers."""

from __future__ import annotations

from core.jobs import JobRegistry

# Every module holding tortoise models, in dependency order. core only receives this list.
MODEL_MODULES: tuple[str, ...] = (
    "core.models",
    "actors.models",
    "web.models",
)


def job_registry() -> JobRegistry:
    """All job handlers of the project, by name (later issues add outbox/inbox handlers)."""
    registry = JobRegistry()
    return registry

# For tortoise's own command line (`tortoise -c chapterhouse.wiring.TORTOISE_DEV makemigrations`):
# the schema only, on a throw-away SQLite database.
TORTOISE_DEV = {
    "connections": {"default": "sqlite://:memory:"},
    "apps": {"models": {"models": list(MODEL_MODULES), "migrations": "migrations"}},
}
