"""Strict URL and host parsing: origins, same-origin checks, numeric-host normalisation."""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from federation.errors import ParseError

__all__ = [
    "MAX_URL_LENGTH",
    "ParsedURL",
    "normalize_host",
    "origin_of",
    "parse_url",
    "same_origin",
]

#: URLs longer than this are refused (ParseError); no real actor or object id comes close.
MAX_URL_LENGTH = 2048

_DEFAULT_PORTS = {"http": 80, "https": 443}
_LABEL = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$")
_NUMERIC_LABEL = re.compile(r"^(?:0x[0-9a-f]*|[0-9]+)$")
_FORBIDDEN_CHARS = re.compile(r"[\x00-\x20\x7f\\]")


@dataclass(frozen=True, slots=True)
class ParsedURL:
    """A URL that passed :func:`parse_url`; ``host`` is lower-case ASCII, ``port`` explicit."""

    scheme: str
    host: str
    port: int
    path: str
    query: str
    fragment: str

    @property
    def default_port(self) -> bool:
        return _DEFAULT_PORTS[self.scheme] == self.port

    @property
    def authority(self) -> str:
        """``host`` or ``host:port`` when the port is not the scheme's default."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.default_port else f"{host}:{self.port}"

    @property
    def origin(self) -> str:
        return f"{self.scheme}://{self.authority}"

    @property
    def path_and_query(self) -> str:
        path = self.path or "/"
        return f"{path}?{self.query}" if self.query else path

    def geturl(self) -> str:
        url = f"{self.origin}{self.path_and_query}"
        return f"{url}#{self.fragment}" if self.fragment else url


def normalize_host(host: str) -> str:
    """Lower-case and validate a host name or IP literal; raise ParseError on tricks.

    Refused: empty hosts, a trailing dot (``example.com.`` would name the same
    host as ``example.com`` but compare unequal), empty labels, percent-encoding
    and other characters outside letters, digits, ``-`` and ``_``.  Internationalised
    names are converted to their ``xn--`` form.  Hosts whose last label is numeric
    are IPv4 addresses in the WHATWG URL standard; decimal, octal and hex spellings
    such as ``2130706433`` or ``0177.0.0.1`` are rewritten to the dotted-quad they
    mean, so that ``origin_of`` and the address guard see the real address.
    """
    if not host:
        raise ParseError("empty host")
    if host.startswith("[") and host.endswith("]"):
        try:
            return str(ipaddress.IPv6Address(host[1:-1]))
        except ValueError as exc:
            raise ParseError(f"bad IPv6 literal {host!r}") from exc
    if ":" in host:
        try:
            return str(ipaddress.IPv6Address(host))
        except ValueError as exc:
            raise ParseError(f"bad host {host!r}") from exc
    try:
        ascii_host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError as exc:
        raise ParseError(f"bad internationalised host {host!r}") from exc
    ascii_host = ascii_host.lower()
    if ascii_host.endswith("."):
        raise ParseError(f"host with trailing dot {host!r}")
    labels = ascii_host.split(".")
    if _NUMERIC_LABEL.match(labels[-1]):
        try:
            packed = socket.inet_aton(ascii_host)
        except OSError as exc:
            raise ParseError(f"bad numeric host {host!r}") from exc
        return socket.inet_ntoa(packed)
    for label in labels:
        if not _LABEL.match(label):
            raise ParseError(f"bad host {host!r}")
    return ascii_host


def parse_url(url: str, *, schemes: tuple[str, ...] = ("https", "http")) -> ParsedURL:
    """Parse an absolute http(s) URL strictly; raise ParseError when anything is off.

    Userinfo (``https://user@host``) is refused outright because it is the classic
    way of making one host look like another; so are backslashes, whitespace and
    control characters, URLs longer than :data:`MAX_URL_LENGTH`, ports outside
    1-65535 and schemes not listed in ``schemes``.
    """
    if not isinstance(url, str):
        raise ParseError("URL is not a string")
    if len(url) > MAX_URL_LENGTH:
        raise ParseError("URL too long")
    if _FORBIDDEN_CHARS.search(url):
        raise ParseError("URL contains whitespace, control characters or backslashes")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ParseError(f"unparseable URL {url!r}") from exc
    scheme = parts.scheme.lower()
    if scheme not in schemes:
        raise ParseError(f"URL scheme {parts.scheme!r} not allowed")
    if "@" in parts.netloc:
        raise ParseError("URL with userinfo refused")
    raw_host = parts.netloc
    if raw_host.startswith("["):
        end = raw_host.find("]")
        raw_host = raw_host[: end + 1] if end != -1 else raw_host
    elif ":" in raw_host:
        raw_host = raw_host.rsplit(":", 1)[0]
    host = normalize_host(raw_host)
    if port is None:
        if parts.netloc.endswith(":"):
            raise ParseError("empty port")
        port = _DEFAULT_PORTS[scheme]
    if not 0 < port < 65536:
        raise ParseError("port out of range")
    return ParsedURL(scheme, host, port, parts.path, parts.query, parts.fragment)


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of ``url`` after strict parsing (ParseError if unparseable)."""
    return parse_url(url).origin


def same_origin(a: str, b: str) -> bool:
    """True when both URLs parse strictly and share scheme, host and port.

    An unparseable URL is never the same origin as anything, so this never raises.
    """
    try:
        return parse_url(a).origin == parse_url(b).origin
    except ParseError:
        return False
