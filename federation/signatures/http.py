"""One entry point over both schemes: parse (learn the keyId), verify, sign a request."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from federation.errors import SignatureError
from federation.signatures.cavage import CavageSignature, parse_cavage, sign_cavage, verify_cavage
from federation.signatures.common import DEFAULT_POLICY, HeaderInput, VerifyPolicy, lower_headers
from federation.signatures.keys import PublicKeyType, Signer
from federation.signatures.rfc9421 import (
    Rfc9421Signature,
    parse_rfc9421,
    sign_rfc9421,
    verify_rfc9421,
)

__all__ = ["ParsedSignature", "Scheme", "parse_signature", "sign_request", "verify"]

ParsedSignature = CavageSignature | Rfc9421Signature
Scheme = Literal["cavage", "rfc9421"]


def parse_signature(headers: HeaderInput) -> ParsedSignature:
    """Parse the request's signature without any crypto, to learn ``.key_id``.

    ``Signature-Input`` means RFC 9421; otherwise the draft-cavage ``Signature``
    header, or ``Authorization: Signature …``.  No signature at all raises
    SignatureError("missing Signature header").
    """
    h = lower_headers(headers)
    if "signature-input" in h:
        return parse_rfc9421(h)
    if "signature" in h:
        return parse_cavage(h["signature"])
    authorization = h.get("authorization", "")
    if authorization[:10].lower() == "signature ":
        return parse_cavage(authorization)
    raise SignatureError("missing Signature header")


def verify(parsed: ParsedSignature, key: PublicKeyType, method: str, url: str,
           headers: HeaderInput, body: bytes, now: datetime | None = None, *,
           policy: VerifyPolicy = DEFAULT_POLICY, retry_without_query: bool = True) -> None:
    """Verify ``parsed`` against the request; SignatureError(reason) when it fails.

    ``url`` is the full URL the request reached as this server knows it (its own
    public scheme and host, plus the request path and query).  ``now`` is
    injectable for tests.  ``retry_without_query`` applies to draft-cavage only.
    """
    if isinstance(parsed, CavageSignature):
        verify_cavage(parsed, key, method, url, headers, body, now=now, policy=policy,
                      retry_without_query=retry_without_query)
    else:
        verify_rfc9421(parsed, key, method, url, headers, body, now=now, policy=policy)


def sign_request(method: str, url: str, headers: HeaderInput, body: bytes, signer: Signer,
                 *, scheme: Scheme = "cavage", now: datetime | None = None) -> dict[str, str]:
    """The headers that sign this request with ``scheme`` (to merge into the request)."""
    if scheme == "cavage":
        return sign_cavage(method, url, headers, body, signer, now=now)
    return sign_rfc9421(method, url, headers, body, signer, now=now)
