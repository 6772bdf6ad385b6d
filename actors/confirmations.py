"""Email addresses: the confirmation mail on joining (and its resending), following it, and
moving an account to a new address, which takes effect only when the new one confirms."""

from __future__ import annotations

from datetime import timedelta

from tortoise.exceptions import IntegrityError

from actors.accounts import EMAIL_RE, normalize_email
from actors.email_links import CHANGE, CONFIRM, claim_link, issue_link, link_for, recent_links
from actors.errors import LinkRefused, ValidationFailed
from actors.models import Account, EmailToken
from actors.passwords import verify_password
from core import clock
from core.db import in_transaction
from core.mail import send_mail
from core.messages import N_
from core.settings import Settings

#: Resending the confirmation: at most once a minute and five times a day per account.
RESEND_GAP = timedelta(minutes=1)
RESEND_PER_DAY = 5


def _hello(account: Account) -> str:
    return f"Hello {account.actor.display_name or account.actor.username},\n\n"


async def send_confirmation(settings: Settings, account: Account) -> None:
    """Mail `account` a link that confirms its address (valid 48 hours, single use; a new one
    voids the earlier ones). The account's actor must be loaded."""
    name = settings.instance.name
    async with in_transaction():
        token = await issue_link(account, CONFIRM, account.email)
        link = link_for(settings.server.base_url, CONFIRM, token)
        await send_mail(
            settings.email, account.email, f"Confirm your email address for {name}",
            _hello(account)
            + f"Please confirm that {account.email} is your address at {name} by following "
            f"this link:\n\n{link}\n\nThe link works once, for 48 hours. If you did not join "
            f"{name}, ignore this message.\n",
        )


async def resend_confirmation(settings: Settings, account: Account) -> bool:
    """Send the confirmation again, unless the address is confirmed already or one was sent
    in the last minute or five today (False then: nothing sent)."""
    if account.confirmed:
        return False
    if await recent_links(CONFIRM, account_id=account.id, within=RESEND_GAP):
        return False
    if await recent_links(CONFIRM, account_id=account.id,
                          within=timedelta(days=1)) >= RESEND_PER_DAY:
        return False
    await send_confirmation(settings, account)
    return True


async def confirm_address(token: str) -> Account:
    """Follow a confirmation link: the account's address is confirmed. LinkRefused when the
    link is unknown, used, expired, or names an address the account no longer has."""
    async with in_transaction():
        link = await claim_link(token, CONFIRM)
        account = link.account
        if link.email != account.email:
            raise LinkRefused("unknown")
        await Account.filter(id=account.id).update(confirmed=True)
    account.confirmed = True
    return account


def check_email(email: str) -> str | None:
    """An error message for an address we cannot use, or None."""
    if not email:
        return N_("Enter your email address.")
    if len(email) > 254 or not EMAIL_RE.match(email):
        return N_("This does not look like an email address.")
    return None


async def request_email_change(settings: Settings, account: Account, new_email: str,
                               password: str) -> str:
    """Ask to move `account` to `new_email`: with the current password, to an address no
    account has. A link goes to the new address; nothing changes until it is followed.
    Returns the normalized address."""
    email = normalize_email(new_email)
    errors: dict[str, str] = {}
    if problem := check_email(email):
        errors["email"] = problem
    elif email == account.email:
        errors["email"] = N_("This is your address already.")
    elif await Account.filter(email=email).exists():
        errors["email"] = N_("An account with this email address exists already.")
    if not await verify_password(account.password_hash, password):
        errors["password"] = N_("This is not your current password.")
    if errors:
        raise ValidationFailed(errors)
    name = settings.instance.name
    async with in_transaction():
        token = await issue_link(account, CHANGE, email)
        link = link_for(settings.server.base_url, CHANGE, token)
        await send_mail(
            settings.email, email, f"Confirm your new email address for {name}",
            _hello(account)
            + f"You asked to use {email} for your account {account.actor.username} at "
            f"{name}. Follow this link to make the change:\n\n{link}\n\nThe link works once, "
            f"for 48 hours. Until then your address stays {account.email}. If you did not "
            "ask for this, ignore this message.\n",
        )
    return email


async def pending_email_change(account: Account) -> str | None:
    """The new address waiting for its confirmation, if any."""
    link = await EmailToken.filter(account_id=account.id, purpose=CHANGE, used_at__isnull=True,
                                   expires_at__gt=clock.now()).order_by("-created_at").first()
    return link.email if link is not None else None


async def confirm_email_change(settings: Settings, token: str) -> Account:
    """Follow the link sent to a new address: it becomes the account's (and is confirmed);
    the old address is told. LinkRefused (`taken`) when another account took it meanwhile."""
    try:
        async with in_transaction():
            link = await claim_link(token, CHANGE)
            account = link.account
            old = account.email
            await Account.filter(id=account.id).update(email=link.email, confirmed=True)
            name = settings.instance.name
            await send_mail(
                settings.email, old, f"Your email address at {name} was changed",
                _hello(account)
                + f"The email address of your account {account.actor.username} at {name} "
                f"is now {link.email}. If you did not make this change, write to the "
                "administrators at once.\n",
            )
    except IntegrityError:
        raise LinkRefused("taken") from None
    account.email, account.confirmed = link.email, True
    return account
