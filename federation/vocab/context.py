"""@context constants, the public collection and its aliases, content-type strings."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

__all__ = [
    "ACTIVITY_JSON",
    "AS_CONTEXT",
    "AS_MEDIA_TYPES",
    "EXTENSION_CONTEXT",
    "LD_JSON_AS",
    "PUBLIC",
    "PUBLIC_ALIASES",
    "SECURITY_CONTEXT",
    "default_context",
    "has_as_context",
    "is_as_media_type",
    "is_public",
    "normalize_public",
]

AS_CONTEXT = "https://www.w3.org/ns/activitystreams"
SECURITY_CONTEXT = "https://w3id.org/security/v1"

#: The public collection.  Documents also write it ``as:Public`` or ``Public``
#: (both are valid compact forms under the ActivityStreams context).
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
PUBLIC_ALIASES = frozenset({PUBLIC, "as:Public", "Public"})

ACTIVITY_JSON = "application/activity+json"
LD_JSON_AS = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
#: The two media types ActivityPub defines for its documents.
AS_MEDIA_TYPES = (ACTIVITY_JSON, LD_JSON_AS)

#: Terms outside the ActivityStreams context that we write, defined the way
#: Mastodon defines them so that JSON-LD processors elsewhere read them the same.
EXTENSION_CONTEXT: dict[str, Any] = {
    "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
    "sensitive": "as:sensitive",
    "Hashtag": "as:Hashtag",
    "toot": "http://joinmastodon.org/ns#",
    "featured": {"@id": "toot:featured", "@type": "@id"},
    "discoverable": "toot:discoverable",
    "votersCount": "toot:votersCount",
    "ostatus": "http://ostatus.org#",
    "conversation": "ostatus:conversation",
    # Chapterhouse's own terms (docs/FEDERATION.md): a Group's child groups and its parent.
    "chapterhouse": "https://chapterhouse.social/ns#",
    "subChapters": {"@id": "chapterhouse:subChapters", "@type": "@id"},
    "parentChapter": {"@id": "chapterhouse:parentChapter", "@type": "@id"},
}


def default_context() -> list[Any]:
    """The ``@context`` we put on every document we write."""
    return [AS_CONTEXT, SECURITY_CONTEXT, dict(EXTENSION_CONTEXT)]


def has_as_context(data: Mapping[str, Any]) -> bool:
    """True when ``@context`` names ActivityStreams as a string, in a list, or not at all.

    Embedded objects often carry no ``@context``; they inherit their parent's.
    """
    ctx = data.get("@context")
    if ctx is None:
        return True
    items = ctx if isinstance(ctx, list) else [ctx]
    return any(item in (AS_CONTEXT, "http://www.w3.org/ns/activitystreams") for item in items)


def normalize_public(value: str) -> str:
    """Map ``as:Public`` / ``Public`` to the full public-collection URI."""
    return PUBLIC if value in PUBLIC_ALIASES else value


def is_public(addressing: Iterable[str] | str | None) -> bool:
    """True if any entry of ``addressing`` is the public collection in any spelling."""
    if addressing is None:
        return False
    if isinstance(addressing, str):
        return addressing in PUBLIC_ALIASES
    return any(isinstance(item, str) and item in PUBLIC_ALIASES for item in addressing)


def is_as_media_type(content_type: str | None) -> bool:
    """True for ``application/activity+json`` or ``application/ld+json`` with the AS profile.

    ``application/json`` is refused: the AS2 types are what ActivityPub servers send,
    and a generic JSON type is what user uploads and unrelated APIs are served
    with, so accepting it would let such files pose as ActivityPub documents.
    """
    if not content_type:
        return False
    parts = [p.strip() for p in content_type.split(";")]
    mime = parts[0].lower()
    if mime == ACTIVITY_JSON:
        return True
    if mime != "application/ld+json":
        return False
    for param in parts[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "profile":
            profiles = value.strip().strip('"').split()
            return AS_CONTEXT in profiles
    return False
