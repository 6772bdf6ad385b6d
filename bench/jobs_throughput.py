"""Job-queue throughput: enqueue N jobs, then drain them with in-process workers.

Prints jobs/s for enqueue (one transaction per job and batched) and for processing, on the
engine under test: SQLite in a temp folder, or PostgreSQL when CHAPTERHOUSE_TEST_DATABASE_URL
names a server (make bench runs both).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from chapterhouse.wiring import MODEL_MODULES
from core import db
from core.jobs import JobRegistry, Worker, enqueue
from core.models import Job
from tests.support.databases import drop_database, engine, new_database

SIZES = [int(n) for n in os.environ.get("BENCH_JOBS", "2000,10000").split(",")]
CONCURRENCY = 16


async def one_size(n: int, tmp: Path) -> dict[str, float | int | str]:
    url = await new_database(tmp, f"bench{n}")
    await db.open_database(url, MODEL_MODULES)
    try:
        await db.migrate(MODEL_MODULES)
        done = 0

        async def noop(payload: dict[str, object]) -> None:
            nonlocal done
            done += 1

        registry = JobRegistry()
        registry.register("bench.noop", noop)
        start = time.perf_counter()
        for i in range(min(n, 1000)):
            await enqueue("bench.noop", {"i": i})
        single = min(n, 1000) / (time.perf_counter() - start)
        start = time.perf_counter()
        async with db.in_transaction():
            for i in range(n - min(n, 1000)):
                await enqueue("bench.noop", {"i": i})
        batched = (n - min(n, 1000)) / max(time.perf_counter() - start, 1e-9)
        stop = asyncio.Event()
        start = time.perf_counter()
        workers = [
            asyncio.create_task(
                Worker(registry, concurrency=CONCURRENCY, poll_interval=0.05).run(stop)
            )
            for _ in range(2)
        ]
        while done < n:
            await asyncio.sleep(0.05)
        elapsed = time.perf_counter() - start
        stop.set()
        await asyncio.gather(*workers)
        assert await Job.all().count() == 0
        return {
            "engine": engine(),
            "jobs": n,
            "cores": os.cpu_count() or 0,
            "enqueue_per_s_own_tx": round(single),
            "enqueue_per_s_one_tx": round(batched),
            "processed_per_s": round(n / elapsed),
        }
    finally:
        await db.close_database()
        await drop_database(url)


async def main() -> None:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in SIZES:
            rows.append(await one_size(n, Path(tmp)))
    keys = list(rows[0])
    print(" | ".join(f"{k:>20}" for k in keys))
    for row in rows:
        print(" | ".join(f"{row[k]!s:>20}" for k in keys))
    print(json.dumps({"benchmark": "jobs_throughput", "results": rows}))


if __name__ == "__main__":
    asyncio.run(main())
