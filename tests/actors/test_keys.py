"""Actor keys: every local actor gets an RSA-2048 pair; the instance actor is made once."""

from __future__ import annotations

import asyncio

from actors.accounts import Registration, register_member
from actors.chapters import create_chapter
from actors.keys import ensure_keys, get_instance_actor, signer_for
from actors.models import Actor
from actors.urls import LocalUrls
from core.settings import Settings
from federation import load_private_key_pem, load_public_key_pem, public_key_to_pem


async def test_members_and_chapters_get_their_own_rsa_2048_keys(
    database: str, settings: Settings,
) -> None:
    account = await register_member(
        Registration("bea", "bea@example.org", "a long enough password", True),
        settings.registration)
    chapter = await create_chapter("Lyon", "lyon")
    member = await Actor.get(id=account.actor_id)  # type: ignore[attr-defined]
    group = await Actor.get(id=chapter.actor_id)  # type: ignore[attr-defined]
    for actor in (member, group):
        private = load_private_key_pem(actor.private_key_pem or "")
        assert private.key_size == 2048  # type: ignore[union-attr]
        assert public_key_to_pem(private) == actor.public_key_pem
        load_public_key_pem(actor.public_key_pem or "")
    assert member.public_key_pem != group.public_key_pem


async def test_the_instance_actor_is_made_once_even_when_asked_at_once(database: str) -> None:
    actors = await asyncio.gather(*(get_instance_actor() for _ in range(4)))
    assert len({a.id for a in actors}) == 1
    assert await Actor.filter(kind="Application").count() == 1
    again = await get_instance_actor()
    assert again.private_key_pem == actors[0].private_key_pem


async def test_a_keyless_local_actor_gets_a_key_once(database: str, settings: Settings) -> None:
    actor = await Actor.create(kind="Person", username="old", acct_key="old@")
    await ensure_keys(actor)
    pem = actor.private_key_pem
    assert pem
    await ensure_keys(actor)
    assert actor.private_key_pem == pem
    signer = signer_for(LocalUrls(settings.server.base_url), actor)
    assert signer.key_id == f"{settings.server.base_url}/users/old#main-key"
