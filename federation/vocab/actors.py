"""Actors (Person, Group, Service, Application, Organization) and their public keys."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from federation.errors import ParseError
from federation.vocab.base import (
    MAX_NAME_LENGTH,
    MAX_PEM_LENGTH,
    MAX_SUMMARY_LENGTH,
    as_list,
    bool_of,
    check_document,
    datetime_of,
    drop_none,
    format_datetime,
    ids_of,
    require_id,
    text_of,
    token_of,
    type_of,
    url_of,
)
from federation.vocab.context import default_context

__all__ = ["ACTOR_TYPES", "Actor", "ImageRef", "ProfileField", "PublicKey"]

ACTOR_TYPES = frozenset({"Person", "Group", "Service", "Application", "Organization"})
_MAX_KEYS = 8
_MAX_FIELDS = 16


@dataclass(frozen=True, slots=True)
class PublicKey:
    """``publicKey``: the key that signs the actor's requests."""

    id: str
    owner: str
    public_key_pem: str

    @classmethod
    def from_ap(cls, data: Mapping[str, Any], actor_id: str) -> PublicKey:
        key_id = require_id(data, "publicKey.id")
        owner = url_of(data.get("owner"), "publicKey.owner") or actor_id
        pem = data.get("publicKeyPem")
        if not isinstance(pem, str) or "BEGIN" not in pem:
            raise ParseError("publicKey without publicKeyPem")
        if len(pem) > MAX_PEM_LENGTH:
            raise ParseError("publicKeyPem too long")
        return cls(key_id, owner, pem)

    def to_ap(self) -> dict[str, Any]:
        return {"id": self.id, "owner": self.owner, "publicKeyPem": self.public_key_pem}


@dataclass(frozen=True, slots=True)
class ImageRef:
    """``icon`` / ``image``: an Image object or a bare URL."""

    url: str
    media_type: str | None = None
    name: str | None = None

    @classmethod
    def from_ap(cls, value: Any) -> ImageRef | None:
        if isinstance(value, list):
            value = next((v for v in value if v), None)
        if isinstance(value, str):
            return cls(url_of(value, "image URL") or value)
        if not isinstance(value, Mapping):
            return None
        url = url_of(value.get("url"), "image URL") or url_of(value.get("href"), "image URL")
        if url is None:
            return None
        return cls(url, token_of(value.get("mediaType"), "mediaType"),
                   text_of(value.get("name"), MAX_NAME_LENGTH))

    def to_ap(self) -> dict[str, Any]:
        return drop_none({"type": "Image", "url": self.url, "mediaType": self.media_type,
                          "name": self.name})


@dataclass(frozen=True, slots=True)
class ProfileField:
    """A Mastodon profile metadata row (``PropertyValue`` attachment): name and HTML value."""

    name: str
    value: str


@dataclass(frozen=True, slots=True)
class Actor:
    """An ActivityPub actor.  ``attributed_to`` lists a Group's moderators (FEP-1b12): their
    ids, or the URL of a collection of them (Lemmy, Chapterhouse).  ``sub_chapters`` and
    ``parent_chapter`` are Chapterhouse's extension terms (``chapterhouse:`` namespace): the
    collection of a Group's child groups and the id of its parent group."""

    id: str
    type: str
    inbox: str
    outbox: str | None = None
    followers: str | None = None
    following: str | None = None
    featured: str | None = None
    shared_inbox: str | None = None
    preferred_username: str | None = None
    name: str | None = None
    summary: str | None = None
    url: str | None = None
    icon: ImageRef | None = None
    image: ImageRef | None = None
    manually_approves_followers: bool = False
    discoverable: bool | None = None
    public_keys: tuple[PublicKey, ...] = ()
    attributed_to: tuple[str, ...] = ()
    also_known_as: tuple[str, ...] = ()
    moved_to: str | None = None
    published: datetime | None = None
    fields: tuple[ProfileField, ...] = ()
    sub_chapters: str | None = None
    parent_chapter: str | None = None

    @property
    def public_key(self) -> PublicKey | None:
        return self.public_keys[0] if self.public_keys else None

    def key_by_id(self, key_id: str) -> PublicKey | None:
        """The published key with this id (keyIds may carry a ``#fragment``)."""
        return next((k for k in self.public_keys if k.id == key_id), None)

    @property
    def best_inbox(self) -> str:
        """The shared inbox when the actor has one, else its own inbox."""
        return self.shared_inbox or self.inbox

    @classmethod
    def from_ap(cls, data: Any) -> Actor:
        doc = check_document(data)
        kind = type_of(doc)
        if kind not in ACTOR_TYPES:
            raise ParseError(f"not an actor type: {kind}")
        actor_id = require_id(doc)
        inbox = url_of(doc.get("inbox"), "inbox")
        if inbox is None:
            raise ParseError("actor without inbox")
        endpoints = doc.get("endpoints")
        shared = url_of(endpoints.get("sharedInbox"), "sharedInbox") if isinstance(
            endpoints, Mapping) else None
        keys: list[PublicKey] = []
        for item in as_list(doc.get("publicKey"))[:_MAX_KEYS]:
            if isinstance(item, Mapping):
                keys.append(PublicKey.from_ap(item, actor_id))
        fields: list[ProfileField] = []
        for item in as_list(doc.get("attachment")):
            if (isinstance(item, Mapping) and item.get("type") == "PropertyValue"
                    and isinstance(item.get("name"), str) and isinstance(item.get("value"), str)):
                fields.append(ProfileField(item["name"][:MAX_NAME_LENGTH],
                                           item["value"][:MAX_NAME_LENGTH]))
                if len(fields) >= _MAX_FIELDS:
                    break
        discoverable = doc.get("discoverable")
        return cls(
            id=actor_id,
            type=kind,
            inbox=inbox,
            outbox=url_of(doc.get("outbox"), "outbox"),
            followers=url_of(doc.get("followers"), "followers"),
            following=url_of(doc.get("following"), "following"),
            featured=url_of(doc.get("featured"), "featured"),
            shared_inbox=shared,
            preferred_username=token_of(doc.get("preferredUsername"), "preferredUsername"),
            name=text_of(doc.get("name"), MAX_NAME_LENGTH),
            summary=text_of(doc.get("summary"), MAX_SUMMARY_LENGTH),
            url=url_of(doc.get("url"), "url"),
            icon=ImageRef.from_ap(doc.get("icon")),
            image=ImageRef.from_ap(doc.get("image")),
            manually_approves_followers=bool_of(doc.get("manuallyApprovesFollowers")),
            discoverable=discoverable if isinstance(discoverable, bool) else None,
            public_keys=tuple(keys),
            attributed_to=ids_of(doc.get("attributedTo"), what="attributedTo"),
            also_known_as=ids_of(doc.get("alsoKnownAs"), cap=16, what="alsoKnownAs"),
            moved_to=url_of(doc.get("movedTo"), "movedTo"),
            published=datetime_of(doc.get("published")),
            fields=tuple(fields),
            sub_chapters=_optional_url(doc.get("subChapters"), "subChapters"),
            parent_chapter=_optional_url(doc.get("parentChapter"), "parentChapter"),
        )

    def to_ap(self, *, with_context: bool = True) -> dict[str, Any]:
        out = drop_none({
            "@context": default_context() if with_context else None,
            "id": self.id,
            "type": self.type,
            "preferredUsername": self.preferred_username,
            "name": self.name,
            "summary": self.summary,
            "url": self.url,
            "inbox": self.inbox,
            "outbox": self.outbox,
            "followers": self.followers,
            "following": self.following,
            "featured": self.featured,
            "endpoints": {"sharedInbox": self.shared_inbox} if self.shared_inbox else None,
            "icon": self.icon.to_ap() if self.icon else None,
            "image": self.image.to_ap() if self.image else None,
            "manuallyApprovesFollowers": self.manually_approves_followers,
            "discoverable": self.discoverable,
            "publicKey": self.public_keys[0].to_ap() if len(self.public_keys) == 1 else
            [k.to_ap() for k in self.public_keys],
            # One value as a plain string: Lemmy reads a Group's attributedTo as one URL.
            "attributedTo": self.attributed_to[0] if len(self.attributed_to) == 1 else
            list(self.attributed_to),
            "alsoKnownAs": list(self.also_known_as),
            "movedTo": self.moved_to,
            "published": format_datetime(self.published) if self.published else None,
            "attachment": [{"type": "PropertyValue", "name": f.name, "value": f.value}
                           for f in self.fields],
            "subChapters": self.sub_chapters,
            "parentChapter": self.parent_chapter,
        })
        return out


def _optional_url(value: Any, what: str) -> str | None:
    """An extension property other software never writes: a bad value is dropped, not an
    error, so a strange actor document stays usable for everything else."""
    try:
        return url_of(value, what)
    except ParseError:
        return None
