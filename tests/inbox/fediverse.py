"""A fake fediverse for inbox and outbox tests: remote *.test servers on httpx.MockTransport,
actors re-hosted from real payloads (tests/fixtures/interop), and signed requests to us."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest

from actors.accounts import Registration, register_member
from actors.chapters import create_chapter
from actors.models import Actor
from chapterhouse.wiring import build_app, job_registry
from core.jobs import JobRegistry
from core.models import Job
from core.settings import Settings
from federation import Signer, generate_rsa_key, origin_of, public_key_to_pem, sign_request
from federation.signatures.keys import PrivateKey
from inbox.models import InboundActivity

INTEROP = Path(__file__).resolve().parent.parent / "fixtures" / "interop"
AP_TYPE = "application/activity+json"


@cache
def _key(label: str) -> PrivateKey:
    """One RSA key per label for the whole run (key generation is the slow part)."""
    return generate_rsa_key()


def load_interop(relative: str) -> Any:
    return json.loads((INTEROP / relative).read_text(encoding="utf-8"))


@dataclass
class FakeActor:
    uri: str
    key_id: str
    key: PrivateKey
    doc: dict[str, Any]

    @property
    def host(self) -> str:
        return self.uri.split("/")[2]

    @property
    def signer(self) -> Signer:
        return Signer(self.key_id, self.key)


@dataclass
class FakeFediverse:
    """Remote servers answering from `docs`; records every request it gets."""

    docs: dict[str, tuple[int, Any, str]] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)
    inbox_status: dict[str, int] = field(default_factory=dict)
    retry_after: dict[str, str] = field(default_factory=dict)
    rfc9421_only: set[str] = field(default_factory=set)
    redirects: dict[str, str] = field(default_factory=dict)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        url = str(request.url).split("#", 1)[0]
        if request.method == "POST":
            headers = {"retry-after": self.retry_after[url]} if url in self.retry_after else {}
            if url in self.rfc9421_only and "signature-input" not in request.headers:
                return httpx.Response(401)
            return httpx.Response(self.inbox_status.get(url, 202), headers=headers)
        if url in self.redirects:
            return httpx.Response(302, headers={"location": self.redirects[url]})
        status, body, content_type = self.docs.get(url, (404, {"error": "gone"}, AP_TYPE))
        content = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        return httpx.Response(status, content=content, headers={"content-type": content_type})

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def serve(self, url: str, body: Any, status: int = 200, content_type: str = AP_TYPE) -> None:
        self.docs[url] = (status, body, content_type)

    def gets(self, prefix: str = "") -> list[str]:
        return [str(r.url) for r in self.requests
                if r.method == "GET" and str(r.url).startswith(prefix)]

    def posts(self, url: str | None = None) -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.requests
                if r.method == "POST" and (url is None or str(r.url) == url)]

    def rehost(self, fixture: str, host: str, *, key_label: str | None = None) -> FakeActor:
        """Serve a real actor document on https://`host`, with a key we hold."""
        original = load_interop(fixture)
        text = json.dumps(original).replace(origin_of(original["id"]), f"https://{host}")
        doc = json.loads(text)
        key = _key(key_label or f"{host}{doc['id']}")
        doc["publicKey"]["publicKeyPem"] = public_key_to_pem(key)
        actor = FakeActor(doc["id"], doc["publicKey"]["id"], key, doc)
        self.publish(actor)
        return actor

    def person(self, host: str, name: str, *, key_label: str | None = None,
               uri: str | None = None) -> FakeActor:
        """A plain Mastodon-shaped actor https://host/users/name (or at `uri`)."""
        uri = uri or f"https://{host}/users/{name}"
        key = _key(key_label or uri)
        doc = {
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "id": uri, "type": "Person", "preferredUsername": name,
            "inbox": f"{uri}/inbox", "outbox": f"{uri}/outbox",
            "followers": f"{uri}/followers", "following": f"{uri}/following",
            "endpoints": {"sharedInbox": f"https://{host}/inbox"},
            "publicKey": {"id": f"{uri}#main-key", "owner": uri,
                          "publicKeyPem": public_key_to_pem(key)},
        }
        actor = FakeActor(uri, f"{uri}#main-key", key, doc)
        self.publish(actor)
        return actor

    def publish(self, actor: FakeActor) -> None:
        self.serve(actor.uri, actor.doc)
        key_url = actor.key_id.split("#", 1)[0]
        if key_url != actor.uri:  # GoToSocial: the key has its own URL, owned by the actor
            self.serve(key_url, {"@context": "https://w3id.org/security/v1", "id": key_url,
                                 "type": "Key", "owner": actor.uri,
                                 "publicKeyPem": actor.doc["publicKey"]["publicKeyPem"]})


def signed_headers(settings: Settings, path: str, body: bytes, signer: Signer, *,
                   scheme: str = "cavage", host: str | None = None,
                   sign_url: str | None = None) -> dict[str, str]:
    """Headers of a POST to our `path`, signed as a remote server signs it."""
    url = sign_url or settings.server.base_url + path
    headers = {"Content-Type": AP_TYPE}
    if host:
        headers["Host"] = host
    headers.update(sign_request("POST", url, headers, body, signer,
                                scheme=scheme))  # type: ignore[arg-type]
    return headers


async def nothing_stored() -> bool:
    return await InboundActivity.all().count() == 0 and await Job.all().count() == 0


@dataclass
class Local:
    member: Actor
    chapter: Actor
    approval_chapter: Actor
    closed_chapter: Actor


async def make_locals(settings: Settings) -> Local:
    account = await register_member(
        Registration("alice", "alice@example.org", "correct horse battery", True),
        settings.registration)
    open_ = await create_chapter("Greens Lyon", "greens_lyon")
    approval = await create_chapter("Greens Paris", "greens_paris", join_policy="approval")
    closed = await create_chapter("Greens Nice", "greens_nice", join_policy="closed")
    return Local(await Actor.get(id=account.actor_id),  # type: ignore[attr-defined]
                 await Actor.get(id=open_.actor_id),  # type: ignore[attr-defined]
                 await Actor.get(id=approval.actor_id),  # type: ignore[attr-defined]
                 await Actor.get(id=closed.actor_id))  # type: ignore[attr-defined]


# --- fixtures, imported by the conftest files of tests/inbox and tests/outbox ---------------

@pytest.fixture
def fediverse() -> FakeFediverse:
    return FakeFediverse()


@pytest.fixture
def registry(settings: Settings, fediverse: FakeFediverse) -> JobRegistry:
    """The project's handlers, federation included, delivering into the fake fediverse."""
    return job_registry(settings, http_transport=fediverse.transport)


@pytest.fixture
async def fed_client(database: str, settings: Settings,
                     fediverse: FakeFediverse) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on the real app whose outbound requests reach the fake fediverse."""
    app = build_app(settings, workers=0, manage_database=False,
                    http_transport=fediverse.transport)
    lifespan = app.router.lifespan_context(app)
    await lifespan.__aenter__()
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                               base_url=settings.server.base_url)
    yield client
    await client.aclose()
    await lifespan.__aexit__(None, None, None)


@pytest.fixture
async def local(database: str, settings: Settings) -> Local:
    return await make_locals(settings)

