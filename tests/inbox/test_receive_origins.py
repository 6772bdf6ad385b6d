"""Origin and identity rules at the inbox (security catalogue B): an actor speaks only for
itself, and blocked servers are refused before any key is fetched."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from actors.blocks import block_domain
from core.settings import Settings
from tests.inbox.fediverse import FakeActor, FakeFediverse, Local, nothing_stored, signed_headers

PATH = "/inbox"


@dataclass
class Spoof:
    name: str
    activity: Callable[[FakeActor, FakeActor, str], dict[str, Any]]
    status: int
    max_fetches: int
    signer: str = "alice"  # which fake actor signs: alice, or bob on the same host


def _note(id_: str, author: str) -> dict[str, Any]:
    return {"id": id_, "type": "Note", "attributedTo": author, "content": "hi",
            "to": ["https://www.w3.org/ns/activitystreams#Public"]}


SPOOFS = [
    Spoof("activity id on another host",
          lambda a, b, us: {"id": "https://evil.test/follows/1", "type": "Follow",
                            "actor": a.uri, "object": f"{us}/users/alice"}, 403, 0),
    Spoof("Create of an object on another host",
          lambda a, b, us: {"id": f"{a.uri}/create/1", "type": "Create", "actor": a.uri,
                            "object": _note("https://victim.test/notes/1", a.uri)}, 403, 0),
    Spoof("Create of an object attributed to someone else",
          lambda a, b, us: {"id": f"{a.uri}/create/2", "type": "Create", "actor": a.uri,
                            "object": _note(f"{a.uri}/notes/2", b.uri)}, 403, 0),
    Spoof("Undo of another actor's Follow",
          lambda a, b, us: {"id": f"{a.uri}/undo/1", "type": "Undo", "actor": a.uri,
                            "object": {"id": f"{b.uri}#follows/1", "type": "Follow",
                                       "actor": b.uri, "object": f"{us}/users/alice"}},
          403, 0),
    Spoof("Update of another actor on the same server",
          lambda a, b, us: {"id": f"{a.uri}#updates/1", "type": "Update", "actor": a.uri,
                            "object": dict(b.doc, name="Pwned")}, 403, 0),
    Spoof("Delete of an object on another host",
          lambda a, b, us: {"id": f"{a.uri}#delete/1", "type": "Delete", "actor": a.uri,
                            "object": "https://victim.test/notes/9"}, 403, 0),
    Spoof("Accept of a follow of someone else",
          lambda a, b, us: {"id": f"{a.uri}#accepts/1", "type": "Accept", "actor": a.uri,
                            "object": {"id": f"{us}/activities/follow/1", "type": "Follow",
                                       "actor": f"{us}/users/alice", "object": b.uri}},
          403, 0),
    Spoof("actor claiming to be one of ours",
          lambda a, b, us: {"id": f"{us}/activities/x", "type": "Follow",
                            "actor": f"{us}/users/alice", "object": f"{us}/chapters/greens_lyon"},
          403, 0),
    Spoof("activity signed by another actor of the same server",
          lambda a, b, us: {"id": f"{a.uri}#follows/3", "type": "Follow", "actor": a.uri,
                            "object": f"{us}/users/alice"}, 401, 1, signer="bob"),
    Spoof("actor on another host than the key",
          lambda a, b, us: {"id": "https://other.test/users/x#follows/1", "type": "Follow",
                            "actor": "https://other.test/users/x",
                            "object": f"{us}/users/alice"}, 401, 0),
    Spoof("actor URL with a trailing-dot host",
          lambda a, b, us: {"id": f"{a.uri}#f", "type": "Follow",
                            "actor": "https://mastodon.test./users/alice",
                            "object": f"{us}/users/alice"}, 400, 0),
    Spoof("actor URL with userinfo",
          lambda a, b, us: {"id": f"{a.uri}#f", "type": "Follow",
                            "actor": "https://mastodon.test@evil.test/users/alice",
                            "object": f"{us}/users/alice"}, 400, 0),
    Spoof("JSON-LD @graph smuggling",
          lambda a, b, us: {"@graph": [{"type": "Delete"}], "id": f"{a.uri}#g",
                            "type": "Follow", "actor": a.uri, "object": f"{us}/users/alice"},
          400, 0),
]


def test_the_suite_has_at_least_10_spoofing_variants() -> None:
    assert len(SPOOFS) >= 10


@pytest.mark.parametrize("spoof", SPOOFS, ids=[s.name for s in SPOOFS])
async def test_an_actor_cannot_speak_for_someone_else(
    spoof: Spoof, fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local,
    settings: Settings,
) -> None:
    alice = fediverse.person("mastodon.test", "alice")
    bob = fediverse.person("mastodon.test", "bob")
    doc = spoof.activity(alice, bob, settings.server.base_url)
    body = json.dumps(doc).encode()
    signer = alice if spoof.signer == "alice" else bob
    response = await fed_client.post(PATH, content=body,
                                     headers=signed_headers(settings, PATH, body, signer.signer))
    assert response.status_code == spoof.status, response.text
    assert await nothing_stored()
    assert len(fediverse.gets()) <= spoof.max_fetches


async def test_a_key_whose_actor_does_not_publish_it_is_refused(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
) -> None:
    alice = fediverse.person("mastodon.test", "alice")
    fediverse.serve(alice.uri, dict(alice.doc, publicKey={
        "id": f"{alice.uri}#other-key", "owner": alice.uri,
        "publicKeyPem": alice.doc["publicKey"]["publicKeyPem"]}))
    body = json.dumps({"id": f"{alice.uri}#f/1", "type": "Follow", "actor": alice.uri,
                       "object": f"{settings.server.base_url}/users/alice"}).encode()
    response = await fed_client.post(PATH, content=body,
                                     headers=signed_headers(settings, PATH, body, alice.signer))
    assert response.status_code == 401
    assert await nothing_stored()


async def test_a_key_document_owned_by_another_host_is_refused(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
) -> None:
    zork = fediverse.rehost("gotosocial/person.json", "gotosocial.test")
    key_url = zork.key_id
    fediverse.serve(key_url, {"id": key_url, "type": "Key", "owner": "https://evil.test/u/z",
                              "publicKeyPem": zork.doc["publicKey"]["publicKeyPem"]})
    body = json.dumps({"id": f"{zork.uri}/follow/1", "type": "Follow", "actor": zork.uri,
                       "object": f"{settings.server.base_url}/users/alice"}).encode()
    response = await fed_client.post(PATH, content=body,
                                     headers=signed_headers(settings, PATH, body, zork.signer))
    assert response.status_code == 401
    assert await nothing_stored()
    assert not fediverse.gets("https://evil.test")


@pytest.mark.parametrize("blocked", ["mastodon.test", "MASTODON.TEST"])
async def test_a_blocked_domain_gets_403_without_a_key_fetch(
    blocked: str, fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local,
    settings: Settings,
) -> None:
    await block_domain(blocked)
    alice = fediverse.person("mastodon.test", "alice")
    body = json.dumps({"id": f"{alice.uri}#f/1", "type": "Follow", "actor": alice.uri,
                       "object": f"{settings.server.base_url}/users/alice"}).encode()
    response = await fed_client.post(PATH, content=body,
                                     headers=signed_headers(settings, PATH, body, alice.signer))
    assert response.status_code == 403
    assert await nothing_stored()
    assert fediverse.gets() == []


async def test_a_subdomain_of_a_blocked_domain_is_blocked(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
) -> None:
    await block_domain("spam.test")
    eve = fediverse.person("eu.spam.test", "eve")
    body = json.dumps({"id": f"{eve.uri}#f/1", "type": "Follow", "actor": eve.uri,
                       "object": f"{settings.server.base_url}/users/alice"}).encode()
    response = await fed_client.post(PATH, content=body,
                                     headers=signed_headers(settings, PATH, body, eve.signer))
    assert response.status_code == 403
    assert fediverse.gets() == []
