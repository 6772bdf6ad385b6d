"""Outbound address guard: which IPs we may dial, and an httpx transport that enforces it."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import socket
import ssl
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

import httpcore
import httpx

from federation.errors import FetchError, FetchTimeout, RefusedAddress

__all__ = [
    "GuardedBackend",
    "GuardedTransport",
    "IPAddress",
    "address_refusal",
    "is_public_address",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_V4_BLOCKED = [(ipaddress.IPv4Network(net), why) for net, why in (
    ("0.0.0.0/8", "unspecified/this network"),
    ("10.0.0.0/8", "private (RFC 1918)"),
    ("100.64.0.0/10", "shared address space (CGNAT)"),
    ("127.0.0.0/8", "loopback"),
    ("169.254.0.0/16", "link-local"),
    ("172.16.0.0/12", "private (RFC 1918)"),
    ("192.0.0.0/24", "IETF protocol assignments"),
    ("192.0.2.0/24", "documentation"),
    ("192.88.99.0/24", "6to4 relay anycast"),
    ("192.168.0.0/16", "private (RFC 1918)"),
    ("198.18.0.0/15", "benchmarking"),
    ("198.51.100.0/24", "documentation"),
    ("203.0.113.0/24", "documentation"),
    ("224.0.0.0/4", "multicast"),
    ("240.0.0.0/4", "reserved"),
)]
_V6_BLOCKED = [(ipaddress.IPv6Network(net), why) for net, why in (
    ("::/128", "unspecified"),
    ("::1/128", "loopback"),
    ("100::/64", "discard-only"),
    ("2001::/32", "Teredo tunnel"),
    ("2001:db8::/32", "documentation"),
    ("3fff::/20", "documentation"),
    ("5f00::/16", "segment routing"),
    ("64:ff9b:1::/48", "local-use NAT64"),
    ("fc00::/7", "unique local"),
    ("fe80::/10", "link-local"),
    ("fec0::/10", "site-local"),
    ("ff00::/8", "multicast"),
)]
_MAPPED = ipaddress.IPv6Network("::ffff:0:0/96")
_COMPATIBLE = ipaddress.IPv6Network("::/96")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_SIX_TO_FOUR = ipaddress.IPv6Network("2002::/16")


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address inside IPv4-mapped, -compatible, NAT64 and 6to4 encodings."""
    value = int(ip)
    if ip in _MAPPED or ip in _NAT64 or (ip in _COMPATIBLE and value > 1):
        return ipaddress.IPv4Address(value & 0xFFFFFFFF)
    if ip in _SIX_TO_FOUR:
        return ipaddress.IPv4Address((value >> 80) & 0xFFFFFFFF)
    return None


def address_refusal(ip: IPAddress | str) -> str | None:
    """Why we refuse to connect to ``ip``, or None when it is a public unicast address.

    Refused: loopback, RFC 1918 private, CGNAT 100.64/10, link-local, multicast,
    reserved and documentation ranges, the unspecified addresses, and IPv6
    encodings that carry such an IPv4 address (``::ffff:127.0.0.1``,
    ``64:ff9b::7f00:1``, ``2002:7f00:1::``), plus anything Python does not call global.
    """
    if isinstance(ip, str):
        ip = ipaddress.ip_address(ip.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            inner = address_refusal(embedded)
            return None if inner is None else f"{inner} (embedded in {ip})"
        for net6, why in _V6_BLOCKED:
            if ip in net6:
                return why
        return None if ip.is_global else "not globally routable"
    for net4, why in _V4_BLOCKED:
        if ip in net4:
            return why
    if ip == ipaddress.IPv4Address("255.255.255.255"):
        return "broadcast"
    return None if ip.is_global else "not globally routable"


def is_public_address(ip: IPAddress | str) -> bool:
    return address_refusal(ip) is None


async def _resolve(host: str, port: int) -> list[str]:
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise FetchError(f"cannot resolve {host}") from exc
    seen: list[str] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        address = str(sockaddr[0])
        if address not in seen:
            seen.append(address)
    return seen


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """An httpcore backend that resolves hosts itself and dials only allowed addresses.

    Every resolved address is checked (one forbidden answer refuses the host, so a
    DNS answer mixing public and private addresses cannot be used to reach inside),
    and after connecting the peer address of the socket is checked again.
    """

    def __init__(self, *, allow_private_addresses: bool = False,
                 inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self._allow_private = allow_private_addresses
        self._inner = inner or httpcore.AnyIOBackend()

    def _check(self, host: str, address: str) -> None:
        if self._allow_private:
            return
        why = address_refusal(address)
        if why is not None:
            raise RefusedAddress(f"{host} is {address}, {why}")

    # The ``timeout`` parameters below are httpcore's backend interface, not our choice.
    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,  # noqa: ASYNC109
                          local_address: str | None = None,
                          socket_options: Iterable[Any] | None = None,
                          ) -> httpcore.AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                addresses = await _resolve(host, port)
        except TimeoutError as exc:
            raise FetchTimeout(f"resolving {host} timed out") from exc
        for address in addresses:
            self._check(host, address)
        failure: Exception = FetchError(f"no address for {host}")
        for address in addresses:
            try:
                stream = await self._inner.connect_tcp(address, port, timeout, local_address,
                                                       socket_options)
            except httpcore.ConnectError as exc:
                failure = exc
                continue
            peer = stream.get_extra_info("server_addr")
            try:
                if isinstance(peer, tuple) and peer:
                    self._check(host, str(peer[0]))
            except RefusedAddress:
                await stream.aclose()
                raise
            return stream
        raise failure

    async def connect_unix_socket(self, path: str, timeout: float | None = None,  # noqa: ASYNC109
                                  socket_options: Iterable[Any] | None = None,
                                  ) -> httpcore.AsyncNetworkStream:
        raise RefusedAddress("unix sockets are never dialled")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class _ResponseStream(httpx.AsyncByteStream):
    def __init__(self, stream: Any) -> None:
        self._stream = stream

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _mapped_errors():
            async for part in self._stream:
                yield part

    async def aclose(self) -> None:
        if hasattr(self._stream, "aclose"):
            await self._stream.aclose()


@contextlib.contextmanager
def _mapped_errors() -> Iterator[None]:
    """Turn httpcore's exceptions into our FetchError tree."""
    try:
        yield
    except httpcore.TimeoutException as exc:
        raise FetchTimeout(f"timed out: {exc}") from exc
    except (httpcore.NetworkError, httpcore.ProtocolError, httpcore.UnsupportedProtocol,
            httpcore.ProxyError) as exc:
        raise FetchError(f"connection failed: {exc}") from exc


class GuardedTransport(httpx.AsyncBaseTransport):
    """An httpx transport over an httpcore pool that uses :class:`GuardedBackend`.

    No proxies and no environment configuration: a proxy would dial on our behalf
    and escape the address check.
    """

    def __init__(self, *, allow_private_addresses: bool = False,
                 ssl_context: ssl.SSLContext | None = None, max_connections: int = 100,
                 keepalive_expiry: float = 30.0) -> None:
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context or ssl.create_default_context(),
            max_connections=max_connections,
            keepalive_expiry=keepalive_expiry,
            network_backend=GuardedBackend(allow_private_addresses=allow_private_addresses),
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not isinstance(request.stream, httpx.AsyncByteStream):
            raise FetchError("synchronous request body on an async transport")
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(scheme=request.url.raw_scheme, host=request.url.raw_host,
                             port=request.url.port, target=request.url.raw_path),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        with _mapped_errors():
            response = await self._pool.handle_async_request(core_request)
        return httpx.Response(status_code=response.status, headers=response.headers,
                              stream=_ResponseStream(response.stream),
                              extensions=response.extensions)

    async def aclose(self) -> None:
        await self._pool.aclose()
