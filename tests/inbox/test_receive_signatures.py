"""Hostile signatures at the inbox (security catalogue A): each refused with the right status,
leaving no stored activity, no job, and at most the one allowed key fetch."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from core.settings import Settings
from federation import Signer, generate_rsa_key, sign_request
from federation.signatures.cavage import CavageSignature, signing_string
from federation.signatures.common import http_date, sign_bytes
from federation.signatures.digest import make_digest
from federation.signatures.rfc9421 import create_signature
from inbox.models import InboundActivity
from tests.inbox.fediverse import AP_TYPE, FakeActor, FakeFediverse, Local, nothing_stored

PATH = "/inbox"
_OTHER_KEY = generate_rsa_key()


def follow_body(actor: FakeActor, target: str, n: int = 1) -> bytes:
    return json.dumps({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{actor.uri}#follows/{n}", "type": "Follow",
        "actor": actor.uri, "object": target,
    }).encode()


def cavage(url: str, headers: dict[str, str], signer: Signer, names: list[str], *,
           algorithm: str | None = "rsa-sha256", created: int | None = None,
           method: str = "post", tamper: bool = False) -> str:
    """A Signature header over exactly `names` (to build weak or odd signatures)."""
    sig = CavageSignature(signer.key_id, b"", algorithm, tuple(names), created=created)
    text = signing_string(sig, method, url, headers)
    raw = sign_bytes("rsa-v1_5-sha256", signer.private_key, text.encode())
    if tamper:
        raw = bytes([raw[0] ^ 1]) + raw[1:]
    parts = [f'keyId="{signer.key_id}"']
    if algorithm:
        parts.append(f'algorithm="{algorithm}"')
    if created is not None:
        parts.append(f"created={created}")
    parts.append(f'headers="{" ".join(names)}"')
    parts.append(f'signature="{base64.b64encode(raw).decode()}"')
    return ",".join(parts)


@dataclass
class Case:
    name: str
    build: Callable[[Settings, FakeActor, bytes], tuple[dict[str, str], bytes]]
    status: int = 401
    max_fetches: int = 1


def _base(settings: Settings, body: bytes, when: datetime | None = None,
          host: str | None = None) -> tuple[str, dict[str, str]]:
    url = settings.server.base_url + PATH
    headers = {
        "Host": host or settings.server.public_host,
        "Date": http_date(when or datetime.now(UTC)),
        "Digest": make_digest(body),
        "Content-Type": AP_TYPE,
    }
    return url, headers


def _with_sig(names: list[str], **options: object):
    def build(settings: Settings, actor: FakeActor, body: bytes):
        url, headers = _base(settings, body)
        headers["Signature"] = cavage(url, headers, actor.signer, names, **options)
        return headers, body
    return build


def _tamper_headers(change: Callable[[dict[str, str]], None], *,
                    when_delta: timedelta | None = None, change_body: bool = False):
    def build(settings: Settings, actor: FakeActor, body: bytes):
        when = datetime.now(UTC) + when_delta if when_delta is not None else None
        url, headers = _base(settings, body, when)
        headers["Signature"] = cavage(url, headers, actor.signer,
                                      ["(request-target)", "host", "date", "digest"])
        change(headers)
        return headers, body.replace(b"follows/1", b"follows/2") if change_body else body
    return build


def _raw_signature(value: str):
    def build(settings: Settings, actor: FakeActor, body: bytes):
        _, headers = _base(settings, body)
        headers["Signature"] = value.replace("KEY", actor.key_id)
        return headers, body
    return build


def _signed_digest(digest: str):
    def build(settings: Settings, actor: FakeActor, body: bytes):
        url, headers = _base(settings, body)
        headers["Digest"] = digest
        headers["Signature"] = cavage(url, headers, actor.signer,
                                      ["(request-target)", "host", "date", "digest"])
        return headers, body
    return build


def _signed_for(url_path: str | None = None, host: str | None = None, method: str = "post"):
    def build(settings: Settings, actor: FakeActor, body: bytes):
        url, headers = _base(settings, body, host=host)
        sign_url = url if url_path is None else settings.server.base_url + url_path
        if host:
            sign_url = f"https://{host}{PATH}"
        headers["Signature"] = cavage(sign_url, headers, actor.signer,
                                      ["(request-target)", "host", "date", "digest"],
                                      method=method)
        return headers, body
    return build


def _other_key(settings: Settings, actor: FakeActor, body: bytes):
    url, headers = _base(settings, body)
    headers["Signature"] = cavage(url, headers, Signer(actor.key_id, _OTHER_KEY),
                                  ["(request-target)", "host", "date", "digest"])
    return headers, body


def _unknown_key(settings: Settings, actor: FakeActor, body: bytes):
    url, headers = _base(settings, body)
    signer = Signer(f"{actor.uri}/keys/unknown", actor.key)
    headers["Signature"] = cavage(url, headers, signer,
                                  ["(request-target)", "host", "date", "digest"])
    return headers, body


def _rfc9421(tamper: str):
    def build(settings: Settings, actor: FakeActor, body: bytes):
        url = settings.server.base_url + PATH
        headers = {"Content-Type": AP_TYPE}
        added = sign_request("POST", url if tamper != "target" else url + "x", headers, body,
                             actor.signer, scheme="rfc9421")
        headers.update(added)
        if tamper == "digest":
            headers["Content-Digest"] = "sha-256=:" + base64.b64encode(b"x" * 32).decode() + ":"
        if tamper == "no-signature":
            del headers["Signature"]
        return headers, body
    return build


def _rfc9421_weak(settings: Settings, actor: FakeActor, body: bytes):
    url = settings.server.base_url + PATH
    created = int(datetime.now(UTC).timestamp())
    headers = {"Content-Type": AP_TYPE}
    headers.update(create_signature("POST", url, headers, ["@method"],
                                    {"created": created, "keyid": actor.key_id}, actor.signer))
    return headers, body


def _rfc9421_stale(settings: Settings, actor: FakeActor, body: bytes):
    url = settings.server.base_url + PATH
    headers = {"Content-Type": AP_TYPE}
    headers.update(sign_request("POST", url, headers, body, actor.signer, scheme="rfc9421",
                                now=datetime.now(UTC) - timedelta(hours=2)))
    return headers, body


STD = ["(request-target)", "host", "date", "digest"]
CASES = [
    Case("no signature", lambda s, a, b: (_base(s, b)[1], b), max_fetches=0),
    Case("garbage Signature header", _raw_signature("nonsense"), max_fetches=0),
    Case("no keyId", _raw_signature('algorithm="rsa-sha256",headers="date",signature="AAAA"'),
         max_fetches=0),
    Case("no signature value", _raw_signature('keyId="KEY",headers="date"'), max_fetches=0),
    Case("signature not base64", _raw_signature('keyId="KEY",headers="date",signature="%%%"'),
         max_fetches=0),
    Case("keyId twice", _raw_signature('keyId="KEY",keyId="KEY",signature="AAAA"'),
         max_fetches=0),
    Case("keyId not a URL", _raw_signature('keyId="main-key",signature="AAAA"'), max_fetches=0),
    Case("hmac-sha256 algorithm", _with_sig(STD, algorithm="hmac-sha256")),
    Case("unknown algorithm", _with_sig(STD, algorithm="rsa-md5")),
    Case("(created) with rsa-sha256",
         _with_sig(["(request-target)", "host", "(created)", "digest"],
                   created=int(datetime.now(UTC).timestamp()))),
    Case("(request-target) not signed", _with_sig(["host", "date", "digest"])),
    Case("host not signed", _with_sig(["(request-target)", "date", "digest"])),
    Case("neither date nor (created) signed", _with_sig(["(request-target)", "host", "digest"])),
    Case("digest not signed on POST", _with_sig(["(request-target)", "host", "date"])),
    Case("body changed after signing", _tamper_headers(lambda h: None, change_body=True)),
    Case("Digest SHA-512 only", _signed_digest("SHA-512=" + base64.b64encode(b"x" * 64).decode())),
    Case("Digest not base64", _signed_digest("SHA-256=***")),
    Case("Digest of 31 bytes", _signed_digest("SHA-256=" + base64.b64encode(b"x" * 31).decode())),
    Case("Date 66 minutes old", _tamper_headers(lambda h: None,
                                                when_delta=-timedelta(minutes=66))),
    Case("Date 61 minutes ahead", _tamper_headers(lambda h: None,
                                                  when_delta=timedelta(minutes=61))),
    Case("Date unparseable", lambda s, a, b: _date_garbage(s, a, b)),
    Case("signed for another host", _signed_for(host="other.example")),
    Case("signed for another path", _signed_for(url_path="/users/alice/inbox")),
    Case("signed as GET", _signed_for(method="get")),
    Case("signed by another key", _other_key),
    Case("signature bytes tampered", _with_sig(STD, tamper=True)),
    Case("keyId that does not exist", _unknown_key),
    Case("RFC 9421 for another target URI", _rfc9421("target")),
    Case("RFC 9421 Content-Digest mismatch", _rfc9421("digest")),
    Case("RFC 9421 Signature-Input without Signature", _rfc9421("no-signature"), max_fetches=0),
    Case("RFC 9421 covering @method only", _rfc9421_weak),
    Case("RFC 9421 created two hours ago", _rfc9421_stale),
]


def _date_garbage(settings: Settings, actor: FakeActor, body: bytes):
    url, headers = _base(settings, body)
    headers["Date"] = "yesterday at noon"
    headers["Signature"] = cavage(url, headers, actor.signer, STD)
    return headers, body


def test_the_suite_has_at_least_25_signature_variants() -> None:
    assert len(CASES) >= 25
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
async def test_a_forged_or_malformed_signature_is_refused(
    case: Case, fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local,
    settings: Settings,
) -> None:
    actor = fediverse.rehost("mastodon/person.json", "mastodon.test")
    body = follow_body(actor, settings.server.base_url + "/users/alice")
    headers, sent = case.build(settings, actor, body)
    response = await fed_client.post(PATH, content=sent, headers=headers)
    assert response.status_code == case.status, response.text
    assert await nothing_stored()
    assert len(fediverse.gets("https://mastodon.test/")) <= case.max_fetches


async def test_a_valid_signature_passes_the_same_path(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
) -> None:
    # The control: the same construction with nothing forged is accepted, so each case above
    # fails for its own reason.
    actor = fediverse.rehost("mastodon/person.json", "mastodon.test")
    body = follow_body(actor, settings.server.base_url + "/users/alice")
    url, headers = _base(settings, body)
    headers["Signature"] = cavage(url, headers, actor.signer, STD)
    response = await fed_client.post(PATH, content=body, headers=headers)
    assert response.status_code == 202, response.text
    assert await InboundActivity.all().count() == 1


async def test_rfc9421_signatures_are_accepted_too(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
) -> None:
    actor = fediverse.rehost("mastodon/person.json", "mastodon.test")
    body = follow_body(actor, settings.server.base_url + "/users/alice")
    headers, sent = _rfc9421("none")(settings, actor, body)
    response = await fed_client.post(PATH, content=sent, headers=headers)
    assert response.status_code == 202, response.text
