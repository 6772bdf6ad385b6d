"""Looking up our own actors as the public sees them: visible members, chapters, admins."""

from __future__ import annotations

from actors.keys import ensure_keys, get_instance_actor
from actors.models import Account, Actor, Chapter
from actors.urls import INSTANCE_USERNAME


async def find_public_actor(kind: str, username: str) -> Actor | None:
    """A local actor anyone may see: an approved member, a chapter, or the instance actor.

    Members waiting for approval are not actors yet (404), so nothing federates about them.
    """
    if kind == "Application":
        return await get_instance_actor() if username == INSTANCE_USERNAME else None
    actor = await Actor.get_or_none(acct_key=Actor.key_for(username, None), kind=kind)
    if actor is None:
        return None
    if kind == "Person":
        account = await Account.get_or_none(actor_id=actor.id)
        if account is None or not account.approved:
            return None
    return await ensure_keys(actor)


async def find_public_actor_by_username(username: str) -> Actor | None:
    """Any public local actor by its preferredUsername (WebFinger's question)."""
    if username.lower() == INSTANCE_USERNAME:
        return await get_instance_actor()
    actor = await Actor.get_or_none(acct_key=Actor.key_for(username, None))
    if actor is None or actor.kind not in ("Person", "Group"):
        return None
    return await find_public_actor(actor.kind, actor.username)


async def chapter_of(actor: Actor) -> Chapter | None:
    if actor.kind != "Group":
        return None
    return await Chapter.get_or_none(actor_id=actor.id).prefetch_related("parent")


async def admin_actors() -> list[Actor]:
    """The organization's admins: listed as moderators of every chapter until chapters have
    coordinators of their own."""
    accounts = await Account.filter(role="admin", approved=True).order_by("id").prefetch_related(
        "actor")
    return [a.actor for a in accounts]
