"""The safe client against a fake fediverse on httpx.MockTransport (hosts named *.test)."""

from __future__ import annotations

import asyncio
import gzip
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from federation import (
    AP_ACCEPT,
    BadContentType,
    BadStatus,
    FederationClient,
    FetchError,
    FetchTimeout,
    IdMismatch,
    InsecureScheme,
    ParseError,
    RefusedAddress,
    ResponseTooLarge,
    Signer,
    TooManyRedirects,
)
from federation.signatures import parse_signature, verify

MakeClient = Callable[..., FederationClient]
AS2 = {"Content-Type": "application/activity+json"}
ACTOR = {"id": "https://remote.test/users/alice", "type": "Person",
         "inbox": "https://remote.test/users/alice/inbox"}


def ap(doc: dict[str, Any], status: int = 200, **headers: str) -> httpx.Response:
    return httpx.Response(status, headers={**AS2, **headers}, content=json.dumps(doc).encode())


async def test_get_ap_sends_accept_and_a_verifiable_signature(
        mock_client: MakeClient, rsa_signer: Signer) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return ap(ACTOR)

    client = mock_client(handler)
    doc = await client.get_ap(ACTOR["id"], signer=rsa_signer)
    assert doc["inbox"] == ACTOR["inbox"]
    request = seen[0]
    assert request.headers["accept"] == AP_ACCEPT
    parsed = parse_signature(request.headers)
    assert parsed.key_id == rsa_signer.key_id
    verify(parsed, rsa_signer.private_key.public_key(), "GET", str(request.url),
           request.headers, b"", datetime.now(UTC))


async def test_plain_http_is_refused_unless_allowed(mock_client: MakeClient) -> None:
    client = mock_client(lambda r: ap({**ACTOR, "id": str(r.url)}))
    with pytest.raises(InsecureScheme):
        await client.get_ap("http://remote.test/users/alice")
    allowing = mock_client(lambda r: ap({**ACTOR, "id": str(r.url)}), allow_http=True)
    assert (await allowing.get_ap("http://remote.test/users/alice"))["id"].startswith("http:")


@pytest.mark.parametrize("status", [404, 410, 500])
async def test_error_statuses(mock_client: MakeClient, status: int) -> None:
    client = mock_client(lambda r: ap(ACTOR, status=status))
    with pytest.raises(BadStatus) as info:
        await client.get_ap(ACTOR["id"])
    assert info.value.status == status


@pytest.mark.parametrize("content_type", ["text/html", "application/json", "image/png",
                                          "application/ld+json"])
async def test_non_as2_content_types_are_refused(mock_client: MakeClient,
                                                 content_type: str) -> None:
    client = mock_client(lambda r: httpx.Response(
        200, headers={"Content-Type": content_type}, content=json.dumps(ACTOR).encode()))
    with pytest.raises(BadContentType):
        await client.get_ap(ACTOR["id"])


async def test_ld_json_with_profile_is_accepted(mock_client: MakeClient) -> None:
    client = mock_client(lambda r: httpx.Response(200, headers={
        "Content-Type": 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'},
        content=json.dumps(ACTOR).encode()))
    assert (await client.get_ap(ACTOR["id"]))["type"] == "Person"


async def test_bad_json_and_jsonld_tricks(mock_client: MakeClient) -> None:
    client = mock_client(lambda r: httpx.Response(200, headers=AS2, content=b"<html>"))
    with pytest.raises(ParseError):
        await client.get_ap(ACTOR["id"])
    client = mock_client(lambda r: ap({**ACTOR, "@graph": []}))
    with pytest.raises(ParseError):
        await client.get_ap(ACTOR["id"])


async def test_id_mismatch_refetches_by_id_once(mock_client: MakeClient) -> None:
    requested: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requested.append(str(request.url))
        return ap(ACTOR)  # always says it is alice

    client = mock_client(handler)
    doc = await client.get_ap("https://remote.test/@alice")
    assert doc["id"] == ACTOR["id"]
    assert requested == ["https://remote.test/@alice", ACTOR["id"]]


async def test_id_that_never_matches_is_refused(mock_client: MakeClient) -> None:
    # attacker.test serves a document claiming to be victim.test's actor.
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "attacker.test":
            return ap({**ACTOR, "id": "https://victim.test/users/bob"})
        return ap({**ACTOR, "id": "https://victim.test/users/bob-real"})

    client = mock_client(handler)
    with pytest.raises(IdMismatch):
        await client.get_ap("https://attacker.test/users/bob")


async def test_document_without_id(mock_client: MakeClient) -> None:
    client = mock_client(lambda r: ap({"type": "Note"}))
    with pytest.raises(IdMismatch):
        await client.get_ap("https://remote.test/notes/1")


async def test_same_origin_redirect_is_accepted(mock_client: MakeClient) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/@alice":
            return httpx.Response(301, headers={"Location": "/users/alice"})
        return ap(ACTOR)

    client = mock_client(handler)
    assert (await client.get_ap("https://remote.test/@alice"))["id"] == ACTOR["id"]


async def test_cross_origin_redirect_triggers_refetch_from_the_id(mock_client: MakeClient) -> None:
    # Open redirect on victim.test leads to attacker.test, which claims victim's id.
    requested: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requested.append(str(request.url))
        if request.url.host == "victim.test" and request.url.path == "/redirect":
            return httpx.Response(302, headers={"Location": "https://attacker.test/fake"})
        if request.url.host == "attacker.test":
            return ap({**ACTOR, "id": "https://victim.test/users/bob", "name": "forged"})
        return ap({**ACTOR, "id": "https://victim.test/users/bob", "name": "real"})

    client = mock_client(handler)
    doc = await client.get_ap("https://victim.test/redirect")
    assert doc["name"] == "real"
    assert requested[-1] == "https://victim.test/users/bob"


async def test_at_most_three_redirects_each_re_signed(mock_client: MakeClient,
                                                     rsa_signer: Signer) -> None:
    signed_targets: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        parsed = parse_signature(request.headers)
        assert parsed.key_id == rsa_signer.key_id
        signed_targets.append(request.url.path)
        hop = int(request.url.path.rsplit("/", 1)[1])
        if hop < 3:
            return httpx.Response(302, headers={"Location": f"/hop/{hop + 1}"})
        return ap({**ACTOR, "id": "https://remote.test/hop/3"})

    client = mock_client(handler)
    doc = await client.get_ap("https://remote.test/hop/0", signer=rsa_signer)
    assert doc["id"] == "https://remote.test/hop/3"
    assert signed_targets == ["/hop/0", "/hop/1", "/hop/2", "/hop/3"]

    endless = mock_client(lambda r: httpx.Response(302, headers={"Location": "/again"}))
    with pytest.raises(TooManyRedirects):
        await endless.get_ap("https://remote.test/start")


@pytest.mark.parametrize("target", [
    "http://remote.test/plain", "https://127.0.0.1/", "https://10.1.2.3/x",
    "https://[::1]/", "https://169.254.169.254/latest/meta-data", "file:///etc/passwd",
])
async def test_each_redirect_hop_is_checked(mock_client: MakeClient, target: str) -> None:
    hits: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        hits.append(str(request.url))
        return httpx.Response(302, headers={"Location": target})

    client = mock_client(handler)
    with pytest.raises((InsecureScheme, RefusedAddress, FetchError)):
        await client.get_ap("https://remote.test/start")
    assert hits == ["https://remote.test/start"]


def _stream(chunks: list[bytes]) -> httpx.AsyncByteStream:
    class Chunks(httpx.AsyncByteStream):
        async def __aiter__(self):  # type: ignore[no-untyped-def]
            for chunk in chunks:
                yield chunk

    return Chunks()


async def test_body_cap_without_content_length(mock_client: MakeClient) -> None:
    client = mock_client(lambda r: httpx.Response(
        200, headers=AS2, stream=_stream([b"x" * 65536] * 40)))
    with pytest.raises(ResponseTooLarge):
        await client.get_ap(ACTOR["id"])


async def test_lying_content_length(mock_client: MakeClient) -> None:
    client = mock_client(lambda r: httpx.Response(
        200, headers={**AS2, "Content-Length": "10"}, stream=_stream([b"x" * 65536] * 40)))
    with pytest.raises(ResponseTooLarge):
        await client.get_ap(ACTOR["id"])


async def test_oversized_in_memory_body(mock_client: MakeClient) -> None:
    client = mock_client(lambda r: httpx.Response(200, headers=AS2,
                                                  content=b" " * (1024 * 1024 + 1)))
    with pytest.raises(ResponseTooLarge):
        await client.get_ap(ACTOR["id"])


async def test_declared_oversize_is_refused_before_reading(mock_client: MakeClient) -> None:
    client = mock_client(lambda r: httpx.Response(
        200, headers={**AS2, "Content-Length": str(50 * 1024 * 1024)}, stream=_stream([])))
    with pytest.raises(ResponseTooLarge):
        await client.get_ap(ACTOR["id"])


async def test_gzip_bomb_stops_at_the_cap(mock_client: MakeClient) -> None:
    bomb = gzip.compress(b"\0" * (64 * 1024 * 1024))
    assert len(bomb) < 100_000
    # Streamed as raw bytes, so that the client's own capped decoder does the work.
    client = mock_client(lambda r: httpx.Response(
        200, headers={**AS2, "Content-Encoding": "gzip"}, stream=_stream([bomb])))
    with pytest.raises(ResponseTooLarge):
        await client.get_ap(ACTOR["id"])


async def test_gzip_body_is_decoded(mock_client: MakeClient) -> None:
    packed = gzip.compress(json.dumps(ACTOR).encode())
    client = mock_client(lambda r: httpx.Response(
        200, headers={**AS2, "Content-Encoding": "gzip"},
        stream=_stream([packed[:10], packed[10:]])))
    assert (await client.get_ap(ACTOR["id"]))["type"] == "Person"


async def test_transport_timeout_and_total_deadline(mock_client: MakeClient) -> None:
    def timeout(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectTimeout("slow", request=request)

    with pytest.raises(FetchTimeout):
        await mock_client(timeout).get_ap(ACTOR["id"])

    async def hang(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(10)
        return ap(ACTOR)

    with pytest.raises(FetchTimeout):
        await mock_client(hang, total_timeout=0.2).get_ap(ACTOR["id"])


async def test_post_ap_returns_status_and_retry_after(mock_client: MakeClient,
                                                     rsa_signer: Signer) -> None:
    received: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        received.append(request)
        return httpx.Response(429, headers={"Retry-After": "120"})

    result = await mock_client(handler).post_ap(
        "https://remote.test/inbox", {"type": "Follow"}, rsa_signer)
    assert (result.status, result.retry_after, result.scheme, result.ok) == (
        429, 120.0, "cavage", False)
    request = received[0]
    assert request.headers["content-type"] == "application/activity+json"
    verify(parse_signature(request.headers), rsa_signer.private_key.public_key(),
           "POST", str(request.url), request.headers, request.content, datetime.now(UTC))


async def test_double_knock_falls_back_to_rfc9421(mock_client: MakeClient,
                                                 rsa_signer: Signer) -> None:
    schemes: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        parsed = parse_signature(request.headers)
        schemes.append(parsed.scheme)
        verify(parsed, rsa_signer.private_key.public_key(),
               "POST", str(request.url), request.headers, request.content, datetime.now(UTC))
        return httpx.Response(202 if parsed.scheme == "rfc9421" else 401)

    result = await mock_client(handler).post_ap("https://remote.test/inbox", b"{}", rsa_signer)
    assert schemes == ["cavage", "rfc9421"]
    assert (result.status, result.scheme, result.ok) == (202, "rfc9421", True)

    schemes.clear()
    again = await mock_client(handler).post_ap("https://remote.test/inbox", b"{}", rsa_signer,
                                               scheme="rfc9421")
    assert schemes == ["rfc9421"] and again.scheme == "rfc9421"

    schemes.clear()
    single = await mock_client(handler).post_ap("https://remote.test/inbox", b"{}", rsa_signer,
                                                double_knock=False)
    assert schemes == ["cavage"] and single.status == 401


async def test_post_does_not_follow_redirects(mock_client: MakeClient,
                                              rsa_signer: Signer) -> None:
    hits: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        hits.append(str(request.url))
        return httpx.Response(308, headers={"Location": "https://elsewhere.test/inbox"})

    result = await mock_client(handler).post_ap("https://remote.test/inbox", b"{}", rsa_signer)
    assert result.status == 308 and hits == ["https://remote.test/inbox"]
