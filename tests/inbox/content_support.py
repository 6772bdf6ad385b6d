"""Helpers of the content inbox tests: real payloads moved onto fake hosts, Creates."""

from __future__ import annotations

import json
from typing import Any

import httpx

from core.settings import Settings
from tests.inbox.fediverse import FakeActor, load_interop, signed_headers


def moved(fixture: str, origins: dict[str, str]) -> dict[str, Any]:
    """A real payload with each original origin replaced by a fake https one."""
    text = json.dumps(load_interop(fixture))
    for old, new in origins.items():
        text = text.replace(old, new)
    return json.loads(text)


def create_of(obj: dict[str, Any], actor: str, n: int = 1) -> dict[str, Any]:
    """The Create a server wraps around its object (Mastodon's shape: `{object}/activity`)."""
    return {"@context": "https://www.w3.org/ns/activitystreams",
            "id": f"{obj['id']}/activity" if n == 1 else f"{obj['id']}/activity/{n}",
            "type": "Create", "actor": actor, "object": obj,
            "to": obj.get("to", []), "cc": obj.get("cc", [])}


def note(actor: FakeActor, n: int, content: str = "<p>hello</p>", **extra: Any,
         ) -> dict[str, Any]:
    return {"id": f"{actor.uri}/statuses/{n}", "type": "Note", "attributedTo": actor.uri,
            "content": content, "published": "2024-05-01T10:00:00Z",
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "cc": [f"{actor.uri}/followers"], **extra}


async def send(client: httpx.AsyncClient, settings: Settings, doc: Any, actor: FakeActor,
               path: str = "/inbox") -> int:
    body = json.dumps(doc).encode()
    headers = signed_headers(settings, path, body, actor.signer)
    return (await client.post(path, content=body, headers=headers)).status_code
