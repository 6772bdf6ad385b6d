"""Inbox handler for a comment removed from a thread by another server: a `Remove` whose
object is a reply we have and whose target names its thread (the thread's `replies`
collection, its id or its `context`), sent — or relayed by Announce — by someone who may
remove it as far as we know (content.threads.may_remove)."""

from __future__ import annotations

from actors.models import Actor
from content.models import Post
from content.posts import find_post_by_uri
from content.threads import apply_remote_removal, thread_start
from federation import Activity
from inbox.context import InboxContext
from inbox.follows import PROCESSED
from inbox.moderation import Outcome, ignored


async def removed_comment(activity: Activity) -> Post | None:
    """The reply a Remove is about, when its target names the reply's thread; else None
    (a Remove of something else: a moderator, a featured post …)."""
    if activity.type != "Remove" or not activity.object_id:
        return None
    comment = await find_post_by_uri(activity.object_id)
    if comment is None or comment.in_reply_to_uri is None:
        return None
    root = await thread_start(comment)
    names = {comment.context_uri, comment.in_reply_to_uri, f"{comment.in_reply_to_uri}/replies"}
    if root is not None:
        names |= {root.uri, f"{root.uri}/replies", root.context_uri}
    target = activity.target
    # Lemmy's older mod removals carried no target: the comment alone says the thread.
    return comment if target is None or target in names else None


async def on_remove_comment(ctx: InboxContext, activity: Activity, actor: Actor, *,
                            vouched_by: Actor | None = None) -> Outcome:
    """Erase our copy of a comment removed from its thread by its author, the thread's
    author, the chapter holding the thread or one of its known moderators. A group relaying
    (Announce) someone else's Remove speaks only for itself: it must be that chapter."""
    comment = await removed_comment(activity)
    if comment is None:
        return ignored("not a comment in a thread we know")
    remover = vouched_by or actor
    if not await apply_remote_removal(remover, comment):
        return ignored("the sender may not remove this comment, or it is gone")
    return PROCESSED
