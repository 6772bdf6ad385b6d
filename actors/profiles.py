"""A member's profile as they edit it: display name, note (plain text; pages and documents
render it as escaped paragraphs) and whether follow requests wait for their approval."""

from __future__ import annotations

from actors.accounts import DISPLAY_NAME_MAX
from actors.errors import ValidationFailed
from actors.follows import PENDING, accept_follow
from actors.models import Actor, Follow
from core.db import in_transaction
from core.ids import new_id
from core.jobs import enqueue

PUBLISH_JOB = "outbox.publish"  # handled by the outbox; named here so we never import it
#: Mastodon caps the note at 500 characters; so do we.
NOTE_MAX = 500


async def update_profile(actor: Actor, *, display_name: str | None = None,
                         note: str | None = None, locked: bool | None = None) -> Actor:
    """Change what is given (None: unchanged). Followers' servers get an Update of the actor
    document; unlocking accepts every pending request, as Mastodon does."""
    if actor.kind != "Person" or not actor.is_local:
        raise ValueError("update_profile: only our members edit their profile")
    errors: dict[str, str] = {}
    if display_name is not None and len(display_name.strip()) > DISPLAY_NAME_MAX:
        errors["display_name"] = f"Use at most {DISPLAY_NAME_MAX} characters."
    if note is not None and len(note.strip()) > NOTE_MAX:
        errors["note"] = f"Use at most {NOTE_MAX} characters."
    if errors:
        raise ValidationFailed(errors)
    async with in_transaction():
        if display_name is not None:
            actor.display_name = display_name.strip() or actor.username
        if note is not None:
            actor.summary = note.replace("\r\n", "\n").strip()
        unlocking = locked is False and actor.manually_approves_followers
        if locked is not None:
            actor.manually_approves_followers = locked
        await actor.save(update_fields=["display_name", "summary",
                                        "manually_approves_followers", "updated_at"])
        if unlocking:
            for follow in await Follow.filter(followed_id=actor.id, state=PENDING):
                await accept_follow(follow)
        await enqueue(PUBLISH_JOB, {"kind": "update_actor", "ident": new_id(),
                                    "actor_id": actor.id})
    return actor
