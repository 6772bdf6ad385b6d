"""Published test vectors (RFC 9421 App. B and §4.3, draft-cavage-12 App. C) and
signatures captured from Mastodon's own test suite."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from federation import SignatureError, Signer, load_private_key_pem, load_public_key_pem
from federation.signatures import VerifyPolicy, parse_signature, verify
from federation.signatures.cavage import parse_cavage, signing_string
from federation.signatures.common import verify_bytes
from federation.signatures.rfc9421 import Rfc9421Signature, create_signature, signature_base

Load = Callable[[str], Any]
# The specifications' examples sign arbitrary component sets, not ActivityPub requests.
SPEC_POLICY = VerifyPolicy(require_standard_components=False)


@pytest.fixture(scope="module")
def rfc(load_json: Load) -> Any:
    return load_json("signatures/rfc9421.json")


@pytest.mark.parametrize("index", [0, 1, 2, 3])
def test_rfc9421_appendix_b2_vectors(rfc: Any, index: int) -> None:
    vector = rfc["vectors"][index]
    request = rfc["test_request"]
    headers = {**request["headers"], "Signature-Input": vector["signature_input"],
               "Signature": vector["signature"]}
    parsed = parse_signature(headers)
    assert parsed.key_id == vector["key"]
    assert isinstance(parsed, Rfc9421Signature)
    if "signature_base" in vector:
        assert signature_base(parsed, request["method"], request["url"],
                              headers) == vector["signature_base"]
    key = load_public_key_pem(rfc["keys"][vector["key"]]["public_pem"])
    now = datetime.fromtimestamp(1618884473 + 30, UTC)
    verify(parsed, key, request["method"], request["url"], headers,
           request["body"].encode(), now, policy=SPEC_POLICY)
    # Any change to what was signed (here: the created parameter) must break it.
    tampered = {**headers, "Signature-Input": vector["signature_input"].replace(
        "created=1618884473", "created=1618884474")}
    with pytest.raises(SignatureError, match="does not verify"):
        verify(parse_signature(tampered), key, request["method"], request["url"], tampered,
               request["body"].encode(), now, policy=SPEC_POLICY)


def test_rfc9421_b23_full_coverage_meets_our_policy(rfc: Any) -> None:
    # B.2.3 covers @method, @authority, @path and content-digest: the standard policy
    # accepts it, and it checks the (sha-512) Content-Digest against the body.
    vector = rfc["vectors"][2]
    request = rfc["test_request"]
    headers = {**request["headers"], "Signature-Input": vector["signature_input"],
               "Signature": vector["signature"]}
    key = load_public_key_pem(rfc["keys"]["test-key-rsa-pss"]["public_pem"])
    now = datetime.fromtimestamp(1618884473 + 30, UTC)
    verify(parse_signature(headers), key, "POST", request["url"], headers,
           request["body"].encode(), now)
    with pytest.raises(SignatureError, match="Content-Digest does not match"):
        verify(parse_signature(headers), key, "POST", request["url"], headers,
               b'{"hello": "world!"}', now)
    with pytest.raises(SignatureError, match="outside window"):
        verify(parse_signature(headers), key, "POST", request["url"], headers,
               request["body"].encode(), datetime.fromtimestamp(1618884473 + 7200, UTC))


def test_rfc9421_section_4_3_rsa_v1_5_signing_is_byte_exact(rfc: Any) -> None:
    case = rfc["section_4_3_rsa_v1_5"]
    signer = Signer.from_pem("test-key-rsa", rfc["keys"]["test-key-rsa"]["private_pem"])
    produced = create_signature(
        case["method"], case["url"], case["headers"], case["components"],
        {"created": case["created"], "keyid": case["keyid"], "alg": case["alg"],
         "expires": case["expires"]}, signer)
    assert produced["Signature-Input"] == case["signature_input"]
    assert produced["Signature"] == case["signature"]
    # …and it verifies with the PKCS#1 "RSA PUBLIC KEY" PEM from Appendix B.1.1.
    key = load_public_key_pem(rfc["keys"]["test-key-rsa"]["public_pem"])
    headers = {**case["headers"], **produced}
    verify(parse_signature(headers), key, case["method"], case["url"], headers,
           case["body"].encode(), datetime.fromtimestamp(case["created"] + 10, UTC))
    with pytest.raises(SignatureError, match="expired"):
        verify(parse_signature(headers), key, case["method"], case["url"], headers,
               case["body"].encode(), datetime.fromtimestamp(case["expires"] + 1, UTC))


def test_rfc9421_ed25519_signing_reproduces_b26(rfc: Any) -> None:
    vector = rfc["vectors"][3]
    request = rfc["test_request"]
    signer = Signer.from_pem("test-key-ed25519", rfc["keys"]["test-key-ed25519"]["private_pem"])
    produced = create_signature(
        "POST", request["url"], request["headers"],
        ["date", "@method", "@path", "@authority", "content-type", "content-length"],
        {"created": 1618884473, "keyid": "test-key-ed25519"}, signer, label="sig-b26")
    assert produced["Signature"] == vector["signature"]


@pytest.fixture(scope="module")
def cavage(load_json: Load) -> Any:
    return load_json("signatures/cavage12.json")


@pytest.mark.parametrize("index", [0, 1])
def test_cavage_appendix_c_vectors(cavage: Any, index: int) -> None:
    vector = cavage["vectors"][index]
    request = cavage["request"]
    public = load_private_key_pem(cavage["private_pem"]).public_key()
    parsed = parse_cavage(vector["signature_header"])
    assert parsed.key_id == "Test"
    assert signing_string(parsed, request["method"], request["url"],
                          request["headers"]) == vector["signing_string"]
    verify(parsed, public, request["method"], request["url"], request["headers"],
           request["body"].encode(), datetime(2014, 1, 5, 21, 31, 40, tzinfo=UTC),
           policy=SPEC_POLICY)


def test_cavage_c2_fails_our_policy_because_the_post_digest_is_unsigned(cavage: Any) -> None:
    # C.2 signs "(request-target) host date" on a POST: no digest, so we refuse it.
    vector = cavage["vectors"][1]
    request = cavage["request"]
    public = load_private_key_pem(cavage["private_pem"]).public_key()
    with pytest.raises(SignatureError, match="digest not signed"):
        verify(parse_cavage(vector["signature_header"]), public, request["method"],
               request["url"], request["headers"], request["body"].encode(),
               datetime(2014, 1, 5, 21, 31, 40, tzinfo=UTC))


def test_cavage_c3_as_published_is_refused_and_its_signature_covers_the_older_list(
        cavage: Any) -> None:
    # Draft 12 added "(created) (expires)" to C.3's header list but kept the signature
    # computed in earlier drafts over "(request-target) host date content-type digest
    # content-length".  As published, it also pairs (created) with rsa-sha256, which
    # draft 12 itself forbids: we refuse it for that reason first.
    vector = cavage["vectors"][2]
    request = cavage["request"]
    public = load_private_key_pem(cavage["private_pem"]).public_key()
    parsed = parse_cavage(vector["signature_header"])
    assert (parsed.created, parsed.expires) == (1402170695, 1402170699)
    with pytest.raises(SignatureError, match=r"\(created\)/\(expires\) not allowed"):
        verify(parsed, public, request["method"], request["url"], request["headers"],
               request["body"].encode(), datetime.fromtimestamp(1402170696, UTC),
               policy=SPEC_POLICY)
    older = parse_cavage(vector["signature_header"].replace("(created) (expires) ", ""))
    text = signing_string(older, request["method"], request["url"], request["headers"])
    verify_bytes("rsa-v1_5-sha256", public, older.signature, text.encode())
    # That older list is a complete ActivityPub-grade signature: the default policy passes.
    verify(older, public, request["method"], request["url"], request["headers"],
           request["body"].encode(), datetime(2014, 1, 5, 21, 40, tzinfo=UTC))


@pytest.fixture(scope="module")
def mastodon(load_json: Load) -> Any:
    return load_json("signatures/mastodon_signed_requests.json")


MASTODON_NOW = datetime(2023, 12, 20, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize("name", ["get", "get_query", "get_query_unsigned_quirk", "post"])
def test_signed_requests_from_mastodon_verify(mastodon: Any, name: str) -> None:
    request = mastodon["requests"][name]
    key = load_private_key_pem(mastodon["actor_private_pem"]).public_key()
    parsed = parse_signature(request["headers"])
    assert parsed.key_id == mastodon["key_id"]
    verify(parsed, key, request["method"], request["url"], request["headers"],
           request["body"].encode(), MASTODON_NOW)


@pytest.mark.parametrize(("name", "reason"), [
    ("get_query_mismatch", "does not verify"),
    ("get_two_days_old", "date outside window"),
    ("post_digest_not_signed", "digest not signed"),
    ("post_tampered_body", "Digest does not match"),
    ("post_tampered_path", "does not verify"),
])
def test_tampered_mastodon_requests_fail(mastodon: Any, name: str, reason: str) -> None:
    request = mastodon["requests"][name]
    key = load_private_key_pem(mastodon["actor_private_pem"]).public_key()
    with pytest.raises(SignatureError, match=reason):
        verify(parse_signature(request["headers"]), key, request["method"], request["url"],
               request["headers"], request["body"].encode(), MASTODON_NOW)


def test_query_quirk_can_be_switched_off(mastodon: Any) -> None:
    request = mastodon["requests"]["get_query_unsigned_quirk"]
    key = load_private_key_pem(mastodon["actor_private_pem"]).public_key()
    with pytest.raises(SignatureError):
        verify(parse_signature(request["headers"]), key, "GET", request["url"],
               request["headers"], b"", MASTODON_NOW, retry_without_query=False)
