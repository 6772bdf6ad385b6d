"""WebFinger: parse acct: handles, resolve them to actor URLs, build our own JRD answers."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from federation.client import FederationClient
from federation.errors import ParseError, WebFingerError
from federation.urls import normalize_host, parse_url
from federation.vocab.base import as_list
from federation.vocab.context import is_as_media_type

__all__ = [
    "JRD_JSON",
    "PROFILE_PAGE_REL",
    "SUBSCRIBE_REL",
    "Acct",
    "WebFingerResult",
    "build_jrd",
    "parse_acct",
    "resolve_acct",
    "webfinger_url",
]

JRD_JSON = "application/jrd+json"
PROFILE_PAGE_REL = "http://webfinger.net/rel/profile-page"
SUBSCRIBE_REL = "http://ostatus.org/schema/1.0/subscribe"
_USER = re.compile(r"^[A-Za-z0-9_.~+-]{1,256}$")
_MAX_LINKS = 64


@dataclass(frozen=True, slots=True)
class Acct:
    """``user@domain`` where ``domain`` is a lower-case host, possibly with ``:port``."""

    user: str
    domain: str

    @property
    def host(self) -> str:
        return self.domain.rsplit(":", 1)[0] if self.domain.count(":") == 1 else self.domain

    def __str__(self) -> str:
        return f"{self.user}@{self.domain}"

    @property
    def uri(self) -> str:
        return f"acct:{self}"


def parse_acct(text: str) -> Acct:
    """Parse ``acct:alice@host``, ``@alice@host``, ``alice@host:8443`` (ParseError if not)."""
    value = text.strip()
    if value.lower().startswith("acct:"):
        value = value[5:]
    value = value.removeprefix("@")
    user, sep, domain = value.rpartition("@")
    if not sep or not _USER.match(user):
        raise ParseError(f"not an account handle: {text!r}")
    host, _, port = domain.partition(":")
    host = normalize_host(host)
    if port:
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise ParseError(f"bad port in {text!r}")
        return Acct(user, f"{host}:{int(port)}")
    return Acct(user, host)


def webfinger_url(acct: Acct, scheme: str = "https") -> str:
    return f"{scheme}://{acct.domain}/.well-known/webfinger?resource={quote(acct.uri, safe='')}"


@dataclass(frozen=True, slots=True)
class WebFingerResult:
    subject: str | None
    actor_url: str
    aliases: tuple[str, ...] = ()
    profile_page: str | None = None


def _read_jrd(data: Any) -> WebFingerResult:
    if not isinstance(data, Mapping):
        raise WebFingerError("WebFinger answer is not a JSON object")
    actor_url = None
    profile = None
    for link in as_list(data.get("links"))[:_MAX_LINKS]:
        if not isinstance(link, Mapping) or not isinstance(link.get("href"), str):
            continue
        rel, kind = link.get("rel"), link.get("type")
        if rel == "self" and isinstance(kind, str) and is_as_media_type(kind) and not actor_url:
            actor_url = link["href"]
        elif rel == PROFILE_PAGE_REL and profile is None:
            profile = link["href"]
    if actor_url is None:
        raise WebFingerError("WebFinger answer has no ActivityPub self link")
    try:
        parse_url(actor_url)
    except ParseError as exc:
        raise WebFingerError(f"bad actor URL in WebFinger answer: {exc}") from exc
    subject = data.get("subject")
    aliases = tuple(a for a in as_list(data.get("aliases"))[:_MAX_LINKS] if isinstance(a, str))
    return WebFingerResult(subject if isinstance(subject, str) else None, actor_url, aliases,
                           profile)


async def resolve_acct(client: FederationClient, handle: str, *,
                       allow_other_host: bool = False,
                       scheme: str = "https") -> WebFingerResult:
    """Resolve ``alice@host`` to its actor URL through WebFinger.

    The actor URL must be on the host that was asked (ports aside), because
    otherwise any server could claim any handle (Misskey GHSA-3f39-6537-3cgc,
    Akkoma 2024.04.1).  A caller that sets ``allow_other_host`` takes on checking
    the backlink itself: fetch the actor, then WebFinger
    ``preferredUsername@actor-host`` and require that it names the same actor.
    ``scheme="http"`` is for loopback test servers (the client must allow http).
    """
    acct = parse_acct(handle)
    _, data = await client.get_json(webfinger_url(acct, scheme),
                                    accept=f"{JRD_JSON}, application/json")
    result = _read_jrd(data)
    if not allow_other_host and parse_url(result.actor_url).host != acct.host:
        raise WebFingerError(f"actor {result.actor_url} is not on {acct.host}")
    return result


def build_jrd(acct: Acct | str, actor_url: str, *, profile_url: str | None = None,
              subscribe_template: str | None = None,
              aliases: Sequence[str] = ()) -> dict[str, Any]:
    """The JRD for one of our actors (``/.well-known/webfinger?resource=acct:…``).

    ``subscribe_template`` is the remote-follow URL with ``{uri}`` in it, e.g.
    ``https://host/authorize_interaction?uri={uri}``.
    """
    subject = acct.uri if isinstance(acct, Acct) else f"acct:{str(acct).removeprefix('acct:')}"
    links: list[dict[str, str]] = [
        {"rel": "self", "type": "application/activity+json", "href": actor_url},
    ]
    if profile_url:
        links.append({"rel": PROFILE_PAGE_REL, "type": "text/html", "href": profile_url})
    if subscribe_template:
        links.append({"rel": SUBSCRIBE_REL, "template": subscribe_template})
    all_aliases = [a for a in (actor_url, profile_url, *aliases) if a]
    return {"subject": subject, "aliases": list(dict.fromkeys(all_aliases)), "links": links}
