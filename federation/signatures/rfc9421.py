"""RFC 9421 HTTP Message Signatures: parse, verify and sign Signature-Input/Signature."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import parse_qsl, quote

from cryptography.hazmat.primitives.asymmetric import rsa

from federation.errors import ParseError, SignatureError
from federation.signatures.common import (
    DEFAULT_POLICY,
    HeaderInput,
    VerifyPolicy,
    algorithm_for_key,
    check_expires,
    check_signed_time,
    lower_headers,
    sign_bytes,
    utcnow,
    verify_bytes,
)
from federation.signatures.digest import make_content_digest, verify_content_digest
from federation.signatures.keys import PublicKeyType, Signer
from federation.signatures.sfv import (
    BareItem,
    InnerList,
    Item,
    parse_dictionary,
    serialize_inner_list,
    serialize_item,
    serialize_params,
)
from federation.urls import ParsedURL, parse_url

__all__ = [
    "VERIFY_ALGORITHMS",
    "Rfc9421Signature",
    "create_signature",
    "parse_rfc9421",
    "sign_rfc9421",
    "signature_base",
    "verify_rfc9421",
]

#: Algorithms accepted on verification; we sign with rsa-v1_5-sha256 (or ed25519).
VERIFY_ALGORITHMS = frozenset({"rsa-v1_5-sha256", "rsa-pss-sha512", "ed25519"})
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
_MAX_COMPONENTS = 32


@dataclass(frozen=True, slots=True)
class Rfc9421Signature:
    """One labelled signature: its covered components, parameters and bytes."""

    label: str
    components: tuple[Item, ...]
    params: Mapping[str, BareItem]
    signature: bytes
    signature_params: str

    scheme = "rfc9421"

    @property
    def key_id(self) -> str:
        value = self.params.get("keyid")
        return value if isinstance(value, str) else ""

    @property
    def covered(self) -> tuple[str, ...]:
        return tuple(str(c.value) for c in self.components)

    @property
    def alg(self) -> str | None:
        value = self.params.get("alg")
        return value if isinstance(value, str) else None

    def _time(self, name: str) -> datetime | None:
        value = self.params.get(name)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise SignatureError(f"bad {name} parameter")
        return datetime.fromtimestamp(value, UTC)

    @property
    def created(self) -> datetime | None:
        return self._time("created")

    @property
    def expires(self) -> datetime | None:
        return self._time("expires")


def parse_rfc9421(headers: HeaderInput, label: str | None = None) -> Rfc9421Signature:
    """Read one signature from ``Signature-Input`` and ``Signature``.

    Without ``label`` the first label present in both headers is used.
    """
    h = lower_headers(headers)
    if "signature-input" not in h:
        raise SignatureError("missing Signature-Input header")
    if "signature" not in h:
        raise SignatureError("missing Signature header")
    inputs = parse_dictionary(h["signature-input"])
    signatures = parse_dictionary(h["signature"])
    if label is None:
        label = next((name for name in inputs if name in signatures), None)
        if label is None:
            raise SignatureError("no signature label in both Signature-Input and Signature")
    if label not in inputs or label not in signatures:
        raise SignatureError(f"signature label {label} not found")
    inner = inputs[label]
    sig_item = signatures[label]
    if not isinstance(inner, InnerList):
        raise SignatureError("Signature-Input member is not an inner list")
    if not isinstance(sig_item, Item) or not isinstance(sig_item.value, bytes):
        raise SignatureError("Signature member is not a byte sequence")
    if len(inner.items) > _MAX_COMPONENTS:
        raise SignatureError("too many covered components")
    seen: set[str] = set()
    for component in inner.items:
        if type(component.value) is not str:
            raise SignatureError("covered component is not a string")
        ident = serialize_item(component.value) + serialize_params(component.params)
        if ident in seen:
            raise SignatureError(f"duplicate covered component {component.value}")
        seen.add(ident)
    if not isinstance(inner.params.get("keyid"), str):
        raise SignatureError("Signature-Input without keyid")
    return Rfc9421Signature(label, inner.items, dict(inner.params), sig_item.value,
                            serialize_inner_list(inner))


def _query_param(parsed: ParsedURL, params: Mapping[str, BareItem]) -> str:
    wanted = params.get("name")
    if not isinstance(wanted, str):
        raise SignatureError("@query-param without name")
    values = [v for k, v in parse_qsl(parsed.query, keep_blank_values=True) if k == wanted]
    if len(values) != 1:
        raise SignatureError(f"query parameter {wanted} missing or repeated")
    return quote(values[0], safe="")


def _component_value(component: Item, method: str, parsed: ParsedURL,
                     h: Mapping[str, str]) -> str:
    name = str(component.value)
    params = component.params
    if name.startswith("@"):
        if params and name != "@query-param":
            raise SignatureError(f"unsupported parameters on {name}")
        if name == "@method":
            return method.upper()
        if name == "@target-uri":
            return parsed.origin + parsed.path_and_query
        if name == "@authority":
            return parsed.authority
        if name == "@scheme":
            return parsed.scheme
        if name == "@request-target":
            return parsed.path_and_query
        if name == "@path":
            return parsed.path or "/"
        if name == "@query":
            return f"?{parsed.query}"
        if name == "@query-param":
            return _query_param(parsed, params)
        raise SignatureError(f"unsupported component {name}")
    if params:
        raise SignatureError(f"unsupported parameters on {name}")
    if name != name.lower():
        raise SignatureError(f"component {name} is not lower-case")
    if name not in h:
        raise SignatureError(f"covered header {name} missing")
    return h[name]


def signature_base(sig: Rfc9421Signature, method: str, url: str,
                   headers: HeaderInput) -> str:
    """The signature base (RFC 9421 §2.5) for ``sig`` over this request."""
    try:
        parsed = parse_url(url)
    except ParseError as exc:
        raise SignatureError("unparseable request URL") from exc
    h = lower_headers(headers)
    lines = []
    for component in sig.components:
        ident = serialize_item(component.value) + serialize_params(component.params)
        value = _component_value(component, method, parsed, h)
        if "\n" in value or "\r" in value:
            raise SignatureError("component value contains a line break")
        lines.append(f"{ident}: {value}")
    lines.append(f'"@signature-params": {sig.signature_params}')
    return "\n".join(lines)


def _check_strength(sig: Rfc9421Signature, method: str, body: bytes) -> None:
    covered = set(sig.covered)
    if "@method" not in covered:
        raise SignatureError("@method not covered")
    if "@target-uri" not in covered and not (
            "@authority" in covered and covered & {"@path", "@request-target"}):
        raise SignatureError("@target-uri (or @authority and @path) not covered")
    if (method.upper() in _BODY_METHODS or body) and "content-digest" not in covered:
        raise SignatureError("content-digest not covered")
    if sig.created is None:
        raise SignatureError("created parameter missing")


def verify_rfc9421(sig: Rfc9421Signature, key: PublicKeyType, method: str, url: str,
                   headers: HeaderInput, body: bytes, *, now: datetime | None = None,
                   policy: VerifyPolicy = DEFAULT_POLICY) -> None:
    """Verify an RFC 9421 signature; raise SignatureError with the reason.

    Algorithms: rsa-v1_5-sha256, rsa-pss-sha512, ed25519 (``hmac-sha256`` and
    ECDSA refused).  Without an ``alg`` parameter an RSA key is tried with
    rsa-v1_5-sha256 and then rsa-pss-sha512.  The standard policy requires
    ``@method``, ``@target-uri`` (or ``@authority`` with ``@path``), a ``created``
    within the time window and, on requests with a body, a covered
    ``content-digest`` that matches the body.  ``@authority`` and ``@target-uri``
    are computed from ``url``, so a signature made for another server fails.
    """
    now = now or utcnow()
    alg = sig.alg
    if alg is not None and alg not in VERIFY_ALGORITHMS:
        raise SignatureError(f"unsupported algorithm {alg}")
    if alg is not None:
        candidates = [alg]
    elif isinstance(key, rsa.RSAPublicKey):
        candidates = ["rsa-v1_5-sha256", "rsa-pss-sha512"]
    else:
        candidates = ["ed25519"]
    if policy.require_standard_components:
        _check_strength(sig, method, body)
    created = sig.created
    if created is not None:
        check_signed_time(created, now, policy, "created")
    expires = sig.expires
    if expires is not None:
        check_expires(created, expires, now, policy)
    h = lower_headers(headers)
    if "content-digest" in sig.covered:
        if "content-digest" not in h:
            raise SignatureError("covered header content-digest missing")
        verify_content_digest(h["content-digest"], body)
    base = signature_base(sig, method, url, h).encode("utf-8")
    failure = SignatureError("signature does not verify")
    for candidate in candidates:
        try:
            verify_bytes(candidate, key, sig.signature, base)
            return
        except SignatureError as exc:
            failure = exc
    raise failure


def create_signature(method: str, url: str, headers: HeaderInput, components: list[str],
                     params: Mapping[str, BareItem], signer: Signer, *,
                     label: str = "sig1", algorithm: str | None = None) -> dict[str, str]:
    """Sign exactly ``components`` with ``params`` (in that order); return both headers."""
    inner = InnerList(tuple(Item(c) for c in components), dict(params))
    sig = Rfc9421Signature(label, inner.items, dict(params), b"", serialize_inner_list(inner))
    base = signature_base(sig, method, url, headers).encode("utf-8")
    raw = sign_bytes(algorithm or algorithm_for_key(signer.private_key), signer.private_key,
                     base)
    return {
        "Signature-Input": f"{label}={sig.signature_params}",
        "Signature": f"{label}={serialize_item(raw)}",
    }


def sign_rfc9421(method: str, url: str, headers: HeaderInput, body: bytes, signer: Signer,
                 *, now: datetime | None = None, label: str = "sig1") -> dict[str, str]:
    """Headers that give a request an RFC 9421 signature (rsa-v1_5-sha256 for RSA keys).

    Covers ``@method`` and ``@target-uri``, plus ``content-digest`` (computed,
    sha-256) and ``content-type`` when the request has a body; parameters
    ``created``, ``keyid`` and ``alg``.
    """
    h = lower_headers(headers)
    out: dict[str, str] = {}
    components = ["@method", "@target-uri"]
    if method.upper() in _BODY_METHODS or body:
        out["Content-Digest"] = h["content-digest"] = make_content_digest(body)
        components.append("content-digest")
        if "content-type" in h:
            components.append("content-type")
    alg = algorithm_for_key(signer.private_key)
    params: dict[str, BareItem] = {
        "created": int((now or utcnow()).timestamp()),
        "keyid": signer.key_id,
        "alg": alg,
    }
    out.update(create_signature(method, url, h, components, params, signer, label=label,
                                algorithm=alg))
    return out
