"""Our models as Mastodon API entities: accounts (also of chapters), relationships and tags,
plus the helpers every entity shares (ids as strings, dates as Mastodon writes them).

Statuses, polls and media are in web.api.entities_status, notifications in
web.api.entities_notifications. Functions take lists and read what they need in a bounded
number of grouped queries, so a page of 40 costs the same few queries as a page of one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from tortoise.expressions import Q
from tortoise.functions import Count, Max

from actors.models import Account, Actor, Block, Follow
from actors.mutes import live_mutes
from content.html import text_to_html
from content.models import Pin, Post, Tag
from outbox.render import tag_url

JSON = dict[str, Any]
ACCEPTED, PENDING = "accepted", "pending"
#: Defaults when an actor has no image (Mastodon clients expect a URL, never null).
DEFAULT_AVATAR = "/static/avatar.png"
DEFAULT_HEADER = "/static/header.png"
#: Mastodon's visibility names for ours: "followers" is Mastodon's "private".
VISIBILITY = {"public": "public", "unlisted": "unlisted", "followers": "private",
              "direct": "direct"}
#: The Role entity of a member, by our account role. Permissions are Mastodon's bitmask:
#: 0x1 administrator; 0x10000 invite users (every member may invite).
ROLES: dict[str, JSON] = {
    "admin": {"id": "3", "name": "Admin", "color": "", "permissions": str(0x1),
              "highlighted": True},
    "member": {"id": "-99", "name": "", "color": "", "permissions": str(0x10000),
               "highlighted": False},
}


def ident(value: int | None) -> str | None:
    """An id as Mastodon gives it: a decimal string (ours sort by time), or None."""
    return None if value is None else str(value)


def iso(moment: datetime | None) -> str | None:
    """A datetime as Mastodon writes it: UTC with milliseconds, `2019-12-08T03:48:33.901Z`."""
    if moment is None:
        return None
    utc = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def _day(value: object) -> date | None:
    """A date from what an aggregate gave back (a datetime, or text on SQLite)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC).date() if value.tzinfo else value.date()
    if isinstance(value, date):
        return value
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")).date()


# --- accounts -------------------------------------------------------------------------------

@dataclass
class AccountCounts:
    followers: int = 0
    following: int = 0
    statuses: int = 0
    last_status_at: date | None = None


async def account_counts(actor_ids: Sequence[int]) -> dict[int, AccountCounts]:
    """Followers (accepted; a chapter's are its members), follows and live published posts
    of each actor, with the day of the latest post: three grouped queries."""
    counts = {i: AccountCounts() for i in actor_ids}
    if not counts:
        return counts
    ids = list(counts)
    for column, name in (("followed_id", "followers"), ("follower_id", "following")):
        rows = await (Follow.filter(**{f"{column}__in": ids}, state=ACCEPTED)
                      .annotate(n=Count("id")).group_by(column).values(column, "n"))
        for row in rows:
            setattr(counts[row[column]], name, row["n"])
    rows = await (Post.filter(author_id__in=ids, deleted_at__isnull=True, draft=False)
                  .annotate(n=Count("id"), last=Max("published")).group_by("author_id")
                  .values("author_id", "n", "last"))
    for row in rows:
        counts[row["author_id"]].statuses = row["n"]
        counts[row["author_id"]].last_status_at = _day(row["last"])
    return counts


def acct_of(actor: Actor) -> str:
    """`user` for one of ours, `user@domain` for another server's."""
    return actor.username if actor.is_local else f"{actor.username}@{actor.domain}"


def profile_url(actor: Actor, base_url: str) -> str:
    """The actor's HTML profile: ours from the URL layout, another server's as it said."""
    base = base_url.rstrip("/")
    if not actor.is_local:
        return actor.url or actor.uri or ""
    if actor.kind == "Application":
        return f"{base}/actor"
    return f"{base}/{'chapters' if actor.kind == 'Group' else 'users'}/{actor.username}"


def actor_uri(actor: Actor, base_url: str) -> str:
    """The ActivityPub id of the actor (for ours the same address as its profile)."""
    return profile_url(actor, base_url) if actor.is_local else actor.uri or ""


def account_entity_sync(actor: Actor, counts: AccountCounts, *, base_url: str) -> JSON:
    """The Account entity from an actor and its counts (no database access)."""
    base = base_url.rstrip("/")
    avatar, header = base + DEFAULT_AVATAR, base + DEFAULT_HEADER
    created = actor.created_at.astimezone(UTC) if actor.created_at else datetime.now(UTC)
    return {
        "id": str(actor.id),
        "username": actor.username,
        "acct": acct_of(actor),
        "display_name": actor.display_name or "",
        "locked": bool(actor.manually_approves_followers),
        "bot": actor.kind in ("Application", "Service"),
        "discoverable": True if actor.is_local else None,
        "group": actor.kind == "Group",
        # Mastodon gives the day only (midnight) since 3.4.
        "created_at": iso(datetime(created.year, created.month, created.day, tzinfo=UTC)),
        "note": text_to_html(actor.summary or ""),
        "url": profile_url(actor, base),
        "uri": actor_uri(actor, base),
        "avatar": avatar,
        "avatar_static": avatar,
        "header": header,
        "header_static": header,
        "followers_count": counts.followers,
        "following_count": counts.following,
        "statuses_count": counts.statuses,
        "last_status_at": counts.last_status_at.isoformat() if counts.last_status_at else None,
        "emojis": [],
        "fields": [],
    }


async def account_entities(actors: Sequence[Actor], *, base_url: str) -> list[JSON]:
    """Account entities of several actors, their counts read in three queries."""
    counts = await account_counts([a.id for a in actors])
    return [account_entity_sync(a, counts[a.id], base_url=base_url) for a in actors]


async def account_entity(actor: Actor, *, base_url: str,
                         counts: AccountCounts | None = None) -> JSON:
    """The Account entity of one actor (member, chapter, ours or remote)."""
    if counts is None:
        counts = (await account_counts([actor.id]))[actor.id]
    return account_entity_sync(actor, counts, base_url=base_url)


async def credential_account_entity(actor: Actor, *, base_url: str,
                                    account: Account | None = None) -> JSON:
    """The CredentialAccount of the signed-in member: their Account plus `source` (what
    they edit: the plain-text note, default privacy) and their `role`."""
    if account is None:
        account = await Account.get(actor_id=actor.id)
    entity = await account_entity(actor, base_url=base_url)
    requests = await Follow.filter(followed_id=actor.id, state=PENDING).count()
    entity["source"] = {
        "privacy": "public",
        "sensitive": False,
        "language": (account.locale or "")[:2],
        "note": actor.summary or "",
        "fields": [],
        "follow_requests_count": requests,
    }
    entity["role"] = dict(ROLES["admin" if account.role == "admin" else "member"])
    return entity


# --- relationships --------------------------------------------------------------------------

async def relationship_entities(viewer: Actor, others: Sequence[Actor]) -> list[JSON]:
    """The viewer's Relationship with each of `others`: five queries for the whole list.

    `blocked_by` is a block the other made (another server's Block, or a member's here);
    `requested_by` a follow request of theirs waiting for the viewer; `muting` a mute in
    force. `endorsed` is a pinned account (not kept: false)."""
    ids = [o.id for o in others]
    out_rows = await Follow.filter(follower_id=viewer.id, followed_id__in=ids).values(
        "followed_id", "state")
    outgoing = {row["followed_id"]: row["state"] for row in out_rows}
    in_rows = await Follow.filter(follower_id__in=ids, followed_id=viewer.id).values(
        "follower_id", "state")
    incoming = {row["follower_id"]: row["state"] for row in in_rows}
    block_rows = await Block.filter(
        Q(blocker_id__in=ids, blocked_id=viewer.id) | Q(blocker_id=viewer.id, blocked_id__in=ids)
    ).values("blocker_id", "blocked_id")
    blocked_by = {r["blocker_id"] for r in block_rows if r["blocked_id"] == viewer.id}
    blocking = {r["blocked_id"] for r in block_rows if r["blocker_id"] == viewer.id}
    mute_rows = await live_mutes(viewer).filter(target_id__in=ids).values(
        "target_id", "notifications")
    muting = {row["target_id"]: row["notifications"] for row in mute_rows}
    return [{
        "id": str(other.id),
        "following": outgoing.get(other.id) == ACCEPTED,
        "showing_reblogs": outgoing.get(other.id) == ACCEPTED,
        "notifying": False,
        "languages": None,
        "followed_by": incoming.get(other.id) == ACCEPTED,
        "blocking": other.id in blocking,
        "blocked_by": other.id in blocked_by,
        "muting": other.id in muting,
        "muting_notifications": bool(muting.get(other.id, False)),
        "requested": outgoing.get(other.id) == PENDING,
        "requested_by": incoming.get(other.id) == PENDING,
        "domain_blocking": False,
        "endorsed": False,
        "note": "",
    } for other in others]


async def relationship_entity(viewer: Actor, other: Actor) -> JSON:
    return (await relationship_entities(viewer, [other]))[0]


# --- tags -----------------------------------------------------------------------------------

def tag_entity(tag: Tag, *, base_url: str, history: Sequence[JSON] = (),
               following: bool | None = None) -> JSON:
    """The Tag entity (a hashtag, which is also a blog category): `name` as first written,
    `url` our page of the tag. `following` only when a member asks."""
    entity: JSON = {"name": tag.display or tag.name,
                    "url": tag_url(base_url.rstrip("/"), tag.name),
                    "history": list(history)}
    if following is not None:
        entity["following"] = following
    return entity


async def pinned_ids(viewer: Actor, post_ids: Sequence[int]) -> set[int]:
    """Which of `post_ids` the viewer pinned (features)."""
    return set(await Pin.filter(actor_id=viewer.id, post_id__in=list(post_ids)).values_list(
        "post_id", flat=True))
