"""Invitations: made by members, used up to their limit (even when people race for the last
use), refused with a clear reason when expired, used up, withdrawn or unknown; recruits are
credited to their inviter and counted by member and by chapter."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest

from actors.accounts import Registration, authenticate, register_member
from actors.chapters import create_chapter
from actors.errors import ValidationFailed
from actors.invitations import (
    EXPIRED,
    REVOKED,
    UNKNOWN,
    USED_UP,
    create_invitation,
    invitation_link,
    invitations_of,
    recruitment_by_chapter,
    recruitment_by_member,
    recruits_of,
    revoke_invitation,
    state_of,
)
from actors.models import Account, Actor, Follow, Invitation
from actors.urls import LocalUrls
from core import clock
from core.settings import Settings

PASSWORD = "a long enough password"


def reg(name: str, **overrides: object) -> Registration:
    values: dict[str, object] = {
        "username": name,
        "email": f"{name}@example.org",
        "password": PASSWORD,
        "accepted_commitments": True,
    }
    values.update(overrides)
    return Registration(**values)  # type: ignore[arg-type]


@pytest.fixture
def later() -> Iterator[Callable[[float], None]]:
    offset = [0.0]
    base = clock.now()
    clock.set_clock(lambda: base + timedelta(seconds=offset[0]))

    def advance(seconds: float) -> None:
        offset[0] += seconds

    yield advance
    clock.set_clock(None)


async def member(settings: Settings, name: str = "inviter") -> Account:
    return await register_member(reg(name), settings.registration)


async def join(settings: Settings, name: str, code: str, **kw: object) -> Account:
    urls = LocalUrls(settings.server.base_url)
    return await register_member(reg(name, **kw), settings.registration, invitation_code=code,
                                 urls=urls)


async def test_a_newcomer_joins_through_an_invitation_and_is_credited_to_the_inviter(
    database: str, settings: Settings
) -> None:
    inviter = await member(settings)
    invitation = await create_invitation(inviter, max_uses=5, note="for the tenants' union")
    assert len(invitation.code) >= 20
    assert invitation_link("https://org.test/", invitation.code) == (
        f"https://org.test/join?invite={invitation.code}"
    )
    ana = await join(settings, "ana", invitation.code)
    assert ana.approved
    assert ana.invited_by_id == inviter.actor_id  # type: ignore[attr-defined]
    assert ana.invitation_id == invitation.id  # type: ignore[attr-defined]
    await invitation.refresh_from_db()
    assert invitation.uses == 1 and state_of(invitation) == "active"
    assert [a.actor.username for a in await recruits_of(await inviter.actor)] == ["ana"]


@pytest.mark.parametrize("mode", ["approval", "invite"])
async def test_an_invitation_skips_the_queue_and_is_the_only_way_in_invite_mode(
    database: str, make_settings: Callable[..., Settings], mode: str
) -> None:
    settings = make_settings(mode=mode)
    inviter = await register_member(reg("inviter"), settings.registration, role="admin")
    invitation = await create_invitation(inviter)
    # No reason asked: the member who invited vouches for the newcomer (as in Mastodon).
    ana = await join(settings, "ana", invitation.code)
    assert ana.approved and ana.application_reason == ""
    assert (await authenticate("ana", PASSWORD)).id == ana.id


async def test_the_commitments_are_recorded_with_their_version_and_time(
    database: str, make_settings: Callable[..., Settings], later: Callable[[float], None]
) -> None:
    settings = make_settings(mode="invite")
    inviter = await register_member(reg("inviter"), settings.registration, role="admin")
    invitation = await create_invitation(inviter)
    before = clock.now()
    ana = await join(settings, "ana", invitation.code)
    stored = await Account.get(id=ana.id)
    assert stored.commitments_version == settings.registration.commitments_version
    assert stored.commitments_accepted_at == before
    with pytest.raises(ValidationFailed) as err:
        await join(settings, "bea", invitation.code, accepted_commitments=False)
    assert "commitments" in err.value.errors


async def test_expired_used_up_revoked_and_unknown_invitations_each_say_why(
    database: str, settings: Settings, later: Callable[[float], None]
) -> None:
    inviter = await member(settings)
    expiring = await create_invitation(inviter, expires="1")
    once = await create_invitation(inviter, max_uses=1)
    withdrawn = await create_invitation(inviter)
    await join(settings, "ana", once.code)
    assert await revoke_invitation(inviter, withdrawn.id)
    later(24 * 3600 + 1)
    for code, message in (
        (expiring.code, EXPIRED),
        (once.code, USED_UP),
        (withdrawn.code, REVOKED),
        ("no-such-code", UNKNOWN),
    ):
        with pytest.raises(ValidationFailed) as err:
            await join(settings, "bea", code)
        assert err.value.errors == {"invite": message}
    assert len({EXPIRED, USED_UP, REVOKED, UNKNOWN}) == 4
    assert await Actor.filter(username="bea").count() == 0
    assert await Account.all().count() == 2
    states = {i.id: state_of(i) for i in await invitations_of(await inviter.actor)}
    assert states == {expiring.id: "expired", once.id: "used up", withdrawn.id: "revoked"}


async def test_an_invitation_is_never_used_beyond_its_limit(
    database: str, settings: Settings
) -> None:
    inviter = await member(settings)
    invitation = await create_invitation(inviter, max_uses=5)
    for n in range(5):
        await join(settings, f"m{n}", invitation.code)
    with pytest.raises(ValidationFailed) as err:
        await join(settings, "sixth", invitation.code)
    assert err.value.errors == {"invite": USED_UP}
    await invitation.refresh_from_db()
    assert invitation.uses == 5
    assert await Account.filter(invitation_id=invitation.id).count() == 5


async def test_two_people_racing_for_the_last_use_cannot_both_have_it(
    database: str, settings: Settings
) -> None:
    inviter = await member(settings)
    invitation = await create_invitation(inviter, max_uses=1)
    results = await asyncio.gather(
        *(join(settings, f"racer{n}", invitation.code) for n in range(4)),
        return_exceptions=True,
    )
    joined = [r for r in results if isinstance(r, Account)]
    refused = [r for r in results if isinstance(r, ValidationFailed)]
    assert len(joined) == 1 and len(refused) == 3, results
    assert all(r.errors == {"invite": USED_UP} for r in refused)
    await invitation.refresh_from_db()
    assert invitation.uses == 1
    # The losers left nothing behind: no actor, no account.
    assert await Actor.filter(username__startswith="racer").count() == 1
    assert await Account.filter(invitation_id=invitation.id).count() == 1


async def test_only_the_inviter_revokes_and_recruits_stay_credited(
    database: str, settings: Settings
) -> None:
    inviter = await member(settings)
    other = await member(settings, "other")
    invitation = await create_invitation(inviter)
    await join(settings, "ana", invitation.code)
    assert not await revoke_invitation(other, invitation.id)
    assert await revoke_invitation(inviter, invitation.id)
    assert not await revoke_invitation(inviter, invitation.id)  # once
    assert [a.actor.username for a in await recruits_of(await inviter.actor)] == ["ana"]


async def test_choices_are_checked(database: str, settings: Settings) -> None:
    inviter = await member(settings)
    closed = await create_chapter("Committee", "committee", join_policy="closed")
    with pytest.raises(ValidationFailed) as err:
        await create_invitation(inviter, expires="2", max_uses=3, note="n" * 201,
                                chapter_id=closed.actor_id)  # type: ignore[attr-defined]
    assert set(err.value.errors) == {"expires", "max_uses", "note", "chapter"}
    assert await Invitation.all().count() == 0


async def test_an_invitation_to_a_chapter_asks_to_join_it(
    database: str, settings: Settings
) -> None:
    inviter = await member(settings)
    leeds = await create_chapter("Leeds", "leeds", join_policy="open")
    york = await create_chapter("York", "york", join_policy="approval")
    to_leeds = await create_invitation(inviter, chapter_id=leeds.actor_id)  # type: ignore[attr-defined]
    to_york = await create_invitation(inviter, chapter_id=york.actor_id)  # type: ignore[attr-defined]
    ana = await join(settings, "ana", to_leeds.code)
    bea = await join(settings, "bea", to_york.code)
    ana_follow = await Follow.get(follower_id=ana.actor_id, followed_id=leeds.actor_id)  # type: ignore[attr-defined]
    bea_follow = await Follow.get(follower_id=bea.actor_id, followed_id=york.actor_id)  # type: ignore[attr-defined]
    assert ana_follow.state == "accepted" and bea_follow.state == "pending"

    await join(settings, "cid", to_leeds.code)
    other = await member(settings, "other")
    await join(settings, "dan", (await create_invitation(other)).code)
    by_member = [(row.actor.username, row.count) for row in await recruitment_by_member()]
    assert by_member == [("inviter", 3), ("other", 1)]
    by_chapter = [(row.actor.username, row.count) for row in await recruitment_by_chapter()]
    assert by_chapter == [("leeds", 2), ("york", 1)]
