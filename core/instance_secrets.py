"""Instance-wide random secrets, made once and kept in the database."""

from __future__ import annotations

import base64
import secrets

from tortoise.exceptions import IntegrityError

from core.models import InstanceSecret


async def get_or_create_secret(name: str) -> bytes:
    """The secret called `name`, made with 32 random bytes the first time it is asked for.

    Two processes starting at once both end up with the one that was stored first.
    """
    row = await InstanceSecret.get_or_none(name=name)
    if row is None:
        try:
            row = await InstanceSecret.create(name=name, value=secrets.token_urlsafe(32))
        except IntegrityError:
            row = await InstanceSecret.get(name=name)
    return base64.urlsafe_b64decode(row.value + "=" * (-len(row.value) % 4))
