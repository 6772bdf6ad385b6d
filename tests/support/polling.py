"""Waiting for what another process does (a delivery, a retry): poll with a deadline."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

DEADLINE = 30.0


async def eventually(check: Callable[[], Awaitable[Any]], what: str,
                     within: float = DEADLINE) -> Any:
    """Poll `check` until it returns something true, and return that; fail after `within`."""
    deadline = time.monotonic() + within
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {within}s: {what}")
        await asyncio.sleep(0.1)  # another process works; there is nothing of ours to await
