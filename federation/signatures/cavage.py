"""draft-cavage-http-signatures-12: parse, verify and sign the ``Signature`` header."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.hazmat.primitives.asymmetric import rsa

from federation.errors import ParseError, SignatureError
from federation.signatures.common import (
    DEFAULT_POLICY,
    HeaderInput,
    VerifyPolicy,
    check_expires,
    check_signed_time,
    http_date,
    lower_headers,
    parse_http_date,
    sign_bytes,
    utcnow,
    verify_bytes,
)
from federation.signatures.digest import make_digest, verify_content_digest, verify_digest
from federation.signatures.keys import PublicKeyType, Signer
from federation.urls import parse_url

__all__ = [
    "BODY_METHODS",
    "CavageSignature",
    "parse_cavage",
    "sign_cavage",
    "signing_string",
    "verify_cavage",
]

#: Methods whose requests carry a body that the signature must cover through a digest.
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
_ACCEPTED_ALGORITHMS = frozenset({"rsa-sha256", "hs2019"})
_PARAM = re.compile(r'\s*([A-Za-z]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))\s*(?:,|$)')
_MAX_HEADER = 8_192


@dataclass(frozen=True, slots=True)
class CavageSignature:
    """A parsed ``Signature`` (or ``Authorization: Signature``) header."""

    key_id: str
    signature: bytes
    algorithm: str | None = None
    headers: tuple[str, ...] = ("date",)
    created: int | None = None
    expires: int | None = None

    scheme = "cavage"


def parse_cavage(value: str) -> CavageSignature:
    """Parse the header value; an ``Authorization`` value may keep its ``Signature`` prefix.

    Without a ``headers`` parameter the signed header list is ``date``, as Mastodon
    assumes (draft 12 would say ``(created)``; senders that omit it mean ``date``).
    """
    if len(value) > _MAX_HEADER:
        raise SignatureError("Signature header too long")
    text = value.strip()
    if text[:10].lower() == "signature ":
        text = text[10:]
    params: dict[str, str] = {}
    pos = 0
    while pos < len(text):
        m = _PARAM.match(text, pos)
        if not m or m.end() == pos:
            raise SignatureError("malformed Signature header")
        name = m.group(1)
        if name in params:
            raise SignatureError(f"duplicate {name} in Signature header")
        params[name] = m.group(2) if m.group(2) is not None else m.group(3)
        pos = m.end()
    key_id = params.get("keyId")
    raw_signature = params.get("signature")
    if not key_id:
        raise SignatureError("Signature header without keyId")
    if not raw_signature:
        raise SignatureError("Signature header without signature")
    try:
        signature = base64.b64decode(raw_signature, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SignatureError("signature is not base64") from exc
    headers = tuple(params.get("headers", "date").lower().split())
    if not headers:
        raise SignatureError("empty headers list")
    return CavageSignature(
        key_id=key_id,
        signature=signature,
        algorithm=params.get("algorithm"),
        headers=headers,
        created=_int_param(params, "created"),
        expires=_int_param(params, "expires"),
    )


def _int_param(params: dict[str, str], name: str) -> int | None:
    raw = params.get(name)
    if raw is None:
        return None
    if not raw.isdigit() or len(raw) > 12:
        raise SignatureError(f"bad {name} parameter")
    return int(raw)


def _request_target(method: str, url: str, *, with_query: bool = True) -> str:
    try:
        parsed = parse_url(url)
    except ParseError as exc:
        raise SignatureError("unparseable request URL") from exc
    target = parsed.path_and_query if with_query else (parsed.path or "/")
    return f"{method.lower()} {target}"


def signing_string(sig: CavageSignature, method: str, url: str, headers: HeaderInput,
                   *, with_query: bool = True) -> str:
    """The text that was signed, rebuilt from the request."""
    h = lower_headers(headers)
    lines = []
    for name in sig.headers:
        if name == "(request-target)":
            value = _request_target(method, url, with_query=with_query)
        elif name == "(created)":
            if sig.created is None:
                raise SignatureError("(created) signed but no created parameter")
            value = str(sig.created)
        elif name == "(expires)":
            if sig.expires is None:
                raise SignatureError("(expires) signed but no expires parameter")
            value = str(sig.expires)
        elif name in h:
            value = h[name]
        else:
            raise SignatureError(f"signed header {name} missing")
        lines.append(f"{name}: {value}")
    return "\n".join(lines)


def _check_strength(sig: CavageSignature, method: str, body: bytes) -> None:
    signed = set(sig.headers)
    if "(request-target)" not in signed:
        raise SignatureError("(request-target) not signed")
    if "date" not in signed and "(created)" not in signed:
        raise SignatureError("neither date nor (created) signed")
    if "host" not in signed:
        raise SignatureError("host not signed")
    if (method.upper() in BODY_METHODS or body) and not signed & {"digest", "content-digest"}:
        raise SignatureError("digest not signed")


def verify_cavage(sig: CavageSignature, key: PublicKeyType, method: str, url: str,
                  headers: HeaderInput, body: bytes, *, now: datetime | None = None,
                  policy: VerifyPolicy = DEFAULT_POLICY,
                  retry_without_query: bool = True) -> None:
    """Verify a draft-cavage signature; raise SignatureError with the reason.

    Rules: algorithm ``rsa-sha256`` or ``hs2019`` (``hmac-*`` and anything else
    refused; ``(created)``/``(expires)`` refused with ``rsa-sha256`` as draft 12
    demands).  With the standard policy ``(request-target)``, ``host`` and ``date``
    or ``(created)`` must be signed, plus ``digest`` on POST/PUT/PATCH or any
    non-empty body.  The signed ``Host`` must equal the authority of ``url`` (the
    URL the request reached, as this server sees it), a signed ``Digest`` or
    ``Content-Digest`` must match ``body``, and the signed time must lie within
    ``policy.max_age`` in the past and ``policy.max_future`` ahead.

    With ``retry_without_query`` a request whose URL has a query string is also
    accepted when the signature covers the path alone — Mastodon and GoToSocial
    both retry like this because some senders sign without the query.
    """
    now = now or utcnow()
    h = lower_headers(headers)
    algorithm = (sig.algorithm or "hs2019").lower()
    if algorithm not in _ACCEPTED_ALGORITHMS:
        raise SignatureError(f"unsupported algorithm {algorithm}")
    if algorithm == "rsa-sha256":
        if not isinstance(key, rsa.RSAPublicKey):
            raise SignatureError("rsa-sha256 with a non-RSA key")
        if {"(created)", "(expires)"} & set(sig.headers):
            raise SignatureError("(created)/(expires) not allowed with rsa-sha256")
    if policy.require_standard_components:
        _check_strength(sig, method, body)
    created = None
    if "(created)" in sig.headers and sig.created is not None:
        created = datetime.fromtimestamp(sig.created, UTC)
        check_signed_time(created, now, policy, "created")
    if "(expires)" in sig.headers and sig.expires is not None:
        check_expires(created, datetime.fromtimestamp(sig.expires, UTC), now, policy)
    if "date" in sig.headers:
        if "date" not in h:
            raise SignatureError("signed header date missing")
        check_signed_time(parse_http_date(h["date"]), now, policy, "date")
    if "host" in sig.headers and policy.require_standard_components:
        try:
            authority = parse_url(url).authority
        except ParseError as exc:
            raise SignatureError("unparseable request URL") from exc
        if h.get("host", "").lower() != authority:
            raise SignatureError("host mismatch")
    if "digest" in sig.headers:
        if "digest" not in h:
            raise SignatureError("signed header digest missing")
        verify_digest(h["digest"], body)
    if "content-digest" in sig.headers:
        if "content-digest" not in h:
            raise SignatureError("signed header content-digest missing")
        verify_content_digest(h["content-digest"], body)
    crypto_alg = "rsa-v1_5-sha256" if isinstance(key, rsa.RSAPublicKey) else "ed25519"
    text = signing_string(sig, method, url, h)
    try:
        verify_bytes(crypto_alg, key, sig.signature, text.encode("utf-8"))
    except SignatureError:
        if not (retry_without_query and "?" in _request_target(method, url)):
            raise
        bare = signing_string(sig, method, url, h, with_query=False)
        verify_bytes(crypto_alg, key, sig.signature, bare.encode("utf-8"))


def sign_cavage(method: str, url: str, headers: HeaderInput, body: bytes, signer: Signer,
                *, now: datetime | None = None) -> dict[str, str]:
    """Headers to add to a request so that it carries a draft-cavage signature.

    Signs ``(request-target) host date`` plus ``digest`` when the request has a body
    (a ``Digest`` is computed) and ``accept`` on GETs when one is set.  Returns
    ``Host``, ``Date``, ``Digest`` (if any) and ``Signature``.
    """
    h = lower_headers(headers)
    out: dict[str, str] = {}
    host = h.get("host") or parse_url(url).authority
    date = h.get("date") or http_date(now or utcnow())
    out["Host"], out["Date"] = host, date
    names = ["(request-target)", "host", "date"]
    values = {"host": host, "date": date}
    if method.upper() in BODY_METHODS or body:
        values["digest"] = out["Digest"] = make_digest(body)
        names.append("digest")
    elif "accept" in h:
        values["accept"] = h["accept"]
        names.append("accept")
    sig = CavageSignature(signer.key_id, b"", None, tuple(names))
    text = signing_string(sig, method, url, values)
    is_rsa = isinstance(signer.private_key, rsa.RSAPrivateKey)
    raw = sign_bytes("rsa-v1_5-sha256" if is_rsa else "ed25519", signer.private_key,
                     text.encode("utf-8"))
    algorithm = "rsa-sha256" if is_rsa else "hs2019"
    out["Signature"] = (
        f'keyId="{signer.key_id}",algorithm="{algorithm}",headers="{" ".join(names)}",'
        f'signature="{base64.b64encode(raw).decode("ascii")}"'
    )
    return out
