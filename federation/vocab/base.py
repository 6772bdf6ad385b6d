"""Tolerant readers for ActivityStreams JSON: value-or-list, id-or-object, caps, dates."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from federation.errors import ParseError
from federation.urls import MAX_URL_LENGTH, parse_url

__all__ = [
    "MAX_ATTACHMENTS",
    "MAX_AUDIENCE",
    "MAX_CONTENT_LENGTH",
    "MAX_DEPTH",
    "MAX_LANGUAGES",
    "MAX_NAME_LENGTH",
    "MAX_PEM_LENGTH",
    "MAX_POLL_OPTIONS",
    "MAX_SUMMARY_LENGTH",
    "MAX_TAGS",
    "MAX_TOKEN_LENGTH",
    "as_list",
    "bool_of",
    "check_document",
    "datetime_of",
    "drop_none",
    "format_datetime",
    "id_of",
    "ids_of",
    "int_of",
    "lang_map_of",
    "require_id",
    "text_of",
    "token_of",
    "type_of",
    "types_of",
    "url_of",
]

# Caps.  Identifiers that are too long are a ParseError (cutting one would change
# what it names); free text is truncated to the cap (the sanitizer downstream
# repairs any HTML cut in the middle); lists are truncated to their cap, except
# poll options, where a cut would misrepresent the question (ParseError).
#: content / source.content of a post, in characters (truncated)
MAX_CONTENT_LENGTH = 100_000
#: summary of a post or actor, in characters (truncated)
MAX_SUMMARY_LENGTH = 10_000
#: name / preferredUsername display values, poll option names (truncated)
MAX_NAME_LENGTH = 1_000
#: types, media types, language tags, usernames (ParseError)
MAX_TOKEN_LENGTH = 256
#: publicKeyPem (ParseError): a 16384-bit RSA key is about 3 kB of PEM
MAX_PEM_LENGTH = 16_384
#: entries kept from to / cc / bto / bcc / audience / attributedTo (truncated)
MAX_AUDIENCE = 1_000
#: tags kept (truncated)
MAX_TAGS = 100
#: attachments kept (truncated); Mastodon itself keeps 4
MAX_ATTACHMENTS = 16
#: poll options (ParseError beyond this)
MAX_POLL_OPTIONS = 64
#: entries kept from a language map (truncated)
MAX_LANGUAGES = 32
#: nesting of embedded objects (activity > object > ...) before ParseError
MAX_DEPTH = 6

_JSONLD_FORBIDDEN = ("@graph", "@included", "@reverse")


def check_document(data: Any) -> Mapping[str, Any]:
    """Require a JSON object without JSON-LD keywords we refuse to interpret.

    ``@graph``, ``@included`` and ``@reverse`` let a document carry statements
    that a plain-JSON reader would not see (Mastodon refuses them too); we never
    run JSON-LD processing, so such documents are rejected.
    """
    if not isinstance(data, Mapping):
        raise ParseError("expected a JSON object")
    for key in _JSONLD_FORBIDDEN:
        if key in data:
            raise ParseError(f"JSON-LD keyword {key} is not supported")
    return data


def as_list(value: Any) -> list[Any]:
    """``None`` → ``[]``; a list → itself; anything else → ``[value]``."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def id_of(value: Any) -> str | None:
    """The id of a reference: a string, ``{"id": …}``, a Link ``{"href": …}``, or a list's first."""
    if isinstance(value, str):
        return value or None
    if isinstance(value, Mapping):
        for key in ("id", "href"):
            candidate = value.get(key)
            if isinstance(candidate, str) and candidate:
                return candidate
        return None
    if isinstance(value, list):
        for item in value:
            found = id_of(item)
            if found is not None:
                return found
    return None


def _check_url(value: str, what: str) -> str:
    if len(value) > MAX_URL_LENGTH:
        raise ParseError(f"{what} longer than {MAX_URL_LENGTH} characters")
    parse_url(value)
    return value


def url_of(value: Any, what: str = "URL") -> str | None:
    """Like :func:`id_of` but the result must be a strictly parseable http(s) URL.

    For ``url`` properties given as a list of Links, the first ``text/html`` one wins.
    """
    if isinstance(value, list):
        for item in value:
            if isinstance(item, Mapping) and item.get("mediaType") == "text/html":
                return url_of(item, what)
    found = id_of(value)
    return None if found is None else _check_url(found, what)


def require_id(data: Mapping[str, Any], what: str = "id") -> str:
    found = url_of(data.get("id"), what)
    if found is None:
        raise ParseError(f"missing {what}")
    return found


def ids_of(value: Any, cap: int = MAX_AUDIENCE, what: str = "reference") -> tuple[str, ...]:
    """All ids in a value-or-list, deduplicated in order, at most ``cap`` (extra dropped).

    Entries that are not URLs are kept only for the public-collection aliases
    ``as:Public`` / ``Public``; any other non-URL entry is skipped.
    """
    out: list[str] = []
    seen: set[str] = set()
    for item in as_list(value):
        found = id_of(item)
        if found is None or found in seen:
            continue
        if found not in ("as:Public", "Public"):
            try:
                _check_url(found, what)
            except ParseError:
                continue
        seen.add(found)
        out.append(found)
        if len(out) >= cap:
            break
    return tuple(out)


def text_of(value: Any, cap: int) -> str | None:
    """A string value truncated to ``cap`` characters; first string of a list; else None."""
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str)), None)
    if not isinstance(value, str):
        return None
    return value[:cap]


def token_of(value: Any, what: str) -> str | None:
    """A short identifier-like string (type, media type, username); too long → ParseError."""
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str)), None)
    if not isinstance(value, str):
        return None
    if len(value) > MAX_TOKEN_LENGTH:
        raise ParseError(f"{what} longer than {MAX_TOKEN_LENGTH} characters")
    return value


def type_of(data: Mapping[str, Any]) -> str:
    """The first ``type`` of a document (``type`` may be a list); ParseError if absent."""
    found = types_of(data)
    if not found:
        raise ParseError("missing type")
    return found[0]


def types_of(data: Mapping[str, Any]) -> tuple[str, ...]:
    out = []
    for item in as_list(data.get("type"))[:8]:
        if isinstance(item, str):
            if len(item) > MAX_TOKEN_LENGTH:
                raise ParseError("type too long")
            out.append(item.removeprefix("as:"))
    return tuple(out)


def bool_of(value: Any, default: bool = False) -> bool:
    """``true``/``false`` (also the strings), anything else → ``default``."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value in ("true", "false"):
        return value == "true"
    return default


def int_of(value: Any) -> int | None:
    """A non-negative integer, or None (bools and floats with fractions are not integers)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float) and value.is_integer() and value >= 0:
        return int(value)
    if isinstance(value, str) and value.isdigit() and len(value) < 19:
        return int(value)
    return None


def datetime_of(value: Any) -> datetime | None:
    """An ISO 8601 timestamp as an aware UTC datetime; unparseable → None.

    Naive timestamps are taken as UTC (some servers drop the ``Z``).
    """
    if not isinstance(value, str) or len(value) > 64:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def format_datetime(value: datetime) -> str:
    """``2024-01-02T03:04:05Z`` (seconds precision, UTC), the form Mastodon writes."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def lang_map_of(value: Any, cap: int) -> dict[str, str]:
    """A language map (``contentMap``/``nameMap``/``summaryMap``): tag → text, capped."""
    out: dict[str, str] = {}
    if not isinstance(value, Mapping):
        return out
    for lang, text in value.items():
        if not isinstance(lang, str) or not isinstance(text, str):
            continue
        if len(lang) > 35:  # BCP 47 tags in practice stay well below this
            continue
        out[lang] = text[:cap]
        if len(out) >= MAX_LANGUAGES:
            break
    return out


def drop_none(data: Mapping[str, Any]) -> dict[str, Any]:
    """Copy of ``data`` without None values and empty tuples/lists (for ``to_ap``)."""
    return {k: v for k, v in data.items() if v is not None and v != () and v != []}

