"""Looking up our own actors as the public sees them: visible members, chapters, admins;
and searching actors, ours and known remote ones, by name."""

from __future__ import annotations

from tortoise.expressions import Q, Subquery

from actors.keys import ensure_keys, get_instance_actor
from actors.models import Account, Actor, Chapter, Follow
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


# --- searching actors (the client API's account search) ---------------------------------------

SEARCH_MAX = 80
SEARCH_TEXT_MAX = 100


def _search_terms(text: str) -> tuple[str, str | None]:
    """The name part and the domain part (if any) of what was typed: `@ana`, `ana`,
    `ana@social.example`, or a display name."""
    value = text.strip().lstrip("@")[:SEARCH_TEXT_MAX]
    if "@" in value and " " not in value:
        name, _, domain = value.partition("@")
        return name, domain.lower() or None
    return value, None


async def search_actors(text: str, limit: int = 40, offset: int = 0, *,
                        following_of: Actor | None = None) -> list[Actor]:
    """Members (approved), chapters and known remote actors whose username starts with, or
    whose display name contains, the text — exact username matches first, then the others
    by username. `name@domain` narrows to that domain; `following_of` to the accounts that
    actor follows. Never the instance actor nor a member awaiting approval."""
    name, domain = _search_terms(text)
    if not name:
        return []
    public = (Q(domain__isnull=False, kind__in=("Person", "Group", "Service", "Organization"))
              | Q(domain__isnull=True, kind="Group")
              | Q(domain__isnull=True, kind="Person", account__approved=True))
    match = Q(username__istartswith=name)
    if domain is None:
        match |= Q(display_name__icontains=name)
    query = Actor.filter(public).filter(match)
    if domain is not None:
        query = query.filter(domain__istartswith=domain)
    if following_of is not None:
        query = query.filter(id__in=Subquery(
            Follow.filter(follower_id=following_of.id, state="accepted").values("followed_id")))
    limit = min(max(limit, 1), SEARCH_MAX)
    # exact usernames first (a handful at most), then the rest by username
    exact = await query.filter(username__iexact=name).order_by("domain", "id").limit(SEARCH_MAX)
    exact_ids = [a.id for a in exact]
    rest_needed = offset + limit - len(exact)
    rest: list[Actor] = []
    if rest_needed > 0:
        rest = list(await query.exclude(id__in=exact_ids or [0]).order_by(
            "username", "domain", "id").offset(max(offset - len(exact), 0)).limit(
            min(rest_needed, limit)))
    return (exact[offset:] + rest)[:limit]
