"""Actor keys: RSA-2048 pairs for local actors, the instance actor, signers."""

from __future__ import annotations

import asyncio

from tortoise.exceptions import IntegrityError

from actors.models import Actor
from actors.urls import INSTANCE_USERNAME, LocalUrls
from core.db import in_transaction
from federation import Signer, generate_rsa_key, private_key_to_pem, public_key_to_pem


async def new_key_pair() -> tuple[str, str]:
    """(private PEM, public PEM) of a fresh RSA-2048 key, made off the event loop."""

    def make() -> tuple[str, str]:
        key = generate_rsa_key(2048)
        return private_key_to_pem(key), public_key_to_pem(key)

    return await asyncio.to_thread(make)


async def ensure_keys(actor: Actor) -> Actor:
    """Give a local actor made before keys existed its pair; a no-op when it has one."""
    if actor.private_key_pem and actor.public_key_pem:
        return actor
    if not actor.is_local:
        raise ValueError("only local actors have private keys")
    private_pem, public_pem = await new_key_pair()
    # Only the first writer wins, so two processes never publish two different keys.
    await Actor.filter(id=actor.id, private_key_pem__isnull=True).update(
        private_key_pem=private_pem, public_key_pem=public_pem)
    await actor.refresh_from_db()
    return actor


async def get_instance_actor() -> Actor:
    """The instance actor (Application), made with its key on first need; idempotent."""
    key = Actor.key_for(INSTANCE_USERNAME, None)
    actor = await Actor.get_or_none(acct_key=key)
    if actor is not None:
        return await ensure_keys(actor)
    private_pem, public_pem = await new_key_pair()
    try:
        async with in_transaction():
            return await Actor.create(
                kind="Application",
                username=INSTANCE_USERNAME,
                domain=None,
                acct_key=key,
                display_name="",
                private_key_pem=private_pem,
                public_key_pem=public_pem,
            )
    except IntegrityError:  # another process made it first
        return await Actor.get(acct_key=key)


def signer_for(urls: LocalUrls, actor: Actor) -> Signer:
    """The Signer of a local actor (key id `…#main-key`)."""
    if not actor.private_key_pem:
        raise ValueError(f"actor {actor.username} has no private key")
    return Signer.from_pem(urls.key_id(actor), actor.private_key_pem)
