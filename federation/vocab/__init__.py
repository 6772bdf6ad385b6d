"""ActivityStreams vocabulary: tolerant plain-JSON readers and frozen dataclasses."""

from __future__ import annotations

from typing import Any

from federation.errors import UnsupportedType
from federation.vocab.activities import ACTIVITY_TYPES, Activity, Embedded
from federation.vocab.actors import ACTOR_TYPES, Actor, ImageRef, ProfileField, PublicKey
from federation.vocab.base import (
    as_list,
    check_document,
    datetime_of,
    id_of,
    type_of,
)
from federation.vocab.collections import COLLECTION_TYPES, Collection
from federation.vocab.context import (
    AS_CONTEXT,
    PUBLIC,
    default_context,
    has_as_context,
    is_as_media_type,
    is_public,
    normalize_public,
)
from federation.vocab.objects import (
    OBJECT_TYPES,
    APObject,
    Attachment,
    PollOption,
    Source,
    Tag,
    Tombstone,
)

__all__ = [
    "AS_CONTEXT",
    "PUBLIC",
    "APObject",
    "Activity",
    "Actor",
    "Attachment",
    "Collection",
    "Document",
    "Embedded",
    "ImageRef",
    "PollOption",
    "ProfileField",
    "PublicKey",
    "Source",
    "Tag",
    "Tombstone",
    "as_list",
    "check_document",
    "datetime_of",
    "default_context",
    "has_as_context",
    "id_of",
    "is_as_media_type",
    "is_public",
    "normalize_public",
    "parse_document",
]

Document = Actor | APObject | Activity | Collection | Tombstone


def parse_document(data: Any) -> Document:
    """Parse any top-level document by its ``type``; UnsupportedType for others."""
    doc = check_document(data)
    kind = type_of(doc)
    if kind in ACTIVITY_TYPES:
        return Activity.from_ap(doc)
    if kind in OBJECT_TYPES:
        return APObject.from_ap(doc)
    if kind in ACTOR_TYPES:
        return Actor.from_ap(doc)
    if kind in COLLECTION_TYPES:
        return Collection.from_ap(doc)
    if kind == "Tombstone":
        return Tombstone.from_ap(doc)
    raise UnsupportedType(kind)
