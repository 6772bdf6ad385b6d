"""Member accounts: registration (with the commitments, an invitation or an application),
the admins' review of applications, log-in, member counts."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

from tortoise.exceptions import IntegrityError

from actors.errors import LoginFailed, ValidationFailed
from actors.follows import follow_actor
from actors.invitations import claim_use, find_usable_invitation
from actors.keys import new_key_pair
from actors.models import USERNAME_MAX, Account, Actor, Invitation
from actors.passwords import hash_password, needs_rehash, verify_password
from actors.urls import LocalUrls
from core import clock
from core.db import in_transaction
from core.mail import send_mail
from core.messages import N_
from core.settings import RegistrationSettings, Settings

log = logging.getLogger(__name__)

USERNAME_RE = re.compile(rf"^[A-Za-z0-9_]{{1,{USERNAME_MAX}}}$")
EMAIL_RE = re.compile(
    r"^[^@\s<>\"']{1,64}@[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?\.[A-Za-z]{2,63}$"
)
PASSWORD_MAX = 1024
DISPLAY_NAME_MAX = 100
REASON_MAX = 2000
REVIEW_NOTE_MAX = 2000
# Names that would collide with our own paths, the instance actor or well-known roles.
RESERVED_USERNAMES = frozenset(
    {
        "admin",
        "administrator",
        "root",
        "system",
        "instance",
        "actor",
        "inbox",
        "outbox",
        "api",
        "oauth",
        "about",
        "login",
        "logout",
        "join",
        "settings",
        "static",
        "media",
        "users",
        "chapters",
        "well_known",
        "nodeinfo",
        "webfinger",
        "support",
        "postmaster",
        "abuse",
        "security",
        "moderator",
        "moderators",
        "chapterhouse",
    }
)


@dataclass(frozen=True)
class Registration:
    """What a person typed on the join form (or a client sent)."""

    username: str
    email: str
    password: str
    accepted_commitments: bool
    display_name: str = ""
    reason: str = ""


def normalize_email(email: str) -> str:
    return email.strip().lower()


def validate_username(username: str, *, allow_reserved: bool = False) -> str | None:
    """An error message for an unacceptable username, or None."""
    if not username:
        return N_("Choose a username.")
    if not USERNAME_RE.match(username):
        return N_("Use 1 to %(max)s letters, digits or underscores.", max=USERNAME_MAX)
    if not allow_reserved and username.lower() in RESERVED_USERNAMES:
        return N_("This username is reserved.")
    return None


def _validate(
    reg: Registration, rules: RegistrationSettings, *, admin: bool, invited: bool
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if problem := validate_username(reg.username, allow_reserved=admin):
        errors["username"] = problem
    email = normalize_email(reg.email)
    if not email:
        errors["email"] = N_("Enter your email address.")
    elif len(email) > 254 or not EMAIL_RE.match(email):
        errors["email"] = N_("This does not look like an email address.")
    if not reg.password:
        errors["password"] = N_("Choose a password.")
    elif len(reg.password) < rules.min_password_length:
        errors["password"] = N_("Use at least %(min)s characters.", min=rules.min_password_length)
    elif len(reg.password) > PASSWORD_MAX:
        errors["password"] = N_("Use at most %(max)s characters.", max=PASSWORD_MAX)
    if len(reg.display_name) > DISPLAY_NAME_MAX:
        errors["display_name"] = N_("Use at most %(max)s characters.", max=DISPLAY_NAME_MAX)
    if not reg.accepted_commitments:
        errors["commitments"] = N_("Joining means accepting the commitments; tick the box to accept.")
    # An invitation from a member stands in for the admins' approval (as in Mastodon), and
    # is the only way in when the mode is `invite`.
    if not admin and not invited and rules.mode == "approval":
        if not reg.reason.strip():
            errors["reason"] = N_("Tell us briefly why you want to join.")
        elif len(reg.reason) > REASON_MAX:
            errors["reason"] = N_("Use at most %(max)s characters.", max=REASON_MAX)
    if not admin and not invited and rules.mode == "invite":
        errors["invite"] = N_("Joining is by invitation only.")
    return errors


async def _taken(username: str, email: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if await Actor.filter(acct_key=Actor.key_for(username, None)).exists():
        errors["username"] = N_("This username is taken.")
    if await Account.filter(email=email).exists():
        errors["email"] = N_("An account with this email address exists already.")
    return errors


async def register_member(
    reg: Registration,
    rules: RegistrationSettings,
    *,
    role: str = "member",
    invitation_code: str | None = None,
    urls: LocalUrls | None = None,
) -> Account:
    """Create a member who accepted the commitments; raise ValidationFailed and write nothing
    when anything is wrong (a taken username in any letter case, an empty password, an
    expired invitation…).

    In `approval` mode the account waits for an admin; admins made by the CLI skip the mode.
    With `invitation_code` (any mode) the account is approved at once and credited to the
    inviter, and one use of the invitation is taken in the same transaction; when the
    invitation names a chapter the new member asks to join it (`urls` needed for that).
    """
    admin = role == "admin"
    invited = bool(invitation_code) and not admin
    errors = _validate(reg, rules, admin=admin, invited=invited)
    invitation: Invitation | None = None
    if invited:
        try:
            invitation = await find_usable_invitation(invitation_code or "")
        except ValidationFailed as exc:
            errors.update(exc.errors)
    email = normalize_email(reg.email)
    # A taken name or address is reported with the other mistakes, so the form says it all
    # at once; a field that is malformed already keeps its own message.
    for field, message in (await _taken(reg.username, email)).items():
        errors.setdefault(field, message)
    if errors:
        raise ValidationFailed(errors)
    chapter = invitation.chapter if invitation is not None else None
    if chapter is not None and urls is None:
        raise ValueError("register_member: an invitation to a chapter needs the urls")
    password_hash = await hash_password(reg.password)
    private_pem, public_pem = await new_key_pair()
    try:
        async with in_transaction():
            if invitation is not None:
                await claim_use(invitation)  # raises (and rolls back) when the race was lost
            actor = await Actor.create(
                kind="Person",
                username=reg.username,
                domain=None,
                acct_key=Actor.key_for(reg.username, None),
                display_name=reg.display_name.strip() or reg.username,
                private_key_pem=private_pem,
                public_key_pem=public_pem,
            )
            account = await Account.create(
                actor=actor,
                email=email,
                password_hash=password_hash,
                role=role,
                confirmed=admin,
                approved=admin or invitation is not None or rules.mode == "open",
                application_reason="" if invitation is not None else reg.reason.strip(),
                commitments_version=rules.commitments_version,
                commitments_accepted_at=clock.now(),
                invited_by=invitation.inviter if invitation else None,
                invitation=invitation,
            )
    except IntegrityError:
        # Someone took the name or address between our check and our insert.
        raise ValidationFailed(
            await _taken(reg.username, email) or {"username": N_("This username is taken.")}
        ) from None
    if chapter is not None and urls is not None:
        try:
            await follow_actor(urls, actor, chapter)
        except ValidationFailed as exc:  # the chapter was closed since the link was made
            log.info("new member %s cannot ask to join %s: %s", actor.username,
                     chapter.username, exc)
    return account


PENDING_MESSAGE = N_("Your application is waiting for an administrator's approval.")


def rejection_message(account: Account) -> str:
    """What a rejected applicant reads when logging in (with the note the admin wrote)."""
    if account.review_note:
        return N_("Your application was not accepted. The administrators wrote: %(note)s",
                  note=account.review_note)
    return N_("Your application was not accepted.")


async def authenticate(identifier: str, password: str) -> Account:
    """The account for an email address or username and its password, or LoginFailed."""
    ident = identifier.strip()
    account: Account | None
    if "@" in ident:
        account = await Account.get_or_none(email=normalize_email(ident))
    else:
        account = await Account.filter(actor__acct_key=Actor.key_for(ident, None)).first()
    ok = await verify_password(account.password_hash if account else None, password[:PASSWORD_MAX])
    if account is None or not ok:
        raise LoginFailed(N_("Wrong username, email address or password."))
    if account.rejected_at is not None:
        raise LoginFailed(rejection_message(account))
    if not account.approved:
        raise LoginFailed(PENDING_MESSAGE)
    if needs_rehash(account.password_hash):
        account.password_hash = await hash_password(password)
    account.last_login_at = clock.now()
    await account.save(update_fields=["last_login_at", "password_hash"])
    return account


async def member_count() -> int:
    """Members who may take part: approved local accounts."""
    return await Account.filter(approved=True).count()


# --- the applications queue (registration mode `approval`) ---------------------------------


async def pending_applications(limit: int = 500) -> list[Account]:
    """Applications waiting for the admins, oldest first, with the actor and any inviter."""
    return (
        await Account.filter(approved=False, rejected_at__isnull=True)
        .order_by("created_at", "id")
        .limit(limit)
        .prefetch_related("actor", "invited_by")
    )


async def accept_application(
    settings: Settings, account_id: int, reviewer: Actor
) -> Account | None:
    """An admin accepts a pending application: the member may log in. When SMTP is configured
    the applicant gets a welcome with the log-in link (else it is logged and listed for the
    admins). None when there is no such pending application (answered already)."""
    now = clock.now()
    async with in_transaction():
        done = await Account.filter(
            id=account_id, approved=False, rejected_at__isnull=True
        ).update(approved=True, reviewed_at=now, reviewed_by_id=reviewer.id)
        if not done:
            return None
        account = await Account.get(id=account_id).prefetch_related("actor")
        name = settings.instance.name
        await send_mail(
            settings.email,
            account.email,
            f"Welcome to {name}",
            f"Hello {account.actor.display_name or account.actor.username},\n\n"
            f"Your application to join {name} has been accepted. Welcome!\n\n"
            f"Log in as {account.actor.username} here:\n"
            f"{settings.server.base_url.rstrip('/')}/login\n",
        )
    return account


async def reject_applications(
    settings: Settings, account_ids: Sequence[int], reviewer: Actor, note: str = ""
) -> list[Account]:
    """An admin rejects pending applications, with an optional note to the applicants (told
    by email when SMTP is configured, and when they try to log in). The accounts stay, so
    their usernames and addresses stay taken. Returns those rejected now."""
    note = note.strip()[:REVIEW_NOTE_MAX]
    now = clock.now()
    rejected: list[Account] = []
    name = settings.instance.name
    async with in_transaction():
        for account_id in dict.fromkeys(account_ids):
            done = await Account.filter(
                id=account_id, approved=False, rejected_at__isnull=True
            ).update(rejected_at=now, reviewed_at=now, reviewed_by_id=reviewer.id,
                     review_note=note)
            if not done:
                continue
            account = await Account.get(id=account_id).prefetch_related("actor")
            body = (
                f"Hello {account.actor.display_name or account.actor.username},\n\n"
                f"Your application to join {name} was not accepted.\n"
            )
            if note:
                body += f"\nThe administrators wrote:\n\n{note}\n"
            await send_mail(settings.email, account.email, f"Your application to {name}", body)
            rejected.append(account)
    return rejected


async def reject_application(
    settings: Settings, account_id: int, reviewer: Actor, note: str = ""
) -> Account | None:
    """Reject one pending application (see reject_applications); None if none is pending."""
    rejected = await reject_applications(settings, [account_id], reviewer, note)
    return rejected[0] if rejected else None
