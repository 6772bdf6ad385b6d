"""Posts as Mastodon Status entities, with their media (MediaAttachment), mentions, tags,
polls and ballots (Poll), boosts (a Status whose `reblog` is the boosted one) and a thread's
Context. Everything a list of statuses needs is read in a bounded number of grouped queries.

How our kinds show in a Mastodon app: a note or comment as itself (its summary is the
content warning); a blog Article as its title, summary and a link, as Mastodon shows other
servers' Articles (`full_text=True` gives the whole text, for the status's own page); a forum
thread (Page) as its title and text; a poll as a Mastodon poll; a formal ballot as a poll
whose options are the open proposals, the content ending with a link to the ballot's page,
where every voting method works.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from tortoise.expressions import Q

from actors.models import Actor
from content.ballot_models import Ballot, BallotProposal, BallotReceipt
from content.bookmarks import bookmarked_ids
from content.history import edited_ids
from content.media import media_src
from content.models import Boost, Like, Media, Mention, Poll, PollOption, PollVote, Post, PostTag
from content.polls import is_closed
from content.timelines import Counts, counts_of
from content.visibility import visible_to
from core import clock
from outbox.render import derive_summary, tag_url
from web.api.entities import (
    JSON,
    VISIBILITY,
    AccountCounts,
    account_counts,
    account_entity_sync,
    acct_of,
    iso,
    pinned_ids,
    profile_url,
)

#: At most this many statuses around one in a Context.
CONTEXT_MAX = 4000


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _link(url: str, text: str | None = None) -> str:
    return (f'<a href="{_esc(url)}" rel="nofollow noopener noreferrer" target="_blank">'
            f"{_esc(text or url)}</a>")


def ballot_url(base_url: str, ballot_id: int) -> str:
    return f"{base_url.rstrip('/')}/ballots/{ballot_id}"


def media_entity(media: Media, *, base_url: str) -> JSON:
    """A MediaAttachment: our re-encoded image at /media/…, or another server's by its URL."""
    url = media_src(media, base_url.rstrip("/"))
    meta: JSON = {}
    if media.width and media.height:
        meta["original"] = {"width": media.width, "height": media.height,
                            "size": f"{media.width}x{media.height}",
                            "aspect": media.width / media.height}
    return {
        "id": str(media.id),
        "type": "image" if media.content_type.startswith("image/") else "unknown",
        "url": url,
        "preview_url": url,
        "remote_url": media.remote_url,
        "preview_remote_url": None,
        "text_url": None,
        "meta": meta,
        "description": media.description or None,
        "blurhash": None,
    }


@dataclass
class _Batch:
    """Everything read for a list of posts, by post id."""

    base: str
    viewer: Actor | None
    actors: dict[int, Actor] = field(default_factory=dict)
    actor_counts: dict[int, AccountCounts] = field(default_factory=dict)
    counts: dict[int, Counts] = field(default_factory=dict)
    parent_authors: dict[int, int] = field(default_factory=dict)
    mentions: dict[int, list[Actor]] = field(default_factory=dict)
    tags: dict[int, list[JSON]] = field(default_factory=dict)
    media: dict[int, list[Media]] = field(default_factory=dict)
    covers: dict[int, Media] = field(default_factory=dict)
    polls: dict[int, Poll] = field(default_factory=dict)
    options: dict[int, list[PollOption]] = field(default_factory=dict)
    own_votes: dict[int, set[int]] = field(default_factory=dict)
    ballots: dict[int, Ballot] = field(default_factory=dict)
    proposals: dict[int, list[BallotProposal]] = field(default_factory=dict)
    receipts: set[int] = field(default_factory=set)
    liked: set[int] = field(default_factory=set)
    boosted: set[int] = field(default_factory=set)
    pinned: set[int] = field(default_factory=set)
    bookmarked: set[int] = field(default_factory=set)
    edited: set[int] = field(default_factory=set)

    def account(self, actor_id: int) -> JSON:
        return account_entity_sync(self.actors[actor_id], self.actor_counts[actor_id],
                                   base_url=self.base)


async def _read(posts: Sequence[Post], extra_actor_ids: Sequence[int], base: str,
                viewer: Actor | None) -> _Batch:
    batch = _Batch(base, viewer)
    ids = [p.id for p in posts]
    actor_ids = {p.author_id for p in posts} | set(extra_actor_ids)  # type: ignore[attr-defined]
    batch.actors = {a.id: a for a in await Actor.filter(id__in=list(actor_ids))}
    batch.actor_counts = await account_counts(list(batch.actors))
    batch.counts = await counts_of(ids)
    batch.edited = await edited_ids([p.id for p in posts if p.updated is not None])
    parent_ids = [p.in_reply_to_id for p in posts if p.in_reply_to_id]  # type: ignore[attr-defined]
    if parent_ids:
        rows = await Post.filter(id__in=parent_ids).values("id", "author_id")
        batch.parent_authors = {row["id"]: row["author_id"] for row in rows}
    for mention in await Mention.filter(post_id__in=ids).select_related("actor"):
        batch.mentions.setdefault(mention.post_id, []).append(mention.actor)  # type: ignore[attr-defined]
    for link in await PostTag.filter(post_id__in=ids).select_related("tag").order_by("id"):
        batch.tags.setdefault(link.post_id, []).append(  # type: ignore[attr-defined]
            {"name": link.tag.display or link.tag.name, "url": tag_url(base, link.tag.name)})
    cover_ids = [p.cover_id for p in posts if p.cover_id]  # type: ignore[attr-defined]
    for item in await Media.filter(Q(post_id__in=ids) | Q(id__in=cover_ids or [0])).order_by(
            "position", "id"):
        if item.post_id in batch.counts:  # type: ignore[attr-defined]
            batch.media.setdefault(item.post_id, []).append(item)  # type: ignore[attr-defined]
        batch.covers[item.id] = item
    questions = [p.id for p in posts if p.kind == "question"]
    if questions:
        await _read_polls(batch, questions)
    if viewer is not None:
        batch.liked = set(await Like.filter(actor_id=viewer.id, post_id__in=ids).values_list(
            "post_id", flat=True))
        batch.boosted = set(await Boost.filter(actor_id=viewer.id, post_id__in=ids).values_list(
            "post_id", flat=True))
        batch.pinned = await pinned_ids(viewer, ids)
        batch.bookmarked = await bookmarked_ids(viewer, ids)
    return batch


async def _read_polls(batch: _Batch, post_ids: list[int]) -> None:
    batch.polls = {p.post_id: p for p in await Poll.filter(post_id__in=post_ids)}  # type: ignore[attr-defined]
    poll_ids = [p.id for p in batch.polls.values()]
    for option in await PollOption.filter(poll_id__in=poll_ids).order_by("position"):
        batch.options.setdefault(option.poll_id, []).append(option)  # type: ignore[attr-defined]
    batch.ballots = {b.post_id: b for b in await Ballot.filter(post_id__in=post_ids)}  # type: ignore[attr-defined]
    ballot_ids = [b.id for b in batch.ballots.values()]
    for proposal in await BallotProposal.filter(ballot_id__in=ballot_ids, state="open").order_by(
            "position"):
        batch.proposals.setdefault(proposal.ballot_id, []).append(proposal)  # type: ignore[attr-defined]
    if batch.viewer is not None:
        for row in await PollVote.filter(poll_id__in=poll_ids, voter_id=batch.viewer.id).values(
                "poll_id", "option_id"):
            batch.own_votes.setdefault(row["poll_id"], set()).add(row["option_id"])
        batch.receipts = set(await BallotReceipt.filter(
            ballot_id__in=ballot_ids, voter_id=batch.viewer.id).values_list("ballot_id", flat=True))


def poll_entity(poll: Poll, options: Sequence[PollOption], *, viewer_choices: set[int] | None
                ) -> JSON:
    """A straw poll as Mastodon's Poll: per-option counts are null while the author hides
    them until the close; `voted`/`own_votes` (option indexes) when a member asks."""
    closed = is_closed(poll)
    show = closed or not poll.hide_totals
    entity: JSON = {
        "id": str(poll.id),
        "expires_at": iso(poll.ends_at),
        "expired": closed,
        "multiple": poll.multiple,
        "votes_count": sum(o.votes_count for o in options),
        "voters_count": poll.voters_count,
        "options": [{"title": o.title, "votes_count": o.votes_count if show else None}
                    for o in options],
        "emojis": [],
    }
    if viewer_choices is not None:
        entity["voted"] = bool(viewer_choices)
        entity["own_votes"] = [i for i, o in enumerate(options) if o.id in viewer_choices]
    return entity


def _ballot_counts(ballot: Ballot) -> dict[str, int]:
    """Votes per proposal (id as text) once a ballot is counted: the counts of a single or
    approval ballot, the first round of a ranked one, the agreements of a consent one."""
    result: dict[str, Any] = ballot.result or {}
    if isinstance(result.get("counts"), dict):
        return {str(k): int(v) for k, v in result["counts"].items()}
    rounds = (result.get("irv") or {}).get("rounds") or []
    if rounds and isinstance(rounds[0].get("counts"), dict):
        return {str(k): int(v) for k, v in rounds[0]["counts"].items()}
    consent = result.get("consent")
    if isinstance(consent, dict):
        return {str(k): int(v.get("agree", 0)) for k, v in consent.items() if isinstance(v, dict)}
    return {}


def ballot_poll_entity(ballot: Ballot, proposals: Sequence[BallotProposal], *,
                       voted: bool | None) -> JSON:
    """A formal ballot as a Poll: its open proposals are the options, counts only once it
    is counted (null before), `multiple` unless one choice is allowed. What a member chose
    is never given back (secret ballots; ranked and consent papers are no list of options)."""
    closed = ballot.phase == "closed" or ballot.ends_at <= clock.now()
    counts = _ballot_counts(ballot) if ballot.result is not None else None
    entity: JSON = {
        "id": str(ballot.id),
        "expires_at": iso(ballot.ends_at),
        "expired": closed,
        "multiple": ballot.method != "single",
        "votes_count": ballot.voters_count,
        "voters_count": ballot.voters_count,
        "options": [{"title": p.title,
                     "votes_count": None if counts is None else counts.get(str(p.id), 0)}
                    for p in proposals],
        "emojis": [],
    }
    if voted is not None:
        entity["voted"] = voted
        entity["own_votes"] = []
    return entity


def _content(post: Post, batch: _Batch, full_text: bool) -> str:
    title = f"<p><strong>{_esc(post.title)}</strong></p>" if post.title else ""
    if post.kind == "article" and not full_text and not post.is_deleted:
        # Mastodon shows an Article as title, summary and a link; so do we in the apps.
        url = post.url or post.uri
        summary = derive_summary(post)
        return (title + (f"<p>{_esc(summary)}</p>" if summary else "")
                + f"<p>{_link(url)}</p>")
    body = title + post.content_html if post.kind in ("article", "page") else post.content_html
    ballot = batch.ballots.get(post.id)
    if ballot is not None:
        url = ballot_url(batch.base, ballot.id)
        body += f"<p>{_link(url, 'Read the proposals and vote: ' + url)}</p>"
    return body


def _status(post: Post, batch: _Batch, full_text: bool) -> JSON:
    counts = batch.counts.get(post.id, Counts())
    parent = post.in_reply_to_id  # type: ignore[attr-defined]
    parent_author = batch.parent_authors.get(parent) if parent else None
    media = list(batch.media.get(post.id, []))
    cover = batch.covers.get(post.cover_id) if post.cover_id else None  # type: ignore[attr-defined]
    if cover is not None and all(m.id != cover.id for m in media):
        media.insert(0, cover)
    poll: JSON | None = None
    if post.id in batch.ballots:
        ballot = batch.ballots[post.id]
        poll = ballot_poll_entity(ballot, batch.proposals.get(ballot.id, []),
                                  voted=None if batch.viewer is None
                                  else ballot.id in batch.receipts)
    elif post.id in batch.polls:
        found = batch.polls[post.id]
        poll = poll_entity(found, batch.options.get(found.id, []),
                           viewer_choices=None if batch.viewer is None
                           else batch.own_votes.get(found.id, set()))
    entity: JSON = {
        "id": str(post.id),
        "uri": post.uri,
        "url": post.url or post.uri,
        "created_at": iso(post.published),
        "account": batch.account(post.author_id),  # type: ignore[attr-defined]
        "content": _content(post, batch, full_text),
        "visibility": VISIBILITY.get(post.visibility, "public"),
        "sensitive": bool(post.sensitive),
        "spoiler_text": post.summary if post.kind in ("note", "question") else "",
        "media_attachments": [media_entity(m, base_url=batch.base) for m in media],
        "mentions": [{"id": str(a.id), "username": a.username, "acct": acct_of(a),
                      "url": profile_url(a, batch.base)}
                     for a in batch.mentions.get(post.id, [])],
        "tags": batch.tags.get(post.id, []),
        "emojis": [],
        "reblogs_count": counts.boosts,
        "favourites_count": counts.likes,
        "replies_count": counts.replies,
        "in_reply_to_id": str(parent) if parent else None,
        "in_reply_to_account_id": str(parent_author) if parent_author else None,
        "reblog": None,
        "poll": poll,
        "card": None,
        "language": None,
        "edited_at": iso(post.updated) if post.id in batch.edited else None,
    }
    if batch.viewer is not None:
        entity.update({"favourited": post.id in batch.liked, "reblogged": post.id in batch.boosted,
                       "muted": False, "bookmarked": post.id in batch.bookmarked,
                       "pinned": post.id in batch.pinned, "filtered": []})
    return entity


def _reblog(boost: Boost, inner: JSON, batch: _Batch) -> JSON:
    """A boost as Mastodon lists it: a status of the sharer whose `reblog` is the post."""
    entity = {key: inner[key] for key in inner}
    entity.update({
        "id": str(boost.id), "uri": boost.uri, "url": boost.uri,
        "created_at": iso(boost.created_at),
        "account": batch.account(boost.actor_id),  # type: ignore[attr-defined]
        "content": "", "spoiler_text": "", "sensitive": False, "media_attachments": [],
        "mentions": [], "tags": [], "emojis": [], "reblogs_count": 0, "favourites_count": 0,
        "replies_count": 0, "in_reply_to_id": None, "in_reply_to_account_id": None,
        "reblog": inner, "poll": None, "card": None, "edited_at": None,
    })
    if batch.viewer is not None:
        entity["pinned"] = False
    return entity


async def status_entities(items: Sequence[Post | Boost], *, base_url: str,
                          viewer: Actor | None = None, full_text: bool = False) -> list[JSON]:
    """Status entities of posts and boosts, in the order given. `viewer` (the member asking)
    adds favourited/reblogged/bookmarked/muted/pinned and their poll votes; `full_text`
    shows Articles whole instead of title, summary and link."""
    base = base_url.rstrip("/")
    boosts = [i for i in items if isinstance(i, Boost)]
    wanted = {b.post_id for b in boosts} - {i.id for i in items if isinstance(i, Post)}  # type: ignore[attr-defined]
    posts = {p.id: p for p in items if isinstance(p, Post)}
    if wanted:
        posts.update({p.id: p for p in await Post.filter(id__in=list(wanted))})
    batch = await _read(list(posts.values()), [b.actor_id for b in boosts], base, viewer)  # type: ignore[attr-defined]
    out = []
    for item in items:
        if isinstance(item, Boost):
            inner = _status(posts[item.post_id], batch, full_text)  # type: ignore[attr-defined]
            out.append(_reblog(item, inner, batch))
        else:
            out.append(_status(item, batch, full_text))
    return out


async def status_entity(item: Post | Boost, *, base_url: str, viewer: Actor | None = None,
                        full_text: bool = False) -> JSON:
    return (await status_entities([item], base_url=base_url, viewer=viewer,
                                  full_text=full_text))[0]


async def context_entity(post: Post, *, base_url: str, viewer: Actor | None = None) -> JSON:
    """The Context of a post: the posts it answers, oldest first, and the replies under it,
    depth first in time order, each only if `viewer` may see it."""
    root_id = post.root_id or post.id  # type: ignore[attr-defined]
    query = await visible_to(Post.filter(Q(root_id=root_id) | Q(id=root_id)), viewer)
    rows = await query.order_by("published", "id").limit(CONTEXT_MAX)
    by_id = {p.id: p for p in rows}
    ancestors: list[Post] = []
    parent = post.in_reply_to_id  # type: ignore[attr-defined]
    seen = {post.id}
    while parent and parent in by_id and parent not in seen:
        seen.add(parent)
        ancestors.insert(0, by_id[parent])
        parent = by_id[parent].in_reply_to_id  # type: ignore[attr-defined]
    children: dict[int, list[Post]] = {}
    for row in rows:
        if row.in_reply_to_id:  # type: ignore[attr-defined]
            children.setdefault(row.in_reply_to_id, []).append(row)  # type: ignore[attr-defined]
    descendants: list[Post] = []
    stack = list(reversed(children.get(post.id, [])))
    while stack:
        node = stack.pop()
        if node.id in seen:
            continue
        seen.add(node.id)
        descendants.append(node)
        stack.extend(reversed(children.get(node.id, [])))
    entities = await status_entities(ancestors + descendants, base_url=base_url, viewer=viewer)
    return {"ancestors": entities[:len(ancestors)], "descendants": entities[len(ancestors):]}
