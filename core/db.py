"""Database set-up: tortoise-orm on SQLite or PostgreSQL, schema migrations, transactions."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tortoise import Tortoise, connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import DBConnectionError, OperationalError
from tortoise.migrations.executor import MigrationExecutor, MigrationTarget
from tortoise.transactions import in_transaction

from core.errors import DatabaseError

log = logging.getLogger(__name__)

APP = "models"
MIGRATIONS_MODULE = "migrations"
# SQLite: wait for a lock instead of failing at once when a worker and a request write
# together; NORMAL sync is safe with WAL and much faster than FULL.
SQLITE_PRAGMAS = "journal_mode=WAL&busy_timeout=10000&synchronous=NORMAL&foreign_keys=ON"

__all__ = [
    "APP",
    "close_database",
    "connection",
    "engine_of",
    "in_transaction",
    "migrate",
    "open_database",
    "pending_migrations",
    "tortoise_config",
]


def engine_of(url: str) -> str:
    """'sqlite' or 'postgres' for a database URL."""
    return "postgres" if url.startswith(("postgres://", "postgresql://")) else "sqlite"


def _connection_url(url: str) -> str:
    if engine_of(url) == "postgres":
        # tortoise names the asyncpg engine "postgres"
        return "postgres://" + url.split("://", 1)[1]
    if "?" in url:
        return url
    return f"{url}?{SQLITE_PRAGMAS}"


def tortoise_config(url: str, model_modules: Sequence[str]) -> dict[str, Any]:
    """The tortoise configuration for one database and the project's model modules."""
    return {
        "connections": {"default": _connection_url(url)},
        "apps": {
            APP: {
                "models": list(model_modules),
                "default_connection": "default",
                "migrations": MIGRATIONS_MODULE,
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def _ensure_sqlite_folder(url: str) -> None:
    if engine_of(url) == "sqlite":
        path = url[len("sqlite://") :].split("?", 1)[0]
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)


def describe(url: str) -> str:
    """A database URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return parts._replace(netloc=netloc).geturl()
    return url


async def open_database(url: str, model_modules: Sequence[str]) -> None:
    """Connect tortoise for this process (visible to every task, as a server needs)."""
    _ensure_sqlite_folder(url)
    await Tortoise.init(config=tortoise_config(url, model_modules), _enable_global_fallback=True)
    try:
        await connection().execute_query("SELECT 1")
    except (OSError, DBConnectionError, OperationalError) as exc:
        await Tortoise.close_connections()
        raise DatabaseError(f"cannot connect to database {describe(url)}: {exc}") from None


async def close_database() -> None:
    await Tortoise.close_connections()


def connection() -> BaseDBAsyncClient:
    """The current connection: the transaction's inside `in_transaction()`, else the pool."""
    conn: BaseDBAsyncClient = connections.get("default")
    return conn


def _executor(model_modules: Sequence[str]) -> MigrationExecutor:
    app = tortoise_config("sqlite://:memory:", model_modules)["apps"]
    return MigrationExecutor(connection(), app)


async def pending_migrations(model_modules: Sequence[str]) -> list[str]:
    """Names of migrations not yet applied to the open database."""
    executor = _executor(model_modules)
    plan = await executor.plan(None)
    return [
        f"{step.migration.app_label}.{step.migration.name}" for step in plan if not step.backward
    ]


async def migrate(model_modules: Sequence[str], target: str | None = None) -> list[str]:
    """Apply every pending migration (or those up to `target`, a migration name) to the open
    database; return the names of the migrations that were pending."""
    applied = await pending_migrations(model_modules)
    targets = [MigrationTarget(app_label=APP, name=target)] if target else None
    await _executor(model_modules).migrate(targets)
    return applied
