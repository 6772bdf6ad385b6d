"""ActivityStreams → model fields: remote actors (more converters come with content)."""

from __future__ import annotations

from typing import Any

from federation import Actor as APActor
from federation import parse_url

_USERNAME_MAX = 100
_NAME_MAX = 200
_SUMMARY_MAX = 5000


def from_ap_actor(doc: APActor, key_id: str | None = None) -> dict[str, Any]:
    """Actor model columns from a parsed actor document (the key `key_id` when given,
    else the first published one). Free text is capped; HTML in summary is kept as given
    and must be sanitized when shown."""
    key = doc.key_by_id(key_id) if key_id else doc.public_key
    username = doc.preferred_username or parse_url(doc.id).path.rstrip("/").rsplit("/", 1)[-1]
    return {
        "kind": doc.type,
        "username": (username or "unknown")[:_USERNAME_MAX],
        "display_name": (doc.name or "")[:_NAME_MAX],
        "summary": (doc.summary or "")[:_SUMMARY_MAX],
        "inbox": doc.inbox,
        "shared_inbox": doc.shared_inbox,
        "outbox": doc.outbox,
        "followers": doc.followers,
        "following": doc.following,
        "featured": doc.featured,
        "url": doc.url,
        "manually_approves_followers": doc.manually_approves_followers,
        "public_key_id": key.id if key else None,
        "public_key_pem": key.public_key_pem if key else None,
    }
