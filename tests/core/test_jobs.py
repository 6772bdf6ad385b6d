"""The durable job queue: transactional enqueue, retries with backoff, dead jobs, leases."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from core import clock, db
from core.errors import PermanentFailure, RetryLater
from core.jobs import JobRegistry, Worker, claim, dead_jobs, drain, enqueue, run_claimed
from core.models import Job


@pytest.fixture
def later() -> object:
    """Move the clock forward by some seconds (restored after the test)."""
    offset = {"s": 0.0}
    real = clock.now

    def advance(seconds: float) -> None:
        offset["s"] += seconds

    base = real()
    clock.set_clock(lambda: base + timedelta(seconds=offset["s"]))
    yield advance
    clock.set_clock(None)


async def test_enqueue_commits_or_rolls_back_with_the_callers_transaction(database: str) -> None:
    reg = JobRegistry()
    seen: list[int] = []

    async def record(payload: dict) -> None:
        seen.append(payload["n"])

    reg.register("t.record", record)
    with pytest.raises(RuntimeError):
        async with db.in_transaction():
            await enqueue("t.record", {"n": 1})
            raise RuntimeError("the caller fails after enqueuing")
    async with db.in_transaction():
        await enqueue("t.record", {"n": 2})
    assert await drain(reg) == 1
    assert seen == [2]
    assert await Job.all().count() == 0  # finished jobs are removed


async def test_payload_must_be_json(database: str) -> None:
    with pytest.raises(TypeError):
        await enqueue("t.x", {"when": object()})
    assert await Job.all().count() == 0


async def test_failures_retry_with_growing_delays_then_go_dead(database: str, later) -> None:
    reg = JobRegistry()
    calls = 0

    async def flaky(payload: dict) -> None:
        nonlocal calls
        calls += 1
        raise ConnectionError(f"peer down, try {calls}")

    reg.register("t.flaky", flaky, max_attempts=4, base_delay=10, max_delay=1000)
    await enqueue("t.flaky")
    delays = []
    for _ in range(3):
        assert await drain(reg) == 1
        job = await Job.get()
        assert job.state == "pending"
        assert "peer down" in job.last_error
        wait = job.run_at / 1000 - clock.now().timestamp()
        delays.append(wait)
        assert await drain(reg) == 0  # not due yet: drain never waits
        later(wait + 1)
    # base 10 s doubling, with ±50 % jitter
    assert 5 <= delays[0] <= 15 and 10 <= delays[1] <= 30 and 20 <= delays[2] <= 60
    assert await drain(reg) == 1
    [dead] = await dead_jobs()
    assert dead.attempts == 4 and calls == 4
    assert "peer down, try 4" in dead.last_error
    later(10_000)
    assert await drain(reg) == 0  # dead jobs stay dead


async def test_retry_later_and_permanent_failure(database: str, later) -> None:
    reg = JobRegistry()

    async def busy(payload: dict) -> None:
        raise RetryLater("429 from peer", delay=120)

    async def gone(payload: dict) -> None:
        raise PermanentFailure("410 Gone")

    reg.register("t.busy", busy)
    reg.register("t.gone", gone)
    await enqueue("t.busy")
    await enqueue("t.gone")
    assert await drain(reg) == 2
    busy_job = await Job.get(name="t.busy")
    assert busy_job.state == "pending"
    assert 119 <= busy_job.run_at / 1000 - clock.now().timestamp() <= 121
    gone_job = await Job.get(name="t.gone")
    assert gone_job.state == "dead" and gone_job.attempts == 1 and "410" in gone_job.last_error


async def test_a_job_without_a_handler_is_kept_dead_with_the_reason(database: str) -> None:
    await enqueue("nobody.handles.this", {"x": 1})
    assert await drain(JobRegistry()) == 1
    [dead] = await dead_jobs()
    assert "no handler registered" in dead.last_error and dead.payload == {"x": 1}


async def test_a_crashed_workers_job_is_taken_again_after_its_lease(database: str, later) -> None:
    reg = JobRegistry()
    ran: list[str] = []

    async def work(payload: dict) -> None:
        ran.append("done")

    reg.register("t.work", work)
    await enqueue("t.work")
    [taken] = await claim("crashed-worker", 10, lease=60)
    assert await claim("other", 10) == []  # leased: nobody else may take it
    later(61)
    [again] = await claim("other", 10)
    assert again.id == taken.id and again.attempts == 2
    # the crashed worker coming back cannot finish or fail a job that is no longer its own
    await run_claimed(reg, taken, "crashed-worker")
    assert await Job.filter(id=taken.id).exists()
    await run_claimed(reg, again, "other")
    assert not await Job.filter(id=taken.id).exists()


async def test_concurrent_claims_never_share_a_job(database: str) -> None:
    for n in range(60):
        await enqueue("t.n", {"n": n})
    batches = await asyncio.gather(*(claim(f"w{i}", 7) for i in range(12)))
    ids = [job.id for batch in batches for job in batch]
    assert len(ids) == len(set(ids)) == 60


async def test_jobs_enqueued_by_jobs_are_drained_too(database: str) -> None:
    reg = JobRegistry()
    order: list[str] = []

    async def first(payload: dict) -> None:
        order.append("first")
        await enqueue("t.second")

    async def second(payload: dict) -> None:
        order.append("second")

    reg.register("t.first", first)
    reg.register("t.second", second)
    await enqueue("t.first")
    assert await drain(reg) == 2
    assert order == ["first", "second"]


async def test_a_running_worker_picks_up_new_jobs_and_stops_cleanly(database: str) -> None:
    reg = JobRegistry()
    done = asyncio.Event()

    async def signal(payload: dict) -> None:
        done.set()

    reg.register("t.signal", signal)
    stop = asyncio.Event()
    task = asyncio.create_task(Worker(reg, poll_interval=30).run(stop))
    await asyncio.sleep(0)
    await enqueue("t.signal")  # wakes the worker at once: no waiting for its 30 s poll
    await asyncio.wait_for(done.wait(), timeout=10)
    stop.set()
    await asyncio.wait_for(task, timeout=10)
    assert await Job.all().count() == 0
