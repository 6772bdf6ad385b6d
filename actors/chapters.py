"""Chapters: creating and configuring them in the tree (international → national → local, on
any server), their members, coordinators and sub-chapters, and appointing members."""

from __future__ import annotations

import re
from typing import Any

from tortoise.exceptions import IntegrityError

from actors.errors import NotFound, ValidationFailed
from actors.follows import ACCEPTED, count_followers, list_followers, unfollow_actor
from actors.keys import new_key_pair
from actors.models import USERNAME_MAX, Actor, Chapter, ChapterRole, Follow, SubChapter
from actors.roles import add_coordinator, is_admin, is_coordinator, remove_coordinator
from actors.urls import LocalUrls
from core import clock
from core.db import in_transaction
from core.ids import new_id
from core.jobs import enqueue
from core.messages import N_

PUBLISH_JOB = "outbox.publish"  # handled by the outbox; named here so we never import it
SLUG_RE = re.compile(rf"^[a-z0-9_]{{1,{USERNAME_MAX}}}$")
JOIN_POLICIES = ("open", "approval", "closed")
# Paths below /chapters/ that are pages, not chapters.
RESERVED_SLUGS = frozenset({"new", "inbox", "outbox", "settings", "featured", "moderators",
                            "subchapters", "followers", "following"})
NAME_MAX = 200
DESCRIPTION_MAX = 5_000
TREE_DEPTH_MAX = 50  # a parent chain longer than this is refused as if it were a cycle
SLUG_TAKEN = N_("This name is taken by a member or another chapter.")


async def _publish(kind: str, **fields: Any) -> None:
    """Enqueue an outbound activity of a chapter, in the caller's transaction."""
    await enqueue(PUBLISH_JOB, {"kind": kind, "ident": new_id(), **fields})


def _check_fields(name: str, description: str, join_policy: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = N_("Give the chapter a name.")
    elif len(name) > NAME_MAX:
        errors["name"] = N_("Use at most %(max)s characters.", max=NAME_MAX)
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = N_("Use at most %(max)s characters.", max=DESCRIPTION_MAX)
    if join_policy not in JOIN_POLICIES:
        errors["join_policy"] = N_("Choose one of %(choices)s.", choices=", ".join(JOIN_POLICIES))
    return errors


async def _descendant_ids(chapter: Chapter) -> set[int]:
    """Actor ids of every chapter below `chapter`: local children, their children …, and the
    remote sub-chapters that told us they are under one of them."""
    found: set[int] = set()
    frontier = [chapter.id]
    for _ in range(TREE_DEPTH_MAX):
        if not frontier:
            break
        children = await Chapter.filter(parent_id__in=frontier).values_list("id", "actor_id")
        links = await SubChapter.filter(parent_id__in=frontier).only("id", "child_id")
        found.update(link.child_id for link in links)  # type: ignore[attr-defined]
        frontier = [cid for cid, aid in children if aid not in found]
        found.update(aid for _cid, aid in children)
    return found


async def _check_parent(parent: Actor | None, chapter: Chapter | None,
                        errors: dict[str, str]) -> tuple[Chapter | None, str | None]:
    """(local parent chapter, remote parent uri) for `parent`, or an error in `errors`.

    A chapter cannot be its own ancestor: the new parent must not be the chapter itself nor
    any chapter below it (as far as this server knows the tree)."""
    if parent is None:
        return None, None
    if parent.kind != "Group":
        errors["parent"] = N_("The parent must be a chapter (a group).")
        return None, None
    if chapter is not None:
        if parent.id == chapter.actor_id:  # type: ignore[attr-defined]
            errors["parent"] = N_("A chapter cannot be its own parent.")
            return None, None
        if parent.id in await _descendant_ids(chapter):
            errors["parent"] = N_("This chapter is inside the one you chose: that would be a loop.")
            return None, None
    if not parent.is_local:
        if not parent.uri:
            errors["parent"] = N_("This chapter on another server has no address.")
        return None, parent.uri
    local = await Chapter.get_or_none(actor_id=parent.id)
    if local is None:
        errors["parent"] = N_("There is no such chapter here.")
        return None, None
    depth, cursor = 0, local
    while cursor.parent_id is not None:  # type: ignore[attr-defined]
        depth += 1
        if depth >= TREE_DEPTH_MAX:
            errors["parent"] = N_("The chapter tree is too deep here.")
            break
        cursor = await Chapter.get(id=cursor.parent_id)  # type: ignore[attr-defined]
    return local, None


async def _parent_from_slug(parent_slug: str, errors: dict[str, str]) -> Actor | None:
    row = await Chapter.get_or_none(slug=parent_slug).prefetch_related("actor")
    if row is None:
        errors["parent"] = N_("There is no chapter '%(slug)s'.", slug=parent_slug)
        return None
    return row.actor


async def create_chapter(
    name: str,
    slug: str,
    *,
    parent: Actor | None = None,
    parent_slug: str | None = None,
    description: str = "",
    join_policy: str = "open",
    members_visible: bool = True,
    creator: Actor | None = None,
    urls: LocalUrls | None = None,
) -> Chapter:
    """A new chapter and its Group actor; its slug is the actor's username, so it may not
    collide with a member's name either.

    `parent` is a local or remote Group actor (`parent_slug` names a local one instead): a
    local one sets Chapter.parent, a remote one Chapter.parent_uri and the chapter tells the
    parent with an Add to its sub-chapters collection. A local member `creator` joins the
    chapter and becomes its first coordinator (`urls` gives that follow its id).
    """
    errors: dict[str, str] = {}
    name, description = name.strip(), description.strip()
    errors.update(_check_fields(name, description, join_policy))
    if not SLUG_RE.match(slug):
        errors["slug"] = N_("Use 1 to %(max)s lower-case letters, digits or underscores.", max=USERNAME_MAX)
    elif slug in RESERVED_SLUGS:
        errors["slug"] = N_("This name is reserved.")
    if parent_slug and parent is None:
        parent = await _parent_from_slug(parent_slug, errors)
    local_parent, parent_uri = await _check_parent(parent, None, errors)
    if "slug" not in errors and await Actor.filter(acct_key=Actor.key_for(slug, None)).exists():
        errors["slug"] = SLUG_TAKEN
    if errors:
        raise ValidationFailed(errors)
    private_pem, public_pem = await new_key_pair()
    try:
        async with in_transaction():
            actor = await Actor.create(
                kind="Group", username=slug, domain=None, acct_key=Actor.key_for(slug, None),
                display_name=name, summary=description, private_key_pem=private_pem,
                public_key_pem=public_pem, manually_approves_followers=join_policy != "open")
            chapter = await Chapter.create(
                actor=actor, name=name, slug=slug, description=description,
                parent=local_parent, parent_uri=parent_uri, join_policy=join_policy,
                members_visible=members_visible)
            if parent is not None and not parent.is_local:
                await _publish("add_subchapter", chapter_id=actor.id, parent_id=parent.id)
            if creator is not None and creator.is_local and creator.kind == "Person":
                await _make_member(actor, creator, urls)
                await add_coordinator(actor, creator)
    except IntegrityError:
        raise ValidationFailed({"slug": SLUG_TAKEN}) from None
    return chapter


async def update_chapter(chapter: Chapter, *, name: str, description: str, join_policy: str,
                         members_visible: bool, parent: Actor | None) -> Chapter:
    """Change a chapter's settings; its followers get an Update of its actor document, and a
    remote parent it leaves or joins a Remove / Add of its sub-chapters collection."""
    errors: dict[str, str] = {}
    name, description = name.strip(), description.strip()
    errors.update(_check_fields(name, description, join_policy))
    local_parent, parent_uri = await _check_parent(parent, chapter, errors)
    if errors:
        raise ValidationFailed(errors)
    old_remote = await _known_remote(chapter.parent_uri)
    async with in_transaction():
        actor = await Actor.get(id=chapter.actor_id)  # type: ignore[attr-defined]
        chapter.name, chapter.description = name, description
        chapter.join_policy, chapter.members_visible = join_policy, members_visible
        chapter.parent, chapter.parent_uri = local_parent, parent_uri
        await chapter.save()
        actor.display_name, actor.summary = name, description
        actor.manually_approves_followers = join_policy != "open"
        await actor.save(update_fields=["display_name", "summary",
                                        "manually_approves_followers", "updated_at"])
        new_remote = parent if parent is not None and not parent.is_local else None
        if old_remote is not None and (new_remote is None or new_remote.id != old_remote.id):
            await _publish("remove_subchapter", chapter_id=actor.id, parent_id=old_remote.id)
        if new_remote is not None and (old_remote is None or new_remote.id != old_remote.id):
            await _publish("add_subchapter", chapter_id=actor.id, parent_id=new_remote.id)
        await _publish("update_actor", actor_id=actor.id)
    return chapter


async def _known_remote(uri: str | None) -> Actor | None:
    return await Actor.get_or_none(uri=uri, domain__isnull=False) if uri else None


async def is_member(group: Actor, actor: Actor) -> bool:
    """Whether `actor` is a member of `group`: its follow of the group is accepted."""
    return await Follow.filter(follower_id=actor.id, followed_id=group.id,
                               state=ACCEPTED).exists()


async def set_coordinator(group: Actor, actor: Actor, on: bool) -> bool:
    """Make `actor` a coordinator of our chapter `group` (on) or no longer one (off); the
    chapter announces it with Add / Remove on its moderators collection. Coordinators must
    be members of the chapter, or the organization's admins. False when nothing changed."""
    if group.kind != "Group" or not group.is_local:
        raise ValidationFailed({"coordinator": N_("Only our own chapters have coordinators here.")})
    if on and not (await is_member(group, actor) or await is_admin(actor)):
        raise ValidationFailed({"coordinator": N_("Only members of the chapter can coordinate it.")})
    async with in_transaction():
        changed = (await add_coordinator(group, actor) if on
                   else await remove_coordinator(group, actor))
        if changed:
            await _publish("add_moderator" if on else "remove_moderator",
                           group_id=group.id, actor_id=actor.id)
    return changed


async def _make_member(group: Actor, actor: Actor, urls: LocalUrls | None) -> Follow:
    """An accepted follow of `group` by the local `actor` (created or upgraded)."""
    follow = await Follow.get_or_none(follower_id=actor.id, followed_id=group.id)
    if follow is None:
        uri = urls.activity("Follow", new_id()) if urls is not None else None
        return await Follow.create(follower=actor, followed=group, uri=uri, state=ACCEPTED,
                                   accepted_at=clock.now())
    if follow.state != ACCEPTED:
        follow.state, follow.accepted_at = ACCEPTED, clock.now()
        await follow.save(update_fields=["state", "accepted_at"])
    return follow


async def appoint_member(chapter_actor: Actor, actor: Actor, *,
                         urls: LocalUrls | None = None) -> Follow:
    """A coordinator adds a member of this server to a chapter without a request (how
    `closed` chapters, such as committees, get members). A remote actor cannot be made to
    follow, so only local members can be appointed. The caller checks who may do this."""
    if chapter_actor.kind != "Group" or not chapter_actor.is_local:
        raise ValidationFailed({"member": N_("Members are appointed to our own chapters only.")})
    if not actor.is_local or actor.kind != "Person":
        raise ValidationFailed({"member": N_(
            "Only members of this server can be appointed; people elsewhere ask to join from "
            "their server.")})
    async with in_transaction():
        return await _make_member(chapter_actor, actor, urls)


async def leave_chapter(chapter_actor: Actor, actor: Actor) -> bool:
    """A local member leaves (or withdraws a request to join): the follow goes, and with it
    any coordinator role, since coordinators are members (admins keep theirs)."""
    async with in_transaction():
        left = await unfollow_actor(actor, chapter_actor)
        if await is_coordinator(actor, chapter_actor) and not await is_admin(actor):
            await remove_coordinator(chapter_actor, actor)
            await _publish("remove_moderator", group_id=chapter_actor.id, actor_id=actor.id)
    return left


async def drop_roles_of_former_members(actor: Actor) -> int:
    """After `actor` left chapters of ours (a remote Undo Follow, a refused member): the
    coordinator roles it holds in our chapters it no longer belongs to go, each announced
    (Remove from the moderators collection). Admins keep theirs. Returns how many went."""
    if await is_admin(actor):
        return 0
    roles = await ChapterRole.filter(actor_id=actor.id, group__domain__isnull=True
                                     ).prefetch_related("group")
    dropped = 0
    for role in roles:
        member = await Follow.filter(follower_id=actor.id, followed_id=role.group.id,
                                     state=ACCEPTED).exists()
        if member:
            continue
        async with in_transaction():
            if await remove_coordinator(role.group, actor):
                await _publish("remove_moderator", group_id=role.group.id, actor_id=actor.id)
                dropped += 1
    return dropped


async def members_of(chapter_actor: Actor, offset: int, limit: int) -> list[Actor]:
    """Members (accepted followers, on this server or any other), newest first."""
    return await list_followers(chapter_actor, offset, limit)


async def member_count_of(chapter_actor: Actor) -> int:
    return await count_followers(chapter_actor)


async def children_of(chapter: Chapter) -> list[Actor]:
    """The sub-chapters: ours (Chapter.parent) and those on other servers (SubChapter), by
    name."""
    local = await Chapter.filter(parent_id=chapter.id).prefetch_related("actor")
    remote = await SubChapter.filter(parent_id=chapter.id).prefetch_related("child")
    actors = [c.actor for c in local] + [s.child for s in remote]
    return sorted(actors, key=lambda a: (a.display_name or a.username).lower())


async def parent_of(chapter: Chapter) -> Actor | None:
    """The parent's actor: ours, or one on another server if we know it (by parent_uri)."""
    if chapter.parent_id is not None:  # type: ignore[attr-defined]
        parent = await Chapter.get_or_none(id=chapter.parent_id  # type: ignore[attr-defined]
                                           ).prefetch_related("actor")
        return parent.actor if parent else None
    return await _known_remote(chapter.parent_uri)


async def get_chapter(slug: str) -> Chapter:
    chapter = await Chapter.get_or_none(slug=slug).prefetch_related("parent", "actor")
    if chapter is None:
        raise NotFound(slug)
    return chapter


async def list_chapters() -> list[Chapter]:
    return await Chapter.all().order_by("name").prefetch_related("parent", "actor")
