"""The cache of remote actors: stored from their (already verified) documents."""

from __future__ import annotations

import hashlib
from typing import Any

from tortoise.exceptions import IntegrityError

from actors.models import Actor
from core import clock
from core.db import in_transaction


async def save_remote_actor(uri: str, domain: str, fields: dict[str, Any]) -> Actor:
    """Insert or refresh the remote actor `uri` with `fields` (model columns).

    preferredUsername is unique per domain; when a server hands the same name to a second
    actor (a re-created account), the newer document wins the handle and the older row
    keeps a placeholder key, so neither insert fails.
    """
    username = str(fields.get("username") or "unknown")
    values = dict(fields, domain=domain, fetched_at=clock.now())
    async with in_transaction():
        actor = await Actor.get_or_none(uri=uri)
        key = Actor.key_for(username, domain)
        holder = await Actor.get_or_none(acct_key=key)
        if holder is not None and holder.uri != uri:
            digest = hashlib.sha256((holder.uri or "").encode()).hexdigest()[:24]
            holder.acct_key = f"~{digest}@{domain}"
            await holder.save(update_fields=["acct_key"])
        key_id = values.get("public_key_id")
        if key_id:
            # A key id names one actor: a stale row claiming it lets go.
            await Actor.filter(public_key_id=key_id).exclude(uri=uri).update(public_key_id=None)
        if actor is None:
            try:
                return await Actor.create(uri=uri, acct_key=key, **values)
            except IntegrityError:
                actor = await Actor.get(uri=uri)
        for name, value in values.items():
            setattr(actor, name, value)
        actor.acct_key = key
        await actor.save()
        return actor


async def find_by_key_id(key_id: str) -> Actor | None:
    return await Actor.get_or_none(public_key_id=key_id, domain__isnull=False)


async def note_key_refetch(actor: Actor) -> None:
    actor.key_refetched_at = clock.now()
    await actor.save(update_fields=["key_refetched_at"])
