"""Member accounts: registration (with the commitments), log-in, admins, member counts."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tortoise.exceptions import IntegrityError

from actors.errors import LoginFailed, ValidationFailed
from actors.keys import new_key_pair
from actors.models import USERNAME_MAX, Account, Actor
from actors.passwords import hash_password, needs_rehash, verify_password
from core import clock
from core.db import in_transaction
from core.settings import RegistrationSettings

USERNAME_RE = re.compile(rf"^[A-Za-z0-9_]{{1,{USERNAME_MAX}}}$")
EMAIL_RE = re.compile(
    r"^[^@\s<>\"']{1,64}@[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?\.[A-Za-z]{2,63}$"
)
PASSWORD_MAX = 1024
DISPLAY_NAME_MAX = 100
REASON_MAX = 2000
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
        return "Choose a username."
    if not USERNAME_RE.match(username):
        return f"Use 1 to {USERNAME_MAX} letters, digits or underscores."
    if not allow_reserved and username.lower() in RESERVED_USERNAMES:
        return "This username is reserved."
    return None


def _validate(reg: Registration, rules: RegistrationSettings, *, admin: bool) -> dict[str, str]:
    errors: dict[str, str] = {}
    if problem := validate_username(reg.username, allow_reserved=admin):
        errors["username"] = problem
    email = normalize_email(reg.email)
    if not email:
        errors["email"] = "Enter your email address."
    elif len(email) > 254 or not EMAIL_RE.match(email):
        errors["email"] = "This does not look like an email address."
    if not reg.password:
        errors["password"] = "Choose a password."  # noqa: S105 (a message, not a secret)
    elif len(reg.password) < rules.min_password_length:
        errors["password"] = f"Use at least {rules.min_password_length} characters."
    elif len(reg.password) > PASSWORD_MAX:
        errors["password"] = f"Use at most {PASSWORD_MAX} characters."
    if len(reg.display_name) > DISPLAY_NAME_MAX:
        errors["display_name"] = f"Use at most {DISPLAY_NAME_MAX} characters."
    if not reg.accepted_commitments:
        errors["commitments"] = "Joining means accepting the commitments; tick the box to accept."
    if not admin and rules.mode == "approval":
        if not reg.reason.strip():
            errors["reason"] = "Tell us briefly why you want to join."
        elif len(reg.reason) > REASON_MAX:
            errors["reason"] = f"Use at most {REASON_MAX} characters."
    if not admin and rules.mode == "invite":
        errors["invite"] = "Joining is by invitation only."
    return errors


async def _taken(username: str, email: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if await Actor.filter(acct_key=Actor.key_for(username, None)).exists():
        errors["username"] = "This username is taken."
    if await Account.filter(email=email).exists():
        errors["email"] = "An account with this email address exists already."
    return errors


async def register_member(
    reg: Registration, rules: RegistrationSettings, *, role: str = "member"
) -> Account:
    """Create a member who accepted the commitments; raise ValidationFailed and write nothing
    when anything is wrong (a taken username in any letter case, an empty password…).

    In `approval` mode the account waits for an admin; admins made by the CLI skip the mode.
    """
    admin = role == "admin"
    errors = _validate(reg, rules, admin=admin)
    email = normalize_email(reg.email)
    # A taken name or address is reported with the other mistakes, so the form says it all
    # at once; a field that is malformed already keeps its own message.
    for field, message in (await _taken(reg.username, email)).items():
        errors.setdefault(field, message)
    if errors:
        raise ValidationFailed(errors)
    password_hash = await hash_password(reg.password)
    private_pem, public_pem = await new_key_pair()
    try:
        async with in_transaction():
            actor = await Actor.create(
                kind="Person",
                username=reg.username,
                domain=None,
                acct_key=Actor.key_for(reg.username, None),
                display_name=reg.display_name.strip() or reg.username,
                private_key_pem=private_pem,
                public_key_pem=public_pem,
            )
            return await Account.create(
                actor=actor,
                email=email,
                password_hash=password_hash,
                role=role,
                confirmed=admin,
                approved=admin or rules.mode == "open",
                application_reason=reg.reason.strip(),
                commitments_version=rules.commitments_version,
                commitments_accepted_at=clock.now(),
            )
    except IntegrityError:
        # Someone took the name or address between our check and our insert.
        raise ValidationFailed(
            await _taken(reg.username, email) or {"username": "This username is taken."}
        ) from None


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
        raise LoginFailed("Wrong username, email address or password.")
    if not account.approved:
        raise LoginFailed("Your application is waiting for an administrator's approval.")
    if needs_rehash(account.password_hash):
        account.password_hash = await hash_password(password)
    account.last_login_at = clock.now()
    await account.save(update_fields=["last_login_at", "password_hash"])
    return account


async def member_count() -> int:
    """Members who may take part: approved local accounts."""
    return await Account.filter(approved=True).count()
