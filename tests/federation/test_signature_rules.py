"""Every verification rule, each shown to refuse (security catalogue section A)."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from federation import (
    ParseError,
    SignatureError,
    Signer,
    generate_rsa_key,
    load_private_key_pem,
    load_public_key_pem,
    private_key_to_pem,
    public_key_to_pem,
)
from federation.signatures import (
    MAX_AGE,
    MAX_FUTURE,
    make_content_digest,
    make_digest,
    parse_signature,
    sign_request,
    verify,
    verify_content_digest,
    verify_digest,
)
from federation.signatures.cavage import CavageSignature, signing_string
from federation.signatures.common import http_date, sign_bytes
from federation.signatures.rfc9421 import create_signature

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
INBOX = "https://our.test/inbox"
BODY = b'{"type": "Follow"}'


def cavage_headers(signer: Signer, names: list[str], method: str = "POST", url: str = INBOX,
                   body: bytes = BODY, date: datetime = NOW, algorithm: str = "rsa-sha256",
                   extra: dict[str, str] | None = None) -> dict[str, str]:
    """Hand-made draft-cavage signature over exactly ``names``."""
    headers = {"Host": "our.test", "Date": http_date(date), "Digest": make_digest(body),
               **(extra or {})}
    sig = CavageSignature(signer.key_id, b"", algorithm, tuple(names))
    text = signing_string(sig, method, url, headers)
    raw = base64.b64encode(sign_bytes("rsa-v1_5-sha256", signer.private_key, text.encode()))
    headers["Signature"] = (f'keyId="{signer.key_id}",algorithm="{algorithm}",'
                            f'headers="{" ".join(names)}",signature="{raw.decode()}"')
    return headers


def check(signer: Signer, headers: dict[str, str], method: str = "POST", url: str = INBOX,
          body: bytes = BODY, now: datetime = NOW) -> None:
    verify(parse_signature(headers), signer.private_key.public_key(), method, url, headers,
           body, now)


STANDARD = ["(request-target)", "host", "date", "digest"]


def test_our_own_signatures_verify_in_both_schemes(rsa_signer: Signer) -> None:
    for scheme in ("cavage", "rfc9421"):
        added = sign_request("POST", INBOX, {"Content-Type": "application/activity+json"}, BODY,
                             rsa_signer, scheme=scheme, now=NOW)
        headers = {"Host": "our.test", "Content-Type": "application/activity+json", **added}
        check(rsa_signer, headers)
        get = sign_request("GET", "https://our.test/users/a?page=2",
                           {"Accept": "application/activity+json"}, b"", rsa_signer,
                           scheme=scheme, now=NOW)
        check(rsa_signer, {"Accept": "application/activity+json", "Host": "our.test", **get},
              method="GET", url="https://our.test/users/a?page=2", body=b"")


def test_cavage_get_signs_accept(rsa_signer: Signer) -> None:
    added = sign_request("GET", "https://our.test/x", {"Accept": "application/activity+json"},
                         b"", rsa_signer, now=NOW)
    assert 'headers="(request-target) host date accept"' in added["Signature"]
    assert "Digest" not in added


def test_missing_signature_header() -> None:
    with pytest.raises(SignatureError, match="missing Signature header"):
        parse_signature({"Host": "our.test", "Date": http_date(NOW)})


def test_authorization_header_form_is_read(rsa_signer: Signer) -> None:
    headers = cavage_headers(rsa_signer, STANDARD)
    headers["Authorization"] = "Signature " + headers.pop("Signature")
    check(rsa_signer, headers)


def test_hs2019_with_an_rsa_key_is_accepted(rsa_signer: Signer) -> None:
    check(rsa_signer, cavage_headers(rsa_signer, STANDARD, algorithm="hs2019"))


@pytest.mark.parametrize("algorithm", ["hmac-sha256", "rsa-sha512", "ecdsa-sha256", "none"])
def test_other_cavage_algorithms_are_refused(rsa_signer: Signer, algorithm: str) -> None:
    with pytest.raises(SignatureError, match="unsupported algorithm"):
        check(rsa_signer, cavage_headers(rsa_signer, STANDARD, algorithm=algorithm))


def test_tampered_body(rsa_signer: Signer) -> None:
    with pytest.raises(SignatureError, match="Digest does not match"):
        check(rsa_signer, cavage_headers(rsa_signer, STANDARD), body=b'{"type": "Delete"}')


def test_digest_header_swapped_after_signing(rsa_signer: Signer) -> None:
    headers = cavage_headers(rsa_signer, STANDARD)
    headers["Digest"] = make_digest(b"other")
    with pytest.raises(SignatureError):
        check(rsa_signer, headers, body=b"other")


@pytest.mark.parametrize(("digest", "reason"), [
    ("SHA-512=" + base64.b64encode(hashlib.sha512(BODY).digest()).decode(), "no SHA-256"),
    ("SHA-256=not*base64!", "not base64"),
    ("SHA-256=" + base64.b64encode(b"short").decode(), "wrong length"),
    ("garbage", "malformed"),
])
def test_bad_digest_values(digest: str, reason: str) -> None:
    with pytest.raises(SignatureError, match=reason):
        verify_digest(digest, BODY)


def test_digest_helpers() -> None:
    verify_digest(make_digest(BODY), BODY)
    verify_digest("sha-256=" + make_digest(BODY)[8:] + ",SHA-512=abc=", BODY)
    verify_content_digest(make_content_digest(BODY), BODY)
    verify_content_digest(make_content_digest(BODY, "sha-512"), BODY)
    with pytest.raises(SignatureError, match="no sha-256 or sha-512"):
        verify_content_digest("md5=:AAAA:", BODY)
    with pytest.raises(SignatureError, match="does not match"):
        verify_content_digest(make_content_digest(b"x"), BODY)


@pytest.mark.parametrize(("offset", "ok"), [
    (-(MAX_AGE - timedelta(minutes=1)), True),   # 64 minutes old
    (-(MAX_AGE + timedelta(minutes=1)), False),  # 66 minutes old
    (MAX_FUTURE - timedelta(minutes=1), True),   # 59 minutes ahead
    (MAX_FUTURE + timedelta(minutes=1), False),  # 61 minutes ahead
])
def test_date_window_boundaries(rsa_signer: Signer, offset: timedelta, ok: bool) -> None:
    headers = cavage_headers(rsa_signer, STANDARD, date=NOW + offset)
    if ok:
        check(rsa_signer, headers)
    else:
        with pytest.raises(SignatureError, match="date outside window"):
            check(rsa_signer, headers)


def test_unparseable_date(rsa_signer: Signer) -> None:
    headers = cavage_headers(rsa_signer, STANDARD)
    headers["Date"] = "wrong date"
    with pytest.raises(SignatureError, match="unparseable Date"):
        check(rsa_signer, headers)


@pytest.mark.parametrize(("names", "method", "reason"), [
    (["host", "date", "digest"], "POST", r"\(request-target\) not signed"),
    (["(request-target)", "host", "digest"], "POST", "neither date nor"),
    (["(request-target)", "host", "date"], "POST", "digest not signed"),
    (["(request-target)", "date"], "GET", "host not signed"),
])
def test_weak_header_sets(rsa_signer: Signer, names: list[str], method: str,
                          reason: str) -> None:
    body = BODY if method == "POST" else b""
    headers = cavage_headers(rsa_signer, names, method=method, body=body)
    with pytest.raises(SignatureError, match=reason):
        check(rsa_signer, headers, method=method, body=body)


def test_signed_header_missing(rsa_signer: Signer) -> None:
    headers = cavage_headers(rsa_signer, STANDARD)
    del headers["Date"]
    with pytest.raises(SignatureError, match="date missing"):
        check(rsa_signer, headers)


def test_request_target_mismatch(rsa_signer: Signer) -> None:
    headers = cavage_headers(rsa_signer, STANDARD)
    with pytest.raises(SignatureError, match="does not verify"):
        check(rsa_signer, headers, url="https://our.test/users/alice/inbox")
    with pytest.raises(SignatureError, match="does not verify"):
        check(rsa_signer, headers, method="PUT")


def test_host_mismatch_replay_to_another_server(rsa_signer: Signer) -> None:
    # A request signed for other.test, replayed to us: the signed Host is not ours.
    headers = cavage_headers(rsa_signer, STANDARD, extra={"Host": "other.test"},
                             url="https://other.test/inbox")
    with pytest.raises(SignatureError, match="host mismatch"):
        check(rsa_signer, headers)


def test_wrong_key(rsa_signer: Signer) -> None:
    headers = cavage_headers(rsa_signer, STANDARD)
    other = generate_rsa_key().public_key()
    with pytest.raises(SignatureError, match="does not verify"):
        verify(parse_signature(headers), other, "POST", INBOX, headers, BODY, NOW)


def test_malformed_signature_headers() -> None:
    for value in ['keyId="a",signature="%%%"', 'signature="AAAA"', 'keyId="a"',
                  'keyId="a",keyId="b",signature="AAAA"', "keyId=\"a\" junk"]:
        with pytest.raises(SignatureError):
            parse_signature({"Signature": value})


# RFC 9421 rules ---------------------------------------------------------------------------

def rfc_headers(signer: Signer, components: list[str], *, method: str = "POST",
                url: str = INBOX, body: bytes = BODY, created: datetime | None = NOW,
                alg: str | None = "rsa-v1_5-sha256",
                expires: datetime | None = None) -> dict[str, str]:
    headers = {"Host": "our.test", "Content-Digest": make_content_digest(body),
               "Content-Type": "application/activity+json"}
    params: dict[str, int | str] = {}
    if created is not None:
        params["created"] = int(created.timestamp())
    params["keyid"] = signer.key_id
    if alg is not None:
        params["alg"] = alg
    if expires is not None:
        params["expires"] = int(expires.timestamp())
    headers.update(create_signature(method, url, headers, components, params, signer,
                                    algorithm="rsa-v1_5-sha256"))
    return headers


RFC_STANDARD = ["@method", "@target-uri", "content-digest"]


def test_rfc9421_standard_request(rsa_signer: Signer) -> None:
    check(rsa_signer, rfc_headers(rsa_signer, RFC_STANDARD))
    check(rsa_signer, rfc_headers(rsa_signer, ["@method", "@authority", "@path",
                                               "content-digest"]))
    check(rsa_signer, rfc_headers(rsa_signer, RFC_STANDARD, alg=None))


@pytest.mark.parametrize(("components", "reason"), [
    (["@target-uri", "content-digest"], "@method not covered"),
    (["@method", "content-digest"], "@target-uri"),
    (["@method", "@path", "content-digest"], "@target-uri"),
    (["@method", "@target-uri"], "content-digest not covered"),
])
def test_rfc9421_weak_component_sets(rsa_signer: Signer, components: list[str],
                                     reason: str) -> None:
    with pytest.raises(SignatureError, match=reason):
        check(rsa_signer, rfc_headers(rsa_signer, components))


def test_rfc9421_time_rules(rsa_signer: Signer) -> None:
    with pytest.raises(SignatureError, match="created parameter missing"):
        check(rsa_signer, rfc_headers(rsa_signer, RFC_STANDARD, created=None))
    with pytest.raises(SignatureError, match="too old"):
        check(rsa_signer, rfc_headers(rsa_signer, RFC_STANDARD,
                                      created=NOW - MAX_AGE - timedelta(seconds=1)))
    with pytest.raises(SignatureError, match="in the future"):
        check(rsa_signer, rfc_headers(rsa_signer, RFC_STANDARD,
                                      created=NOW + MAX_FUTURE + timedelta(seconds=1)))
    with pytest.raises(SignatureError, match="expired"):
        check(rsa_signer, rfc_headers(rsa_signer, RFC_STANDARD, created=NOW - timedelta(
            minutes=10), expires=NOW - timedelta(minutes=1)))


@pytest.mark.parametrize("alg", ["hmac-sha256", "ecdsa-p256-sha256", "rsa-sha256"])
def test_rfc9421_refused_algorithms(rsa_signer: Signer, alg: str) -> None:
    with pytest.raises(SignatureError, match="unsupported algorithm"):
        check(rsa_signer, rfc_headers(rsa_signer, RFC_STANDARD, alg=alg))


def test_rfc9421_bound_to_our_url_and_body(rsa_signer: Signer) -> None:
    headers = rfc_headers(rsa_signer, RFC_STANDARD, url="https://other.test/inbox")
    with pytest.raises(SignatureError, match="does not verify"):
        check(rsa_signer, headers)  # replayed to our inbox
    with pytest.raises(SignatureError, match="Content-Digest does not match"):
        check(rsa_signer, rfc_headers(rsa_signer, RFC_STANDARD), body=b"{}")
    headers = rfc_headers(rsa_signer, [*RFC_STANDARD, "content-type"])
    headers["Content-Type"] = "text/html"
    with pytest.raises(SignatureError, match="does not verify"):
        check(rsa_signer, headers)
    del headers["Content-Type"]
    with pytest.raises(SignatureError, match="covered header content-type missing"):
        check(rsa_signer, headers)


def test_rfc9421_malformed_inputs() -> None:
    base = {"Signature": "sig1=:AAAA:"}
    for value in ['sig1=("@method"', 'sig1=("@method");keyid=1', "sig1=(@method);keyid=\"k\"",
                  'sig1=("@method" "@method");keyid="k"']:
        with pytest.raises(SignatureError):
            parse_signature({**base, "Signature-Input": value})
    with pytest.raises(SignatureError, match="label"):
        parse_signature({"Signature-Input": 'a=("@method");keyid="k"', "Signature": "b=:AAAA:"})


# Keys ---------------------------------------------------------------------------------

def test_key_pem_round_trip() -> None:
    key = generate_rsa_key()
    assert key.key_size == 2048
    pem = private_key_to_pem(key)
    assert pem.startswith("-----BEGIN PRIVATE KEY-----")
    public_pem = public_key_to_pem(key)
    assert public_pem.startswith("-----BEGIN PUBLIC KEY-----")
    assert public_key_to_pem(load_private_key_pem(pem)) == public_pem
    assert public_key_to_pem(load_public_key_pem(public_pem)) == public_pem


def test_unusable_keys_are_refused() -> None:
    with pytest.raises(ParseError):
        load_public_key_pem("-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----\n")
    ec_key = ec.generate_private_key(ec.SECP256R1())
    ec_public = ec_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    with pytest.raises(ParseError, match="unsupported public key type"):
        load_public_key_pem(ec_public)
    with pytest.raises(ParseError, match="bits refused"):
        load_public_key_pem(public_key_to_pem(
            rsa.RSAPublicNumbers(65537, (1 << 511) | 0x3D).public_key()))
