"""Blocks: servers we refuse to federate with (a domain and its subdomains), remote actors
blocking ours, and our members blocking anyone (a Block sent to a remote one)."""

from __future__ import annotations

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from actors.chapters import leave_chapter
from actors.errors import ValidationFailed
from actors.follows import reject_follow, unfollow_actor
from actors.models import Actor, Block, DomainBlock, Follow
from actors.urls import LocalUrls
from core.db import in_transaction
from core.ids import new_id
from core.jobs import enqueue
from core.messages import N_

PUBLISH_JOB = "outbox.publish"  # handled by the outbox; named here so we never import it


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


# --- our members blocking ----------------------------------------------------------------------

async def block_actor(urls: LocalUrls, blocker: Actor, blocked: Actor) -> Block:
    """A member of ours blocks `blocked` (idempotent). Follows both ways end as the member
    would end them: theirs is refused (Reject), ours undone (Undo Follow; leaving a chapter
    of ours); a remote target is sent the Block, so its server drops follows too (Mastodon
    does the same)."""
    if not blocker.is_local:
        raise ValueError("block_actor: the blocker must be one of ours")
    if blocker.id == blocked.id:
        raise ValidationFailed({"account": N_("You cannot block yourself.")})
    async with in_transaction():
        block = await Block.get_or_none(blocker_id=blocker.id, blocked_id=blocked.id)
        if block is not None:
            return block
        theirs = await Follow.get_or_none(follower_id=blocked.id, followed_id=blocker.id)
        if theirs is not None:
            await reject_follow(theirs)
        if blocked.kind == "Group" and blocked.is_local:
            await leave_chapter(blocked, blocker)
        else:
            await unfollow_actor(blocker, blocked)
        ident = new_id()
        block = await Block.create(blocker=blocker, blocked=blocked,
                                   uri=urls.activity("Block", ident))
        if not blocked.is_local:
            await enqueue(PUBLISH_JOB, {"kind": "block", "ident": ident, "block_uri": block.uri,
                                        "blocker_id": blocker.id, "blocked_id": blocked.id})
    return block


async def unblock_actor(blocker: Actor, blocked: Actor) -> bool:
    """A member of ours lifts a block; a remote target is sent Undo of the Block. False when
    there was none."""
    async with in_transaction():
        block = await Block.get_or_none(blocker_id=blocker.id, blocked_id=blocked.id)
        if block is None:
            return False
        await block.delete()
        if not blocked.is_local:
            await enqueue(PUBLISH_JOB, {"kind": "undo_block", "ident": new_id(),
                                        "block_uri": block.uri, "blocker_id": blocker.id,
                                        "blocked_id": blocked.id})
    return True


def blocks_by(blocker: Actor) -> QuerySet[Block]:
    """The blocks `blocker` made, for listing."""
    return Block.filter(blocker_id=blocker.id)
