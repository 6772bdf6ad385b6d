"""Shared pieces of both signature schemes: header maps, the time window, raw crypto."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

from federation.errors import SignatureError
from federation.signatures.keys import PrivateKey, PublicKeyType

__all__ = [
    "DEFAULT_POLICY",
    "MAX_AGE",
    "MAX_EXPIRES",
    "MAX_FUTURE",
    "HeaderInput",
    "VerifyPolicy",
    "check_signed_time",
    "http_date",
    "lower_headers",
    "parse_http_date",
    "sign_bytes",
    "utcnow",
    "verify_bytes",
]

#: A signature (Date or ``created``) older than this is refused: Mastodon's one hour
#: plus five minutes of clock skew.
MAX_AGE = timedelta(hours=1, minutes=5)
#: A signature dated further in the future than this is refused (Mastodon: one hour).
MAX_FUTURE = timedelta(hours=1)
#: An ``expires`` further than this after ``created`` is capped here (Mastodon: 12 h).
MAX_EXPIRES = timedelta(hours=12)

HeaderInput = Mapping[str, str] | Iterable[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class VerifyPolicy:
    """What verification demands beyond a valid signature.

    ``require_standard_components`` switches on the ActivityPub rules (signed
    target, host/authority, date, digest on bodies).  Only test vectors taken from
    the specifications, which sign arbitrary subsets, turn it off.
    """

    max_age: timedelta = MAX_AGE
    max_future: timedelta = MAX_FUTURE
    max_expires: timedelta = MAX_EXPIRES
    require_standard_components: bool = True


DEFAULT_POLICY = VerifyPolicy()


def utcnow() -> datetime:
    return datetime.now(UTC)


def lower_headers(headers: HeaderInput) -> dict[str, str]:
    """Header names lower-cased; repeated fields joined with ``", "`` (RFC 9110 §5.3)."""
    items = headers.items() if isinstance(headers, Mapping) else headers
    out: dict[str, str] = {}
    for name, value in items:
        key = name.lower()
        value = value.strip()
        out[key] = f"{out[key]}, {value}" if key in out else value
    return out


def http_date(moment: datetime) -> str:
    """IMF-fixdate, e.g. ``Sun, 06 Nov 1994 08:49:37 GMT``."""
    return moment.astimezone(UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")


def parse_http_date(value: str) -> datetime:
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError) as exc:
        raise SignatureError("unparseable Date header") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def check_signed_time(signed_at: datetime, now: datetime, policy: VerifyPolicy,
                      what: str = "date") -> None:
    """Refuse a signing time older than ``max_age`` or later than ``now + max_future``."""
    if signed_at < now - policy.max_age:
        raise SignatureError(f"{what} outside window (too old)")
    if signed_at > now + policy.max_future:
        raise SignatureError(f"{what} outside window (in the future)")


def check_expires(created: datetime | None, expires: datetime, now: datetime,
                  policy: VerifyPolicy) -> None:
    limit = expires
    if created is not None:
        limit = min(expires, created + policy.max_expires)
    if now > limit:
        raise SignatureError("signature expired")


def verify_bytes(algorithm: str, key: PublicKeyType, signature: bytes, data: bytes) -> None:
    """Check ``signature`` over ``data``; ``algorithm`` is an RFC 9421 algorithm name."""
    try:
        if algorithm == "rsa-v1_5-sha256" and isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        elif algorithm == "rsa-pss-sha512" and isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, data,
                       padding.PSS(mgf=padding.MGF1(hashes.SHA512()), salt_length=64),
                       hashes.SHA512())
        elif algorithm == "ed25519" and isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(signature, data)
        else:
            raise SignatureError(f"key type does not match algorithm {algorithm}")
    except InvalidSignature as exc:
        raise SignatureError("signature does not verify") from exc


def sign_bytes(algorithm: str, key: PrivateKey, data: bytes) -> bytes:
    if algorithm == "rsa-v1_5-sha256" and isinstance(key, rsa.RSAPrivateKey):
        return key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    if algorithm == "ed25519" and isinstance(key, ed25519.Ed25519PrivateKey):
        return key.sign(data)
    raise SignatureError(f"cannot sign {algorithm} with this key")


def algorithm_for_key(key: PublicKeyType | PrivateKey) -> str:
    """The default RFC 9421 algorithm for a key: rsa-v1_5-sha256 or ed25519."""
    if isinstance(key, rsa.RSAPublicKey | rsa.RSAPrivateKey):
        return "rsa-v1_5-sha256"
    return "ed25519"
