"""Job handlers for the multi-process worker test: each run leaves a row saying who ran it."""

from __future__ import annotations

import asyncio
import os
from typing import Any

from core.db import connection
from core.jobs import JobRegistry

TABLE = "test_job_run"
CREATE = f"CREATE TABLE IF NOT EXISTS {TABLE} (n INTEGER NOT NULL, pid INTEGER NOT NULL)"


async def record(payload: dict[str, Any]) -> None:
    conn = connection()
    marker = "$1, $2" if "asyncpg" in type(conn).__module__ else "?, ?"
    await asyncio.sleep(0.002)  # a little work, so claims of the two processes interleave
    await conn.execute_query(
        f"INSERT INTO {TABLE} (n, pid) VALUES ({marker})", [int(payload["n"]), os.getpid()]
    )


def register(registry: JobRegistry) -> None:
    registry.register("test.record", record)
