"""Delivery: signed POSTs, the double knock, and the retry policy of DESIGN.md."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable

import pytest

from actors.blocks import block_domain
from actors.models import Actor
from chapterhouse.wiring import job_registry
from core import clock
from core.jobs import drain, enqueue
from core.models import Job
from core.settings import FederationSettings, Settings
from federation import load_public_key_pem, parse_signature, verify
from outbox.models import OutboundActivity
from outbox.publish import DELIVER_JOB, inboxes_of
from tests.inbox.fediverse import FakeFediverse, Local

Drain = Callable[[], Awaitable[int]]
INBOX = "https://mastodon.test/inbox"


async def _stored(local: Local, settings: Settings) -> OutboundActivity:
    base = settings.server.base_url
    body = {"@context": "https://www.w3.org/ns/activitystreams",
            "id": f"{base}/activities/accept/1", "type": "Accept",
            "actor": f"{base}/users/alice", "object": "https://mastodon.test/follows/1"}
    return await OutboundActivity.create(uri=body["id"], activity_type="Accept",
                                         actor=local.member, body=body)


async def _deliver(local: Local, settings: Settings, inbox: str = INBOX) -> None:
    row = await _stored(local, settings)
    await enqueue(DELIVER_JOB, {"activity": row.id, "inbox": inbox})


async def test_a_delivery_is_signed_by_its_actor_and_verifies(
    fediverse: FakeFediverse, local: Local, settings: Settings, drain_jobs: Drain,
) -> None:
    await _deliver(local, settings)
    assert await drain_jobs() == 1
    [request] = [r for r in fediverse.requests if r.method == "POST"]
    key = load_public_key_pem(local.member.public_key_pem or "")
    sig = parse_signature(request.headers.multi_items())
    assert sig.key_id == f"{settings.server.base_url}/users/alice#main-key"
    verify(sig, key, "POST", str(request.url), request.headers.multi_items(), request.content)
    assert await Job.all().count() == 0


async def test_a_401_is_knocked_again_with_rfc9421(
    fediverse: FakeFediverse, local: Local, settings: Settings, drain_jobs: Drain,
) -> None:
    fediverse.inbox_status[INBOX] = 401
    await _deliver(local, settings)
    await drain_jobs()
    posts = [r for r in fediverse.requests if r.method == "POST"]
    assert len(posts) == 2
    assert "signature-input" not in posts[0].headers and "signature-input" in posts[1].headers
    [job] = await Job.all()
    assert job.state == "pending" and job.attempts == 1  # 401 is worth another try later


@pytest.mark.parametrize("status", [400, 403, 404, 410, 422])
async def test_a_final_client_error_ends_the_delivery(
    status: int, fediverse: FakeFediverse, local: Local, settings: Settings, drain_jobs: Drain,
) -> None:
    fediverse.inbox_status[INBOX] = status
    await _deliver(local, settings)
    await drain_jobs()
    [job] = await Job.all()
    assert job.state == "dead" and f"HTTP {status}" in (job.last_error or "")


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503])
async def test_transient_failures_are_retried_with_backoff(
    status: int, fediverse: FakeFediverse, local: Local, settings: Settings, drain_jobs: Drain,
) -> None:
    fediverse.inbox_status[INBOX] = status
    await _deliver(local, settings)
    await drain_jobs()
    [job] = await Job.all()
    assert job.state == "pending" and job.attempts == 1
    wait = job.run_at / 1000 - clock.now().timestamp()
    assert 20 <= wait <= 95  # first retry about a minute later, with jitter


async def test_retry_after_is_honoured_and_capped(
    fediverse: FakeFediverse, local: Local, settings: Settings, drain_jobs: Drain,
) -> None:
    fediverse.inbox_status[INBOX] = 429
    fediverse.retry_after[INBOX] = "120"
    await _deliver(local, settings)
    await drain_jobs()
    [job] = await Job.all()
    assert 115 <= job.run_at / 1000 - clock.now().timestamp() <= 121
    fediverse.retry_after[INBOX] = str(10 * 86400)
    job.run_at = 0
    await job.save()
    await drain_jobs()
    [job] = await Job.all()
    assert job.run_at / 1000 - clock.now().timestamp() <= 6 * 3600 + 1


async def test_a_down_host_gets_about_16_attempts_over_about_two_days(
    fediverse: FakeFediverse, local: Local, settings: Settings, drain_jobs: Drain,
) -> None:
    fediverse.inbox_status[INBOX] = 503
    await _deliver(local, settings)
    start = clock.now()
    elapsed = 0.0
    try:
        for _ in range(40):
            await drain_jobs()
            job = await Job.get_or_none(name=DELIVER_JOB)
            if job is None or job.state == "dead":
                break
            elapsed = job.run_at / 1000 - start.timestamp()
            moment = clock.now().fromtimestamp(job.run_at / 1000, tz=start.tzinfo)
            clock.set_clock(lambda moment=moment: moment)
    finally:
        clock.set_clock(None)
    assert job is not None and job.state == "dead" and job.attempts == 16
    assert 1.0 * 86400 <= elapsed <= 3.5 * 86400
    assert len([r for r in fediverse.requests if r.method == "POST"]) == 16


async def test_a_blocked_inbox_is_not_delivered_to(
    fediverse: FakeFediverse, local: Local, settings: Settings, drain_jobs: Drain,
) -> None:
    await block_domain("mastodon.test")
    await _deliver(local, settings)
    await drain_jobs()
    assert fediverse.requests == [] and await Job.all().count() == 0


async def test_a_loopback_inbox_is_refused_when_the_guard_is_on(
    fediverse: FakeFediverse, local: Local, settings: Settings,
) -> None:
    strict = dataclasses.replace(settings, federation=FederationSettings(
        allow_http=False, allow_private_addresses=False))
    await _deliver(local, settings, inbox="https://127.0.0.1/inbox")
    await drain(job_registry(strict, http_transport=fediverse.transport))
    [job] = await Job.all()
    assert job.state == "dead" and "127.0.0.1" in (job.last_error or "")
    assert fediverse.requests == []


async def test_inboxes_prefer_shared_inboxes_once_each(local: Local) -> None:
    def remote(name: str, host: str, shared: bool) -> Actor:
        return Actor(kind="Person", username=name, domain=host, uri=f"https://{host}/u/{name}",
                     inbox=f"https://{host}/u/{name}/inbox",
                     shared_inbox=f"https://{host}/inbox" if shared else None)

    actors = [remote("a", "one.test", True), remote("b", "one.test", True),
              remote("c", "two.test", False), remote("d", "two.test", False), local.member]
    assert await inboxes_of(actors) == ["https://one.test/inbox", "https://two.test/u/c/inbox",
                                        "https://two.test/u/d/inbox"]
