"""The durable job queue: enqueue in the caller's transaction, leased claims, retries, workers."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import random
import socket
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from tortoise.exceptions import BaseORMException

from core import clock
from core.db import connection
from core.errors import JobError, PermanentFailure, RetryLater
from core.ids import new_id
from core.models import Job

log = logging.getLogger(__name__)

Payload = dict[str, Any]
Handler = Callable[[Payload], Awaitable[None]]

DEFAULT_LEASE = 300.0  # seconds a claim is held; a crashed worker's job is retaken after it
ERROR_TEXT_MAX = 4000


@dataclass(frozen=True)
class HandlerSpec:
    """How one named job runs: the function, how often to try, and how long to wait."""

    name: str
    fn: Handler
    max_attempts: int = 10
    base_delay: float = 10.0
    max_delay: float = 6 * 3600.0
    timeout: float = 240.0  # must stay below the lease so no job runs twice at once

    def backoff(self, attempts: int) -> float:
        """Seconds before try number `attempts + 1`: exponential, capped, with ±50 % jitter."""
        delay = min(self.max_delay, self.base_delay * (2 ** max(0, attempts - 1)))
        return float(delay * random.uniform(0.5, 1.5))


class JobRegistry:
    """Named handlers. Services enqueue by name, so no layer imports the one that handles it."""

    def __init__(self) -> None:
        self._specs: dict[str, HandlerSpec] = {}

    def register(self, name: str, fn: Handler, **options: Any) -> None:
        if name in self._specs:
            raise ValueError(f"job handler {name!r} registered twice")
        spec = HandlerSpec(name=name, fn=fn, **options)
        if spec.timeout >= DEFAULT_LEASE:
            raise ValueError(f"job handler {name!r}: timeout must be below the lease")
        self._specs[name] = spec

    def get(self, name: str) -> HandlerSpec | None:
        return self._specs.get(name)

    def names(self) -> list[str]:
        return sorted(self._specs)


# Workers in this process register an event here so a local enqueue wakes them at once
# instead of at their next poll. Other processes find the job at their next poll.
_wakeups: set[asyncio.Event] = set()


def _ms(seconds_from_now: float = 0.0) -> int:
    return int((clock.now().timestamp() + seconds_from_now) * 1000)


async def enqueue(
    name: str,
    payload: Payload | None = None,
    *,
    delay: float = 0.0,
    max_attempts: int | None = None,
) -> int:
    """Add a job. Inside `in_transaction()` it commits or rolls back with the caller's rows.

    The payload must be JSON (ids and strings, not model objects): the handler reloads what
    it needs, so a job still makes sense after a retry hours later.
    """
    body = payload or {}
    json.dumps(body)  # fail here, in the caller, if it is not JSON
    job = await Job.create(
        id=new_id(),
        name=name,
        payload=body,
        run_at=_ms(delay),
        max_attempts=max_attempts,
    )
    for event in list(_wakeups):
        asyncio.get_running_loop().call_later(0.05, event.set)
    return int(job.id)


@dataclass(frozen=True)
class Claimed:
    id: int
    name: str
    payload: Payload
    attempts: int
    max_attempts: int


_CLAIM = """
UPDATE job SET state = 'running', locked_by = {p1}, locked_until = {p2},
               attempts = attempts + 1
WHERE id IN (
    SELECT id FROM job
    WHERE (state = 'pending' AND run_at <= {p3}) OR (state = 'running' AND locked_until < {p3})
    ORDER BY run_at
    LIMIT {p4} {lock}
)
RETURNING id, name, payload, attempts, max_attempts
"""


async def claim(worker_id: str, limit: int, lease: float = DEFAULT_LEASE) -> list[Claimed]:
    """Take up to `limit` due jobs under a lease, atomically.

    PostgreSQL: the inner SELECT skips rows another worker has locked (FOR UPDATE SKIP
    LOCKED), so concurrent workers never take the same job. SQLite: one UPDATE statement
    holds the database's write lock from start to end, which gives the same guarantee.
    A job whose lease ran out (its worker died) is due again.
    """
    conn = connection()
    now = _ms()
    if engine_of_connection() == "postgres":
        sql = _CLAIM.format(p1="$1", p2="$2", p3="$3", p4="$4", lock="FOR UPDATE SKIP LOCKED")
    else:
        sql = _CLAIM.format(p1="?1", p2="?2", p3="?3", p4="?4", lock="")
    values: list[Any] = [worker_id, now + int(lease * 1000), now, limit]
    # execute_query_dict: the asyncpg client drops RETURNING rows of an UPDATE in execute_query
    rows = await conn.execute_query_dict(sql, values)
    out = []
    for row in rows:
        payload = row["payload"]
        if isinstance(payload, (str, bytes)):
            payload = json.loads(payload)
        out.append(
            Claimed(
                id=int(row["id"]),
                name=str(row["name"]),
                payload=payload,
                attempts=int(row["attempts"]),
                max_attempts=int(row["max_attempts"] or 0),
            )
        )
    return out


def engine_of_connection() -> str:
    module = type(connection()).__module__
    return "postgres" if "asyncpg" in module or "psycopg" in module else "sqlite"


async def _finish(job: Claimed, worker_id: str) -> None:
    await Job.filter(id=job.id, locked_by=worker_id).delete()


async def _fail(
    job: Claimed,
    worker_id: str,
    spec: HandlerSpec | None,
    error: str,
    *,
    delay: float | None = None,
    final: bool = False,
) -> None:
    limit = job.max_attempts or (spec.max_attempts if spec else 1)
    if final or spec is None or job.attempts >= limit:
        log.warning(
            "job %s %s is dead after %d attempts: %s",
            job.name,
            job.id,
            job.attempts,
            error.splitlines()[-1] if error else "",
        )
        await Job.filter(id=job.id, locked_by=worker_id).update(
            state="dead", locked_by=None, locked_until=None, last_error=error[-ERROR_TEXT_MAX:]
        )
        return
    wait = delay if delay is not None else spec.backoff(job.attempts)
    await Job.filter(id=job.id, locked_by=worker_id).update(
        state="pending",
        locked_by=None,
        locked_until=None,
        run_at=_ms(wait),
        last_error=error[-ERROR_TEXT_MAX:],
    )


async def run_claimed(registry: JobRegistry, job: Claimed, worker_id: str) -> None:
    """Run one claimed job and record the outcome: deleted, rescheduled or dead."""
    spec = registry.get(job.name)
    if spec is None:
        await _fail(job, worker_id, None, f"no handler registered for job {job.name!r}")
        return
    try:
        await asyncio.wait_for(spec.fn(job.payload), timeout=spec.timeout)
    except RetryLater as exc:
        await _fail(job, worker_id, spec, f"RetryLater: {exc}", delay=exc.delay)
    except PermanentFailure as exc:
        await _fail(job, worker_id, spec, f"PermanentFailure: {exc}", final=True)
    except asyncio.CancelledError:
        raise
    except Exception:  # a handler's bug or a failed peer: recorded on the job, retried
        await _fail(job, worker_id, spec, traceback.format_exc())
    else:
        await _finish(job, worker_id)


def default_worker_id() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{new_id() & 0xFFFF:x}"


class Worker:
    """Claims due jobs and runs up to `concurrency` at once until told to stop."""

    def __init__(
        self,
        registry: JobRegistry,
        *,
        worker_id: str | None = None,
        concurrency: int = 4,
        poll_interval: float = 1.0,
        lease: float = DEFAULT_LEASE,
    ) -> None:
        self.registry = registry
        self.worker_id = worker_id or default_worker_id()
        self.concurrency = concurrency
        self.poll_interval = poll_interval
        self.lease = lease
        self._wake = asyncio.Event()

    async def run_once(self, limit: int | None = None) -> int:
        """Claim one batch and run it to the end; return how many jobs ran."""
        jobs = await claim(self.worker_id, limit or self.concurrency, self.lease)
        if jobs:
            await asyncio.gather(*(run_claimed(self.registry, j, self.worker_id) for j in jobs))
        return len(jobs)

    async def _run_logged(self, job: Claimed) -> None:
        try:
            await run_claimed(self.registry, job, self.worker_id)
        except (BaseORMException, OSError) as exc:
            # Recording the outcome failed; the lease runs out and the job is tried again.
            log.warning("job %s %s: cannot record its outcome: %s", job.name, job.id, exc)

    async def run(self, stop: asyncio.Event) -> None:
        """Work until `stop` is set; jobs already started are finished first."""
        _wakeups.add(self._wake)
        running: set[asyncio.Task[None]] = set()
        try:
            while not stop.is_set():
                self._wake.clear()  # before claiming, so an enqueue during the claim wakes us
                free = self.concurrency - len(running)
                try:
                    jobs = await claim(self.worker_id, free, self.lease) if free > 0 else []
                except (BaseORMException, OSError) as exc:
                    # The database is away for a moment (restart, locked file): keep the
                    # worker alive and try again after the poll interval.
                    log.warning("worker %s cannot claim jobs: %s", self.worker_id, exc)
                    jobs = []
                for job in jobs:
                    task = asyncio.create_task(self._run_logged(job))
                    running.add(task)
                    task.add_done_callback(running.discard)
                if jobs and len(running) < self.concurrency:
                    continue
                waiters: list[asyncio.Future[Any]] = [
                    asyncio.ensure_future(self._wake.wait()),
                    asyncio.ensure_future(stop.wait()),
                    *running,
                ]
                await asyncio.wait(
                    waiters, timeout=self.poll_interval, return_when=asyncio.FIRST_COMPLETED
                )
                for w in waiters[:2]:
                    w.cancel()
        finally:
            _wakeups.discard(self._wake)
            if running:
                await asyncio.gather(*running, return_exceptions=True)


async def drain(registry: JobRegistry, *, max_jobs: int = 10_000) -> int:
    """Run every due job, and the jobs those enqueue, until none is due; return the count.

    Jobs rescheduled into the future (retries) are left for later: move the clock to run them.
    """
    worker = Worker(registry, worker_id="drain")
    total = 0
    while total < max_jobs:
        ran = await worker.run_once(limit=50)
        if ran == 0:
            return total
        total += ran
    raise JobError(f"drain: more than {max_jobs} jobs ran; a job may be re-enqueuing itself")


async def dead_jobs() -> list[Job]:
    """Jobs that gave up, newest first, with their last error."""
    return await Job.filter(state="dead").order_by("-id")


__all__ = [
    "Claimed",
    "HandlerSpec",
    "JobRegistry",
    "PermanentFailure",
    "RetryLater",
    "Worker",
    "claim",
    "dead_jobs",
    "drain",
    "enqueue",
    "run_claimed",
]
