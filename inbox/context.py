"""What every inbox handler gets besides the activity: this server's URLs and a client."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from actors.urls import LocalUrls
from federation import FederationClient


@dataclass(frozen=True)
class InboxContext:
    """`urls` of this server; `client()` the (lazily made) signed-fetch HTTP client."""

    urls: LocalUrls
    client: Callable[[], FederationClient]
