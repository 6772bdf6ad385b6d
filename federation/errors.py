"""The single exception tree of the federation toolkit."""

from __future__ import annotations

__all__ = [
    "BadContentType",
    "BadStatus",
    "FederationError",
    "FetchError",
    "FetchTimeout",
    "IdMismatch",
    "InsecureScheme",
    "ParseError",
    "RefusedAddress",
    "ResponseTooLarge",
    "SignatureError",
    "TooManyRedirects",
    "UnsupportedType",
    "WebFingerError",
]


class FederationError(Exception):
    """Base class of every error raised by ``federation``."""


class ParseError(FederationError):
    """A document, header or URL could not be read, or breaks a documented cap."""


class UnsupportedType(ParseError):
    """A well-formed document whose ``type`` this toolkit does not model."""

    def __init__(self, type_name: str) -> None:
        super().__init__(f"unsupported type {type_name!r}")
        self.type_name = type_name


class SignatureError(FederationError):
    """An HTTP signature is missing, malformed, too weak, stale or does not verify."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class FetchError(FederationError):
    """An outbound HTTP request failed or its answer was refused."""

    def __init__(self, message: str, *, url: str | None = None) -> None:
        super().__init__(message if url is None else f"{message} ({url})")
        self.url = url


class RefusedAddress(FetchError):
    """The host resolved to (or connected to) a loopback/private/reserved address."""


class InsecureScheme(FetchError):
    """The URL is not https (and plain http was not allowed), or not http(s) at all."""


class ResponseTooLarge(FetchError):
    """The body, after decompression, exceeded the size cap."""


class FetchTimeout(FetchError):
    """Connecting, reading or the whole exchange took longer than allowed."""


class BadStatus(FetchError):
    """The server answered with a status that the caller cannot use."""

    def __init__(self, status: int, *, url: str | None = None) -> None:
        super().__init__(f"unexpected HTTP status {status}", url=url)
        self.status = status


class BadContentType(FetchError):
    """The server answered with a media type that is not the one asked for."""

    def __init__(self, content_type: str, *, url: str | None = None) -> None:
        super().__init__(f"unexpected content type {content_type!r}", url=url)
        self.content_type = content_type


class IdMismatch(FetchError):
    """A fetched document does not carry the id (or origin) that was asked for."""


class TooManyRedirects(FetchError):
    """More redirects than allowed."""


class WebFingerError(FetchError):
    """A WebFinger answer is unusable or points to an actor on another host."""
