"""Fixtures of the whole suite: a migrated database on the engine under test, settings, the
app with an HTTP client, and drain_jobs() so tests never sleep while waiting for work."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx
import pytest
from tortoise import Tortoise

from chapterhouse.wiring import MODEL_MODULES, build_app, job_registry
from core import db
from core.jobs import JobRegistry, drain
from core.settings import Settings, load_settings
from tests.support.config import write_config
from tests.support.databases import drop_database, engine, new_database

TEST_PORT = 8765


def pytest_report_header() -> str:
    return f"chapterhouse database engine: {engine()}"


@pytest.fixture(scope="session")
async def database_url(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    """One migrated database for the in-process tests of this run."""
    url = await new_database(tmp_path_factory.mktemp("db"), "suite")
    await db.open_database(url, MODEL_MODULES)
    await db.migrate(MODEL_MODULES)
    yield url
    await db.close_database()
    await drop_database(url)


async def _empty_all_tables() -> None:
    tables = [model._meta.db_table for app in Tortoise.apps.values() for model in app.values()]
    conn = db.connection()
    if "asyncpg" in type(conn).__module__:
        await conn.execute_script(f"TRUNCATE {', '.join(tables)} CASCADE")
    else:
        await conn.execute_script(
            "PRAGMA foreign_keys=OFF;"
            + "".join(f'DELETE FROM "{t}";' for t in tables)
            + "PRAGMA foreign_keys=ON;"
        )


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[str]:
    """A migrated database, emptied after the test."""
    yield database_url
    await _empty_all_tables()


@pytest.fixture(scope="session")
def settings_file(tmp_path_factory: pytest.TempPathFactory, database_url: str) -> Path:
    return write_config(tmp_path_factory.mktemp("cfg"), port=TEST_PORT, database_url=database_url)


@pytest.fixture
def settings(settings_file: Path) -> Settings:
    return load_settings(settings_file)


@pytest.fixture
def make_settings(tmp_path: Path, database_url: str) -> Callable[..., Settings]:
    """Settings with other values (e.g. registration mode), on the same database."""

    def make(**options: object) -> Settings:
        path = write_config(tmp_path / "alt", port=TEST_PORT, database_url=database_url, **options)  # type: ignore[arg-type]
        return load_settings(path)

    return make


@pytest.fixture
def registry(settings: Settings) -> JobRegistry:
    """The project's job handlers for the test settings; tests may register more on it."""
    return job_registry(settings)


@pytest.fixture
def drain_jobs(database: str, registry: JobRegistry) -> Callable[[], Awaitable[int]]:
    """Run every due job (and those they enqueue) to completion; returns how many ran."""

    async def run() -> int:
        return await drain(registry)

    return run


@pytest.fixture
async def app_for(
    database: str,
) -> AsyncIterator[Callable[[Settings], Awaitable[httpx.AsyncClient]]]:
    """Build the real app for some settings and give an HTTP client to it (lifespan run)."""
    stack: list[tuple[object, httpx.AsyncClient]] = []

    async def make(settings: Settings) -> httpx.AsyncClient:
        app = build_app(settings, workers=0, manage_database=False)
        lifespan = app.router.lifespan_context(app)
        await lifespan.__aenter__()
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url=settings.server.base_url
        )
        stack.append((lifespan, client))
        return client

    yield make
    for lifespan, client in reversed(stack):
        await client.aclose()
        await lifespan.__aexit__(None, None, None)  # type: ignore[attr-defined]


@pytest.fixture
async def client(
    app_for: Callable[[Settings], Awaitable[httpx.AsyncClient]], settings: Settings
) -> httpx.AsyncClient:
    return await app_for(settings)
