"""A member's profile as they edit it: display name, note (plain text; pages and documents
render it as escaped paragraphs), avatar and header, profile fields, and whether follow
requests wait for their approval."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from actors.accounts import DISPLAY_NAME_MAX
from actors.errors import ValidationFailed
from actors.follows import PENDING, accept_follow
from actors.models import Actor, Follow
from core.db import in_transaction
from core.ids import new_id
from core.jobs import enqueue
from core.messages import N_

PUBLISH_JOB = "outbox.publish"  # handled by the outbox; named here so we never import it
#: Mastodon caps the note at 500 characters; so do we.
NOTE_MAX = 500
#: Profile fields: as Mastodon, four rows of a name and a value of 255 characters each.
FIELDS_MAX = 4
FIELD_TEXT_MAX = 255
IMAGE_DESCRIPTION_MAX = 1500


@dataclass(frozen=True)
class ProfileImage:
    """A new avatar or header: its address (ours: `/media/…`) and alt text; url "" removes."""

    url: str
    description: str = ""


def profile_errors(*, display_name: str | None = None, note: str | None = None,
                   fields: Sequence[tuple[str, str]] | None = None) -> dict[str, str]:
    """What update_profile would refuse in these values (field name → message), so a form
    can be checked before an uploaded image is stored."""
    errors: dict[str, str] = {}
    if display_name is not None and len(display_name.strip()) > DISPLAY_NAME_MAX:
        errors["display_name"] = N_("Use at most %(max)s characters.", max=DISPLAY_NAME_MAX)
    if note is not None and len(note.strip()) > NOTE_MAX:
        errors["note"] = N_("Use at most %(max)s characters.", max=NOTE_MAX)
    rows = [(k.strip(), v.strip()) for k, v in fields or () if k.strip() or v.strip()]
    if len(rows) > FIELDS_MAX:
        errors["fields"] = N_("Use at most %(max)s profile fields.", max=FIELDS_MAX)
    for index, (name, value) in enumerate(rows):
        if not name:
            errors[f"field_{index}"] = N_("Give this field a name.")
        elif len(name) > FIELD_TEXT_MAX or len(value) > FIELD_TEXT_MAX:
            errors[f"field_{index}"] = N_("Use at most %(max)s characters.", max=FIELD_TEXT_MAX)
    return errors


async def update_profile(actor: Actor, *, display_name: str | None = None,
                         note: str | None = None, locked: bool | None = None,
                         avatar: ProfileImage | None = None, header: ProfileImage | None = None,
                         fields: Sequence[tuple[str, str]] | None = None) -> Actor:
    """Change what is given (None: unchanged). Followers' servers get an Update of the actor
    document; unlocking accepts every pending request, as Mastodon does. Empty field rows
    are dropped; an avatar needs its alt text."""
    if actor.kind != "Person" or not actor.is_local:
        raise ValueError("update_profile: only our members edit their profile")
    errors = profile_errors(display_name=display_name, note=note, fields=fields)
    if avatar is not None and avatar.url and not avatar.description.strip():
        errors["avatar_description"] = N_("Describe your avatar for people who cannot see it.")
    for image in (avatar, header):
        if image is not None and len(image.description) > IMAGE_DESCRIPTION_MAX:
            errors["avatar_description"] = N_("Use at most %(max)s characters.",
                                              max=IMAGE_DESCRIPTION_MAX)
    if errors:
        raise ValidationFailed(errors)
    async with in_transaction():
        if display_name is not None:
            actor.display_name = display_name.strip() or actor.username
        if note is not None:
            actor.summary = note.replace("\r\n", "\n").strip()
        if avatar is not None:
            actor.avatar_url = avatar.url or None
            actor.avatar_description = avatar.description.strip() if avatar.url else None
        if header is not None:
            actor.header_url = header.url or None
        if fields is not None:
            rows = [{"name": k.strip(), "value": v.strip()} for k, v in fields
                    if k.strip() or v.strip()]
            actor.profile_fields = rows or None
        unlocking = locked is False and actor.manually_approves_followers
        if locked is not None:
            actor.manually_approves_followers = locked
        await actor.save(update_fields=["display_name", "summary", "manually_approves_followers",
                                        "avatar_url", "avatar_description", "header_url",
                                        "profile_fields", "updated_at"])
        if unlocking:
            for follow in await Follow.filter(followed_id=actor.id, state=PENDING):
                await accept_follow(follow)
        await enqueue(PUBLISH_JOB, {"kind": "update_actor", "ident": new_id(),
                                    "actor_id": actor.id})
    return actor
