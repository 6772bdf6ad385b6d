"""Registration and log-in: every refusal is clear and writes nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from actors.accounts import Registration, authenticate, member_count, register_member
from actors.errors import LoginFailed, ValidationFailed
from actors.models import Account, Actor
from core.settings import Settings


def reg(**overrides: object) -> Registration:
    values: dict[str, object] = {
        "username": "ana",
        "email": "ana@example.org",
        "password": "a long enough password",
        "accepted_commitments": True,
    }
    values.update(overrides)
    return Registration(**values)  # type: ignore[arg-type]


async def rows() -> tuple[int, int]:
    return await Actor.all().count(), await Account.all().count()


async def test_a_member_joins_having_accepted_the_commitments(
    database: str, settings: Settings
) -> None:
    account = await register_member(reg(display_name="Ana P."), settings.registration)
    await account.fetch_related("actor")
    assert account.actor.username == "ana" and account.actor.display_name == "Ana P."
    assert account.approved and account.role == "member"
    assert account.commitments_version == settings.registration.commitments_version
    assert account.commitments_accepted_at is not None
    assert account.password_hash.startswith("$argon2id$")
    assert "a long enough password" not in account.password_hash
    assert await member_count() == 1


@pytest.mark.parametrize("taken", ["ana", "ANA", "Ana"])
async def test_a_username_taken_in_any_letter_case_is_refused(
    database: str, settings: Settings, taken: str
) -> None:
    await register_member(reg(), settings.registration)
    with pytest.raises(ValidationFailed) as err:
        await register_member(reg(username=taken, email="other@example.org"), settings.registration)
    assert err.value.errors == {"username": "This username is taken."}
    assert await rows() == (1, 1)


@pytest.mark.parametrize(
    ("overrides", "field", "text"),
    [
        ({"password": ""}, "password", "Choose a password."),
        ({"password": "short"}, "password", "at least 8"),
        ({"accepted_commitments": False}, "commitments", "accepting the commitments"),
        ({"username": ""}, "username", "Choose a username."),
        ({"username": "ana maria"}, "username", "letters, digits or underscores"),
        ({"username": "x" * 31}, "username", "1 to 30"),
        ({"username": "Admin"}, "username", "reserved"),
        ({"email": "not-an-address"}, "email", "does not look like an email"),
        ({"email": ""}, "email", "Enter your email"),
        ({"display_name": "n" * 101}, "display_name", "at most 100"),
    ],
)
async def test_bad_input_is_refused_with_a_clear_message_and_writes_nothing(
    database: str, settings: Settings, overrides: dict, field: str, text: str
) -> None:
    with pytest.raises(ValidationFailed) as err:
        await register_member(reg(**overrides), settings.registration)
    assert text in err.value.errors[field]
    assert await rows() == (0, 0)


async def test_an_email_address_is_used_once_whatever_its_case(
    database: str, settings: Settings
) -> None:
    await register_member(reg(), settings.registration)
    with pytest.raises(ValidationFailed) as err:
        await register_member(reg(username="bea", email="ANA@Example.org"), settings.registration)
    assert "email" in err.value.errors
    assert await rows() == (1, 1)


async def test_approval_mode_needs_a_reason_and_holds_the_account(
    database: str, make_settings: Callable[..., Settings]
) -> None:
    rules = make_settings(mode="approval").registration
    with pytest.raises(ValidationFailed) as err:
        await register_member(reg(), rules)
    assert "reason" in err.value.errors
    account = await register_member(reg(reason="I organise in Leeds"), rules)
    assert not account.approved and account.application_reason == "I organise in Leeds"
    assert await member_count() == 0
    with pytest.raises(LoginFailed, match="waiting for an administrator"):
        await authenticate("ana", "a long enough password")


async def test_invite_mode_refuses_open_sign_up(
    database: str, make_settings: Callable[..., Settings]
) -> None:
    with pytest.raises(ValidationFailed) as err:
        await register_member(reg(), make_settings(mode="invite").registration)
    assert err.value.errors == {"invite": "Joining is by invitation only."}
    assert await rows() == (0, 0)


async def test_log_in_by_username_in_any_case_or_by_email(
    database: str, settings: Settings
) -> None:
    await register_member(reg(), settings.registration)
    for ident in ("ana", "ANA", "ana@example.org", " Ana@Example.org "):
        account = await authenticate(ident, "a long enough password")
        assert account.last_login_at is not None
    for ident, password in (
        ("ana", "wrong password!"),
        ("nobody", "a long enough password"),
        ("ana", ""),
    ):
        with pytest.raises(LoginFailed, match="Wrong username"):
            await authenticate(ident, password)


async def test_admins_created_from_the_command_line_skip_the_mode(
    database: str, make_settings: Callable[..., Settings]
) -> None:
    account = await register_member(
        reg(username="admin"), make_settings(mode="invite").registration, role="admin"
    )
    assert account.is_admin and account.approved and account.confirmed
