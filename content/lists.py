"""Member lists: a member's own lists of accounts they follow (title, which replies to show,
exclusive of the home timeline), the accounts on them, and a list's timeline — posts and
boosts by the list's accounts that the owner may see, newest first.

Lists are private to their owner: every service takes the owner and answers NotFound for a
list that is someone else's, exactly as for one that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet

from actors.models import Actor, Follow
from content.errors import NotFound, ValidationFailed
from content.models import Boost, MemberList, MemberListEntry, Post
from content.timelines import PAGE, PAGE_MAX, Entry
from content.visibility import visible_to
from core.db import in_transaction

TITLE_MAX = 200
LISTS_MAX = 50  # per member, as Mastodon caps them
ENTRIES_MAX = 500  # accounts on one list
ACCOUNTS_AT_ONCE = 100  # account ids in one add or remove
REPLIES_POLICIES = ("followed", "list", "none")
#: Follow states that let an account be listed (Mastodon lists requested accounts too).
LISTABLE = ("accepted", "pending")


@dataclass(frozen=True)
class Window:
    """Cursors of a page: `max_id` (older than), `since_id` (newer than, newest first),
    `min_id` (the page just above it), at most `limit` items."""

    max_id: int | None = None
    since_id: int | None = None
    min_id: int | None = None
    limit: int = PAGE

    def narrow(self, query: QuerySet, column: str = "id") -> QuerySet:  # type: ignore[type-arg]
        if self.max_id is not None:
            query = query.filter(**{f"{column}__lt": self.max_id})
        if self.since_id is not None:
            query = query.filter(**{f"{column}__gt": self.since_id})
        if self.min_id is not None:
            query = query.filter(**{f"{column}__gt": self.min_id})
        return query

    @property
    def upwards(self) -> bool:
        return self.min_id is not None

    @property
    def size(self) -> int:
        return min(max(self.limit, 1), PAGE_MAX)


def _title(raw: str) -> str:
    title = " ".join(raw.split())
    if not title:
        raise ValidationFailed({"title": "can't be blank"})
    if len(title) > TITLE_MAX:
        raise ValidationFailed({"title": f"is longer than {TITLE_MAX} characters"})
    return title


def _policy(raw: str) -> str:
    if raw not in REPLIES_POLICIES:
        raise ValidationFailed({"replies_policy": "must be one of followed, list, none"})
    return raw


async def lists_of(owner: Actor) -> list[MemberList]:
    """The member's lists, by title."""
    return list(await MemberList.filter(owner_id=owner.id).order_by("title", "id"))


async def owned_list(owner: Actor, list_id: int | None) -> MemberList:
    """The member's list `list_id`; NotFound when it is missing or another member's."""
    found = (await MemberList.get_or_none(id=list_id, owner_id=owner.id)
             if list_id is not None else None)
    if found is None:
        raise NotFound("no such list")
    return found


async def create_list(owner: Actor, title: str, *, replies_policy: str = "list",
                      exclusive: bool = False) -> MemberList:
    """A new list of the member's (ValidationFailed for a blank title, an unknown policy,
    or one list too many)."""
    clean = _title(title)
    policy = _policy(replies_policy)
    if await MemberList.filter(owner_id=owner.id).count() >= LISTS_MAX:
        raise ValidationFailed({"lists": f"at most {LISTS_MAX} lists per member"})
    return await MemberList.create(owner=owner, title=clean, replies_policy=policy,
                                   exclusive=exclusive)


async def update_list(owner: Actor, list_id: int | None, *, title: str | None = None,
                      replies_policy: str | None = None,
                      exclusive: bool | None = None) -> MemberList:
    """Change what is given of the member's list."""
    found = await owned_list(owner, list_id)
    if title is not None:
        found.title = _title(title)
    if replies_policy is not None:
        found.replies_policy = _policy(replies_policy)
    if exclusive is not None:
        found.exclusive = exclusive
    await found.save()
    return found


async def delete_list(owner: Actor, list_id: int | None) -> None:
    found = await owned_list(owner, list_id)
    await found.delete()


async def list_entries(found: MemberList, window: Window) -> list[MemberListEntry]:
    """A page of the accounts on a list (entries with `actor` loaded), newest added first;
    the entries' ids are the cursors. `window.limit` 0 gives them all."""
    query = window.narrow(MemberListEntry.filter(list_id=found.id))
    if window.limit == 0 and not window.upwards:
        return list(await query.order_by("-id").limit(ENTRIES_MAX).prefetch_related("actor"))
    if window.upwards:
        rows = await query.order_by("id").limit(window.size).prefetch_related("actor")
        return list(reversed(rows))
    return list(await query.order_by("-id").limit(window.size).prefetch_related("actor"))


async def _listable(owner: Actor, actor_ids: list[int]) -> list[int]:
    """The ids, if each names an actor the owner follows (or asked to); else NotFound."""
    if not actor_ids:
        raise ValidationFailed({"account_ids": "can't be blank"})
    if len(actor_ids) > ACCOUNTS_AT_ONCE:
        raise ValidationFailed({"account_ids": f"at most {ACCOUNTS_AT_ONCE} at once"})
    wanted = list(dict.fromkeys(actor_ids))
    followed = set(await Follow.filter(follower_id=owner.id, followed_id__in=wanted,
                                       state__in=LISTABLE).values_list("followed_id", flat=True))
    if len(followed) != len(wanted):
        raise NotFound("not following one of the accounts")
    return wanted


async def add_to_list(owner: Actor, list_id: int | None, actor_ids: list[int]) -> None:
    """Put accounts the member follows on their list: NotFound for the list, or an account
    not followed (or missing); ValidationFailed when one is on it already or it is full."""
    found = await owned_list(owner, list_id)
    wanted = await _listable(owner, actor_ids)
    async with in_transaction():
        if await MemberListEntry.filter(list_id=found.id, actor_id__in=wanted).exists():
            raise ValidationFailed({"account": "has already been taken"})
        if await MemberListEntry.filter(list_id=found.id).count() + len(wanted) > ENTRIES_MAX:
            raise ValidationFailed({"accounts": f"at most {ENTRIES_MAX} on a list"})
        for ident in wanted:
            await MemberListEntry.create(list_id=found.id, actor_id=ident)


async def remove_from_list(owner: Actor, list_id: int | None, actor_ids: list[int]) -> None:
    """Take accounts off the member's list (ones not on it are ignored)."""
    found = await owned_list(owner, list_id)
    if not actor_ids:
        raise ValidationFailed({"account_ids": "can't be blank"})
    await MemberListEntry.filter(list_id=found.id, actor_id__in=actor_ids[:ACCOUNTS_AT_ONCE],
                                 ).delete()


async def lists_with(owner: Actor, actor: Actor) -> list[MemberList]:
    """The member's lists that `actor` is on."""
    return list(await MemberList.filter(owner_id=owner.id, entries__actor_id=actor.id)
                .order_by("title", "id").distinct())


async def forget_unfollowed(follower: Actor, followed: Actor) -> int:
    """Take `followed` off all of `follower`'s lists (to call when the follow ends, as
    Mastodon does); how many entries went."""
    ids = await MemberList.filter(owner_id=follower.id).values_list("id", flat=True)
    return await MemberListEntry.filter(list_id__in=list(ids), actor_id=followed.id).delete()


# --- the list's timeline ----------------------------------------------------------------------

def _listed(found: MemberList) -> Subquery:
    return Subquery(MemberListEntry.filter(list_id=found.id).values("actor_id"))


def _replies_shown(found: MemberList, owner: Actor) -> Q:
    """Which posts pass the list's replies policy: every post that is no reply, a reply to
    the owner, then by policy replies to whoever the owner follows (followed), to the
    list's accounts (list, which keeps their threads), or none else (none). A reply whose
    parent is not stored here is left out: whom it answers is unknown."""
    shown = (Q(in_reply_to_uri__isnull=True)
             | Q(in_reply_to__author_id=owner.id))
    if found.replies_policy == "followed":
        follows = Subquery(Follow.filter(follower_id=owner.id, state="accepted")
                           .values("followed_id"))
        shown |= Q(in_reply_to__author_id__in=follows)
    elif found.replies_policy == "list":
        shown |= Q(in_reply_to__author_id__in=_listed(found))
    return shown


async def list_timeline(owner: Actor, list_id: int | None, window: Window) -> list[Entry]:
    """Posts by the list's accounts and their boosts that the owner may see, filtered by the
    replies policy, one page by the window's cursors, newest first; a post boosted twice
    shows once. NotFound for a list that is not the owner's."""
    found = await owned_list(owner, list_id)
    size = window.size
    order = "id" if window.upwards else "-id"
    authored = Post.filter(author_id__in=_listed(found), draft=False)
    visible = await visible_to(authored, owner)
    candidates = window.narrow(visible)
    shown = candidates.filter(_replies_shown(found, owner))
    posts = await shown.order_by(order).limit(size).prefetch_related("author")

    shares = window.narrow(Boost.filter(actor_id__in=_listed(found)))
    boosts = await shares.order_by(order).limit(size).prefetch_related("actor")
    boosted_ids = {b.post_id for b in boosts}  # type: ignore[attr-defined]
    seeable = await visible_to(Post.filter(id__in=boosted_ids, draft=False), owner)
    boosted = {p.id: p for p in await seeable.prefetch_related("author")}

    entries = [Entry(p.id, p) for p in posts]
    for boost in boosts:
        post = boosted.get(boost.post_id)  # type: ignore[attr-defined]
        if post is not None and post.chapter_id != boost.actor.id:  # type: ignore[attr-defined]
            entries.append(Entry(boost.id, post, boost.actor))
    entries.sort(key=lambda e: e.id, reverse=not window.upwards)
    seen: set[int] = set()
    page: list[Entry] = []
    for entry in entries:
        if entry.post.id in seen:
            continue
        seen.add(entry.post.id)
        page.append(entry)
        if len(page) == size:
            break
    if window.upwards:
        page.reverse()
    return page
