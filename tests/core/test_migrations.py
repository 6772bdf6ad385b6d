"""Migrations: an empty database upgrades to head, and the models match the migrations."""

from __future__ import annotations

from pathlib import Path

from tortoise.migrations.autodetector import MigrationAutodetector

from chapterhouse.wiring import MODEL_MODULES, TORTOISE_DEV
from core import db
from tests.support.databases import drop_database, engine, new_database


async def test_an_empty_database_upgrades_to_head(database_url: str, tmp_path: Path) -> None:
    # The suite's database is already open; check the head state there, then build a second,
    # empty one of the same engine and migrate it from nothing.
    assert await db.pending_migrations(MODEL_MODULES) == []
    rows = await db.connection().execute_query_dict("SELECT COUNT(*) AS n FROM job")
    assert rows[0]["n"] == 0
    fresh = await new_database(tmp_path, "fresh")
    try:
        import asyncpg  # noqa: F401  (PostgreSQL driver present on both engines)
        from tortoise.context import TortoiseContext

        async with TortoiseContext() as ctx:
            await ctx.init(config=db.tortoise_config(fresh, MODEL_MODULES))
            conn = ctx.connections.get("default")
            from tortoise.migrations.executor import MigrationExecutor

            executor = MigrationExecutor(conn, db.tortoise_config(fresh, MODEL_MODULES)["apps"])
            plan = await executor.plan(None)
            assert [s.migration.name for s in plan] == sorted(
                p.stem for p in Path("migrations").glob("0*.py")
            )
            await executor.migrate(None)
            assert await executor.plan(None) == []
            tables = {"actor", "account", "chapter", "job", "instance_secret", "web_session"}
            if engine() == "postgres":
                found = await conn.execute_query_dict(
                    "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'"
                )
            else:
                found = await conn.execute_query_dict(
                    "SELECT name FROM sqlite_master WHERE type = 'table'"
                )
            assert tables <= {r["name"] for r in found}
    finally:
        await drop_database(fresh)


async def test_models_have_no_changes_missing_from_the_migrations() -> None:
    from tortoise.context import TortoiseContext

    async with TortoiseContext() as ctx:
        await ctx.init(config=TORTOISE_DEV)
        detector = MigrationAutodetector(ctx.apps, TORTOISE_DEV["apps"])
        writers = await detector.changes()
    assert writers == [], "run `make migrations`: the models changed without a migration"
