"""The chapter tree across servers: remote chapters linked under ours, and the parent and
children of a chapter as ActivityPub ids (its `parentChapter` and `subChapters`)."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError

from actors.models import Actor, Chapter, SubChapter
from actors.urls import LocalUrls


async def link_remote_child(parent: Chapter, child: Actor) -> bool:
    """Record that the remote group `child` is a sub-chapter of our chapter `parent` (its
    Add to our `subChapters` collection, checked against its actor document by the inbox).
    False when it was linked already."""
    if child.is_local or child.kind != "Group":
        raise ValueError("link_remote_child: only a remote group can be linked")
    try:
        _, created = await SubChapter.get_or_create(parent_id=parent.id, child_id=child.id)
    except IntegrityError:  # the same Add processed twice at once
        return False
    return created


async def unlink_remote_child(parent: Chapter, child: Actor) -> bool:
    """The remote group `child` is no longer a sub-chapter of `parent`; False if it was not."""
    return await SubChapter.filter(parent_id=parent.id, child_id=child.id).delete() > 0


async def parent_uri(urls: LocalUrls, chapter: Chapter) -> str | None:
    """The id of the chapter's parent group: ours (Chapter.parent) or one on another server
    (Chapter.parent_uri); None for a chapter at the top of the tree."""
    parent_id = chapter.parent_id  # type: ignore[attr-defined]
    if parent_id is not None:
        parent = await Chapter.get_or_none(id=parent_id).prefetch_related("actor")
        if parent is not None:
            return urls.actor(parent.actor)
    return chapter.parent_uri or None


async def count_children(chapter: Chapter) -> int:
    local = await Chapter.filter(parent_id=chapter.id).count()
    return local + await SubChapter.filter(parent_id=chapter.id).count()


async def child_uris(urls: LocalUrls, chapter: Chapter, offset: int, limit: int) -> list[str]:
    """The ids of the chapter's children, ours first (by name), then remote ones (oldest
    link first); `limit` of them from `offset`."""
    uris: list[str] = []
    local = Chapter.filter(parent_id=chapter.id)
    local_total = await local.count()
    if offset < local_total:
        rows = await local.order_by("name", "id").offset(offset).limit(limit).prefetch_related(
            "actor")
        uris += [urls.actor(row.actor) for row in rows]
    remaining = limit - len(uris)
    if remaining > 0:
        links = await SubChapter.filter(parent_id=chapter.id).order_by("id").offset(
            max(0, offset - local_total)).limit(remaining).prefetch_related("child")
        uris += [link.child.uri for link in links if link.child.uri]
    return uris
