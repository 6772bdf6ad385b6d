"""Our notifications as Mastodon Notification entities.

Our kinds map to Mastodon's types by the table TYPES; kinds with no Mastodon counterpart
are left out of the API (they stay on the web page /notifications):

| our kind | Mastodon type | note |
|---|---|---|
| follow, follow_request, mention, favourite, reblog, poll, status, update | the same | |
| reply | mention | Mastodon notifies a reply as a mention |
| join_request | follow_request | a coordinator approves joins under follow requests |
| ballot_opened | status | the chapter posted a ballot one may vote in |
| ballot_closed | poll | a ballot one could vote in has ended |
| join_accepted, join_rejected, application_accepted, application_rejected, ballot_vote_refused | left out | no Mastodon type says it |
"""

from __future__ import annotations

from collections.abc import Sequence

from actors.models import Actor
from content.models import Notification, Post
from web.api.entities import JSON, account_entities, iso
from web.api.entities_status import status_entities

TYPES = {
    "follow": "follow", "follow_request": "follow_request", "mention": "mention",
    "favourite": "favourite", "reblog": "reblog", "poll": "poll", "status": "status",
    "update": "update", "reply": "mention", "join_request": "follow_request",
    "ballot_opened": "status", "ballot_closed": "poll",
}
#: Every notification type Mastodon 4.3 documents: others in `types[]` are ignored.
MASTODON_TYPES = ("mention", "status", "reblog", "follow", "follow_request", "favourite",
                  "poll", "update", "admin.sign_up", "admin.report", "severed_relationships",
                  "moderation_warning")
#: Types that carry the status they are about (Mastodon documents `status` for these).
WITH_STATUS = {"favourite", "reblog", "status", "mention", "poll", "update"}


def mastodon_type(kind: str) -> str | None:
    """The Mastodon type of one of our kinds, None when the API leaves it out."""
    return TYPES.get(kind)


def api_kinds(types: Sequence[str]) -> list[str]:
    """Our kinds behind Mastodon types (for `types[]`/`exclude_types[]` filters)."""
    return [kind for kind, kind_type in TYPES.items() if kind_type in set(types)]


async def notification_entities(notifications: Sequence[Notification], *, base_url: str,
                                viewer: Actor) -> list[JSON]:
    """Notification entities for the member `viewer`, in the order given, leaving out kinds
    with no Mastodon type and those whose account or status is gone. Posts and accounts are
    read in one batch."""
    kept = [n for n in notifications if n.kind in TYPES]
    post_ids = {n.post_id for n in kept if n.post_id}  # type: ignore[attr-defined]
    posts = {p.id: p for p in await Post.filter(id__in=list(post_ids), deleted_at__isnull=True)}
    actor_ids = {n.actor_id for n in kept if n.actor_id}  # type: ignore[attr-defined]
    # With no actor (a poll that ended), the account is the post's author, as on Mastodon.
    actor_ids |= {p.author_id for p in posts.values()}  # type: ignore[attr-defined]
    actors = {a.id: a for a in await Actor.filter(id__in=list(actor_ids))}
    accounts = dict(zip(actors, await account_entities(list(actors.values()), base_url=base_url),
                        strict=True))
    ordered = list(posts.values())
    statuses = dict(zip([p.id for p in ordered],
                        await status_entities(ordered, base_url=base_url, viewer=viewer),
                        strict=True))
    out = []
    for note in kept:
        kind = TYPES[note.kind]
        post = posts.get(note.post_id) if note.post_id else None  # type: ignore[attr-defined]
        who = note.actor_id or (post.author_id if post else None)  # type: ignore[attr-defined]
        if who not in accounts or (kind in WITH_STATUS and post is None):
            continue  # its author is gone, or the post it is about was deleted
        entity: JSON = {"id": str(note.id), "type": kind, "group_key": f"ungrouped-{note.id}",
                        "created_at": iso(note.created_at), "account": accounts[who]}
        if post is not None and kind in WITH_STATUS:
            entity["status"] = statuses[post.id]
        out.append(entity)
    return out


async def notification_entity(notification: Notification, *, base_url: str,
                              viewer: Actor) -> JSON | None:
    found = await notification_entities([notification], base_url=base_url, viewer=viewer)
    return found[0] if found else None
