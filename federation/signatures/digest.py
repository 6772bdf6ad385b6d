"""Body digests: ``Digest`` (RFC 3230) and ``Content-Digest`` (RFC 9530), make and verify."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

from federation.errors import SignatureError
from federation.signatures.sfv import Item, parse_dictionary

__all__ = ["make_content_digest", "make_digest", "verify_content_digest", "verify_digest"]

_CONTENT_DIGEST_ALGS = {"sha-256": hashlib.sha256, "sha-512": hashlib.sha512}


def make_digest(body: bytes) -> str:
    """``SHA-256=<base64>`` for the ``Digest`` header."""
    return "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode("ascii")


def verify_digest(header: str, body: bytes) -> None:
    """Check a ``Digest`` header against ``body``; SignatureError with the reason if not.

    Like Mastodon, only SHA-256 is accepted: a header that carries only other
    algorithms (SHA-512 …) is refused, and so is a value that is not strict
    base64 or does not decode to exactly 32 bytes.
    """
    found: str | None = None
    for part in header.split(","):
        name, sep, value = part.strip().partition("=")
        if not sep:
            raise SignatureError("malformed Digest header")
        if name.strip().lower() == "sha-256":
            found = value.strip()
    if found is None:
        raise SignatureError("Digest header has no SHA-256 value")
    try:
        given = base64.b64decode(found, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SignatureError("Digest value is not base64") from exc
    if len(given) != 32:
        raise SignatureError("Digest value has the wrong length for SHA-256")
    if not hmac.compare_digest(given, hashlib.sha256(body).digest()):
        raise SignatureError("Digest does not match the body")


def make_content_digest(body: bytes, algorithm: str = "sha-256") -> str:
    """``sha-256=:<base64>:`` for the ``Content-Digest`` header."""
    digest = _CONTENT_DIGEST_ALGS[algorithm](body).digest()
    return f"{algorithm}=:{base64.b64encode(digest).decode('ascii')}:"


def verify_content_digest(header: str, body: bytes) -> None:
    """Check a ``Content-Digest`` header (sha-256 and/or sha-512) against ``body``.

    At least one supported algorithm must be present, and every supported one that
    is present must match; unknown algorithms alongside them are ignored.
    """
    members = parse_dictionary(header)
    checked = 0
    for name, member in members.items():
        algorithm = _CONTENT_DIGEST_ALGS.get(name)
        if algorithm is None:
            continue
        if not isinstance(member, Item) or not isinstance(member.value, bytes):
            raise SignatureError("Content-Digest value is not a byte sequence")
        expected = algorithm(body).digest()
        if len(member.value) != len(expected):
            raise SignatureError(f"Content-Digest {name} has the wrong length")
        if not hmac.compare_digest(member.value, expected):
            raise SignatureError("Content-Digest does not match the body")
        checked += 1
    if not checked:
        raise SignatureError("Content-Digest has no sha-256 or sha-512 value")
