"""Activities: Create, Update, Delete, Follow, Accept, Reject, Undo, Like, Announce, …"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Union

from federation.errors import ParseError
from federation.vocab.actors import ACTOR_TYPES, Actor
from federation.vocab.base import (
    MAX_CONTENT_LENGTH,
    MAX_DEPTH,
    as_list,
    check_document,
    datetime_of,
    drop_none,
    format_datetime,
    id_of,
    ids_of,
    require_id,
    text_of,
    type_of,
    url_of,
)
from federation.vocab.context import default_context, normalize_public
from federation.vocab.objects import OBJECT_TYPES, APObject, Tombstone

__all__ = ["ACTIVITY_TYPES", "Activity", "Embedded"]

ACTIVITY_TYPES = frozenset({
    "Create", "Update", "Delete", "Follow", "Accept", "Reject", "Undo", "Like", "Announce",
    "Add", "Remove", "Flag", "Block", "Move", "EmojiReact", "Dislike", "TentativeAccept",
})

#: What an activity's ``object`` can be when it is embedded rather than referenced.
Embedded = Union[APObject, Tombstone, Actor, "Activity"]


@dataclass(frozen=True, slots=True)
class Activity:
    """An activity.  ``object_id`` is always set when the object has an id;
    ``object`` holds the parsed embedded object when one was given and understood.
    ``object_ids`` lists every referenced object (a ``Flag`` names several).

    The embedded object is *as the sender claims it*: callers must check its origin
    (or refetch it) before trusting it, see the security catalogue item 20.
    """

    id: str | None
    type: str
    actor: str
    object_id: str | None = None
    object: Embedded | None = None
    object_ids: tuple[str, ...] = ()
    target: str | None = None
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    audience: tuple[str, ...] = ()
    published: datetime | None = None
    content: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_ap(cls, data: Any, *, require_activity_id: bool = True,
                _depth: int = 0) -> Activity:
        if _depth > MAX_DEPTH:
            raise ParseError("activities nested too deeply")
        doc = check_document(data)
        kind = type_of(doc)
        if kind not in ACTIVITY_TYPES:
            raise ParseError(f"not an activity type: {kind}")
        activity_id = require_id(doc) if require_activity_id else url_of(doc.get("id"), "id")
        actor = url_of(doc.get("actor"), "actor")
        if actor is None:
            raise ParseError("activity without actor")
        raw_object = doc.get("object")
        object_ids = ids_of(raw_object, cap=100, what="object")
        embedded = None
        first = as_list(raw_object)[0] if as_list(raw_object) else None
        if isinstance(first, Mapping):
            embedded = _parse_embedded(first, _depth + 1)
        object_id = object_ids[0] if object_ids else None
        if object_id is None and embedded is None and kind not in ("Flag",):
            raise ParseError(f"{kind} without object")
        target = doc.get("target")
        return cls(
            id=activity_id,
            type=kind,
            actor=actor,
            object_id=object_id,
            object=embedded,
            object_ids=object_ids,
            target=url_of(target, "target") if target is not None else None,
            to=tuple(normalize_public(a) for a in ids_of(doc.get("to"), what="to")),
            cc=tuple(normalize_public(a) for a in ids_of(doc.get("cc"), what="cc")),
            audience=tuple(normalize_public(a)
                           for a in ids_of(doc.get("audience"), what="audience")),
            published=datetime_of(doc.get("published")),
            content=text_of(doc.get("content"), MAX_CONTENT_LENGTH),
            raw=doc,
        )

    def to_ap(self, *, with_context: bool = True) -> dict[str, Any]:
        if self.object is not None:
            obj: Any = self.object.to_ap(with_context=False)
        elif len(self.object_ids) > 1:
            obj = list(self.object_ids)
        else:
            obj = self.object_id
        return drop_none({
            "@context": default_context() if with_context else None,
            "id": self.id,
            "type": self.type,
            "actor": self.actor,
            "object": obj,
            "target": self.target,
            "to": list(self.to),
            "cc": list(self.cc),
            "audience": list(self.audience),
            "published": format_datetime(self.published) if self.published else None,
            "content": self.content,
        })


def _parse_embedded(data: Mapping[str, Any], depth: int) -> Embedded | None:
    """Parse an embedded object if its type is one we model; unknown types → None."""
    try:
        kind = type_of(data)
    except ParseError:
        return None
    if kind in ACTIVITY_TYPES:
        return Activity.from_ap(data, require_activity_id=False, _depth=depth)
    if kind in OBJECT_TYPES:
        return APObject.from_ap(data, require_object_id=False, _depth=depth)
    if kind == "Tombstone":
        return Tombstone.from_ap(data)
    if kind in ACTOR_TYPES:
        return Actor.from_ap(data)
    if id_of(data) is None:
        raise ParseError(f"embedded {kind} without id")
    return None
