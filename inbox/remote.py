"""Resolving remote actors and their keys: signed fetches by the instance actor, cached."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from actors.keys import get_instance_actor, signer_for
from actors.models import Actor
from actors.remote import save_remote_actor
from actors.urls import LocalUrls, find_actor_by_uri
from core import clock
from federation import (
    Actor as APActor,
)
from federation import (
    BadStatus,
    FederationClient,
    FederationError,
    parse_url,
    resolve_acct,
    same_origin,
)
from federation.vocab.actors import ACTOR_TYPES
from inbox.convert import from_ap_actor
from inbox.errors import ActorUnavailable

#: A cached actor older than this is fetched again before it is relied on.
REFRESH_AFTER = timedelta(days=1)
#: A key that fails to verify makes us re-fetch its actor at most once per this window.
REFETCH_WINDOW = timedelta(minutes=5)


def strip_fragment(url: str) -> str:
    return url.split("#", 1)[0]


async def _get(urls: LocalUrls, client: FederationClient, url: str) -> dict[str, Any]:
    signer = signer_for(urls, await get_instance_actor())
    try:
        return await client.get_ap(url, signer=signer)
    except BadStatus as exc:
        raise ActorUnavailable(str(exc), gone=exc.status in (404, 410)) from exc
    except FederationError as exc:
        raise ActorUnavailable(str(exc)) from exc


async def fetch_actor_document(urls: LocalUrls, client: FederationClient, url: str) -> APActor:
    """The actor at `url` (a key URL is followed to its owner, on the same origin only)."""
    if urls.is_ours(url):
        raise ActorUnavailable("refusing to fetch our own server as a remote actor")
    doc = await _get(urls, client, strip_fragment(url))
    if doc.get("type") not in ACTOR_TYPES and isinstance(doc.get("owner"), str):
        owner = doc["owner"]
        if not same_origin(owner, url) or urls.is_ours(owner):
            raise ActorUnavailable("key owner on another origin")
        doc = await _get(urls, client, strip_fragment(owner))
    try:
        actor = APActor.from_ap(doc)
    except FederationError as exc:
        raise ActorUnavailable(f"not a usable actor: {exc}") from exc
    if not same_origin(actor.id, url):
        raise ActorUnavailable("actor document from another origin")
    return actor


async def fetch_signer(urls: LocalUrls, client: FederationClient, key_id: str) -> Actor:
    """Fetch the actor publishing `key_id`, check it really publishes it, cache it."""
    doc = await fetch_actor_document(urls, client, key_id)
    key = doc.key_by_id(key_id)
    if key is None:
        raise ActorUnavailable("the actor does not publish this key")
    if key.owner != doc.id:
        raise ActorUnavailable("the key's owner is not the actor publishing it")
    return await save_remote_actor(doc.id, parse_url(doc.id).authority,
                                   from_ap_actor(doc, key_id))


async def resolve_actor(urls: LocalUrls, client: FederationClient, uri: str, *,
                        refresh: bool = False) -> Actor:
    """Any actor by id: ours, a fresh cached one, or fetched now and cached."""
    actor = await find_actor_by_uri(urls, uri)
    if actor is not None and (actor.is_local or (not refresh and not is_stale(actor))):
        return actor
    if urls.is_ours(uri):
        raise ActorUnavailable(f"no such local actor {uri}")
    doc = await fetch_actor_document(urls, client, uri)
    if doc.id != uri:
        raise ActorUnavailable("actor document carries another id")
    return await save_remote_actor(doc.id, parse_url(doc.id).authority, from_ap_actor(doc))


def is_stale(actor: Actor) -> bool:
    return actor.fetched_at is None or clock.now() - actor.fetched_at > REFRESH_AFTER


def may_refetch_key(actor: Actor) -> bool:
    """At most one re-fetch per REFETCH_WINDOW for a key that failed to verify."""
    last = actor.key_refetched_at
    return last is None or clock.now() - last > REFETCH_WINDOW


async def resolve_handle(urls: LocalUrls, client: FederationClient, handle: str) -> Actor:
    """`alice@host` (or `@alice@host`) → the remote actor, through WebFinger, cached.

    WebFinger is asked over https; over plain http too when the configuration allows it
    (servers on loopback during development and tests).
    """
    schemes = ["https", "http"] if client.allow_http else ["https"]
    failure: Exception | None = None
    for scheme in schemes:
        try:
            found = await resolve_acct(client, handle, scheme=scheme)
        except FederationError as exc:
            failure = exc
            continue
        return await resolve_actor(urls, client, found.actor_url)
    raise ActorUnavailable(f"cannot resolve {handle}: {failure}")
