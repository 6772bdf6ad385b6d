"""Throw-away test databases: a SQLite file, or a fresh PostgreSQL database per use."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

PG_ENV = "CHAPTERHOUSE_TEST_DATABASE_URL"


def postgres_admin_url() -> str | None:
    """The PostgreSQL server the suite runs against (make test sets it), or None for SQLite."""
    return os.environ.get(PG_ENV) or None


def engine() -> str:
    return "postgres" if postgres_admin_url() else "sqlite"


async def new_database(tmp: Path, label: str) -> str:
    """A URL to an empty database of the engine under test."""
    admin = postgres_admin_url()
    if admin is None:
        return f"sqlite://{tmp / (label + '.sqlite3')}"
    name = f"ch_{label}_{secrets.token_hex(4)}".lower()
    conn = await asyncpg.connect(admin)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    parts = urlsplit(admin)
    return urlunsplit(parts._replace(path=f"/{name}"))


async def drop_database(url: str) -> None:
    admin = postgres_admin_url()
    if admin is None or not url.startswith("postgres"):
        return
    name = urlsplit(url).path.lstrip("/")
    conn = await asyncpg.connect(admin)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()
