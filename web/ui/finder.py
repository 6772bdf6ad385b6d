"""Finding the actor a member typed into a form: a handle (`@name@host`, `name@host:port`)
or an actor URL, ours or on another server, with one plain sentence when it fails."""

from __future__ import annotations

from actors.directory import find_public_actor, find_public_actor_by_username
from actors.models import Actor
from actors.urls import LocalUrls, find_actor_by_uri
from core.messages import N_
from federation import (
    Acct,
    BadContentType,
    BadStatus,
    FederationClient,
    FederationError,
    InsecureScheme,
    ParseError,
    RefusedAddress,
    WebFingerError,
    parse_acct,
    parse_url,
    resolve_acct,
)
from inbox.errors import ActorUnavailable
from inbox.remote import resolve_actor

HANDLE_MAX = 2048
#: Failures where the server answered (as opposed to could not be reached).
ANSWERED = (BadStatus, BadContentType, ParseError, WebFingerError)
USAGE = N_("Enter a handle like @name@example.org, or the address of a profile.")


class NotFollowable(Exception):
    """The typed handle names no actor we can follow; the message is shown as it is."""


def _is_ours(domain: str, acct: Acct) -> bool:
    """`name@our.domain`, or without the port when our domain has one (as WebFinger does)."""
    ours = domain.lower()
    return acct.domain == ours or (":" not in acct.domain and acct.domain == ours.split(":")[0])


def _explain(exc: Exception, target: str) -> str:
    """One sentence for a failed look-up, never a traceback."""
    if isinstance(exc, RefusedAddress):
        return f"{target} points at a private or local network address, which is not allowed."
    if isinstance(exc, InsecureScheme):
        return f"{target} does not use https, so it cannot be reached safely."
    if isinstance(exc, BadStatus) and exc.status in (404, 410):
        return N_("No account %(target)s was found.", target=target)
    if isinstance(exc, BadStatus):
        return N_("The server of %(target)s answered with an error (HTTP %(status)s).", target=target, status=exc.status)
    if isinstance(exc, ParseError):
        return USAGE
    return N_("The server of %(target)s could not be reached, or gave no usable answer.", target=target)


async def _local(domain: str, acct: Acct) -> Actor:
    actor = await find_public_actor_by_username(acct.user)
    if actor is None or actor.kind == "Application":
        raise NotFollowable(N_("There is no member or chapter @%(user)s@%(domain)s.", user=acct.user, domain=domain))
    return actor


async def _by_url(urls: LocalUrls, client: FederationClient, url: str) -> Actor:
    if urls.is_ours(url):
        local = await find_actor_by_uri(urls, url)
        found = await find_public_actor(local.kind, local.username) if local else None
        if found is None or found.kind == "Application":
            raise NotFollowable(N_("There is no member or chapter at %(url)s.", url=url))
        return found
    try:
        return await resolve_actor(urls, client, url)
    except ActorUnavailable as exc:
        cause = exc.__cause__ if isinstance(exc.__cause__, Exception) else exc
        raise NotFollowable(_explain(cause, url)) from exc


async def _by_handle(urls: LocalUrls, client: FederationClient, acct: Acct) -> Actor:
    handle = f"@{acct.user}@{acct.domain}"
    schemes = ["https", "http"] if client.allow_http else ["https"]
    failure: Exception | None = None
    for scheme in schemes:
        try:
            found = await resolve_acct(client, handle, scheme=scheme)
        except FederationError as exc:
            # https first; a development server on loopback answers plain http. A server
            # that answered explains more than one that could not be reached.
            if failure is None or not isinstance(failure, ANSWERED):
                failure = exc
            if isinstance(exc, RefusedAddress):
                break
            continue
        return await _by_url(urls, client, found.actor_url)
    raise NotFollowable(_explain(failure or ParseError(handle), handle))


async def find_actor(urls: LocalUrls, client: FederationClient, domain: str, text: str) -> Actor:
    """The actor `text` names (our own `domain` is looked up locally), or NotFollowable."""
    value = text.strip()
    if not value:
        raise NotFollowable(USAGE)
    if len(value) > HANDLE_MAX:
        raise NotFollowable(N_("That is too long to be a handle or a profile address."))
    if value.startswith(("https://", "http://")):
        try:
            parse_url(value)
        except ParseError:
            raise NotFollowable(USAGE) from None
        return await _by_url(urls, client, value)
    try:
        acct = parse_acct(value)
    except ParseError:
        raise NotFollowable(USAGE) from None
    if _is_ours(domain, acct):
        return await _local(domain, acct)
    return await _by_handle(urls, client, acct)
