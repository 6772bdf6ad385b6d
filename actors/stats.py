"""Counts about the organization for NodeInfo and the home page."""

from __future__ import annotations

from datetime import timedelta

from actors.models import Account
from core import clock


async def active_member_count(days: int) -> int:
    """Approved members who logged in during the last `days` days."""
    since = clock.now() - timedelta(days=days)
    return await Account.filter(approved=True, last_login_at__gte=since).count()
