"""The outbox.publish job: render an activity once, store it, enqueue one delivery per inbox."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from actors.blocks import is_domain_blocked
from actors.models import Actor
from actors.urls import LocalUrls
from core.db import in_transaction
from core.jobs import enqueue
from federation import ParseError, parse_url
from outbox.groups import GROUP_KINDS, ClientFactory, render_group
from outbox.models import OutboundActivity
from outbox.posts import CONTENT_KINDS, render_content
from outbox.render import (
    to_ap_block,
    to_ap_follow,
    to_ap_follow_answer,
    to_ap_undo_block,
    to_ap_undo_follow,
)

log = logging.getLogger(__name__)

DELIVER_JOB = "outbox.deliver"
_ANSWERS = {"accept_follow": "Accept", "reject_follow": "Reject"}


async def inboxes_of(recipients: Iterable[Actor]) -> list[str]:
    """Where to deliver: each remote recipient's shared inbox when it has one, else its own;
    deduplicated, in order; blocked domains and unusable URLs left out."""
    seen: dict[str, None] = {}
    for actor in recipients:
        if actor.is_local:
            continue
        target = actor.shared_inbox or actor.inbox
        if not target or target in seen:
            continue
        try:
            host = parse_url(target).host
        except ParseError:
            continue
        if await is_domain_blocked(host):
            continue
        seen[target] = None
    return list(seen)


async def _render_block(urls: LocalUrls, payload: dict[str, Any],
                        ) -> tuple[Actor, list[Actor], dict[str, Any]] | None:
    """A member's Block of a remote actor, or its Undo: from the member, to that actor."""
    blocker = await Actor.get_or_none(id=payload["blocker_id"])
    blocked = await Actor.get_or_none(id=payload["blocked_id"])
    if blocker is None or blocked is None:
        return None
    blocker_uri, blocked_uri = urls.actor(blocker), urls.actor(blocked)
    if payload["kind"] == "block":
        return blocker, [blocked], to_ap_block(payload["block_uri"], blocker_uri, blocked_uri)
    undo_uri = urls.activity("Undo", int(payload["ident"]))
    return blocker, [blocked], to_ap_undo_block(undo_uri, payload["block_uri"], blocker_uri,
                                                blocked_uri)


async def _render(urls: LocalUrls, payload: dict[str, Any], client: ClientFactory | None,
                  ) -> tuple[Actor, list[Actor], dict[str, Any]] | None:
    kind = payload["kind"]
    if kind in CONTENT_KINDS:
        return await render_content(urls, payload)
    if kind in GROUP_KINDS:
        return await render_group(urls, payload, client)
    if kind in ("block", "undo_block"):
        return await _render_block(urls, payload)
    follower = await Actor.get_or_none(id=payload["follower_id"])
    followed = await Actor.get_or_none(id=payload["followed_id"])
    if follower is None or followed is None:
        return None  # an actor was deleted meanwhile: nothing left to say
    follower_uri, followed_uri = urls.actor(follower), urls.actor(followed)
    if kind in _ANSWERS:
        answer_uri = urls.activity(_ANSWERS[kind], int(payload["ident"]))
        body = to_ap_follow_answer(_ANSWERS[kind], answer_uri, payload.get("follow_uri"),
                                   follower_uri, followed_uri)
        return followed, [follower], body
    if kind == "follow":
        return follower, [followed], to_ap_follow(payload["follow_uri"], follower_uri,
                                                  followed_uri)
    if kind == "undo_follow":
        undo_uri = urls.activity("Undo", int(payload["ident"]))
        return follower, [followed], to_ap_undo_follow(undo_uri, payload["follow_uri"],
                                                       follower_uri, followed_uri)
    raise ValueError(f"outbox.publish: unknown kind {kind!r}")


async def publish(urls: LocalUrls, payload: dict[str, Any], *,
                  client: ClientFactory | None = None) -> int:
    """Store the activity (once: a retried job finds it stored) and enqueue its deliveries;
    returns how many deliveries were enqueued. `client` (the signed-fetch client) lets a
    sub-chapter read its remote parent's `subChapters` collection from its document."""
    rendered = await _render(urls, payload, client)
    if rendered is None:
        return 0
    sender, recipients, body = rendered
    targets = await inboxes_of(recipients)
    if not targets:
        return 0
    async with in_transaction():
        if await OutboundActivity.filter(uri=body["id"]).exists():
            return 0
        row = await OutboundActivity.create(uri=body["id"], activity_type=body["type"],
                                            actor=sender, body=body)
        for inbox in targets:
            await enqueue(DELIVER_JOB, {"activity": row.id, "inbox": inbox})
    log.info("publishing %s %s to %d inbox(es)", body["type"], body["id"], len(targets))
    return len(targets)
