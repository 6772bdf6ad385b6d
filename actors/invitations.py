"""Invitation links: members make them, newcomers join through them (credited to the
inviter), members revoke them; recruitment counts by member and by chapter."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from tortoise.expressions import F, Q
from tortoise.functions import Count

from actors.errors import ValidationFailed
from actors.models import Account, Actor, Chapter, Invitation
from core import clock
from core.messages import N_

# The choices of the invitation form (Mastodon offers about the same).
EXPIRY_DAYS: dict[str, int | None] = {"never": None, "1": 1, "7": 7, "30": 30}
MAX_USES_CHOICES: tuple[int, ...] = (1, 5, 10, 25, 50, 100)
NOTE_MAX = 200
CODE_BYTES = 16  # 128 random bits, 22 URL-safe characters
CODE_MAX = 64

# One message per reason an invitation cannot be used, shown on the join page.
UNKNOWN = N_("This invitation link is not valid. Check that you copied all of it.")
REVOKED = N_("This invitation was withdrawn by the member who made it.")
EXPIRED = N_("This invitation has expired. Ask the member who invited you for a new one.")
USED_UP = N_("This invitation has been used as many times as it allows. Ask for a new one.")


def invitation_link(base_url: str, code: str) -> str:
    return f"{base_url.rstrip('/')}/join?invite={code}"


def problem_with(invitation: Invitation) -> str | None:
    """Why `invitation` cannot be used now (revoked, expired, used up), or None."""
    if invitation.revoked_at is not None:
        return REVOKED
    if invitation.expires_at is not None and invitation.expires_at <= clock.now():
        return EXPIRED
    if invitation.max_uses is not None and invitation.uses >= invitation.max_uses:
        return USED_UP
    return None


def state_of(invitation: Invitation) -> str:
    """active, revoked, expired or used up: for the member's list."""
    return {None: "active", REVOKED: "revoked", EXPIRED: "expired", USED_UP: "used up"}[
        problem_with(invitation)
    ]


async def find_usable_invitation(code: str) -> Invitation:
    """The invitation of a link's code if it can be used now; ValidationFailed({"invite": …})
    with the reason otherwise (unknown, revoked, expired, used up)."""
    code = code.strip()
    invitation = (
        await Invitation.get_or_none(code=code).prefetch_related("inviter", "chapter")
        if code and len(code) <= CODE_MAX
        else None
    )
    if invitation is None:
        raise ValidationFailed({"invite": UNKNOWN})
    if problem := problem_with(invitation):
        raise ValidationFailed({"invite": problem})
    return invitation


async def claim_use(invitation: Invitation) -> None:
    """Count one use, atomically: one conditional UPDATE (not revoked, not expired, uses below
    max_uses), so two people racing for the last use cannot both have it. Call it inside the
    transaction that creates the account; ValidationFailed when the use is not available."""
    now = clock.now()
    taken = (
        await Invitation.filter(id=invitation.id, revoked_at__isnull=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .filter(Q(max_uses__isnull=True) | Q(uses__lt=F("max_uses")))
        .update(uses=F("uses") + 1)
    )
    if not taken:
        fresh = await Invitation.get_or_none(id=invitation.id)
        raise ValidationFailed({"invite": (problem_with(fresh) if fresh else UNKNOWN) or USED_UP})


async def invitable_chapters() -> list[Actor]:
    """Our chapters a newcomer may be invited to ask to join: any whose policy is not closed."""
    ids = await Chapter.exclude(join_policy="closed").values_list("actor_id", flat=True)
    return await Actor.filter(id__in=list(ids), kind="Group", domain__isnull=True).order_by(
        "display_name"
    )


async def create_invitation(
    inviter: Account,
    *,
    expires: str = "never",
    max_uses: int | None = None,
    note: str = "",
    chapter_id: int | None = None,
) -> Invitation:
    """A new invitation link by an approved member. `expires` is a key of EXPIRY_DAYS,
    `max_uses` one of MAX_USES_CHOICES or None (no limit), `chapter_id` the actor id of one of
    our chapters that is not closed. ValidationFailed (nothing written) on a wrong choice."""
    errors: dict[str, str] = {}
    if not inviter.approved or inviter.rejected_at is not None:
        errors["inviter"] = N_("Only members can invite.")
    if expires not in EXPIRY_DAYS:
        errors["expires"] = N_("Choose when the invitation expires.")
    if max_uses is not None and max_uses not in MAX_USES_CHOICES:
        errors["max_uses"] = N_("Choose how many people may use it.")
    note = note.strip()
    if len(note) > NOTE_MAX:
        errors["note"] = N_("Use at most %(max)s characters.", max=NOTE_MAX)
    chapter: Actor | None = None
    if chapter_id is not None:
        chapter = next((c for c in await invitable_chapters() if c.id == chapter_id), None)
        if chapter is None:
            errors["chapter"] = N_("Choose one of our chapters that takes new members.")
    if errors:
        raise ValidationFailed(errors)
    days = EXPIRY_DAYS[expires]
    return await Invitation.create(
        code=secrets.token_urlsafe(CODE_BYTES),
        inviter_id=inviter.actor_id,  # type: ignore[attr-defined]
        chapter=chapter,
        note=note,
        max_uses=max_uses,
        expires_at=clock.now() + timedelta(days=days) if days else None,
    )


async def revoke_invitation(inviter: Account, invitation_id: int) -> bool:
    """The member withdraws one of their own invitations; False when it is not theirs or was
    withdrawn already. Accounts made through it stay, still credited."""
    return bool(
        await Invitation.filter(
            id=invitation_id,
            inviter_id=inviter.actor_id,  # type: ignore[attr-defined]
            revoked_at__isnull=True,
        ).update(revoked_at=clock.now())
    )


async def invitations_of(inviter: Actor) -> list[Invitation]:
    """A member's invitations, newest first."""
    return (
        await Invitation.filter(inviter_id=inviter.id).order_by("-id").prefetch_related("chapter")
    )


async def recruits_of(inviter: Actor) -> list[Account]:
    """The accounts a member recruited (rejected applications left out), newest first."""
    return (
        await Account.filter(invited_by_id=inviter.id, rejected_at__isnull=True)
        .order_by("-created_at")
        .prefetch_related("actor")
    )


@dataclass(frozen=True)
class RecruitmentRow:
    """Who (a member, or the chapter named on the invitations) and how many joined."""

    actor: Actor
    count: int


async def recruitment_by_member(limit: int = 200) -> list[RecruitmentRow]:
    """Members by the number of accounts created through their invitations, most first."""
    rows = (
        await Account.filter(invited_by_id__isnull=False, rejected_at__isnull=True)
        .annotate(n=Count("id"))
        .group_by("invited_by_id")
        .order_by("-n")
        .limit(limit)
        .values("invited_by_id", "n")
    )
    return await _with_actors([(int(r["invited_by_id"]), int(r["n"])) for r in rows])


async def recruitment_by_chapter() -> list[RecruitmentRow]:
    """Chapters named on invitations, by the number of accounts created through those."""
    rows = (
        await Account.filter(invitation__chapter_id__isnull=False, rejected_at__isnull=True)
        .annotate(n=Count("id"))
        .group_by("invitation__chapter_id")
        .values("invitation__chapter_id", "n")
    )
    counted = [(int(r["invitation__chapter_id"]), int(r["n"])) for r in rows]
    return await _with_actors(sorted(counted, key=lambda pair: -pair[1]))


async def _with_actors(counted: list[tuple[int, int]]) -> list[RecruitmentRow]:
    actors = {a.id: a for a in await Actor.filter(id__in=[i for i, _ in counted])}
    return [RecruitmentRow(actors[i], n) for i, n in counted if i in actors]
