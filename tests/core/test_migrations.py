"""Migrations: an empty database upgrades to head, and the models match the migrations.

Both checks run in child processes: tortoise binds model classes to the last database
initialised in a process, so a second database here would unsettle the rest of the suite.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import asyncpg

from chapterhouse.wiring import MODEL_MODULES
from core import db
from tests.support.config import write_config
from tests.support.databases import drop_database, engine, new_database

ROOT = Path(__file__).resolve().parents[2]
TABLES = {"actor", "account", "chapter", "job", "instance_secret", "web_session"}


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, timeout=180, cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


async def tables_of(url: str) -> set[str]:
    if engine() == "postgres":
        conn = await asyncpg.connect(url)
        try:
            rows = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        finally:
            await conn.close()
        return {r["tablename"] for r in rows}
    with sqlite3.connect(url.removeprefix("sqlite://")) as conn:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    return {r[0] for r in rows}


async def test_an_empty_database_upgrades_to_head(database: str, tmp_path: Path) -> None:
    assert await db.pending_migrations(MODEL_MODULES) == []  # the suite's own database
    fresh = await new_database(tmp_path, "fresh")
    try:
        config = write_config(tmp_path, port=8798, database_url=fresh)
        first = run("-m", "chapterhouse", "--config", str(config), "migrate", cwd=tmp_path)
        assert first.returncode == 0, first.stderr
        heads = sorted(p.stem for p in (ROOT / "migrations").glob("0*.py"))
        assert first.stdout.strip() == "applied: " + ", ".join(f"models.{h}" for h in heads)
        assert TABLES <= await tables_of(fresh)
        again = run("-m", "chapterhouse", "--config", str(config), "migrate", cwd=tmp_path)
        assert again.stdout.strip() == "database is up to date"
    finally:
        await drop_database(fresh)


CHECK = """
import asyncio
from tortoise.context import TortoiseContext
from tortoise.migrations.autodetector import MigrationAutodetector
from chapterhouse.wiring import TORTOISE_DEV

async def main():
    async with TortoiseContext() as ctx:
        await ctx.init(config=TORTOISE_DEV)
        writers = await MigrationAutodetector(ctx.apps, TORTOISE_DEV["apps"]).changes()
    for w in writers:
        for op in w.operations:
            print(type(op).__name__, getattr(op, "model_name", ""), getattr(op, "name", ""))

asyncio.run(main())
"""


def test_models_have_no_changes_missing_from_the_migrations(tmp_path: Path) -> None:
    done = run("-c", CHECK, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "", "run `make migrations`; models changed without a migration:\n" + (
        done.stdout
    )


UPGRADE_WITH_DATA = """
import asyncio, sys
from chapterhouse.wiring import MODEL_MODULES
from core import db

FIRST = "0001_initial"
ROWS = [
    "INSERT INTO actor (id, kind, username, acct_key, display_name, summary, created_at,"
    " updated_at) VALUES (1, 'Person', 'Ana', 'ana@', 'Ana', '', {now}, {now})",
    "INSERT INTO account (id, actor_id, email, password_hash, role, confirmed, approved,"
    " application_reason, commitments_version, commitments_accepted_at, locale, created_at)"
    " VALUES (2, 1, 'ana@example.org', 'x', 'member', {t}, {t}, '', '1', {now}, '', {now})",
    "INSERT INTO actor (id, kind, username, acct_key, display_name, summary, created_at,"
    " updated_at) VALUES (3, 'Group', 'leeds', 'leeds@', 'Leeds', '', {now}, {now})",
    "INSERT INTO chapter (id, actor_id, name, slug, description, join_policy, members_visible,"
    " created_at) VALUES (4, 3, 'Leeds', 'leeds', '', 'open', {t}, {now})",
]

async def main(url):
    await db.open_database(url, MODEL_MODULES)
    try:
        await upgrade()
    finally:
        await db.close_database()

async def upgrade():
    await db.migrate(MODEL_MODULES, target=FIRST)
    pg = "asyncpg" in type(db.connection()).__module__
    now, t = ("now()", "true") if pg else ("'2026-01-01 00:00:00+00:00'", "1")
    for sql in ROWS:
        await db.connection().execute_script(sql.format(now=now, t=t))
    rest = await db.migrate(MODEL_MODULES)
    print("upgraded:", len(rest))
    rows = await db.connection().execute_query_dict(
        "SELECT a.username, c.email FROM actor a JOIN account c ON c.actor_id = a.id")
    print(rows)

asyncio.run(main(sys.argv[1]))
"""


async def test_a_database_with_members_upgrades_from_the_first_migration(tmp_path: Path) -> None:
    fresh = await new_database(tmp_path, "upgrade")
    try:
        done = run("-c", UPGRADE_WITH_DATA, fresh, cwd=tmp_path)
        assert done.returncode == 0, done.stderr[-3000:]
        assert "[{'username': 'Ana', 'email': 'ana@example.org'}]" in done.stdout
    finally:
        await drop_database(fresh)
