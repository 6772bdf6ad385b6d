"""Single-use links sent by email: made, looked at, claimed once, voided; only hashes kept."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from actors.errors import LinkRefused
from actors.models import Account, EmailToken
from core import clock

CONFIRM, RESET, CHANGE = "confirm", "reset", "change"
#: How long a link works: an address confirmation two days, a password reset one hour.
LIFETIMES = {CONFIRM: timedelta(hours=48), CHANGE: timedelta(hours=48), RESET: timedelta(hours=1)}
#: Where each kind of link leads (the token follows as the last path segment).
PATHS = {CONFIRM: "/confirm", CHANGE: "/confirm-email", RESET: "/password/reset"}
TOKEN_MAX = 100


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_for(base_url: str, purpose: str, token: str) -> str:
    """The absolute address the email gives, from the configured base URL."""
    return f"{base_url.rstrip('/')}{PATHS[purpose]}/{token}"


async def void_links(account_id: int, purpose: str) -> None:
    """Make every unused link of this kind of the account unusable (a newer one replaces
    them, or what they were for is done)."""
    await EmailToken.filter(account_id=account_id, purpose=purpose,
                            used_at__isnull=True).update(used_at=clock.now())


async def issue_link(account: Account, purpose: str, email: str) -> str:
    """A new link's token for `account` (earlier unused ones of the same kind are voided);
    only its SHA-256 is stored. Call inside the transaction that sends the mail."""
    await void_links(account.id, purpose)
    token = secrets.token_urlsafe(32)
    now = clock.now()
    await EmailToken.create(id=digest(token), account=account, purpose=purpose, email=email,
                            created_at=now, expires_at=now + LIFETIMES[purpose])
    return token


async def recent_links(purpose: str, *, email: str | None = None, account_id: int | None = None,
                       within: timedelta) -> int:
    """How many links of this kind were made lately for an address or an account (the
    rate limits read it, so they hold across processes)."""
    query = EmailToken.filter(purpose=purpose, created_at__gte=clock.now() - within)
    if email is not None:
        query = query.filter(email=email)
    if account_id is not None:
        query = query.filter(account_id=account_id)
    return await query.count()


async def peek_link(token: str, purpose: str) -> EmailToken:
    """The usable link for `token` (with its account and actor), without using it up;
    LinkRefused (unknown, used, expired) otherwise."""
    if not token or len(token) > TOKEN_MAX:
        raise LinkRefused("unknown")
    found = await EmailToken.get_or_none(id=digest(token), purpose=purpose).prefetch_related(
        "account__actor")
    if found is None:
        raise LinkRefused("unknown")
    if found.used_at is not None:
        raise LinkRefused("used")
    if found.expires_at <= clock.now():
        raise LinkRefused("expired")
    return found


async def claim_link(token: str, purpose: str) -> EmailToken:
    """Use the link up (once: a conditional update, so two clicks at the same moment do not
    both pass). Call inside the transaction that does what the link is for."""
    found = await peek_link(token, purpose)
    claimed = await EmailToken.filter(id=found.id, used_at__isnull=True).update(
        used_at=clock.now())
    if not claimed:
        raise LinkRefused("used")
    return found
