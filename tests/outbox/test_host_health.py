"""Host health: the scheme a host accepts is remembered; a host failing on 7 distinct days is
skipped until it sends us a valid signed request."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import timedelta

import httpx

from actors.hosts import is_host_unavailable
from actors.models import HostHealth
from core import clock
from core.jobs import enqueue
from core.models import Job
from core.settings import Settings
from outbox.models import OutboundActivity
from outbox.publish import DELIVER_JOB
from tests.inbox.fediverse import FakeFediverse, Local, signed_headers

Drain = Callable[[], Awaitable[int]]
INBOX = "https://gts.test/inbox"


async def _deliver(local: Local, settings: Settings, n: int) -> None:
    base = settings.server.base_url
    body = {"id": f"{base}/activities/accept/{n}", "type": "Accept",
            "actor": f"{base}/users/alice", "object": f"https://gts.test/follows/{n}"}
    row = await OutboundActivity.create(uri=body["id"], activity_type="Accept",
                                        actor=local.member, body=body)
    await enqueue(DELIVER_JOB, {"activity": row.id, "inbox": INBOX})


def _posts(fediverse: FakeFediverse) -> list[httpx.Request]:
    return [r for r in fediverse.requests if r.method == "POST"]


async def test_the_scheme_that_worked_is_used_first_next_time(
    fediverse: FakeFediverse, local: Local, settings: Settings, drain_jobs: Drain,
) -> None:
    fediverse.rfc9421_only.add(INBOX)
    await _deliver(local, settings, 1)
    await drain_jobs()
    assert len(_posts(fediverse)) == 2  # cavage refused, RFC 9421 accepted
    assert (await HostHealth.get(host="gts.test")).signature_scheme == "rfc9421"
    await _deliver(local, settings, 2)
    await drain_jobs()
    posts = _posts(fediverse)
    assert len(posts) == 3 and "signature-input" in posts[2].headers
    assert await Job.all().count() == 0


async def test_seven_failure_days_make_a_host_unavailable_until_it_speaks(
    fediverse: FakeFediverse, local: Local, settings: Settings, drain_jobs: Drain,
    fed_client: httpx.AsyncClient,
) -> None:
    fediverse.inbox_status[INBOX] = 500
    start = clock.now()
    try:
        for day in range(7):
            moment = start + timedelta(days=day)
            clock.set_clock(lambda moment=moment: moment)
            await _deliver(local, settings, day)
            await drain_jobs()
            assert await is_host_unavailable("gts.test") == (day == 6)
        await Job.all().delete()
        sent = len(_posts(fediverse))
        await _deliver(local, settings, 100)
        await drain_jobs()
        assert len(_posts(fediverse)) == sent  # skipped, not even tried
        assert await Job.all().count() == 0
    finally:
        clock.set_clock(None)

    # A valid signed request from the host: deliveries resume.
    remote = fediverse.person("gts.test", "zork")
    doc = {"id": f"{remote.uri}#follows/1", "type": "Follow", "actor": remote.uri,
           "object": f"{settings.server.base_url}/users/alice"}
    body = json.dumps(doc).encode()
    response = await fed_client.post("/inbox", content=body,
                                     headers=signed_headers(settings, "/inbox", body,
                                                            remote.signer))
    assert response.status_code == 202
    assert not await is_host_unavailable("gts.test")
    assert (await HostHealth.get(host="gts.test")).failure_days == []


async def test_a_success_clears_the_failure_days(
    fediverse: FakeFediverse, local: Local, settings: Settings, drain_jobs: Drain,
) -> None:
    fediverse.inbox_status[INBOX] = 502
    await _deliver(local, settings, 1)
    await drain_jobs()
    assert len((await HostHealth.get(host="gts.test")).failure_days) == 1
    fediverse.inbox_status[INBOX] = 202
    await Job.all().update(run_at=0)
    await drain_jobs()
    row = await HostHealth.get(host="gts.test")
    assert row.failure_days == [] and row.last_success_at is not None
