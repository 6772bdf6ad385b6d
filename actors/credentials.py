"""A member's password and language: changing the password, resetting a forgotten one by an
emailed link, choosing the language of the interface."""

from __future__ import annotations

import logging
from datetime import timedelta

from actors.accounts import PASSWORD_MAX, normalize_email
from actors.email_links import RESET, claim_link, issue_link, link_for, recent_links, void_links
from actors.errors import ValidationFailed
from actors.models import Account
from actors.passwords import hash_password, verify_password
from core.db import in_transaction
from core.mail import send_mail
from core.messages import N_
from core.settings import LANGUAGES, RegistrationSettings, Settings

log = logging.getLogger(__name__)

#: Reset links sent to one address: at most this many an hour.
RESETS_PER_HOUR = 3
#: Account.locale: "" follows the browser, else one of the shipped languages.
LOCALES = ("", *LANGUAGES)


def check_new_password(password: str, rules: RegistrationSettings) -> str | None:
    """An error message for a password we would not accept, or None."""
    if not password:
        return N_("Choose a password.")
    if len(password) < rules.min_password_length:
        return N_("Use at least %(min)s characters.", min=rules.min_password_length)
    if len(password) > PASSWORD_MAX:
        return N_("Use at most %(max)s characters.", max=PASSWORD_MAX)
    return None


async def change_password(account: Account, current: str, new: str,
                          rules: RegistrationSettings) -> None:
    """Set a new password, given the current one (ValidationFailed: `current`, `new`).
    Ending the other sessions and the apps' tokens is the web layer's part."""
    errors: dict[str, str] = {}
    if not await verify_password(account.password_hash, current[:PASSWORD_MAX]):
        errors["current"] = N_("This is not your current password.")
    if problem := check_new_password(new, rules):
        errors["new"] = problem
    elif new == current:
        errors["new"] = N_("Choose a password different from the current one.")
    if errors:
        raise ValidationFailed(errors)
    account.password_hash = await hash_password(new)
    await account.save(update_fields=["password_hash"])


async def request_password_reset(settings: Settings, email: str) -> bool:
    """Mail a reset link (valid one hour, single use) to the account with this address.

    The caller answers the same whatever happens, so nobody learns which addresses have an
    account: False (nothing sent) for an unknown address, a malformed one, or a fourth
    request within the hour."""
    address = normalize_email(email)[:254]
    if not address:
        return False
    account = await Account.get_or_none(email=address).prefetch_related("actor")
    if account is None:
        return False
    if await recent_links(RESET, email=address, within=timedelta(hours=1)) >= RESETS_PER_HOUR:
        log.info("password reset for account %s not sent: rate limit", account.id)
        return False
    name = settings.instance.name
    async with in_transaction():
        token = await issue_link(account, RESET, address)
        link = link_for(settings.server.base_url, RESET, token)
        await send_mail(
            settings.email, address, f"Reset your password at {name}",
            f"Hello {account.actor.display_name or account.actor.username},\n\n"
            f"Someone asked to reset the password of your account {account.actor.username} "
            f"at {name}. To choose a new password, follow this link:\n\n{link}\n\n"
            "The link works once, for one hour. If you did not ask for this, ignore this "
            "message: your password stays as it is.\n",
        )
    return True


async def reset_password(token: str, new: str, rules: RegistrationSettings) -> Account:
    """Set a new password through a reset link: ValidationFailed (`new`) leaves the link
    usable, LinkRefused when it is unknown, used or expired. Following the link proves the
    address, so the account is confirmed too. Call it inside the transaction that ends the
    account's sessions and tokens (the web layer's records)."""
    if problem := check_new_password(new, rules):
        raise ValidationFailed({"new": problem})
    password_hash = await hash_password(new)
    async with in_transaction():
        link = await claim_link(token, RESET)
        account = link.account
        await void_links(account.id, RESET)
        confirmed = account.confirmed or link.email == account.email
        await Account.filter(id=account.id).update(password_hash=password_hash,
                                                   confirmed=confirmed)
    account.password_hash, account.confirmed = password_hash, confirmed
    return account


async def set_locale(account: Account, locale: str) -> None:
    """The interface language: "" (the browser's choice) or a shipped language."""
    if locale not in LOCALES:
        raise ValidationFailed({"locale": N_("Choose one of the languages offered.")})
    account.locale = locale
    await account.save(update_fields=["locale"])
