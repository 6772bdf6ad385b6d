"""Domain blocks: which servers we refuse to federate with (a domain and its subdomains)."""

from __future__ import annotations

from actors.models import DomainBlock


def _candidates(host: str) -> list[str]:
    """`a.b.example.org` → itself, `b.example.org`, `example.org` (not the bare TLD)."""
    labels = host.lower().split(".")
    return [".".join(labels[i:]) for i in range(max(1, len(labels) - 1))]


async def is_domain_blocked(host: str) -> bool:
    """True when `host` (without port) or a parent domain of it is blocked."""
    if not host:
        return False
    return await DomainBlock.filter(domain__in=_candidates(host), severity="reject").exists()


async def block_domain(domain: str, reason: str = "") -> DomainBlock:
    """Refuse everything from `domain` and its subdomains (idempotent)."""
    block, _ = await DomainBlock.get_or_create(domain=domain.strip().lower(),
                                               defaults={"reason": reason})
    return block
