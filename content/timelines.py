"""Timelines: home (who a member follows, the chapters they belong to, boosts by the people
they follow, their own posts), a chapter's posts, local and federated — newest first, paged by
id (`max_id`, as Mastodon pages), through content.visibility; never drafts, never deleted
posts. Local and federated timelines list public thread starts only (no unlisted posts, no
replies), as Mastodon's public timelines do; the home timeline has replies too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tortoise.expressions import Q, Subquery
from tortoise.functions import Count
from tortoise.queryset import QuerySet

from actors.models import Actor, Block, Follow
from actors.mutes import live_mutes
from content.models import Boost, Like, MemberListEntry, Post
from content.visibility import listed_to, shown_on_pages, visible_to

PAGE = 20
PAGE_MAX = 40
ACCEPTED = "accepted"


@dataclass
class Entry:
    """One item of a timeline: a post, or a boost of it (`boosted_by` the sharer). `id` is
    the cursor: the post's id, or the boost's."""

    id: int
    post: Post
    boosted_by: Actor | None = None


@dataclass
class Counts:
    replies: int = 0
    likes: int = 0
    boosts: int = 0


@dataclass
class Timeline:
    entries: list[Entry]
    #: `max_id` of the next (older) page, None on the last page.
    older: int | None
    counts: dict[int, Counts] = field(default_factory=dict)


def _limit(limit: int) -> int:
    return min(max(limit, 1), PAGE_MAX)


async def _posts(query: QuerySet[Post], max_id: int | None, limit: int) -> list[Post]:
    if max_id is not None:
        query = query.filter(id__lt=max_id)
    return await query.order_by("-id").limit(limit + 1).prefetch_related("author")


async def counts_of(post_ids: list[int]) -> dict[int, Counts]:
    """Replies (live), likes and boosts of each post, three grouped queries."""
    counts = {ident: Counts() for ident in post_ids}
    if not post_ids:
        return counts
    replies = await (Post.filter(in_reply_to_id__in=post_ids, deleted_at__isnull=True,
                                 draft=False)
                     .annotate(n=Count("id")).group_by("in_reply_to_id")
                     .values("in_reply_to_id", "n"))
    for row in replies:
        counts[row["in_reply_to_id"]].replies = row["n"]
    for model, name in ((Like, "likes"), (Boost, "boosts")):
        rows = await (model.filter(post_id__in=post_ids).annotate(n=Count("id"))
                      .group_by("post_id").values("post_id", "n"))
        for row in rows:
            setattr(counts[row["post_id"]], name, row["n"])
    return counts


async def _single(query: QuerySet[Post], max_id: int | None, limit: int) -> Timeline:
    limit = _limit(limit)
    found = await _posts(query, max_id, limit)
    shown = found[:limit]
    older = shown[-1].id if len(found) > limit else None
    return Timeline([Entry(p.id, p) for p in shown], older,
                    await counts_of([p.id for p in shown]))


def _hidden(viewer: Actor) -> list[Subquery]:
    """Who the viewer hid from their home timeline: actors they mute (mutes in force),
    actors they block, and the accounts on their exclusive lists (read on those lists)."""
    return [Subquery(live_mutes(viewer).values("target_id")),
            Subquery(Block.filter(blocker_id=viewer.id).values("blocked_id")),
            Subquery(MemberListEntry.filter(list__owner_id=viewer.id,
                                            list__exclusive=True).values("actor_id"))]


def _followed(viewer: Actor) -> Subquery:
    """The actors the viewer follows (accepted), those they mute or block left out."""
    query = Follow.filter(follower_id=viewer.id, state=ACCEPTED)
    for hidden in _hidden(viewer):
        query = query.exclude(followed_id__in=hidden)
    return Subquery(query.values("followed_id"))


def _without_hidden(query: QuerySet[Post], viewer: Actor) -> QuerySet[Post]:
    for hidden in _hidden(viewer):
        query = query.exclude(author_id__in=hidden)
    return query


async def home_timeline(viewer: Actor, *, max_id: int | None = None,
                        limit: int = PAGE) -> Timeline:
    """What a member follows: posts by the actors they follow, posts in the chapters they
    belong to (a chapter is followed by its members), boosts by the actors they follow,
    and their own posts — each only if they may see it. Muted and blocked actors' posts,
    and their boosts, stay out (a muted chapter's too; a post of theirs boosted as well)."""
    limit = _limit(limit)
    mine = Post.filter(Q(author_id__in=_followed(viewer)) | Q(chapter_id__in=_followed(viewer))
                       | Q(author_id=viewer.id), draft=False)
    posts = await _posts(_without_hidden(await visible_to(mine, viewer), viewer), max_id, limit)

    shares = Boost.filter(actor_id__in=_followed(viewer))
    if max_id is not None:
        shares = shares.filter(id__lt=max_id)
    boosts = await shares.order_by("-id").limit(limit + 1).prefetch_related("actor")
    shared_ids = {b.post_id for b in boosts}  # type: ignore[attr-defined]
    visible = _without_hidden(
        await visible_to(Post.filter(id__in=shared_ids, draft=False), viewer), viewer)
    shared = {p.id: p for p in await visible.prefetch_related("author")}

    # Each source was read up to limit+1 rows: below the lowest id read from a source that
    # had more, that source may have entries not read, so the page stops there.
    floor = max([rows[-1].id for rows in (posts, boosts) if len(rows) > limit], default=0)
    entries = [Entry(p.id, p) for p in posts]
    for boost in boosts:
        post = shared.get(boost.post_id)  # type: ignore[attr-defined]
        # A chapter relaying a post addressed to it is that post, already listed.
        if post is None or post.chapter_id == boost.actor.id:  # type: ignore[attr-defined]
            continue
        entries.append(Entry(boost.id, post, boost.actor))
    entries.sort(key=lambda e: e.id, reverse=True)
    seen: set[int] = set()
    page: list[Entry] = []
    for entry in entries:
        if entry.id < floor or len(page) == limit:
            break
        if entry.post.id in seen:
            continue
        seen.add(entry.post.id)
        page.append(entry)
    more = bool(page) and (floor > 0 or any(e.id < page[-1].id for e in entries))
    older = page[-1].id if more else None
    return Timeline(page, older, await counts_of(list(seen)))


async def chapter_timeline(chapter: Actor, viewer: Actor | None, *, max_id: int | None = None,
                           limit: int = PAGE) -> Timeline:
    """The posts in a chapter, by any author, as this server's pages show them (another
    server's post to signed-in members only)."""
    query = await shown_on_pages(Post.filter(chapter_id=chapter.id, draft=False), viewer)
    return await _single(query, max_id, limit)


async def local_timeline(viewer: Actor | None, *, max_id: int | None = None,
                         limit: int = PAGE) -> Timeline:
    """Public thread starts written on this server."""
    query = await listed_to(Post.filter(author__domain__isnull=True, visibility="public",
                                        draft=False, in_reply_to_uri__isnull=True), viewer)
    return await _single(query, max_id, limit)


async def federated_timeline(viewer: Actor | None, *, max_id: int | None = None,
                             limit: int = PAGE) -> Timeline:
    """Public thread starts stored here, from this server and every other."""
    query = await listed_to(Post.filter(visibility="public", draft=False,
                                        in_reply_to_uri__isnull=True), viewer)
    return await _single(query, max_id, limit)
