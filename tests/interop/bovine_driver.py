"""Drives a bovine-herd user through its client-to-server API, for the interop tests.

Run with bovine's own python (its virtualenv), never imported by our code or by pytest:
    python bovine_driver.py DOMAIN SECRET COMMAND [ARGS]
Commands: `follow URI`, `accept FOLLOW_ID`, `note TO_URI TEXT`, `proxy URL`, `inbox`.
Each prints one JSON document on standard output.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from bovine import BovineClient


async def inbox_items(actor: BovineClient) -> list[dict[str, Any]]:
    items = []
    async for item in actor.inbox():
        items.append(item)
    return items


async def run(domain: str, secret: str, command: str, args: list[str]) -> Any:
    async with BovineClient(domain=domain, secret=secret) as actor:
        if command == "actor":
            return actor.information
        if command == "follow":
            follow = actor.activity_factory.follow(args[0]).build()
            response = await actor.send_to_outbox(follow)
            return {"status": response.status, "location": response.headers.get("location")}
        if command == "accept":
            [item] = [i for i in await inbox_items(actor) if i.get("id") == args[0]]
            follower = item["actor"]["id"] if isinstance(item["actor"], dict) else item["actor"]
            accept = actor.activity_factory.accept(item["id"], to={follower}).build()
            response = await actor.send_to_outbox(accept)
            return {"status": response.status}
        if command == "note":
            note = actor.object_factory.note(to={args[0]}, content=args[1]).build()
            create = actor.activity_factory.create(note).build()
            response = await actor.send_to_outbox(create)
            return {"status": response.status, "note": note.get("id")}
        if command == "proxy":
            return await actor.proxy(args[0])
        if command == "inbox":
            return await inbox_items(actor)
    raise SystemExit(f"unknown command {command!r}")


if __name__ == "__main__":
    print(json.dumps(asyncio.run(run(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]))))
