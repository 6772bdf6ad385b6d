"""NodeInfo 2.0/2.1: the discovery document, our own documents, and a tolerant reader."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from federation.client import FederationClient
from federation.errors import FetchError, ParseError
from federation.vocab.base import as_list, int_of

__all__ = [
    "NODEINFO_SCHEMAS",
    "NodeInfo",
    "build_nodeinfo",
    "fetch_nodeinfo",
    "nodeinfo_links",
    "parse_nodeinfo",
]

NODEINFO_SCHEMAS = {
    "2.1": "http://nodeinfo.diaspora.software/ns/schema/2.1",
    "2.0": "http://nodeinfo.diaspora.software/ns/schema/2.0",
}
_SOFTWARE_NAME = re.compile(r"^[a-z0-9-]+$")


def nodeinfo_links(base_url: str) -> dict[str, Any]:
    """``/.well-known/nodeinfo``: links to our 2.1 and 2.0 documents."""
    base = base_url.rstrip("/")
    return {"links": [{"rel": schema, "href": f"{base}/nodeinfo/{version}"}
                      for version, schema in NODEINFO_SCHEMAS.items()]}


def build_nodeinfo(version: str, *, software_name: str, software_version: str,
                   users_total: int, users_active_month: int, users_active_halfyear: int,
                   local_posts: int, open_registrations: bool,
                   metadata: Mapping[str, Any] | None = None,
                   repository: str | None = None, homepage: str | None = None,
                   protocols: Sequence[str] = ("activitypub",)) -> dict[str, Any]:
    """A NodeInfo document; ``repository``/``homepage`` only appear in 2.1."""
    if version not in NODEINFO_SCHEMAS:
        raise ValueError(f"unknown NodeInfo version {version}")
    if not _SOFTWARE_NAME.match(software_name):
        raise ValueError("NodeInfo software name must match [a-z0-9-]+")
    software: dict[str, Any] = {"name": software_name, "version": software_version}
    if version == "2.1":
        if repository:
            software["repository"] = repository
        if homepage:
            software["homepage"] = homepage
    return {
        "version": version,
        "software": software,
        "protocols": list(protocols),
        "services": {"inbound": [], "outbound": []},
        "openRegistrations": open_registrations,
        "usage": {
            "users": {"total": users_total, "activeMonth": users_active_month,
                      "activeHalfyear": users_active_halfyear},
            "localPosts": local_posts,
        },
        "metadata": dict(metadata or {}),
    }


@dataclass(frozen=True, slots=True)
class NodeInfo:
    """What we read from another server's NodeInfo (missing numbers stay None)."""

    version: str | None
    software_name: str | None
    software_version: str | None
    protocols: tuple[str, ...] = ()
    open_registrations: bool | None = None
    users_total: int | None = None
    users_active_month: int | None = None
    users_active_halfyear: int | None = None
    local_posts: int | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)


def _short(value: Any) -> str | None:
    return value[:200] if isinstance(value, str) else None


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def parse_nodeinfo(data: Any) -> NodeInfo:
    """Read a NodeInfo document tolerantly (wrong types become None)."""
    if not isinstance(data, Mapping):
        raise ParseError("NodeInfo is not a JSON object")
    software = _mapping(data.get("software"))
    usage = _mapping(data.get("usage"))
    users = _mapping(usage.get("users"))
    protocols = data.get("protocols")
    if isinstance(protocols, Mapping):  # NodeInfo 1.x wrote {"inbound": [...], ...}
        protocols = protocols.get("inbound")
    opened = data.get("openRegistrations")
    metadata = data.get("metadata")
    return NodeInfo(
        version=_short(data.get("version")),
        software_name=_short(software.get("name")),
        software_version=_short(software.get("version")),
        protocols=tuple(p[:64] for p in as_list(protocols)[:16] if isinstance(p, str)),
        open_registrations=opened if isinstance(opened, bool) else None,
        users_total=int_of(users.get("total")),
        users_active_month=int_of(users.get("activeMonth")),
        users_active_halfyear=int_of(users.get("activeHalfyear")),
        local_posts=int_of(usage.get("localPosts")),
        metadata=dict(metadata) if isinstance(metadata, Mapping) else {},
    )


async def fetch_nodeinfo(client: FederationClient, domain: str, *,
                         scheme: str = "https") -> NodeInfo:
    """Discover and read a server's NodeInfo, preferring 2.1 over 2.0."""
    _, links_doc = await client.get_json(f"{scheme}://{domain}/.well-known/nodeinfo")
    links = links_doc.get("links") if isinstance(links_doc, Mapping) else None
    hrefs: dict[str, str] = {}
    for link in as_list(links)[:16]:
        if isinstance(link, Mapping) and isinstance(link.get("href"), str):
            for version, schema in NODEINFO_SCHEMAS.items():
                if link.get("rel") == schema:
                    hrefs[version] = link["href"]
    href = hrefs.get("2.1") or hrefs.get("2.0")
    if href is None:
        raise FetchError("no NodeInfo 2.x link", url=f"{scheme}://{domain}/.well-known/nodeinfo")
    _, data = await client.get_json(href)
    return parse_nodeinfo(data)
