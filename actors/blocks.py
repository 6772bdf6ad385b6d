"""Blocks: servers we refuse to federate with (a domain and its subdomains), and remote
actors blocking ours."""

from __future__ import annotations

from tortoise.expressions import Q

from actors.models import Actor, Block, DomainBlock, Follow
from core.db import in_transaction


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


async def receive_block(blocker: Actor, blocked: Actor, uri: str) -> Block:
    """`blocker` blocks `blocked`: recorded once per pair (the newest activity id kept), and
    every follow between the two, either way, removed."""
    async with in_transaction():
        await Follow.filter(
            Q(follower_id=blocker.id, followed_id=blocked.id)
            | Q(follower_id=blocked.id, followed_id=blocker.id)
        ).delete()
        block = await Block.get_or_none(blocker_id=blocker.id, blocked_id=blocked.id)
        if block is None:
            await Block.filter(uri=uri).delete()
            return await Block.create(blocker=blocker, blocked=blocked, uri=uri)
        if block.uri != uri:
            await Block.filter(uri=uri).exclude(id=block.id).delete()
            block.uri = uri
            await block.save(update_fields=["uri"])
        return block


async def find_block_by_uri(uri: str) -> Block | None:
    return await Block.get_or_none(uri=uri)


async def end_block(blocker: Actor, blocked: Actor | None = None, *,
                    uri: str | None = None) -> int:
    """The blocker lifts its block, named by the pair or by the Block's id; only the blocker's
    own blocks are touched. Returns how many went."""
    query = Block.filter(blocker_id=blocker.id)
    if blocked is not None:
        query = query.filter(blocked_id=blocked.id)
    elif uri is not None:
        query = query.filter(uri=uri)
    else:
        return 0
    return await query.delete()


async def is_blocked_by(blocked: Actor, blocker: Actor) -> bool:
    return await Block.filter(blocker_id=blocker.id, blocked_id=blocked.id).exists()
