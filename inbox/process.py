"""The inbox.process job: parse a stored activity and dispatch it to its handler."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from actors.blocks import find_block_by_uri
from actors.follows import find_follow_by_uri
from actors.models import Actor
from actors.urls import LocalUrls
from content.reactions import reaction_kind
from core import clock
from federation import Activity, FederationClient, FederationError, Tombstone
from federation.vocab.actors import ACTOR_TYPES
from inbox.announces import (
    on_announce_add,
    on_announce_create,
    on_announce_delete,
    on_announce_other,
    on_announce_remove,
    on_announce_update,
)
from inbox.ballots import on_reject_vote
from inbox.context import InboxContext
from inbox.convert import POST_TYPES
from inbox.follows import (
    IGNORED,
    on_accept_follow,
    on_follow_actor,
    on_reject_follow,
    on_undo_follow,
)
from inbox.groups import on_add, on_remove, on_update_actor
from inbox.models import InboundActivity
from inbox.moderation import Outcome, on_block, on_flag, on_move, on_undo_block
from inbox.polls import is_vote, on_create_question, on_create_vote, on_update_question
from inbox.posts import on_create_post, on_delete_post, on_update_post
from inbox.reactions import (
    on_announce_post,
    on_like_post,
    on_undo_announce,
    on_undo_like,
)

log = logging.getLogger(__name__)

#: A handler returns the final state, or (state, reason) to record why it ignored something.
InboxHandler = Callable[[InboxContext, Activity, Actor], Awaitable[Outcome]]

#: (activity type, object kind) → handler. Object kind: the embedded object's type, "Actor"
#: for any actor type, "Post" for Note/Article/Page/Question, "Object" for an id that is not
#: (yet) known here, or what a referenced id turns out to be.
DISPATCH: dict[tuple[str, str], InboxHandler] = {
    ("Follow", "Actor"): on_follow_actor,
    ("Undo", "Follow"): on_undo_follow,
    ("Accept", "Follow"): on_accept_follow,
    ("Reject", "Follow"): on_reject_follow,
    ("Reject", "Create"): on_reject_vote,
    ("Create", "Post"): on_create_post,
    ("Create", "Object"): on_create_post,
    ("Create", "Vote"): on_create_vote,
    ("Create", "Question"): on_create_question,
    ("Update", "Question"): on_update_question,
    ("Delete", "Question"): on_delete_post,
    ("Like", "Question"): on_like_post,
    ("Announce", "Question"): on_announce_post,
    ("Update", "Post"): on_update_post,
    ("Delete", "Post"): on_delete_post,
    ("Delete", "Tombstone"): on_delete_post,
    ("Delete", "Object"): on_delete_post,
    ("Like", "Post"): on_like_post,
    ("Like", "Object"): on_like_post,
    ("Announce", "Post"): on_announce_post,
    ("Announce", "Object"): on_announce_post,
    ("Announce", "Create"): on_announce_create,
    ("Announce", "Update"): on_announce_update,
    ("Announce", "Delete"): on_announce_delete,
    ("Announce", "Add"): on_announce_add,
    ("Announce", "Remove"): on_announce_remove,
    ("Announce", "Like"): on_announce_other,
    ("Announce", "Dislike"): on_announce_other,
    ("Announce", "Undo"): on_announce_other,
    ("Announce", "Follow"): on_announce_other,
    ("Add", "Target"): on_add,
    ("Remove", "Target"): on_remove,
    ("Update", "Actor"): on_update_actor,
    ("Undo", "Like"): on_undo_like,
    ("Undo", "Announce"): on_undo_announce,
    ("Block", "Actor"): on_block,
    ("Undo", "Block"): on_undo_block,
    ("Flag", "Object"): on_flag,
    ("Move", "Actor"): on_move,
}
_BY_ID = frozenset({"Create", "Delete", "Like", "Announce"})


async def object_kind(activity: Activity) -> str:
    """What the activity is about, for the dispatch table."""
    if activity.type == "Flag":  # names any number of actors and posts: sorted by its handler
        return "Object"
    if activity.type in ("Add", "Remove"):  # what it is about is decided by its target
        return "Target"
    obj = activity.object
    if obj is not None:
        kind = "Tombstone" if isinstance(obj, Tombstone) else getattr(obj, "type", "")
        if activity.type == "Create" and is_vote(obj):
            return "Vote"
        if kind == "Question":  # a poll: its options and counts are kept too
            return "Question"
        if kind in POST_TYPES:
            return "Post"
        return "Actor" if kind in ACTOR_TYPES else str(kind)
    if activity.type in ("Follow", "Block", "Move"):
        return "Actor"
    if activity.type in ("Accept", "Reject", "Undo") and activity.object_id:
        if await find_follow_by_uri(activity.object_id) is not None:
            return "Follow"
    if activity.type == "Undo" and activity.object_id:
        if await find_block_by_uri(activity.object_id) is not None:
            return "Block"
    if activity.type == "Undo" and activity.object_id:
        return await reaction_kind(activity.object_id) or "unknown"
    if activity.type in _BY_ID and activity.object_id:
        return "Actor" if activity.object_id == activity.actor else "Object"
    return "unknown"


async def process_inbound(ctx: InboxContext, inbound_id: int) -> str:
    """Handle one stored activity once; returns and records its final state."""
    row = await InboundActivity.get_or_none(id=inbound_id)
    if row is None or row.state != "received":
        return row.state if row else "missing"
    try:
        activity = Activity.from_ap(row.document)
    except FederationError as exc:
        return await _finish(row, IGNORED, f"unreadable: {exc}")
    actor = await Actor.get_or_none(uri=row.actor_uri)
    if actor is None:
        return await _finish(row, "failed", "the actor is no longer cached")
    handler = DISPATCH.get((activity.type, await object_kind(activity)))
    if handler is None:
        return await _finish(row, IGNORED, None)
    outcome = await handler(ctx, activity, actor)
    if isinstance(outcome, tuple):
        return await _finish(row, *outcome)
    return await _finish(row, outcome, None)


async def _finish(row: InboundActivity, state: str, error: str | None) -> str:
    await InboundActivity.filter(id=row.id).update(state=state, error=error,
                                                    processed_at=clock.now())
    return state


def make_process_handler(urls: LocalUrls, client: Callable[[], FederationClient],
                         ) -> Callable[[dict[str, Any]], Awaitable[None]]:
    """The inbox.process job handler bound to this server's URLs and (lazily made) HTTP
    client, which handlers that fetch remote objects will use."""

    ctx = InboxContext(urls, client)

    async def handle(payload: dict[str, Any]) -> None:
        state = await process_inbound(ctx, int(payload["id"]))
        log.debug("inbound activity %s: %s", payload["id"], state)

    return handle
