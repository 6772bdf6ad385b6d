"""HTTP signatures (draft-cavage-12 and RFC 9421) over plain method/url/headers/body."""

from __future__ import annotations

from federation.signatures.auth import HttpSignatureAuth
from federation.signatures.cavage import CavageSignature
from federation.signatures.common import DEFAULT_POLICY, MAX_AGE, MAX_FUTURE, VerifyPolicy
from federation.signatures.digest import (
    make_content_digest,
    make_digest,
    verify_content_digest,
    verify_digest,
)
from federation.signatures.http import (
    ParsedSignature,
    Scheme,
    parse_signature,
    sign_request,
    verify,
)
from federation.signatures.keys import (
    Signer,
    generate_rsa_key,
    load_private_key_pem,
    load_public_key_pem,
    private_key_to_pem,
    public_key_to_pem,
)
from federation.signatures.rfc9421 import Rfc9421Signature

__all__ = [
    "DEFAULT_POLICY",
    "MAX_AGE",
    "MAX_FUTURE",
    "CavageSignature",
    "HttpSignatureAuth",
    "ParsedSignature",
    "Rfc9421Signature",
    "Scheme",
    "Signer",
    "VerifyPolicy",
    "generate_rsa_key",
    "load_private_key_pem",
    "load_public_key_pem",
    "make_content_digest",
    "make_digest",
    "parse_signature",
    "private_key_to_pem",
    "public_key_to_pem",
    "sign_request",
    "verify",
    "verify_content_digest",
    "verify_digest",
]
