"""Collections and their pages: Collection, OrderedCollection and the *Page types."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from federation.errors import ParseError
from federation.vocab.base import (
    MAX_DEPTH,
    as_list,
    check_document,
    drop_none,
    id_of,
    int_of,
    type_of,
    url_of,
)
from federation.vocab.context import default_context

__all__ = ["COLLECTION_TYPES", "MAX_COLLECTION_ITEMS", "Collection"]

COLLECTION_TYPES = frozenset({
    "Collection", "OrderedCollection", "CollectionPage", "OrderedCollectionPage"})
#: Items kept from one collection page (truncated); Mastodon pages hold 20-ish.
MAX_COLLECTION_ITEMS = 500


@dataclass(frozen=True, slots=True)
class Collection:
    """A (possibly ordered) collection or one of its pages.

    ``items`` keeps embedded items as raw mappings and references as id strings,
    so that callers decide what to parse; ``item_ids`` gives the id of each.
    ``first`` is an id; when the first page is embedded it is parsed into ``first_page``.
    """

    id: str | None
    type: str
    total_items: int | None = None
    first: str | None = None
    last: str | None = None
    next: str | None = None
    prev: str | None = None
    part_of: str | None = None
    items: tuple[str | Mapping[str, Any], ...] = ()
    first_page: Collection | None = field(default=None, compare=False)

    @property
    def ordered(self) -> bool:
        return self.type.startswith("Ordered")

    @property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(i for i in (id_of(item) for item in self.items) if i is not None)

    @classmethod
    def from_ap(cls, data: Any, *, _depth: int = 0) -> Collection:
        if _depth > MAX_DEPTH:
            raise ParseError("collections nested too deeply")
        doc = check_document(data)
        kind = type_of(doc)
        if kind not in COLLECTION_TYPES:
            raise ParseError(f"not a collection type: {kind}")
        raw_items = doc.get("orderedItems") if "orderedItems" in doc else doc.get("items")
        items: list[str | Mapping[str, Any]] = []
        for item in as_list(raw_items)[:MAX_COLLECTION_ITEMS]:
            if isinstance(item, str | Mapping):
                items.append(item)
        first = doc.get("first")
        first_page = None
        if isinstance(first, Mapping) and first.get("type") in COLLECTION_TYPES:
            first_page = cls.from_ap(first, _depth=_depth + 1)
        return cls(
            id=url_of(doc.get("id"), "id"),
            type=kind,
            total_items=int_of(doc.get("totalItems")),
            first=_ref(first),
            last=_ref(doc.get("last")),
            next=_ref(doc.get("next")),
            prev=_ref(doc.get("prev")),
            part_of=_ref(doc.get("partOf")),
            items=tuple(items),
            first_page=first_page,
        )

    def to_ap(self, *, with_context: bool = True) -> dict[str, Any]:
        key = "orderedItems" if self.ordered else "items"
        paged = self.type.endswith("Page")
        return drop_none({
            "@context": default_context() if with_context else None,
            "id": self.id,
            "type": self.type,
            "totalItems": self.total_items,
            "first": (self.first_page.to_ap(with_context=False) if self.first_page
                      else self.first),
            "last": self.last,
            "next": self.next,
            "prev": self.prev,
            "partOf": self.part_of,
            key: [dict(i) if isinstance(i, Mapping) else i for i in self.items]
            if (self.items or paged) else None,
        }) | ({key: []} if paged and not self.items else {})


def _ref(value: Any) -> str | None:
    try:
        return url_of(value, "collection link")
    except ParseError:
        return None
