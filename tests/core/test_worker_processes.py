"""Two `chapterhouse worker` processes on one database run every job exactly once."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core import db
from core.jobs import enqueue
from core.models import Job
from tests.support import record_handlers
from tests.support.config import write_config

ROOT = Path(__file__).resolve().parents[2]
JOBS = 1000


async def _count(sql: str) -> int:
    rows = await db.connection().execute_query_dict(sql)
    return int(next(iter(rows[0].values())))


@pytest.mark.slow
async def test_two_worker_processes_run_each_of_1000_jobs_exactly_once(
    database: str, tmp_path: Path
) -> None:
    conn = db.connection()
    await conn.execute_script(record_handlers.CREATE)
    try:
        async with db.in_transaction():
            for n in range(JOBS):
                await enqueue("test.record", {"n": n})
        config = write_config(tmp_path, port=8799, database_url=database)
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        cmd = [
            sys.executable,
            "-m",
            "chapterhouse",
            "--config",
            str(config),
            "worker",
            "--concurrency",
            "8",
            "--extra-handlers",
            "tests.support.record_handlers",
        ]
        procs = [
            subprocess.Popen(
                cmd,
                env=env,
                cwd=tmp_path,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for _ in range(2)
        ]
        try:
            deadline = time.monotonic() + 180
            while await _unfinished() and time.monotonic() < deadline:
                for p in procs:
                    assert p.poll() is None, p.stdout.read() if p.stdout else ""
                await _sleep_a_little()
        finally:
            for p in procs:
                p.terminate()
            outputs = [p.communicate(timeout=30)[0] for p in procs]
        assert await _unfinished() == 0, outputs
        # each worker made sure the hourly campaign tally is scheduled, once for both
        assert await Job.filter(name="campaign.tally", state="pending").count() == 1
        assert all(p.returncode == 0 for p in procs), outputs
        # a worker process runs the project's own handlers too, not only the extra ones
        assert all("inbox.process" in out and "outbox.deliver" in out for out in outputs)
        table = record_handlers.TABLE
        assert await _count(f"SELECT COUNT(*) AS c FROM {table}") == JOBS
        assert await _count(f"SELECT COUNT(DISTINCT n) AS c FROM {table}") == JOBS
        # both processes took part
        assert await _count(f"SELECT COUNT(DISTINCT pid) AS c FROM {table}") == 2
    finally:
        await conn.execute_script(f"DROP TABLE IF EXISTS {record_handlers.TABLE}")


async def _sleep_a_little() -> None:
    # Polling another process's progress (not waiting for our own work): a short pause.
    import asyncio

    await asyncio.sleep(0.2)


async def _unfinished() -> int:
    """Jobs left to run, not counting the campaign tally, which always waits for its hour."""
    return await Job.exclude(name="campaign.tally").count()
