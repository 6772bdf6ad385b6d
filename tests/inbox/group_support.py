"""Helpers of the group inbox tests: remote groups on the fake fediverse, joining our chapters,
and what the inbox recorded about an activity."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx

from actors.models import Actor
from actors.urls import LocalUrls
from core.settings import Settings
from inbox.models import InboundActivity
from inbox.remote import resolve_actor
from tests.inbox.content_support import send
from tests.inbox.fediverse import FakeActor, FakeFediverse
from web.activitypub import make_federation_client

Drain = Callable[[], Awaitable[int]]
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


def remote_group(fediverse: FakeFediverse, host: str, name: str, *,
                 path: str = "c", **extra: object) -> FakeActor:
    """A Lemmy-shaped Group at https://host/path/name: attributedTo its moderators
    collection, a featured collection, a shared inbox."""
    uri = f"https://{host}/{path}/{name}"
    group = fediverse.person(host, name, uri=uri)
    group.doc.update({"type": "Group", "name": name.title(),
                      "attributedTo": f"{uri}/moderators", "featured": f"{uri}/featured",
                      **extra})
    fediverse.publish(group)
    return group


async def known(settings: Settings, fediverse: FakeFediverse, uri: str) -> Actor:
    """The remote actor `uri`, fetched and cached as the inbox would."""
    client = make_federation_client(settings, fediverse.transport)
    return await resolve_actor(LocalUrls(settings.server.base_url), client, uri)


async def join(client: httpx.AsyncClient, settings: Settings, who: FakeActor, slug: str,
               drain_jobs: Drain) -> Actor:
    """`who` follows our chapter `slug` (accepted when the chapter is open)."""
    follow = {"id": f"{who.uri}#join/{slug}", "type": "Follow", "actor": who.uri,
              "object": f"{settings.server.base_url}/chapters/{slug}"}
    assert await send(client, settings, follow, who) == 202
    await drain_jobs()
    return await Actor.get(uri=who.uri)


async def outcome(activity_id: str) -> tuple[str, str | None]:
    """(state, reason) the inbox recorded for the activity."""
    row = await InboundActivity.get(activity_id=activity_id)
    return row.state, row.error


def change(kind: str, actor: FakeActor, obj: str, target: str, n: int = 1,
           **extra: object) -> dict[str, object]:
    """An Add or Remove as Lemmy writes them (to Public)."""
    return {"id": f"{actor.uri}/activities/{kind.lower()}/{n}", "type": kind,
            "actor": actor.uri, "object": obj, "target": target, "to": [PUBLIC], **extra}
