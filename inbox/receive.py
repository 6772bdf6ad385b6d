"""Receiving an activity: size cap, parse, signature, signer and origin checks, dedupe, store."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterable, Mapping
from dataclasses import dataclass
from typing import Any

from tortoise.exceptions import IntegrityError

from actors.blocks import is_domain_blocked
from actors.hosts import mark_host_alive
from actors.models import Actor
from actors.remote import find_by_key_id, note_key_refetch
from actors.urls import LocalUrls
from core import clock
from core.db import in_transaction
from core.jobs import enqueue
from federation import (
    FederationClient,
    ParseError,
    SignatureError,
    id_of,
    load_public_key_pem,
    parse_signature,
    parse_url,
    same_origin,
    verify,
)
from federation.vocab.base import check_document
from inbox.errors import ActorUnavailable, Rejected
from inbox.models import InboundActivity
from inbox.origins import check_origins
from inbox.remote import fetch_signer, may_refetch_key

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024
PROCESS_JOB = "inbox.process"
Headers = list[tuple[str, str]]


@dataclass(frozen=True)
class Received:
    """How the inbox answered: 202 with what happened (stored, duplicate, gone-actor)."""

    status: int
    outcome: str
    inbound_id: int | None = None


async def read_capped(chunks: AsyncIterable[bytes], content_length: str | None) -> bytes:
    """The body, refused with 413 beyond MAX_BODY_BYTES without reading further."""
    if content_length and content_length.strip().isdigit() and int(content_length) > MAX_BODY_BYTES:
        raise Rejected(413, "body too large")
    body = bytearray()
    async for chunk in chunks:
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise Rejected(413, "body too large")
    return bytes(body)


@dataclass(frozen=True)
class _Envelope:
    doc: Mapping[str, Any]
    id: str
    type: str
    actor: str


def _parse(body: bytes) -> _Envelope:
    """The activity's id, type and actor; 400 when the JSON is not an activity at all.

    Types we do not know are accepted here and recorded as ignored later, as DESIGN asks.
    """
    try:
        data = json.loads(body.decode("utf-8"))
        doc = check_document(data)
    except (UnicodeDecodeError, ValueError, ParseError) as exc:
        raise Rejected(400, f"not a JSON activity: {exc}") from None
    kind = doc.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if isinstance(k, str)), None)
    activity_id, actor = doc.get("id"), id_of(doc.get("actor"))
    if not isinstance(kind, str) or not kind or len(kind) > 64:
        raise Rejected(400, "activity without a type")
    if not isinstance(activity_id, str) or not isinstance(actor, str):
        raise Rejected(400, "activity without an id or an actor")
    try:
        parse_url(activity_id)
        parse_url(actor)
    except ParseError as exc:
        raise Rejected(400, f"bad id or actor URL: {exc}") from None
    return _Envelope(doc, activity_id, kind, actor)


async def receive(urls: LocalUrls, client: FederationClient, method: str, url: str,
                  headers: Headers, chunks: AsyncIterable[bytes]) -> Received:
    """Run every check on an inbound POST and store it for inbox.process; raise Rejected.

    `url` is the full URL the request reached as this server publishes it (its base URL
    plus the path and query), so a signature made for another host never verifies.
    """
    lowered = {k.lower(): v for k, v in headers}
    body = await read_capped(chunks, lowered.get("content-length"))
    env = _parse(body)
    try:
        sig = parse_signature(headers)
        key_url = parse_url(sig.key_id)
    except (SignatureError, ParseError) as exc:
        raise Rejected(401, f"signature: {exc}") from None
    actor_url = parse_url(env.actor)
    if await is_domain_blocked(key_url.host) or await is_domain_blocked(actor_url.host):
        raise Rejected(403, "domain blocked")
    if urls.is_ours(env.actor) or urls.is_ours(sig.key_id):
        raise Rejected(403, "claims to come from this server")
    if key_url.origin != actor_url.origin:
        raise Rejected(401, "the signing key cannot belong to the activity's actor")
    check_origins(env.doc, env.id, env.type, env.actor)
    signer = await _verified_signer(urls, client, env, sig, method, url, headers, body)
    if signer is None:
        return Received(202, "actor gone")
    if signer.uri != env.actor:
        raise Rejected(401, "the signer is not the activity's actor")
    await mark_host_alive(actor_url.authority)
    if await InboundActivity.filter(activity_id=env.id).exists():
        return Received(202, "duplicate")
    try:
        async with in_transaction():
            row = await InboundActivity.create(
                activity_id=env.id, activity_type=env.type, actor_uri=env.actor,
                signer_key_id=sig.key_id, document=dict(env.doc))
            await enqueue(PROCESS_JOB, {"id": row.id})
    except IntegrityError:  # the same activity arriving twice at once
        return Received(202, "duplicate")
    return Received(202, "stored", int(row.id))


def _is_self_delete_of_gone_actor(env: _Envelope) -> bool:
    return env.type == "Delete" and id_of(env.doc.get("object")) == env.actor


async def _verified_signer(urls: LocalUrls, client: FederationClient, env: _Envelope,
                           sig: Any, method: str, url: str, headers: Headers,
                           body: bytes) -> Actor | None:
    """The actor whose key verifies the signature, fetched at most once more if its cached
    key fails (key rotation); None for the Delete of an actor that is gone already."""
    actor = await find_by_key_id(sig.key_id)
    fresh = actor is None
    if actor is None:
        try:
            actor = await fetch_signer(urls, client, sig.key_id)
        except ActorUnavailable as exc:
            if exc.gone and _is_self_delete_of_gone_actor(env):
                # Mastodon announces deleted accounts to every server it knows; the key is
                # gone with the account and there is nothing of it here to delete.
                return None
            raise Rejected(401, f"cannot get the signing key: {exc.reason}") from None
    if actor.uri != env.actor:
        raise Rejected(401, "the signing key belongs to another actor")
    try:
        _check(actor, sig, method, url, headers, body)
        return actor
    except SignatureError as exc:
        if fresh or exc.reason != "signature does not verify" or not may_refetch_key(actor):
            raise Rejected(401, f"signature: {exc.reason}") from None
    await note_key_refetch(actor)
    try:
        actor = await fetch_signer(urls, client, sig.key_id)
    except ActorUnavailable as exc:
        raise Rejected(401, f"cannot re-fetch the signing key: {exc.reason}") from None
    if actor.uri != env.actor or not same_origin(actor.uri or "", sig.key_id):
        raise Rejected(401, "the signing key belongs to another actor")
    try:
        _check(actor, sig, method, url, headers, body)
    except SignatureError as exc:
        raise Rejected(401, f"signature: {exc.reason}") from None
    return actor


def _check(actor: Actor, sig: Any, method: str, url: str, headers: Headers,
           body: bytes) -> None:
    try:
        key = load_public_key_pem(actor.public_key_pem or "")
    except ParseError as exc:
        raise SignatureError("unusable public key") from exc
    verify(sig, key, method, url, headers, body, now=clock.now())
