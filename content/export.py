"""A member's own data as one JSON document (the settings' export): profile, posts with their
source, follows, chapters, bookmarks, lists, reactions, poll votes and ballot receipts.

Only what is the member's: never another member's secrets. A secret ballot's paper has no
voter, so the export lists only that the member voted; an open ballot's paper is theirs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from actors.models import Account, Actor, ChapterRole, Follow
from actors.urls import LocalUrls
from content.ballot_models import BallotReceipt, BallotVote
from content.media import media_src
from content.models import (
    Bookmark,
    Boost,
    Like,
    Media,
    MemberList,
    MemberListEntry,
    PollVote,
    Post,
)
from core import clock

EXPORT_VERSION = 1


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _uri(urls: LocalUrls, actor: Actor) -> str:
    return urls.actor(actor) if actor.is_local else actor.uri or ""


def _handle(urls: LocalUrls, actor: Actor) -> str:
    domain = actor.domain or urls.base.split("://", 1)[-1]
    return f"{actor.username}@{domain}"


def _post(post: Post) -> dict[str, Any]:
    return {
        "id": str(post.id), "uri": post.uri, "kind": post.kind, "title": post.title,
        "summary": post.summary, "source": post.source, "source_type": post.source_type,
        "content_html": post.content_html, "visibility": post.visibility,
        "sensitive": post.sensitive, "draft": post.draft, "in_reply_to": post.in_reply_to_uri,
        "published": _when(post.published), "updated": _when(post.updated),
    }


async def _follows(urls: LocalUrls, actor: Actor) -> dict[str, list[dict[str, Any]]]:
    out = await Follow.filter(follower_id=actor.id).prefetch_related("followed").order_by("id")
    into = await Follow.filter(followed_id=actor.id).prefetch_related("follower").order_by("id")
    roles = {r.group_id: r.role for r in await ChapterRole.filter(actor_id=actor.id)}  # type: ignore[attr-defined]
    following, chapters = [], []
    for follow in out:
        target = follow.followed
        row = {"account": _handle(urls, target), "uri": _uri(urls, target),
               "state": follow.state, "since": _when(follow.created_at)}
        if target.kind == "Group":
            chapters.append({**row, "name": target.display_name or target.username,
                             "role": roles.get(target.id, "member")})
        else:
            following.append(row)
    followers = [{"account": _handle(urls, f.follower), "uri": _uri(urls, f.follower),
                  "state": f.state, "since": _when(f.created_at)} for f in into]
    return {"following": following, "followers": followers, "chapters": chapters}


async def _lists(urls: LocalUrls, actor: Actor) -> list[dict[str, Any]]:
    lists = await MemberList.filter(owner_id=actor.id).order_by("id")
    entries = await MemberListEntry.filter(list__owner_id=actor.id).prefetch_related("actor")
    members: dict[int, list[str]] = {}
    for entry in entries:
        members.setdefault(entry.list_id, []).append(  # type: ignore[attr-defined]
            _handle(urls, entry.actor))  # type: ignore[arg-type]
    return [{"title": lst.title, "replies_policy": lst.replies_policy,
             "exclusive": lst.exclusive, "accounts": members.get(lst.id, [])} for lst in lists]


async def _votes(actor: Actor) -> dict[str, list[dict[str, Any]]]:
    poll_votes = await PollVote.filter(voter_id=actor.id).prefetch_related(
        "poll__post", "option").order_by("id")
    receipts = await BallotReceipt.filter(voter_id=actor.id).prefetch_related(
        "ballot__post").order_by("id")
    ballots = []
    for receipt in receipts:
        post: Post = receipt.ballot.post  # type: ignore[assignment]
        row: dict[str, Any] = {"ballot": post.uri, "title": post.title,
                               "secret": receipt.ballot.secret,
                               "voted_at": _when(receipt.created_at)}
        if not receipt.ballot.secret:  # an open ballot's paper carries its voter: it is theirs
            paper = await BallotVote.filter(ballot_id=receipt.ballot.id, voter_id=actor.id).first()
            row["choice"] = paper.choice if paper is not None else None
        ballots.append(row)
    return {
        "poll_votes": [{"poll": v.poll.post.uri, "option": v.option.title,
                        "voted_at": _when(v.created_at)} for v in poll_votes],
        "ballots": ballots,
    }


async def export_member(urls: LocalUrls, account: Account) -> dict[str, Any]:
    """Everything of `account` (its actor loaded) as JSON-ready data."""
    actor: Actor = account.actor
    posts = await Post.filter(author_id=actor.id, deleted_at__isnull=True).order_by("id")
    bookmarks = await Bookmark.filter(actor_id=actor.id).prefetch_related("post").order_by("id")
    likes = await Like.filter(actor_id=actor.id).prefetch_related("post").order_by("id")
    boosts = await Boost.filter(actor_id=actor.id).prefetch_related("post").order_by("id")
    media = await Media.filter(owner_id=actor.id, path__isnull=False).order_by("id")
    return {
        "version": EXPORT_VERSION,
        "exported_at": _when(clock.now()),
        "account": {
            "username": actor.username, "handle": _handle(urls, actor), "uri": _uri(urls, actor),
            "display_name": actor.display_name, "note": actor.summary,
            "avatar": actor.avatar_url, "avatar_description": actor.avatar_description,
            "header": actor.header_url, "fields": actor.profile_fields or [],
            "locked": actor.manually_approves_followers, "email": account.email,
            "confirmed": account.confirmed, "role": account.role, "locale": account.locale,
            "created_at": _when(account.created_at),
            "commitments_version": account.commitments_version,
            "commitments_accepted_at": _when(account.commitments_accepted_at),
        },
        "posts": [_post(p) for p in posts],
        **await _follows(urls, actor),
        "bookmarks": [{"post": b.post.uri, "saved_at": _when(b.created_at)} for b in bookmarks],
        "favourites": [{"post": like.post.uri, "at": _when(like.created_at)} for like in likes],
        "boosts": [{"post": b.post.uri, "at": _when(b.created_at)} for b in boosts],
        "lists": await _lists(urls, actor),
        **await _votes(actor),
        "media": [{"url": f"{urls.base}{media_src(m)}", "description": m.description,
                   "content_type": m.content_type} for m in media],
    }
