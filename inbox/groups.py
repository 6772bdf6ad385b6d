"""Inbox handlers for groups: Add and Remove on a chapter's moderators, featured and
subChapters collections — ours (checked against our roles) or a remote group's (recorded from
what the group, or one of its moderators, tells us) — and Update of a remote actor."""

from __future__ import annotations

from actors.chapters import set_coordinator
from actors.errors import ValidationFailed
from actors.models import Actor, Chapter
from actors.remote import save_remote_actor
from actors.roles import add_coordinator, can_coordinate, is_coordinator, remove_coordinator
from actors.subchapters import link_remote_child, unlink_remote_child
from actors.urls import find_actor_by_uri, find_local_actor
from content.pins import feature_post, unfeature_post
from content.posts import find_post_by_uri
from federation import Activity, parse_url, same_origin
from inbox.context import InboxContext
from inbox.convert import from_ap_actor
from inbox.errors import ActorUnavailable, ObjectUnavailable
from inbox.follows import PROCESSED
from inbox.moderation import Outcome, ignored
from inbox.objects import fetch_post
from inbox.remote import fetch_actor_document, resolve_actor
from inbox.threads import on_remove_comment, removed_comment

#: The collections of our chapters an Add/Remove may target (the last path segment).
OUR_COLLECTIONS = ("moderators", "featured", "subchapters")


async def on_add(ctx: InboxContext, activity: Activity, actor: Actor) -> Outcome:
    """Add to a collection: one of our chapters', or a remote group's own."""
    return await collection_change(ctx, activity, actor, add=True)


async def on_remove(ctx: InboxContext, activity: Activity, actor: Actor) -> Outcome:
    """Remove from a collection: one of our chapters', or a remote group's own."""
    return await collection_change(ctx, activity, actor, add=False)


async def collection_change(ctx: InboxContext, activity: Activity, actor: Actor, *,
                            add: bool, vouched_by: Actor | None = None) -> Outcome:
    """Apply an Add/Remove sent by `actor`, or relayed (Announce) by the group `vouched_by`,
    which then speaks only for its own collections."""
    if not add and await removed_comment(activity) is not None:  # a comment leaves a thread
        return await on_remove_comment(ctx, activity, actor, vouched_by=vouched_by)
    target, object_uri = activity.target, activity.object_id
    if not target or not object_uri:
        return ignored(f"{activity.type} without object or target")
    if ctx.urls.is_ours(target):
        if vouched_by is not None:
            return ignored("a relayed activity cannot change our collections")
        return await _our_collection(ctx, target, object_uri, actor, add=add)
    return await _remote_collection(ctx, activity, target, object_uri, actor, add=add,
                                    vouched_by=vouched_by)


async def on_update_actor(ctx: InboxContext, activity: Activity, actor: Actor) -> Outcome:
    """An actor changed its profile (a group its name, join policy or parent): its document
    is fetched again from its origin rather than taken from the Update."""
    if activity.object_id != actor.uri:
        return ignored("an Update of another actor")
    try:
        await resolve_actor(ctx.urls, ctx.client(), actor.uri or "", refresh=True)
    except ActorUnavailable as exc:
        return ignored(f"the actor is unavailable: {exc.reason}")
    return PROCESSED


# --- our chapters ------------------------------------------------------------------------

async def _our_collection(ctx: InboxContext, target: str, object_uri: str, actor: Actor, *,
                          add: bool) -> Outcome:
    prefix, _, name = target.rpartition("/")
    group = await find_local_actor(ctx.urls, prefix) if name in OUR_COLLECTIONS else None
    if group is None or group.kind != "Group":
        return ignored("the target is not a collection of one of our chapters")
    if name == "subchapters":
        return await _sub_chapter(ctx, group, object_uri, actor, add=add)
    if not await can_coordinate(actor, group):
        return ignored(f"only a coordinator of the chapter may change its {name}")
    if name == "moderators":
        return await _our_moderator(ctx, group, object_uri, add=add)
    return await _our_featured(ctx, group, object_uri, add=add)


async def _our_moderator(ctx: InboxContext, group: Actor, object_uri: str, *,
                         add: bool) -> Outcome:
    try:
        moderator = await resolve_actor(ctx.urls, ctx.client(), object_uri)
    except ActorUnavailable as exc:
        return ignored(f"the moderator is unavailable: {exc.reason}")
    try:
        changed = await set_coordinator(group, moderator, add)
    except ValidationFailed as exc:
        return ignored("; ".join(exc.errors.values()))
    return PROCESSED if changed else ignored("nothing changed")


async def _our_featured(ctx: InboxContext, group: Actor, object_uri: str, *,
                        add: bool) -> Outcome:
    if add:
        try:
            post = await fetch_post(ctx, object_uri)
        except ObjectUnavailable as exc:
            return ignored(f"the post is unavailable: {exc.reason}")
    else:
        post = await find_post_by_uri(object_uri)
    if post is None:
        return ignored("no such post")
    if add and post.visibility not in ("public", "unlisted"):
        return ignored("only public posts can be featured")
    changed = await (feature_post(group, post) if add else unfeature_post(group, post))
    return PROCESSED if changed else ignored("nothing changed")


async def _sub_chapter(ctx: InboxContext, group: Actor, object_uri: str, actor: Actor, *,
                       add: bool) -> Outcome:
    """A group elsewhere joins (Add itself) or leaves (Remove itself) our chapter as a
    sub-chapter. The signature proves only who sent it, so on Add its actor document is
    fetched afresh from its own origin and must name our chapter as `parentChapter`. A
    coordinator of ours may also Remove a remote sub-chapter."""
    parent = await Chapter.get_or_none(actor_id=group.id)
    if parent is None:
        return ignored("no such chapter")
    if object_uri != actor.uri:
        if add or not await can_coordinate(actor, group):
            return ignored("a sub-chapter can only add or remove itself")
        child = await find_actor_by_uri(ctx.urls, object_uri)
        if child is None or child.is_local:
            return ignored("no such sub-chapter")
        return PROCESSED if await unlink_remote_child(parent, child) else ignored(
            "it was not a sub-chapter")
    if actor.kind != "Group":
        return ignored("only a group can be a sub-chapter")
    if not add:
        return PROCESSED if await unlink_remote_child(parent, actor) else ignored(
            "it was not a sub-chapter")
    try:
        doc = await fetch_actor_document(ctx.urls, ctx.client(), object_uri)
    except ActorUnavailable as exc:
        return ignored(f"the sub-chapter's document is unavailable: {exc.reason}")
    if doc.id != actor.uri:
        return ignored("the sub-chapter's document carries another id")
    if doc.parent_chapter != ctx.urls.actor(group):
        return ignored("the group's document does not name this chapter as parentChapter")
    child = await save_remote_actor(doc.id, parse_url(doc.id).authority, from_ap_actor(doc))
    return PROCESSED if await link_remote_child(parent, child) else ignored("linked already")


# --- remote groups -----------------------------------------------------------------------

async def _remote_group(activity: Activity, actor: Actor, target: str,
                        vouched_by: Actor | None) -> Actor | None:
    """The remote group whose collection `target` is meant to be: the relaying group, the
    sender if it is a group, else a group the activity addresses on the target's origin."""
    if vouched_by is not None:
        return vouched_by
    if actor.kind == "Group":
        return actor
    for uri in (*activity.audience, *activity.cc, *activity.to):
        if same_origin(uri, target):
            group = await Actor.get_or_none(uri=uri, kind="Group", domain__isnull=False)
            if group is not None:
                return group
    return None


async def _remote_collection(ctx: InboxContext, activity: Activity, target: str,
                             object_uri: str, actor: Actor, *, add: bool,
                             vouched_by: Actor | None) -> Outcome:
    """A remote group's moderators or featured posts changed (Lemmy sends these): recorded
    when the group itself, or one of its moderators we know of, says so about a collection
    on the group's own origin that its actor document names."""
    group = await _remote_group(activity, actor, target, vouched_by)
    if group is None or group.is_local or not group.uri:
        return ignored("no known group owns the target collection")
    if not same_origin(target, group.uri):
        return ignored("the target collection is not on the group's own origin")
    if actor.id != group.id and vouched_by is None and not await is_coordinator(actor, group):
        return ignored("the sender is not a moderator of the group as far as we know")
    if target != group.featured:
        try:
            doc = await fetch_actor_document(ctx.urls, ctx.client(), group.uri)
        except ActorUnavailable as exc:
            return ignored(f"the group's document is unavailable: {exc.reason}")
        if doc.id != group.uri:
            return ignored("the group's document carries another id")
        if target in doc.attributed_to:
            return await _remote_moderator(ctx, group, object_uri, add=add)
        if target != doc.featured:
            return ignored("the target is not the group's moderators or featured collection")
    post = await find_post_by_uri(object_uri)
    if post is None:
        return ignored("we do not have the featured post")
    changed = await (feature_post(group, post) if add else unfeature_post(group, post))
    return PROCESSED if changed else ignored("nothing changed")


async def _remote_moderator(ctx: InboxContext, group: Actor, object_uri: str, *,
                            add: bool) -> Outcome:
    try:
        moderator = await resolve_actor(ctx.urls, ctx.client(), object_uri)
    except ActorUnavailable as exc:
        return ignored(f"the moderator is unavailable: {exc.reason}")
    changed = await (add_coordinator(group, moderator) if add
                     else remove_coordinator(group, moderator))
    return PROCESSED if changed else ignored("nothing changed")
