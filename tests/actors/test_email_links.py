"""Single-use emailed links and the services on them: stored as hashes, used once even when
clicked twice at the same moment, replaced by a newer link, refused when expired; password
resets that tell nothing about which addresses exist."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from actors.confirmations import confirm_address, send_confirmation
from actors.credentials import change_password, request_password_reset, reset_password
from actors.email_links import CONFIRM, RESET, claim_link, digest, issue_link, peek_link
from actors.errors import LinkRefused, ValidationFailed
from actors.models import Account, EmailToken
from actors.passwords import verify_password
from core import clock
from core.models import MailMessage
from core.settings import Settings
from tests.support.members import PASSWORD, new_member


async def account_of(settings: Settings, username: str) -> Account:
    actor = await new_member(settings, username)
    return await Account.get(actor_id=actor.id).prefetch_related("actor")


async def test_only_the_hash_of_a_link_is_stored(database: str, settings: Settings) -> None:
    account = await account_of(settings, "ann")
    token = await issue_link(account, CONFIRM, account.email)
    rows = await EmailToken.all()
    assert [r.id for r in rows] == [digest(token)]
    assert token not in rows[0].id


async def test_a_link_is_used_once_even_by_two_clicks_at_once(database: str,
                                                              settings: Settings) -> None:
    account = await account_of(settings, "bob")
    token = await issue_link(account, CONFIRM, account.email)
    await peek_link(token, CONFIRM)  # looking spends nothing
    outcomes = await asyncio.gather(claim_link(token, CONFIRM), claim_link(token, CONFIRM),
                                    return_exceptions=True)
    assert sum(isinstance(o, EmailToken) for o in outcomes) == 1
    assert [o.reason for o in outcomes if isinstance(o, LinkRefused)] == ["used"]


async def test_a_newer_link_voids_the_older_and_links_expire(database: str,
                                                             settings: Settings) -> None:
    account = await account_of(settings, "cy")
    old = await issue_link(account, CONFIRM, account.email)
    new = await issue_link(account, CONFIRM, account.email)
    with pytest.raises(LinkRefused) as refused:
        await peek_link(old, CONFIRM)
    assert refused.value.reason == "used"
    with pytest.raises(LinkRefused) as wrong_kind:
        await peek_link(new, RESET)
    assert wrong_kind.value.reason == "unknown"
    clock.set_clock(lambda: datetime.now(UTC) + timedelta(hours=48, seconds=1))
    try:
        with pytest.raises(LinkRefused) as expired:
            await confirm_address(new)
        assert expired.value.reason == "expired"
    finally:
        clock.set_clock(None)
    assert not (await Account.get(id=account.id)).confirmed


async def test_a_confirmation_for_an_address_no_longer_held_is_refused(
        database: str, settings: Settings) -> None:
    account = await account_of(settings, "dee")
    await send_confirmation(settings, account)
    mail = await MailMessage.get(to_address="dee@example.org")
    token = mail.body.split("/confirm/", 1)[1].split()[0]
    await Account.filter(id=account.id).update(email="dee@elsewhere.example")
    with pytest.raises(LinkRefused):
        await confirm_address(token)
    assert not (await Account.get(id=account.id)).confirmed


async def test_a_reset_for_an_unknown_address_sends_nothing_and_stores_nothing(
        database: str, settings: Settings) -> None:
    assert await request_password_reset(settings, "ghost@example.org") is False
    assert await request_password_reset(settings, "") is False
    assert not await EmailToken.exists()
    assert not await MailMessage.exists()


async def test_a_refused_new_password_leaves_the_reset_link_usable(
        database: str, settings: Settings) -> None:
    account = await account_of(settings, "eve")
    assert await request_password_reset(settings, "EVE@example.org ") is True
    mail = await MailMessage.get(to_address="eve@example.org")
    assert settings.instance.name in mail.body
    token = mail.body.split("/password/reset/", 1)[1].split()[0]
    with pytest.raises(ValidationFailed) as short:
        await reset_password(token, "tiny", settings.registration)
    assert "new" in short.value.errors
    done = await reset_password(token, "a long new password", settings.registration)
    assert done.id == account.id and done.confirmed  # the link proved the address
    assert await verify_password((await Account.get(id=account.id)).password_hash,
                                 "a long new password")
    with pytest.raises(LinkRefused):
        await reset_password(token, "another long password", settings.registration)


async def test_changing_the_password_needs_the_current_one(database: str,
                                                           settings: Settings) -> None:
    account = await account_of(settings, "fox")
    with pytest.raises(ValidationFailed) as wrong:
        await change_password(account, "guess", "a fine new password", settings.registration)
    assert set(wrong.value.errors) == {"current"}
    with pytest.raises(ValidationFailed) as same:
        await change_password(account, PASSWORD, PASSWORD, settings.registration)
    assert set(same.value.errors) == {"new"}
    await change_password(account, PASSWORD, "a fine new password", settings.registration)
    stored = (await Account.get(id=account.id)).password_hash
    assert await verify_password(stored, "a fine new password")
