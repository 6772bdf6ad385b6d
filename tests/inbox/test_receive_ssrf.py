"""With the address guard on (production settings), a signature naming a key on a private,
loopback or reserved address, or redirecting there, never makes us fetch it."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import AsyncIterator

import httpx
import pytest

from chapterhouse.wiring import build_app
from core.settings import FederationSettings, Settings
from federation import Signer, generate_rsa_key, sign_request
from tests.inbox.fediverse import AP_TYPE, FakeFediverse, Local, nothing_stored

_KEY = generate_rsa_key()


@pytest.fixture
async def guarded_client(database: str, settings: Settings,
                         fediverse: FakeFediverse) -> AsyncIterator[httpx.AsyncClient]:
    strict = dataclasses.replace(settings, federation=FederationSettings(
        allow_http=False, allow_private_addresses=False))
    app = build_app(strict, workers=0, manage_database=False, http_transport=fediverse.transport)
    lifespan = app.router.lifespan_context(app)
    await lifespan.__aenter__()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url=settings.server.base_url) as client:
        yield client
    await lifespan.__aexit__(None, None, None)


HOSTS = ["127.0.0.1", "2130706433", "0177.0.0.1", "0x7f.1", "[::ffff:127.0.0.1]", "[::]",
         "[::1]", "0.0.0.0", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
         "100.64.0.1", "[fe80::1]", "[fc00::1]", "[64:ff9b::7f00:1]", "[2002:7f00:1::]"]


@pytest.mark.parametrize("host", HOSTS)
async def test_a_key_on_a_blocked_address_is_never_fetched(
    host: str, guarded_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local,
    settings: Settings,
) -> None:
    actor = f"https://{host}/users/mallory"
    body = json.dumps({"id": f"{actor}#f", "type": "Follow", "actor": actor,
                       "object": f"{settings.server.base_url}/users/alice"}).encode()
    headers = {"Content-Type": AP_TYPE}
    headers.update(sign_request("POST", settings.server.base_url + "/inbox", headers, body,
                                Signer(f"{actor}#main-key", _KEY)))
    response = await guarded_client.post("/inbox", content=body, headers=headers)
    assert response.status_code in (400, 401), response.text
    assert fediverse.requests == []
    assert await nothing_stored()


@pytest.mark.parametrize("target", ["https://169.254.169.254/latest/meta-data/",
                                    "http://evil.test/users/mallory",
                                    "https://127.0.0.1/users/mallory"])
async def test_a_key_url_redirecting_to_a_blocked_place_is_not_followed(
    target: str, guarded_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local,
    settings: Settings,
) -> None:
    actor = "https://evil.test/users/mallory"
    fediverse.redirects[actor] = target
    body = json.dumps({"id": f"{actor}#f", "type": "Follow", "actor": actor,
                       "object": f"{settings.server.base_url}/users/alice"}).encode()
    headers = {"Content-Type": AP_TYPE}
    headers.update(sign_request("POST", settings.server.base_url + "/inbox", headers, body,
                                Signer(f"{actor}#main-key", _KEY)))
    response = await guarded_client.post("/inbox", content=body, headers=headers)
    assert response.status_code == 401
    assert [str(r.url) for r in fediverse.requests] == [actor]
    assert await nothing_stored()
