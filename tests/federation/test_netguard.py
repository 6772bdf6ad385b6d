"""The private-address guard: classification (catalogue item 32) and real loopback dials."""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Awaitable, Callable
from typing import Any

import httpcore
import pytest

from federation import (
    FederationClient,
    FetchTimeout,
    RefusedAddress,
    address_refusal,
    is_public_address,
    netguard,
)

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
Starter = Callable[[Handler], Awaitable[int]]


@pytest.mark.parametrize("address", [
    "127.0.0.1", "127.255.255.254", "10.0.0.1", "172.16.5.4", "192.168.1.1",
    "169.254.169.254", "100.64.0.1", "100.127.255.255", "0.0.0.0", "0.1.2.3",
    "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255", "192.0.2.1",
    "198.18.0.1", "::", "::1", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1",
    "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::127.0.0.1",
    "64:ff9b::7f00:1", "64:ff9b::a00:1", "2002:7f00:1::", "2002:a00:1::1",
    "2001:db8::1", "2001::1", "64:ff9b:1::1",
])
def test_internal_addresses_are_refused(address: str) -> None:
    assert address_refusal(address) is not None
    assert not is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", [
    "1.1.1.1", "8.8.8.8", "93.184.216.34", "2606:4700:4700::1111",
    "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1",
])
def test_public_addresses_are_allowed(address: str) -> None:
    assert address_refusal(address) is None


@pytest.mark.parametrize("url", [
    "https://127.0.0.1/actor", "https://2130706433/actor", "https://0177.0.0.1/actor",
    "https://0x7f000001/actor", "https://[::ffff:127.0.0.1]/actor", "https://[::1]/actor",
    "https://169.254.169.254/latest/meta-data", "https://[64:ff9b::7f00:1]/",
])
async def test_ip_literal_hosts_are_refused_before_dialling(url: str) -> None:
    async with FederationClient() as client:
        with pytest.raises(RefusedAddress):
            await client.request("GET", url)


def _ok_handler(http_response: Callable[..., bytes]) -> Handler:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(http_response(200, b'{"ok": true}', "application/json"))
        await writer.drain()
        writer.close()
    return handle


async def test_loopback_listener_is_refused_by_default(
        loopback_server: Starter, http_response: Callable[..., bytes]) -> None:
    port = await loopback_server(_ok_handler(http_response))
    async with FederationClient(allow_http=True) as client:
        # "localhost" is a name: it is refused on the address it resolves to.
        with pytest.raises(RefusedAddress):
            await client.request("GET", f"http://localhost:{port}/")
        with pytest.raises(RefusedAddress):
            await client.request("GET", f"http://127.0.0.1:{port}/")


async def test_loopback_listener_is_reachable_with_the_switch(
        loopback_server: Starter, http_response: Callable[..., bytes]) -> None:
    port = await loopback_server(_ok_handler(http_response))
    async with FederationClient(allow_http=True, allow_private_addresses=True) as client:
        result = await client.request("GET", f"http://localhost:{port}/")
    assert result.status == 200
    assert result.body == b'{"ok": true}'


class _FakeStream(httpcore.AsyncNetworkStream):
    def __init__(self, peer: str) -> None:
        self.peer = peer
        self.closed = False

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:  # noqa: ASYNC109
        return b""

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:  # noqa: ASYNC109
        return None

    async def aclose(self) -> None:
        self.closed = True

    def get_extra_info(self, info: str) -> Any:
        return (self.peer, 443) if info == "server_addr" else None


class _FakeInner(httpcore.AsyncNetworkBackend):
    """Records dials and pretends the socket ended up connected to ``peer``."""

    def __init__(self, peer: str) -> None:
        self.peer = peer
        self.dialled: list[str] = []
        self.streams: list[_FakeStream] = []

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,  # noqa: ASYNC109
                          local_address: str | None = None,
                          socket_options: Any = None) -> httpcore.AsyncNetworkStream:
        self.dialled.append(host)
        stream = _FakeStream(self.peer)
        self.streams.append(stream)
        return stream


def _fake_dns(monkeypatch: pytest.MonkeyPatch, answers: list[str]) -> None:
    async def resolve(host: str, port: int) -> list[str]:
        return answers

    monkeypatch.setattr(netguard, "_resolve", resolve)


async def test_dns_answer_with_a_private_address_is_refused_without_dialling(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # DNS rebinding style answer: one public and one internal address.
    _fake_dns(monkeypatch, ["93.184.216.34", "10.0.0.5"])
    inner = _FakeInner("93.184.216.34")
    backend = netguard.GuardedBackend(inner=inner)
    with pytest.raises(RefusedAddress, match=r"10\.0\.0\.5"):
        await backend.connect_tcp("rebind.test", 443)
    assert inner.dialled == []


async def test_the_connected_peer_address_is_checked_again(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # Resolution said public, but the socket is connected to loopback: refuse and close.
    _fake_dns(monkeypatch, ["93.184.216.34"])
    inner = _FakeInner("127.0.0.1")
    backend = netguard.GuardedBackend(inner=inner)
    with pytest.raises(RefusedAddress, match=r"127\.0\.0\.1"):
        await backend.connect_tcp("public.test", 443)
    assert inner.dialled == ["93.184.216.34"]
    assert inner.streams[0].closed


async def test_public_answers_are_dialled_by_address(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_dns(monkeypatch, ["93.184.216.34"])
    inner = _FakeInner("93.184.216.34")
    stream = await netguard.GuardedBackend(inner=inner).connect_tcp("public.test", 443)
    assert inner.dialled == ["93.184.216.34"]
    assert stream.get_extra_info("server_addr") == ("93.184.216.34", 443)


async def test_unix_sockets_are_never_dialled() -> None:
    with pytest.raises(RefusedAddress):
        await netguard.GuardedBackend().connect_unix_socket("/var/run/docker.sock")


async def test_slow_drip_is_cut_at_the_total_deadline(
        loopback_server: Starter) -> None:
    async def drip(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 100000\r\n\r\n")
        try:
            for _ in range(1000):
                writer.write(b" ")
                await writer.drain()
                await asyncio.sleep(0.05)
        except ConnectionError:
            pass
        finally:
            writer.close()

    port = await loopback_server(drip)
    loop = asyncio.get_running_loop()
    async with FederationClient(allow_http=True, allow_private_addresses=True,
                                read_timeout=5.0, total_timeout=0.6) as client:
        started = loop.time()
        with pytest.raises(FetchTimeout):
            await client.request("GET", f"http://127.0.0.1:{port}/")
        assert loop.time() - started < 3.0
