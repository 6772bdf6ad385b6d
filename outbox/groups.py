"""Rendering what our chapters (Group actors) publish about themselves: Add/Remove on their
moderators, featured and sub-chapters collections, Update of their actor document, and the
documents of those collections.

Payload fields (enqueued by actors.chapters and content.pins, see docs/FEDERATION.md):
`add_moderator`/`remove_moderator` {group_id, actor_id}, `add_featured`/`remove_featured`
{group_id, post_id}, `add_subchapter`/`remove_subchapter` {chapter_id, parent_id},
`update_actor` {actor_id}."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from actors.directory import admin_actors
from actors.keys import get_instance_actor, signer_for
from actors.models import Actor, Chapter
from actors.roles import coordinators_of
from actors.subchapters import parent_uri
from actors.urls import LocalUrls
from content.models import Post
from federation import PUBLIC, FederationClient, FederationError, same_origin
from federation import Actor as APActor
from outbox.posts import followers_of
from outbox.render import to_ap_actor, to_ap_collection_change, to_ap_update_actor

log = logging.getLogger(__name__)

GROUP_KINDS = frozenset({"add_moderator", "remove_moderator", "add_featured",
                         "remove_featured", "add_subchapter", "remove_subchapter",
                         "update_actor"})
Rendered = tuple[Actor, list[Actor], dict[str, Any]]
ClientFactory = Callable[[], FederationClient]


async def moderators_of(group: Actor) -> list[Actor]:
    """Who a chapter lists in its moderators collection: its coordinators; while it has
    none, the organization's admins (who may coordinate every chapter)."""
    return await coordinators_of(group) or await admin_actors()


async def render_actor_document(urls: LocalUrls, actor: Actor) -> dict[str, Any]:
    """What one of our actors' id answers (also embedded in its Update)."""
    chapter = None
    if actor.kind == "Group":
        chapter = await Chapter.get_or_none(actor_id=actor.id)
    parent = await parent_uri(urls, chapter) if chapter is not None else None
    return to_ap_actor(urls, actor, chapter=chapter, parent=parent)


async def render_group(urls: LocalUrls, payload: dict[str, Any],
                       client: ClientFactory | None = None) -> Rendered | None:
    """(sender, recipients, activity) for a group payload; None when a row it names is gone."""
    kind, ident = payload["kind"], int(payload["ident"])
    verb = "Add" if kind.startswith("add_") else "Remove"
    if kind == "update_actor":
        actor = await Actor.get_or_none(id=payload["actor_id"])
        if actor is None or not actor.is_local:
            return None
        doc = await render_actor_document(urls, actor)
        body = to_ap_update_actor(urls.activity("Update", ident), doc,
                                  urls.collection(actor, "followers"))
        return actor, await followers_of(actor), body
    if kind in ("add_subchapter", "remove_subchapter"):
        child = await Actor.get_or_none(id=payload["chapter_id"])
        parent = await Actor.get_or_none(id=payload["parent_id"])
        if child is None or parent is None or parent.is_local or not parent.uri:
            return None
        target = await _sub_chapters_of(urls, parent, client)
        child_uri = urls.actor(child)
        body = to_ap_collection_change(verb, urls.activity(verb, ident), child_uri, child_uri,
                                       target, to=(parent.uri,), cc=(PUBLIC,))
        return child, [parent], body
    group = await Actor.get_or_none(id=payload["group_id"])
    if group is None or not group.is_local or group.kind != "Group":
        return None
    group_uri = urls.actor(group)
    followers = urls.collection(group, "followers")
    recipients = await followers_of(group)
    if kind in ("add_moderator", "remove_moderator"):
        moderator = await Actor.get_or_none(id=payload["actor_id"])
        if moderator is None:
            return None
        object_uri, target = urls.actor(moderator), urls.collection(group, "moderators")
        recipients.append(moderator)  # a remote coordinator hears it too (local: skipped)
    else:
        post = await Post.get_or_none(id=payload["post_id"])
        if post is None:
            return None
        object_uri, target = post.uri, urls.collection(group, "featured")
    body = to_ap_collection_change(verb, urls.activity(verb, ident), group_uri, object_uri,
                                   target, to=(PUBLIC,), cc=(followers,), audience=group_uri)
    return group, recipients, body


async def _sub_chapters_of(urls: LocalUrls, parent: Actor,
                           client: ClientFactory | None) -> str:
    """The parent's `subChapters` collection, read from its actor document (fetched signed,
    on the parent's own origin); `{parent}/subchapters`, our own layout, when it cannot be."""
    fallback = f"{(parent.uri or '').rstrip('/')}/subchapters"
    if client is None or not parent.uri:
        return fallback
    try:
        signer = signer_for(urls, await get_instance_actor())
        doc = APActor.from_ap(await client().get_ap(parent.uri, signer=signer))
    except FederationError as exc:
        log.info("cannot read %s's subChapters: %s", parent.uri, exc)
        return fallback
    if doc.id != parent.uri or not doc.sub_chapters:
        return fallback
    if not same_origin(doc.sub_chapters, parent.uri):
        return fallback
    return doc.sub_chapters
