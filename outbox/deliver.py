"""The outbox.deliver job: one signed POST to one inbox, with the retry policy of DESIGN.md."""

from __future__ import annotations

import logging
from typing import Any

from actors.blocks import is_domain_blocked
from actors.hosts import (
    UNAVAILABLE_AFTER_DAYS,
    is_host_unavailable,
    preferred_scheme,
    record_delivery_failure,
    record_delivery_success,
)
from actors.keys import ensure_keys, signer_for
from actors.models import Actor
from actors.urls import LocalUrls
from core.errors import PermanentFailure, RetryLater
from federation import FederationClient, FetchError, InsecureScheme, RefusedAddress, parse_url
from outbox.models import OutboundActivity

log = logging.getLogger(__name__)

#: Job options: about 16 attempts over about two days (60 s doubling, capped at 6 h, ±50 %).
DELIVERY_OPTIONS: dict[str, Any] = {"max_attempts": 16, "base_delay": 60.0,
                                    "max_delay": 6 * 3600.0, "timeout": 60.0}
#: A Retry-After longer than this is not believed.
MAX_RETRY_AFTER = 6 * 3600.0
#: Client errors worth another try; every other 4xx is final.
_RETRIED_4XX = frozenset({401, 408, 429})


async def deliver(urls: LocalUrls, client: FederationClient, payload: dict[str, Any]) -> None:
    """POST the stored activity to `payload["inbox"]`, signed by its actor afresh.

    2xx: done. 4xx other than 401/408/429: final. 429/503 with Retry-After: try again then
    (capped). Anything else, network errors included: back off and retry, and count the
    day as a failure day of the host; a host with 7 is skipped until it speaks again.
    The first attempt uses the signature scheme that last worked with the host.
    """
    row = await OutboundActivity.get_or_none(id=payload["activity"])
    inbox = str(payload["inbox"])
    if row is None:
        return
    target = parse_url(inbox)
    if await is_domain_blocked(target.host):
        log.info("not delivering %s to blocked %s", row.uri, inbox)
        return
    if await is_host_unavailable(target.authority):
        log.info("not delivering %s to %s: the host is marked unavailable", row.uri, inbox)
        return
    sender = await ensure_keys(await Actor.get(id=row.actor_id))  # type: ignore[attr-defined]
    try:
        result = await client.post_ap(inbox, row.body, signer_for(urls, sender),
                                      scheme=await preferred_scheme(target.authority))
    except (RefusedAddress, InsecureScheme) as exc:
        raise PermanentFailure(f"{inbox}: {exc}") from exc
    except FetchError as exc:
        await record_delivery_failure(target.authority)
        raise RetryLater(f"{inbox}: {exc}") from exc
    status = result.status
    if result.ok:
        await record_delivery_success(target.authority, result.scheme)
        return
    if 400 <= status < 500 and status not in _RETRIED_4XX:
        raise PermanentFailure(f"{inbox}: HTTP {status}")
    if await record_delivery_failure(target.authority):
        log.warning("%s failed on %d distinct days: marked unavailable", target.authority,
                    UNAVAILABLE_AFTER_DAYS)
    if status in (429, 503) and result.retry_after is not None:
        raise RetryLater(f"{inbox}: HTTP {status}", delay=min(result.retry_after,
                                                              MAX_RETRY_AFTER))
    raise RetryLater(f"{inbox}: HTTP {status}")
