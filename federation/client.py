"""The safe outbound HTTP client: signed AP GET/POST with scheme, redirect, size and time caps."""

from __future__ import annotations

import asyncio
import json
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin

import httpx

from federation.errors import (
    BadContentType,
    BadStatus,
    FetchError,
    FetchTimeout,
    IdMismatch,
    InsecureScheme,
    ParseError,
    RefusedAddress,
    ResponseTooLarge,
    TooManyRedirects,
)
from federation.netguard import GuardedTransport, address_refusal
from federation.signatures.auth import HttpSignatureAuth
from federation.signatures.http import Scheme
from federation.signatures.keys import Signer
from federation.urls import ParsedURL, parse_url, same_origin
from federation.vocab.base import check_document
from federation.vocab.context import ACTIVITY_JSON, AS_CONTEXT, is_as_media_type

__all__ = [
    "AP_ACCEPT",
    "CONNECT_TIMEOUT",
    "MAX_BODY_BYTES",
    "MAX_REDIRECTS",
    "READ_TIMEOUT",
    "TOTAL_TIMEOUT",
    "DeliveryResult",
    "FederationClient",
    "FetchResult",
]

#: Decompressed body cap (Mastodon's ``body_with_limit`` uses the same 1 MiB).
MAX_BODY_BYTES = 1024 * 1024
CONNECT_TIMEOUT = 5.0
#: Longest pause between two reads of one response.
READ_TIMEOUT = 10.0
#: Deadline for a whole exchange, redirects and body included: a slow drip is cut here.
TOTAL_TIMEOUT = 30.0
MAX_REDIRECTS = 3
AP_ACCEPT = f'{ACTIVITY_JSON}, application/ld+json; profile="{AS_CONTEXT}"'
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True, slots=True)
class FetchResult:
    """A completed exchange: the final URL (after redirects), status, headers and body."""

    url: str
    status: int
    headers: httpx.Headers
    body: bytes
    redirects: tuple[str, ...] = ()

    @property
    def content_type(self) -> str:
        return str(self.headers.get("content-type", ""))

    def json(self) -> Any:
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise ParseError("response is not JSON") from exc


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    """What an inbox POST came to; ``scheme`` is the signature scheme that got the answer."""

    status: int
    retry_after: float | None
    scheme: Scheme

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


class _CappedDecoder:
    """Decompress gzip/deflate incrementally, never producing more than ``cap`` bytes."""

    def __init__(self, encoding: str, cap: int) -> None:
        encoding = encoding.strip().lower()
        self._cap = cap
        self._buffer = bytearray()
        self._raw = 0
        if encoding in ("", "identity"):
            self._zlib = None
        elif encoding in ("gzip", "x-gzip"):
            self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._zlib = zlib.decompressobj(zlib.MAX_WBITS)
        else:
            raise FetchError(f"unsupported content encoding {encoding!r}")

    def feed(self, chunk: bytes) -> None:
        self._raw += len(chunk)
        if self._raw > self._cap:
            raise ResponseTooLarge(f"more than {self._cap} bytes on the wire")
        if self._zlib is None:
            out = chunk
        else:
            room = self._cap - len(self._buffer)
            try:
                out = self._zlib.decompress(chunk, room + 1)
            except zlib.error as exc:
                raise FetchError("corrupt compressed body") from exc
        self._buffer += out
        if len(self._buffer) > self._cap:
            raise ResponseTooLarge(f"body larger than {self._cap} bytes")

    def result(self) -> bytes:
        return bytes(self._buffer)


def _retry_after(value: str | None, now: datetime) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


class FederationClient:
    """httpx.AsyncClient wrapper for talking to other servers.

    Refuses plain http unless ``allow_http``; refuses loopback/private/reserved
    addresses (checked on the address connected to, see ``netguard``) unless
    ``allow_private_addresses``; follows at most ``max_redirects`` redirects,
    checking each hop; reads at most ``max_body_bytes`` after decompression; cuts
    every exchange at ``total_timeout``.  A test may inject ``transport`` (e.g.
    ``httpx.MockTransport``): scheme, IP-literal, redirect and size checks still apply,
    only the resolved-address check lives in the default transport.
    """

    def __init__(self, *, user_agent: str = "Chapterhouse (federation toolkit)",
                 allow_private_addresses: bool = False, allow_http: bool = False,
                 transport: httpx.AsyncBaseTransport | None = None,
                 max_body_bytes: int = MAX_BODY_BYTES, connect_timeout: float = CONNECT_TIMEOUT,
                 read_timeout: float = READ_TIMEOUT, total_timeout: float = TOTAL_TIMEOUT,
                 max_redirects: int = MAX_REDIRECTS) -> None:
        self.allow_private_addresses = allow_private_addresses
        self.allow_http = allow_http
        self.max_body_bytes = max_body_bytes
        self.total_timeout = total_timeout
        self.max_redirects = max_redirects
        self._http = httpx.AsyncClient(
            transport=transport or GuardedTransport(
                allow_private_addresses=allow_private_addresses),
            timeout=httpx.Timeout(connect=connect_timeout, read=read_timeout,
                                  write=read_timeout, pool=connect_timeout),
            follow_redirects=False,
            trust_env=False,
            headers={"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"},
        )

    async def __aenter__(self) -> FederationClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    def check_url(self, url: str) -> ParsedURL:
        """Parse ``url`` and apply the scheme and IP-literal rules (FetchError if refused)."""
        try:
            parsed = parse_url(url)
        except ParseError as exc:
            raise FetchError(f"invalid URL: {exc}", url=url) from exc
        if parsed.scheme != "https" and not self.allow_http:
            raise InsecureScheme("plain http refused", url=url)
        if not self.allow_private_addresses:
            try:
                why = address_refusal(parsed.host)
            except ValueError:
                why = None  # a name, checked when resolved
            if why is not None:
                raise RefusedAddress(f"{parsed.host} is {why}", url=url)
        return parsed

    async def request(self, method: str, url: str, *, headers: Mapping[str, str] | None = None,
                      content: bytes = b"", auth: httpx.Auth | None = None,
                      follow_redirects: bool = True) -> FetchResult:
        """One exchange under all the rules; the body is read (capped) before returning."""
        try:
            async with asyncio.timeout(self.total_timeout):
                return await self._request(method, url, dict(headers or {}), content, auth,
                                           follow_redirects)
        except TimeoutError as exc:
            raise FetchTimeout(f"no complete answer within {self.total_timeout} s",
                               url=url) from exc

    async def _request(self, method: str, url: str, headers: dict[str, str], content: bytes,
                       auth: httpx.Auth | None, follow_redirects: bool) -> FetchResult:
        current = url
        redirects: list[str] = []
        for hop in range(self.max_redirects + 1):
            self.check_url(current)
            request = self._http.build_request(method, current, headers=headers,
                                               content=content or None)
            try:
                response = await self._http.send(request, auth=auth, stream=True)
            except httpx.TimeoutException as exc:
                raise FetchTimeout(f"timed out: {exc}", url=current) from exc
            except httpx.HTTPError as exc:
                raise FetchError(f"request failed: {exc}", url=current) from exc
            try:
                location = response.headers.get("location")
                if follow_redirects and response.status_code in _REDIRECTS and location:
                    if hop == self.max_redirects:
                        raise TooManyRedirects(f"more than {self.max_redirects} redirects",
                                               url=url)
                    current = urljoin(current, location)
                    redirects.append(current)
                    if response.status_code == 303:
                        method, content = "GET", b""
                    continue
                body = await self._read_body(response, current)
                return FetchResult(current, response.status_code, response.headers, body,
                                   tuple(redirects))
            finally:
                await response.aclose()
        raise TooManyRedirects("redirect loop", url=url)  # pragma: no cover - loop returns

    async def _read_body(self, response: httpx.Response, url: str) -> bytes:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            raise ResponseTooLarge(f"declared length {declared}", url=url)
        if response.is_stream_consumed:
            # Already in memory (an injected transport built the response from bytes).
            if len(response.content) > self.max_body_bytes:
                raise ResponseTooLarge(f"body larger than {self.max_body_bytes} bytes", url=url)
            return response.content
        decoder = _CappedDecoder(response.headers.get("content-encoding", ""),
                                 self.max_body_bytes)
        try:
            async for chunk in response.aiter_raw():
                decoder.feed(chunk)
        except httpx.TimeoutException as exc:
            raise FetchTimeout(f"timed out reading: {exc}", url=url) from exc
        except httpx.HTTPError as exc:
            raise FetchError(f"reading failed: {exc}", url=url) from exc
        except ResponseTooLarge as exc:
            raise ResponseTooLarge(str(exc), url=url) from exc
        return decoder.result()

    async def get_json(self, url: str, *, accept: str = "application/json",
                       auth: httpx.Auth | None = None) -> tuple[FetchResult, Any]:
        """GET a JSON document (WebFinger, NodeInfo); any 2xx JSON answer is accepted."""
        result = await self.request("GET", url, headers={"Accept": accept}, auth=auth)
        if not 200 <= result.status < 300:
            raise BadStatus(result.status, url=result.url)
        mime = result.content_type.split(";")[0].strip().lower()
        if mime != "application/json" and not mime.endswith("+json"):
            raise BadContentType(result.content_type, url=result.url)
        return result, result.json()

    async def _fetch_ap_once(self, url: str, auth: httpx.Auth | None,
                             ) -> tuple[FetchResult, dict[str, Any]]:
        result = await self.request("GET", url, headers={"Accept": AP_ACCEPT}, auth=auth)
        if not 200 <= result.status < 300:
            raise BadStatus(result.status, url=result.url)
        if not is_as_media_type(result.content_type):
            raise BadContentType(result.content_type, url=result.url)
        return result, dict(check_document(result.json()))

    async def get_ap(self, url: str, *, signer: Signer | None = None) -> dict[str, Any]:
        """Fetch an ActivityPub document and make sure it is the one asked for.

        Sends the AS2 ``Accept``, signs the GET (draft-cavage) with ``signer`` when
        given (the instance actor), requires an AS2 content type and a JSON object.
        Accepted when the document's ``id`` equals the requested URL, or, after
        redirects, when the ``id`` shares its origin with the final URL.  Otherwise
        the document is fetched once more from its own ``id`` (as Mastodon does) and
        must then carry exactly that id; if not, IdMismatch.
        """
        auth = HttpSignatureAuth(signer) if signer is not None else None
        result, doc = await self._fetch_ap_once(url, auth)
        doc_id = doc.get("id")
        if not isinstance(doc_id, str) or not doc_id:
            raise IdMismatch("document has no id", url=url)
        if doc_id == url and not result.redirects:
            return doc
        if result.redirects and same_origin(doc_id, result.url):
            return doc
        result, doc = await self._fetch_ap_once(doc_id, auth)
        if doc.get("id") != doc_id:
            raise IdMismatch("document id differs from the URL it was fetched from", url=url)
        if result.redirects and not same_origin(doc_id, result.url):
            raise IdMismatch("document served from another origin than its id", url=url)
        return doc

    async def post_ap(self, url: str, body: bytes | Mapping[str, Any], signer: Signer, *,
                      scheme: Scheme = "cavage", double_knock: bool = True) -> DeliveryResult:
        """Deliver an activity to an inbox; never follows redirects.

        Signs with ``scheme``; on a 401 and with ``double_knock`` tries once more with
        the other scheme.  The result says which scheme produced the final answer, so
        a caller can remember it per host.  Retry-After is returned in seconds.
        """
        content = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
        headers = {"Content-Type": ACTIVITY_JSON, "Accept": AP_ACCEPT}
        result = await self.request("POST", url, headers=headers, content=content,
                                    auth=HttpSignatureAuth(signer, scheme),
                                    follow_redirects=False)
        if result.status == 401 and double_knock:
            scheme = "rfc9421" if scheme == "cavage" else "cavage"
            result = await self.request("POST", url, headers=headers, content=content,
                                        auth=HttpSignatureAuth(signer, scheme),
                                        follow_redirects=False)
        return DeliveryResult(result.status,
                              _retry_after(result.headers.get("retry-after"),
                                           datetime.now(UTC)), scheme)
