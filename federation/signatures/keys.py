"""Key material: RSA-2048 generation, PEM load/dump, Ed25519 public keys, the Signer."""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from federation.errors import ParseError

__all__ = [
    "MIN_RSA_BITS",
    "PrivateKey",
    "PublicKeyType",
    "Signer",
    "generate_rsa_key",
    "load_private_key_pem",
    "load_public_key_pem",
    "private_key_to_pem",
    "public_key_to_pem",
]

PublicKeyType = rsa.RSAPublicKey | ed25519.Ed25519PublicKey
PrivateKey = rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey

#: RSA keys shorter than this are refused.  1024 is low, but the draft-cavage test
#: key and some very old accounts still use it; our own keys are 2048 bits.
MIN_RSA_BITS = 1024
_MAX_RSA_BITS = 16_384
_MAX_PEM = 16_384


def generate_rsa_key(bits: int = 2048) -> rsa.RSAPrivateKey:
    """A fresh RSA key (public exponent 65537), 2048 bits unless asked otherwise."""
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def private_key_to_pem(key: PrivateKey) -> str:
    """Unencrypted PKCS#8 PEM (``BEGIN PRIVATE KEY``)."""
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")


def public_key_to_pem(key: PublicKeyType | PrivateKey) -> str:
    """SubjectPublicKeyInfo PEM (``BEGIN PUBLIC KEY``), the form actors publish."""
    public = key.public_key() if isinstance(
        key, rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey) else key
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo,
    ).decode("ascii")


def _as_bytes(pem: str | bytes) -> bytes:
    data = pem.encode("ascii", "replace") if isinstance(pem, str) else pem
    if len(data) > _MAX_PEM:
        raise ParseError("PEM too long")
    return data.strip()


def load_public_key_pem(pem: str | bytes) -> PublicKeyType:
    """Load an RSA or Ed25519 public key from PEM.

    Accepts SubjectPublicKeyInfo (``BEGIN PUBLIC KEY``) and the PKCS#1
    ``BEGIN RSA PUBLIC KEY`` form that some servers publish.  Other key types
    (EC, DSA) and RSA keys outside MIN_RSA_BITS..16384 bits raise ParseError.
    """
    try:
        key = serialization.load_pem_public_key(_as_bytes(pem))
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise ParseError("unreadable public key PEM") from exc
    if isinstance(key, rsa.RSAPublicKey):
        if not MIN_RSA_BITS <= key.key_size <= _MAX_RSA_BITS:
            raise ParseError(f"RSA key of {key.key_size} bits refused")
        return key
    if isinstance(key, ed25519.Ed25519PublicKey):
        return key
    raise ParseError(f"unsupported public key type {type(key).__name__}")


def load_private_key_pem(pem: str | bytes) -> PrivateKey:
    """Load an unencrypted RSA (PKCS#8 or PKCS#1) or Ed25519 private key."""
    try:
        key = serialization.load_pem_private_key(_as_bytes(pem), password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise ParseError("unreadable private key PEM") from exc
    if isinstance(key, rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey):
        return key
    raise ParseError(f"unsupported private key type {type(key).__name__}")


@dataclass(frozen=True, slots=True)
class Signer:
    """Who signs: the ``keyId`` URL (e.g. ``https://host/actor#main-key``) and its key."""

    key_id: str
    private_key: PrivateKey

    @classmethod
    def from_pem(cls, key_id: str, pem: str | bytes) -> Signer:
        return cls(key_id, load_private_key_pem(pem))
