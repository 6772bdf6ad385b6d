"""Content objects: Note, Article, Page, Question, Tombstone, attachments and tags."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from federation.errors import ParseError
from federation.vocab.base import (
    MAX_ATTACHMENTS,
    MAX_CONTENT_LENGTH,
    MAX_DEPTH,
    MAX_NAME_LENGTH,
    MAX_POLL_OPTIONS,
    MAX_SUMMARY_LENGTH,
    MAX_TAGS,
    as_list,
    bool_of,
    check_document,
    datetime_of,
    drop_none,
    format_datetime,
    id_of,
    ids_of,
    int_of,
    lang_map_of,
    require_id,
    text_of,
    token_of,
    type_of,
    url_of,
)
from federation.vocab.context import default_context, normalize_public

__all__ = [
    "OBJECT_TYPES",
    "APObject",
    "Attachment",
    "PollOption",
    "Source",
    "Tag",
    "Tombstone",
]

_T = TypeVar("_T")

#: Object types parsed into :class:`APObject`; they differ only in which fields they use.
OBJECT_TYPES = frozenset({"Note", "Article", "Page", "Question", "Event", "Video", "Audio",
                          "Image", "Document"})


@dataclass(frozen=True, slots=True)
class Attachment:
    """A Document/Image/Video/Audio attachment, or a Link attachment (Lemmy)."""

    type: str
    url: str
    media_type: str | None = None
    name: str | None = None
    blurhash: str | None = None

    @classmethod
    def from_ap(cls, value: Any) -> Attachment | None:
        if not isinstance(value, Mapping):
            return None
        kind = token_of(value.get("type"), "attachment type") or "Document"
        if kind == "PropertyValue":
            return None
        raw_url = value.get("url") if kind != "Link" else value.get("href")
        try:
            url = url_of(raw_url if raw_url is not None else value.get("href"), "attachment URL")
        except ParseError:
            return None
        if url is None:
            return None
        return cls(kind, url, token_of(value.get("mediaType"), "mediaType"),
                   text_of(value.get("name"), MAX_NAME_LENGTH),
                   token_of(value.get("blurhash"), "blurhash"))

    def to_ap(self) -> dict[str, Any]:
        return drop_none({"type": self.type, "url": self.url, "mediaType": self.media_type,
                          "name": self.name, "blurhash": self.blurhash})


@dataclass(frozen=True, slots=True)
class Tag:
    """A ``tag`` entry: Hashtag, Mention, Emoji (``icon`` set) or another type."""

    type: str
    name: str | None = None
    href: str | None = None
    icon: str | None = None

    @classmethod
    def from_ap(cls, value: Any) -> Tag | None:
        if not isinstance(value, Mapping):
            return None
        kind = token_of(value.get("type"), "tag type")
        if kind is None:
            return None
        try:
            href = url_of(value.get("href"), "tag href") or url_of(value.get("id"), "tag id")
        except ParseError:
            href = None
        icon = value.get("icon")
        icon_url = None
        if isinstance(icon, Mapping):
            try:
                icon_url = url_of(icon.get("url"), "emoji icon")
            except ParseError:
                icon_url = None
        return cls(kind, text_of(value.get("name"), MAX_NAME_LENGTH), href, icon_url)

    def to_ap(self) -> dict[str, Any]:
        icon = {"type": "Image", "url": self.icon} if self.icon else None
        return drop_none({"type": self.type, "name": self.name, "href": self.href, "icon": icon})


@dataclass(frozen=True, slots=True)
class Source:
    """``source``: what the author typed, e.g. Markdown (``{content, mediaType}``)."""

    content: str
    media_type: str | None = None

    @classmethod
    def from_ap(cls, value: Any) -> Source | None:
        # Pleroma and Akkoma have written ``source`` as a bare string.
        if isinstance(value, str):
            return cls(value[:MAX_CONTENT_LENGTH])
        if not isinstance(value, Mapping):
            return None
        content = text_of(value.get("content"), MAX_CONTENT_LENGTH)
        if content is None:
            return None
        return cls(content, token_of(value.get("mediaType"), "source.mediaType"))

    def to_ap(self) -> dict[str, Any]:
        return drop_none({"content": self.content, "mediaType": self.media_type})


@dataclass(frozen=True, slots=True)
class PollOption:
    """One answer of a Question: its ``name`` and ``replies.totalItems`` (vote count)."""

    name: str
    votes: int | None = None

    @classmethod
    def from_ap(cls, value: Any) -> PollOption | None:
        if not isinstance(value, Mapping):
            return None
        name = text_of(value.get("name"), MAX_NAME_LENGTH)
        if name is None:
            return None
        replies = value.get("replies")
        votes = int_of(replies.get("totalItems")) if isinstance(replies, Mapping) else None
        return cls(name, votes)

    def to_ap(self) -> dict[str, Any]:
        return {"type": "Note", "name": self.name,
                "replies": {"type": "Collection", "totalItems": self.votes or 0}}


def _poll_options(value: Any) -> tuple[PollOption, ...]:
    items = as_list(value)
    if len(items) > MAX_POLL_OPTIONS:
        raise ParseError(f"poll with more than {MAX_POLL_OPTIONS} options")
    return tuple(o for o in (PollOption.from_ap(i) for i in items) if o is not None)


@dataclass(frozen=True, slots=True)
class APObject:
    """A Note, Article, Page or Question (and other content types), read tolerantly.

    ``to``/``cc``/``audience`` have the public collection normalised to its full URI.
    ``preview`` is the FEP-b2b8 short form of a long Article.  For a Question,
    ``one_of`` (single choice) or ``any_of`` (multiple choice) carries the options.
    """

    id: str | None
    type: str
    attributed_to: tuple[str, ...] = ()
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    audience: tuple[str, ...] = ()
    in_reply_to: str | None = None
    context: str | None = None
    conversation: str | None = None
    published: datetime | None = None
    updated: datetime | None = None
    sensitive: bool = False
    summary: str | None = None
    name: str | None = None
    content: str | None = None
    content_map: Mapping[str, str] = field(default_factory=dict)
    name_map: Mapping[str, str] = field(default_factory=dict)
    summary_map: Mapping[str, str] = field(default_factory=dict)
    media_type: str | None = None
    source: Source | None = None
    url: str | None = None
    preview: APObject | None = None
    replies: str | None = None
    replies_count: int | None = None
    attachments: tuple[Attachment, ...] = ()
    image: Attachment | None = None
    tags: tuple[Tag, ...] = ()
    one_of: tuple[PollOption, ...] = ()
    any_of: tuple[PollOption, ...] = ()
    end_time: datetime | None = None
    closed: datetime | bool | None = None
    voters_count: int | None = None

    @property
    def author(self) -> str | None:
        """The first ``attributedTo`` (the author; Lemmy/PeerTube may list more)."""
        return self.attributed_to[0] if self.attributed_to else None

    @property
    def options(self) -> tuple[PollOption, ...]:
        return self.one_of or self.any_of

    @property
    def multiple_choice(self) -> bool:
        return bool(self.any_of) and not self.one_of

    @property
    def hashtags(self) -> tuple[Tag, ...]:
        return tuple(t for t in self.tags if t.type == "Hashtag")

    @property
    def mentions(self) -> tuple[Tag, ...]:
        return tuple(t for t in self.tags if t.type == "Mention")

    @classmethod
    def from_ap(cls, data: Any, *, require_object_id: bool = True, _depth: int = 0) -> APObject:
        if _depth > MAX_DEPTH:
            raise ParseError("objects nested too deeply")
        doc = check_document(data)
        kind = type_of(doc)
        if kind not in OBJECT_TYPES:
            raise ParseError(f"not a content object type: {kind}")
        obj_id = require_id(doc) if require_object_id else url_of(doc.get("id"), "id")
        replies = doc.get("replies")
        replies_count = None
        if isinstance(replies, Mapping):
            replies_count = int_of(replies.get("totalItems"))
        preview = doc.get("preview")
        closed_raw = doc.get("closed")
        closed: datetime | bool | None = (
            closed_raw if isinstance(closed_raw, bool) else datetime_of(closed_raw))
        content_map = lang_map_of(doc.get("contentMap"), MAX_CONTENT_LENGTH)
        name_map = lang_map_of(doc.get("nameMap"), MAX_NAME_LENGTH)
        summary_map = lang_map_of(doc.get("summaryMap"), MAX_SUMMARY_LENGTH)
        content = text_of(doc.get("content"), MAX_CONTENT_LENGTH)
        name = text_of(doc.get("name"), MAX_NAME_LENGTH)
        summary = text_of(doc.get("summary"), MAX_SUMMARY_LENGTH)
        return cls(
            id=obj_id,
            type=kind,
            attributed_to=ids_of(doc.get("attributedTo"), what="attributedTo"),
            to=tuple(normalize_public(a) for a in ids_of(doc.get("to"), what="to")),
            cc=tuple(normalize_public(a) for a in ids_of(doc.get("cc"), what="cc")),
            audience=tuple(normalize_public(a)
                           for a in ids_of(doc.get("audience"), what="audience")),
            in_reply_to=url_of(doc.get("inReplyTo"), "inReplyTo"),
            context=_loose_id(doc.get("context")),
            conversation=_loose_id(doc.get("conversation")),
            published=datetime_of(doc.get("published")),
            updated=datetime_of(doc.get("updated")),
            sensitive=bool_of(doc.get("sensitive")),
            summary=summary if summary is not None else next(iter(summary_map.values()), None),
            name=name if name is not None else next(iter(name_map.values()), None),
            content=content if content is not None else next(iter(content_map.values()), None),
            content_map=content_map,
            name_map=name_map,
            summary_map=summary_map,
            media_type=token_of(doc.get("mediaType"), "mediaType"),
            source=Source.from_ap(doc.get("source")),
            url=_safe_url(doc.get("url")),
            preview=(cls.from_ap(preview, require_object_id=False, _depth=_depth + 1)
                     if isinstance(preview, Mapping) and preview.get("type") in OBJECT_TYPES
                     else None),
            replies=id_of(replies),
            replies_count=replies_count,
            attachments=_capped(Attachment.from_ap, doc.get("attachment"), MAX_ATTACHMENTS),
            image=_image(doc.get("image")),
            tags=_capped(Tag.from_ap, doc.get("tag"), MAX_TAGS),
            one_of=_poll_options(doc.get("oneOf")),
            any_of=_poll_options(doc.get("anyOf")),
            end_time=datetime_of(doc.get("endTime")),
            closed=closed,
            voters_count=int_of(doc.get("votersCount")),
        )

    def to_ap(self, *, with_context: bool = True) -> dict[str, Any]:
        return drop_none({
            "@context": default_context() if with_context else None,
            "id": self.id,
            "type": self.type,
            "attributedTo": _one_or_many(self.attributed_to),
            "to": list(self.to),
            "cc": list(self.cc),
            "audience": _one_or_many(self.audience),
            "inReplyTo": self.in_reply_to,
            "context": self.context,
            "conversation": self.conversation,
            "published": format_datetime(self.published) if self.published else None,
            "updated": format_datetime(self.updated) if self.updated else None,
            "sensitive": self.sensitive,
            "summary": self.summary,
            "name": self.name,
            "content": self.content,
            "contentMap": dict(self.content_map) or None,
            "nameMap": dict(self.name_map) or None,
            "summaryMap": dict(self.summary_map) or None,
            "mediaType": self.media_type,
            "source": self.source.to_ap() if self.source else None,
            "url": self.url,
            "preview": self.preview.to_ap(with_context=False) if self.preview else None,
            "replies": self.replies,
            "attachment": [a.to_ap() for a in self.attachments],
            "image": self.image.to_ap() if self.image else None,
            "tag": [t.to_ap() for t in self.tags],
            "oneOf": [o.to_ap() for o in self.one_of],
            "anyOf": [o.to_ap() for o in self.any_of],
            "endTime": format_datetime(self.end_time) if self.end_time else None,
            "closed": (format_datetime(self.closed) if isinstance(self.closed, datetime)
                       else self.closed),
            "votersCount": self.voters_count,
        })


@dataclass(frozen=True, slots=True)
class Tombstone:
    """What remains of a deleted object."""

    id: str
    former_type: str | None = None
    deleted: datetime | None = None

    @classmethod
    def from_ap(cls, data: Any) -> Tombstone:
        doc = check_document(data)
        if type_of(doc) != "Tombstone":
            raise ParseError("not a Tombstone")
        return cls(require_id(doc), token_of(doc.get("formerType"), "formerType"),
                   datetime_of(doc.get("deleted")))

    def to_ap(self, *, with_context: bool = True) -> dict[str, Any]:
        return drop_none({
            "@context": default_context() if with_context else None,
            "id": self.id, "type": "Tombstone", "formerType": self.former_type,
            "deleted": format_datetime(self.deleted) if self.deleted else None,
        })


def _one_or_many(values: tuple[str, ...]) -> str | list[str] | None:
    if not values:
        return None
    return values[0] if len(values) == 1 else list(values)


def _loose_id(value: Any) -> str | None:
    """``context``/``conversation`` may be a URL or an opaque ``tag:`` URI (Mastodon)."""
    found = id_of(value)
    if found is None or len(found) > 2048:
        return None
    return found


def _safe_url(value: Any) -> str | None:
    try:
        return url_of(value, "url")
    except ParseError:
        return None


def _capped(parse: Callable[[Any], _T | None], value: Any, cap: int) -> tuple[_T, ...]:
    out: list[_T] = []
    for item in as_list(value):
        parsed = parse(item)
        if parsed is not None:
            out.append(parsed)
            if len(out) >= cap:
                break
    return tuple(out)


def _image(value: Any) -> Attachment | None:
    """An object's `image`: a bare URL (Ghost), an Image object (Lemmy, Chapterhouse) or a
    list of them (the first that reads)."""
    if isinstance(value, str):
        try:
            url = url_of(value, "image URL")
        except ParseError:
            return None
        return Attachment("Image", url) if url else None
    if isinstance(value, list):
        return next((found for found in map(_image, value[:MAX_ATTACHMENTS]) if found), None)
    if isinstance(value, Mapping):
        return Attachment.from_ap({"type": "Image", **value})
    return None
